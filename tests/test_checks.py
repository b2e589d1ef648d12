"""Tests for course_utils.checks: each check accepts the reference solution and
rejects at least one known-wrong answer; unsolved exercises say "not done yet"."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from course_utils import checks, evaluate
from course_utils.exceptions import CourseError
from solution_code import exercises


@checks.exercise("0.1")
def check_double(fn):
    """Verifies that fn doubles a number."""
    checks.expect(fn(2) == 4, expected=4, actual=fn(2), hint="multiply by 2")


def test_framework_pass_fail_not_done_and_crash(capsys):
    assert check_double(lambda x: 2 * x) is True
    assert check_double(lambda x: x + 3) is False
    out = capsys.readouterr().out
    assert "expected 4, got 5. Hint: multiply by 2" in out

    def stub(x):
        raise NotImplementedError("Exercise 0.1: double")
    assert check_double(stub) is None
    assert check_double(...) is None
    assert check_double(lambda x: 1 / 0) is False
    out = capsys.readouterr().out
    assert out.count("not done yet") == 2 and "ZeroDivisionError" in out
    assert "Traceback" not in out


def test_close_is_false_on_shape_mismatch():
    assert checks.close(np.ones(3), np.ones(3)) and not checks.close(np.ones(3), np.ones(4))

# --- lesson checks: one section per lesson, in lesson order -------------------
# --- 01_audio_basics ----------------------------------------------------------
def _not_done(*args, **kwargs):
    raise NotImplementedError("Exercise: not done yet")


def test_check_1_1_seconds_to_samples():
    assert checks.check_exercise_1_1(lambda seconds, *, sr: int(round(seconds * sr))) is True
    assert checks.check_exercise_1_1(lambda seconds, *, sr: seconds / sr) is False
    assert checks.check_exercise_1_1(lambda seconds, *, sr: seconds * sr) is False  # a float
    assert checks.check_exercise_1_1(_not_done) is None


def test_check_1_2_amplitude_to_db():
    def amplitude_to_db(a, *, ref=1.0, amin=1e-5):
        return 20.0 * np.log10(np.maximum(np.abs(a), amin) / ref)

    def power_formula(a, *, ref=1.0, amin=1e-5):    # 10 log10 is for power, not amplitude
        return 10.0 * np.log10(np.maximum(np.abs(a), amin) / ref)

    def no_floor(a, *, ref=1.0, amin=1e-5):
        with np.errstate(divide="ignore"):
            return 20.0 * np.log10(np.abs(a) / ref)

    assert checks.check_exercise_1_2(amplitude_to_db) is True
    assert checks.check_exercise_1_2(power_formula) is False
    assert checks.check_exercise_1_2(no_floor) is False

    def calls_librosa(a, *, ref=1.0, amin=1e-5):     # passes the numbers, but is not the exercise
        import librosa
        return librosa.amplitude_to_db(np.abs(a), ref=ref, amin=amin, top_db=None)
    assert checks.check_exercise_1_2(calls_librosa) is False
    assert checks.check_exercise_1_2(_not_done) is None


def test_check_1_3_n_frames():
    assert checks.check_exercise_1_3(lambda n, *, hop_length: 1 + n // hop_length) is True
    assert checks.check_exercise_1_3(lambda n, *, hop_length: n // hop_length) is False

    def calls_librosa(n, *, hop_length):
        import librosa
        return librosa.stft(np.zeros(n), hop_length=hop_length).shape[1]
    assert checks.check_exercise_1_3(calls_librosa) is False
    assert checks.check_exercise_1_3(_not_done) is None


def test_check_1_4_hz_to_mel():
    assert checks.check_exercise_1_4(lambda f: 2595 * np.log10(1 + np.asarray(f) / 700)) is True
    assert checks.check_exercise_1_4(lambda f: 1127 * np.log(1 + np.asarray(f) / 700)) is True
    assert checks.check_exercise_1_4(lambda f: 2595 * np.log(1 + np.asarray(f) / 700)) is False
    import librosa
    assert checks.check_exercise_1_4(lambda f: librosa.hz_to_mel(f, htk=True)) is False
    assert checks.check_exercise_1_4(_not_done) is None


def test_check_1_5_loudness_curve():
    loudness_curve = exercises("01")["loudness_curve"]
    assert checks.check_exercise_1_5(loudness_curve) is True

    def centred(y, *, frame_length=2048, hop_length=512):    # pads like center=True
        y = np.pad(y, frame_length // 2)
        return loudness_curve(y, frame_length=frame_length, hop_length=hop_length)

    def power_db(y, *, frame_length=2048, hop_length=512):   # 10 log10 of the RMS
        return loudness_curve(y, frame_length=frame_length, hop_length=hop_length) / 2

    def calls_librosa(y, *, frame_length=2048, hop_length=512):
        import librosa
        rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop_length,
                                  center=False)[0]
        return 20 * np.log10(np.maximum(rms, 1e-5))

    for wrong in (centred, power_db, calls_librosa):
        assert checks.check_exercise_1_5(wrong) is False, wrong.__name__
    assert checks.check_exercise_1_5(_not_done) is None


# --- 02_feature_extraction ----------------------------------------------------
def test_check_2_1_mfcc_with_deltas():
    import librosa

    def with_deltas(M):
        return np.concatenate([M, librosa.feature.delta(M), librosa.feature.delta(M, order=2)])

    def first_delta_twice(M):    # the second block is not the second-order delta
        d = librosa.feature.delta(M)
        return np.concatenate([M, d, d])

    assert checks.check_exercise_2_1(with_deltas) is True
    assert checks.check_exercise_2_1(first_delta_twice) is False
    assert checks.check_exercise_2_1(lambda M: np.concatenate([M, np.diff(M, axis=1)])) is False
    assert checks.check_exercise_2_1(_not_done) is None


def test_check_2_2_summary_stats():
    assert checks.check_exercise_2_2(
        lambda F: np.concatenate([F.mean(axis=1), F.std(axis=1)])) is True
    assert checks.check_exercise_2_2(
        lambda F: np.concatenate([F.mean(axis=0), F.std(axis=0)])) is False   # over rows
    assert checks.check_exercise_2_2(
        lambda F: np.stack([F.mean(axis=1), F.std(axis=1)], axis=1).ravel()) is False  # interleaved
    assert checks.check_exercise_2_2(_not_done) is None


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
    assert checks.check_exercise_2_3(_not_done) is None


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
    assert checks.check_exercise_2_4(_not_done) is None


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
    assert checks.check_exercise_2_5(_not_done) is None


# --- 03_cnn --------------------------------------------------------------------
def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: not done")


def test_check_3_1_cut_segments():
    cut_segments = exercises("03")["cut_segments"]
    assert checks.check_exercise_3_1(cut_segments) is True

    def back_to_back(F, *, frames=130, hop=129):      # ignores the hop: 130 apart
        n = F.shape[1] // frames
        return np.stack([F[:, i * frames:(i + 1) * frames] for i in range(n)])

    def padded(F, *, frames=130, hop=129):            # pads the last partial segment
        n = -(-max(F.shape[1] - frames, 0) // hop) + 1
        F = np.pad(F, ((0, 0), (0, (n - 1) * hop + frames - F.shape[1])))
        return np.stack([F[:, i * hop:i * hop + frames] for i in range(n)])

    def silent_when_short(F, *, frames=130, hop=129):  # an empty result hides a short file
        if F.shape[1] < frames:
            return np.zeros((0, F.shape[0], frames))
        return cut_segments(F, frames=frames, hop=hop)

    def calls_the_library(F, *, frames=130, hop=129):
        from course_utils import features
        return features.segment_features(F, frames=frames, hop=hop)

    for wrong in (back_to_back, padded, silent_when_short, calls_the_library):
        assert checks.check_exercise_3_1(wrong) is False, wrong.__name__
    assert checks.check_exercise_3_1(_stub) is None


def test_check_3_2_conv_block():
    from keras import layers
    conv_block = exercises("03")["conv_block"]     # the lesson's reference solution

    def with_bias(x, filters, *, l2=0.0):
        x = layers.Conv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        return layers.MaxPooling2D(2)(layers.ReLU()(x))

    def tall_kernel(x, filters, *, l2=0.0):         # 9x1 has as many weights as 3x3
        x = layers.Conv2D(filters, (9, 1), padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        return layers.MaxPooling2D(2)(layers.ReLU()(x))

    def pool_first(x, filters, *, l2=0.0):          # the same layers, out of order
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.MaxPooling2D(2)(x)
        return layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))

    def relu_in_conv(x, filters, *, l2=0.0):        # the ReLU before batch norm
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, activation="relu")(x)
        return layers.MaxPooling2D(2)(layers.BatchNormalization(momentum=0.9)(x))

    def frozen(x, filters, *, l2=0.0):              # right layers, but nothing in them learns
        conv = layers.Conv2D(filters, 3, padding="same", use_bias=False, trainable=False)
        norm = layers.BatchNormalization(momentum=0.9, trainable=False)
        return layers.MaxPooling2D(2)(layers.ReLU()(norm(conv(x))))

    def keras_momentum(x, filters, *, l2=0.0):      # BatchNorm's default 0.99
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        return layers.MaxPooling2D(2)(layers.ReLU()(layers.BatchNormalization()(x)))

    def ignores_l2(x, filters, *, l2=0.0):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        return layers.MaxPooling2D(2)(layers.ReLU()(x))

    assert checks.check_exercise_3_2(conv_block) is True
    for wrong in (with_bias, tall_kernel, pool_first, relu_in_conv, frozen, keras_momentum,
                  ignores_l2):
        assert checks.check_exercise_3_2(wrong) is False, wrong.__name__
    assert checks.check_exercise_3_2(_stub) is None


def test_check_3_3_cnn_builder():
    import keras
    from keras import layers
    from course_utils import models
    solved = exercises("03")
    build_my_cnn, conv_block = solved["build_my_cnn"], solved["conv_block"]

    def calls_library(input_shape, n_classes, **kwargs):
        return models.build_cnn(input_shape, n_classes, **kwargs)

    def fixed_filters(input_shape, n_classes, *, filters=(16, 32, 64), dropout=0.3, l2=1e-4,
                      dense_units=64):               # right with the defaults only
        return build_my_cnn(input_shape, n_classes, dropout=dropout, l2=l2,
                            dense_units=dense_units)

    def build(input_shape, n_classes, *, filters=(16, 32, 64), dropout=0.3, l2=1e-4,
              dense_units=64, pool="global", head_l2=True):
        inputs = keras.Input(input_shape)
        x = layers.AveragePooling2D(2)(inputs)
        for n in filters:
            x = conv_block(x, n, l2=l2)
        x = layers.GlobalAveragePooling2D()(x) if pool == "global" else layers.Flatten()(x)
        penalty = keras.regularizers.L2(l2) if l2 and head_l2 else None
        x = layers.Dense(dense_units, activation="relu", kernel_regularizer=penalty)(
            layers.Dropout(dropout)(x))
        return keras.Model(inputs, layers.Dense(n_classes, activation="softmax")(
            layers.Dropout(dropout)(x)))

    def flatten_head(input_shape, n_classes, **kwargs):   # Flatten instead of global pooling
        return build(input_shape, n_classes, pool="flatten", **kwargs)

    def no_head_l2(input_shape, n_classes, **kwargs):     # the hidden Dense unregularised
        return build(input_shape, n_classes, head_l2=False, **kwargs)

    assert checks.check_exercise_3_3(build) is True          # a second correct answer
    assert checks.check_exercise_3_3(build_my_cnn) is True
    for wrong in (calls_library, fixed_filters, flatten_head, no_head_l2):
        assert checks.check_exercise_3_3(wrong) is False, wrong.__name__
    assert checks.check_exercise_3_3(_stub) is None


def _settings(model) -> list:
    """Each layer's type and the settings that decide what it computes (not its name)."""
    keep = ("filters", "kernel_size", "strides", "padding", "use_bias", "pool_size", "momentum",
            "epsilon", "rate", "units", "activation", "recurrent_activation", "kernel_regularizer",
            "return_sequences", "dims", "target_shape")
    return [(type(layer).__name__, {k: v for k, v in layer.get_config().items() if k in keep})
            for layer in model.layers]


def _assert_twins(mine, library) -> None:
    """The same layers with the same settings, and the same output on a fixed input once
    ``mine`` holds ``library``'s weights."""
    import keras
    assert _settings(mine) == _settings(library)
    mine.set_weights(library.get_weights())
    rng = np.random.default_rng(0)
    inputs = library.input if isinstance(library.input, dict) else {"x": library.input}
    x = {k: rng.normal(size=(4, *t.shape[1:])).astype("float32") for k, t in inputs.items()}
    x = x if isinstance(library.input, dict) else x["x"]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(mine(x, training=False)),
                               keras.ops.convert_to_numpy(library(x, training=False)),
                               rtol=1e-5, atol=1e-6)


def test_lesson_03_cnn_is_the_library_cnn():
    """The learner's reference CNN and ``models.build_cnn``: the same layers with the same
    settings, and the same output on a fixed input once they hold the same weights."""
    from course_utils import models
    _assert_twins(exercises("03")["build_my_cnn"]((128, 130, 1), 10),
                  models.build_cnn((128, 130, 1), 10))


def test_check_3_4_track_probabilities():
    track_probabilities = exercises("03")["track_probabilities"]

    def votes(seg_probs, track_ids):                  # a share of votes, not a mean
        track_ids = np.asarray(track_ids)
        ids = list(dict.fromkeys(track_ids))
        n = seg_probs.shape[1]
        return ids, np.stack([np.bincount(seg_probs[track_ids == t].argmax(1), minlength=n)
                              / (track_ids == t).sum() for t in ids])

    def mismatched(seg_probs, track_ids):             # sorted ids, rows in first-seen order
        ids, rows = track_probabilities(seg_probs, track_ids)
        return sorted(ids), rows

    def calls_library(seg_probs, track_ids):
        ids, mean, _ = evaluate.aggregate_tracks(seg_probs, track_ids)
        return ids, mean

    assert checks.check_exercise_3_4(track_probabilities) is True
    for wrong in (votes, mismatched, calls_library):
        assert checks.check_exercise_3_4(wrong) is False, wrong.__name__
    assert checks.check_exercise_3_4(_stub) is None


def test_check_3_5_time_mask():
    def time_mask(S, *, t0, width):
        S = S.copy()
        S[:, t0:t0 + width] = 0
        return S

    def freq_mask(S, *, t0, width):   # masks the wrong axis
        S = S.copy()
        S[t0:t0 + width] = 0
        return S

    def in_place(S, *, t0, width):
        S[:, t0:t0 + width] = 0
        return S

    assert checks.check_exercise_3_5(time_mask) is True
    assert checks.check_exercise_3_5(freq_mask) is False
    assert checks.check_exercise_3_5(in_place) is False
    assert checks.check_exercise_3_5(_stub) is None


def test_check_3_6_copy_segments():
    import librosa

    from course_utils import features
    copy_segments = exercises("03")["copy_segments"]
    assert checks.check_exercise_3_6(copy_segments) is True

    def cut(y, sr):
        return features.segment_features(features.log_mel(y, sr=sr))

    def by_resampling(y, sr, *, semitones=(-2.0, 2.0), rates=(0.9, 1.1)):
        # resampling shifts the pitch *and* changes the speed, so it is not a pitch shift
        copies = [librosa.resample(y, orig_sr=sr, target_sr=int(sr * 2 ** (-n / 12)))
                  for n in semitones]
        copies += [librosa.effects.time_stretch(y, rate=r) for r in rates]
        return np.concatenate([cut(c, sr) for c in copies])

    def inverted_rate(y, sr, *, semitones=(-2.0, 2.0), rates=(0.9, 1.1)):
        copies = [librosa.effects.pitch_shift(y, sr=sr, n_steps=n) for n in semitones]
        copies += [librosa.effects.time_stretch(y, rate=1 / r) for r in rates]
        return np.concatenate([cut(c, sr) for c in copies])

    def stretch_first(y, sr, *, semitones=(-2.0, 2.0), rates=(0.9, 1.1)):
        copies = [librosa.effects.time_stretch(y, rate=r) for r in rates]
        copies += [librosa.effects.pitch_shift(y, sr=sr, n_steps=n) for n in semitones]
        return np.concatenate([cut(c, sr) for c in copies])

    for wrong in (by_resampling, inverted_rate, stretch_first):
        assert checks.check_exercise_3_6(wrong) is False, wrong.__name__
    assert checks.check_exercise_3_6(_stub) is None


def test_lesson_03_copies_are_the_library_copies():
    """The reference 3.6 gives the segments the library trains the pitch + speed run on."""
    from course_utils import config, features, segments
    copy_segments = exercises("03")["copy_segments"]
    y = np.random.default_rng(1).normal(scale=0.1, size=4 * config.SR).astype(np.float32)
    want = np.concatenate([
        features.segment_features(features.log_mel(
            features.augment_waveform(y, kind=kind, amount=a), sr=config.SR))
        for kind in ("pitch", "stretch") for a in segments.WAVEFORM_AUGMENTS[kind]])
    got = copy_segments(y, config.SR, semitones=segments.WAVEFORM_AUGMENTS["pitch"],
                        rates=segments.WAVEFORM_AUGMENTS["stretch"])
    np.testing.assert_allclose(got, want, atol=1e-4)


# --- 04_lstm -------------------------------------------------------------------
def test_check_4_1_to_time_first():
    assert checks.check_exercise_4_1(lambda M: np.swapaxes(M, -1, -2)) is True
    assert checks.check_exercise_4_1(
        lambda M: M.reshape(*M.shape[:-2], M.shape[-1], M.shape[-2])) is False
    assert checks.check_exercise_4_1(_stub) is None


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
    assert checks.check_exercise_4_2(_stub) is None


def test_lesson_04_lstm_is_the_library_lstm():
    """The learner's reference LSTM and ``models.build_lstm``: the same layers and settings,
    and the same output on a fixed input once they hold the same weights."""
    from course_utils import models
    for kwargs in ({}, {"units": (32, 16), "time_pool": 1}):
        _assert_twins(exercises("04")["build_my_lstm"]((130, 60), 10, **kwargs),
                      models.build_lstm((130, 60), 10, **kwargs))


def test_check_4_3_lstm_params():
    assert checks.check_exercise_4_3(lambda u, i: 4 * (u * (u + i) + u)) is True
    assert checks.check_exercise_4_3(lambda u, i: 4 * (u * i + u)) is False   # no recurrence
    assert checks.check_exercise_4_3(_stub) is None


def test_check_4_4_bidirectional_params():
    lstm = lambda units, n: 4 * (units * (units + n) + units)
    assert checks.check_exercise_4_4(lambda units, n: 2 * lstm(units, n)) is True
    assert checks.check_exercise_4_4(lambda units, n: lstm(units, n)) is False   # one direction
    assert checks.check_exercise_4_4(lambda units, n: 64000) is False           # typed in
    assert checks.check_exercise_4_4(_not_done) is None


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
    assert checks.check_exercise_4_5(_stub) is None


# --- 05_hybrid -----------------------------------------------------------------
def test_check_5_1_pooled_length():
    def pooled_length(n_frames, pools):
        for pool in pools:
            n_frames //= pool
        return n_frames

    assert checks.check_exercise_5_1(pooled_length) is True
    assert checks.check_exercise_5_1(lambda n, pools: -(-n // int(np.prod(pools)))) is False
    assert checks.check_exercise_5_1(_stub) is None


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
    assert checks.check_exercise_5_2(_stub) is None


def test_lesson_05_crnn_is_the_library_crnn():
    from course_utils import models
    _assert_twins(exercises("05")["build_my_crnn"]((128, 130, 1), 10),
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
    assert checks.check_exercise_5_3(_stub) is None


def test_lesson_05_parallel_is_the_library_parallel():
    from course_utils import models
    shapes = ((128, 130, 1), (130, 60))
    _assert_twins(exercises("05")["build_my_parallel"](*shapes, 10),
                  models.build_hybrid(shapes, 10, kind="parallel"))


def test_check_5_4_best_per_param():
    import pandas as pd
    table = pd.DataFrame({"model": ["cnn", "lstm", "crnn"], "params": [28442, 32650, 61530],
                          "track_acc_mean": [0.70, 0.75, 0.90]})
    assert checks.check_exercise_5_4("cnn", table) is True      # 0.0246 per 1000 parameters
    assert checks.check_exercise_5_4("crnn", table) is False    # the most accurate, not per param
    assert checks.check_exercise_5_4(..., table) is None


# --- 06_evaluation -------------------------------------------------------------
def _stub_6(*args, **kwargs):
    raise NotImplementedError("Exercise 6.x: not done")


def _vote_accuracy(seg_pred, seg_true, track_ids):
    correct = []
    for track in np.unique(track_ids):
        mine = track_ids == track
        correct.append(np.bincount(seg_pred[mine]).argmax() == seg_true[mine][0])
    return float(np.mean(correct))


def test_check_6_1_vote_accuracy(capsys):
    assert checks.check_exercise_6_1(_vote_accuracy) is True
    segment_accuracy = lambda p, t, ids: float(np.mean(p == t))
    assert checks.check_exercise_6_1(segment_accuracy) is False
    largest_on_tie = lambda p, t, ids: float(np.mean([
        (len(c := np.bincount(p[ids == k])) - 1 - c[::-1].argmax()) == t[ids == k][0]
        for k in np.unique(ids)]))
    assert checks.check_exercise_6_1(largest_on_tie) is False
    assert checks.check_exercise_6_1(_stub_6) is None
    assert "not done yet" in capsys.readouterr().out


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
    assert checks.check_exercise_6_2(_stub_6) is None


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
    assert checks.check_exercise_6_3(_stub_6) is None


def test_check_6_4_n_needed():
    import math
    reference = lambda p, w, z=1.96: math.ceil(z**2 * p * (1 - p) / w**2)
    assert checks.check_exercise_6_4(reference) is True
    assert checks.check_exercise_6_4(lambda p, w, z=1.96: int(z * p * (1 - p) / w**2)) is False
    assert checks.check_exercise_6_4(lambda p, w, z=1.96: round(z**2 * p * (1 - p) / w**2)) \
        is False                                                       # rounded, not up
    assert checks.check_exercise_6_4(lambda p, w, z=1.96: 323) is False      # typed in
    assert checks.check_exercise_6_4(_not_done) is None


def test_check_6_5_shared_values():
    reference = lambda tr, te, col="track_id": set(tr[col].dropna()) & set(te[col].dropna())
    assert checks.check_exercise_6_5(reference) is True
    keeps_missing = lambda tr, te, col="track_id": set(tr[col]) & set(te[col])
    assert checks.check_exercise_6_5(keeps_missing) is False
    union = lambda tr, te, col="track_id": set(tr[col].dropna()) | set(te[col].dropna())
    assert checks.check_exercise_6_5(union) is False
    as_bool = lambda tr, te, col="track_id": bool(reference(tr, te, col))
    assert checks.check_exercise_6_5(as_bool) is False
    assert checks.check_exercise_6_5(_stub_6) is None


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
    assert checks.check_exercise_6_6(_stub_6) is None


def test_check_6_7_cross_validate():
    import json
    cross_validate = exercises("06")["cross_validate"]
    assert checks.check_exercise_6_7(cross_validate) is True
    assert checks.check_exercise_6_7(evaluate.cross_validate) is True   # the library twin

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
    assert checks.check_exercise_6_7(_stub) is None


def test_lesson_06_loop_is_the_library_loop(tmp_path):
    """The reference 6.7 and evaluate.cross_validate give the same table and refuse the same leaks."""
    cross_validate = exercises("06")["cross_validate"]
    tests = [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]]
    for leak in (None, 2):
        root = tmp_path / f"leak{leak}"
        root.mkdir()
        dirs = checks._fake_folds(root, tests, leak=leak)
        results = []
        for fn in (cross_validate, evaluate.cross_validate):
            try:
                results.append(fn(4, lambda k: dirs[k]))
            except (CourseError, ValueError) as err:   # "fold 2 ...: test track e is also ..."
                results.append(re.search(r"^fold (\d+).*test track (\S+) is also (in|among) its own",
                                         str(err)).groups())
        if leak is None:
            pd.testing.assert_frame_equal(results[0], results[1])
        else:
            assert results[0] == results[1] == ("2", "e", results[0][2]), results


# --- 07_your_own_music ---------------------------------------------------------
def test_check_7_1_top_k():
    def top_k(probs, genres, *, k=3):
        order = np.argsort(probs)[::-1][:k]
        return [(genres[i], float(probs[i])) for i in order]

    def ascending(probs, genres, *, k=3):
        order = np.argsort(probs)[:k]
        return [(genres[i], float(probs[i])) for i in order]

    assert checks.check_exercise_7_1(top_k) is True
    assert checks.check_exercise_7_1(ascending) is False
    assert checks.check_exercise_7_1(_not_done) is None


def test_check_7_2_majority_vote():
    def vote(seg_probs, genres):
        votes = np.bincount(seg_probs.argmax(axis=1), minlength=len(genres))
        tied = np.flatnonzero(votes == votes.max())
        return genres[tied[seg_probs.mean(axis=0)[tied].argmax()]]

    def mean_rule(seg_probs, genres):         # averages instead of voting
        return genres[seg_probs.mean(axis=0).argmax()]

    def first_on_tie(seg_probs, genres):      # np.argmax of the counts: first genre wins ties
        return genres[np.bincount(seg_probs.argmax(axis=1), minlength=len(genres)).argmax()]

    assert checks.check_exercise_7_2(vote) is True
    assert checks.check_exercise_7_2(mean_rule) is False
    assert checks.check_exercise_7_2(first_on_tie) is False
    assert checks.check_exercise_7_2(_not_done) is None


def test_check_7_3_decide():
    def decide(probs, genres, *, threshold=0.5):
        best = int(np.argmax(probs))
        return genres[best] if probs[best] >= threshold else "unsure"

    def strict(probs, genres, *, threshold=0.5):   # ">" calls a probability at the threshold unsure
        best = int(np.argmax(probs))
        return genres[best] if probs[best] > threshold else "unsure"

    assert checks.check_exercise_7_3(decide) is True
    assert checks.check_exercise_7_3(strict) is False
    assert checks.check_exercise_7_3(lambda probs, genres, *, threshold=0.5:
                                     genres[int(np.argmax(probs))]) is False   # never unsure
    assert checks.check_exercise_7_3(_not_done) is None



def test_check_7_4_predict_folder():
    from pathlib import Path

    from course_utils import audio, runs
    predict_folder = exercises("07")["predict_folder"]
    assert checks.check_exercise_7_4(predict_folder) is True
    assert checks.check_exercise_7_4(runs.predict_folder) is True   # the library twin

    def audio_files(folder):
        return sorted(p for p in Path(folder).rglob("*") if p.is_file() and audio.is_audio_file(p))

    def table_of(results):
        return pd.DataFrame([{"file": p.name, "genre": r["top"][0]["genre"],
                              "probability": r["top"][0]["probability"]} for p, r in results])

    def stops_at_a_bad_file(folder, predict):
        return table_of([(p, predict(p)) for p in audio_files(folder)]), {}

    def skips_silently(folder, predict):
        results = []
        for p in audio_files(folder):
            try:
                results.append((p, predict(p)))
            except CourseError:
                pass
        return table_of(results), {}

    def swallows_bugs(folder, predict):
        results, errors = [], {}
        for p in audio_files(folder):
            try:
                results.append((p, predict(p)))
            except Exception as err:      # a KeyError in predict now looks like a bad file
                errors[p.name] = str(err)
        return table_of(results), errors

    def top_level_only(folder, predict):
        results, errors = [], {}
        for p in sorted(Path(folder).iterdir()):
            if p.is_file() and audio.is_audio_file(p):
                try:
                    results.append((p, predict(p)))
                except CourseError as err:
                    errors[p.name] = str(err)
        return table_of(results), errors

    for wrong in (stops_at_a_bad_file, skips_silently, swallows_bugs, top_level_only):
        assert checks.check_exercise_7_4(wrong) is False, wrong.__name__
    assert checks.check_exercise_7_4(_stub) is None


def test_lesson_07_loop_is_the_library_loop(tmp_path, caplog):
    """The reference 7.4 and runs.predict_folder agree on a folder of real and broken files."""
    import soundfile as sf

    from course_utils import config, runs
    predict_folder = exercises("07")["predict_folder"]
    rng = np.random.default_rng(0)
    for name in ("x.wav", "sub/y.flac"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        sf.write(tmp_path / name, 0.1 * rng.normal(size=4 * config.SR), config.SR)
    (tmp_path / "broken.wav").write_text("not audio")

    def predict(path):      # a real decode (so broken.wav fails as it would), a fake model
        from course_utils import audio
        y, _ = audio.load(path)
        return {"top": [{"genre": "rock" if len(y) else "pop", "probability": 0.5}]}

    mine, library = predict_folder(tmp_path, predict), runs.predict_folder(tmp_path, predict)
    pd.testing.assert_frame_equal(mine[0], library[0])
    assert list(mine[0]["file"]) == ["y.flac", "x.wav"]   # sorted by path: sub/y.flac first
    assert mine[1] == library[1] and list(mine[1]) == ["broken.wav"]
    assert "broken.wav" in caplog.text                 # the library reports it, never silently


# --- 08_transfer_learning -------------------------------------------------------
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
    assert checks.check_exercise_8_1(_not_done) is None


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
    assert checks.check_exercise_8_2(_not_done) is None


def test_check_8_3_build_my_probe():
    import keras
    from keras import layers

    def probe(input_dim, num_classes, *, hidden=32, dropout=0.3):
        inputs = keras.Input((input_dim,))
        x = layers.Dropout(dropout)(inputs)
        x = layers.Dense(hidden, activation="relu")(x)
        return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))

    def logits(input_dim, num_classes):            # no softmax: rows do not sum to 1
        inputs = keras.Input((input_dim,))
        x = layers.Dense(32, activation="relu")(layers.Dropout(0.3)(inputs))
        return keras.Model(inputs, layers.Dense(num_classes)(x))

    def no_dropout(input_dim, num_classes):        # nothing against overfitting
        return keras.Sequential([keras.Input((input_dim,)), layers.Dense(32, activation="relu"),
                                 layers.Dense(num_classes, activation="softmax")])

    def frozen(input_dim, num_classes):            # cannot learn
        model = probe(input_dim, num_classes)
        model.trainable = False
        return model

    assert checks.check_exercise_8_3(probe) is True
    for wrong in (logits, no_dropout, frozen):
        assert checks.check_exercise_8_3(wrong) is False, wrong.__name__
    assert checks.check_exercise_8_3(_not_done) is None


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
    assert checks.check_exercise_8_4(_not_done, mapping) is None


# --- 09_applications -----------------------------------------------------------------
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
    assert checks.check_exercise_9_1(_not_done) is None


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
    checks.check_exercise_9_2(_not_done)
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
    assert checks.check_exercise_9_4(_stub) is None


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
