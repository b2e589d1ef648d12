"""Checks of lesson 09_applications."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import close, exercise, expect, write_it_yourself


@exercise("9.1")
def check_exercise_9_1(accuracy_by_coverage: Callable) -> None:
    """Verifies ``accuracy_by_coverage(confidence, correct)`` against a reference on 200 random
    tracks and on a hand-made case: tracks sorted from most to least confident, and for the
    first n of them (n = 1..N) the coverage n / N and their accuracy. Sorting the wrong way,
    counting instead of averaging, or calling ``classical.coverage_curve`` fails."""
    from .. import classical
    accuracy_by_coverage = write_it_yourself(accuracy_by_coverage, [classical],
                                             "the accuracy-coverage curve")
    conf = np.array([0.5, 0.9, 0.7, 0.6])
    correct = np.array([False, True, False, True])
    cov, acc = map(np.asarray, accuracy_by_coverage(conf, correct))
    want_cov, want_acc = [0.25, 0.5, 0.75, 1.0], [1.0, 0.5, 2 / 3, 0.5]
    expect(close(cov, want_cov) and close(acc, want_acc),
           expected=f"coverage {want_cov}, accuracy {np.round(want_acc, 3).tolist()}",
           actual=f"coverage {np.round(cov, 3).tolist()}, accuracy {np.round(acc, 3).tolist()}",
           hint="order = np.argsort(-confidence); accuracy = np.cumsum(correct[order]) / "
                "np.arange(1, N + 1).")
    rng = np.random.default_rng(9)
    conf = rng.uniform(0.1, 1.0, 200)
    correct = rng.uniform(size=200) < conf
    order = np.argsort(-conf)
    cov, acc = map(np.asarray, accuracy_by_coverage(conf, correct))
    want = np.cumsum(correct[order]) / np.arange(1, 201)
    expect(close(acc, want) and close(cov, np.arange(1, 201) / 200),
           expected="the reference curve on 200 random tracks", actual="another curve",
           hint="most confident first; the last point covers every track.")


@exercise("9.2")
def check_exercise_9_2(precision_at_k: Callable) -> None:
    """Verifies ``precision_at_k(X, labels, k=...)`` against a reference on random vectors
    (cosine distance, leave-one-out): for every track, the share of its k nearest *other*
    tracks with the same label, averaged. Counting the track as its own neighbour, or
    ranking by Euclidean distance, fails."""
    X = np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 1.0], [0.1, 1.0]])
    labels = np.array([0, 0, 1, 1])
    got = float(precision_at_k(X, labels, k=1))
    expect(abs(got - 1.0) < 1e-6, expected="1.0 (by angle, each track's nearest other shares "
           "its label)", actual=round(got, 4),
           hint="cosine distance: normalise each row to length 1, then similarity = X @ X.T; "
                "leave the track itself out (set its own similarity to -inf).")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 8))
    labels = rng.integers(0, 4, 60)
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    sim = U @ U.T
    np.fill_diagonal(sim, -np.inf)
    for k in (1, 5):
        nearest = np.argsort(-sim, axis=1)[:, :k]
        want = float((labels[nearest] == labels[:, None]).mean())
        got = float(precision_at_k(X, labels, k=k))
        expect(abs(got - want) < 1e-6, expected=f"{want:.4f} for k={k}", actual=round(got, 4),
               hint="k nearest others by cosine similarity, then the share with the same label.")


@exercise("9.3")
def check_exercise_9_3(smooth: Callable) -> None:
    """Verifies ``smooth(P, windows=...)`` against a centred moving average whose edges repeat
    the first and last window (``scipy.ndimage.uniform_filter1d(..., mode="nearest")``), on a
    (12, 3) array for windows 3 and 5: a plain ``np.convolve(..., "same")`` (zeros past the
    edges) or calling the library's smoother fails."""
    import scipy.ndimage
    from scipy.ndimage import uniform_filter1d

    from .. import apps
    smooth = write_it_yourself(smooth, [scipy.ndimage, apps], "the moving average")
    rng = np.random.default_rng(4)
    P = rng.dirichlet(np.ones(3), 12)
    for w in (3, 5):
        got = np.asarray(smooth(P, windows=w), dtype=float)
        want = uniform_filter1d(P, size=w, axis=0, mode="nearest")
        expect(close(got, want), expected=f"the {w}-window average, shape {want.shape}, first "
               f"row {np.round(want[0], 3).tolist()}",
               actual=f"shape {got.shape}, first row {np.round(got[0], 3).tolist()}",
               hint="pad with the edge rows (np.pad(P, ((w // 2, w // 2), (0, 0)), "
                    "mode='edge')), then average each run of w rows.")


@exercise("9.4")
def check_exercise_9_4(change_points: Callable) -> None:
    """Verifies ``change_points(starts, labels, window=..., min_run=...)`` against the
    library's ``apps.change_points`` on six label sequences (windows 1.5 s apart): a clean
    change (at the midpoint between the two windows' centres), a one-window flicker that must
    not count, a change back, a change too close to the end to confirm, no change at all and
    three genres in turn; calling the library fails."""
    from .. import apps
    change_points = write_it_yourself(change_points, [apps], "the change points")
    starts = np.arange(12) * 1.5
    cases = ["aaaaaabbbbbb", "aaaabaaaaaaa", "aaaabbbbaaaa", "aaaaaaaaaabb", "aaaaaaaaaaaa",
             "aaabbbcccaaa"]
    for labels in cases:
        for min_run in (2, 3):
            want = apps.change_points(starts, list(labels), window=3.0, min_run=min_run)
            got = [round(float(t), 6) for t in change_points(starts, list(labels), window=3.0,
                                                               min_run=min_run)]
            expect(got == [round(t, 6) for t in want],
                   expected=f"{want} for {labels} (min_run={min_run})", actual=got,
                   hint="a change counts when label i differs from the current genre and the "
                        "min_run labels from i on are all the new one; it lies halfway between "
                        "the centres of windows i-1 and i (start + window / 2).")
