"""Tests for the checks of lesson 02_feature_extraction (course_utils.checks.lesson02): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import numpy as np
from course_utils import checks
from fakes import not_done
from solution_code import exercises


def test_check_2_3_split_by_track():
    from sklearn.model_selection import train_test_split
    from course_utils import data
    split_by_track = exercises("02")["split_by_track"]

    def not_stratified(tracks, *, seed, val_size=0.15, test_size=0.15):
        n = len(tracks)
        shuffled = tracks.sample(frac=1.0, random_state=seed)
        n_test, n_val = round(n * test_size), round(n * val_size)
        return shuffled[n_test + n_val:], shuffled[n_test:n_test + n_val], shuffled[:n_test]

    def fixed_seed(tracks, *, seed, val_size=0.15, test_size=0.15):
        return split_by_track(tracks, seed=0, val_size=val_size, test_size=test_size)

    def val_from_all(tracks, *, seed, val_size=0.15, test_size=0.15):   # val overlaps test
        n = len(tracks)
        rest, test = train_test_split(tracks, test_size=round(n * test_size),
                                      stratify=tracks["genre"], random_state=seed)
        _, val = train_test_split(tracks, test_size=round(n * val_size),
                                  stratify=tracks["genre"], random_state=seed)
        return rest[~rest["track_id"].isin(val["track_id"])], val, test

    def library(tracks, *, seed, val_size=0.15, test_size=0.15):
        s = data.split_tracks(tracks, seed=seed, val_size=val_size, test_size=test_size)
        return s.train, s.val, s.test

    assert checks.check_exercise_2_3(split_by_track) is True
    assert checks.check_exercise_2_3(library) is True
    for wrong in (not_stratified, fixed_seed, val_from_all):
        assert checks.check_exercise_2_3(wrong) is False, wrong.__name__
    assert checks.check_exercise_2_3(not_done) is None


def test_lesson_02_split_is_the_library_split():
    """The reference split and ``data.split_tracks`` pick the same tracks on a dataset."""
    import pandas as pd
    from course_utils import data
    tracks = pd.DataFrame({"track_id": [f"{g}.{i:05d}" for g in ("rock", "jazz", "pop")
                                        for i in range(17)],
                           "genre": [g for g in ("rock", "jazz", "pop") for _ in range(17)]})
    for seed in (0, 42):
        mine = exercises("02")["split_by_track"](tracks, seed=seed)
        assert [sorted(side["track_id"]) for side in mine] == list(
            data.split_tracks(tracks, seed=seed).ids().values())


def test_check_2_4_nearest_centroid():
    def nearest(X_train, labels_train, X_test):
        classes = np.unique(labels_train)
        centroids = np.stack([X_train[labels_train == c].mean(axis=0) for c in classes])
        return classes[np.linalg.norm(X_test[:, None] - centroids[None], axis=2).argmin(axis=1)]

    def farthest(X_train, labels_train, X_test):
        classes = np.unique(labels_train)
        centroids = np.stack([X_train[labels_train == c].mean(axis=0) for c in classes])
        return classes[np.linalg.norm(X_test[:, None] - centroids[None], axis=2).argmax(axis=1)]

    def nearest_neighbour(X_train, labels_train, X_test):   # 1-NN, not nearest centroid
        d = np.linalg.norm(X_test[:, None] - X_train[None], axis=2)
        return labels_train[d.argmin(axis=1)]

    assert checks.check_exercise_2_4(nearest) is True
    assert checks.check_exercise_2_4(farthest) is False
    assert checks.check_exercise_2_4(nearest_neighbour) is False

    def calls_sklearn(X_train, labels_train, X_test):       # right answers, not the exercise
        from sklearn.neighbors import NearestCentroid
        return NearestCentroid().fit(X_train, labels_train).predict(X_test)
    assert checks.check_exercise_2_4(calls_sklearn) is False
    assert checks.check_exercise_2_4(not_done) is None


def test_check_2_5_standardise():
    standardise = exercises("02")["standardise"]
    assert checks.check_exercise_2_5(standardise) is True

    def all_rows(X_train, X_test):             # the test rows shape the scaling: a leak
        X = np.vstack([X_train, X_test])
        mean, std = X.mean(axis=0), np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        return (X_train - mean) / std, (X_test - mean) / std

    def each_on_its_own(X_train, X_test):
        def z(X):
            return (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        return z(X_train), z(X_test)

    def no_guard(X_train, X_test):             # a constant column becomes NaN
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (X_train - mean) / std, (X_test - mean) / std

    def in_place(X_train, X_test):
        mean, std = X_train.mean(axis=0), np.where(X_train.std(axis=0) > 0, X_train.std(axis=0), 1.0)
        X_test -= mean
        X_test /= std
        X_train -= mean
        X_train /= std
        return X_train, X_test

    for wrong in (all_rows, each_on_its_own, no_guard, in_place):
        assert checks.check_exercise_2_5(wrong) is False, wrong.__name__
    assert checks.check_exercise_2_5(not_done) is None


def _lesson_02():
    """The reference exercises, with the nearest centroid and scaling the lesson hands them
    (``centroid`` and ``scale``: the learner's 2.4 and 2.5 once they pass)."""
    namespace = exercises("02")
    namespace.update(centroid=namespace["nearest_centroid_predict"],
                     scale=namespace["standardise"])
    return namespace


def test_check_2_6_one_feature_accuracy():
    import pandas as pd
    reference = _lesson_02()["one_feature_accuracy"]
    assert checks.check_exercise_2_6(reference) is True

    def on_training(X_train, labels_train, X_test, labels_test, names):
        return reference(X_train, labels_train, X_train, labels_train, names)

    def unsorted(*args):
        result = reference(*args)
        return result.loc[args[-1]]                   # back in column order

    def a_dict(*args):
        return reference(*args).to_dict()
    for wrong in (on_training, unsorted, a_dict):
        assert checks.check_exercise_2_6(wrong) is False, wrong.__name__
    assert checks.check_exercise_2_6(lambda *args: pd.Series(dtype=float)) is False
    assert checks.check_exercise_2_6(not_done) is None


def test_check_2_7_family_accuracy():
    import re

    import pandas as pd
    namespace = _lesson_02()
    reference = namespace["family_accuracy"]
    assert checks.check_exercise_2_7(reference) is True

    def raw(X_train, labels_train, X_test, labels_test, names):    # not standardised
        family = [re.match("[a-z]+", n).group() for n in names]
        out = {}
        for group in list(dict.fromkeys(family)) + ["all"]:
            cols = [j for j, f in enumerate(family) if group in ("all", f)]
            out[group] = (namespace["nearest_centroid_predict"](
                X_train[:, cols], labels_train, X_test[:, cols]) == labels_test).mean()
        return pd.Series(out).sort_values(ascending=False, kind="stable")

    def scaled_on_test(X_train, labels_train, X_test, labels_test, names):
        swap = lambda A, B: tuple(reversed(namespace["standardise"](B, A)))
        namespace["scale"] = swap                      # the test tracks' mean and std
        try:
            return reference(X_train, labels_train, X_test, labels_test, names)
        finally:
            namespace["scale"] = namespace["standardise"]

    def no_all(*args):
        return reference(*args).drop("all")
    for wrong in (raw, scaled_on_test, no_all):
        assert checks.check_exercise_2_7(wrong) is False, wrong.__name__
    assert checks.check_exercise_2_7(not_done) is None
