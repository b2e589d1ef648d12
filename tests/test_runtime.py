"""Tests for course_utils.runtime: seeding, the backend name, GPU detection and versions."""
from __future__ import annotations

import json
import platform
import random
import subprocess
import sys

import numpy as np

from course_utils import runtime


def test_set_seed_repeats_python_and_numpy_draws():
    runtime.set_seed(7)
    first = (random.random(), np.random.rand())
    runtime.set_seed(7)
    assert (random.random(), np.random.rand()) == first
    runtime.set_seed(8)
    assert (random.random(), np.random.rand()) != first


def test_set_seed_seeds_keras_once_it_is_loaded():
    import keras
    runtime.set_seed(3)
    a = keras.ops.convert_to_numpy(keras.random.uniform((4,)))
    runtime.set_seed(3)
    b = keras.ops.convert_to_numpy(keras.random.uniform((4,)))
    np.testing.assert_array_equal(a, b)


def test_backend_name_follows_keras_rules(tmp_path, monkeypatch):
    code = "from course_utils import runtime; print(runtime.backend_name())"
    run = lambda **env: subprocess.run([sys.executable, "-c", code], capture_output=True,
                                       text=True, env=env, check=True).stdout.strip()
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    assert run(**base) == "tensorflow"                                  # Keras's default
    (tmp_path / ".keras").mkdir()
    (tmp_path / ".keras" / "keras.json").write_text(json.dumps({"backend": "jax"}))
    assert run(**base) == "jax"                                         # keras.json
    assert run(**base, KERAS_BACKEND="torch") == "torch"                # the variable wins


def test_gpu_check_without_keras_asks_only_the_hardware(monkeypatch):
    monkeypatch.setattr(runtime, "keras_loaded", lambda: False)
    monkeypatch.setattr(runtime.shutil, "which", lambda name: None)     # no nvidia-smi
    assert runtime.gpu_available() is False
    monkeypatch.setattr(runtime.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    monkeypatch.setattr(runtime.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 0, stdout="GPU 0: NVIDIA H100 (UUID: GPU-1)\n"))
    assert runtime.gpu_available() is True


def test_versions_come_from_package_metadata():
    from importlib.metadata import version
    v = runtime.versions()
    assert v["python"] == platform.python_version()
    assert v["numpy"] == version("numpy") and v["librosa"] == version("librosa")
    assert v["keras"] == version("keras") and v["backend"] == runtime.backend_name()
    assert runtime.version_of("surely-not-an-installed-package") is None
