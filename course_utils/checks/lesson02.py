"""Checks of lesson 02_feature_extraction."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import close, exercise, expect, write_it_yourself


@exercise("2.1")
def check_exercise_2_1(mfcc_with_deltas: Callable) -> None:
    """Verifies ``mfcc_with_deltas(M)`` on a random (20, 50) matrix: shape (60, 50), the MFCCs on
    top, then ``librosa.feature.delta`` of order 1, then of order 2."""
    import librosa
    M = np.random.default_rng(0).normal(size=(20, 50)).astype(np.float32)
    got = np.asarray(mfcc_with_deltas(M.copy()))
    expect(got.shape == (60, 50), expected="shape (60, 50)", actual=f"shape {got.shape}",
           hint="stack three (20, t) blocks along the rows: np.concatenate([...]) or np.vstack.")
    for rows, name, want in ((slice(0, 20), "the MFCCs themselves", M),
                             (slice(20, 40), "the first delta", librosa.feature.delta(M, order=1)),
                             (slice(40, 60), "the second delta",
                              librosa.feature.delta(M, order=2))):
        expect(close(got[rows], want, atol=1e-4), expected=f"rows {rows.start}-{rows.stop - 1} "
               f"to be {name}", actual="different values",
               hint="order: M, librosa.feature.delta(M), librosa.feature.delta(M, order=2).")


@exercise("2.2")
def check_exercise_2_2(summary_stats: Callable) -> None:
    """Verifies ``summary_stats(F)`` on a (3, 4) matrix and a random (12, 130) one: the row means
    first, then the row standard deviations (``np.std``, ddof=0)."""
    F = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], [2.0, -2.0, 2.0, -2.0]])
    want = np.array([2.5, 0.0, 0.0, np.sqrt(1.25), 0.0, 2.0])
    got = np.asarray(summary_stats(F), dtype=float)
    expect(close(got, want), expected=want.round(3).tolist(),
           actual=np.round(got, 3).tolist() if got.ndim == 1 else f"shape {got.shape}",
           hint="mean and std over time are over axis=1 (one value per row); means first.")
    G = np.random.default_rng(1).normal(size=(12, 130))
    expect(close(summary_stats(G), np.concatenate([G.mean(axis=1), G.std(axis=1)])),
           expected="24 values for a 12-row matrix", actual="something else",
           hint="np.concatenate([F.mean(axis=1), F.std(axis=1)]).")


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
