"""The classical half: SVMs on feature statistics, the ensemble's weight rule, and the
"unsure" rule.

``fit_stats_model`` is the course's bar to beat (lesson 02): an RBF SVM on each
track's summary statistics. ``StatsModel`` adds an SVM on the statistics of
every 3-second segment and is the classical half of the default ensemble;
``choose_ensemble_weight`` decides how much the deep model counts in it, and
``choose_unsure_threshold`` below which confidence a prediction is flagged
"unsure". scikit-learn only: no Keras. Introduced in 02_feature_extraction (the
SVM), 07_your_own_music (the ensemble) and 09_applications (the unsure flag).
"""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import pandas as pd

from . import config, features, segments
from .exceptions import CourseError

# The only types beyond skops' defaults that a saved StatsModel holds (both scikit-learn's).
TRUSTED_TYPES = ["sklearn.calibration._CalibratedClassifier",
                 "sklearn.calibration._SigmoidCalibration"]
MIN_VAL_TRACKS_PER_GENRE = 10      # fewer: the ensemble weight is fixed, not fitted
ENSEMBLE_DEEP_WEIGHT_SMALL = 0.25  # the deep model's share then
UNSURE_TARGET = 0.9                # accuracy wanted of the predictions not flagged "unsure"


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
        owner = np.repeat(np.arange(len(seg)), [len(x) for x in seg])
        _, by_segments = segments.mean_per_track(
            self.segment_svm.predict_proba(np.concatenate(seg)), owner)
        return (self.track_svm.predict_proba(self._stats(feats)) + by_segments) / 2

    def save(self, path: str | os.PathLike) -> None:
        """Write both SVMs to ``path`` with skops: a format that loads without running code."""
        import skops.io as sio
        sio.dump({"seed": self.seed, "track_svm": self.track_svm,
                  "segment_svm": self.segment_svm}, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "StatsModel":
        """Read a model written by :meth:`save`, refusing any type outside a short trusted list.

        Unlike a pickle, a skops file is audited before anything is built: only
        NumPy, built-in and scikit-learn types are accepted, so a shared run
        folder cannot run code when it is opened.

        Raises
        ------
        CourseError
            If the file holds any other type; the message names them.
        """
        import skops.io as sio
        from skops.io.exceptions import UntrustedTypesFoundException
        try:
            saved = sio.load(path, trusted=TRUSTED_TYPES)
        except UntrustedTypesFoundException as err:
            raise CourseError(f"{path}: refusing to load it: it holds types that are not a "
                              f"statistics model's ({err}). Opening it could run code; retrain "
                              "the run yourself instead of using this file.") from err
        model = cls(seed=saved["seed"])
        model.track_svm, model.segment_svm = saved["track_svm"], saved["segment_svm"]
        return model

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


def coverage_curve(probs: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Accuracy against coverage: what keeping only the confident predictions trades.

    For each threshold ``t`` (each distinct top probability, highest first), the
    tracks whose top probability is at least ``t`` are kept: ``coverage`` is their
    share and ``accuracy`` how often their top genre is right.

    Examples
    --------
    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.55, 0.45]])
    >>> coverage_curve(probs, np.array([0, 1, 1, 0]))
       threshold  coverage  accuracy
    0       0.90      0.25  1.000000
    1       0.80      0.50  1.000000
    2       0.60      0.75  0.666667
    3       0.55      1.00  0.750000
    """
    probs, labels = np.asarray(probs), np.asarray(labels)
    conf, right = probs.max(1), probs.argmax(1) == labels
    thresholds = np.unique(conf)[::-1]
    kept = [conf >= t for t in thresholds]
    return pd.DataFrame({"threshold": thresholds,
                         "coverage": [k.mean() for k in kept],
                         "accuracy": [right[k].mean() for k in kept]})


def choose_unsure_threshold(probs: np.ndarray, labels: np.ndarray, *,
                            target: float = UNSURE_TARGET) -> dict:
    """The confidence below which a prediction is flagged "unsure", chosen on validation.

    The lowest threshold whose kept validation tracks (:func:`coverage_curve`) are
    right at least ``target`` of the time, so the flag costs as little coverage as
    the target allows; 0.0 (nothing flagged) when every track together already
    reaches it; the threshold of the most accurate kept set when none does.

    Returns
    -------
    dict
        ``{"threshold", "target", "val_coverage", "val_accuracy", "val_tracks"}``:
        the threshold and what it kept on the validation tracks.

    Examples
    --------
    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.55, 0.45]])
    >>> choose_unsure_threshold(probs, np.array([0, 1, 1, 0]))["threshold"]
    0.8
    """
    curve = coverage_curve(probs, labels)
    if curve["accuracy"].iloc[-1] >= target:
        row, threshold = curve.iloc[-1], 0.0
    else:
        good = curve[curve["accuracy"] >= target]
        row = good.iloc[-1] if len(good) else curve.loc[curve["accuracy"].idxmax()]
        threshold = float(row["threshold"])
    return {"threshold": round(threshold, 6), "target": target,
            "val_coverage": float(row["coverage"]), "val_accuracy": float(row["accuracy"]),
            "val_tracks": int(len(np.asarray(labels)))}
