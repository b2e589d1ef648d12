"""Runs: train a model end to end, save it as a folder, load it and predict with it.

``train_run`` prepares the data, trains the network, fits the ensemble's
classical half and writes a self-describing run folder. ``load_run`` reads it
back, refusing one whose feature settings differ from the code's, and
``Run.predict`` is the one prediction path: from per-track features to segment,
network, statistics and ensemble probabilities. ``predict_file`` applies it to
any audio file. Introduced in 03_cnn (runs) and 07_your_own_music (prediction).
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import keras
import numpy as np
import pandas as pd
from packaging.version import Version

from . import (_validate, audio, classical, config, data, features, models, pretrained, runtime,
               segments, train)
from .exceptions import (AudioDecodeError, CourseError, DataNotFoundError, ParameterError,
                         RunMismatchError)

logger = logging.getLogger("course_utils")

RUN_FORMAT = 5   # 5: novelty in musicnn's space; 4: weight and unsure rule from held-out
                 # tracks; 3: data identity; 2: skops
STATS_FILE = "stats_model.skops"
NOVELTY_FILE = "novelty.npz"
# Where "unlike the training music" is measured (BENCHMARKS.md, "Which space sees real
# recordings": musicnn's space put 10 of 14 real clips outside a synthetic run's training music,
# the summary statistics 2, since the synthetic set was tuned to GTZAN's statistics).
NOVELTY_SPACES = {
    "musicnn": "musicnn's MSD embedding of each 3-s patch (max_pool and mean_pool, 1506); a "
               "track's distance is the mean of its patches'",
    "stats": "the 89 summary statistics (features.STAT_NAMES)"}


# --------------------------------------------------------------------------- training
def check_out_dir(out: str | os.PathLike, *, overwrite: bool) -> Path:
    """Refuse an existing, non-empty ``out`` unless ``overwrite`` is given."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ParameterError(f"{out} exists and is not empty; refusing to overwrite a run. "
                             "Choose another --out, or pass --overwrite (overwrite=True).")
    out.mkdir(parents=True, exist_ok=True)
    return out


def train_run(model_name: str = "cnn", *, out: str | os.PathLike, hybrid_kind: str = "crnn",
              dataset=None, split: str = "random", folds: int = 5, fold: int = 0,
              val_size: float = config.VAL_SIZE, test_size: float = config.TEST_SIZE,
              epochs: int | None = None, seed: int = config.SEED,
              augment: Sequence[str] | str | None = None, batch_size: int = 32,
              ensemble: bool = True, overlap: bool = True, overwrite: bool = False,
              verbose: int | str = "auto", pretrained_model: str = pretrained.DEFAULT_MODEL,
              fine_tune: bool = False, model_kwargs: dict | None = None,
              patience: int = 6, novelty: str = "musicnn", progress: bool = True) -> Path:
    """Train a model end to end and save a self-describing run folder.

    ``out`` receives ``model.keras``, ``config.json`` (feature parameters,
    segment length, normalisation statistics, genres, split, seed, versions, the
    ensemble's weight and the "unsure" threshold, both chosen on held-out tracks),
    ``split.json``, ``history.csv`` and, with ``ensemble``, ``stats_model.skops``:
    a :class:`~course_utils.classical.StatsModel` (SVMs on track and segment
    statistics, fitted on the training and validation tracks) whose
    probabilities are averaged with the deep model's, weighted by
    :func:`~course_utils.classical.choose_ensemble_weight`. Evaluate it with
    ``course_utils.evaluate.evaluate_run``.

    Parameters
    ----------
    model_name : {"cnn", "lstm", "hybrid", "crnn", "parallel", "musicnn"}
        ``"hybrid"`` means ``hybrid_kind``. ``"musicnn"`` trains a probe
        (:func:`course_utils.models.build_probe`) on the frozen embeddings of
        the pretrained ``pretrained_model`` (cached), with mixup by default; with
        ``fine_tune`` the pretrained network itself trains too, under the probe
        (:func:`course_utils.models.build_fine_tune`, learning rate 1e-4), on
        log-mel patches: slow on a CPU.
    val_size, test_size : float
        Fractions of the tracks for a ``"random"`` split (70/15/15 by default).
    overlap : bool
        Cut a small training set into overlapping segments
        (:func:`course_utils.segments.training_hop`).
    patience : int
        Early stopping's patience in epochs (validation loss); the epoch budget or
        more trains to the end.
    novelty : {"musicnn", "stats"}
        The space of the "unlike the training music" test (``NOVELTY_SPACES``). musicnn's,
        the default, costs one musicnn pass over every training track (cached) and every
        predicted file; the statistics' is free but blind to real recordings for a run
        trained on the synthetic set.

    Returns
    -------
    Path
        The run folder.
    """
    name, augment = _model_and_augment(model_name, hybrid_kind, fine_tune, augment)
    _validate.one_of(novelty, tuple(NOVELTY_SPACES), "novelty")
    out = check_out_dir(out, overwrite=overwrite)
    split_args = {"method": split, "seed": seed, "folds": folds, "fold": fold,
                  "val_size": val_size, "test_size": test_size}
    prepared = _prepare_inputs(name, dataset, split_args, augment=augment, overlap=overlap,
                               pretrained_model=pretrained_model, progress=progress)
    model_kwargs = {**({"pretrained_model": pretrained_model} if name == "musicnn_ft" else {}),
                    **(model_kwargs or {})}
    model, history = _fit_network(name, prepared, model_kwargs, epochs=epochs,
                                  batch_size=batch_size, augment=augment, seed=seed,
                                  verbose=verbose, patience=patience)
    model.save(out / "model.keras")
    pd.DataFrame(history.history).rename_axis("epoch").to_csv(out / "history.csv")
    run_config = _describe(name, model, history, prepared, model_kwargs, dataset=dataset,
                           split_args=split_args, augment=augment, patience=patience,
                           pretrained_model=pretrained_model)
    run_config.update(_fit_track_rules(
        out, name, model, history, prepared, ensemble=ensemble, novelty=novelty,
        model_kwargs=model_kwargs, batch_size=batch_size, augment=augment, seed=seed,
        progress=progress))
    (out / "config.json").write_text(json.dumps(run_config, indent=1))
    (out / "split.json").write_text(json.dumps(prepared.split.ids(), indent=1))
    return out


def _model_and_augment(model_name: str, hybrid_kind: str, fine_tune: bool,
                       augment) -> tuple[str, tuple]:
    """The model's registered name and its augmentations, or a clear error for a request
    that cannot be trained."""
    name = hybrid_kind if model_name == "hybrid" else model_name
    name = "musicnn_ft" if fine_tune and name == "musicnn" else name
    _validate.one_of(name, tuple(models.MODEL_INPUTS), "model")
    if fine_tune and name != "musicnn_ft":
        raise ParameterError(f"--fine-tune fine-tunes a pretrained model; --model {model_name} "
                             "is trained from scratch. Use --model musicnn --fine-tune.")
    transfer = name in ("musicnn", "musicnn_ft")
    if name == "musicnn_ft":
        logger.warning("--fine-tune trains the whole pretrained network: minutes per epoch on a "
                       "CPU, and on small collections it has not beaten the frozen probe "
                       "(BENCHMARKS.md), whose weights it keeps when it does not help")
    augment = train.parse_augment("mixup" if transfer and augment is None else augment)
    if transfer and set(augment) & set(segments.WAVEFORM_AUGMENTS):
        raise ParameterError(f"--augment {','.join(augment)}: pitch and speed copies are not "
                             "embedded for musicnn. Use mixup (the default) or none.")
    return name, augment


def _prepare_inputs(name: str, dataset, split_args: dict, *, augment, overlap: bool,
                    pretrained_model: str, progress: bool) -> segments.Prepared:
    """Load the dataset, split it by track and cut the model's inputs (seeded)."""
    runtime.set_seed(split_args["seed"])
    tracks = data.load_dataset(dataset, progress=progress)
    transfer = name in ("musicnn", "musicnn_ft")
    extra = _transfer_inputs(name, tracks["path"], pretrained_model, progress)
    return segments.prepare(tracks=tracks, split=split_args["method"], seed=split_args["seed"],
                            folds=split_args["folds"], fold=split_args["fold"],
                            val_size=split_args["val_size"], test_size=split_args["test_size"],
                            overlap=overlap and not transfer, extra=extra,
                            inputs=models.MODEL_INPUTS[name], augment=augment,
                            progress=progress)


def _fit_network(name: str, prepared: segments.Prepared, model_kwargs: dict, *, epochs,
                 batch_size: int, augment, seed: int, verbose, patience: int):
    """Build the network (seeded; mixed precision on a GPU) and train it: ``(model, history)``."""
    if runtime.gpu_available():   # mixed precision and XLA: about 2-3x faster on a modern GPU
        keras.mixed_precision.set_global_policy("mixed_float16")
    keras.backend.clear_session()
    runtime.set_seed(seed)
    model = models.build_model(name, prepared.shapes(), len(prepared.genres), **model_kwargs)
    if name == "musicnn_ft":
        history = train.fit_fine_tune(model, prepared, epochs=epochs, batch_size=batch_size,
                                      augment=augment, seed=seed, verbose=verbose)
    else:
        history = train.fit(model, prepared, model_name=name, epochs=epochs,
                            batch_size=batch_size, augment=augment, seed=seed, verbose=verbose,
                            patience=patience)
    return model, history


def _describe(name: str, model, history, prepared: segments.Prepared, model_kwargs: dict, *,
              dataset, split_args: dict, augment, patience: int, pretrained_model: str) -> dict:
    """What ``config.json`` records of the run's inputs, training and versions."""
    run_config = {
        "model": name, "model_kwargs": model_kwargs, "inputs": list(prepared.inputs),
        "features": config.feature_params(), "segment_frames": config.segment_frames(),
        "norm": prepared.norm, "genres": prepared.genres,
        "dataset": str(dataset or config.default_dataset()),
        "data_identity": data.identity(prepared.tracks), "split": split_args,
        "seed": split_args["seed"], "augment": list(augment), "patience": patience,
        "train_hop": prepared.train_hop,
        "epochs_run": len(history.history["loss"]),
        "epoch_seconds": float(np.median(_last_stage(history.history)["epoch_seconds"])),
        "params": int(model.count_params()), "fast": config.fast(),
        "versions": runtime.versions(), "run_format": RUN_FORMAT, "ensemble_weight": 1.0,
    }
    if name in ("musicnn", "musicnn_ft"):
        run_config["pretrained"] = {
            "model": pretrained_model, "fine_tuned": name == "musicnn_ft",
            "weights_sha256": pretrained.WEIGHTS_SHA256[pretrained_model],
            "feature": ("log-mel patches (3 s, 16 kHz, 96 bands)" if name == "musicnn_ft"
                        else "max_pool and mean_pool per 3-s patch")}
        if name == "musicnn_ft":
            run_config["pretrained"].update(history.fine_tune)   # kept, and both losses
    return run_config


def _fit_track_rules(out: Path, name: str, model, history, prepared: segments.Prepared, *,
                     ensemble: bool, novelty: str, model_kwargs: dict, batch_size: int,
                     augment, seed: int, progress: bool) -> dict:
    """Fit what the run decides per track beside the network, on tracks held out from each
    rule: the ensemble's statistics model and weight, the unsure threshold and the novelty
    test. Saves their files in ``out``; returns their ``config.json`` entries."""
    entries = {}
    val_ids, held = segments.mean_per_track(
        models.predict_segments(model, name, prepared.val.X), prepared.val.track_ids)
    held_labels = _labels_of(prepared.val, val_ids)
    held_source = f"the {len(val_ids)} validation tracks"
    fitted = _FittedTracks.of(prepared, seed)   # training + validation tracks, their folds
    if ensemble:
        stats_model, ensemble_info, held, held_labels, held_source = _fit_ensemble(
            prepared, name, (val_ids, held), fitted, seed, model_kwargs=model_kwargs,
            batch_size=batch_size, augment=augment,
            learning_rates=_best_epochs_rates(history.history))
        stats_model.save(out / STATS_FILE)
        entries.update(ensemble_info)
    if prepared.split.method != "segment-random":   # its validation tracks were trained on
        entries["unsure"] = {**classical.choose_unsure_threshold(held, held_labels),
                             "held_out": held_source}
        X, folds = fitted.novelty_inputs(novelty, progress=progress)
        novelty_model, info = classical.fit_novelty(X, folds)
        entries["novelty"] = {**info, "space": novelty, "on": NOVELTY_SPACES[novelty]}
        novelty_model.save(out / NOVELTY_FILE)
    return entries


@dataclass
class _FittedTracks:
    """The training and validation tracks that have features, in that order: their table,
    features and labels, and the cross-fitting folds over them (computed once, on first use,
    for the ensemble's weight and the novelty threshold alike)."""

    table: pd.DataFrame
    feats: list
    labels: np.ndarray
    seed: int
    _folds: list | None = None

    @classmethod
    def of(cls, prepared: segments.Prepared, seed: int) -> "_FittedTracks":
        fs = features.extract(prepared.tracks["path"], progress=False)   # cached by prepare
        table = pd.concat([prepared.split.train, prepared.split.val], ignore_index=True)
        table = table[table["path"].isin(fs.features.keys())].reset_index(drop=True)
        return cls(table, [fs.features[p] for p in table["path"]],
                   np.array([prepared.genres.index(g) for g in table["genre"]]), seed)

    @property
    def folds(self) -> list[tuple]:
        if self._folds is None:
            self._folds = _cross_fit_folds(self.table, self.labels, self.seed)
        return self._folds

    def novelty_inputs(self, space: str, *, progress: bool) -> tuple[list, list[tuple]]:
        """The tracks' rows in the novelty ``space`` and the folds over them (tracks
        musicnn cannot embed are left out, with folds of their own)."""
        if space == "stats":
            return [f["stats"] for f in self.feats], self.folds
        vectors = novelty_vectors(self.table["path"], progress=progress)
        keep = self.table["path"].isin(vectors.keys()).to_numpy()
        X = [vectors[p] for p in self.table["path"][keep]]
        if keep.all():
            return X, self.folds
        return X, _cross_fit_folds(self.table[keep].reset_index(drop=True), self.labels[keep],
                                   self.seed)


def novelty_vectors(paths: Sequence, *, model: str = pretrained.DEFAULT_MODEL,
                    progress: bool = True) -> dict[str, np.ndarray]:
    """``{path: [shape=(n_patches, 1506)]}``: musicnn's ``[max_pool, mean_pool]`` per patch
    (:func:`pretrained.patch_features`) from the cached embeddings. With the default model it
    is the novelty space (``NOVELTY_SPACES["musicnn"]``); a probe reads the same of its own
    model. Files musicnn cannot read are logged and left out."""
    embedded = pretrained.embed_files(paths, model=model, progress=progress)
    return {p: pretrained.patch_features(e) for p, e in embedded.items()}


def _labels_of(seg: segments.Segments, track_ids: Sequence) -> np.ndarray:
    """The label of each track in ``track_ids``, read off its segments."""
    label = dict(zip(seg.track_ids.tolist(), seg.labels.tolist()))
    return np.array([label[t] for t in track_ids])


def _best_epochs_rates(history: dict) -> list[float]:
    """The learning rate of each epoch up to the one whose weights early stopping kept (the
    lowest validation loss): the schedule a cross-fitted copy replays."""
    last = _last_stage(history)
    rates = last.get("learning_rate") or [1e-3] * len(last["val_loss"])
    return [float(r) for r in rates[:int(np.nanargmin(last["val_loss"])) + 1]]


def _last_stage(history: dict) -> dict:
    """The epochs of the last training stage (fine-tuning has two: probe, then everything)."""
    stages = history.get("stage")
    if not stages:
        return history
    return {k: [v for v, s in zip(vals, stages) if s == stages[-1]] for k, vals in history.items()}


def _transfer_inputs(name: str, paths, model: str, progress: bool) -> dict[str, dict] | None:
    """What a musicnn run reads besides the usual features, per path (None for other runs).

    The probe: ``{"musicnn": [n_patches, 1506]}`` from the cached embeddings; fine-tuning:
    ``{"musicnn_patches": [n_patches, 187, 96]}``, the log-mel patches themselves.
    """
    if name == "musicnn":
        return {p: {pretrained.FEATURE: v}
                for p, v in novelty_vectors(paths, model=model, progress=progress).items()}
    if name == "musicnn_ft":
        return {p: {pretrained.PATCHES: M}
                for p, M in pretrained.patch_spectrograms(paths, progress=progress).items()}
    return None


CROSS_FIT_MODELS = ("musicnn",)   # deep models cheap enough to train again once per fold
MIN_CROSS_FIT_TRACKS = 4           # per genre, over training + validation


def _fit_ensemble(prepared: segments.Prepared, name: str, deep_val: tuple[list, np.ndarray],
                  fitted: _FittedTracks, seed: int, **fit_kwargs):
    """The ensemble's classical half and the deep model's weight, chosen on held-out tracks.

    A probe on cached embeddings (``CROSS_FIT_MODELS``) is cheap to train again, so it
    is *cross-fitted*: the training and validation tracks are cut into folds
    (:func:`data.track_folds`, artists kept together), a probe and the statistics SVMs
    are trained on all folds but one and predict that one, and the weight is fitted on
    these out-of-fold predictions for every non-test track. Each fold's probe replays the
    epochs and learning rates that early stopping chose for the run's own probe
    (``fit_kwargs["learning_rates"]``).
    A network trained from scratch would take as long again per fold on a CPU, so its
    held-out predictions are the validation tracks' (``deep_val``: their ids and track
    probabilities; :func:`classical.choose_ensemble_weight` says what the rule does with
    few of them).

    Returns
    -------
    (StatsModel, dict, np.ndarray, np.ndarray, str)
        The statistics model (fitted on training + validation tracks), the config entries
        (``ensemble_weight``, ``ensemble_rule``, ``ensemble_held_out``), the ensemble's
        held-out probabilities with their labels, and a description of those tracks.
    """
    table, feats, labels, folds = fitted.table, fitted.feats, fitted.labels, None
    if (name in CROSS_FIT_MODELS and
            np.bincount(labels, minlength=len(prepared.genres)).min() >= MIN_CROSS_FIT_TRACKS):
        folds = fitted.folds
        deep = _cross_fit_deep(name, prepared, table["track_id"].tolist(), folds, seed=seed,
                               **fit_kwargs)
        stats_model, weight, rule, held = classical.fit_stats_half(deep, feats, labels,
                                                                   folds=folds, seed=seed)
        held_labels, source = labels, (f"out-of-fold predictions for the {len(labels)} "
                                       f"training and validation tracks ({len(folds)} folds)")
    else:
        val = np.flatnonzero(table["track_id"].isin(set(prepared.split.val["track_id"])))
        ids, deep = deep_val
        deep = deep[[ids.index(t) for t in table["track_id"].iloc[val]]]
        stats_model, weight, rule, held = classical.fit_stats_half(deep, feats, labels,
                                                                   held=val, seed=seed)
        held_labels, source = labels[val], f"the {len(val)} validation tracks"
    logger.info("deep model's weight in the ensemble: %.2f (%s)", weight, rule)
    info = {"ensemble_weight": weight, "ensemble_rule": rule,
            "ensemble_held_out": {"tracks": int(len(held_labels)),
                                  "folds": None if folds is None else len(folds)}}
    return stats_model, info, held, held_labels, source


def _cross_fit_folds(table: pd.DataFrame, labels: np.ndarray, seed: int) -> list[tuple]:
    """Cross-fitting folds over ``table``, artists kept together when there are enough
    artists and every fold still has 2 tracks of each genre to fit on; else by track (a genre
    whose tracks are by one or two artists would be missing from a fold), which the log says."""
    n = classical.cross_fit_fold_count(labels)
    enough = lambda fs: all(np.bincount(labels[fit], minlength=labels.max() + 1).min() >= 2
                            for fit, _ in fs)
    try:
        folds = data.track_folds(table, n, seed=seed)
    except ValueError:   # fewer artists than folds
        folds = None
    if folds is None or not enough(folds):
        logger.warning("cross-fitting by artist would leave a genre with fewer than 2 tracks "
                       "to fit on (its tracks are by few artists): the folds split tracks "
                       "instead, so an artist can be on both sides of one")
        folds = data.track_folds(table.assign(artist=None), n, seed=seed)
    return folds


def _cross_fit_deep(name: str, prepared: segments.Prepared, track_ids: list, folds, *,
                    seed: int, model_kwargs: dict, learning_rates: list[float],
                    batch_size: int, augment) -> np.ndarray:
    """Out-of-fold track probabilities of the deep model ``name`` over ``track_ids`` (the
    training and validation tracks, in that order), one model per fold of ``folds``.

    Each fold's model is normalised on its own training segments and trained with the
    run's ``learning_rates``, one epoch each (no validation to stop on: every track is
    either fitted or held out).
    """
    seg = segments.Segments.concat([prepared.train, prepared.val])
    out = np.zeros((len(track_ids), len(prepared.genres)))
    for k, (fit, held) in enumerate(folds):
        in_fit = np.isin(seg.track_ids, [track_ids[i] for i in fit])
        norm = segments.norm_stats(seg.take(in_fit))
        part = lambda mask: segments.Segments(segments.normalise(seg.take(mask).X, norm),
                                              seg.labels[mask], seg.track_ids[mask])
        keras.backend.clear_session()
        runtime.set_seed(seed + k + 1)
        model = models.build_model(name, prepared.shapes(), len(prepared.genres), **model_kwargs)
        train.fit_epochs(model, part(in_fit), len(prepared.genres), model_name=name,
                         learning_rates=learning_rates, batch_size=batch_size, augment=augment,
                         seed=seed + k + 1)
        held_seg = part(~in_fit)
        ids, probs = segments.mean_per_track(
            models.predict_segments(model, name, held_seg.X), held_seg.track_ids)
        out[[track_ids.index(t) for t in ids]] = probs
    return out


# --------------------------------------------------------------------------- predicting
# Said once wherever a run trained on the synthetic set predicts other audio (BENCHMARKS.md,
# "Synthetic -> real" and "The unsure flag": the lessons' CNN run named 5 of the 14 real GTZAN
# clips, runs trained on 70 synthetic clips 3 to 8).
SYNTHETIC_DOMAIN_NOTE = (
    "This run was trained on the course's synthetic set. On real recordings such runs are close "
    "to chance: the lessons' CNN run names 5 of the 14 real GTZAN clips the course tests with, "
    "and smaller synthetic runs 3 to 8 (BENCHMARKS.md). For real music, ask musicnn "
    "(`python -m course_utils tags FILE`: its tags and zero-shot genre, trained on real "
    "recordings) or train a run on real music (`train --dataset FOLDER --model musicnn`).")

@dataclass
class Predictions:
    """What a run says about a set of tracks, part by part, in the order asked.

    ``probs`` is the run's answer: the ensemble when the run has a statistics
    model, else ``deep_probs``. ``stats_probs`` and ``baseline`` are ``None``
    for a run trained without the ensemble.
    """

    track_ids: list
    probs: np.ndarray          # [shape=(n_tracks, n_genres)]
    deep_probs: np.ndarray     # mean segment probability [shape=(n_tracks, n_genres)]
    seg_probs: np.ndarray      # [shape=(n_segments, n_genres)]
    seg_track_ids: np.ndarray  # the track of each segment [shape=(n_segments,)]
    stats_probs: np.ndarray | None = None   # the statistics SVMs alone
    baseline: np.ndarray | None = None      # the track-statistics SVM's own decision
    novelty: np.ndarray | None = None       # distance from the training music (classical.Novelty)


@dataclass
class Run:
    """A loaded run: its folder, configuration, Keras model and optional statistics model."""

    path: Path
    config: dict
    model: keras.Model
    stats_model: classical.StatsModel | None = None
    novelty: classical.Novelty | None = None

    @property
    def genres(self) -> list[str]:
        return self.config["genres"]

    def predict(self, feats: Sequence[dict[str, np.ndarray]],
                track_ids: Sequence | None = None) -> Predictions:
        """Predict tracks from their features (:func:`features.track_features`), batched.

        Parameters
        ----------
        feats : sequence of dict
            One feature dict per track, un-normalised.
        track_ids : sequence, optional
            A name per track (default ``0, 1, ...``); names must be unique.
        """
        track_ids = list(range(len(feats)) if track_ids is None else track_ids)
        if len(set(track_ids)) != len(track_ids) or len(track_ids) != len(feats):
            raise ParameterError(f"Run.predict needs one unique track id per feature dict, "
                                 f"got {len(track_ids)} ids for {len(feats)} tracks.")
        inputs = self.config["inputs"]
        parts = [segments.segment_track(f, inputs) for f in feats]
        X = {k: np.concatenate([p[k] for p in parts]) for k in inputs}
        seg_probs = models.predict_segments(self.model, self.config["model"],
                                            segments.normalise(X, self.config["norm"]))
        seg_ids = np.repeat(np.asarray(track_ids, dtype=object),
                            [len(p[inputs[0]]) for p in parts])
        _, deep = segments.mean_per_track(seg_probs, seg_ids)
        result = Predictions(track_ids, deep, deep, seg_probs, seg_ids)
        if self.stats_model is not None:
            w = self.config.get("ensemble_weight", 1.0)
            result.stats_probs = self.stats_model.predict_proba(feats, n_genres=len(self.genres))
            result.baseline = self.stats_model.predict_baseline(feats)
            result.probs = w * deep + (1 - w) * result.stats_probs
        key = self.novelty_key
        if key is not None and all(key in f for f in feats):
            result.novelty = self.novelty.track_distance([f[key] for f in feats])
        return result

    @property
    def novelty_key(self) -> str | None:
        """The feature the novelty test reads (``pretrained.NOVELTY`` or ``"stats"``), or
        ``None`` for a run without the test. :meth:`track_features` and :meth:`predict_table`
        add musicnn's; :meth:`predict` measures no distance when the features lack it."""
        if self.novelty is None:
            return None
        space = self.config.get("novelty", {}).get("space", "stats")   # runs before format 5
        return pretrained.NOVELTY if space == "musicnn" else "stats"

    def unsure_reasons(self, pred: Predictions) -> list[str | None]:
        """Why each track of ``pred`` is flagged "unsure" (``None``: it is not).

        Two tests, each chosen at training time on held-out tracks (``config.json``):
        ``"low confidence"`` when the top probability is below ``unsure.threshold``, and
        ``"unlike the training music"`` when the track's statistics lie farther from the
        training tracks' than ``novelty.threshold`` (:class:`classical.Novelty`, in the space
        ``novelty.space``, :data:`NOVELTY_SPACES`). A run
        without them flags nothing (every entry ``None``).
        """
        low = np.zeros(len(pred.probs), bool)
        if "unsure" in self.config:
            low = pred.probs.max(axis=1) < self.config["unsure"]["threshold"]
        far = np.zeros(len(pred.probs), bool)
        if pred.novelty is not None and "novelty" in self.config:
            far = pred.novelty > self.config["novelty"]["threshold"]
        return ["; ".join(r for r, on in (("low confidence", lo), ("unlike the training music", fa))
                          if on) or None for lo, fa in zip(low, far)]

    def domain_note(self, path: str | os.PathLike) -> str | None:
        """What to know before trusting this run on ``path``: a note when a run trained on the
        synthetic set meets other audio (any file outside the synthetic sets), else ``None``."""
        if self.config.get("data_identity", {}).get("name") != "synthetic":
            return None
        where = Path(path).resolve()
        if any(where.is_relative_to(config.synthetic_dir(fast_profile=fast).resolve())
               for fast in (False, True)):
            return None
        return SYNTHETIC_DOMAIN_NOTE

    def embed(self, feats: Sequence[dict[str, np.ndarray]]) -> np.ndarray:
        """One vector per track: the network's penultimate layer (the input of its
        softmax), averaged over the track's segments ``[shape=(n_tracks, width)]``."""
        inputs = self.config["inputs"]
        parts = [segments.segment_track(f, inputs) for f in feats]
        X = segments.normalise({k: np.concatenate([p[k] for p in parts]) for k in inputs},
                               self.config["norm"])
        head = keras.Model(self.model.inputs, self.model.layers[-1].input)
        emb = models.predict_segments(head, self.config["model"], X)
        owner = np.repeat(np.arange(len(parts)), [len(p[inputs[0]]) for p in parts])
        return np.stack([emb[owner == i].mean(axis=0) for i in range(len(parts))])

    def track_features(self, y: np.ndarray, *, sr: int,
                       novelty: bool = True) -> dict[str, np.ndarray]:
        """Everything this run reads from one waveform (with musicnn's input, for musicnn,
        and, unless ``novelty=False``, the novelty test's musicnn vector)."""
        feats = features.track_features(y, sr=sr)
        embedded = {}
        if self.config["model"] == "musicnn":
            model = self.config["pretrained"]["model"]
            embedded[model] = pretrained.embed(y, sr=sr, model=model)
            feats[pretrained.FEATURE] = pretrained.patch_features(embedded[model])
        elif self.config["model"] == "musicnn_ft":
            feats[pretrained.PATCHES] = pretrained.patches(pretrained.logmel(y, sr=sr))
        if novelty and self.novelty_key == pretrained.NOVELTY:
            model = pretrained.DEFAULT_MODEL
            try:
                emb = embedded.get(model) or pretrained.embed(y, sr=sr, model=model)
                feats[pretrained.NOVELTY] = pretrained.patch_features(emb)
            except AudioDecodeError as err:   # shorter than musicnn's 3-s patch: not measured
                logger.info("no novelty distance: %s", err)
        return feats

    def predict_table(self, tracks: pd.DataFrame, *, progress: bool = True) -> Predictions:
        """Predict every track of a dataset table that has usable features (cached)."""
        feats = features.extract(tracks["path"], progress=progress).features
        extra = _transfer_inputs(self.config["model"], tracks["path"],
                                 self.config.get("pretrained", {}).get("model"), progress)
        if extra is not None:
            feats = {p: {**f, **extra[p]} for p, f in feats.items() if p in extra}
        if self.novelty_key == pretrained.NOVELTY:
            vectors = novelty_vectors(list(feats), progress=progress)
            feats = {p: {**f, pretrained.NOVELTY: vectors[p]} if p in vectors else f
                     for p, f in feats.items()}
        rows = [r for r in tracks.itertuples() if r.path in feats]
        return self.predict([feats[r.path] for r in rows], [r.track_id for r in rows])


def load_run(path: str | os.PathLike) -> Run:
    """Load a run folder, refusing one whose feature settings differ from the code's.

    Raises
    ------
    DataNotFoundError
        If the folder or its model is missing.
    RunMismatchError
        If ``config.json``'s feature parameters differ from ``config.feature_params()``
        (the message lists each difference), the run was saved by a newer Keras
        than the one installed, or it was saved in the old format with a pickled
        statistics model, which is never opened.
    CourseError
        If the statistics model holds types that could run code.
    """
    path = Path(path)
    cfg_file = path / "config.json"
    if not cfg_file.exists():
        raise DataNotFoundError(
            f"{path} is not a run folder: {cfg_file} is missing. Train one with "
            "`python -m course_utils train --model cnn --out DIR`.")
    cfg = json.loads(cfg_file.read_text())
    current = config.feature_params()
    diffs = [f"{k}: run has {cfg['features'].get(k)!r}, code has {v!r}"
             for k, v in current.items() if cfg["features"].get(k) != v]
    if diffs:
        raise RunMismatchError(
            f"{path} was trained with other feature settings ({'; '.join(diffs)}). "
            "Its inputs would not match: retrain it with the current code, or restore "
            "those values in course_utils/config.py.")
    _check_keras(path, cfg)
    weights = cfg.get("pretrained", {})
    if weights and weights["weights_sha256"] != pretrained.WEIGHTS_SHA256.get(weights["model"]):
        raise RunMismatchError(
            f"{path} was trained on embeddings of other {weights['model']} weights than the "
            "ones installed, so its probe would read other features. Retrain it with "
            f"`python -m course_utils train --model musicnn ... --out {path} --overwrite`.")
    if (path / "stats_model.pkl").exists():
        raise RunMismatchError(
            f"{path} was saved by an older version of the course, with its statistics model as "
            "a pickle (stats_model.pkl), and opening a pickle can run code, so it is not "
            f"loaded. Retrain it: `python -m course_utils train ... --out {path} --overwrite` "
            "(the lessons' ensure_run does this by itself).")
    model = keras.models.load_model(path / "model.keras")
    stats, novelty = path / STATS_FILE, path / NOVELTY_FILE
    return Run(path, cfg, model, classical.StatsModel.load(stats) if stats.exists() else None,
               classical.Novelty.load(novelty) if novelty.exists() else None)


def _check_keras(path: Path, cfg: dict) -> None:
    """Refuse a run saved by a newer Keras: its model file may use what this one lacks."""
    saved, here = cfg.get("versions", {}).get("keras"), runtime.version_of("keras")
    if saved and here and Version(saved) > Version(here):
        raise RunMismatchError(
            f"{path} was saved by Keras {saved}, newer than the Keras {here} installed here, "
            f"which may not read it. Upgrade Keras (`pip install \"keras>={saved}\"`) or "
            "retrain the run with this one.")


def predict_file(run: Run | str | os.PathLike, path: str | os.PathLike, *,
                 top_k: int = 3, segments: bool = False) -> dict:
    """Predict the genre of any audio file with exactly the run's feature pipeline.

    The file may have any length of at least one segment, any sample rate, and
    be stereo (it is downmixed and resampled like the training data).

    Returns
    -------
    dict
        ``{"file", "top": [{"genre", "probability"}, ...], "unsure", "unsure_reason", "note"}``
        plus, with ``segments=True``, ``"segments"``: one ``{genre: probability}`` per segment.
        ``unsure`` is whether the run flags the answer (:meth:`Run.unsure_reasons`: a top
        probability below its threshold, or music unlike its training tracks), ``None`` for a
        run without a threshold; ``unsure_reason`` says why. ``note`` is
        :meth:`Run.domain_note`: what a synthetic-trained run is worth on other audio, or ``None``.

    Raises
    ------
    AudioDecodeError
        For a corrupt, empty, silent, too-short or non-audio file (named).
    """
    run = run if isinstance(run, Run) else load_run(run)
    top_k = min(_validate.positive_int(top_k, "top_k"), len(run.genres))
    y, sr = audio.load(path)
    pred = run.predict([run.track_features(y, sr=sr)])
    probs = pred.probs[0]
    order = np.argsort(probs)[::-1][:top_k]
    reason = run.unsure_reasons(pred)[0]
    result = {"file": str(path),
              "top": [{"genre": run.genres[i], "probability": float(probs[i])} for i in order],
              "unsure": None if "unsure" not in run.config else reason is not None,
              "unsure_reason": reason, "note": run.domain_note(path)}
    if segments:
        result["segments"] = [{g: float(p) for g, p in zip(run.genres, sp)}
                              for sp in pred.seg_probs]
    return result


def predict_folder(folder: str | os.PathLike, predict) -> tuple[pd.DataFrame, dict[str, str]]:
    """Apply ``predict(path)`` (e.g. ``lambda p: predict_file(run, p)``) to every audio file under
    ``folder``, sub-folders included, in sorted order; a bad file is reported, not fatal.

    Only the course's errors (:class:`CourseError`: corrupt, empty, silent, too short) mark a
    file as bad; they are logged and collected, and the other files are still predicted. Any
    other exception is a bug and propagates.

    Returns
    -------
    table : pd.DataFrame
        One row per file that worked: ``file`` (name), ``genre`` and ``probability`` (the best
        guess of ``result["top"]``).
    errors : dict
        ``{file name: error message}`` of the files that failed.

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder (named).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder. Check the path.")
    rows, errors = [], {}
    for path in audio.audio_files(folder):
        try:
            best = predict(path)["top"][0]
        except CourseError as err:
            errors[path.name] = str(err)
            logger.warning("skipped %s: %s", path.name, err)
            continue
        rows.append({"file": path.name, "genre": best["genre"], "probability": best["probability"]})
    return pd.DataFrame(rows, columns=["file", "genre", "probability"]), errors
