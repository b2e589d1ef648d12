"""The classical half: SVMs on feature statistics, the ensemble's weight rule, and the
"unsure" rule.

``fit_stats_model`` is the course's bar to beat (lesson 02): an RBF SVM on each
track's summary statistics. ``StatsModel`` adds an SVM on the statistics of
every 3-second segment and is the classical half of the default ensemble;
``choose_ensemble_weight`` decides how much the deep model counts in it, from
predictions for tracks the members were not fitted on (``cross_fit_stats``), and
``choose_unsure_threshold`` below which confidence a prediction is flagged
"unsure". scikit-learn only: no Keras. Introduced in 02_feature_extraction (the
SVM), 07_your_own_music (the ensemble) and 09_applications (the unsure flag).
"""
from __future__ import annotations

import logging
import os
from typing import Sequence

import numpy as np
import pandas as pd

from . import config, features, segments
from .exceptions import CourseError

logger = logging.getLogger("course_utils")

# The only types beyond skops' defaults that a saved StatsModel holds (both scikit-learn's).
TRUSTED_TYPES = ["sklearn.calibration._CalibratedClassifier",
                 "sklearn.calibration._SigmoidCalibration"]
MIN_VAL_TRACKS_PER_GENRE = 10      # fewer, and no cross-fitted deep model: a fixed weight
ENSEMBLE_DEEP_WEIGHT_SMALL = 0.25  # the deep model's share then
WEIGHT_GRID = tuple(np.round(np.linspace(1, 0, 11), 2))   # the deep weights tried
UNSURE_TARGET = 0.9                # accuracy wanted of the predictions not flagged "unsure"
UNSURE_KEEP = 0.95                 # the flag always sets aside the least sure 5 % of tracks
NOVELTY_QUANTILE = 0.99            # "unlike the training music": farther than 99 % of held-out


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
    labels = np.asarray(labels)
    genres, counts = np.unique(labels, return_counts=True)
    if counts.min() < 2:   # Platt scaling needs each genre in two folds: a lone track twice
        lone = np.isin(labels, genres[counts < 2])
        logger.warning("the statistics SVM has a single training track for label %s: its "
                       "probabilities there are calibrated on that same track",
                       ", ".join(map(str, genres[counts < 2])))
        X_stats = np.concatenate([X_stats, X_stats[lone]])
        labels = np.concatenate([labels, labels[lone]])
        counts = np.unique(labels, return_counts=True)[1]
    folds = int(min(3, counts.min()))   # Platt scaling on held-out folds
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

    def predict_proba(self, feats: Sequence[dict[str, np.ndarray]], *,
                      n_genres: int | None = None) -> np.ndarray:
        """Genre probabilities per track [shape=(n_tracks, n_trained_genres)], or with a
        column for each of ``n_genres`` genres (0 for a genre no training track had)."""
        seg = [features.segment_stats(f) for f in feats]
        owner = np.repeat(np.arange(len(seg)), [len(x) for x in seg])
        _, by_segments = segments.mean_per_track(
            self.segment_svm.predict_proba(np.concatenate(seg)), owner)
        proba = (self.track_svm.predict_proba(self._stats(feats)) + by_segments) / 2
        if n_genres is None:
            return proba
        full = np.zeros((len(proba), n_genres))
        full[:, self.track_svm.classes_] = proba
        return full

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
        return self.track_svm.classes_[self.predict_proba(feats).argmax(axis=1)]

    def predict_baseline(self, feats: Sequence[dict[str, np.ndarray]]) -> np.ndarray:
        """The track-statistics SVM's own decision: the classical baseline alone."""
        return svm_decision(self.track_svm, self._stats(feats))


def track_stats(tracks: pd.DataFrame, fs: features.FeatureSet, genres: Sequence[str]):
    """Stack the ``stats`` vectors and integer labels of the tracks that have features."""
    rows = [r for r in tracks.itertuples() if r.path in fs.features]
    X = np.stack([fs.features[r.path]["stats"] for r in rows]).astype(np.float64)
    return X, np.array([list(genres).index(r.genre) for r in rows]), [r.track_id for r in rows]


def fit_ensemble_weight(deep: np.ndarray, stats: np.ndarray, labels: np.ndarray) -> float:
    """The deep model's weight in :data:`WEIGHT_GRID` that is best on held-out tracks.

    Best means the highest track accuracy of ``w * deep + (1 - w) * stats``,
    then the highest mean log-likelihood of the true genre (a proper score, so
    among equally accurate weights the better calibrated blend wins); a full tie
    goes to the larger deep weight.

    Examples
    --------
    >>> right = np.eye(2)[[0, 1, 0, 1]] * 0.8 + 0.1
    >>> fit_ensemble_weight(right, right[::-1], np.array([0, 1, 0, 1]))
    1.0
    >>> fit_ensemble_weight(right[::-1], right, np.array([0, 1, 0, 1]))
    0.0
    """
    scores = {}
    for w in WEIGHT_GRID:
        p = w * deep + (1 - w) * stats
        scores[float(w)] = ((p.argmax(1) == labels).mean(),   # rounded: a tie goes to the
                            round(np.log(p[np.arange(len(labels)), labels] + 1e-9).mean(), 9))
    return max(scores, key=lambda w: scores[w])


def choose_ensemble_weight(deep: np.ndarray, stats: np.ndarray, labels: np.ndarray, *,
                           cross_fitted: bool = False) -> tuple[float, str]:
    """The deep model's weight in the ensemble, and the rule that gave it.

    The weight is always chosen on predictions for tracks the members were not
    fitted on, never on test tracks:

    - ``cross_fitted``: out-of-fold predictions of both members over the
      training and validation tracks (:func:`cross_fit_stats`, and the probe
      cross-fitted the same way by ``runs.train_run``). Every non-test track is
      held out once, so even a small collection gives dozens of tracks, and
      neither member chose anything on them: the weight is fitted
      (:func:`fit_ensemble_weight`) and follows the member that is better out of
      fold.
    - otherwise, the validation tracks only (a network trained from scratch is too
      costly to train again per fold on a CPU). With at least
      ``MIN_VAL_TRACKS_PER_GENRE`` of them per genre the weight is fitted on them.
      With fewer it is mostly noise, and biased too: the network chose its epoch on
      those same tracks, so it looks better there than it is. On 10 clips per
      genre (1.5 validation tracks per genre) fitted weights lost about 4.5 points
      of test accuracy against a fixed one (BENCHMARKS.md), so small sets get
      ``ENSEMBLE_DEEP_WEIGHT_SMALL``.

    Parameters
    ----------
    deep, stats : np.ndarray [shape=(n_tracks, n_genres)]
        Held-out track probabilities of the deep model and of a :class:`StatsModel`.
    labels : np.ndarray [shape=(n_tracks,)]

    Examples
    --------
    >>> p = np.eye(2)[[0, 1, 0, 1]]
    >>> choose_ensemble_weight(p, p[::-1], np.array([0, 1, 0, 1]))
    (0.25, 'fixed: 2 validation tracks per genre are too few to fit it')
    >>> choose_ensemble_weight(p, p[::-1], np.array([0, 1, 0, 1]), cross_fitted=True)
    (1.0, 'fitted on out-of-fold predictions for 4 training and validation tracks')
    """
    if cross_fitted:
        return (fit_ensemble_weight(deep, stats, labels),
                f"fitted on out-of-fold predictions for {len(labels)} training and "
                "validation tracks")
    per_genre = len(labels) / deep.shape[1]
    if per_genre < MIN_VAL_TRACKS_PER_GENRE:
        return ENSEMBLE_DEEP_WEIGHT_SMALL, (f"fixed: {per_genre:.3g} validation tracks per genre "
                                            "are too few to fit it")
    return fit_ensemble_weight(deep, stats, labels), f"fitted on {len(labels)} validation tracks"


def cross_fit_fold_count(labels: np.ndarray, *, max_folds: int = 5) -> int:
    """How many folds cross-fitting uses: ``max_folds``, fewer when a genre has fewer
    tracks (each fold must hold out a track of every genre and keep one), at least 2.

    Examples
    --------
    >>> cross_fit_fold_count(np.repeat([0, 1], 8)), cross_fit_fold_count(np.repeat([0, 1], 3))
    (5, 3)
    """
    return int(max(2, min(max_folds, np.bincount(np.asarray(labels)).min())))


def cross_fit_stats(feats: Sequence[dict[str, np.ndarray]], labels, folds: Sequence[tuple], *,
                    seed: int = config.SEED) -> np.ndarray:
    """Out-of-fold :class:`StatsModel` probabilities: each track predicted by the SVMs fitted
    on the other folds.

    Parameters
    ----------
    feats : sequence of dict
        Per-track features of the training and validation tracks.
    labels : sequence of int
    folds : sequence of (fit_index, held_index)
        From :func:`course_utils.data.track_folds`, so a track's artist stays on one side.

    Returns
    -------
    np.ndarray [shape=(n_tracks, n_genres)]
    """
    labels = np.asarray(labels)
    out = np.zeros((len(labels), labels.max() + 1))
    for fit, held in folds:
        model = StatsModel(seed=seed).fit([feats[i] for i in fit], labels[fit])
        out[held] = model.predict_proba([feats[i] for i in held], n_genres=out.shape[1])
    return out


def fit_stats_half(deep_held: np.ndarray, feats: Sequence[dict], labels, *,
                   held: np.ndarray | None = None, folds: Sequence[tuple] | None = None,
                   seed: int = config.SEED) -> tuple["StatsModel", float, str, np.ndarray]:
    """The ensemble's classical half, the deep model's weight with its rule, and the
    ensemble's held-out probabilities.

    ``feats`` and ``labels`` are the training *and* validation tracks. The deep
    model's held-out probabilities ``deep_held`` are either

    - out-of-fold, for every one of those tracks (``folds``, from
      :func:`course_utils.data.track_folds`): the statistics half is cross-fitted on
      the same folds (:func:`cross_fit_stats`) and the weight fitted on all of them;
    - or for the validation tracks only (``held``: their indexes): the statistics
      half is then fitted on the other tracks to predict them.

    The weight comes from :func:`choose_ensemble_weight`. The returned StatsModel
    is fitted on every given track: its SVMs have fixed settings and need no
    validation, so they learn from every non-test track, as a classical baseline would.

    Returns
    -------
    (StatsModel, float, str, np.ndarray)
        The model, the weight, its rule, and ``w * deep + (1 - w) * stats`` for the
        held-out tracks (``labels[held]``, or all with ``folds``): what the "unsure"
        threshold is chosen on (:func:`choose_unsure_threshold`).
    """
    labels = np.asarray(labels)
    if folds is not None:
        stats_held, held_labels = cross_fit_stats(feats, labels, folds, seed=seed), labels
    else:
        held = np.asarray(held)
        rest = np.setdiff1d(np.arange(len(labels)), held)
        chooser = StatsModel(seed=seed).fit([feats[i] for i in rest], labels[rest])
        stats_held = chooser.predict_proba([feats[i] for i in held], n_genres=deep_held.shape[1])
        held_labels = labels[held]
    weight, rule = choose_ensemble_weight(deep_held, stats_held, held_labels,
                                          cross_fitted=folds is not None)
    final = StatsModel(seed=seed).fit(list(feats), labels)
    return final, weight, rule, weight * deep_held + (1 - weight) * stats_held


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
                            target: float = UNSURE_TARGET, keep: float = UNSURE_KEEP) -> dict:
    """The confidence below which a prediction is flagged "unsure", chosen on held-out tracks.

    ``probs`` are predictions for tracks the run was not fitted on (out-of-fold
    predictions over the training and validation tracks where the run has them,
    else its validation tracks). Two rules; the higher threshold wins:

    - **accuracy**: the lowest threshold whose kept tracks (:func:`coverage_curve`)
      are right at least ``target`` of the time (the threshold of the most accurate
      kept set when none is);
    - **coverage**: the top probability that ``keep`` of the held-out tracks reach,
      so the least sure ``1 - keep`` (rounded down) are always flagged, even when every held-out
      track was right. That is the standard confidence baseline for spotting inputs
      unlike the training data (Hendrycks & Gimpel, 2017): music the run never met
      tends to get flatter probabilities than the music it was trained on.

    Returns
    -------
    dict
        ``{"threshold", "target", "keep", "rule", "held_out_tracks", "held_out_coverage",
        "held_out_accuracy"}``: the threshold, which rule set it and what it kept on the
        held-out tracks.

    Examples
    --------
    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.55, 0.45]])
    >>> choose_unsure_threshold(probs, np.array([0, 1, 1, 0]))["threshold"]
    0.8
    >>> choose_unsure_threshold(probs, np.array([0, 0, 1, 0]))["rule"]
    'coverage'
    """
    probs, labels = np.asarray(probs), np.asarray(labels)
    curve = coverage_curve(probs, labels)
    good = curve[curve["accuracy"] >= target]
    by_accuracy = (0.0 if curve["accuracy"].iloc[-1] >= target else
                   float((good.iloc[-1] if len(good) else
                          curve.loc[curve["accuracy"].idxmax()])["threshold"]))
    top = np.sort(probs.max(1))
    by_coverage = float(top[int(np.floor(len(top) * (1 - keep)))])   # floor(5 %) fall below
    threshold = max(by_accuracy, by_coverage)
    kept = probs.max(1) >= threshold
    return {"threshold": threshold, "target": target, "keep": keep,
            "rule": "accuracy" if by_accuracy >= by_coverage else "coverage",
            "held_out_tracks": int(len(labels)), "held_out_coverage": float(kept.mean()),
            "held_out_accuracy": float((probs.argmax(1) == labels)[kept].mean())}


class Novelty:
    """How unlike the training music a track is: the Mahalanobis distance of a vector that
    describes it (in runs, musicnn's pooled embedding, ``runs.NOVELTY_SPACES``; or its 89
    summary statistics) from the training tracks'.

    A classifier's confidence cannot see that a file is unlike anything it learned: on white
    noise or a sine sweep a model trained on ten genres can still put half its probability on
    one of them. The distance can: it measures how far the track's vector lies from the
    cloud of the training tracks' (standardised, with a Ledoit-Wolf shrunk covariance, which
    stays well conditioned with fewer tracks than dimensions). Lee et al. (2018) use the same
    distance to spot inputs unlike the training data.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = Novelty().fit(rng.normal(size=(200, 5)))
    >>> near, far = model.distance(np.zeros((1, 5)))[0], model.distance(np.full((1, 5), 9.0))[0]
    >>> bool(near < 2 < far)
    True
    """

    def fit(self, X: np.ndarray) -> "Novelty":
        """Fit on the statistics of the training tracks ``[shape=(n_tracks, n_stats)]``."""
        from sklearn.covariance import LedoitWolf
        X = np.asarray(X, dtype=np.float64)
        self.mean, self.scale = X.mean(axis=0), X.std(axis=0) + 1e-9
        self.precision = LedoitWolf().fit((X - self.mean) / self.scale).precision_
        return self

    def distance(self, X: np.ndarray) -> np.ndarray:
        """The Mahalanobis distance of each row from the training tracks ``[shape=(n,)]``."""
        Z = (np.asarray(X, dtype=np.float64) - self.mean) / self.scale
        return np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", Z, self.precision, Z), 0))

    def track_distance(self, tracks: Sequence[np.ndarray]) -> np.ndarray:
        """One distance per track ``[shape=(n_tracks,)]``: the mean of its rows' distances
        (a track given as one vector has one row; as musicnn patches, one per 3 s). A mean of
        per-row distances keeps its expected value whatever the track's length, where the
        distance of a mean vector grows as the track gets shorter."""
        return np.array([self.distance(np.atleast_2d(rows)).mean() for rows in tracks])

    def save(self, path: str | os.PathLike) -> None:
        """Plain arrays in an ``.npz`` (loaded with ``allow_pickle=False``); the precision
        matrix in float32 (1506 x 1506 for musicnn's space: 9 MB)."""
        np.savez(path, mean=self.mean, scale=self.scale,
                 precision=self.precision.astype(np.float32))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Novelty":
        model = cls()
        with np.load(path, allow_pickle=False) as npz:
            model.mean, model.scale = npz["mean"], npz["scale"]
            model.precision = npz["precision"].astype(np.float64)
        return model


def fit_novelty(tracks: Sequence[np.ndarray], folds: Sequence[tuple], *,
                quantile: float = NOVELTY_QUANTILE) -> tuple[Novelty, dict]:
    """A :class:`Novelty` model of the training and validation tracks, and its threshold:
    the ``quantile`` of the tracks' out-of-fold distances (:meth:`Novelty.track_distance`,
    each measured by a model fitted on the other folds), so about 1 % of music like the
    training data is called unlike it.

    Parameters
    ----------
    tracks : sequence of np.ndarray
        Per track, one vector ``[shape=(dim,)]`` or rows ``[shape=(n, dim)]`` (a 2-D array
        of one vector per track works too).
    folds : sequence of (fit, out) index arrays over ``tracks``

    Returns
    -------
    (Novelty, dict)
        The model fitted on every row of every track, and ``{"threshold", "quantile",
        "held_out_tracks"}``.
    """
    tracks = [np.atleast_2d(np.asarray(t, dtype=np.float64)) for t in tracks]
    held = np.zeros(len(tracks))
    for fit, out in folds:
        model = Novelty().fit(np.concatenate([tracks[i] for i in fit]))
        held[out] = model.track_distance([tracks[i] for i in out])
    return Novelty().fit(np.concatenate(tracks)), {
        "threshold": float(np.quantile(held, quantile)), "quantile": quantile,
        "held_out_tracks": len(tracks)}
