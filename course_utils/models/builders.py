"""The three model builders: a CNN, an LSTM and the hybrids (CRNN, parallel fusion).

Introduced in 03_cnn (CNN), 04_lstm (LSTM) and 05_hybrid (hybrids). Every
builder returns an uncompiled ``keras.Model``; see ``course_utils.models`` for
the input contract and :func:`~course_utils.models.compile_model`.
"""
from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from .. import _validate, config
from ._layers import (EMBEDDING_SHAPE, LOGMEL_SHAPE, MFCC_SHAPE, RECURRENT_DTYPE, Shape, check_common,
                      check_pool_size, check_pooling, check_shape, check_widths, classifier, cnn_features,
                      conv_block, l2_penalty, lstm_features, pool_input)


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
    input_shape = check_shape(input_shape, 3, "(n_mels, t, channels)", LOGMEL_SHAPE)
    check_common(num_classes, dropout, l2, dense_units)
    filters = check_widths(filters, "filters")
    input_pool = check_pool_size(input_pool, "input_pool")
    check_pooling(input_shape, [input_pool or (1, 1)] + [(2, 2)] * len(filters))

    inputs = keras.Input(input_shape, name="logmel")
    x = pool_input(inputs, input_pool, prefix="")
    x = cnn_features(x, filters, l2=l2, prefix="")
    x = layers.Dropout(dropout, name="features_dropout")(x)
    outputs = classifier(x, num_classes, dense_units=dense_units, dropout=dropout, l2=l2)
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
    input_shape = check_shape(input_shape, 2, "(t, n_features)", MFCC_SHAPE)
    check_common(num_classes, dropout, l2)
    units = check_widths(units, "units")
    time_pool = _validate.positive_int(time_pool, "time_pool")

    inputs = keras.Input(input_shape, name="mfcc")
    x = lstm_features(inputs, units, bidirectional=bidirectional, dropout=dropout,
                       l2=l2, time_pool=time_pool, prefix="")
    outputs = classifier(x, num_classes, dense_units=0, dropout=dropout, l2=l2)
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
    check_common(num_classes, dropout, l2, dense_units)
    opts = dict(num_classes=num_classes, filters=check_widths(filters, "filters"),
                units=_validate.positive_int(units, "units"), bidirectional=bidirectional,
                dropout=dropout, l2=l2, input_pool=check_pool_size(input_pool, "input_pool"),
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
    input_shape = check_shape(input_shape, 3, "(n_mels, t, channels)", LOGMEL_SHAPE)
    pools = [(2, 2)] + [(4, 1)] * (len(filters) - 1)
    check_pooling(input_shape, [input_pool or (1, 1)] + pools)
    inputs = keras.Input(input_shape, name="logmel")
    x = pool_input(inputs, input_pool, prefix="")
    for i, (n, pool) in enumerate(zip(filters, pools), start=1):
        x = conv_block(x, n, pool, l2=l2, name=f"block{i}")
    n_bands, n_frames, n_maps = x.shape[1], x.shape[2], x.shape[3]
    x = layers.Permute((2, 1, 3), name="time_first")(x)        # (frames, bands, maps)
    x = layers.Reshape((n_frames, n_bands * n_maps), name="to_sequence")(x)
    rnn = layers.GRU(units, kernel_regularizer=l2_penalty(l2), dtype=RECURRENT_DTYPE, name="gru")
    if bidirectional:
        rnn = layers.Bidirectional(rnn, dtype=RECURRENT_DTYPE, name="bigru")
    x = layers.Dropout(dropout, name="gru_dropout")(rnn(x))
    outputs = classifier(x, num_classes, dense_units=0, dropout=dropout, l2=l2)
    return keras.Model(inputs, outputs, name=name)


def _build_parallel(logmel_shape, mfcc_shape, *, num_classes, filters, units, bidirectional,
                    dropout, l2, input_pool, dense_units, time_pool, name) -> keras.Model:
    logmel_shape = check_shape(logmel_shape, 3, "(n_mels, t, channels)", LOGMEL_SHAPE)
    mfcc_shape = check_shape(mfcc_shape, 2, "(t, n_features)", MFCC_SHAPE)
    check_pooling(logmel_shape, [input_pool or (1, 1)] + [(2, 2)] * len(filters))
    logmel = keras.Input(logmel_shape, name="logmel")
    mfcc = keras.Input(mfcc_shape, name="mfcc")
    a = pool_input(logmel, input_pool, prefix="logmel_")
    a = cnn_features(a, filters, l2=l2, prefix="logmel_")
    b = lstm_features(mfcc, (units,), bidirectional=bidirectional, dropout=dropout,
                       l2=l2, time_pool=time_pool, prefix="mfcc_")
    x = layers.Concatenate(name="fusion")([a, b])
    x = layers.Dropout(dropout, name="fusion_dropout")(x)
    outputs = classifier(x, num_classes, dense_units=dense_units, dropout=dropout, l2=l2)
    return keras.Model({"logmel": logmel, "mfcc": mfcc}, outputs, name=name)


def build_probe(input_shape: Shape = EMBEDDING_SHAPE, num_classes: int = 10, *,
                hidden: int = 128, dropout: float = 0.5, l2: float = 1e-3,
                name: str = "probe") -> keras.Model:
    """A small classifier on pretrained embeddings: a *probe* (transfer learning).

    Dropout -> Dense(``hidden``, ReLU) -> Dropout -> softmax, on one embedding
    per 3-s patch (musicnn's ``[max_pool, mean_pool]``, 1,506 values,
    normalised like every other input). ``hidden=0`` gives a linear probe
    (logistic regression). With the defaults it has **194,186** parameters for
    ``input_shape=(1506,)`` and 10 classes.

    Returns
    -------
    keras.Model
        Uncompiled; input ``musicnn``, output ``[shape=(batch, num_classes)]``.

    Examples
    --------
    >>> print(build_probe((1506,), 10).count_params())
    194186
    """
    input_shape = check_shape(input_shape, 1, "(n_features,)", EMBEDDING_SHAPE)
    check_common(num_classes, dropout, l2, hidden)
    inputs = keras.Input(input_shape, name=config.MUSICNN_FEATURE)
    x = layers.Dropout(dropout, name="embedding_dropout")(inputs)
    outputs = classifier(x, num_classes, dense_units=hidden, dropout=dropout, l2=l2)
    return keras.Model(inputs, outputs, name=name)


def build_fine_tune(num_classes: int = 10, *, pretrained_model: str = "MSD_musicnn",
                    hidden: int = 128, dropout: float = 0.5, l2: float = 1e-3,
                    name: str = "musicnn_ft") -> keras.Model:
    """musicnn with its pretrained weights under a probe: for fine-tuning.

    Log-mel patches go in (input ``musicnn_patches``, :func:`course_utils.pretrained.patches`,
    not normalised: musicnn's first layer does that); its ``[max_pool, mean_pool]`` pass a
    ``Normalization`` layer named ``feature_norm`` (adapt it to the training features,
    as the frozen probe's inputs are normalised) and feed the probe of
    :func:`build_probe`. The batch-norm layers stay frozen in inference mode, because a few
    dozen patches per batch would overwrite statistics learned on a large collection.
    :func:`course_utils.train.fit_fine_tune` trains it in two stages: the probe on frozen
    features first, then everything at a small learning rate.
    """
    from .. import pretrained   # the network and its weights; librosa comes with it, on use
    backbone = pretrained.with_weights(pretrained.build_musicnn(pretrained_model),
                                       pretrained_model)   # a copy of its own, to train
    for layer in backbone.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
    # only up to the pooled features: the tagging layers above them get no gradient here
    trunk = keras.Model(backbone.input, [backbone.get_layer("max_pool").output,
                                         backbone.get_layer("mean_pool").output],
                        name=pretrained_model)
    inputs = keras.Input(config.MUSICNN_PATCH_SHAPE, name=config.MUSICNN_PATCHES)
    pooled = layers.Concatenate(name="pooled_features")(trunk(inputs))
    normed = layers.Normalization(axis=-1, name="feature_norm")(pooled)   # adapt() sets it
    probe = build_probe(EMBEDDING_SHAPE, num_classes, hidden=hidden, dropout=dropout, l2=l2)
    return keras.Model(inputs, probe(normed), name=name)
