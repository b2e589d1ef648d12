"""Tests for the checks of lesson 05_hybrid (course_utils.checks.lesson05): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import numpy as np
from course_utils import checks
from fakes import assert_twins, not_done
from solution_code import exercises


def test_check_5_1_pooled_length():
    def pooled_length(n_frames, pools):
        for pool in pools:
            n_frames //= pool
        return n_frames

    assert checks.check_exercise_5_1(pooled_length) is True
    assert checks.check_exercise_5_1(lambda n, pools: -(-n // int(np.prod(pools)))) is False
    assert checks.check_exercise_5_1(not_done) is None


def test_check_5_2_crnn_builder():
    import keras
    from keras import layers
    from course_utils import models
    build_my_crnn = exercises("05")["build_my_crnn"]

    def calls_library(input_shape, n_classes, **kwargs):
        return models.build_hybrid(input_shape, n_classes, kind="crnn", **kwargs)

    def build(input_shape, n_classes, *, filters=(16, 32, 64), units=64, dropout=0.3,
              l2=1e-4, permute=True, pools=None):
        penalty = keras.regularizers.L2(l2) if l2 else None
        inputs = keras.Input(input_shape)
        x = layers.AveragePooling2D(2)(inputs)
        for i, n in enumerate(filters):
            x = layers.Conv2D(n, 3, padding="same", use_bias=False, kernel_regularizer=penalty)(x)
            x = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))
            x = layers.MaxPooling2D((pools or [(2, 2)] + [(4, 1)] * 9)[i])(x)
        bands, frames, maps = x.shape[1:]
        if permute:
            x = layers.Permute((2, 1, 3))(x)
        x = layers.Reshape((frames, bands * maps))(x)
        x = layers.Dropout(dropout)(layers.GRU(units, kernel_regularizer=penalty)(x))
        return keras.Model(inputs, layers.Dense(n_classes, activation="softmax")(x))

    def no_permute(input_shape, n_classes, **kwargs):     # bands mixed into the time steps
        return build(input_shape, n_classes, permute=False, **kwargs)

    def square_pools(input_shape, n_classes, **kwargs):   # pools time away: 8 steps, not 32
        return build(input_shape, n_classes, pools=[(2, 2)] * 3, **kwargs)

    assert checks.check_exercise_5_2(build) is True        # a second correct answer
    assert checks.check_exercise_5_2(build_my_crnn) is True
    for wrong in (calls_library, no_permute, square_pools):
        assert checks.check_exercise_5_2(wrong) is False, wrong.__name__
    assert checks.check_exercise_5_2(not_done) is None


def test_lesson_05_crnn_is_the_library_crnn():
    from course_utils import models
    assert_twins(exercises("05")["build_my_crnn"]((128, 130, 1), 10),
                  models.build_hybrid((128, 130, 1), 10, kind="crnn"))


def test_check_5_3_parallel_builder():
    import keras
    from keras import layers
    from course_utils import models
    build_my_parallel = exercises("05")["build_my_parallel"]

    def calls_library(logmel_shape, mfcc_shape, n_classes, **kwargs):
        return models.build_hybrid((logmel_shape, mfcc_shape), n_classes, kind="parallel",
                                   **kwargs)

    def build(logmel_shape, mfcc_shape, n_classes, *, filters=(16, 32, 64), units=64,
              dense_units=64, dropout=0.3, l2=1e-4, swap=False, time_pool=2):
        penalty = keras.regularizers.L2(l2) if l2 else None
        logmel, mfcc = keras.Input(logmel_shape, name="logmel"), keras.Input(mfcc_shape, name="mfcc")
        a = layers.AveragePooling2D(2)(logmel)
        for n in filters:
            a = layers.Conv2D(n, 3, padding="same", use_bias=False, kernel_regularizer=penalty)(a)
            a = layers.MaxPooling2D(2)(layers.ReLU()(layers.BatchNormalization(momentum=0.9)(a)))
        a = layers.GlobalAveragePooling2D()(a)
        b = layers.AveragePooling1D(time_pool)(mfcc) if time_pool > 1 else mfcc
        b = layers.Dropout(dropout)(layers.LSTM(units, kernel_regularizer=penalty)(b))
        x = layers.Concatenate(name="fusion")([b, a] if swap else [a, b])
        x = layers.Dense(dense_units, activation="relu", kernel_regularizer=penalty)(
            layers.Dropout(dropout)(x))
        outputs = layers.Dense(n_classes, activation="softmax")(layers.Dropout(dropout)(x))
        return keras.Model({"logmel": logmel, "mfcc": mfcc}, outputs)

    def lstm_first(*args, **kwargs):      # the same parameters, the halves of fusion swapped
        return build(*args, swap=True, **kwargs)

    def no_time_pool(*args, **kwargs):    # the same parameters, but 130 LSTM steps
        return build(*args, time_pool=1, **kwargs)

    assert checks.check_exercise_5_3(build) is True          # a second correct answer
    assert checks.check_exercise_5_3(build_my_parallel) is True
    for wrong in (calls_library, lstm_first, no_time_pool):
        assert checks.check_exercise_5_3(wrong) is False, wrong.__name__
    assert checks.check_exercise_5_3(not_done) is None


def test_lesson_05_parallel_is_the_library_parallel():
    from course_utils import models
    shapes = ((128, 130, 1), (130, 60))
    assert_twins(exercises("05")["build_my_parallel"](*shapes, 10),
                  models.build_hybrid(shapes, 10, kind="parallel"))


def test_check_5_4_best_per_param():
    import pandas as pd
    table = pd.DataFrame({"model": ["cnn", "lstm", "crnn"], "params": [28442, 32650, 61530],
                          "track_acc_mean": [0.70, 0.75, 0.90]})
    best = exercises("05")["best_per_param"]
    assert best(table) == "cnn"                                  # 0.0246 per 1000 parameters
    assert checks.check_exercise_5_4(best, table) is True
    most_accurate = lambda t: str(t.loc[t["track_acc_mean"].idxmax(), "model"])
    assert checks.check_exercise_5_4(most_accurate, table) is False   # not per parameter
    assert checks.check_exercise_5_4(lambda t: "cnn", table) is False  # typed, not computed
    assert checks.check_exercise_5_4("cnn", table) is False           # a value, not a function
    assert checks.check_exercise_5_4(not_done, table) is None
