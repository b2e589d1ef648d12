"""Training a run end to end: prepare the data, fit the network, fit the ensemble's
classical half and the "unsure" rules, and write a self-describing run folder.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Sequence

import keras
import numpy as np
import pandas as pd

from .. import _validate, classical, config, data, models, pretrained, runtime, segments, train
from ..exceptions import ParameterError
from .ensemble import FittedTracks, fit_ensemble
from .folder import NOVELTY_FILE, NOVELTY_SPACES, RUN_FORMAT, STATS_FILE, transfer_inputs

logger = logging.getLogger("course_utils")


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
    extra = transfer_inputs(name, tracks["path"], pretrained_model, progress)
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
        "train_hop": prepared.train_hop, "train_segments": len(prepared.train),
        "epochs_run": len(history.history["loss"]),
        "epoch_seconds": float(np.median(_last_stage(history.history)["epoch_seconds"])),
        "fit_accuracy": _fit_accuracy(model, name, prepared),
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
    fitted = FittedTracks.of(prepared, seed)   # training + validation tracks, their folds
    if ensemble:
        stats_model, ensemble_info, held, held_labels, held_source = fit_ensemble(
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


def _fit_accuracy(model, name: str, prepared: segments.Prepared) -> dict:
    """Segment accuracy of the kept weights on the training tracks' own segments (no copies,
    no augmentation, no dropout) and on the validation segments: their difference is how much
    the network fits its training music better than new music, whatever its loss adds."""
    own = prepared.train.take(slice(0, prepared.originals))
    return {side: float((models.predict_segments(model, name, seg.X).argmax(1)
                         == seg.labels).mean()) for side, seg in (("train", own),
                                                                  ("val", prepared.val))}


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
