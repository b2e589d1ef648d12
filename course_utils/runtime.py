"""The machine a lesson runs on: seeding, GPU detection and package versions.

Every lesson's set-up cells call these, including lessons that never build a
model, so nothing here imports Keras, TensorFlow or JAX at import time.
``set_seed`` seeds Keras only when Keras is already loaded, ``versions`` reads
installed versions from ``importlib.metadata``, and ``gpu_available`` asks the
backend only once a lesson has loaded it. Introduced in 01_audio_basics.
"""
from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import platform
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from . import config

# the distributions a run's results depend on, as versions() reports them
VERSIONED = ("keras", "tensorflow", "jax", "librosa", "numpy", "scikit-learn")


def keras_loaded() -> bool:
    """True once this process has imported Keras (a lesson that builds a model has)."""
    return "keras" in sys.modules


def set_seed(seed: int = config.SEED, *, deterministic: bool = False) -> None:
    """Seed Python's and NumPy's generators, and Keras's when Keras is loaded.

    With Keras loaded this is ``keras.utils.set_random_seed(seed)``, which also
    seeds the backend (TensorFlow, JAX or PyTorch). A lesson that builds models
    imports Keras before calling this; lessons that only handle audio never load
    it. ``deterministic=True`` also asks TensorFlow for deterministic kernels
    (``enable_op_determinism``): identical results run to run, at a cost of
    roughly 10-30 % speed on a CPU and more on a GPU, where some ops have no
    deterministic version and then raise.

    Examples
    --------
    >>> set_seed(0); a = np.random.rand()
    >>> set_seed(0); a == np.random.rand()
    True
    """
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    if not keras_loaded():
        return
    import keras
    keras.utils.set_random_seed(seed)
    # Older Keras (3.12 here) keeps its global SeedGenerator (unseeded keras.random calls) across
    # set_random_seed; drop it, as newer releases do, so that it is remade from the seed.
    from keras.src.backend.common import global_state
    global_state.set_global_attribute("global_seed_generator", None)
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf
        tf.config.experimental.enable_op_determinism()


def backend_name() -> str:
    """The Keras backend this process uses or will use, without importing Keras.

    Keras reads ``KERAS_BACKEND``, then ``$KERAS_HOME/keras.json`` (default
    ``~/.keras/keras.json``), then falls back to TensorFlow; so does this.
    """
    if keras_loaded():
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    try:
        return json.loads((home / "keras.json").read_text()).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


def _nvidia_gpu_present() -> bool:
    """Whether ``nvidia-smi`` lists a GPU: a hardware check that loads no framework."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return False
    try:
        out = subprocess.run([exe, "-L"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "GPU" in out


def gpu_available() -> bool:
    """True when a GPU is there for training.

    Once Keras is loaded the backend itself is asked (what training will use).
    Before that, in a lesson that has not loaded Keras, this only checks for an
    NVIDIA GPU with ``nvidia-smi``, so the check costs no framework start-up.
    """
    if not keras_loaded():
        return _nvidia_gpu_present()
    backend = backend_name()
    if backend == "tensorflow":
        import tensorflow as tf
        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax
        return any(d.platform == "gpu" for d in jax.devices())
    if backend == "torch":
        import torch
        return torch.cuda.is_available()
    return False


def version_of(distribution: str) -> str | None:
    """The installed version of a distribution, or None when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str]:
    """Python, the Keras backend and the installed versions a run depends on.

    Read from package metadata, so no framework is imported. Runs record this
    in ``config.json``; ``colab.check_versions`` prints it.

    Examples
    --------
    >>> v = versions()
    >>> v["python"] == platform.python_version(), "backend" in v
    (True, True)
    """
    found = {dist: version_of(dist) for dist in VERSIONED}
    return {"python": platform.python_version(), "backend": backend_name(),
            **{k: v for k, v in found.items() if v is not None}}
