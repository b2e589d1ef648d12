"""Training: seeding, segment batches from the feature cache, augmentation, fit, runs.

``prepare`` turns a dataset and a track split into normalised segment arrays;
``fit`` trains a model with early stopping on *validation* (never test);
``train_run`` does both and saves a self-describing run folder that
``load_run`` checks against the code. Introduced in 03_cnn.
"""
from __future__ import annotations

import json
import logging
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import keras
import numpy as np
import pandas as pd

from . import _validate, config, data, features, models
from .exceptions import DataNotFoundError, ParameterError, RunMismatchError

logger = logging.getLogger("course_utils")

AUGMENTS = ("specaugment", "mixup", "pitch", "stretch")
DEFAULT_AUGMENT = ("specaugment", "mixup")
WAVEFORM_AUGMENTS = {"pitch": (-2.0, 2.0), "stretch": (0.9, 1.1)}   # semitones, speed
MIN_VAL_TRACKS_PER_GENRE = 10      # fewer: the ensemble weight is fixed, not fitted
ENSEMBLE_DEEP_WEIGHT_SMALL = 0.25  # the deep model's share then
MIN_TRAIN_SEGMENTS = 2000   # fewer training segments than this: cut overlapping ones
MIN_HOP = 32                # frames (0.74 s): the densest overlap used


def waveform_amounts(kind: str) -> tuple[float, ...]:
    """The shifted copies made for ``kind``: both directions, or one in FAST mode.

    Each copy is a full pass of pitch shifting or time stretching and feature
    extraction over the training tracks, so FAST mode keeps one per kind.
    """
    amounts = WAVEFORM_AUGMENTS.get(kind, ())
    return amounts[1:] if config.fast() else amounts


def set_seed(seed: int = config.SEED, *, deterministic: bool = False) -> None:
    """Seed Python, NumPy and the Keras backend (``keras.utils.set_random_seed``).

    ``deterministic=True`` also asks TensorFlow for deterministic kernels
    (``enable_op_determinism``): identical results run to run, at a cost of
    roughly 10-30 % speed on a CPU and more on a GPU, where some ops have no
    deterministic version and then raise.
    """
    keras.utils.set_random_seed(int(seed))
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf
        tf.config.experimental.enable_op_determinism()


def gpu_available() -> bool:
    """True when the Keras backend sees a GPU."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf
        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax
        return any(d.platform == "gpu" for d in jax.devices())
    if backend == "torch":
        import torch
        return torch.cuda.is_available()
    return False


def parse_augment(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """Parse ``"specaugment,mixup"`` (or ``"none"``) into a checked tuple."""
    if spec is None:
        return DEFAULT_AUGMENT
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [s for s in items if s and s != "none"]
    for item in items:
        _validate.one_of(item, AUGMENTS, "augment")
    return tuple(dict.fromkeys(items))


# --------------------------------------------------------------------------- arrays
@dataclass
class Segments:
    """Segments of a set of tracks: inputs, integer labels and the track of each."""

    X: dict[str, np.ndarray]
    labels: np.ndarray
    track_ids: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, index) -> "Segments":
        return Segments({k: v[index] for k, v in self.X.items()}, self.labels[index],
                        self.track_ids[index])

    @staticmethod
    def concat(parts: Sequence["Segments"]) -> "Segments":
        return Segments({k: np.concatenate([p.X[k] for p in parts]) for k in parts[0].X},
                        np.concatenate([p.labels for p in parts]),
                        np.concatenate([p.track_ids for p in parts]))


def segment_track(feats: dict[str, np.ndarray], inputs: Sequence[str], *,
                  hop: int | None = None) -> dict[str, np.ndarray]:
    """Cut one track's features into model inputs.

    ``hop`` (frames) below the segment length makes segments overlap; ``None``
    cuts them back to back. Returns ``{"logmel": (n, n_mels, 130, 1),
    "mfcc": (n, 130, 60)}`` for the inputs asked.
    """
    out = {}
    if "logmel" in inputs:
        out["logmel"] = features.segment_features(feats["logmel"], hop=hop)[..., None]
    if "mfcc" in inputs:
        out["mfcc"] = features.segment_features(feats["mfcc"], hop=hop).transpose(0, 2, 1)
    return out


def training_hop(n_segments: int) -> int | None:
    """The hop between *training* segments: overlapping ones when data is scarce.

    A training set of fewer than ``MIN_TRAIN_SEGMENTS`` back-to-back segments is
    cut again with overlapping windows (the hop shrinks with the set, down to
    ``MIN_HOP`` frames, about 0.75 s), which gives the network shifted views of
    the same music: on 10 clips per genre this lifted a CNN's track accuracy by
    about 10 points (BENCHMARKS.md). Larger sets keep back-to-back segments.
    Validation and test segments never overlap.

    Examples
    --------
    >>> training_hop(5000) is None, training_hop(1000), training_hop(300)
    (True, 64, 32)
    """
    if n_segments >= MIN_TRAIN_SEGMENTS:
        return None
    step = config.segment_frames() - 1
    return max(MIN_HOP, int(step * n_segments / MIN_TRAIN_SEGMENTS))


def segments_of(tracks: pd.DataFrame, fs: features.FeatureSet, *, genres: Sequence[str],
                inputs: Sequence[str], hop: int | None = None) -> Segments:
    """Segment every track of ``tracks`` that has features in ``fs``."""
    parts = []
    for row in tracks.itertuples():
        if row.path not in fs.features:
            continue
        X = segment_track(fs.features[row.path], inputs, hop=hop)
        n = len(next(iter(X.values())))
        parts.append(Segments(X, np.full(n, genres.index(row.genre)), np.full(n, row.track_id)))
    if not parts:
        raise ParameterError("No segments: none of the given tracks has usable features.")
    return Segments.concat(parts)


@dataclass
class Prepared:
    """Normalised train/val/test segments plus what is needed to reproduce them."""

    train: Segments
    val: Segments
    test: Segments
    split: data.Split
    genres: list[str]
    inputs: tuple[str, ...]
    norm: dict = field(default_factory=dict)
    tracks: pd.DataFrame | None = None
    train_hop: int | None = None

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {k: v.shape[1:] for k, v in self.train.X.items()}


def norm_stats(seg: Segments) -> dict[str, dict[str, list[float]]]:
    """Per-band (log-mel) or per-coefficient (MFCC) mean and std of training segments."""
    stats = {}
    for name, X in seg.X.items():
        axes = (0, 2, 3) if name == "logmel" else (0, 1)
        stats[name] = {"mean": X.mean(axis=axes, dtype=np.float64).tolist(),
                       "std": (X.std(axis=axes, dtype=np.float64) + 1e-6).tolist()}
    return stats


def normalise(X: dict[str, np.ndarray], norm: dict) -> dict[str, np.ndarray]:
    """Apply saved statistics: ``(X - mean) / std`` per band, as float32."""
    out = {}
    for name, value in X.items():
        mean, std = (np.asarray(norm[name][k], dtype=np.float32) for k in ("mean", "std"))
        shape = (-1, 1, 1) if name == "logmel" else (-1,)
        out[name] = ((value.astype(np.float32) - mean.reshape(shape)) / std.reshape(shape))
    return out


def prepare(dataset=None, *, split: str = "random", seed: int = config.SEED,
            inputs: Sequence[str] = ("logmel", "mfcc"), augment: Sequence[str] = (),
            folds: int = 5, fold: int = 0, val_size: float = 0.15, test_size: float = 0.15,
            tracks: pd.DataFrame | None = None, overlap: bool = True,
            progress: bool = True) -> Prepared:
    """Load, split by track, extract (cached), segment and normalise.

    Normalisation statistics come from the training tracks only. Waveform
    augmentations (``"pitch"``, ``"stretch"`` in ``augment``) add precomputed,
    cached shifted copies of the **training** tracks. With ``overlap`` (the
    default) a small training set is cut into overlapping segments
    (:func:`training_hop`). With
    ``split="segment-random"`` the segments of all tracks are shuffled and cut
    70/15/15: the leaky protocol of the leakage lesson.

    Returns
    -------
    Prepared
    """
    tracks = data.load_dataset(dataset, progress=progress) if tracks is None else tracks
    genres = list(tracks.attrs.get("genres") or sorted(tracks["genre"].unique()))
    sp = data.split_tracks(tracks, method=split, seed=seed, folds=folds, fold=fold,
                           val_size=val_size, test_size=test_size)
    fs = features.extract(tracks["path"], progress=progress)
    seg = lambda t, f=fs: segments_of(t, f, genres=genres, inputs=inputs)
    if split == "segment-random":
        everything = seg(tracks)
        order = np.random.default_rng(seed).permutation(len(everything))
        n_test = n_val = int(round(0.15 * len(order)))
        parts = [everything.take(np.sort(i)) for i in
                 (order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test])]
        hop = None
    else:
        parts = [seg(sp.train), seg(sp.val), seg(sp.test)]
        hop = training_hop(len(parts[0])) if overlap else None
        if hop is not None:
            parts[0] = segments_of(sp.train, fs, genres=genres, inputs=inputs, hop=hop)
            logger.info("small training set: overlapping training segments, hop %d frames "
                        "(%d segments)", hop, len(parts[0]))
    extra = []
    for kind in augment:
        for amount in waveform_amounts(kind):
            shifted = features.extract(sp.train["path"], augment=(kind, amount), progress=progress)
            extra.append(segments_of(sp.train, shifted, genres=genres, inputs=inputs, hop=hop))
    norm = norm_stats(parts[0])
    train, val, test = (Segments(normalise(p.X, norm), p.labels, p.track_ids)
                        for p in [Segments.concat([parts[0], *extra]), *parts[1:]])
    return Prepared(train, val, test, sp, genres, tuple(inputs), norm, tracks, hop)


# --------------------------------------------------------------------------- batches
def spec_augment(X: np.ndarray, rng: np.random.Generator, *, freq_width: int = 12,
                 time_width: int = 16, n_masks: int = 2) -> np.ndarray:
    """SpecAugment: zero ``n_masks`` random frequency bands and time spans per example.

    ``X`` is normalised, so 0 is the mean. Works on ``(n, bands, t, 1)`` and,
    with time masks only, on ``(n, t, coefficients)``.
    """
    X = X.copy()
    time_axis = 2 if X.ndim == 4 else 1
    for i in range(len(X)):
        for _ in range(n_masks):
            t0, w = rng.integers(X.shape[time_axis]), rng.integers(1, time_width + 1)
            if X.ndim == 4:
                X[i, :, t0:t0 + w] = 0
                f0, h = rng.integers(X.shape[1]), rng.integers(1, freq_width + 1)
                X[i, f0:f0 + h] = 0
            else:
                X[i, t0:t0 + w] = 0
    return X


class Batches(keras.utils.PyDataset):
    """Seeded, shuffled training batches with SpecAugment and mixup on the fly."""

    def __init__(self, seg: Segments, num_classes: int, *, model_name: str,
                 batch_size: int = 32, augment: Sequence[str] = (), seed: int = config.SEED):
        super().__init__()
        self.seg, self.num_classes, self.batch_size = seg, num_classes, batch_size
        self.model_name = model_name
        self.augment, self.rng = set(augment), np.random.default_rng(seed)
        self.order = self.rng.permutation(len(seg))

    def __len__(self) -> int:
        return int(np.ceil(len(self.seg) / self.batch_size))

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.seg))

    def __getitem__(self, i: int):
        idx = np.sort(self.order[i * self.batch_size:(i + 1) * self.batch_size])
        X = {k: v[idx] for k, v in self.seg.X.items()}
        targets = np.eye(self.num_classes, dtype=np.float32)[self.seg.labels[idx]]
        if "specaugment" in self.augment:
            X = {k: spec_augment(v, self.rng) for k, v in X.items()}
        if "mixup" in self.augment and len(idx) > 1:
            lam = self.rng.beta(0.2, 0.2, size=len(idx)).astype(np.float32)
            perm = self.rng.permutation(len(idx))
            mix = lambda A, lam_: lam_ * A + (1 - lam_) * A[perm]
            X = {k: mix(v, lam.reshape((-1,) + (1,) * (v.ndim - 1))) for k, v in X.items()}
            targets = mix(targets, lam[:, None])
        return models.select_inputs(self.model_name, X), targets


# --------------------------------------------------------------------------- fit
def compile_for_training(model: keras.Model, *, learning_rate: float = 1e-3,
                         jit: bool | str = "auto") -> keras.Model:
    """Adam + categorical cross-entropy (soft targets allow mixup) + accuracy."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"], jit_compile=jit)
    return model


def default_epochs() -> int:
    """Epoch budget: 12 in FAST mode, 40 otherwise (early stopping usually ends sooner)."""
    return 12 if config.fast() else 40


def fit(model: keras.Model, prepared: Prepared, *, model_name: str, epochs: int | None = None,
        batch_size: int = 32, augment: Sequence[str] = DEFAULT_AUGMENT,
        learning_rate: float = 1e-3, patience: int = 6, class_weight: dict | None = None,
        checkpoint: str | os.PathLike | None = None, seed: int = config.SEED,
        verbose: int | str = "auto") -> keras.callbacks.History:
    """Train ``model`` on ``prepared.train``; choose the best epoch on validation.

    Early stopping and the optional best checkpoint watch ``val_loss`` (never the
    test set); the learning rate halves when validation stalls. Keras prints its
    progress bars. ``history.history["epoch_seconds"]`` holds wall time per epoch.

    Parameters
    ----------
    model : keras.Model
        Uncompiled or compiled; it is (re)compiled by :func:`compile_for_training`.
    prepared : Prepared
    model_name : str
        A key of ``models.MODEL_INPUTS``: which inputs to feed.
    class_weight : dict or None
        ``{class index: weight}``, or ``"balanced"`` to weight by inverse frequency.

    Returns
    -------
    keras.callbacks.History
    """
    epochs = _validate.positive_int(epochs or default_epochs(), "epochs")
    if class_weight == "balanced":
        counts = np.bincount(prepared.train.labels, minlength=len(prepared.genres))
        class_weight = {i: len(prepared.train.labels) / (len(counts) * max(c, 1))
                        for i, c in enumerate(counts)}
    if not model.compiled:
        compile_for_training(model, learning_rate=learning_rate)
    batches = Batches(prepared.train, len(prepared.genres), model_name=model_name,
                      batch_size=batch_size, augment=augment, seed=seed)
    val_X = models.select_inputs(model_name, prepared.val.X)
    val_targets = np.eye(len(prepared.genres), dtype=np.float32)[prepared.val.labels]
    timer = _EpochTimer()
    callbacks = [keras.callbacks.EarlyStopping("val_loss", patience=patience,
                                               restore_best_weights=True),
                 keras.callbacks.ReduceLROnPlateau("val_loss", factor=0.5,
                                                   patience=max(2, patience // 2)), timer]
    if checkpoint:
        callbacks.append(keras.callbacks.ModelCheckpoint(str(checkpoint), monitor="val_loss",
                                                         save_best_only=True))
    history = model.fit(batches, validation_data=(val_X, val_targets), epochs=epochs,
                        callbacks=callbacks, class_weight=class_weight, verbose=verbose)
    history.history["epoch_seconds"] = timer.seconds
    return history


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


# --------------------------------------------------------------------------- statistics model
def fit_stats_model(X_stats: np.ndarray, labels: np.ndarray, *, seed: int = config.SEED):
    """The classical baseline: an RBF SVM on standardised per-track statistics.

    Parameters
    ----------
    X_stats : np.ndarray [shape=(n_tracks, len(features.STAT_NAMES))]
    labels : np.ndarray [shape=(n_tracks,)]

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``StandardScaler -> SVC`` with Platt-calibrated probabilities
        (``CalibratedClassifierCV``); ``predict_proba`` follows label order.
        :func:`svm_decision` gives the SVM's own decision.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    folds = int(max(2, min(3, np.bincount(labels).min())))   # Platt scaling on held-out folds
    svm = CalibratedClassifierCV(SVC(C=10, gamma="scale", random_state=seed), cv=folds,
                                 ensemble=False)
    model = make_pipeline(StandardScaler(), svm)
    return model.fit(X_stats, labels)


def svm_decision(model, X_stats: np.ndarray) -> np.ndarray:
    """The label the SVM itself decides for each row (not the argmax of calibrated probabilities).

    With few tracks, Platt scaling is fitted on very few examples and its argmax
    can disagree with the SVM; the SVM's own decision is the fairer baseline.
    """
    svc = model[-1].calibrated_classifiers_[0].estimator   # fitted on all the data
    return svc.predict(model[:-1].transform(X_stats))


class StatsModel:
    """The classical half of the default ensemble: two SVMs on feature statistics.

    One SVM sees each track's ``"stats"`` vector (:func:`fit_stats_model`, the
    baseline); the other sees the statistics of every 3-second segment
    (:func:`features.segment_stats`), so a 20 s clip is six examples instead of
    one, and its segment probabilities are averaged per track. The two
    probability estimates are averaged.

    Examples
    --------
    >>> model = StatsModel(seed=0).fit(train_feats, train_labels)   # doctest: +SKIP
    >>> model.predict_proba(test_feats).shape                        # doctest: +SKIP
    (30, 10)
    """

    def __init__(self, *, seed: int = config.SEED):
        self.seed = seed
        self.track_svm = self.segment_svm = None

    def fit(self, feats: Sequence[dict[str, np.ndarray]], labels: Sequence[int]) -> "StatsModel":
        """Fit both SVMs on per-track feature dicts (``"stats"``, ``"mfcc"``, ...) and labels."""
        labels = np.asarray(labels)
        self.track_svm = fit_stats_model(self._stats(feats), labels, seed=self.seed)
        seg = [features.segment_stats(f) for f in feats]
        seg_labels = np.concatenate([np.full(len(x), y) for x, y in zip(seg, labels)])
        self.segment_svm = fit_stats_model(np.concatenate(seg), seg_labels, seed=self.seed)
        return self

    @staticmethod
    def _stats(feats) -> np.ndarray:
        return np.stack([f["stats"] for f in feats]).astype(np.float64)

    def predict_proba(self, feats: Sequence[dict[str, np.ndarray]]) -> np.ndarray:
        """Genre probabilities per track [shape=(n_tracks, n_genres)]."""
        seg = [features.segment_stats(f) for f in feats]
        seg_probs = np.split(self.segment_svm.predict_proba(np.concatenate(seg)),
                             np.cumsum([len(x) for x in seg])[:-1])
        by_segments = np.stack([p.mean(axis=0) for p in seg_probs])
        return (self.track_svm.predict_proba(self._stats(feats)) + by_segments) / 2

    def predict(self, feats: Sequence[dict[str, np.ndarray]]) -> np.ndarray:
        """The most probable genre index per track."""
        return self.predict_proba(feats).argmax(axis=1)

    def predict_baseline(self, feats: Sequence[dict[str, np.ndarray]]) -> np.ndarray:
        """The track-statistics SVM's own decision: the classical baseline alone."""
        return svm_decision(self.track_svm, self._stats(feats))


def track_stats(tracks: pd.DataFrame, fs: features.FeatureSet, genres: Sequence[str]):
    """Stack the ``stats`` vectors and integer labels of the tracks that have features."""
    rows = [r for r in tracks.itertuples() if r.path in fs.features]
    X = np.stack([fs.features[r.path]["stats"] for r in rows]).astype(np.float64)
    return X, np.array([list(genres).index(r.genre) for r in rows]), [r.track_id for r in rows]


# --------------------------------------------------------------------------- runs
def _versions() -> dict:
    import librosa, sklearn
    return {"python": platform.python_version(), "keras": keras.__version__,
            "backend": keras.backend.backend(), "librosa": librosa.__version__,
            "numpy": np.__version__, "scikit-learn": sklearn.__version__}


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
              val_size: float = 0.15, test_size: float = 0.15,
              epochs: int | None = None, seed: int = config.SEED,
              augment: Sequence[str] | str | None = None, batch_size: int = 32,
              ensemble: bool = True, overlap: bool = True, overwrite: bool = False,
              verbose: int | str = "auto",
              model_kwargs: dict | None = None, progress: bool = True) -> Path:
    """Train a model end to end and save a self-describing run folder.

    ``out`` receives ``model.keras``, ``config.json`` (feature parameters,
    segment length, normalisation statistics, genres, split, seed, versions),
    ``split.json``, ``history.csv`` and, with ``ensemble``, ``stats_model.pkl``:
    a :class:`StatsModel` (SVMs on track and segment statistics, fitted on the
    training and validation tracks) whose probabilities are averaged with the
    deep model's, weighted by :func:`choose_ensemble_weight`. Evaluate it with
    ``course_utils.evaluate.evaluate_run``.

    Parameters
    ----------
    model_name : {"cnn", "lstm", "hybrid", "crnn", "parallel"}
        ``"hybrid"`` means ``hybrid_kind``.
    val_size, test_size : float
        Fractions of the tracks for a ``"random"`` split (70/15/15 by default).
    overlap : bool
        Cut a small training set into overlapping segments (:func:`training_hop`).

    Returns
    -------
    Path
        The run folder.
    """
    name = hybrid_kind if model_name == "hybrid" else model_name
    _validate.one_of(name, tuple(models.MODEL_INPUTS), "model")
    augment = parse_augment(augment)
    out = check_out_dir(out, overwrite=overwrite)
    set_seed(seed)
    prepared = prepare(dataset, split=split, seed=seed, folds=folds, fold=fold,
                       val_size=val_size, test_size=test_size, overlap=overlap,
                       inputs=models.MODEL_INPUTS[name], augment=augment, progress=progress)
    if gpu_available():   # mixed precision and XLA: about 2-3x faster on a modern GPU
        keras.mixed_precision.set_global_policy("mixed_float16")
    keras.backend.clear_session()
    set_seed(seed)
    model = models.build_model(name, prepared.shapes(), len(prepared.genres),
                               **(model_kwargs or {}))
    compile_for_training(model, jit="auto")
    history = fit(model, prepared, model_name=name, epochs=epochs, batch_size=batch_size,
                  augment=augment, seed=seed, verbose=verbose)
    model.save(out / "model.keras")
    pd.DataFrame(history.history).rename_axis("epoch").to_csv(out / "history.csv")
    run_config = {
        "model": name, "model_kwargs": model_kwargs or {}, "inputs": list(prepared.inputs),
        "features": config.feature_params(), "segment_frames": config.segment_frames(),
        "norm": prepared.norm, "genres": prepared.genres,
        "dataset": str(dataset or config.default_dataset()),
        "split": {"method": split, "seed": seed, "folds": folds, "fold": fold,
                  "val_size": val_size, "test_size": test_size},
        "seed": seed, "augment": list(augment), "train_hop": prepared.train_hop,
        "epochs_run": len(history.history["loss"]),
        "epoch_seconds": float(np.median(history.history["epoch_seconds"])),
        "params": int(model.count_params()), "fast": config.fast(), "versions": _versions(),
        "ensemble_weight": 1.0,
    }
    if ensemble:
        run_config["ensemble_weight"], run_config["ensemble_rule"] = _fit_stats_half(
            out, model, prepared, name, seed)
    (out / "config.json").write_text(json.dumps(run_config, indent=1))
    (out / "split.json").write_text(json.dumps(prepared.split.ids(), indent=1))
    return out


def fit_ensemble_weight(deep: np.ndarray, stats: np.ndarray, labels: np.ndarray) -> float:
    """The deep model's weight in ``(1, 0.75, 0.5, 0.25, 0)`` that is best on held-out tracks.

    Best means the highest track accuracy of ``w * deep + (1 - w) * stats``,
    then the highest mean log-likelihood of the true genre.

    Examples
    --------
    >>> right = np.eye(2)[[0, 1, 0, 1]] * 0.8 + 0.1
    >>> fit_ensemble_weight(right, right[::-1], np.array([0, 1, 0, 1]))
    1.0
    """
    scores = {}
    for w in (1.0, 0.75, 0.5, 0.25, 0.0):
        p = w * deep + (1 - w) * stats
        scores[w] = ((p.argmax(1) == labels).mean(),
                     np.log(p[np.arange(len(labels)), labels] + 1e-9).mean())
    return max(scores, key=lambda w: scores[w])


def choose_ensemble_weight(deep: np.ndarray, stats: np.ndarray,
                           labels: np.ndarray) -> tuple[float, str]:
    """The deep model's weight in the ensemble, and the rule that gave it.

    With at least ``MIN_VAL_TRACKS_PER_GENRE`` validation tracks per genre, the
    weight is fitted on them (:func:`fit_ensemble_weight`). With fewer, a fitted
    weight is mostly noise, and biased too: the deep model chose its epoch on
    those same tracks, so it looks better there than it is. On 10 clips per
    genre (1.5 validation tracks per genre) fitted weights lost about 4.5 points
    of test accuracy against a fixed one (BENCHMARKS.md), so small sets get
    ``ENSEMBLE_DEEP_WEIGHT_SMALL``.

    Parameters
    ----------
    deep, stats : np.ndarray [shape=(n_val_tracks, n_genres)]
        Validation track probabilities of the deep model and of a
        :class:`StatsModel` fitted without the validation tracks.
    labels : np.ndarray [shape=(n_val_tracks,)]

    Examples
    --------
    >>> p = np.eye(2)[[0, 1, 0, 1]]
    >>> choose_ensemble_weight(p, p[::-1], np.array([0, 1, 0, 1]))
    (0.25, 'fixed: 2 validation tracks per genre are too few to fit it')
    """
    per_genre = len(labels) / deep.shape[1]
    if per_genre < MIN_VAL_TRACKS_PER_GENRE:
        return ENSEMBLE_DEEP_WEIGHT_SMALL, (f"fixed: {per_genre:.3g} validation tracks per genre "
                                            "are too few to fit it")
    return fit_ensemble_weight(deep, stats, labels), f"chosen on {len(labels)} validation tracks"


def fit_stats_half(deep_val: np.ndarray, train_feats: Sequence[dict], train_labels,
                   val_feats: Sequence[dict], val_labels, *,
                   seed: int = config.SEED) -> tuple["StatsModel", float, str]:
    """The ensemble's classical half, and the deep model's weight with its rule.

    The weight comes from :func:`choose_ensemble_weight`, with a
    :class:`StatsModel` fitted on the training tracks only. The returned
    StatsModel is fitted on the training *and* validation tracks: its SVMs have
    fixed settings and need no validation, so they learn from every non-test
    track, as a classical baseline would.

    Parameters
    ----------
    deep_val : np.ndarray [shape=(n_val_tracks, n_genres)]
        The deep model's track probabilities on the validation tracks.
    train_feats, val_feats : sequence of dict
        Per-track features (``"stats"``, ``"mfcc"``, ``"chroma"``, ``"contrast"``).
    train_labels, val_labels : sequence of int

    Returns
    -------
    (StatsModel, float, str)
    """
    chooser = StatsModel(seed=seed).fit(train_feats, train_labels)
    weight, rule = choose_ensemble_weight(deep_val, chooser.predict_proba(val_feats),
                                          np.asarray(val_labels))
    final = StatsModel(seed=seed).fit([*train_feats, *val_feats],
                                      np.concatenate([train_labels, val_labels]))
    return final, weight, rule


def _fit_stats_half(out: Path, model, prepared: Prepared, name: str,
                    seed: int) -> tuple[float, str]:
    """:func:`fit_stats_half` for a run being trained; pickles the StatsModel into ``out``."""
    import pickle
    fs = features.extract(prepared.tracks["path"], progress=False)   # cached by prepare
    rows = lambda part: [r for r in part.itertuples() if r.path in fs.features]
    feats = lambda rs: [fs.features[r.path] for r in rs]
    labels = lambda rs: np.array([prepared.genres.index(r.genre) for r in rs])
    train_rows, val_rows = rows(prepared.split.train), rows(prepared.split.val)
    seg_probs = model.predict(models.select_inputs(name, prepared.val.X), verbose=0,
                              batch_size=128)
    deep = np.stack([seg_probs[prepared.val.track_ids == r.track_id].mean(axis=0)
                     for r in val_rows])
    stats_model, weight, rule = fit_stats_half(deep, feats(train_rows), labels(train_rows),
                                               feats(val_rows), labels(val_rows), seed=seed)
    logger.info("deep model's weight in the ensemble: %.2f (%s)", weight, rule)
    (out / "stats_model.pkl").write_bytes(pickle.dumps(stats_model))
    return weight, rule


@dataclass
class Run:
    """A loaded run: its folder, configuration, Keras model and optional statistics model."""

    path: Path
    config: dict
    model: keras.Model
    stats_model: object = None

    @property
    def genres(self) -> list[str]:
        return self.config["genres"]

    def predict_segments(self, X: dict[str, np.ndarray]) -> np.ndarray:
        """Genre probabilities per segment from un-normalised segment features."""
        X = normalise({k: X[k] for k in self.config["inputs"]}, self.config["norm"])
        return self.model.predict(models.select_inputs(self.config["model"], X), verbose=0,
                                  batch_size=128)

    def predict_tracks(self, tracks_feats: Sequence[dict[str, np.ndarray]]):
        """Track and segment probabilities for many tracks, in one batched prediction.

        Returns
        -------
        probs : np.ndarray [shape=(n_tracks, n_genres)]
            Mean segment probability, averaged with the statistics model's
            probabilities by ``ensemble_weight`` when the run has one.
        seg_probs : list of np.ndarray [shape=(n_segments_i, n_genres)]
        """
        parts = [segment_track(f, self.config["inputs"]) for f in tracks_feats]
        counts = [len(next(iter(p.values()))) for p in parts]
        X = {k: np.concatenate([p[k] for p in parts]) for k in self.config["inputs"]}
        seg_probs = np.split(self.predict_segments(X), np.cumsum(counts)[:-1])
        probs = np.stack([sp.mean(axis=0) for sp in seg_probs])
        w = self.config.get("ensemble_weight", 1.0)
        if self.stats_model is not None and w < 1.0:
            probs = w * probs + (1 - w) * self.stats_model.predict_proba(tracks_feats)
        return probs, seg_probs

    def predict_track(self, feats: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(track probabilities, segment probabilities) for one track's features."""
        probs, seg_probs = self.predict_tracks([feats])
        return probs[0], seg_probs[0]


def load_run(path: str | os.PathLike) -> Run:
    """Load a run folder, refusing one whose feature settings differ from the code's.

    Raises
    ------
    DataNotFoundError
        If the folder or its model is missing.
    RunMismatchError
        If ``config.json``'s feature parameters differ from ``config.feature_params()``;
        the message lists each difference.
    """
    import pickle
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
    model = keras.models.load_model(path / "model.keras")
    stats = path / "stats_model.pkl"
    return Run(path, cfg, model, pickle.loads(stats.read_bytes()) if stats.exists() else None)
