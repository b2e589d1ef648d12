"""Keras model inspection for the model-building checks (lessons 03, 04, 05 and 08): the
role of each layer, its L2 factor, and whether a model's loss falls on a small task."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._frame import close, expect


def expect_outputs(model, n_classes: int) -> None:
    """A builder's model must end with one probability per class."""
    shape = tuple(model.output.shape)
    expect(shape == (None, n_classes), expected=f"output shape (None, {n_classes})",
           actual=shape, hint="end with Dense(n_classes, softmax).")


def expect_probabilities(model, input_shape: tuple) -> None:
    """Three random inputs of ``input_shape`` must give rows that sum to 1."""
    x = np.random.default_rng(0).normal(size=(3, *input_shape)).astype("float32")
    sums = np.asarray(model(x, training=False)).sum(axis=1)
    expect(close(sums, np.ones(3)), expected="probabilities that sum to 1", actual=sums,
           hint="the last layer's activation is softmax.")


def l2_of(layer) -> float:
    """The L2 factor of a layer's kernel regulariser (0 without one)."""
    reg = getattr(layer, "kernel_regularizer", None)
    return float(reg.get_config().get("l2", 0.0)) if reg is not None else 0.0


ROLES = {"BatchNormalization": "batch norm", "ReLU": "relu", "MaxPooling2D": "max-pool",
          "AveragePooling2D": "average-pool", "AveragePooling1D": "average-pool",
          "GlobalAveragePooling2D": "global average-pool", "Dropout": "dropout",
          "Flatten": "flatten", "LSTM": "lstm", "GRU": "gru", "Bidirectional": "bidirectional"}


def role(layer) -> str:
    """What a layer does in a model ("conv", "batch norm", "relu", "dense+softmax", ...),
    or "" for inputs and layers no check looks at."""
    kind = type(layer).__name__
    activation = getattr(getattr(layer, "activation", None), "__name__", "")
    if kind == "Conv2D":
        return "conv+relu" if activation == "relu" else "conv"
    if kind == "Activation":
        return "relu" if activation == "relu" else ""
    if kind == "Dense":
        return f"dense+{activation or '?'}"
    return ROLES.get(kind, "")


def toy_images() -> tuple[np.ndarray, np.ndarray]:
    """64 noise images of 32x32x1, label 1 where the top half is brighter."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 32, 32, 1)).astype("float32")
    y = rng.integers(0, 2, 64)
    X[y == 1, :16] += 1.0
    return X, y


def loss_falls_on(model, X: np.ndarray, y: np.ndarray, *, steps: int,
                   factor: float = 0.9) -> bool:
    """Train ``model`` (Adam 1e-2) for ``steps`` full-batch steps and say whether the loss
    ended below ``factor`` times where it started."""
    import keras
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    before = float(model.evaluate(X, y, verbose=0))
    for _ in range(steps):
        model.train_on_batch(X, y)
    return float(model.evaluate(X, y, verbose=0)) < factor * before


def loss_falls(conv_block: Callable, steps: int = 30) -> bool:
    """Train the block under a fixed random head on the toy images and say whether the
    loss fell: only the block's weights can lower it."""
    import keras
    keras.utils.set_random_seed(0)
    inputs = keras.Input((32, 32, 1))
    x = keras.layers.GlobalAveragePooling2D()(conv_block(inputs, 8))
    head = keras.layers.Dense(2, activation="softmax", trainable=False)   # only the block learns
    return loss_falls_on(keras.Model(inputs, head(x)), *toy_images(), steps=steps)


def model_learns(build: Callable, steps: int = 40) -> bool:
    """Train a small version of an image builder's model on the toy images and say whether
    the loss fell."""
    import keras
    keras.utils.set_random_seed(0)
    model = build((32, 32, 1), 2, filters=(8, 8), dropout=0.0, l2=0.0, dense_units=8)
    return loss_falls_on(model, *toy_images(), steps=steps)
