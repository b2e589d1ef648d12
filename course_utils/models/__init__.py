"""The course's models: a CNN, an LSTM and two hybrids, as Keras 3 builders, and the
transfer-learning models on musicnn (a probe, and musicnn fine-tuned under one).

Introduced in 03_cnn (CNN), 04_lstm (LSTM), 05_hybrid (CRNN, parallel fusion) and
08_transfer_learning (probe, fine-tuning).

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

Layout
------
``models/_layers.py`` holds the argument checks and the shared layer blocks,
``models/builders.py`` the builders, and this module the input contract,
:func:`build_model`, :func:`compile_model` and :func:`predict_segments`.
Import everything from ``course_utils.models``. Importing it loads Keras only:
:func:`build_fine_tune` imports ``course_utils.pretrained`` (and librosa) when called.
"""
from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np

from .. import _validate
from ..exceptions import ParameterError
from ._layers import EMBEDDING_SHAPE, LOGMEL_SHAPE, MFCC_SHAPE, MODEL_INPUTS, Shape
from .builders import build_cnn, build_fine_tune, build_hybrid, build_lstm, build_probe

__all__ = ["LOGMEL_SHAPE", "MFCC_SHAPE", "EMBEDDING_SHAPE", "MODEL_INPUTS", "LOSSES",
           "build_cnn", "build_lstm", "build_hybrid", "build_probe", "build_fine_tune", "build_model",
           "select_inputs", "compile_model", "predict_segments"]


# --- registry and compilation -----------------------------------------------

def build_model(name: str, input_shapes: Mapping[str, Shape] | None = None,
                num_classes: int = 10, **kwargs) -> keras.Model:
    """Build a model by name, picking its input shapes from a dict.

    Parameters
    ----------
    name : {"cnn", "lstm", "crnn", "parallel", "hybrid", "musicnn", "musicnn_ft"}
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
    shapes = {"logmel": LOGMEL_SHAPE, "mfcc": MFCC_SHAPE, "musicnn": EMBEDDING_SHAPE,
              **(input_shapes or {})}
    kwargs.setdefault("name", name)
    if name == "cnn":
        return build_cnn(shapes["logmel"], num_classes, **kwargs)
    if name == "lstm":
        return build_lstm(shapes["mfcc"], num_classes, **kwargs)
    if name == "crnn":
        return build_hybrid(shapes["logmel"], num_classes, kind="crnn", **kwargs)
    if name == "musicnn":
        return build_probe(shapes["musicnn"], num_classes, **kwargs)
    if name == "musicnn_ft":
        return build_fine_tune(num_classes, **kwargs)
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
