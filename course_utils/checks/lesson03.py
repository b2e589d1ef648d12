"""Checks of lesson 03_cnn."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import CheckFailed, close, exercise, expect, write_it_yourself
from ._keras import expect_outputs, expect_probabilities, l2_of, loss_falls, model_learns, role


@exercise("3.1")
def check_exercise_3_1(cut_segments: Callable) -> None:
    """Verifies ``cut_segments(F, frames=130, hop=129)`` against ``features.segment_features``
    on random feature matrices: exactly one segment, the FAST 6 s clip, a 30 s GTZAN clip, a
    longer one and another segment length, value for value; a matrix shorter than one segment
    must raise ``ValueError``; calling the library's cutter fails."""
    from .. import features, segments
    cut_segments = write_it_yourself(cut_segments, [features.segment_features, segments],
                                     "the cutting")
    rng = np.random.default_rng(0)
    for n_frames, frames, hop in ((130, 130, 129), (259, 130, 129), (1293, 130, 129),
                                  (1300, 130, 129), (500, 64, 63)):
        F = rng.normal(size=(5, n_frames)).astype(np.float32)
        want = features.segment_features(F, frames=frames, hop=hop)
        got = np.asarray(cut_segments(F, frames=frames, hop=hop))
        expect(got.shape == want.shape, expected=f"shape {want.shape} for {n_frames} frames "
                                                 f"(frames={frames}, hop={hop})",
               actual=got.shape, hint="segments start at 0, hop, 2*hop, ... while a whole "
                                      "segment fits; stack them on a new first axis.")
        expect(close(got, want, atol=0), expected="segment i = F[:, i*hop : i*hop + frames]",
               actual="other values", hint="cut along the time axis (the second one), from "
                                           "frame 0.")
    try:
        cut_segments(np.zeros((5, 100)), frames=130, hop=129)
    except ValueError:
        pass
    else:
        raise CheckFailed("expected a ValueError for 100 frames (shorter than one segment of "
                          "130), got no error. Hint: a silent empty result hides a too-short "
                          "file; raise ValueError and say both lengths.")


@exercise("3.2")
def check_exercise_3_2(conv_block: Callable) -> None:
    """Verifies ``conv_block(x, filters, l2=...)`` by building it on a ``(64, 65, 1)`` input
    with 16 filters: output shape ``(None, 32, 32, 16)``, 208 parameters (3x3x1x16 kernel
    without bias + 4x16 BatchNorm), a 3x3 kernel, the layers in the order Conv2D,
    BatchNormalization (momentum 0.9), ReLU, MaxPooling2D, an L2 penalty of ``l2`` on the
    kernel (none for ``l2=0``), and that 30 training steps of the block under a small head
    lower the loss on a toy task."""
    import keras
    inputs = keras.Input((64, 65, 1))
    outputs = conv_block(inputs, 16)
    model = keras.Model(inputs, outputs)
    shape = tuple(outputs.shape)
    expect(shape == (None, 32, 32, 16), expected="output shape (None, 32, 32, 16)",
           actual=shape, hint="'same' padding keeps 64x65; a 2x2 max-pool halves it (65 // 2 = 32).")
    kinds = {type(layer).__name__ for layer in model.layers}
    for needed in ("Conv2D", "BatchNormalization", "MaxPooling2D"):
        expect(needed in kinds, expected=f"a {needed} layer", actual=sorted(kinds),
               hint="Conv2D -> BatchNormalization -> ReLU -> MaxPooling2D.")
    has_relu = "ReLU" in kinds or any(
        getattr(getattr(layer, "activation", None), "__name__", "") == "relu"
        for layer in model.layers)
    expect(has_relu, expected="a ReLU (layers.Activation('relu') or layers.ReLU())",
           actual=sorted(kinds), hint="add the non-linearity after BatchNormalization.")
    n = model.count_params()
    expect(n == 208, expected="208 parameters (144 conv weights + 64 BatchNorm)", actual=n,
           hint="use a 3x3 kernel with use_bias=False: BatchNorm's beta already adds a bias.")
    kernels = [tuple(layer.kernel_size) for layer in model.layers
               if isinstance(layer, keras.layers.Conv2D)]
    expect(kernels == [(3, 3)], expected="one Conv2D with a 3x3 kernel", actual=kernels,
           hint="kernel_size=3 looks 3 mel bands by 3 frames around each point.")
    order = [role(layer) for layer in model.layers]
    order = [role for role in order if role]
    expect(order == ["conv", "batch norm", "relu", "max-pool"],
           expected="conv -> batch norm -> relu -> max-pool", actual=" -> ".join(order),
           hint="normalise the convolution's output, then apply the ReLU, then pool.")
    momenta = [layer.momentum for layer in model.layers
               if isinstance(layer, keras.layers.BatchNormalization)]
    expect(momenta == [0.9], expected="BatchNormalization(momentum=0.9)", actual=momenta,
           hint="Keras's default 0.99 averages over ~100 steps; a FAST epoch has ~30.")
    for l2 in (0.0, 1e-3):
        block = keras.Model(inputs, conv_block(inputs, 16, l2=l2))
        got = [l2_of(layer) for layer in block.layers if isinstance(layer, keras.layers.Conv2D)]
        expect(close(got, [l2], rtol=1e-6, atol=0), expected=f"an L2 penalty of {l2:g} on the "
               "kernel", actual=got, hint="kernel_regularizer=keras.regularizers.L2(l2) if l2 "
                                          "else None.")
    expect(loss_falls(conv_block), expected="a loss that falls over 30 training steps",
           actual="a loss that did not fall", hint="the block must pass gradients: no frozen "
                                                   "layers, no constant output.")


@exercise("3.3")
def check_exercise_3_3(build_my_cnn: Callable) -> None:
    """Verifies ``build_my_cnn(input_shape, n_classes, filters=..., dropout=..., l2=...,
    dense_units=...)`` without calling the library's builder: on ``(128, 130, 1)`` and 10
    classes, 28,442 parameters and the layer order average-pool, three Conv2D -> BatchNorm
    -> ReLU -> MaxPool blocks, global average-pool, dropout, ReLU Dense, dropout, softmax
    Dense; with ``filters=(8, 16)``, ``dense_units=32`` and 4 classes, the parameter count of
    ``models.build_cnn`` for the same settings (so the arguments are used, not typed in);
    dropout rates and L2 factors as asked; probabilities that sum to 1; and that 40
    training steps of a small version lower the loss on a toy task."""
    import keras
    from .. import models
    build_my_cnn = write_it_yourself(build_my_cnn, [models], "the CNN")
    model = build_my_cnn((128, 130, 1), 10)
    expect_outputs(model, 10)
    block = ["conv", "batch norm", "relu", "max-pool"]
    want = (["average-pool"] + block * 3 + ["global average-pool", "dropout", "dense+relu",
                                           "dropout", "dense+softmax"])
    order = [role for role in map(role, model.layers) if role]
    expect(order == want, expected=" -> ".join(want), actual=" -> ".join(order),
           hint="input AveragePooling2D(2), one conv_block per filter count, "
                "GlobalAveragePooling2D, then Dropout, Dense(relu), Dropout, Dense(softmax).")
    kernels = [tuple(layer.kernel_size) for layer in model.layers
               if isinstance(layer, keras.layers.Conv2D)]
    expect(kernels == [(3, 3)] * 3, expected="three 3x3 kernels", actual=kernels,
           hint="a (9, 1) kernel has as many weights as a 3x3 one, but sees no time context.")
    n = model.count_params()
    expect(n == 28442, expected="28,442 parameters with the defaults", actual=f"{n:,}",
           hint="filters (16, 32, 64), a 64-unit hidden layer; 3x3 kernels without bias.")
    from ..models import build_cnn
    small = build_my_cnn((64, 64, 1), 4, filters=(8, 16), dropout=0.5, l2=1e-3, dense_units=32)
    twin = build_cnn((64, 64, 1), 4, filters=(8, 16), dropout=0.5, l2=1e-3, dense_units=32)
    expect(small.count_params() == twin.count_params(),
           expected=f"{twin.count_params():,} parameters for filters=(8, 16), dense_units=32, "
                    "4 classes", actual=f"{small.count_params():,}",
           hint="build one block per entry of `filters` and use `dense_units` and `n_classes`.")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    expect(close(rates, [0.5, 0.5], atol=1e-9), expected="two Dropout layers at rate 0.5",
           actual=rates, hint="use the `dropout` argument for both Dropout layers.")
    kernels = [l2_of(layer) for layer in small.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    expect(close(kernels, [1e-3, 1e-3, 1e-3, 0.0], rtol=1e-6, atol=0),
           expected="L2 1e-3 on both conv kernels and the hidden Dense, none on the output",
           actual=kernels, hint="pass l2 to conv_block and to the hidden Dense layer.")
    expect_probabilities(model, (128, 130, 1))
    expect(model_learns(build_my_cnn), expected="a loss that falls over 40 training steps",
           actual="a loss that did not fall", hint="no frozen layers and no constant output.")


@exercise("3.4")
def check_exercise_3_4(track_probabilities: Callable) -> None:
    """Verifies ``track_probabilities(seg_probs, track_ids)`` on 11 segments of 4 tracks in
    mixed order (one track with a single segment): one row per track, each the mean of that
    track's segment probabilities (so the rows still sum to 1), matched to the right id;
    without calling ``evaluate.aggregate_tracks`` or ``segments.mean_per_track``."""
    from .. import evaluate, segments
    track_probabilities = write_it_yourself(
        track_probabilities, [evaluate.aggregate_tracks, segments.mean_per_track],
        "the aggregation")
    rng = np.random.default_rng(4)
    ids = np.array(["b", "a", "b", "c", "a", "b", "d", "c", "a", "b", "c"])
    probs = rng.dirichlet(np.ones(5), size=len(ids))
    got_ids, got = track_probabilities(probs, ids)
    got_ids, got = [str(t) for t in got_ids], np.asarray(got, dtype=float)
    expect(sorted(got_ids) == ["a", "b", "c", "d"] and got.shape == (4, 5),
           expected="4 track ids and a (4, 5) array", actual=f"{got_ids} and {got.shape}",
           hint="one row per distinct track id.")
    for t, row in zip(got_ids, got):
        want = probs[ids == t].mean(axis=0)
        expect(close(row, want), expected=f"track {t!r}: the mean of its "
                                          f"{int((ids == t).sum())} segments' probabilities",
               actual=np.round(row, 3).tolist(),
               hint="average the rows of seg_probs whose track id is t (probabilities, not "
                    "votes).")


@exercise("3.7")
def check_exercise_3_7(spec_augment_segment: Callable) -> None:
    """Verifies ``spec_augment_segment(S, rng, n_masks=..., time_width=..., freq_width=...)``
    against ``train.spec_augment`` given generators with the same seed, on normalised-looking
    ``(128, 130)`` and ``(64, 65)`` arrays, with the default masks, one mask, four narrow ones
    and masks that run past an edge: the same frames and bands set to 0 and nothing else
    changed, the input left as it was; calling ``train.spec_augment`` fails."""
    from .. import train
    spec_augment_segment = write_it_yourself(spec_augment_segment, [train.spec_augment],
                                             "the masking")
    data = np.random.default_rng(1)
    for shape, kwargs, seed in (((128, 130), {}, 0), ((128, 130), {}, 7),
                                ((64, 65), {"n_masks": 1}, 3),
                                ((128, 130), {"n_masks": 4, "time_width": 5, "freq_width": 3}, 5),
                                ((16, 20), {"n_masks": 3, "time_width": 16, "freq_width": 12}, 11)):
        S = data.normal(size=shape).astype(np.float32) + 0.5   # no exact zeros before masking
        original = S.copy()
        want = train.spec_augment(S[None, :, :, None], np.random.default_rng(seed),
                                  **kwargs)[0, :, :, 0]
        got = np.asarray(spec_augment_segment(S, np.random.default_rng(seed), **kwargs))
        expect(np.array_equal(S, original), expected="the input left unchanged",
               actual="the input was modified", hint="work on S.copy().")
        expect(got.shape == shape, expected=f"shape {shape}", actual=got.shape,
               hint="return the whole masked segment.")
        frames = lambda M: sorted(set(np.flatnonzero((M == 0).all(axis=0)).tolist()))
        bands = lambda M: sorted(set(np.flatnonzero((M == 0).all(axis=1)).tolist()))
        expect(close(got, want, atol=0),
               expected=f"frames {frames(want)} and bands {bands(want)} set to 0 "
                        f"({kwargs or 'the defaults'}, seed {seed})",
               actual=f"frames {frames(got)} and bands {bands(got)}",
               hint="per mask, draw t0 = rng.integers(frames), w = rng.integers(1, time_width "
                    "+ 1), zero S[:, t0:t0 + w]; then f0 = rng.integers(bands), h = "
                    "rng.integers(1, freq_width + 1), zero S[f0:f0 + h]; in that order.")


@exercise("3.6")
def check_exercise_3_6(copy_segments: Callable) -> None:
    """Verifies ``copy_segments(y, sr, semitones=..., rates=...)`` on 6.5 seconds of a
    harmonic tone: the log-mel segments of each pitch-shifted copy (``librosa.effects.
    pitch_shift``), then of each time-stretched one (``librosa.effects.time_stretch``), in that
    order, as the library makes them (``features.augment_waveform``, ``features.log_mel``,
    ``features.segment_features``), without calling ``features.augment_waveform``; shifting
    by resampling (which changes pitch and speed
    together), a wrong direction or another order fails."""
    from .. import config, features
    copy_segments = write_it_yourself(copy_segments, [features.augment_waveform],
                                      "the copies")
    sr = config.SR
    t = np.arange(int(6.5 * sr)) / sr
    y = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 660 * t)
         ) * (1 + 0.5 * np.sin(2 * np.pi * 1.5 * t))
    y = y.astype(np.float32)
    semitones, rates = (-2.0, 3.0), (0.8, 1.25)

    copies = [("pitch", n) for n in semitones] + [("stretch", r) for r in rates]
    want = [features.segment_features(features.log_mel(
                features.augment_waveform(y, sr=sr, kind=kind, amount=amount), sr=sr))
            for kind, amount in copies]
    got = np.asarray(copy_segments(y, sr, semitones=semitones, rates=rates))
    n_want = sum(len(w) for w in want)
    expect(got.ndim == 3 and got.shape[1:] == want[0].shape[1:] and len(got) == n_want,
           expected=f"shape ({n_want}, 128, 130): "
                    + " + ".join(str(len(w)) for w in want) + " segments",
           actual=got.shape, hint="a 6.5 s clip gives 2 segments; stretched by 0.8 (slower) "
                                  "it lasts 8.1 s and gives 2, by 1.25 (faster) 5.2 s and 1.")
    start = 0
    for (kind, amount), w in zip(copies, want):
        part = got[start:start + len(w)]
        expect(close(part, w, atol=1e-2), expected=f"the segments of the {kind} copy "
                                                   f"({amount:+g}) in position",
               actual="other values", hint="pitch_shift(y, sr=sr, n_steps=n) for each n, then "
                                           "time_stretch(y, rate=r) for each r; then log-mel "
                                           "and cut each copy.")
        start += len(w)
