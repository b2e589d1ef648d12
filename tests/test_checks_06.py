"""Tests for the checks of lesson 06_evaluation (course_utils.checks.lesson06): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from course_utils import checks, evaluate, experiments
from course_utils.checks import lesson06
from course_utils.exceptions import CourseError
from fakes import not_done
from solution_code import exercises


def _vote_accuracy(seg_pred, seg_true, track_ids):
    correct = []
    for track in np.unique(track_ids):
        mine = track_ids == track
        correct.append(np.bincount(seg_pred[mine]).argmax() == seg_true[mine][0])
    return float(np.mean(correct))


def test_check_6_1_vote_accuracy(capsys):
    assert checks.check_exercise_6_1(_vote_accuracy) is True
    segment_accuracy = lambda p, t, ids: float(np.mean(p == t))
    assert checks.check_exercise_6_1(segment_accuracy) is False
    largest_on_tie = lambda p, t, ids: float(np.mean([
        (len(c := np.bincount(p[ids == k])) - 1 - c[::-1].argmax()) == t[ids == k][0]
        for k in np.unique(ids)]))
    assert checks.check_exercise_6_1(largest_on_tie) is False
    assert checks.check_exercise_6_1(not_done) is None
    assert "not done yet" in capsys.readouterr().out


def test_check_6_2_per_genre_scores():
    per_genre_scores = exercises("06")["per_genre_scores"]

    def swapped(cm):                                  # rows read as predictions
        return per_genre_scores(np.asarray(cm).T)

    def arithmetic_f1(cm):
        p, r, _ = per_genre_scores(cm)
        return p, r, (p + r) / 2

    def nan_on_empty(cm):                             # 0 / 0 left as NaN
        cm = np.asarray(cm, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            p, r = np.diag(cm) / cm.sum(0), np.diag(cm) / cm.sum(1)
            return p, r, 2 * p * r / (p + r)

    def calls_sklearn(cm):
        from sklearn.metrics import precision_recall_fscore_support
        n = len(cm)
        y_true = np.repeat(np.repeat(np.arange(n), n), np.ravel(cm))
        y_pred = np.repeat(np.tile(np.arange(n), n), np.ravel(cm))
        return precision_recall_fscore_support(y_true, y_pred, labels=range(n),
                                               zero_division=0)[:3]

    assert checks.check_exercise_6_2(per_genre_scores) is True
    for wrong in (swapped, arithmetic_f1, nan_on_empty, calls_sklearn):
        assert checks.check_exercise_6_2(wrong) is False, wrong.__name__
    assert checks.check_exercise_6_2(not_done) is None


def _bootstrap_interval(correct, *, n_boot=2000, level=0.95, seed=42):
    correct = np.asarray(correct, dtype=float)
    rng = np.random.default_rng(seed)
    means = correct[rng.integers(0, len(correct), (n_boot, len(correct)))].mean(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def test_check_6_3_bootstrap_interval():
    assert checks.check_exercise_6_3(_bootstrap_interval) is True
    other_seed = lambda c, level=0.95, seed=42, n_boot=2000: _bootstrap_interval(
        c, level=level, seed=seed + 7, n_boot=n_boot)
    assert checks.check_exercise_6_3(other_seed) is True          # another draw is fine
    ignores_level = lambda c, level=0.95, seed=42, n_boot=2000: _bootstrap_interval(
        c, seed=seed, n_boot=n_boot)
    assert checks.check_exercise_6_3(ignores_level) is False
    too_narrow = lambda c, level=0.95, seed=42, n_boot=2000: (np.mean(c) - 0.01,
                                                              np.mean(c) + 0.01)
    assert checks.check_exercise_6_3(too_narrow) is False

    def wald(correct, *, level=0.95, seed=42, n_boot=2000):   # close, but a formula
        from scipy.stats import norm
        p, n = np.mean(correct), len(correct)
        half = norm.ppf(0.5 + level / 2) * np.sqrt(p * (1 - p) / n)
        return p - half, p + half
    assert checks.check_exercise_6_3(wald) is False

    def library(correct, *, level=0.95, seed=42, n_boot=2000):
        return evaluate.bootstrap_ci(correct, level=level, seed=seed)
    assert checks.check_exercise_6_3(library) is False

    def unseeded_rng(correct, *, level=0.95, seed=42, n_boot=2000):   # ignores its seed
        return _bootstrap_interval(correct, level=level, n_boot=n_boot,
                                   seed=int(np.random.default_rng().integers(10**6)))
    assert checks.check_exercise_6_3(unseeded_rng) is False
    assert checks.check_exercise_6_3(not_done) is None


def test_check_6_4_n_needed():
    import math
    reference = lambda p, w, z=1.96: math.ceil(z**2 * p * (1 - p) / w**2)
    assert checks.check_exercise_6_4(reference) is True
    assert checks.check_exercise_6_4(lambda p, w, z=1.96: int(z * p * (1 - p) / w**2)) is False
    assert checks.check_exercise_6_4(lambda p, w, z=1.96: round(z**2 * p * (1 - p) / w**2)) \
        is False                                                       # rounded, not up
    assert checks.check_exercise_6_4(lambda p, w, z=1.96: 323) is False      # typed in
    assert checks.check_exercise_6_4(not_done) is None


def test_check_6_5_shared_values():
    reference = lambda tr, te, col="track_id": set(tr[col].dropna()) & set(te[col].dropna())
    assert checks.check_exercise_6_5(reference) is True
    keeps_missing = lambda tr, te, col="track_id": set(tr[col]) & set(te[col])
    assert checks.check_exercise_6_5(keeps_missing) is False
    union = lambda tr, te, col="track_id": set(tr[col].dropna()) | set(te[col].dropna())
    assert checks.check_exercise_6_5(union) is False
    as_bool = lambda tr, te, col="track_id": bool(reference(tr, te, col))
    assert checks.check_exercise_6_5(as_bool) is False
    assert checks.check_exercise_6_5(not_done) is None


def test_check_6_6_artist_folds():
    from sklearn.model_selection import GroupKFold, StratifiedKFold
    artist_folds = exercises("06")["artist_folds"]

    def ignores_artists(tracks, *, n_folds, seed):    # stratified, but artists split
        cv = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        return [list(tracks["track_id"].iloc[test])
                for _, test in cv.split(tracks, tracks["genre"])]

    def drops_unknown(tracks, *, n_folds, seed):      # a track without an artist is lost
        known = tracks.dropna(subset=["artist"])
        cv = GroupKFold(n_splits=n_folds)
        return [list(known["track_id"].iloc[test])
                for _, test in cv.split(known, known["genre"], known["artist"])]

    def fixed_seed(tracks, *, n_folds, seed):
        return artist_folds(tracks, n_folds=n_folds, seed=0)

    assert checks.check_exercise_6_6(artist_folds) is True
    for wrong in (ignores_artists, drops_unknown, fixed_seed):
        assert checks.check_exercise_6_6(wrong) is False, wrong.__name__
    assert checks.check_exercise_6_6(not_done) is None


def test_check_6_7_cross_validate():
    import json
    cross_validate = exercises("06")["cross_validate"]
    assert checks.check_exercise_6_7(cross_validate) is True
    assert checks.check_exercise_6_7(experiments.cross_validate) is False  # the library twin

    def table(train_fold, folds, *, track_key="track_accuracy"):   # never looks for leaks
        rows = [json.loads((train_fold(k) / "metrics.json").read_text()) for k in folds]
        return pd.DataFrame({"test tracks": [m["n_test_tracks"] for m in rows],
                             "segment accuracy": [m["segment_accuracy"] for m in rows],
                             "track accuracy": [m[track_key] for m in rows]})

    def skips_fold_0(n_folds, train_fold):
        return table(train_fold, range(1, n_folds))

    def trusts_the_split(n_folds, train_fold):    # the right table, but never looks for leaks
        return table(train_fold, range(n_folds))

    def validation_scores(n_folds, train_fold):
        return table(train_fold, range(n_folds), track_key="val_track_accuracy")

    for wrong in (skips_fold_0, trusts_the_split, validation_scores):
        assert checks.check_exercise_6_7(wrong) is False, wrong.__name__
    assert checks.check_exercise_6_7(not_done) is None


def test_lesson_06_loop_is_the_library_loop(tmp_path):
    """The reference 6.7 and experiments.cross_validate: the same table, the same leaks refused."""
    cross_validate = exercises("06")["cross_validate"]
    tests = [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]]
    for leak in (None, 2):
        root = tmp_path / f"leak{leak}"
        root.mkdir()
        dirs = lesson06._fake_folds(root, tests, leak=leak)
        results = []
        for fn in (cross_validate, experiments.cross_validate):
            try:
                results.append(fn(4, lambda k: dirs[k]))
            except (CourseError, ValueError) as err:   # "fold 2 ...: test track e is also ..."
                results.append(re.search(r"^fold (\d+).*test track (\S+) is also (in|among) its own",
                                         str(err)).groups())
        if leak is None:
            pd.testing.assert_frame_equal(results[0], results[1])
        else:
            assert results[0] == results[1] == ("2", "e", results[0][2]), results
