"""Tests for course_utils.models: shapes, parameter counts, learning, backends, saving."""
from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils import config
from course_utils.exceptions import ParameterError
from course_utils.models import (
    EMBEDDING_SHAPE, LOGMEL_SHAPE, MFCC_SHAPE, MODEL_INPUTS, build_cnn, build_hybrid,
    build_lstm, build_model, build_probe, compile_model, select_inputs,
)

REPO_DIR = Path(__file__).resolve().parents[1]
NAMES = tuple(n for n in MODEL_INPUTS if n != "musicnn_ft")   # fine-tuning: test_pretrained

# The numbers the docstrings state for the default inputs and 10 classes. A change
# to an architecture must update both (and the lesson text that quotes them).
EXPECTED_PARAMS = {"cnn": 28_442, "lstm": 32_650, "crnn": 61_530, "parallel": 64_538,
                   "musicnn": 194_186}


# Smaller than a real segment (64 bands, 40 frames), to keep training tests fast.
SMALL_SHAPES = {"logmel": (64, 40, 1), "mfcc": (40, 12), "musicnn": (48,)}
SIGNAL = 0.5  # class signal in units of the noise's standard deviation


def make_features(n_per_class: int, n_classes: int, shapes=None, seed: int = config.SEED):
    """A tiny learnable set: class k lights up mel band k and MFCC time window k.

    The MFCC cue lies in *when* the frames light up, not which coefficients, so an
    LSTM has to use the order of the frames rather than their average.
    """
    shapes = shapes or {"logmel": LOGMEL_SHAPE, "mfcc": MFCC_SHAPE, "musicnn": EMBEDDING_SHAPE}
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    logmel = rng.normal(0, 1.0, (len(labels), *shapes["logmel"])).astype("float32")
    mfcc = rng.normal(0, 1.0, (len(labels), *shapes["mfcc"])).astype("float32")
    embedding = rng.normal(0, 1.0, (len(labels), *shapes["musicnn"])).astype("float32")
    band = shapes["logmel"][0] // n_classes
    for i, label in enumerate(labels):
        logmel[i, label * band:(label + 1) * band] += SIGNAL
        window = shapes["mfcc"][0] // n_classes
        mfcc[i, label * window:(label + 1) * window] += SIGNAL
        width = shapes["musicnn"][0] // n_classes          # a block of embedding dimensions
        embedding[i, label * width:(label + 1) * width] += SIGNAL
    return {"logmel": logmel, "mfcc": mfcc, "musicnn": embedding}, labels


@pytest.mark.parametrize("name", NAMES)
def test_default_model_shape_and_parameter_count(name):
    model = build_model(name)
    features, _ = make_features(1, 2)
    probs = keras.ops.convert_to_numpy(model(select_inputs(name, features)))
    assert probs.shape == (2, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert model.count_params() == EXPECTED_PARAMS[name]
    assert tuple(t.name for t in model.inputs) == MODEL_INPUTS[name]
    assert model.name == name


def test_builders_match_registry_and_docstrings():
    assert build_cnn().count_params() == EXPECTED_PARAMS["cnn"]
    assert build_lstm().count_params() == EXPECTED_PARAMS["lstm"]
    assert build_hybrid(kind="crnn").count_params() == EXPECTED_PARAMS["crnn"]
    both = build_hybrid(kind="parallel")          # mfcc_shape defaults to MFCC_SHAPE
    assert both.count_params() == EXPECTED_PARAMS["parallel"]
    assert build_hybrid((LOGMEL_SHAPE, MFCC_SHAPE), kind="parallel").count_params() \
        == EXPECTED_PARAMS["parallel"]
    assert build_probe().count_params() == EXPECTED_PARAMS["musicnn"]
    for builder, name in ((build_cnn, "cnn"), (build_lstm, "lstm"), (build_hybrid, "crnn"),
                          (build_probe, "musicnn")):
        assert f"{EXPECTED_PARAMS[name]:,}" in builder.__doc__
        assert f"\n{EXPECTED_PARAMS[name]}\n" in inspect.cleandoc(builder.__doc__) + "\n"  # 3.13 dedents
    assert f"{EXPECTED_PARAMS['parallel']:,}" in build_hybrid.__doc__
    assert build_model("hybrid", kind="parallel").name == "parallel"


@pytest.mark.parametrize("name", NAMES)
def test_every_layer_is_named_explicitly(name):
    # Keras numbers auto-generated names (dense, dense_1, ...), so a layer built
    # without name= gets a different name the second time round.
    first = [layer.name for layer in build_model(name).layers]
    second = [layer.name for layer in build_model(name).layers]
    assert first == second


def test_options_scale_the_models():
    small, big = build_cnn(), build_cnn(filters=(32, 64, 128, 256), input_pool=None)
    assert big.count_params() > 10 * small.count_params()
    assert build_cnn(input_pool=None).count_params() == small.count_params()
    stacked = build_lstm(units=(64, 32), bidirectional=True)
    assert isinstance(stacked.get_layer("bilstm2"), keras.layers.Bidirectional)
    assert [layer.name for layer in stacked.layers] == \
        [layer.name for layer in build_lstm(units=(64, 32), bidirectional=True).layers]
    assert stacked.count_params() > 2 * build_lstm().count_params()
    assert isinstance(build_hybrid(bidirectional=True).get_layer("bigru"), keras.layers.Bidirectional)
    assert build_cnn(num_classes=4).output.shape == (None, 4)


def inference_accuracy(model, X, labels) -> float:
    """Accuracy in inference mode: no dropout, BatchNorm's moving statistics."""
    probs = keras.ops.convert_to_numpy(model(X, training=False))
    return float((probs.argmax(axis=1) == labels).mean())


class StopAtPerfectFit(keras.callbacks.Callback):
    """Stop training once the model classifies the whole (tiny) training set right."""

    def __init__(self, X, labels):
        super().__init__()
        self.X, self.labels = X, labels

    def on_epoch_end(self, epoch, logs=None):
        if inference_accuracy(self.model, self.X, self.labels) == 1.0:
            self.model.stop_training = True


@pytest.mark.parametrize("name", NAMES)
def test_model_overfits_a_tiny_structured_set(name):
    keras.backend.clear_session()
    keras.utils.set_random_seed(config.SEED)
    features, labels = make_features(5, 4, SMALL_SHAPES)
    X = select_inputs(name, features)
    model = compile_model(build_model(name, SMALL_SHAPES, 4), learning_rate=3e-3)
    assert inference_accuracy(model, X, labels) < 1.0      # not solved before training
    model.fit(X, labels, batch_size=4, epochs=30, verbose=0,
              callbacks=[StopAtPerfectFit(X, labels)])      # 4-9 epochs are enough
    assert inference_accuracy(model, X, labels) == 1.0


@pytest.mark.slow   # a JAX process of its own
def test_models_run_under_jax():
    script = textwrap.dedent("""
        import json, sys
        import keras, numpy as np
        from course_utils.models import (EMBEDDING_SHAPE, LOGMEL_SHAPE, MFCC_SHAPE,
                                         MODEL_INPUTS, build_model, compile_model)
        rng = np.random.default_rng(0)
        shapes = {"logmel": LOGMEL_SHAPE, "mfcc": MFCC_SHAPE, "musicnn": EMBEDDING_SHAPE}
        out = {"backend": keras.backend.backend(), "models": {}}
        for name, keys in MODEL_INPUTS.items():
            if name == "musicnn_ft":      # pretrained weights: tested in test_pretrained
                continue
            model = compile_model(build_model(name))
            X = {k: rng.normal(size=(4, *shapes[k])).astype("float32") for k in keys}
            X = X[keys[0]] if len(keys) == 1 else X
            loss, acc = model.train_on_batch(X, np.arange(4))
            out["models"][name] = {"params": model.count_params(), "loss": float(loss),
                                   "shape": list(model.output.shape)}
        out["tensorflow_imported"] = "tensorflow" in sys.modules
        print("RESULT " + json.dumps(out))
    """)
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
           "PYTHONPATH": os.pathsep.join([str(REPO_DIR), os.environ.get("PYTHONPATH", "")]),
           # Skip XLA's slow CPU optimisations: compiling dominates this test, and it
           # checks that the models run, not how fast (about 40 % less CPU time).
           "XLA_FLAGS": (os.environ.get("XLA_FLAGS", "")
                         + " --xla_backend_optimization_level=0").strip()}
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO_DIR, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    result = json.loads(line[len("RESULT "):])
    assert result["backend"] == "jax"
    assert result["tensorflow_imported"] is False
    assert set(result["models"]) == set(NAMES)
    for name, info in result["models"].items():
        assert info["params"] == EXPECTED_PARAMS[name], name
        assert np.isfinite(info["loss"]), name
        assert info["shape"] == [None, 10], name


@pytest.mark.parametrize("name", NAMES)
def test_save_load_predicts_identically(name, tmp_path):
    features, labels = make_features(2, 4, SMALL_SHAPES)
    X = select_inputs(name, features)
    model = compile_model(build_model(name, SMALL_SHAPES, 4))
    model.train_on_batch(X, labels)                 # builds the optimizer's state
    rng = np.random.default_rng(config.SEED)
    for weight in model.non_trainable_weights:    # BatchNorm statistics must be saved too
        weight.assign(rng.uniform(0.5, 1.5, weight.shape).astype("float32"))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(X, training=False)),
                                  keras.ops.convert_to_numpy(model(X, training=False)))
    assert loaded.name == model.name
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)


@pytest.mark.parametrize("call, match", [
    (lambda: build_cnn((128, 130)), r"input_shape must be \(n_mels, t, channels\).*"
                                    r"got input_shape=\(128, 130\).*X.shape\[1:\]"),
    (lambda: build_cnn((128, 130, 0)), r"got input_shape=\(128, 130, 0\)"),
    (lambda: build_lstm((130, 60, 1)), r"input_shape must be \(t, n_features\).*"
                                       r"input_shape=\(130, 60\)"),
    (lambda: build_cnn(num_classes=1), r"num_classes must be an int >= 2, got num_classes=1"),
    (lambda: build_lstm(num_classes=2.5), r"got num_classes=2.5"),
    (lambda: build_hybrid(kind="rnn"), r"kind must be one of 'crnn', 'parallel'.*kind='rnn'"),
    (lambda: build_cnn(filters=()), r"filters must be a non-empty tuple.*got filters=\(\)"),
    (lambda: build_lstm(units=(64, 0)), r"units must be a positive integer, got units=0"),
    (lambda: build_cnn(dropout=1.0), r"dropout must be in \[0, 1\), got dropout=1.0"),
    (lambda: build_cnn(l2=-1), r"l2 must be a number >= 0, got l2=-1"),
    (lambda: build_hybrid(kind="parallel", dense_units=-1), r"got dense_units=-1"),
    (lambda: build_cnn(input_pool=(2,)), r"input_pool must be a pair.*got input_pool=\(2,\)"),
    (lambda: build_cnn(filters=(8,) * 8), r"too small for 9 pooling blocks.*fewer filters"),
    (lambda: build_hybrid(((128, 130, 1), (130,)), kind="parallel"),
     r"input_shape must be \(t, n_features\).*got input_shape=\(130,\)"),
    (lambda: build_model("transformer"), r"name must be one of .*'cnn'.*name='transformer'"),
    (lambda: select_inputs("parallel", {"logmel": np.zeros(1)}),
     r"needs the features \('logmel', 'mfcc'\).*\['mfcc'\] is missing"),
    (lambda: compile_model(build_lstm(), learning_rate=0),
     r"learning_rate must be a number > 0, got learning_rate=0"),
])
def test_bad_arguments_raise_parameter_error(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
