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


def test_check_6_8_vote_accuracy(capsys):
    vote_accuracy = exercises("06")["vote_accuracy"]
    assert checks.check_exercise_6_8(vote_accuracy) is True

    def smallest_on_tie(seg_probs, seg_true, track_ids):     # np.bincount(...).argmax()
        return float(np.mean([np.bincount(seg_probs[track_ids == t].argmax(1)).argmax()
                              == seg_true[track_ids == t][0] for t in np.unique(track_ids)]))

    def mean_rule(seg_probs, seg_true, track_ids):           # not a vote at all
        return float(np.mean([seg_probs[track_ids == t].mean(0).argmax()
                              == seg_true[track_ids == t][0] for t in np.unique(track_ids)]))

    segment_accuracy = lambda p, t, ids: float(np.mean(p.argmax(1) == t))
    for wrong in (smallest_on_tie, mean_rule, segment_accuracy):
        assert checks.check_exercise_6_8(wrong) is False, wrong.__name__
    assert checks.check_exercise_6_8(not_done) is None
    assert "not done yet" in capsys.readouterr().out


def test_check_6_9_mcnemar_test():
    mcnemar_test = exercises("06")["mcnemar_test"]
    assert checks.check_exercise_6_9(mcnemar_test) is True

    def one_sided(a, b):
        import math
        a_only, b_only = int((a & ~b).sum()), int((~a & b).sum())
        n = a_only + b_only
        return a_only, b_only, sum(math.comb(n, k) for k in range(min(a_only, b_only) + 1)) / 2**n

    def counts_everything(a, b):                              # agreements as evidence
        _, _, p = mcnemar_test(a, b)
        return int(a.sum()), int(b.sum()), p

    def typed_in(a, b):
        return 6, 1, 0.125

    for wrong in (one_sided, counts_everything, typed_in):
        assert checks.check_exercise_6_9(wrong) is False, wrong.__name__
    assert checks.check_exercise_6_9(not_done) is None


def test_check_6_10_leak_share():
    leak_share = exercises("06")["leak_share"]
    assert checks.check_exercise_6_10(leak_share) is True
    distinct = lambda tr, te, col: len(set(tr[col].dropna()) & set(te[col].dropna())) \
        / te[col].nunique()                                    # distinct values, not tracks
    keeps_missing = lambda tr, te, col: float(te[col].isin(set(tr[col])).mean())
    as_set = lambda tr, te, col: set(tr[col].dropna()) & set(te[col].dropna())
    for wrong in (distinct, keeps_missing, as_set):
        assert checks.check_exercise_6_10(wrong) is False
    assert checks.check_exercise_6_10(not_done) is None
