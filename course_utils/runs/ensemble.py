"""The ensemble's classical half and the held-out predictions its weight is chosen on.

A run's statistics SVMs, the deep model's weight beside them and the novelty threshold are
all fitted on predictions for tracks the model did not train on: out-of-fold predictions
(cross-fitting) for a probe cheap enough to train once per fold, else the validation tracks'.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from .. import classical, data, features, models, runtime, segments, train
from .folder import novelty_vectors

logger = logging.getLogger("course_utils")


@dataclass
class FittedTracks:
    """The training and validation tracks that have features, in that order: their table,
    features and labels, and the cross-fitting folds over them (computed once, on first use,
    for the ensemble's weight and the novelty threshold alike)."""

    table: pd.DataFrame
    feats: list
    labels: np.ndarray
    seed: int
    _folds: list | None = None

    @classmethod
    def of(cls, prepared: segments.Prepared, seed: int) -> "FittedTracks":
        fs = features.extract(prepared.tracks["path"], progress=False)   # cached by prepare
        table = pd.concat([prepared.split.train, prepared.split.val], ignore_index=True)
        table = table[table["path"].isin(fs.features.keys())].reset_index(drop=True)
        return cls(table, [fs.features[p] for p in table["path"]],
                   np.array([prepared.genres.index(g) for g in table["genre"]]), seed)

    @property
    def folds(self) -> list[tuple]:
        if self._folds is None:
            self._folds = cross_fit_folds(self.table, self.labels, self.seed)
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
        return X, cross_fit_folds(self.table[keep].reset_index(drop=True), self.labels[keep],
                                   self.seed)


CROSS_FIT_MODELS = ("musicnn",)   # deep models cheap enough to train again once per fold
MIN_CROSS_FIT_TRACKS = 4           # per genre, over training + validation


def fit_ensemble(prepared: segments.Prepared, name: str, deep_val: tuple[list, np.ndarray],
                  fitted: FittedTracks, seed: int, **fit_kwargs):
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
        deep = cross_fit_deep(name, prepared, table["track_id"].tolist(), folds, seed=seed,
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


def cross_fit_folds(table: pd.DataFrame, labels: np.ndarray, seed: int) -> list[tuple]:
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


def cross_fit_deep(name: str, prepared: segments.Prepared, track_ids: list, folds, *,
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
