"""Tests for the checks of lesson 08_transfer_learning (course_utils.checks.lesson08): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import numpy as np

from course_utils import checks
from fakes import not_done
from solution_code import exercises


def test_check_8_1_top_tags():
    def top_tags(taggram, tags, *, k=5):
        mean = taggram.mean(axis=0)
        order = np.argsort(-mean, kind="stable")[:k]
        return [(tags[i], float(mean[i])) for i in order]

    def by_max(taggram, tags, *, k=5):             # the loudest patch, not the clip
        peak = taggram.max(axis=0)
        return [(tags[i], float(peak[i])) for i in np.argsort(-peak, kind="stable")[:k]]

    def first_patch(taggram, tags, *, k=5):        # ignores every patch but the first
        return [(tags[i], float(taggram[0, i])) for i in np.argsort(-taggram[0])[:k]]

    def ascending(taggram, tags, *, k=5):          # forgot to reverse the sort
        mean = taggram.mean(axis=0)
        return [(tags[i], float(mean[i])) for i in np.argsort(mean)[:k]]

    assert checks.check_exercise_8_1(top_tags) is True
    for wrong in (by_max, first_patch, ascending):
        assert checks.check_exercise_8_1(wrong) is False, wrong.__name__
    assert checks.check_exercise_8_1(not_done) is None


def test_check_8_2_pool_patches():
    def pool_patches(P, *, how="mean"):
        pooled = {"mean": P.mean(axis=0), "max": P.max(axis=0)}
        return np.concatenate([pooled["mean"], pooled["max"]]) if how == "both" else pooled[how]

    def wrong_axis(P, *, how="mean"):              # one value per patch
        return P.mean(axis=1) if how != "max" else P.max(axis=1)

    def always_mean(P, *, how="mean"):             # ignores how
        return P.mean(axis=0)

    assert checks.check_exercise_8_2(pool_patches) is True
    assert checks.check_exercise_8_2(wrong_axis) is False
    assert checks.check_exercise_8_2(always_mean) is False
    assert checks.check_exercise_8_2(not_done) is None


def test_check_8_3_build_my_probe():
    import keras
    from keras import layers

    from course_utils import models
    probe = exercises("08")["build_my_probe"]

    def one_dropout(input_dim, num_classes, *, hidden=128, dropout=0.5):   # not as asked
        inputs = keras.Input((input_dim,))
        x = layers.Dense(hidden, activation="relu")(layers.Dropout(dropout)(inputs))
        return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))

    def typed(input_dim, num_classes, *, hidden=128, dropout=0.5):   # ignores its arguments
        return probe(input_dim, num_classes)

    def library(input_dim, num_classes, *, hidden=128, dropout=0.5):   # the library's twin
        return models.build_probe((input_dim,), num_classes, hidden=hidden, dropout=dropout)

    def logits(input_dim, num_classes, *, hidden=128, dropout=0.5):    # rows do not sum to 1
        inputs = keras.Input((input_dim,))
        x = layers.Dense(hidden, activation="relu")(layers.Dropout(dropout)(inputs))
        x = layers.Dropout(dropout)(x)
        return keras.Model(inputs, layers.Dense(num_classes)(x))

    def no_dropout(input_dim, num_classes, *, hidden=128, dropout=0.5):   # nothing against
        return keras.Sequential([keras.Input((input_dim,)),                # overfitting
                                 layers.Dense(hidden, activation="relu"),
                                 layers.Dense(num_classes, activation="softmax")])

    def frozen(input_dim, num_classes, **kwargs):            # cannot learn
        model = probe(input_dim, num_classes, **kwargs)
        model.trainable = False
        return model

    assert checks.check_exercise_8_3(probe) is True
    for wrong in (one_dropout, typed, library, logits, no_dropout, frozen):
        assert checks.check_exercise_8_3(wrong) is False, wrong.__name__
    assert checks.check_exercise_8_3(not_done) is None


def test_check_8_4_zero_shot_genre():
    lesson = exercises("08")
    mine, mapping = lesson["zero_shot_genre"], lesson["MY_GENRE_TAGS"]

    def by_sum(means, mapping, genres):            # adds a genre's tags instead of the max
        scores = {g: sum(means.get(m, {}).get(t, 0.0) for m, t in mapping.get(g, ()))
                  for g in genres}
        return max(genres, key=scores.get), scores

    def last_on_tie(means, mapping, genres):       # a tie goes to the last genre
        _, scores = mine(means, mapping, genres)
        return max(reversed(list(genres)), key=scores.get), scores

    assert checks.check_exercise_8_4(mine, mapping) is True
    for wrong in (by_sum, last_on_tie):
        assert checks.check_exercise_8_4(wrong, mapping) is False, wrong.__name__
    typo = {**mapping, "hiphop": [("MSD_musicnn", "hip-hop")]}     # not MSD's spelling
    few = {g: (pairs if g in ("rock", "pop") else []) for g, pairs in mapping.items()}
    for wrong_mapping in (typo, few, {"rock": mapping["rock"]}):
        assert checks.check_exercise_8_4(mine, wrong_mapping) is False
    assert checks.check_exercise_8_4(mine, ...) is None
    assert checks.check_exercise_8_4(not_done, mapping) is None
