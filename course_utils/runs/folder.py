"""The run folder: its format, loading it back, and predicting with it.

``load_run`` reads a run folder, refusing one whose feature settings differ from the
code's; ``Run.predict`` is the one prediction path (per-track features to segment, network,
statistics and ensemble probabilities, and the "unsure" tests); ``predict_file`` and
``predict_folder`` apply it to audio files.
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

from .. import (_validate, audio, classical, config, features, models, pretrained, runtime,
               segments)
from ..exceptions import (AudioDecodeError, CourseError, DataNotFoundError, ParameterError,
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


def novelty_vectors(paths: Sequence, *, model: str = pretrained.DEFAULT_MODEL,
                    progress: bool = True) -> dict[str, np.ndarray]:
    """``{path: [shape=(n_patches, 1506)]}``: musicnn's ``[max_pool, mean_pool]`` per patch
    (:func:`pretrained.patch_features`) from the cached embeddings. With the default model it
    is the novelty space (``NOVELTY_SPACES["musicnn"]``); a probe reads the same of its own
    model. Files musicnn cannot read are logged and left out."""
    embedded = pretrained.embed_files(paths, model=model, progress=progress)
    return {p: pretrained.patch_features(e) for p, e in embedded.items()}


def transfer_inputs(name: str, paths, model: str, progress: bool) -> dict[str, dict] | None:
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
        extra = transfer_inputs(self.config["model"], tracks["path"],
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
