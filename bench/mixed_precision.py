"""Does mixed precision train the course's models as well as float32?

``course_utils.runs`` switches Keras to ``mixed_float16`` when it finds a GPU.
This script trains each model twice from the same initial weights, once under
``float32`` and once under ``--policy`` (``mixed_float16`` by default), on
random tensors of the real input shapes that carry a learnable signal: each of
the 10 classes raises its own tenth of the feature axis (mel bands for log-mel,
coefficient columns for MFCC) by ``--signal`` above standard-normal noise. It
reports, per policy, the training loss of each epoch (all must be finite), the
dtype of the model's output, and the accuracy on held-out tensors drawn the
same way; the check passes when every loss is finite, the output is float32
and the held-out accuracies differ by at most ``--tolerance``.

It imports only numpy, keras and ``course_utils.models`` (no TensorFlow, no
librosa), so it runs where only Keras and JAX are installed::

    KERAS_BACKEND=jax python bench/mixed_precision.py            # on a GPU
    python bench/mixed_precision.py --policy mixed_bfloat16      # e.g. on a CPU

The exit status is 1 when the check fails.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

MODELS = ("cnn", "lstm", "crnn", "parallel")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["cnn"], choices=MODELS)
    parser.add_argument("--policy", default="mixed_float16",
                        choices=("mixed_float16", "mixed_bfloat16"))
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--signal", type=float, default=0.5,
                        help="the rise of each class's band against unit noise (default 0.5: "
                             "learnable in a few epochs, not at once)")
    parser.add_argument("--tolerance", type=float, default=0.03,
                        help="largest accepted |accuracy(mixed) - accuracy(float32)| "
                             "(default 0.03, i.e. 3 points on --n-test tensors)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def band_patterns(shape, axis, np):
    """One pattern a class: 1 on its tenth of the feature axis (mel bands, MFCC columns)."""
    patterns = np.zeros((10, *shape), dtype=np.float32)
    edges = np.linspace(0, shape[axis], 11).astype(int)
    for k in range(10):
        index = [k, slice(None), slice(None)] + [slice(None)] * (len(shape) - 2)
        index[1 + axis] = slice(edges[k], edges[k + 1])
        patterns[tuple(index)] = 1.0
    return patterns


def make_data(name, n, patterns, args, models, np, rng):
    labels = rng.integers(0, 10, n)
    X = {}
    for key in models.MODEL_INPUTS[name]:
        shape = models.LOGMEL_SHAPE if key == "logmel" else models.MFCC_SHAPE
        noise = rng.standard_normal((n, *shape), dtype=np.float32)
        X[key] = noise + args.signal * patterns[key][labels]
    return models.select_inputs(name, X), labels


def train_once(name, policy, weights, data, args, keras, models, np):
    """Train ``name`` under ``policy`` from ``weights``; return (losses, output dtype, accuracy)."""
    keras.backend.clear_session()
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(args.seed)   # same dropout masks and batch order for both
    model = models.compile_model(models.build_model(name))
    model.set_weights(weights)
    (X_train, y_train), (X_test, y_test) = data
    history = model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                        shuffle=True, verbose=0)
    probs = model.predict(X_test, batch_size=256, verbose=0)
    accuracy = float(np.mean(np.argmax(probs, axis=1) == y_test))
    return history.history["loss"], str(probs.dtype), str(model.outputs[0].dtype), accuracy


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import keras
    import numpy as np

    from course_utils import models

    devices = keras.distribution.list_devices() if keras.backend.backend() == "jax" else []
    print(f"backend={keras.backend.backend()} keras={keras.__version__} "
          f"devices={devices or 'default'}")
    print(f"{args.n_train} training and {args.n_test} held-out random tensors of the real "
          f"shapes, 10 classes, signal {args.signal}; {args.epochs} epochs, batch "
          f"{args.batch_size}; tolerance {args.tolerance:.2f}\n")
    print("| model | policy | loss per epoch | output dtype | held-out accuracy |")
    print("|---|---|---|---|---:|")
    failed = []
    for name in args.models:
        rng = np.random.default_rng(args.seed)
        patterns = {key: band_patterns(shape, axis, np)
                    for key, shape, axis in (("logmel", models.LOGMEL_SHAPE, 0),
                                             ("mfcc", models.MFCC_SHAPE, 1))}
        data = (make_data(name, args.n_train, patterns, args, models, np, rng),
                make_data(name, args.n_test, patterns, args, models, np, rng))
        keras.mixed_precision.set_global_policy("float32")
        keras.utils.set_random_seed(args.seed)
        weights = models.build_model(name).get_weights()
        accuracies = {}
        for policy in ("float32", args.policy):
            losses, probs_dtype, out_dtype, accuracy = train_once(
                name, policy, weights, data, args, keras, models, np)
            accuracies[policy] = accuracy
            finite = all(math.isfinite(v) for v in losses)
            print(f"| {name} | {policy} | {' '.join(f'{v:.3f}' for v in losses)} "
                  f"| {out_dtype} | {accuracy:.3f} |", flush=True)
            if not finite:
                failed.append(f"{name} under {policy}: a loss is not finite")
            if out_dtype != "float32":
                failed.append(f"{name} under {policy}: the output is {out_dtype}, not float32")
        gap = abs(accuracies[args.policy] - accuracies["float32"])
        if gap > args.tolerance:
            failed.append(f"{name}: held-out accuracy differs by {gap:.3f} "
                          f"(> {args.tolerance:.2f})")
    print()
    print("\n".join(failed) if failed else
          f"passed: every loss finite, float32 outputs, accuracies within {args.tolerance:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
