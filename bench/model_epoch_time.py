"""Seconds per training epoch of each course model, on random tensors.

An epoch is ``--n-segments`` three-second segments (10,000 is GTZAN: 1,000
tracks x 10 segments) in batches of ``--batch-size``. The script builds each
model with its default settings, runs a few warm-up batches (tracing and
compilation are not counted), then times ``--timed-batches`` batches of
``model.fit`` and extrapolates to a full epoch. It prints a markdown table.

The backend is chosen before Keras is imported, so run for example::

    python bench/model_epoch_time.py --backend tensorflow
    python bench/model_epoch_time.py --backend jax --timed-batches 100   # on a GPU

The script imports only numpy, keras and ``course_utils.models`` (which imports
neither TensorFlow nor librosa), so it runs where only ``keras`` and ``jax`` are
installed.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path

MODELS = ("cnn", "lstm", "crnn", "parallel")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-segments", type=int, default=10_000,
                        help="segments per epoch (default: 10000, GTZAN-sized)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"),
                        choices=("tensorflow", "jax", "torch"))
    parser.add_argument("--timed-batches", type=int, default=40,
                        help="batches to time; the epoch time is extrapolated from them "
                             "(a whole epoch is timed when it has fewer batches)")
    parser.add_argument("--warmup-batches", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--policy", default="float32", choices=("float32", "mixed_float16",
                                                                 "mixed_bfloat16"),
                        help="Keras dtype policy; course_utils.runs trains with mixed_float16 "
                             "when a GPU is found (default: float32)")
    return parser.parse_args(argv)


def time_model(name: str, args, keras, models, np) -> tuple[int, float, float, int]:
    """Return (parameters, wall s / epoch, CPU s / epoch, batches timed) for one model."""
    keras.backend.clear_session()   # no set_random_seed: it imports TensorFlow when installed
    keras.mixed_precision.set_global_policy(args.policy)
    model = models.compile_model(models.build_model(name))
    steps_per_epoch = math.ceil(args.n_segments / args.batch_size)
    timed = min(args.timed_batches, steps_per_epoch)
    rng = np.random.default_rng(0)

    def batches(n: int):
        features = {key: rng.standard_normal((n * args.batch_size, *shape), dtype=np.float32)
                    for key, shape in (("logmel", models.LOGMEL_SHAPE),
                                       ("mfcc", models.MFCC_SHAPE))
                    if key in models.MODEL_INPUTS[name]}
        labels = rng.integers(0, 10, n * args.batch_size)
        return models.select_inputs(name, features), labels

    X, labels = batches(args.warmup_batches)
    model.fit(X, labels, batch_size=args.batch_size, epochs=1, verbose=0)
    X, labels = batches(timed)
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(X, labels, batch_size=args.batch_size, epochs=1, verbose=0)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    scale = steps_per_epoch / timed
    return model.count_params(), seconds * scale, cpu_seconds * scale, timed


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ["KERAS_BACKEND"] = args.backend          # must precede `import keras`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import keras
    import numpy as np

    from course_utils import models

    devices = keras.distribution.list_devices() if args.backend == "jax" else []
    print(f"backend={keras.backend.backend()} keras={keras.__version__} "
          f"python={platform.python_version()} cpus={os.cpu_count()} "
          f"devices={devices or 'default'} policy={args.policy}")
    print(f"epoch = {args.n_segments} segments, batch {args.batch_size} "
          f"({math.ceil(args.n_segments / args.batch_size)} batches); random inputs "
          f"logmel={models.LOGMEL_SHAPE}, mfcc={models.MFCC_SHAPE}\n")
    print("| model | params | batches timed | s / batch | s / epoch | CPU s / epoch |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.models:
        params, epoch_s, cpu_s, timed = time_model(name, args, keras, models, np)
        steps = math.ceil(args.n_segments / args.batch_size)
        print(f"| {name} | {params:,} | {timed} | {epoch_s / steps:.4f} | {epoch_s:.1f} "
              f"| {cpu_s:.1f} |", flush=True)
    print("\ns / epoch = (wall time of the timed batches) / (batches timed) x (batches per "
          "epoch); warm-up batches (tracing, compilation) are not counted. CPU s / epoch is "
          "the process's CPU time, scaled the same way (all cores together); on a busy "
          "machine it is steadier than wall time.")
    if hasattr(os, "getloadavg"):
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if "tensorflow" in sys.modules and args.backend != "tensorflow":
        print("note: TensorFlow was imported although the backend is not tensorflow")


if __name__ == "__main__":
    main()
