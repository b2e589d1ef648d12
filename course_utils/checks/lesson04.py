"""Checks of lesson 04_lstm."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import close, exercise, expect, write_it_yourself
from ._keras import expect_outputs, expect_probabilities, l2_of, loss_falls_on, role


@exercise("4.2")
def check_exercise_4_2(build_my_lstm: Callable) -> None:
    """Verifies ``build_my_lstm(input_shape, n_classes, units=..., dropout=..., l2=...,
    time_pool=...)`` without calling the library's builder: on ``(130, 60)`` and 10 classes,
    32,650 parameters and the layer order average-pool over time, LSTM, dropout, softmax
    Dense; with ``units=(32, 16)``, ``time_pool=1`` and 4 classes, two LSTMs (the first
    returning its whole sequence), no pooling and the parameter count of
    ``models.build_lstm`` for the same settings; dropout rates and L2 factors as asked;
    probabilities that sum to 1; and that 40 training steps lower the loss on sequences
    that only their order tells apart."""
    import keras
    from .. import models
    build_my_lstm = write_it_yourself(build_my_lstm, [models], "the LSTM")
    model = build_my_lstm((130, 60), 10)
    expect_outputs(model, 10)
    want = ["average-pool", "lstm", "dropout", "dense+softmax"]
    order = [role for role in map(role, model.layers) if role]
    expect(order == want, expected=" -> ".join(want), actual=" -> ".join(order),
           hint="AveragePooling1D(time_pool), then an LSTM and a Dropout per entry of units, "
                "then Dense(n_classes, softmax).")
    n = model.count_params()
    expect(n == 32650, expected="32,650 parameters with the defaults", actual=f"{n:,}",
           hint="one LSTM of 64 units on 60 features (32,000) and the output layer (650).")
    from ..models import build_lstm
    small = build_my_lstm((40, 12), 4, units=(32, 16), dropout=0.5, l2=1e-3, time_pool=1)
    twin = build_lstm((40, 12), 4, units=(32, 16), dropout=0.5, l2=1e-3, time_pool=1)
    order = [role for role in map(role, small.layers) if role]
    want = ["lstm", "dropout", "lstm", "dropout", "dense+softmax"]
    expect(order == want, expected=f"{' -> '.join(want)} for units=(32, 16), time_pool=1",
           actual=" -> ".join(order), hint="no pooling when time_pool is 1; one LSTM per "
                                           "entry of units.")
    sequences = [layer.return_sequences for layer in small.layers
                 if isinstance(layer, keras.layers.LSTM)]
    expect(sequences == [True, False], expected="return_sequences True, then False",
           actual=sequences, hint="a stacked LSTM passes its whole sequence to the next one; "
                                  "the last returns only its final state.")
    expect(small.count_params() == twin.count_params(),
           expected=f"{twin.count_params():,} parameters for units=(32, 16), 4 classes",
           actual=f"{small.count_params():,}", hint="use `units` and `n_classes`.")
    rates = [layer.rate for layer in small.layers if isinstance(layer, keras.layers.Dropout)]
    expect(close(rates, [0.5, 0.5], atol=1e-9), expected="a Dropout at rate 0.5 after each "
           "LSTM", actual=rates, hint="use the `dropout` argument.")
    l2s = [l2_of(layer) for layer in small.layers
           if isinstance(layer, (keras.layers.LSTM, keras.layers.Dense))]
    expect(close(l2s, [1e-3, 1e-3, 0.0], rtol=1e-6, atol=0),
           expected="L2 1e-3 on each LSTM's input kernel, none on the output layer",
           actual=l2s, hint="kernel_regularizer=keras.regularizers.L2(l2) on each LSTM.")
    expect_probabilities(model, (130, 60))
    expect(_sequence_model_learns(build_my_lstm), expected="a loss that falls over 40 "
           "training steps on rising against falling sequences", actual="a loss that did not "
           "fall", hint="no frozen layers; the LSTM must see the frames in order.")


def _sequence_model_learns(build: Callable, steps: int = 40) -> bool:
    """Train a small version of a sequence builder on a task that only the frame order
    solves (a bump rising or falling through 8 bands) and say whether the loss fell."""
    import keras
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64)
    X = rng.normal(scale=0.3, size=(64, 16, 8)).astype("float32")
    path = np.linspace(0, 7, 16).round().astype(int)
    for i, label in enumerate(y):
        X[i, np.arange(16), path[::-1] if label else path] += 1.0
    model = build((16, 8), 2, units=(16,), dropout=0.0, l2=0.0, time_pool=1)
    return loss_falls_on(model, X, y, steps=steps, factor=0.8)


def _keras_counts(keras) -> list:
    """What counts an LSTM's weights for you: the recurrent layers themselves, and
    ``count_params`` of any layer or model."""
    return [keras.layers.LSTM, keras.layers.LSTMCell, keras.layers.Bidirectional,
            keras.layers.RNN, keras.layers.Layer.count_params]


@exercise("4.3")
def check_exercise_4_3(lstm_params: Callable) -> None:
    """Verifies ``lstm_params(units, n_inputs)`` against the parameter count of a
    ``keras.layers.LSTM`` built on four (units, inputs) pairs, including the course's
    LSTM (64 units on 60 features: 32,000), counted without building a Keras layer."""
    import keras
    lstm_params = write_it_yourself(lstm_params, _keras_counts(keras), "the count")
    for units, n_inputs in ((64, 60), (1, 1), (32, 20), (128, 64)):
        layer = keras.layers.LSTM(units)
        layer.build((None, 10, n_inputs))
        want = layer.count_params()
        got = lstm_params(units, n_inputs)
        expect(got == want, expected=f"{want} parameters for LSTM({units}) on {n_inputs} "
                                     "features", actual=got,
               hint="4 gates, each with an input kernel (n_inputs x units), a recurrent "
                    "kernel (units x units) and a bias (units).")


@exercise("4.4")
def check_exercise_4_4(bidirectional_params: Callable) -> None:
    """Verifies ``bidirectional_params(units, n_inputs)``, the parameters of
    ``Bidirectional(LSTM(units))`` on ``n_inputs`` features (no Dense layer), against Keras
    for the lesson's (64, 60) and three sizes drawn afresh at every run, counted without
    building a Keras layer."""
    import keras
    bidirectional_params = write_it_yourself(bidirectional_params, _keras_counts(keras),
                                             "the count")
    rng = np.random.default_rng()          # not seeded: a typed-in number cannot pass
    sizes = [(64, 60), *zip(rng.integers(4, 129, 3).tolist(), rng.integers(3, 101, 3).tolist())]
    for units, n_inputs in sizes:
        layer = keras.layers.Bidirectional(keras.layers.LSTM(units))
        layer.build((None, 65, n_inputs))
        want = layer.count_params()
        got = bidirectional_params(units, n_inputs)
        expect(got == want, expected=f"{want} for Bidirectional(LSTM({units})) on {n_inputs} "
                                     "features", actual=got,
               hint="a bidirectional layer holds two independent LSTMs, one per direction.")


@exercise("4.5")
def check_exercise_4_5(agreement: Callable) -> None:
    """Verifies ``agreement(pred_a, pred_b, truth)`` on made-up predictions of 10 tracks whose
    dicts list the tracks in different orders: the 2x2 table of counts (rows ``A right``,
    ``A wrong``; columns ``B right``, ``B wrong``); pairing tracks by position instead of by
    id, or swapping the two models, fails."""
    ids = [f"t{i}" for i in range(10)]
    truth = dict(zip(ids, "aabbccddee"))
    right_a, right_b = "1111111100", "1010110110"        # which tracks each model gets right
    pred_a = {t: g if r == "1" else "x" for (t, g), r in zip(truth.items(), right_a)}
    pred_b = {t: g if r == "1" else "y" for (t, g), r in zip(truth.items(), right_b)}
    pred_a = dict(reversed(list(pred_a.items())))         # other orders than truth's
    pred_b = {t: pred_b[t] for t in ("t3", "t7", "t0", "t9", "t1", "t5", "t8", "t2", "t6", "t4")}
    a, b = (np.array([r == "1" for r in right]) for right in (right_a, right_b))
    want = [[int((a & b).sum()), int((a & ~b).sum())], [int((~a & b).sum()), int((~a & ~b).sum())]]
    got = agreement(pred_a, pred_b, truth)
    expect(list(getattr(got, "index", [])) == ["A right", "A wrong"] and
           list(getattr(got, "columns", [])) == ["B right", "B wrong"],
           expected="a DataFrame with rows 'A right', 'A wrong' and columns 'B right', 'B wrong'",
           actual=type(got).__name__, hint="pd.DataFrame(counts, index=[...], columns=[...]).")
    expect(got.to_numpy().tolist() == want, expected=want, actual=got.to_numpy().tolist(),
           hint="pair the two predictions by track id (pred_a[t], pred_b[t], truth[t]), "
                "not by position: the dicts list the tracks in different orders.")


@exercise("4.6")
def check_exercise_4_6(shuffle_blocks: Callable) -> None:
    """Verifies ``shuffle_blocks(X, block=..., seed=...)`` on a stack of ``(4, 130, 6)``
    sequences: the frames cut into consecutive blocks of ``block`` (the last one shorter when
    ``block`` does not divide the length), the blocks put in the order
    ``np.random.default_rng(seed).permutation(n_blocks)``, the same order for every
    sequence, the order inside a block kept and ``X`` left unchanged; ``block=1`` is a
    plain shuffle of the frames; another seed gives another order."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(4, 130, 6)).astype(np.float32)
    original = X.copy()

    def reference(X, block, seed):
        starts = np.arange(0, X.shape[1], block)
        order = np.random.default_rng(seed).permutation(len(starts))
        return np.concatenate([X[:, s:s + block] for s in starts[order]], axis=1)

    for block, seed in ((1, 42), (22, 42), (13, 7), (130, 3)):
        want = reference(X, block, seed)
        got = np.asarray(shuffle_blocks(X, block=block, seed=seed))
        expect(np.array_equal(X, original), expected="X left unchanged",
               actual="X was modified", hint="build a new array (np.concatenate, indexing).")
        expect(got.shape == X.shape, expected=f"shape {X.shape}", actual=got.shape,
               hint="every frame once, in another order: the shape does not change.")
        expect(close(got, want, atol=0),
               expected=f"blocks of {block} frames in the order "
                        f"np.random.default_rng({seed}).permutation({-(-130 // block)})",
               actual="other frames in other places",
               hint="starts = range(0, n_frames, block); put the block starting at "
                    "starts[i] for i in the permutation, along axis 1, the same for every "
                    "sequence.")
