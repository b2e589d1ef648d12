"""Checks of lesson 02_feature_extraction."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import close, exercise, expect, write_it_yourself


@exercise("2.3")
def check_exercise_2_3(split_by_track: Callable) -> None:
    """Verifies ``split_by_track(tracks, seed=..., val_size=..., test_size=...)`` on two
    made-up track tables (10 genres of 20 tracks; genres of 7 to 31 tracks): every track
    on exactly one side, the sizes ``round(n * test_size)`` and ``round(n * val_size)``,
    each genre's share kept on every side (stratified), the same split for the same seed
    and another for another seed, and the same tracks as ``data.split_tracks`` (which
    later lessons use) for the same seed."""
    import pandas as pd
    from ..data import split_tracks
    rng = np.random.default_rng(3)
    even = [(g, i) for g in range(10) for i in range(20)]
    uneven = [(g, i) for g, n in enumerate(rng.integers(7, 32, 10)) for i in range(n)]
    for rows, seed, (val_size, test_size) in ((even, 42, (0.15, 0.15)), (even, 7, (0.1, 0.2)),
                                               (uneven, 1, (0.15, 0.15))):
        tracks = pd.DataFrame({"track_id": [f"genre{g}.{i:05d}" for g, i in rows],
                               "genre": [f"genre{g}" for g, _ in rows]})
        n = len(tracks)
        sides = split_by_track(tracks, seed=seed, val_size=val_size, test_size=test_size)
        expect(len(sides) == 3, expected="three tables (train, val, test)", actual=len(sides),
               hint="return train, val, test.")
        ids = [list(side["track_id"]) for side in sides]
        flat = [t for side in ids for t in side]
        expect(len(flat) == len(set(flat)) == n and set(flat) == set(tracks["track_id"]),
               expected=f"each of the {n} tracks on exactly one side",
               actual=f"{len(flat)} rows, {len(set(flat))} distinct tracks",
               hint="take the validation tracks from what is left after the test tracks.")
        sizes = [len(side) for side in ids]
        want = [n - round(n * val_size) - round(n * test_size), round(n * val_size),
                round(n * test_size)]
        expect(sizes == want, expected=f"sizes {want} for {n} tracks", actual=sizes,
               hint="pass test_size and val_size as whole counts: round(n * size).")
        for side, size in zip(sides, want):
            share = tracks["genre"].value_counts() * size / n
            got = side["genre"].value_counts().reindex(share.index, fill_value=0)
            expect(bool((abs(got - share) < 1.0 + 1e-9).all()),
                   expected="every genre's share kept on every side (stratified)",
                   actual=f"{dict(got)} against {dict(share.round(1))}",
                   hint="train_test_split(..., stratify=genres), in both calls.")
        again = split_by_track(tracks, seed=seed, val_size=val_size, test_size=test_size)
        expect([sorted(s["track_id"]) for s in again] == [sorted(i) for i in ids],
               expected="the same split for the same seed", actual="another split",
               hint="random_state=seed in both calls.")
        other = split_by_track(tracks, seed=seed + 1, val_size=val_size, test_size=test_size)
        expect(sorted(other[2]["track_id"]) != sorted(ids[2]),
               expected="another test set for another seed", actual="the same test tracks",
               hint="use the seed argument, not a fixed number.")
        library = split_tracks(tracks, seed=seed, val_size=val_size, test_size=test_size)
        expect([sorted(i) for i in ids] == [sorted(t) for t in library.ids().values()],
               expected="the tracks of data.split_tracks for the same seed (later lessons "
                        "use it)", actual="a different (valid) split",
               hint="test tracks first, from all tracks; then validation tracks from the "
                    "rest; random_state=seed both times.")


@exercise("2.4")
def check_exercise_2_4(nearest_centroid_predict: Callable) -> None:
    """Verifies ``nearest_centroid_predict`` on a 2-D toy problem whose answer is known, and
    against scikit-learn's ``NearestCentroid`` on random data with 4 classes; calling
    scikit-learn's classifier instead of writing it fails."""
    import sklearn.neighbors
    from sklearn.neighbors import NearestCentroid
    nearest_centroid_predict = write_it_yourself(nearest_centroid_predict, [sklearn.neighbors],
                                                 "nearest centroid")
    X_train = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 2.0], [5.0, 9.0], [5.0, 11.0]])
    labels = np.array([0, 0, 1, 1, 2, 2])
    X_test = np.array([[1.0, 1.0], [9.0, 0.0], [5.0, 8.0], [4.0, 1.0]])
    got = np.asarray(nearest_centroid_predict(X_train, labels, X_test))
    expect(got.tolist() == [0, 1, 2, 0], expected=[0, 1, 2, 0], actual=got.tolist(),
           hint="centroids are (0, 1), (10, 1) and (5, 10); pick the class of the closest one.")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 5)) + np.repeat(rng.normal(scale=2, size=(4, 5)), 20, axis=0)
    lab = np.repeat(np.arange(4), 20)
    Xt = rng.normal(scale=2, size=(30, 5))
    want = NearestCentroid().fit(X, lab).predict(Xt)
    got = np.asarray(nearest_centroid_predict(X, lab, Xt))
    expect(got.shape == want.shape and (got == want).all(),
           expected=f"{want.tolist()} (scikit-learn's NearestCentroid)", actual=got.tolist(),
           hint="one mean per class (X_train[labels_train == c].mean(axis=0)), "
                "Euclidean distance, argmin.")


@exercise("2.5")
def check_exercise_2_5(standardise: Callable) -> None:
    """Verifies ``standardise(X_train, X_test)`` against scikit-learn's ``StandardScaler``
    fitted on the training rows only, on data whose test rows come from another distribution
    (so statistics of all rows, or of the test rows, give other numbers) and with a constant
    column (which must not become NaN); the inputs must stay unchanged."""
    import sklearn.preprocessing
    from sklearn.preprocessing import StandardScaler
    standardise = write_it_yourself(standardise, [sklearn.preprocessing], "the scaling")
    rng = np.random.default_rng(6)
    X_train = rng.normal(3.0, 2.0, size=(40, 5))
    X_test = rng.normal(6.0, 1.0, size=(15, 5))
    X_train[:, 2] = X_test[:, 2] = 7.0
    before = X_train.copy(), X_test.copy()
    got = standardise(X_train, X_test)
    expect(isinstance(got, tuple) and len(got) == 2, expected="a pair (Z_train, Z_test)",
           actual=type(got).__name__, hint="return Z_train, Z_test.")
    scaler = StandardScaler().fit(X_train)
    for name, g, want in (("Z_train", got[0], scaler.transform(X_train)),
                          ("Z_test", got[1], scaler.transform(X_test))):
        g = np.asarray(g, float)
        expect(np.isfinite(g).all(), expected=f"{name} without NaN or inf",
               actual=f"{int((~np.isfinite(g)).sum())} non-finite values",
               hint="a column with std 0 is divided by 1 instead.")
        expect(close(g, want, atol=1e-6), expected=f"{name} scaled with the training mean and "
                                                   f"std, first row {want[0].round(3)}",
               actual=g[0].round(3) if g.ndim == 2 else g.shape,
               hint="mean and std of X_train (axis=0) for both: the test rows must not shape "
                    "the scaling.")
    expect(np.array_equal(X_train, before[0]) and np.array_equal(X_test, before[1]),
           expected="the inputs left unchanged", actual="an input was modified in place",
           hint="compute new arrays: (X - mean) / std.")


def _family(name: str) -> str:
    """A statistic's family: its name up to the first digit or underscore (``mfcc12_std`` ->
    ``mfcc``, ``rms_mean`` -> ``rms``)."""
    import re
    return re.match(r"[a-z]+", name).group()


def _toy_statistics(seed: int):
    """A made-up table of statistics for 4 genres: 60 training and 40 test tracks, 8 named
    columns of very different scales and use (one column tells the genres apart well, one a
    little, the rest not at all)."""
    rng = np.random.default_rng(seed)
    names = ["mfcc1_mean", "mfcc1_std", "mfcc2_mean", "chroma1_mean", "chroma2_std",
             "contrast1_mean", "rms_mean", "tempo"]
    labels = np.repeat(np.arange(4), 25)
    X = rng.normal(size=(100, len(names))) * [300, 1, 30, 0.1, 0.1, 5, 0.01, 40]
    X[:, 0] += labels * 250                      # mfcc1_mean: strong, on a large scale
    X[:, 3] += (labels % 2) * 0.08               # chroma1_mean: weak
    X[:, 7] += labels * 8                        # tempo: some
    order = rng.permutation(100)
    X, labels = X[order], labels[order]
    return X[:60], labels[:60], X[60:], labels[60:], names


def _expect_ranking(got, want, *, index_hint: str, values_hint: str) -> None:
    """``got`` is the ``pd.Series`` ``want``: the same index, the same accuracies, best first."""
    import pandas as pd
    expect(isinstance(got, pd.Series) and sorted(got.index) == sorted(want.index),
           expected=f"a pandas Series indexed by {sorted(want.index)}",
           actual=sorted(got.index) if isinstance(got, pd.Series) else type(got).__name__,
           hint=index_hint)
    expect(close(got[want.index].to_numpy(float), want.to_numpy(), atol=1e-9),
           expected=f"test accuracies {want.round(3).to_dict()}", actual=got.round(3).to_dict(),
           hint=values_hint)
    expect(list(got.index) == list(want.index), expected=f"best first: {list(want.index)}",
           actual=list(got.index), hint="sort_values(ascending=False, kind='stable').")


@exercise("2.6")
def check_exercise_2_6(one_feature_accuracy: Callable) -> None:
    """Verifies ``one_feature_accuracy(X_train, labels_train, X_test, labels_test, names)`` on
    two made-up tables: a ``pd.Series`` indexed by statistic name, the test accuracy of a
    nearest-centroid classifier on that column alone, best first (ties in column order), as
    scikit-learn's ``NearestCentroid`` gives it; accuracy on the training tracks, or an
    unsorted table, fails."""
    import pandas as pd
    from sklearn.neighbors import NearestCentroid
    for seed in (0, 1):
        X_train, y_train, X_test, y_test, names = _toy_statistics(seed)
        want = pd.Series([(NearestCentroid().fit(X_train[:, [j]], y_train)
                           .predict(X_test[:, [j]]) == y_test).mean()
                          for j in range(len(names))], index=names)
        want = want.sort_values(ascending=False, kind="stable")
        got = one_feature_accuracy(X_train.copy(), y_train, X_test.copy(), y_test, list(names))
        _expect_ranking(got, want, index_hint="pd.Series(accuracies, index=names).",
                        values_hint="for each column j: fit the centroids on X_train[:, [j]], "
                                    "predict X_test[:, [j]], compare with labels_test.")


@exercise("2.7")
def check_exercise_2_7(family_accuracy: Callable) -> None:
    """Verifies ``family_accuracy(X_train, labels_train, X_test, labels_test, names)`` on two
    made-up tables: a ``pd.Series`` with the test accuracy of a nearest-centroid classifier on
    the standardised columns of each family of statistics (the name up to its first digit or
    underscore: ``mfcc``, ``chroma``, ``contrast``, ``rms``, ``tempo``) and of all columns
    (``"all"``), best first (ties in order of first appearance, ``"all"`` last among equals);
    without standardising, or with the scaling taken from the test tracks, the numbers
    differ."""
    import pandas as pd
    from sklearn.neighbors import NearestCentroid
    from sklearn.preprocessing import StandardScaler
    for seed in (2, 3):
        X_train, y_train, X_test, y_test, names = _toy_statistics(seed)
        families = list(dict.fromkeys(map(_family, names)))
        want = {}
        for family in families + ["all"]:
            cols = [j for j, n in enumerate(names) if family in ("all", _family(n))]
            scaler = StandardScaler().fit(X_train[:, cols])
            model = NearestCentroid().fit(scaler.transform(X_train[:, cols]), y_train)
            want[family] = (model.predict(scaler.transform(X_test[:, cols])) == y_test).mean()
        want = pd.Series(want).sort_values(ascending=False, kind="stable")
        got = family_accuracy(X_train.copy(), y_train, X_test.copy(), y_test, list(names))
        _expect_ranking(got, want, index_hint="one entry per family (re.match('[a-z]+', name)) "
                                              "and one for 'all'.",
                        values_hint="standardise each family's columns with the training "
                                    "tracks' mean and std (your standardise of 2.5), then "
                                    "nearest centroid.")
