"""From tracks to model inputs: segmenting, normalising and ``prepare``.

A model sees 3-second segments, never whole tracks. ``prepare`` loads a
dataset, applies the split rule of :mod:`course_utils.data` (by track, before
any segmenting), extracts cached features, cuts segments and normalises them
with statistics of the training segments only. ``mean_per_track`` pools segment
predictions back into one per track. NumPy only: no Keras. Introduced in 03_cnn.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from . import config, data, features
from .exceptions import ParameterError

logger = logging.getLogger("course_utils")

WAVEFORM_AUGMENTS = {"pitch": (-2.0, 2.0), "stretch": (0.9, 1.1)}   # semitones, speed
MIN_TRAIN_SEGMENTS = 2000   # fewer training segments than this: cut overlapping ones
MIN_HOP = 32                # frames (0.74 s): the densest overlap used


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


def mean_per_track(seg_probs: np.ndarray, track_ids: Sequence) -> tuple[list, np.ndarray]:
    """The mean segment probability of each track: how a track is predicted.

    Parameters
    ----------
    seg_probs : np.ndarray [shape=(n_segments, n_classes)]
    track_ids : sequence [shape=(n_segments,)]
        The track of each segment.

    Returns
    -------
    ids : list
        Track ids in first-seen order.
    mean : np.ndarray [shape=(n_tracks, n_classes)]

    Examples
    --------
    >>> ids, mean = mean_per_track(np.array([[1., 0.], [0., 1.], [1., 0.]]), ["a", "a", "b"])
    >>> ids, mean.tolist()
    (['a', 'b'], [[0.5, 0.5], [1.0, 0.0]])
    """
    track_ids = np.asarray(track_ids)
    ids = list(dict.fromkeys(track_ids.tolist()))
    return ids, np.stack([seg_probs[track_ids == t].mean(axis=0) for t in ids])


def segment_track(feats: dict[str, np.ndarray], inputs: Sequence[str], *,
                  hop: int | None = None) -> dict[str, np.ndarray]:
    """Cut one track's features into model inputs.

    ``hop`` (frames) below the segment length makes segments overlap; ``None``
    cuts them back to back. Returns ``{"logmel": (n, n_mels, 130, 1),
    "mfcc": (n, 130, 60)}`` for the inputs asked. A pretrained embedding
    (``"musicnn"``: one row per 3-s patch, :mod:`course_utils.pretrained`) is
    already cut, and is passed on as it is.
    """
    out = {key: feats[key] for key in inputs if key not in ("logmel", "mfcc")}
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


def waveform_amounts(kind: str) -> tuple[float, ...]:
    """The shifted copies made for ``kind``: both directions, or one in FAST mode.

    Each copy is a full pass of pitch shifting or time stretching and feature
    extraction over the training tracks, so FAST mode keeps one per kind.

    Examples
    --------
    >>> waveform_amounts("pitch") == (WAVEFORM_AUGMENTS["pitch"][1:] if config.fast()
    ...                               else WAVEFORM_AUGMENTS["pitch"])
    True
    """
    amounts = WAVEFORM_AUGMENTS.get(kind, ())
    return amounts[1:] if config.fast() else amounts


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
    originals: int | None = None   # the first ``originals`` training segments are the tracks'
                                   # own; the rest are pitch and speed copies (None: no copies)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {k: v.shape[1:] for k, v in self.train.X.items()}


UNNORMALISED = (config.MUSICNN_PATCHES,)   # musicnn's first layer normalises its own input


def norm_stats(seg: Segments) -> dict[str, dict[str, list[float]]]:
    """Per-band (log-mel), per-coefficient (MFCC) or per-dimension (embedding) mean and std
    of training segments."""
    stats = {}
    for name, X in seg.X.items():
        if name in UNNORMALISED:      # the model normalises it itself: mean 0, std 1 here
            stats[name] = {"mean": [0.0] * X.shape[-1], "std": [1.0] * X.shape[-1]}
            continue
        axes = (0, 2, 3) if name == "logmel" else tuple(range(X.ndim - 1))
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


def _split_segments(tracks, fs, *, genres, inputs, seed, val_size, test_size):
    """The leaky protocol: segment every track, then split the segments (``data``'s rule)."""
    everything = segments_of(tracks, fs, genres=genres, inputs=inputs)
    sides = data.split_segments(len(everything), seed=seed, val_size=val_size,
                                test_size=test_size)
    parts = [everything.take(index) for index in sides]
    on_side = lambda part: tracks[tracks["track_id"].isin(set(part.track_ids))]
    split = data.Split(*(on_side(p).reset_index(drop=True) for p in parts),
                       method="segment-random", seed=seed)
    return parts, split


def prepare(dataset=None, *, split: str = "random", seed: int = config.SEED,
            inputs: Sequence[str] = ("logmel", "mfcc"), augment: Sequence[str] = (),
            folds: int = 5, fold: int = 0, val_size: float = config.VAL_SIZE,
            test_size: float = config.TEST_SIZE,
            tracks: pd.DataFrame | None = None, overlap: bool = True,
            extra: dict[str, dict] | None = None, progress: bool = True) -> Prepared:
    """Load, split by track, extract (cached), segment and normalise.

    Normalisation statistics come from the training tracks only. Waveform
    augmentations (``"pitch"``, ``"stretch"`` in ``augment``) add precomputed,
    cached shifted copies of the **training** tracks. With ``overlap`` (the
    default) a small training set is cut into overlapping segments
    (:func:`training_hop`). With ``split="segment-random"`` the segments of all
    tracks are split at random (:func:`course_utils.data.split_segments`, with
    the same ``val_size`` and ``test_size``): the leaky protocol of the leakage
    lesson, whose ``Split`` then lists tracks on several sides. ``extra`` adds
    per-track features computed elsewhere (``{path: {"musicnn": ...}}``); a
    track missing from it is left out.

    Returns
    -------
    Prepared
    """
    tracks = data.load_dataset(dataset, progress=progress) if tracks is None else tracks
    genres = list(tracks.attrs.get("genres") or sorted(tracks["genre"].unique()))
    fs = features.extract(tracks["path"], progress=progress)
    if extra is not None:
        fs.features = {p: {**f, **extra[p]} for p, f in fs.features.items() if p in extra}
    seg = lambda t, f=fs, hop=None: segments_of(t, f, genres=genres, inputs=inputs, hop=hop)
    hop = None
    if split == "segment-random":
        parts, sp = _split_segments(tracks, fs, genres=genres, inputs=inputs, seed=seed,
                                    val_size=val_size, test_size=test_size)
    else:
        sp = data.split_tracks(tracks, method=split, seed=seed, folds=folds, fold=fold,
                               val_size=val_size, test_size=test_size)
        parts = [seg(sp.train), seg(sp.val), seg(sp.test)]
        hop = training_hop(len(parts[0])) if overlap else None
        if hop is not None:
            parts[0] = seg(sp.train, hop=hop)
            logger.info("small training set: overlapping training segments, hop %d frames "
                        "(%d segments)", hop, len(parts[0]))
    extra = [seg(sp.train, features.extract(sp.train["path"], augment=(kind, amount),
                                            progress=progress), hop)
             for kind in augment for amount in waveform_amounts(kind)]
    norm = norm_stats(parts[0])
    train, val, test = (Segments(normalise(p.X, norm), p.labels, p.track_ids)
                        for p in [Segments.concat([parts[0], *extra]), *parts[1:]])
    return Prepared(train, val, test, sp, genres, tuple(inputs), norm, tracks, hop,
                    len(parts[0]) if extra else None)
