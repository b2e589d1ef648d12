"""Tests for the checks of lesson 03_cnn (course_utils.checks.lesson03): each
check accepts the reference solution and rejects known-wrong answers."""
from __future__ import annotations

import numpy as np

from course_utils import checks, evaluate
from fakes import assert_twins, not_done
from solution_code import exercises


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
    assert checks.check_exercise_3_1(not_done) is None


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
    assert checks.check_exercise_3_2(not_done) is None


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
    assert checks.check_exercise_3_3(not_done) is None


def test_lesson_03_cnn_is_the_library_cnn():
    """The learner's reference CNN and ``models.build_cnn``: the same layers with the same
    settings, and the same output on a fixed input once they hold the same weights."""
    from course_utils import models
    assert_twins(exercises("03")["build_my_cnn"]((128, 130, 1), 10),
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
    assert checks.check_exercise_3_4(not_done) is None


def test_check_3_7_spec_augment_segment():
    spec_augment_segment = exercises("03")["spec_augment_segment"]
    assert checks.check_exercise_3_7(spec_augment_segment) is True

    def bands_first(S, rng, *, n_masks=2, time_width=16, freq_width=12):   # another draw order
        S = S.copy()
        for _ in range(n_masks):
            f0, h = rng.integers(S.shape[0]), rng.integers(1, freq_width + 1)
            S[f0:f0 + h] = 0
            t0, w = rng.integers(S.shape[1]), rng.integers(1, time_width + 1)
            S[:, t0:t0 + w] = 0
        return S

    def time_only(S, rng, *, n_masks=2, time_width=16, freq_width=12):
        S = S.copy()
        for _ in range(n_masks):
            t0, w = rng.integers(S.shape[1]), rng.integers(1, time_width + 1)
            S[:, t0:t0 + w] = 0
        return S

    def in_place(S, rng, **kwargs):
        S[...] = spec_augment_segment(S, rng, **kwargs)
        return S

    for wrong in (bands_first, time_only, in_place):
        assert checks.check_exercise_3_7(wrong) is False, wrong.__name__
    assert checks.check_exercise_3_7(not_done) is None


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
    assert checks.check_exercise_3_6(not_done) is None


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
