"""Tests for the checks of lesson 09_applications (course_utils.checks.lesson09): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import numpy as np

from course_utils import checks
from fakes import not_done
from solution_code import exercises


def _coverage(conf, correct):
    order = np.argsort(-np.asarray(conf))
    n = len(order)
    return np.arange(1, n + 1) / n, np.cumsum(np.asarray(correct)[order]) / np.arange(1, n + 1)


def test_check_9_1_accuracy_by_coverage():
    from course_utils import classical

    def ascending(conf, correct):                     # least confident first
        order = np.argsort(conf)
        n = len(order)
        return np.arange(1, n + 1) / n, np.cumsum(correct[order]) / np.arange(1, n + 1)

    def counts(conf, correct):                        # a running count, not an accuracy
        order = np.argsort(-conf)
        return np.arange(1, len(conf) + 1) / len(conf), np.cumsum(correct[order])

    def library(conf, correct):
        curve = classical.coverage_curve(np.stack([conf, 1 - conf], 1), 1 - correct)
        return curve["coverage"], curve["accuracy"]

    assert checks.check_exercise_9_1(_coverage) is True
    for wrong in (ascending, counts, library):
        assert checks.check_exercise_9_1(wrong) is False, wrong.__name__
    assert checks.check_exercise_9_1(not_done) is None


def _precision_at_k(X, labels, *, k=5):
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    sim = U @ U.T
    np.fill_diagonal(sim, -np.inf)
    return float((labels[np.argsort(-sim, axis=1)[:, :k]] == labels[:, None]).mean())


def test_check_9_2_precision_at_k():
    def with_itself(X, labels, *, k=5):               # the track is its own nearest neighbour
        U = X / np.linalg.norm(X, axis=1, keepdims=True)
        return float((labels[np.argsort(-(U @ U.T), axis=1)[:, :k]] == labels[:, None]).mean())

    def euclidean(X, labels, *, k=5):
        d = ((X[:, None] - X[None]) ** 2).sum(-1)
        np.fill_diagonal(d, np.inf)
        return float((labels[np.argsort(d, axis=1)[:, :k]] == labels[:, None]).mean())

    assert checks.check_exercise_9_2(_precision_at_k) is True
    assert checks.check_exercise_9_2(with_itself) is False
    assert checks.check_exercise_9_2(euclidean) is False


def test_check_9_3_smooth():
    import scipy.ndimage

    from course_utils import apps

    def smooth(P, *, windows=5):
        h = windows // 2
        Q = np.pad(P, ((h, h), (0, 0)), mode="edge")
        return np.stack([Q[i:i + windows].mean(axis=0) for i in range(len(P))])

    def zero_edges(P, *, windows=5):                  # np.convolve pads with zeros
        kernel = np.ones(windows) / windows
        return np.stack([np.convolve(P[:, j], kernel, mode="same") for j in range(P.shape[1])], 1)

    def scipy_call(P, *, windows=5):
        return scipy.ndimage.uniform_filter1d(P, size=windows, axis=0, mode="nearest")

    def library(P, *, windows=5):
        return apps.smooth(P, windows=windows)

    assert checks.check_exercise_9_3(smooth) is True
    for wrong in (zero_edges, scipy_call, library):
        assert checks.check_exercise_9_3(wrong) is False, wrong.__name__


def test_a_lesson_uses_the_learners_code_only_once_its_check_passed(capsys):
    mine, library = object(), object()
    checks.check_exercise_9_2(not_done)
    assert checks.mine_or_library("9.2", mine, library, "precision@k") is library
    assert "not solved yet" in capsys.readouterr().out
    checks.check_exercise_9_2(_precision_at_k)
    assert checks.mine_or_library("9.2", mine, library, "precision@k") is mine


def test_check_9_4_change_points():
    from course_utils import apps
    change_points = exercises("09")["change_points"]
    assert checks.check_exercise_9_4(change_points) is True

    def every_flip(starts, labels, *, window=3.0, min_run=3):      # no confirmation
        return [float((starts[i - 1] + starts[i]) / 2 + window / 2)
                for i in range(1, len(labels)) if labels[i] != labels[i - 1]]

    def at_window_start(starts, labels, *, window=3.0, min_run=3):  # not between the centres
        points, current = [], labels[0]
        for i in range(1, len(labels)):
            ahead = labels[i:i + min_run]
            if labels[i] != current and len(ahead) == min_run and len(set(ahead)) == 1:
                points.append(float(starts[i]))
                current = labels[i]
        return points

    def calls_the_library(starts, labels, *, window=3.0, min_run=3):
        return apps.change_points(starts, labels, window=window, min_run=min_run)

    for wrong in (every_flip, at_window_start, calls_the_library):
        assert checks.check_exercise_9_4(wrong) is False, wrong.__name__
    assert checks.check_exercise_9_4(not_done) is None


def test_lesson_09_change_points_are_the_library_ones():
    from course_utils import apps
    change_points = exercises("09")["change_points"]
    rng = np.random.default_rng(3)
    for _ in range(50):
        labels = list(rng.choice(list("abc"), size=40, p=[0.6, 0.3, 0.1]))
        starts = np.arange(40) * 1.5
        for min_run in (1, 2, 4):
            assert change_points(starts, labels, min_run=min_run) == \
                apps.change_points(starts, labels, min_run=min_run)
