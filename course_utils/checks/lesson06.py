"""Checks of lesson 06_evaluation."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import CheckFailed, close, exercise, expect, write_it_yourself


@exercise("6.2")
def check_exercise_6_2(per_genre_scores: Callable) -> None:
    """Verifies ``per_genre_scores(cm)`` (precision, recall and F1 of every class, true
    classes on the rows) against scikit-learn on two non-symmetric confusion matrices, one
    with a class that is never predicted and one with a class that has no tracks (scores
    0, not NaN), without calling scikit-learn's or the course's scoring functions."""
    import sklearn.metrics
    from sklearn.metrics import precision_recall_fscore_support

    from .. import evaluate
    per_genre_scores = write_it_yourself(per_genre_scores, [sklearn.metrics, evaluate.scores],
                                         "the scores")
    for cm in (np.array([[5, 2, 0, 1], [1, 3, 0, 0], [0, 4, 0, 2], [0, 0, 0, 6]]),
               np.array([[7, 1, 2], [0, 0, 0], [3, 1, 4]])):
        n = len(cm)
        y_true = np.repeat(np.repeat(np.arange(n), n), cm.ravel())
        y_pred = np.repeat(np.tile(np.arange(n), n), cm.ravel())
        want = precision_recall_fscore_support(y_true, y_pred, labels=range(n),
                                               zero_division=0)[:3]
        got = per_genre_scores(cm)
        expect(len(got) == 3, expected="three arrays: precision, recall, F1", actual=len(got),
               hint="return precision, recall, f1.")
        for name, g, w in zip(("precision", "recall", "F1"), got, want):
            g = np.asarray(g, dtype=float)
            expect(not np.isnan(g).any(), expected=f"no NaN in {name}", actual=g.round(3),
                   hint="a class never predicted (or never true) scores 0, not 0/0.")
            expect(close(g, w), expected=f"{name} {np.round(w, 3).tolist()}",
                   actual=np.round(g, 3).tolist(),
                   hint={"precision": "precision divides the diagonal by the column sums "
                                      "(what was predicted).",
                         "recall": "recall divides the diagonal by the row sums (what was "
                                   "true).",
                         "F1": "F1 is the harmonic mean 2PR / (P + R), not (P + R) / 2."}[name])


@exercise("6.3")
def check_exercise_6_3(bootstrap_interval: Callable) -> None:
    """Verifies ``bootstrap_interval(correct, level=..., seed=...)`` against
    ``evaluate.bootstrap_ci`` on 45 and 300 per-track results at levels 0.95 and 0.5, within
    0.02 or one and a half tracks (random draws differ); that the same seed gives the same
    interval and other seeds other ones (a bootstrap resamples: a formula does not); and
    that it does not call ``evaluate.bootstrap_ci``."""
    import scipy.stats

    from .. import evaluate
    bootstrap_interval = write_it_yourself(bootstrap_interval, [evaluate, scipy.stats.bootstrap],
                                           "a bootstrap")
    for n_right, n in ((30, 45), (210, 300)):
        correct = np.arange(n) < n_right
        for level in (0.95, 0.5):
            want = evaluate.bootstrap_ci(correct, level=level)
            got = bootstrap_interval(correct, level=level)
            tolerance = max(0.02, 1.5 / n)     # resamples differ by a track or so
            expect(close(np.asarray(got, float), want, rtol=0, atol=tolerance),
                   expected=f"about ({want[0]:.3f}, {want[1]:.3f}) for {n_right}/{n} correct "
                            f"at level {level}", actual=got,
                   hint="resample indices with replacement (n_boot x n), average each row, "
                        "take the (1-level)/2 and 1-(1-level)/2 quantiles.")
    correct = np.arange(300) < 211
    # few resamples: every seed gives its own ends (two unseeded draws can still share them
    # by chance, so the same seed is asked four times)
    draws = [tuple(np.round(bootstrap_interval(correct, level=0.9, seed=seed, n_boot=100), 9))
             for seed in (1, 1, 1, 1, 2, 3, 4)]
    expect(len(set(draws[:4])) == 1, expected="the same interval for the same seed",
           actual=f"{', '.join(map(str, dict.fromkeys(draws[:4])))} for seed 1",
           hint="draw every random number from np.random.default_rng(seed).")
    expect(len(set(draws)) > 1, expected="intervals that move a little with the seed",
           actual=f"{draws[0]} for seeds 1 to 4",
           hint="resample with rng.integers: a formula (e.g. p ± 1.96·√(p(1-p)/n)) is not "
                "a bootstrap.")


@exercise("6.6")
def check_exercise_6_6(artist_folds: Callable) -> None:
    """Verifies ``artist_folds(tracks, n_folds=..., seed=...)`` on a made-up table of 10
    genres with artists of 2 to 6 tracks (and a track without an artist): every track in
    exactly one test fold, no artist in two folds, each genre spread over the folds, and
    the folds of ``data.split_tracks(method="kfold")`` for the same seed, which the
    lesson's runs use, without calling the library's split rules."""
    import pandas as pd

    from ..data import splits, split_tracks
    artist_folds = write_it_yourself(artist_folds, [splits], "the folds")
    rng = np.random.default_rng(5)
    rows = []
    for g in range(10):
        for a in range(6):
            rows += [(f"genre{g}", f"genre{g}-a{a}")] * int(rng.integers(2, 7))
    tracks = pd.DataFrame(rows, columns=["genre", "artist"])
    tracks["track_id"] = [f"{g}.{i:05d}" for i, g in enumerate(tracks["genre"])]
    tracks.loc[0, "artist"] = None                       # an unknown artist: its own group
    for n_folds, seed in ((5, 42), (3, 0)):
        folds = [list(f) for f in artist_folds(tracks, n_folds=n_folds, seed=seed)]
        expect(len(folds) == n_folds, expected=f"{n_folds} folds", actual=len(folds),
               hint="one list of test track ids per fold.")
        flat = [t for f in folds for t in f]
        expect(sorted(flat) == sorted(tracks["track_id"]),
               expected="every track in exactly one test fold",
               actual=f"{len(flat)} ids, {len(set(flat))} distinct",
               hint="StratifiedGroupKFold's test indices cover every row once.")
        artist_of = dict(zip(tracks["track_id"], tracks["artist"].fillna(tracks["track_id"])))
        owners = {}
        for k, f in enumerate(folds):
            for t in f:
                owners.setdefault(artist_of[t], set()).add(k)
        split_artists = sorted(a for a, ks in owners.items() if len(ks) > 1)
        expect(not split_artists, expected="each artist's tracks in one fold",
               actual=f"{len(split_artists)} artists in two folds, e.g. {split_artists[:2]}",
               hint="groups=tracks['artist'] (a track without an artist is its own group).")
        want = [sorted(split_tracks(tracks, method="kfold", folds=n_folds, fold=k,
                                    seed=seed).test["track_id"]) for k in range(n_folds)]
        expect([sorted(f) for f in folds] == want,
               expected="the folds of data.split_tracks(method='kfold') for the same seed",
               actual="other (perhaps valid) folds",
               hint="StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)"
                    ".split(tracks, tracks['genre'], groups).")



def _fake_folds(root, tests: list[list[str]], *, leak: int | None = None) -> list:
    """Run folders of a made-up 3-fold CV of 9 tracks: ``split.json`` and ``metrics.json``;
    ``leak`` puts fold ``leak``'s first test track into its own training tracks too."""
    import json
    from pathlib import Path
    everyone = sorted(t for fold in tests for t in fold)
    dirs = []
    for k, test in enumerate(tests):
        d = Path(root) / f"fold{k}"
        d.mkdir()
        rest = [t for t in everyone if t not in test]
        split = {"train": rest[1:] + ([test[0]] if k == leak else []), "val": rest[:1],
                 "test": test}
        metrics = {"n_test_tracks": len(test), "segment_accuracy": 0.5 + 0.1 * k,
                   "track_accuracy": 0.6 + 0.1 * k, "val_track_accuracy": 0.1}
        (d / "split.json").write_text(json.dumps(split))
        (d / "metrics.json").write_text(json.dumps(metrics))
        dirs.append(d)
    return dirs


@exercise("6.7")
def check_exercise_6_7(cross_validate: Callable) -> None:
    """Verifies ``cross_validate(n_folds, train_fold)`` on made-up run folders of a 3-fold
    cross-validation: ``train_fold`` called once per fold, in order 0, 1, 2; one row per fold
    with the test tracks and the segment and track accuracies of each run's ``metrics.json``;
    and an error that names the track when a fold's test track is also among its own training
    tracks, or in an earlier fold's test set (both read from ``split.json``); without calling
    ``experiments.cross_validate``."""
    import tempfile

    from .. import experiments
    cross_validate = write_it_yourself(cross_validate, [experiments.cross_validate], "the loop")
    tests = [["t0", "t1", "t2"], ["t3", "t4", "t5"], ["t6", "t7", "t8"]]
    with tempfile.TemporaryDirectory() as root:
        dirs = _fake_folds(root, tests)
        calls = []
        table = cross_validate(3, lambda k: calls.append(k) or dirs[k])
        expect(calls == [0, 1, 2], expected="train_fold called with 0, 1, 2", actual=calls,
               hint="for k in range(n_folds): run_dir = train_fold(k).")
        columns = ["test tracks", "segment accuracy", "track accuracy"]
        missing = [c for c in columns if c not in getattr(table, "columns", [])]
        expect(not missing, expected=f"a DataFrame with the columns {columns}",
               actual=f"missing {missing}", hint="one dict per fold, then pd.DataFrame(rows).")
        got = table[columns].to_numpy(dtype=float).round(6).tolist()
        want = [[3, 0.5, 0.6], [3, 0.6, 0.7], [3, 0.7, 0.8]]
        expect(got == want, expected=want, actual=got,
               hint="read n_test_tracks, segment_accuracy and track_accuracy from each "
                    "run's metrics.json (the test scores, not validation).")
    for tests_, leak, track, where in (
            (tests, 1, "t3", "its own training tracks"),
            ([["t0", "t1", "t2"], ["t2", "t4", "t5"], ["t6", "t7", "t8"]], None, "t2",
             "the test set of fold 0")):
        with tempfile.TemporaryDirectory() as root:
            dirs = _fake_folds(root, tests_, leak=leak)
            try:
                cross_validate(3, lambda k: dirs[k])
            except NotImplementedError:
                raise
            except Exception as err:   # the learner may raise ValueError or CourseError
                expect(track in str(err), expected=f"an error that names track {track}",
                       actual=repr(err), hint="say which track and where else it is.")
            else:
                raise CheckFailed(f"expected an error: test track {track} is also in {where}, "
                                  "got none. Hint: compare each fold's split.json test ids with "
                                  "its train and val ids, and with the test ids of earlier folds.")


@exercise("6.8")
def check_exercise_6_8(vote_accuracy: Callable) -> None:
    """Verifies ``vote_accuracy(seg_probs, seg_true, track_ids)``, track accuracy under a
    majority vote of the segments' top genres with a tie going to the higher mean
    probability (``evaluate.aggregate_tracks``'s rule): a vote the mean rule would get wrong,
    a tie the smallest label would lose, tracks whose segments are not contiguous, and 200
    random tracks compared with the library; calling ``evaluate.aggregate_tracks`` fails."""
    from .. import evaluate
    vote_accuracy = write_it_yourself(vote_accuracy, [evaluate.aggregate_tracks], "the vote")
    cases = [  # (segment probabilities, true label per segment, track ids, want, what)
        ([[.9, .1], [.4, .6], [.45, .55]], [1, 1, 1], ["a"] * 3, 1.0,
         "two of three segments vote 1; the mean (0.58 for 0) would say 0"),
        ([[.6, .4, 0], [.1, .0, .9]], [2, 2], ["x", "x"], 1.0,
         "a 1-1 tie between 0 and 2 goes to 2 (mean 0.45 against 0.35), not to the smaller "
         "label"),
        ([[.8, .2], [.3, .7], [.7, .3], [.2, .8], [.6, .4]], [0, 1, 0, 1, 0],
         ["p", "q", "p", "q", "p"], 1.0,
         "a track's segments need not be next to each other: select them by id")]
    rng = np.random.default_rng(6)
    ids = rng.permutation(np.repeat(np.arange(200).astype(str), 4))   # 4 segments a track
    probs = rng.dirichlet(np.ones(5), size=len(ids))
    truth_of = dict(zip(np.arange(200).astype(str), rng.integers(0, 5, 200)))
    truth = np.array([truth_of[t] for t in ids])
    order, _, votes = evaluate.aggregate_tracks(probs, ids)
    cases.append((probs, truth, ids, float(np.mean(votes == [truth_of[t] for t in order])),
                  "200 random tracks of 4 segments (many 2-2 ties): compared with the library"))
    for seg_probs, seg_true, track_ids, want, what in cases:
        got = vote_accuracy(np.asarray(seg_probs, float), np.asarray(seg_true),
                            np.asarray(track_ids))
        expect(close(float(got), want), expected=f"{want:.3f}: {what}", actual=got,
               hint="per track: count the segments' argmax with np.bincount(..., minlength=n); "
                    "among the labels with the most votes, take the one whose mean "
                    "probability is highest.")


@exercise("6.9")
def check_exercise_6_9(mcnemar_test: Callable) -> None:
    """Verifies ``mcnemar_test(correct_a, correct_b)`` = ``(a_only, b_only, p)``, McNemar's
    exact two-sided test, against ``evaluate.mcnemar_exact`` on the lesson's 6-1 split, a 5-0
    one, models that never disagree (p = 1), equal counts (p = 1) and a split of 60 drawn
    afresh at every run; calling ``evaluate.mcnemar_exact`` or scipy's binomial test fails."""
    import scipy.stats

    from .. import evaluate
    mcnemar_test = write_it_yourself(mcnemar_test, [evaluate.mcnemar_exact, scipy.stats],
                                     "the test")
    rng = np.random.default_rng()          # not seeded: a typed-in number cannot pass
    def pair(a_only, b_only, both=60, neither=8):
        a = [True] * a_only + [False] * b_only + [True] * both + [False] * neither
        b = [False] * a_only + [True] * b_only + [True] * both + [False] * neither
        order = rng.permutation(len(a))
        return np.array(a)[order], np.array(b)[order]
    cases = [pair(6, 1), pair(5, 0), pair(0, 0), pair(4, 4), pair(0, 3),
             pair(*[int(k) for k in rng.multinomial(60, [0.35, 0.65])])]
    for a, b in cases:
        want = evaluate.mcnemar_exact(a, b)
        got = mcnemar_test(a, b)
        expect(len(got) == 3 and (int(got[0]), int(got[1])) == (want["a_only"], want["b_only"]),
               expected=f"({want['a_only']}, {want['b_only']}, p): the tracks only A, and only "
                        "B, gets right", actual=got,
               hint="a_only = (a & ~b).sum(), b_only = (~a & b).sum(); tracks both get right "
                    "or wrong carry no evidence.")
        expect(close(float(got[2]), want["p"], atol=1e-9),
               expected=f"p = {want['p']:.6f} for {want['a_only']} against {want['b_only']}",
               actual=got[2],
               hint="under 'no difference' each discordant track favours A with probability "
                    "1/2: p = min(1, 2 * P(X <= min(a_only, b_only))) with X binomial(n, 1/2), "
                    "n = a_only + b_only (math.comb(n, k) / 2 ** n); 1.0 when n = 0.")


@exercise("6.10")
def check_exercise_6_10(leak_share: Callable) -> None:
    """Verifies ``leak_share(train, test, column)``, the share of ``test``'s rows whose value of
    ``column`` also occurs in ``train`` (a missing value never counts as shared), for track
    ids, for artists with missing ones and repeated test artists, and for tables that share
    nothing (0.0); a set of values or a count of distinct values fails."""
    import pandas as pd
    train = pd.DataFrame({"track_id": ["a.1", "a.2", "b.1", "e.1"],
                          "artist": ["x", "y", None, "v"]})
    test = pd.DataFrame({"track_id": ["a.2", "c.1", "b.1", "c.2", "c.3"],
                         "artist": ["y", "z", None, "y", "y"]})
    clean = pd.DataFrame({"track_id": ["d.1", "d.2"], "artist": ["w", None]})
    for tr, te, column, want, what in (
            (train, test, "track_id", 2 / 5, "2 of the 5 test tracks are in training"),
            (train, test, "artist", 3 / 5, "3 of the 5 test tracks are by artist y, who is in "
                                           "training; a missing artist is nobody's"),
            (train, clean, "artist", 0.0, "nothing shared")):
        got = leak_share(tr, te, column)
        expect(isinstance(got, (float, np.floating)) and close(float(got), want),
               expected=f"{want:.2f} for column {column!r}: {what}", actual=got,
               hint="test[column].isin(set(train[column].dropna())) is True for each test row "
                    "whose value is in training; its mean is the share.")
