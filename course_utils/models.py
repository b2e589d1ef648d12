"""The course's models: a CNN, an LSTM and two hybrids, as Keras 3 builders.

Introduced in 03_cnn (CNN), 04_lstm (LSTM) and 05_hybrid (CRNN, parallel fusion).

Every builder returns an *uncompiled* ``keras.Model``; :func:`compile_model`
adds the course's optimiser, loss and metric. The code uses only ``keras``,
``keras.layers``, ``keras.ops`` and ``keras.regularizers``, so the same models
run under TensorFlow (the default), JAX and PyTorch (``KERAS_BACKEND``).

Input contract
--------------
Each model's inputs are named after the feature they take:

``logmel``
    A log-mel segment, ``[shape=(n_mels, t, 1)]``, frequency first like
    librosa's ``S``: ``(128, 130, 1)`` by default (:data:`LOGMEL_SHAPE`).
``mfcc``
    An MFCC sequence with deltas and delta-deltas, ``[shape=(t, 3 * n_mfcc)]``,
    time first: ``(130, 60)`` by default (:data:`MFCC_SHAPE`).

:data:`MODEL_INPUTS` lists the inputs of each model. A single-input model
takes a plain array, ``model.predict(X)``; the parallel hybrid takes a dict,
``model.predict({"logmel": X_logmel, "mfcc": X_mfcc})``.
:func:`select_inputs` picks the right one from a dict of features. (Keras
also accepts ``{"logmel": X}`` for a single-input model, with a warning.)
Inputs are expected already normalised (see ``course_utils.segments``); the
models hold no layer that needs ``adapt()``.

The defaults are small so that an epoch of the FAST dataset takes seconds on a
laptop CPU; wider ``filters`` and ``units`` scale the models up for a GPU.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np
from keras import layers, regularizers

from . import _validate, config
from .exceptions import ParameterError

LOGMEL_SHAPE = (config.N_MELS, config.segment_frames(), 1)  # (128, 130, 1)
MFCC_SHAPE = (config.segment_frames(), 3 * config.N_MFCC)   # (130, 60)

MODEL_INPUTS = {
    "cnn": ("logmel",),
    "lstm": ("mfcc",),
    "crnn": ("logmel",),
    "parallel": ("logmel", "mfcc"),
}

Shape = tuple[int, ...]


# --- checks -----------------------------------------------------------------

def _check_shape(shape, rank: int, what: str, example: Shape) -> Shape:
    """Return ``shape`` as a tuple of positive ints of length ``rank``, or raise."""
    ok = (isinstance(shape, Sequence) and not isinstance(shape, str) and len(shape) == rank
          and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape))
    if not ok:
        raise ParameterError(
            f"input_shape must be {what} (rank {rank}, positive ints, no batch axis), "
            f"got input_shape={shape!r}. Pass e.g. input_shape={example}, "
            "that is X.shape[1:] of your feature array.")
    return tuple(shape)


def _check_common(num_classes, dropout, l2, dense_units=0) -> None:
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


def _check_widths(values, name: str) -> tuple[int, ...]:
    """Return a non-empty tuple of positive layer widths, or raise."""
    if isinstance(values, int):
        values = (values,)
    if not isinstance(values, Sequence) or len(values) == 0:
        raise ParameterError(f"{name} must be a non-empty tuple of positive ints, "
                             f"got {name}={values!r}. Use e.g. {name}=(64,).")
    return tuple(_validate.positive_int(v, name) for v in values)


def _check_pool_size(value, name: str) -> tuple[int, int] | None:
    """Return ``None`` or a pair of positive ints, or raise."""
    if value is None:
        return None
    if (isinstance(value, Sequence) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)):
        return tuple(value)
    raise ParameterError(f"{name} must be a pair of positive ints (frequency, time) or None, "
                         f"got {name}={value!r}. Use e.g. {name}=(2, 2), or None to switch "
                         "it off.")


def _check_pooling(shape: Shape, pool_sizes) -> None:
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

def _l2(l2: float):
    return regularizers.L2(l2) if l2 else None


def _conv_block(x, filters: int, pool: tuple[int, int], *, l2: float, name: str):
    """Conv2D 3x3 (no bias) -> BatchNorm -> ReLU -> MaxPool.

    BatchNorm's momentum is 0.9 (PyTorch's default) rather than Keras's 0.99, so
    its moving statistics, which validation and prediction use, settle within
    the few dozen steps of a FAST epoch.
    """
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                      kernel_regularizer=_l2(l2), name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    return layers.MaxPooling2D(pool, name=f"{name}_pool")(x)


def _input_pool(x, pool, *, prefix: str):
    """Average-pool the log-mel input (a cheap 2x2 halves both axes, 4x less work)."""
    return layers.AveragePooling2D(pool, name=f"{prefix}input_pool")(x) if pool else x


def _cnn_features(x, filters, *, l2: float, prefix: str):
    """Conv blocks with 2x2 pooling, then global average pooling: one vector per segment."""
    for i, n in enumerate(filters, start=1):
        x = _conv_block(x, n, (2, 2), l2=l2, name=f"{prefix}block{i}")
    return layers.GlobalAveragePooling2D(name=f"{prefix}global_pool")(x)


def _lstm_features(x, units, *, bidirectional: bool, dropout: float, l2: float,
                   time_pool: int, prefix: str):
    """(Optional) average-pool over time, then stacked LSTMs; returns the last state."""
    if time_pool > 1:
        x = layers.AveragePooling1D(time_pool, name=f"{prefix}time_pool")(x)
    for i, n in enumerate(units, start=1):
        rnn = layers.LSTM(n, return_sequences=i < len(units), kernel_regularizer=_l2(l2),
                          name=f"{prefix}lstm{i}")
        if bidirectional:
            rnn = layers.Bidirectional(rnn, name=f"{prefix}bilstm{i}")
        x = rnn(x)
        x = layers.Dropout(dropout, name=f"{prefix}dropout{i}")(x)
    return x


def _classifier(x, num_classes: int, *, dense_units: int, dropout: float, l2: float):
    """[Dense -> ReLU -> Dropout] -> softmax Dense."""
    if dense_units:
        x = layers.Dense(dense_units, activation="relu", kernel_regularizer=_l2(l2),
                         name="dense")(x)
        x = layers.Dropout(dropout, name="dense_dropout")(x)
    return layers.Dense(num_classes, activation="softmax", name="probs")(x)


# --- builders -------------------------------------------------------------------

def build_cnn(input_shape: Shape = LOGMEL_SHAPE, num_classes: int = 10, *,
              filters: Sequence[int] = (16, 32, 64), dropout: float = 0.3,
              l2: float = 1e-4, dense_units: int = 64,
              input_pool: tuple[int, int] | None = (2, 2), name: str = "cnn") -> keras.Model:
    """A 2-D CNN on log-mel segments.

    The input is first average-pooled by ``input_pool`` (2x2 by default, which
    keeps 64 bands x 65 frames and makes a CPU epoch about 3x faster; pass
    ``input_pool=None`` on a GPU). Each block is Conv2D 3x3 ->
    BatchNorm -> ReLU -> MaxPool 2x2; global average pooling then turns the
    feature map into one vector, followed by Dropout -> Dense -> Dropout ->
    softmax. With the defaults the model has **28,442**
    parameters (28,218 trainable) for ``input_shape=(128, 130, 1)`` and 10 classes.

    Parameters
    ----------
    input_shape : tuple [shape=(n_mels, t, 1)]
        Shape of one log-mel segment, without the batch axis.
    num_classes : int >= 2
        Number of genres.
    filters : tuple of int > 0
        Filters of each conv block; one block per entry. ``(32, 64, 128, 256)``
        with ``input_pool=None`` scales the model up for a GPU (406,378 parameters).
    dropout : float in [0, 1)
        Dropout rate before and after the hidden Dense layer.
    l2 : float >= 0
        L2 penalty on every kernel (0 switches it off).
    dense_units : int >= 0
        Width of the hidden Dense layer (0 leaves it out).
    input_pool : (int, int) or None
        Average-pooling of the input over (frequency, time); None switches it off.
    name : str
        Name of the model.

    Returns
    -------
    model : keras.Model
        Uncompiled; input ``logmel``, output ``[shape=(batch, num_classes)]``
        class probabilities.

    Raises
    ------
    ParameterError
        If ``input_shape`` is not rank 3, is too small for the pooling blocks,
        or ``num_classes``, ``filters``, ``dropout`` or ``l2`` are invalid.

    See Also
    --------
    compile_model, build_lstm, build_hybrid

    Examples
    --------
    >>> model = build_cnn((128, 130, 1), 10)
    >>> print(model.count_params())
    28442
    """
    input_shape = _check_shape(input_shape, 3, "(n_mels, t, channels)", LOGMEL_SHAPE)
    _check_common(num_classes, dropout, l2, dense_units)
    filters = _check_widths(filters, "filters")
    input_pool = _check_pool_size(input_pool, "input_pool")
    _check_pooling(input_shape, [input_pool or (1, 1)] + [(2, 2)] * len(filters))

    inputs = keras.Input(input_shape, name="logmel")
    x = _input_pool(inputs, input_pool, prefix="")
    x = _cnn_features(x, filters, l2=l2, prefix="")
    x = layers.Dropout(dropout, name="features_dropout")(x)
    outputs = _classifier(x, num_classes, dense_units=dense_units, dropout=dropout, l2=l2)
    return keras.Model(inputs, outputs, name=name)


def build_lstm(input_shape: Shape = MFCC_SHAPE, num_classes: int = 10, *,
               units: Sequence[int] = (64,), bidirectional: bool = False,
               dropout: float = 0.3, l2: float = 1e-4, time_pool: int = 2,
               name: str = "lstm") -> keras.Model:
    """A (stacked, optionally bidirectional) LSTM on MFCC sequences.

    The sequence is first average-pooled over time by ``time_pool`` (130 -> 65
    frames by default: 46 ms steps, and a CPU epoch takes about 4x less time),
    then runs through one LSTM per entry of ``units``, each followed by
    Dropout; the last LSTM's final state feeds a softmax Dense. With the
    defaults the model has **32,650** parameters for ``input_shape=(130, 60)``
    and 10 classes.

    Parameters
    ----------
    input_shape : tuple [shape=(t, n_features)]
        Shape of one MFCC sequence (time first), without the batch axis.
    num_classes : int >= 2
        Number of genres.
    units : tuple of int > 0
        Units of each LSTM layer; ``(128, 64)`` stacks two.
    bidirectional : bool
        Wrap every LSTM in ``keras.layers.Bidirectional`` (doubles its parameters).
    dropout : float in [0, 1)
        Dropout rate after each LSTM.
    l2 : float >= 0
        L2 penalty on the LSTM input kernels (0 switches it off).
    time_pool : int > 0
        Average-pooling factor over time before the first LSTM (1 switches it off).
    name : str
        Name of the model.

    Returns
    -------
    model : keras.Model
        Uncompiled; input ``mfcc``, output ``[shape=(batch, num_classes)]``.

    Raises
    ------
    ParameterError
        If ``input_shape`` is not rank 2 or another argument is invalid.

    See Also
    --------
    compile_model, build_cnn, build_hybrid

    Examples
    --------
    >>> model = build_lstm((130, 60), 10)
    >>> print(model.count_params())
    32650
    """
    input_shape = _check_shape(input_shape, 2, "(t, n_features)", MFCC_SHAPE)
    _check_common(num_classes, dropout, l2)
    units = _check_widths(units, "units")
    time_pool = _validate.positive_int(time_pool, "time_pool")

    inputs = keras.Input(input_shape, name="mfcc")
    x = _lstm_features(inputs, units, bidirectional=bidirectional, dropout=dropout,
                       l2=l2, time_pool=time_pool, prefix="")
    outputs = _classifier(x, num_classes, dense_units=0, dropout=dropout, l2=l2)
    return keras.Model(inputs, outputs, name=name)


def build_hybrid(input_shape=LOGMEL_SHAPE, num_classes: int = 10, *, kind: str = "crnn",
                 filters: Sequence[int] = (16, 32, 64), units: int = 64,
                 bidirectional: bool = False, dropout: float = 0.3, l2: float = 1e-4,
                 dense_units: int = 64, input_pool: tuple[int, int] | None = (2, 2),
                 time_pool: int = 2, mfcc_shape: Shape | None = None,
                 name: str = "hybrid") -> keras.Model:
    """A CNN-RNN hybrid: a CRNN, or a CNN and an LSTM side by side.

    ``kind="crnn"`` (input ``logmel``): after the 2x2 ``input_pool``, conv
    blocks pool mostly over frequency (2x2 in the first block, 4x1 in the
    others), so a ``(128, 130)`` segment becomes a sequence of 32 frames (93 ms
    apart) of 2 bands x 64 filters; a GRU reads it over time and a softmax
    Dense classifies its last state. With the defaults it has **61,530** parameters for
    ``input_shape=(128, 130, 1)`` and 10 classes.

    ``kind="parallel"`` (inputs ``logmel`` *and* ``mfcc``): a CNN branch on the
    log-mel segment (as :func:`build_cnn`, up to global pooling) and an LSTM
    branch on the MFCC sequence (as :func:`build_lstm`, one LSTM layer) are
    concatenated ->
    Dense -> Dropout -> softmax. With the defaults it has **64,538**
    parameters for ``((128, 130, 1), (130, 60))`` and 10 classes. Feed it a
    dict: ``model({"logmel": X_logmel, "mfcc": X_mfcc})``, and likewise to
    ``fit`` and ``predict``; both arrays hold the same segments in the same order.

    Parameters
    ----------
    input_shape : tuple [shape=(n_mels, t, 1)], or a pair of shapes
        For ``crnn``, the log-mel segment shape. For ``parallel``, either the
        pair ``((n_mels, t, 1), (t, n_features))`` or the log-mel shape alone
        with ``mfcc_shape`` (default :data:`MFCC_SHAPE`).
    num_classes : int >= 2
        Number of genres.
    kind : {"crnn", "parallel"}
        Which hybrid to build.
    filters : tuple of int > 0
        Filters of each conv block (``crnn`` pools 2x2 in the first block and
        4x1 in the others).
    units : int > 0
        Units of the GRU (``crnn``) or of the LSTM branch (``parallel``).
    bidirectional : bool
        Make the recurrent layer bidirectional.
    dropout : float in [0, 1)
        Dropout rate after the recurrent layer and the Dense layers.
    l2 : float >= 0
        L2 penalty on conv, recurrent-input and Dense kernels.
    dense_units : int >= 0
        Width of the hidden Dense layer after fusion (``parallel`` only; 0 leaves it out).
    input_pool : (int, int) or None
        Average-pooling of the log-mel input over (frequency, time); None switches it off.
    time_pool : int > 0
        Average-pooling of the MFCC sequence over time (``parallel`` only).
    mfcc_shape : tuple [shape=(t, n_features)], optional
        MFCC shape for ``parallel`` when ``input_shape`` is only the log-mel shape.
    name : str
        Name of the model.

    Returns
    -------
    model : keras.Model
        Uncompiled; output ``[shape=(batch, num_classes)]``.

    Raises
    ------
    ParameterError
        If ``kind`` is unknown, a shape has the wrong rank, or another argument
        is invalid.

    See Also
    --------
    compile_model, build_cnn, build_lstm

    Examples
    --------
    >>> crnn = build_hybrid((128, 130, 1), 10, kind="crnn")
    >>> print(crnn.count_params())
    61530
    >>> both = build_hybrid(((128, 130, 1), (130, 60)), 10, kind="parallel")
    >>> print(both.count_params())
    64538
    """
    kind = _validate.one_of(kind, ("crnn", "parallel"), "kind")
    _check_common(num_classes, dropout, l2, dense_units)
    opts = dict(num_classes=num_classes, filters=_check_widths(filters, "filters"),
                units=_validate.positive_int(units, "units"), bidirectional=bidirectional,
                dropout=dropout, l2=l2, input_pool=_check_pool_size(input_pool, "input_pool"),
                name=name)
    if kind == "crnn":
        return _build_crnn(input_shape, **opts)
    is_pair = (isinstance(input_shape, Sequence) and len(input_shape) == 2
               and all(isinstance(s, Sequence) for s in input_shape))
    shapes = input_shape if is_pair else (input_shape, mfcc_shape or MFCC_SHAPE)
    return _build_parallel(*shapes, dense_units=dense_units,
                           time_pool=_validate.positive_int(time_pool, "time_pool"), **opts)


def _build_crnn(input_shape, *, num_classes, filters, units, bidirectional, dropout, l2,
                input_pool, name) -> keras.Model:
    input_shape = _check_shape(input_shape, 3, "(n_mels, t, channels)", LOGMEL_SHAPE)
    pools = [(2, 2)] + [(4, 1)] * (len(filters) - 1)
    _check_pooling(input_shape, [input_pool or (1, 1)] + pools)
    inputs = keras.Input(input_shape, name="logmel")
    x = _input_pool(inputs, input_pool, prefix="")
    for i, (n, pool) in enumerate(zip(filters, pools), start=1):
        x = _conv_block(x, n, pool, l2=l2, name=f"block{i}")
    n_bands, n_frames, n_maps = x.shape[1], x.shape[2], x.shape[3]
    x = layers.Permute((2, 1, 3), name="time_first")(x)        # (frames, bands, maps)
    x = layers.Reshape((n_frames, n_bands * n_maps), name="to_sequence")(x)
    rnn = layers.GRU(units, kernel_regularizer=_l2(l2), name="gru")
    if bidirectional:
        rnn = layers.Bidirectional(rnn, name="bigru")
    x = layers.Dropout(dropout, name="gru_dropout")(rnn(x))
    outputs = _classifier(x, num_classes, dense_units=0, dropout=dropout, l2=l2)
    return keras.Model(inputs, outputs, name=name)


def _build_parallel(logmel_shape, mfcc_shape, *, num_classes, filters, units, bidirectional,
                    dropout, l2, input_pool, dense_units, time_pool, name) -> keras.Model:
    logmel_shape = _check_shape(logmel_shape, 3, "(n_mels, t, channels)", LOGMEL_SHAPE)
    mfcc_shape = _check_shape(mfcc_shape, 2, "(t, n_features)", MFCC_SHAPE)
    _check_pooling(logmel_shape, [input_pool or (1, 1)] + [(2, 2)] * len(filters))
    logmel = keras.Input(logmel_shape, name="logmel")
    mfcc = keras.Input(mfcc_shape, name="mfcc")
    a = _input_pool(logmel, input_pool, prefix="logmel_")
    a = _cnn_features(a, filters, l2=l2, prefix="logmel_")
    b = _lstm_features(mfcc, (units,), bidirectional=bidirectional, dropout=dropout,
                       l2=l2, time_pool=time_pool, prefix="mfcc_")
    x = layers.Concatenate(name="fusion")([a, b])
    x = layers.Dropout(dropout, name="fusion_dropout")(x)
    outputs = _classifier(x, num_classes, dense_units=dense_units, dropout=dropout, l2=l2)
    return keras.Model({"logmel": logmel, "mfcc": mfcc}, outputs, name=name)


# --- registry and compilation -----------------------------------------------

def build_model(name: str, input_shapes: Mapping[str, Shape] | None = None,
                num_classes: int = 10, **kwargs) -> keras.Model:
    """Build a model by name, picking its input shapes from a dict.

    Parameters
    ----------
    name : {"cnn", "lstm", "crnn", "parallel", "hybrid"}
        The model; ``"hybrid"`` reads ``kind=`` from ``kwargs`` (default ``"crnn"``),
        as the CLI's ``--model hybrid --hybrid-kind ...`` does.
    input_shapes : dict, optional
        Shapes keyed by input name (``{"logmel": (128, 130, 1), "mfcc": (130, 60)}``);
        extra keys are ignored. Default: :data:`LOGMEL_SHAPE` and :data:`MFCC_SHAPE`.
    num_classes : int >= 2
        Number of genres.
    **kwargs
        Passed on to the builder.

    Returns
    -------
    model : keras.Model
        Uncompiled; its inputs are ``MODEL_INPUTS[name]``.

    Raises
    ------
    ParameterError
        If ``name`` is unknown or ``input_shapes`` lacks an input the model needs.

    Examples
    --------
    >>> model = build_model("crnn", {"logmel": (128, 130, 1)}, 10)
    >>> print(model.name, model.count_params())
    crnn 61530
    """
    if name == "hybrid":
        name = kwargs.pop("kind", "crnn")
    _validate.one_of(name, tuple(MODEL_INPUTS) + ("hybrid",), "name")
    shapes = {"logmel": LOGMEL_SHAPE, "mfcc": MFCC_SHAPE, **(input_shapes or {})}
    kwargs.setdefault("name", name)
    if name == "cnn":
        return build_cnn(shapes["logmel"], num_classes, **kwargs)
    if name == "lstm":
        return build_lstm(shapes["mfcc"], num_classes, **kwargs)
    if name == "crnn":
        return build_hybrid(shapes["logmel"], num_classes, kind="crnn", **kwargs)
    return build_hybrid((shapes["logmel"], shapes["mfcc"]), num_classes,
                        kind="parallel", **kwargs)


def select_inputs(name: str, features: Mapping):
    """Pick what model ``name`` is fed from a dict of feature arrays.

    Parameters
    ----------
    name : {"cnn", "lstm", "crnn", "parallel"}
        The model (a key of :data:`MODEL_INPUTS`).
    features : dict
        Arrays keyed by input name, e.g. ``{"logmel": X_logmel, "mfcc": X_mfcc}``.

    Returns
    -------
    X : np.ndarray or dict
        The one array a single-input model takes, or the dict the parallel
        hybrid takes.

    Raises
    ------
    ParameterError
        If ``name`` is unknown or ``features`` lacks an input the model needs.

    Examples
    --------
    >>> import numpy as np
    >>> features = {"logmel": np.zeros((2, 128, 130, 1)), "mfcc": np.zeros((2, 130, 60))}
    >>> print(select_inputs("cnn", features).shape, sorted(select_inputs("parallel", features)))
    (2, 128, 130, 1) ['logmel', 'mfcc']
    """
    keys = MODEL_INPUTS[_validate.one_of(name, tuple(MODEL_INPUTS), "name")]
    missing = [key for key in keys if key not in features]
    if missing:
        raise ParameterError(f"Model {name!r} needs the features {keys}, but {missing} "
                             f"is missing from the keys {sorted(features)}. "
                             "Extract it with course_utils.features first.")
    return features[keys[0]] if len(keys) == 1 else {key: features[key] for key in keys}


LOSSES = {"integer": "sparse_categorical_crossentropy", "one-hot": "categorical_crossentropy"}


def compile_model(model: keras.Model, *, learning_rate: float = 1e-3,
                  targets: str = "integer") -> keras.Model:
    """Compile ``model`` with Adam, cross-entropy and accuracy: the course's one recipe.

    Parameters
    ----------
    model : keras.Model
        A model from one of the builders (softmax outputs).
    learning_rate : float > 0
        Adam's learning rate.
    targets : {"integer", "one-hot"}
        What ``model.fit`` will be given: integer genre indices ``[shape=(n,)]``
        (sparse categorical cross-entropy, as in keras-io's examples) or
        one-hot and mixed-up soft targets ``[shape=(n, n_classes)]``
        (categorical cross-entropy), which ``course_utils.train.fit`` feeds.

    Returns
    -------
    model : keras.Model
        The same model, compiled, so calls can be chained.

    Examples
    --------
    >>> model = compile_model(build_cnn(), learning_rate=1e-3)
    >>> print(type(model.optimizer).__name__, model.loss)
    Adam sparse_categorical_crossentropy
    >>> print(compile_model(model, targets="one-hot").loss)
    categorical_crossentropy
    """
    if not isinstance(learning_rate, (int, float)) or learning_rate <= 0:
        raise ParameterError(f"learning_rate must be a number > 0, got "
                             f"learning_rate={learning_rate!r}. Use e.g. learning_rate=1e-3.")
    loss = LOSSES[_validate.one_of(targets, tuple(LOSSES), "targets")]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss,
                  metrics=["accuracy"])
    return model


def predict_segments(model: keras.Model, name: str, X: Mapping, *,
                     batch_size: int = 128) -> np.ndarray:
    """Genre probabilities per segment: ``model.predict`` on the inputs ``name`` takes.

    Parameters
    ----------
    model : keras.Model
    name : str
        A key of :data:`MODEL_INPUTS`.
    X : dict
        Normalised segment arrays keyed by input name (:func:`select_inputs`).

    Returns
    -------
    np.ndarray [shape=(n_segments, n_classes)]
    """
    return model.predict(select_inputs(name, X), verbose=0, batch_size=batch_size)
