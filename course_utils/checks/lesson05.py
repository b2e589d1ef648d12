"""Checks of lesson 05_hybrid."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import CheckFailed, close, exercise, expect, write_it_yourself
from ._keras import expect_outputs, l2_of, loss_falls_on, model_learns


@exercise("5.1")
def check_exercise_5_1(pooled_length: Callable) -> None:
    """Verifies ``pooled_length(n_frames, pools)`` on five cases, including the course's CRNN
    (130 frames, time pools (2, 2, 1, 1) -> 32) and odd lengths, where rounding up is wrong."""
    for n_frames, pools, want in ((130, (2, 2, 1, 1), 32), (130, (2, 2, 2), 16),
                                  (1293, (2, 2, 1, 1), 323), (7, (2,), 3), (65, (), 65)):
        got = pooled_length(n_frames, pools)
        expect(got == want, expected=f"{want} frames for {n_frames} frames and pools {pools}",
               actual=got, hint="each pooling layer keeps n // pool frames (it drops a "
                                "remainder); apply them one after another.")


@exercise("5.2")
def check_exercise_5_2(build_my_crnn: Callable) -> None:
    """Verifies ``build_my_crnn(input_shape, n_classes, filters=..., units=..., dropout=...,
    l2=...)`` without calling the library's builder: on ``(128, 130, 1)`` and 10 classes,
    61,530 parameters, three conv blocks pooling 2x2 then 4x1 (frequency only), a sequence
    of 32 steps of 128 numbers with time first (checked by value: each step must be one
    moment of every band and map), a GRU, dropout and a softmax Dense; with
    ``filters=(8, 16)``, ``units=16`` and 4 classes, the parameter count of
    ``models.build_hybrid(kind="crnn")``; dropout and L2 as asked; and that 40 training
    steps lower the loss on a toy task."""
    import keras
    from .. import models
    build_my_crnn = write_it_yourself(build_my_crnn, [models], "the CRNN")
    model = build_my_crnn((128, 130, 1), 10)
    expect_outputs(model, 10)
    pools = [tuple(layer.pool_size) for layer in model.layers
             if isinstance(layer, keras.layers.MaxPooling2D)]
    expect(pools == [(2, 2), (4, 1), (4, 1)], expected="max-pools (2, 2), (4, 1), (4, 1)",
           actual=pools, hint="pool time only in the first block, so that 32 frames remain.")
    rnn = [layer for layer in model.layers if isinstance(layer, keras.layers.GRU)]
    expect(len(rnn) == 1 and tuple(rnn[0].input.shape) == (None, 32, 128),
           expected="one GRU reading (None, 32, 128)",
           actual=[tuple(layer.input.shape) for layer in rnn] or "no GRU",
           hint="after the blocks (2 bands x 32 frames x 64 maps), put time first with "
                "Permute((2, 1, 3)) and Reshape to (32, 2 * 64).")
    n = model.count_params()
    expect(n == 61530, expected="61,530 parameters with the defaults", actual=f"{n:,}",
           hint="3x3 kernels without bias, a GRU of 64 units, no hidden Dense layer.")
    _expect_time_first(model, rnn[0])
    from ..models import build_hybrid
    small = build_my_crnn((64, 64, 1), 4, filters=(8, 16), units=16, dropout=0.5, l2=1e-3)
    twin = build_hybrid((64, 64, 1), 4, kind="crnn", filters=(8, 16), units=16, dropout=0.5,
                        l2=1e-3)
    expect(small.count_params() == twin.count_params(),
           expected=f"{twin.count_params():,} parameters for filters=(8, 16), units=16, 4 "
                    "classes", actual=f"{small.count_params():,}",
           hint="one block per entry of `filters`; `units` for the GRU; `n_classes` outputs.")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    expect(close(rates, [0.5], atol=1e-9), expected="one Dropout at rate 0.5 after the GRU",
           actual=rates, hint="use the `dropout` argument.")
    l2s = [l2_of(layer) for layer in small.layers
           if isinstance(layer, (keras.layers.Conv2D, keras.layers.GRU, keras.layers.Dense))]
    expect(close(l2s, [1e-3, 1e-3, 1e-3, 0.0], rtol=1e-6, atol=0),
           expected="L2 1e-3 on the conv and GRU kernels, none on the output layer",
           actual=l2s, hint="pass kernel_regularizer to every Conv2D and to the GRU.")
    expect(model_learns(lambda shape, k, **kw: build_my_crnn(
               shape, k, filters=(8, 8), units=8, dropout=0.0, l2=0.0), steps=40),
           expected="a loss that falls over 40 training steps", actual="a loss that did not "
           "fall", hint="no frozen layers and no constant output.")


def _expect_time_first(model, rnn) -> None:
    """The sequence the RNN reads must have time first: feeding an input whose energy sits in
    one time span must light up the matching steps, whatever the bands do."""
    import keras
    probe = keras.Model(model.input, rnn.input)
    x = np.zeros((2, *model.input.shape[1:]), "float32")
    x[0, :, :16] = 3.0              # energy in the first 16 frames only
    x[1, :, -16:] = 3.0             # ... in the last 16 frames only
    seq = keras.ops.convert_to_numpy(probe(x, training=False))
    change = np.abs(seq[0] - seq[1]).mean(axis=1)         # per step
    first, last = change[:len(change) // 4].mean(), change[-len(change) // 4:].mean()
    middle = change[len(change) // 3: 2 * len(change) // 3].mean()
    expect(min(first, last) > 2 * middle + 1e-6,
           expected="the GRU's steps follow time (the first and last steps change most when "
                    "the sound moves from the start to the end)",
           actual="steps that do not follow time",
           hint="a plain Reshape of (bands, frames, maps) mixes bands into steps: "
                "Permute((2, 1, 3)) first.")


def _two_input_task(n: int = 64):
    """A toy task for a two-input model: the class sits in the log-mel *and* the MFCC input."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    logmel = rng.normal(size=(n, 16, 16, 1)).astype("float32")
    mfcc = rng.normal(size=(n, 16, 6)).astype("float32")
    logmel[y == 1, :8] += 2.0
    mfcc[y == 1, :, :3] += 2.0
    return {"logmel": logmel, "mfcc": mfcc}, y


def _expect_fusion_order(model) -> None:
    """The ``fusion`` layer holds the log-mel branch's 64 values first, then the MFCC
    branch's: moving the log-mel input moves only the first 64."""
    import keras
    try:
        fusion = model.get_layer("fusion")
    except ValueError:
        raise CheckFailed("expected a layer named 'fusion', got none. Hint: "
                          "layers.Concatenate(name='fusion')([cnn_branch, lstm_branch]).")
    probe = keras.Model(model.inputs, fusion.output)
    rng = np.random.default_rng(1)
    base = {"logmel": rng.normal(size=(1, 128, 130, 1)).astype("float32"),
            "mfcc": rng.normal(size=(1, 130, 60)).astype("float32")}
    moved = {**base, "logmel": base["logmel"] + 3.0}
    change = np.abs(keras.ops.convert_to_numpy(probe(moved, training=False)) -
                    keras.ops.convert_to_numpy(probe(base, training=False)))[0]
    expect(change.shape == (128,) and change[:64].max() > 1e-4 and change[64:].max() < 1e-6,
           expected="fusion (128 values): the log-mel branch's 64 first, then the MFCC branch's",
           actual=f"shape {change.shape}; changing the log-mel moved "
                  f"{int((change > 1e-6).sum())} values", hint="Concatenate()([cnn, lstm]).")


@exercise("5.3")
def check_exercise_5_3(build_my_parallel: Callable) -> None:
    """Verifies ``build_my_parallel(logmel_shape, mfcc_shape, n_classes, ...)`` without calling
    the library's builder: on ``(128, 130, 1)``, ``(130, 60)`` and 10 classes, two inputs named
    ``logmel`` and ``mfcc``, 64,538 parameters, an LSTM reading 65 steps (the MFCCs pooled 2x
    over time), a ``fusion`` layer of 128 whose first 64 values come from the log-mel branch
    and the last 64 from the MFCC branch (checked by value), three Dropouts at ``dropout``, L2
    on every kernel but the output's; with smaller settings, the parameter count of
    ``models.build_hybrid(kind="parallel")``; and that 40 training steps lower the loss on a
    toy task."""
    import keras
    from .. import models
    build_my_parallel = write_it_yourself(build_my_parallel, [models], "the parallel model")
    model = build_my_parallel((128, 130, 1), (130, 60), 10)
    names = sorted(t.name.split(":")[0] for t in model.inputs)
    expect(names == ["logmel", "mfcc"], expected="inputs named 'logmel' and 'mfcc'",
           actual=names, hint="keras.Input(shape, name='logmel'), and the model takes a dict.")
    expect_outputs(model, 10)
    n = model.count_params()
    expect(n == 64538, expected="64,538 parameters with the defaults", actual=f"{n:,}",
           hint="the CNN branch of lesson 03 (2x2 input pool, 3 blocks, global pooling), one "
                "LSTM of 64 on the time-pooled MFCCs, then Dense(64, relu) before the output.")
    lstm = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    expect(len(lstm) == 1 and tuple(lstm[0].input.shape) == (None, 65, 60),
           expected="one LSTM reading (None, 65, 60)",
           actual=[tuple(layer.input.shape) for layer in lstm] or "no LSTM",
           hint="AveragePooling1D(2) over time before the LSTM: 130 steps become 65.")
    _expect_fusion_order(model)
    from ..models import build_hybrid
    small = build_my_parallel((32, 32, 1), (32, 12), 4, filters=(8, 16), units=16,
                              dense_units=8, dropout=0.5, l2=1e-3)
    twin = build_hybrid(((32, 32, 1), (32, 12)), 4, kind="parallel", filters=(8, 16), units=16,
                        dense_units=8, dropout=0.5, l2=1e-3)
    expect(small.count_params() == twin.count_params(),
           expected=f"{twin.count_params():,} parameters for filters=(8, 16), units=16, "
                    "dense_units=8, 4 classes", actual=f"{small.count_params():,}",
           hint="use every argument: one block per filter, `units`, `dense_units`, `n_classes`.")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    expect(close(sorted(rates), [0.5, 0.5, 0.5], atol=1e-9),
           expected="three Dropouts at 0.5 (after the LSTM, after fusion, after the hidden "
                    "Dense)", actual=rates, hint="use the `dropout` argument each time.")
    l2s = sorted(l2_of(layer) for layer in small.layers
                 if isinstance(layer, (keras.layers.Conv2D, keras.layers.LSTM,
                                       keras.layers.Dense)))
    expect(close(l2s, [0.0] + [1e-3] * (len(l2s) - 1), rtol=1e-6, atol=0),
           expected="L2 1e-3 on the conv, LSTM and hidden Dense kernels, none on the output",
           actual=l2s, hint="kernel_regularizer=keras.regularizers.L2(l2) on each of them.")
    X, y = _two_input_task()
    keras.utils.set_random_seed(0)                 # the same start for every answer
    tiny = build_my_parallel((16, 16, 1), (16, 6), 2, filters=(8,), units=8, dense_units=8,
                             dropout=0.0, l2=0.0)
    expect(loss_falls_on(tiny, X, y, steps=40),
           expected="a loss that falls over 40 training steps", actual="a loss that did not "
           "fall", hint="no frozen layers and no constant output.")


@exercise("5.4")
def check_exercise_5_4(best_per_param: Callable, table) -> None:
    """Verifies ``best_per_param(table)``, the model with the highest mean track accuracy per
    1,000 parameters, on the lesson's comparison ``table`` (from ``experiments.compare``) and
    on two made-up tables where another model wins, so the answer is computed, not typed."""
    import pandas as pd
    expect(callable(best_per_param), expected="a function best_per_param(table) -> model name",
           actual=repr(best_per_param),
           hint="def best_per_param(table): ... return the model's name; the check runs it on "
                "other tables too.")
    made_up = pd.DataFrame({"model": ["cnn", "lstm", "crnn", "parallel"],
                            "params": [28_442, 32_650, 61_530, 64_538],
                            "track_acc_mean": [0.5, 0.9, 0.95, 0.99]})
    for name, t in (("your comparison", table), ("a made-up table", made_up),
                    ("the same with fewer parameters for the parallel model",
                     made_up.assign(params=[28_442, 32_650, 61_530, 20_000]))):
        per_k = t["track_acc_mean"] / (t["params"] / 1000)
        want = str(t.loc[per_k.idxmax(), "model"])
        got = best_per_param(t.copy())
        expect(str(got) == want, expected=f"{want!r} for {name}", actual=repr(got),
               hint="divide track_acc_mean by params / 1000 and take the model of the largest "
                    "value.")
