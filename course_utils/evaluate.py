"""Evaluation: segment and track accuracy, per-genre scores, confusion, CIs, lesson 02's bar.

The metrics (``scores``, ``bootstrap_ci``, ``paired_bootstrap``, ``mcnemar_exact``,
``plot_confusion``, ``assert_above_chance``) need no network, and importing
this module loads no Keras, so lesson 02 scores its SVM with them.
``evaluate_run`` scores a run (its own test set or an external dataset) and
loads :mod:`course_utils.runs` when called; making runs for a lesson
(``ensure_run``, ``compare``, ``cross_validate``) is :mod:`course_utils.experiments`'s.
Introduced in 06_evaluation.
"""
from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score,
                             precision_recall_fscore_support)

from . import config, data, segments
from .exceptions import CourseError, ParameterError

if TYPE_CHECKING:
    from .runs import Run

logger = logging.getLogger("course_utils")


# --------------------------------------------------------------------------- metrics
def aggregate_tracks(seg_probs: np.ndarray, track_ids: Sequence[str]):
    """Track-level predictions from segment probabilities.

    Parameters
    ----------
    seg_probs : np.ndarray [shape=(n_segments, n_classes)]
    track_ids : sequence of str [shape=(n_segments,)]

    Returns
    -------
    ids : list of str
        Track ids in first-seen order.
    mean_probs : np.ndarray [shape=(n_tracks, n_classes)]
        Mean segment probability per track (its argmax is the "mean" prediction).
    votes : np.ndarray [shape=(n_tracks,)]
        Majority vote of segment argmaxes; ties go to the higher mean probability.

    Examples
    --------
    >>> p = np.array([[.9, .1], [.4, .6], [.45, .55], [.2, .8]])
    >>> ids, mean, vote = aggregate_tracks(p, ["a", "a", "a", "b"])
    >>> ids, mean.argmax(1).tolist(), vote.tolist()
    (['a', 'b'], [0, 1], [1, 1])
    """
    track_ids = np.asarray(track_ids)
    ids, mean = segments.mean_per_track(seg_probs, track_ids)
    votes = []
    for t, m in zip(ids, mean):
        counts = np.bincount(seg_probs[track_ids == t].argmax(1), minlength=seg_probs.shape[1])
        tied = np.flatnonzero(counts == counts.max())
        votes.append(tied[m[tied].argmax()])
    return ids, mean, np.array(votes)


def scores(y_true: Sequence[int], y_pred: Sequence[int], *, genres: Sequence[str]) -> dict:
    """Accuracy, per-genre precision/recall/F1/support, macro F1 and the confusion matrix.

    The confusion matrix has **true genres on the rows** and predictions on the
    columns, both in ``genres`` order.

    Examples
    --------
    >>> s = scores([0, 0, 1], [0, 1, 1], genres=["a", "b"])
    >>> s["accuracy"], s["confusion_matrix"]
    (0.6666666666666666, [[1, 1], [0, 1]])
    """
    labels = list(range(len(genres)))
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {"accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro",
                                       zero_division=0)),
            "per_genre": {g: {"precision": float(p[i]), "recall": float(r[i]),
                              "f1": float(f[i]), "support": int(n[i])}
                          for i, g in enumerate(genres)},
            "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()}


def bootstrap_ci(correct: Sequence[bool], *, n_boot: int = 2000, level: float = 0.95,
                 seed: int = config.SEED) -> list[float]:
    """Percentile bootstrap confidence interval of an accuracy, resampling test tracks.

    Examples
    --------
    >>> low, high = bootstrap_ci([True] * 80 + [False] * 20)
    >>> low < 0.8 < high
    True
    """
    correct = np.asarray(correct, dtype=float)
    rng = np.random.default_rng(seed)
    means = correct[rng.integers(0, len(correct), (n_boot, len(correct)))].mean(axis=1)
    alpha = (1 - level) / 2
    return [float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))]


def paired_bootstrap(correct_a: Sequence[bool], correct_b: Sequence[bool], *,
                     n_boot: int = 5000, seed: int = config.SEED) -> dict:
    """Is A more accurate than B on the same test tracks? A paired bootstrap.

    Its interval of the difference is the figure to report. Its ``p`` is only as good as
    the number of tracks on which the two models differ: with a handful of them the
    resamples understate the chance of the same gap by luck, so test with
    :func:`mcnemar_exact` instead.

    Returns
    -------
    dict
        ``diff`` (accuracy A - B), ``ci95`` of the difference and ``p`` = the
        share of resamples in which A is not better (one-sided).
    """
    a, b = np.asarray(correct_a, float), np.asarray(correct_b, float)
    if a.shape != b.shape:
        raise ParameterError(f"Paired bootstrap needs the same tracks: got {a.shape} and {b.shape}.")
    idx = np.random.default_rng(seed).integers(0, len(a), (n_boot, len(a)))
    diffs = a[idx].mean(axis=1) - b[idx].mean(axis=1)
    return {"diff": float(a.mean() - b.mean()),
            "ci95": [float(np.quantile(diffs, 0.025)), float(np.quantile(diffs, 0.975))],
            "p": float((diffs <= 0).mean())}


def mcnemar_exact(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> dict:
    """Do A and B differ in accuracy on the same test tracks? McNemar's exact test.

    Only the tracks where exactly one model is right carry evidence: under "no difference"
    each of them is equally likely to favour A or B, so the count favouring A is binomial
    with p = 1/2 (``scipy.stats.binomtest``, two-sided). Right for the few discordant tracks
    of a 75-track test set, where a bootstrap's p-value is not.

    Returns
    -------
    dict
        ``a_only`` and ``b_only`` (tracks only A, or only B, gets right) and ``p`` (two-sided;
        1.0 when they never differ).

    Examples
    --------
    >>> a = [True] * 70 + [True] * 5          # A right on 5 tracks where B is wrong
    >>> b = [True] * 70 + [False] * 5
    >>> result = mcnemar_exact(a, b)
    >>> result["a_only"], result["b_only"], round(result["p"], 4)
    (5, 0, 0.0625)
    """
    from scipy.stats import binomtest
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape:
        raise ParameterError(f"McNemar's test needs the same tracks: got {a.shape} and "
                             f"{b.shape}.")
    a_only, b_only = int((a & ~b).sum()), int((~a & b).sum())
    p = binomtest(a_only, a_only + b_only, 0.5).pvalue if a_only + b_only else 1.0
    return {"a_only": a_only, "b_only": b_only, "p": float(p)}


def plot_confusion(cm, genres: Sequence[str], *, normalize: bool = False, ax=None,
                   title: str | None = None):
    """Seaborn heatmap of a confusion matrix (rows = true genre, columns = predicted)."""
    cm = np.asarray(cm, dtype=float)
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 5.5))
    sns.heatmap(cm, annot=True, fmt=".2f" if normalize else ".0f", cmap="Blues", cbar=False,
                xticklabels=genres, yticklabels=genres, ax=ax, vmin=0,
                vmax=1 if normalize else None)
    ax.set(xlabel="predicted genre", ylabel="true genre",
           title=title or ("confusion (row-normalised)" if normalize else "confusion (counts)"))
    return ax


# --------------------------------------------------------------------------- runs
def reference_lines(ax, *, num_classes: int, svm: float | None = None) -> None:
    """Draw the two bars every model in the course is measured against on a plot of test
    track accuracy: chance (``1 / num_classes``) and, when given, lesson 02's SVM on track
    statistics scored on the same test tracks (a run's ``metrics.json["svm_track_accuracy"]``)."""
    ax.axhline(1 / num_classes, color="grey", ls=":", label=f"chance ({1 / num_classes:.0%})")
    if svm is not None:
        ax.axhline(svm, color="tab:red", ls="--", label=f"SVM bar ({svm:.0%}, same test tracks)")


def evaluate_tracks(run: Run, tracks: pd.DataFrame, *, progress: bool = True) -> dict:
    """The metrics of ``run`` on ``tracks``: segment and track accuracy, F1, CI, confusion.

    Genres outside the run's genre list are left out (and counted in ``skipped``),
    so an external dataset with other genres can still be scored on the overlap.
    """
    genres = run.genres
    known = tracks[tracks["genre"].isin(genres)]
    skipped = len(tracks) - len(known)
    if known.empty:
        raise CourseError(f"None of the dataset's genres {sorted(tracks['genre'].unique())} "
                          f"is among the run's genres {genres}; nothing to evaluate.")
    pred = run.predict_table(known, progress=progress)
    truth = dict(zip(known["track_id"], known["genre"].map(genres.index)))
    seg_true = np.array([truth[t] for t in pred.seg_track_ids])
    metrics = _track_metrics(pred.seg_probs, seg_true, pred.seg_track_ids, genres=genres,
                             track_probs=pred.probs)
    if pred.stats_probs is not None:   # the ensemble's classical half, and the baseline, alone
        y_true = np.array([truth[t] for t in pred.track_ids])
        metrics["stats_track_accuracy"] = float((pred.stats_probs.argmax(1) == y_true).mean())
        metrics["svm_track_accuracy"] = float((pred.baseline == y_true).mean())
        metrics["ensemble_weight"] = run.config.get("ensemble_weight", 1.0)
    return {**metrics, "skipped_tracks": skipped}


def _track_metrics(seg_probs: np.ndarray, seg_true: np.ndarray, seg_ids: np.ndarray, *,
                   genres: Sequence[str], track_probs: np.ndarray | None = None) -> dict:
    """Segment and track metrics from segment predictions, shared by every evaluation.

    Tracks are predicted from ``track_probs`` (one row per track, in first-seen
    order of ``seg_ids``) when given, else from the mean segment probability;
    ``deep_track_accuracy`` always scores the mean segment probability alone.
    """
    ids, mean, votes = aggregate_tracks(seg_probs, seg_ids)
    first = {t: i for i, t in reversed(list(enumerate(seg_ids)))}
    y_true = np.array([seg_true[first[t]] for t in ids])
    y_pred = (mean if track_probs is None else track_probs).argmax(1)
    result = scores(y_true, y_pred, genres=genres)
    return {"genres": list(genres), "n_test_tracks": len(ids), "n_test_segments": len(seg_ids),
            "segment_accuracy": float((seg_probs.argmax(1) == seg_true).mean()),
            "track_accuracy": result["accuracy"],
            "track_accuracy_vote": float((votes == y_true).mean()),
            "track_accuracy_ci95": bootstrap_ci(y_pred == y_true),
            "deep_track_accuracy": float((mean.argmax(1) == y_true).mean()),
            "macro_f1": result["macro_f1"], "per_genre": result["per_genre"],
            "confusion_matrix": result["confusion_matrix"],
            "predictions": {t: genres[p] for t, p in zip(ids, y_pred)}}


MIN_TEST_TRACKS_PER_GENRE = 3   # fewer test tracks a genre (on average): too few to rank models


def evaluate_run(run_dir: str | os.PathLike, dataset=None, *, progress: bool = True) -> dict:
    """Score a run and write the result beside it.

    With ``dataset=None`` the run's own test tracks (``split.json``) are scored
    and ``metrics.json`` and ``confusion.png`` are written. With a dataset name
    or folder (external validation), every track of it is scored and
    ``eval_<name>.json`` and ``eval_<name>_confusion.png`` are written; the
    run's own metrics are never overwritten.
    """
    from . import runs
    run = runs.load_run(run_dir)
    cfg = run.config
    if dataset is None and cfg["split"]["method"] == "segment-random":
        return _write_metrics(run, {"dataset": cfg["dataset"], "split": "segment-random",
                                    "model": cfg["model"], **_segment_random_test(run, progress),
                                    "warning": "segment-random split: the test segments come "
                                               "from tracks whose other segments were trained on"},
                              "metrics")
    baseline = {}
    if dataset is None:
        tracks = data.load_recorded(cfg, progress=progress)
        split_ids = json.loads((run.path / "split.json").read_text())
        if run.stats_model is None:      # no ensemble: fit the baseline SVM for comparison
            baseline = _baseline_svm(run, tracks, split_ids, progress)
        tracks = tracks[tracks["track_id"].isin(split_ids["test"])]
        stem, name, split = "metrics", cfg["dataset"], cfg["split"]["method"]
    else:
        tracks = data.load_dataset(dataset, min_per_genre=1, progress=progress)
        name = str(dataset)
        stem = f"eval_{Path(name).name if os.sep in name or Path(name).is_dir() else name}"
        split = "all tracks (external)"
    metrics = {"dataset": name, "split": split, "model": cfg["model"],
               **evaluate_tracks(run, tracks, progress=progress), **baseline}
    n, (lo, hi) = metrics["n_test_tracks"], metrics["track_accuracy_ci95"]
    if n < MIN_TEST_TRACKS_PER_GENRE * len(run.genres):
        metrics["warning"] = (f"{n} test tracks for {len(run.genres)} genres: one track is "
                              f"{1 / n:.0%} of accuracy and the 95 % interval spans "
                              f"{lo:.0%}-{hi:.0%}, too few to rank models on this data")
        logger.warning("%s: %s", run.path.name, metrics["warning"])
    return _write_metrics(run, metrics, stem)


def baseline_svm_correct(fit: pd.DataFrame, test: pd.DataFrame, *, genres: Sequence[str],
                         seed: int = config.SEED, progress: bool = True) -> pd.Series:
    """Lesson 02's bar, track by track: the SVM on track statistics
    (:func:`course_utils.classical.fit_stats_model`) fitted on the tracks of ``fit`` and
    judged by its own decision on the tracks of ``test``: True where it is right (index:
    ``track_id``), for a paired comparison with a model on the same tracks."""
    from . import classical, features
    fs = features.extract(list(fit["path"]) + list(test["path"]), kinds=("stats",),
                          progress=progress)
    X, y, _ = classical.track_stats(fit, fs, genres)
    X_test, y_test, ids = classical.track_stats(test, fs, genres)
    model = classical.fit_stats_model(X, y, seed=seed)
    return pd.Series(classical.svm_decision(model, X_test) == y_test, index=ids, name="svm right")


def baseline_svm(fit: pd.DataFrame, test: pd.DataFrame, *, genres: Sequence[str],
                 seed: int = config.SEED, progress: bool = True) -> float:
    """Track accuracy of lesson 02's bar (:func:`baseline_svm_correct`, averaged).

    This is the ``svm_track_accuracy`` that a run records, with ``fit`` its training and
    validation tracks; a lesson calls it to draw the bar for a split it made itself.
    """
    return float(baseline_svm_correct(fit, test, genres=genres, seed=seed,
                                      progress=progress).mean())


def _baseline_svm(run: Run, tracks: pd.DataFrame, split_ids: dict, progress: bool) -> dict:
    """``svm_track_accuracy`` of a run without a statistics model: :func:`baseline_svm`
    fitted on the run's training and validation tracks, scored on its test tracks."""
    part = lambda names: tracks[tracks["track_id"].isin(
        [t for n in names for t in split_ids[n]])]
    return {"svm_track_accuracy": baseline_svm(part(("train", "val")), part(("test",)),
                                               genres=run.genres,
                                               seed=run.config.get("seed", config.SEED),
                                               progress=progress)}


def _segment_random_test(run: Run, progress: bool) -> dict:
    """Score the held-out *segments* of a segment-random run (rebuilt from its split)."""
    from . import models
    cfg, split = run.config, run.config["split"]
    with warnings.catch_warnings():   # the split warned when the run was trained
        warnings.simplefilter("ignore", UserWarning)
        test = segments.prepare(split="segment-random", seed=split["seed"],
                                tracks=data.load_recorded(cfg, progress=progress),
                                val_size=split.get("val_size", config.VAL_SIZE),
                                test_size=split.get("test_size", config.TEST_SIZE),
                                inputs=cfg["inputs"], progress=progress).test
    seg_probs = models.predict_segments(run.model, cfg["model"], test.X)
    return _track_metrics(seg_probs, test.labels, test.track_ids, genres=run.genres)


def _write_metrics(run: Run, metrics: dict, stem: str) -> dict:
    """Write ``<stem>.json`` and its confusion figure beside the run."""
    cfg = run.config
    name = metrics["dataset"]
    (run.path / f"{stem}.json").write_text(json.dumps(metrics, indent=1))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    plot_confusion(metrics["confusion_matrix"], run.genres, ax=axes[0])
    plot_confusion(metrics["confusion_matrix"], run.genres, normalize=True, ax=axes[1])
    fig.suptitle(f"{cfg['model']} on {name}: track accuracy {metrics['track_accuracy']:.1%}")
    fig.tight_layout()
    fig.savefig(run.path / ("confusion.png" if stem == "metrics" else f"{stem}_confusion.png"),
                dpi=80)
    plt.close(fig)
    return metrics


def assert_above_chance(accuracy: float, num_classes: int, *, margin: float = 0.2,
                        what: str = "model", dataset: str | None = None) -> None:
    """Check that a trained model beats chance plus ``margin``: strict on the synthetic set only.

    Lessons call this after every training cell: nbval does not compare
    training output, so this is what stops a silently broken model. On the
    course's synthetic set (the default, and what CI runs) every model can
    learn, so a model at chance is a bug, and this raises. On any other data
    (GTZAN, a folder of the learner's music) a model at chance can be what the
    data shows (too few tracks, genres that sound alike, a test set too small
    to measure), so this prints what this data showed and the lesson goes on.

    Parameters
    ----------
    accuracy : float in [0, 1]
    num_classes : int
    margin : float
        How far above chance (``1 / num_classes``) the accuracy must be.
    what : str
        The model's name, for the message.
    dataset : str or None
        The data the model was trained on; ``None`` means the lessons' dataset,
        ``config.default_dataset()``.

    Raises
    ------
    CourseError
        ``"model did not learn: ..."`` with the numbers, on the synthetic set only.

    Examples
    --------
    >>> assert_above_chance(0.9, 10)
    OK: model accuracy 90.0% is above chance (10.0%) by more than 20%.
    >>> assert_above_chance(0.12, 10)
    Traceback (most recent call last):
    ...
    course_utils.exceptions.CourseError: model did not learn: accuracy 12.0% is not above chance (10.0%) + margin 20%. Check the data, the labels and the learning rate.
    >>> assert_above_chance(0.12, 10, dataset="~/music/gtzan")
    On this data (~/music/gtzan), model accuracy 12.0% is not above chance (10.0%) + margin 20%. On the synthetic set that would stop the lesson as a bug; on real recordings it can be what the data shows (few tracks a genre, genres that sound alike, a test set too small to measure). The lesson goes on: read the figures that follow as this data's.
    """
    chance = 1.0 / num_classes
    dataset = str(dataset or config.default_dataset())
    if accuracy > chance + margin:
        print(f"OK: {what} accuracy {accuracy:.1%} is above chance ({chance:.1%}) by more "
              f"than {margin:.0%}.")
        return
    if dataset == "synthetic":
        raise CourseError(f"{what} did not learn: accuracy {accuracy:.1%} is not above chance "
                          f"({chance:.1%}) + margin {margin:.0%}. Check the data, the labels "
                          "and the learning rate.")
    print(f"On this data ({dataset}), {what} accuracy {accuracy:.1%} is not above chance "
          f"({chance:.1%}) + margin {margin:.0%}. On the synthetic set that would stop the "
          "lesson as a bug; on real recordings it can be what the data shows (few tracks a "
          "genre, genres that sound alike, a test set too small to measure). The lesson goes "
          "on: read the figures that follow as this data's.")
