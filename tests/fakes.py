"""Small audio fakes for tests: tones and folder-per-genre datasets of them."""
from __future__ import annotations

import subprocess
import sysconfig
import venv
from pathlib import Path

import numpy as np
import soundfile as sf


def tone(freq: float, seconds: float = 4.0, sr: int = 22050, *, rng=None) -> np.ndarray:
    """A harmonic tone with a little noise: cheap stand-in music for tests."""
    t = np.arange(int(seconds * sr)) / sr
    y = sum(np.sin(2 * np.pi * freq * k * t) / k for k in (1, 2, 3))
    noise = (rng or np.random.default_rng(int(freq))).normal(scale=0.01, size=t.size)
    return (0.2 * y + noise).astype(np.float32)


def write_dataset(root: Path, genres=("blues", "jazz", "rock"), per_genre: int = 3,
                  seconds: float = 4.0, ext: str = ".wav") -> Path:
    """Write a folder-per-genre dataset of tones (each genre its own pitch)."""
    for g, genre in enumerate(genres):
        (root / genre).mkdir(parents=True, exist_ok=True)
        for i in range(per_genre):
            sf.write(root / genre / f"{genre}.{i:05d}{ext}",
                     tone(110 * (g + 2) + 7 * i, seconds), 22050, subtype="PCM_16")
    return root


def stack_venv(env_dir: Path) -> tuple[Path, Path]:
    """A fresh venv that sees this environment's packages but not this course.

    The installed stack (TensorFlow, librosa, ...) is put on its path through a
    ``.pth`` line; the stack's own ``.pth`` files, among them the editable
    install of ``course_utils``, are not run, so the course is importable there
    only once it is installed into the venv. Returns (python, site-packages).
    """
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "stack.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, site


def not_done(*args, **kwargs):
    """A learner's function not written yet: the stub every exercise starts from."""
    raise NotImplementedError("Exercise: not done yet")


def layer_settings(model) -> list:
    """Each layer's type and the settings that decide what it computes (not its name)."""
    keep = ("filters", "kernel_size", "strides", "padding", "use_bias", "pool_size", "momentum",
            "epsilon", "rate", "units", "activation", "recurrent_activation", "kernel_regularizer",
            "return_sequences", "dims", "target_shape")
    return [(type(layer).__name__, {k: v for k, v in layer.get_config().items() if k in keep})
            for layer in model.layers]


def assert_twins(mine, library) -> None:
    """The same layers with the same settings, and the same output on a fixed input once
    ``mine`` holds ``library``'s weights."""
    import keras
    assert layer_settings(mine) == layer_settings(library)
    mine.set_weights(library.get_weights())
    rng = np.random.default_rng(0)
    inputs = library.input if isinstance(library.input, dict) else {"x": library.input}
    x = {k: rng.normal(size=(4, *t.shape[1:])).astype("float32") for k, t in inputs.items()}
    x = x if isinstance(library.input, dict) else x["x"]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(mine(x, training=False)),
                               keras.ops.convert_to_numpy(library(x, training=False)),
                               rtol=1e-5, atol=1e-6)
