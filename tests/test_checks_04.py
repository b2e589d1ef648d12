"""Tests for the checks of lesson 04_lstm (course_utils.checks.lesson04): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils import checks
from fakes import assert_twins, not_done
from solution_code import exercises


def test_check_4_6_shuffle_blocks():
    shuffle_blocks = exercises("04")["shuffle_blocks"]
    assert checks.check_exercise_4_6(shuffle_blocks) is True

    def each_its_own(X, *, block=1, seed=42):         # another order for every sequence
        rng = np.random.default_rng(seed)
        starts = np.arange(0, X.shape[1], block)
        return np.stack([np.concatenate([x[s:s + block] for s in starts[rng.permutation(len(starts))]])
                         for x in X])

    def frames_not_blocks(X, *, block=1, seed=42):    # shuffles frames whatever the block
        return X[:, np.random.default_rng(seed).permutation(X.shape[1])]

    def reversed_blocks(X, *, block=1, seed=42):
        starts = np.arange(0, X.shape[1], block)[::-1]
        return np.concatenate([X[:, s:s + block] for s in starts], axis=1)

    for wrong in (each_its_own, frames_not_blocks, reversed_blocks):
        assert checks.check_exercise_4_6(wrong) is False, wrong.__name__
    assert checks.check_exercise_4_6(not_done) is None


def test_check_4_2_lstm_builder():
    import keras
    from keras import layers
    from course_utils import models
    build_my_lstm = exercises("04")["build_my_lstm"]

    def calls_library(input_shape, n_classes, **kwargs):
        return models.build_lstm(input_shape, n_classes, **kwargs)

    def no_sequences(input_shape, n_classes, *, units=(64,), dropout=0.3, l2=1e-4,
                     time_pool=2):                   # stacked LSTMs without return_sequences
        inputs = keras.Input(input_shape)
        x = layers.AveragePooling1D(time_pool)(inputs) if time_pool > 1 else inputs
        for n in units:
            penalty = keras.regularizers.L2(l2) if l2 else None
            x = layers.Dropout(dropout)(layers.LSTM(n, kernel_regularizer=penalty)(x))
        return keras.Model(inputs, layers.Dense(n_classes, activation="softmax")(x))

    def bag_of_frames(input_shape, n_classes, *, units=(64,), dropout=0.3, l2=1e-4,
                      time_pool=2):                  # no recurrence: cannot see order
        inputs = keras.Input(input_shape)
        x = layers.GlobalAveragePooling1D()(inputs)
        x = layers.Dropout(dropout)(layers.Dense(units[-1], activation="relu")(x))
        return keras.Model(inputs, layers.Dense(n_classes, activation="softmax")(x))

    def ignores_units(input_shape, n_classes, *, units=(64,), dropout=0.3, l2=1e-4,
                      time_pool=2):
        return build_my_lstm(input_shape, n_classes, dropout=dropout, l2=l2,
                             time_pool=time_pool)

    assert checks.check_exercise_4_2(build_my_lstm) is True
    for wrong in (calls_library, no_sequences, bag_of_frames, ignores_units):
        assert checks.check_exercise_4_2(wrong) is False, wrong.__name__
    assert checks.check_exercise_4_2(not_done) is None


def test_lesson_04_lstm_is_the_library_lstm():
    """The learner's reference LSTM and ``models.build_lstm``: the same layers and settings,
    and the same output on a fixed input once they hold the same weights."""
    from course_utils import models
    for kwargs in ({}, {"units": (32, 16), "time_pool": 1}):
        assert_twins(exercises("04")["build_my_lstm"]((130, 60), 10, **kwargs),
                      models.build_lstm((130, 60), 10, **kwargs))


def test_check_4_3_lstm_params():
    assert checks.check_exercise_4_3(lambda u, i: 4 * (u * (u + i) + u)) is True
    assert checks.check_exercise_4_3(lambda u, i: 4 * (u * i + u)) is False   # no recurrence
    assert checks.check_exercise_4_3(not_done) is None


def test_check_4_4_bidirectional_params():
    lstm = lambda units, n: 4 * (units * (units + n) + units)
    assert checks.check_exercise_4_4(lambda units, n: 2 * lstm(units, n)) is True
    assert checks.check_exercise_4_4(lambda units, n: lstm(units, n)) is False   # one direction
    assert checks.check_exercise_4_4(lambda units, n: 64000) is False           # typed in
    assert checks.check_exercise_4_4(not_done) is None


def test_check_4_5_agreement():
    agreement = exercises("04")["agreement"]
    assert checks.check_exercise_4_5(agreement) is True

    def by_position(pred_a, pred_b, truth):     # zips the dicts: tracks no longer line up
        g = list(truth.values())
        a = np.array([p == t for p, t in zip(pred_a.values(), g)])
        b = np.array([p == t for p, t in zip(pred_b.values(), g)])
        return pd.DataFrame([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]],
                            index=["A right", "A wrong"], columns=["B right", "B wrong"])

    def transposed(pred_a, pred_b, truth):      # rows are model B
        return agreement(pred_b, pred_a, truth)

    for wrong in (by_position, transposed):
        assert checks.check_exercise_4_5(wrong) is False, wrong.__name__
    assert checks.check_exercise_4_5(not_done) is None
