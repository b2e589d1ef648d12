"""Argument checks and layer blocks shared by the builders in ``course_utils.models``.

Introduced in 03_cnn. Private: import the builders from ``course_utils.models``.
"""
from __future__ import annotations

from collections.abc import Sequence

from keras import layers, regularizers

from .. import _validate, config
from ..exceptions import ParameterError

LOGMEL_SHAPE = (config.N_MELS, config.segment_frames(), 1)  # (128, 130, 1)
MFCC_SHAPE = (config.segment_frames(), 3 * config.N_MFCC)   # (130, 60)
EMBEDDING_SHAPE = (config.MUSICNN_DIM,)   # musicnn's [max_pool, mean_pool] per 3-s patch

MODEL_INPUTS = {
    "cnn": ("logmel",),
    "lstm": ("mfcc",),
    "crnn": ("logmel",),
    "parallel": ("logmel", "mfcc"),
    "musicnn": (config.MUSICNN_FEATURE,),     # a probe on pretrained embeddings (lesson 08)
    "musicnn_ft": (config.MUSICNN_PATCHES,),  # musicnn fine-tuned under a probe, on patches
}

Shape = tuple[int, ...]

# Recurrent layers compute in float32 whatever the dtype policy: under mixed precision
# (runs.train_run on a GPU) JAX's cuDNN LSTM and GRU take no float16 inputs (BENCHMARKS.md,
# "GPU speed-up"). On a CPU the policy is float32 anyway, so nothing changes there.
RECURRENT_DTYPE = "float32"


# --- checks -----------------------------------------------------------------

def check_shape(shape, rank: int, what: str, example: Shape) -> Shape:
    """Return ``shape`` as a tuple of positive ints of length ``rank``, or raise."""
    ok = (isinstance(shape, Sequence) and not isinstance(shape, str) and len(shape) == rank
          and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape))
    if not ok:
        raise ParameterError(
            f"input_shape must be {what} (rank {rank}, positive ints, no batch axis), "
            f"got input_shape={shape!r}. Pass e.g. input_shape={example}, "
            "that is X.shape[1:] of your feature array.")
    return tuple(shape)


def check_common(num_classes, dropout, l2, dense_units=0) -> None:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ParameterError(
            f"num_classes must be an int >= 2, got num_classes={num_classes!r}. "
            f"Pass the number of genres, e.g. num_classes={len(config.GENRES)}.")
    if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ParameterError(f"dropout must be in [0, 1), got dropout={dropout!r}. "
                             "Use e.g. dropout=0.3, or 0 to switch it off.")
    if not isinstance(l2, (int, float)) or l2 < 0:
        raise ParameterError(f"l2 must be a number >= 0, got l2={l2!r}. "
                             "Use e.g. l2=1e-4, or 0 to switch it off.")
    if isinstance(dense_units, bool) or not isinstance(dense_units, int) or dense_units < 0:
        raise ParameterError(f"dense_units must be an int >= 0, got dense_units={dense_units!r}. "
                             "Use e.g. dense_units=64, or 0 to leave the hidden layer out.")


def check_widths(values, name: str) -> tuple[int, ...]:
    """Return a non-empty tuple of positive layer widths, or raise."""
    if isinstance(values, int):
        values = (values,)
    if not isinstance(values, Sequence) or len(values) == 0:
        raise ParameterError(f"{name} must be a non-empty tuple of positive ints, "
                             f"got {name}={values!r}. Use e.g. {name}=(64,).")
    return tuple(_validate.positive_int(v, name) for v in values)


def check_pool_size(value, name: str) -> tuple[int, int] | None:
    """Return ``None`` or a pair of positive ints, or raise."""
    if value is None:
        return None
    if (isinstance(value, Sequence) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)):
        return tuple(value)
    raise ParameterError(f"{name} must be a pair of positive ints (frequency, time) or None, "
                         f"got {name}={value!r}. Use e.g. {name}=(2, 2), or None to switch "
                         "it off.")


def check_pooling(shape: Shape, pool_sizes) -> None:
    """Raise if the pooling blocks would shrink a spatial axis below one."""
    f, t = shape[0], shape[1]
    for pf, pt in pool_sizes:
        f, t = f // pf, t // pt
    if f < 1 or t < 1:
        raise ParameterError(
            f"input_shape={shape} is too small for {len(pool_sizes)} pooling blocks "
            f"(pool sizes {tuple(pool_sizes)}): an axis would shrink to zero. "
            "Use fewer filters (blocks) or a longer segment.")


# --- building blocks ----------------------------------------------------------

def l2_penalty(l2: float):
    return regularizers.L2(l2) if l2 else None


def conv_block(x, filters: int, pool: tuple[int, int], *, l2: float, name: str):
    """Conv2D 3x3 (no bias) -> BatchNorm -> ReLU -> MaxPool.

    BatchNorm's momentum is 0.9 (PyTorch's default) rather than Keras's 0.99, so
    its moving statistics, which validation and prediction use, settle within
    the few dozen steps of a FAST epoch.
    """
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                      kernel_regularizer=l2_penalty(l2), name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    return layers.MaxPooling2D(pool, name=f"{name}_pool")(x)


def pool_input(x, pool, *, prefix: str):
    """Average-pool the log-mel input (a cheap 2x2 halves both axes, 4x less work)."""
    return layers.AveragePooling2D(pool, name=f"{prefix}input_pool")(x) if pool else x


def cnn_features(x, filters, *, l2: float, prefix: str):
    """Conv blocks with 2x2 pooling, then global average pooling: one vector per segment."""
    for i, n in enumerate(filters, start=1):
        x = conv_block(x, n, (2, 2), l2=l2, name=f"{prefix}block{i}")
    return layers.GlobalAveragePooling2D(name=f"{prefix}global_pool")(x)


def lstm_features(x, units, *, bidirectional: bool, dropout: float, l2: float,
                   time_pool: int, prefix: str):
    """(Optional) average-pool over time, then stacked LSTMs; returns the last state."""
    if time_pool > 1:
        x = layers.AveragePooling1D(time_pool, name=f"{prefix}time_pool")(x)
    for i, n in enumerate(units, start=1):
        rnn = layers.LSTM(n, return_sequences=i < len(units), kernel_regularizer=l2_penalty(l2),
                          dtype=RECURRENT_DTYPE, name=f"{prefix}lstm{i}")
        if bidirectional:
            rnn = layers.Bidirectional(rnn, dtype=RECURRENT_DTYPE, name=f"{prefix}bilstm{i}")
        x = rnn(x)
        x = layers.Dropout(dropout, name=f"{prefix}dropout{i}")(x)
    return x


def classifier(x, num_classes: int, *, dense_units: int, dropout: float, l2: float):
    """[Dense -> ReLU -> Dropout] -> softmax Dense."""
    if dense_units:
        x = layers.Dense(dense_units, activation="relu", kernel_regularizer=l2_penalty(l2),
                         name="dense")(x)
        x = layers.Dropout(dropout, name="dense_dropout")(x)
    # float32 whatever the dtype policy: under mixed precision (runs.train_run on a GPU) a
    # float16 softmax rounds small probabilities to 0 and the loss can overflow
    return layers.Dense(num_classes, activation="softmax", dtype="float32", name="probs")(x)
