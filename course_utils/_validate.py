"""Input checks, in one place (as librosa keeps ``util.valid_audio``).

Each check raises :class:`~course_utils.exceptions.ParameterError` or
:class:`~course_utils.exceptions.DataNotFoundError` with a message that shows the
bad value and says how to fix it. Whether decoded audio is usable is
``course_utils.audio.unusable``'s rule. Introduced in 01_audio_basics.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np

from .exceptions import DataNotFoundError, ParameterError


def valid_audio(y: np.ndarray, *, mono: bool = True) -> None:
    """Check that ``y`` is a finite floating-point waveform (mono if asked).

    Raises
    ------
    ParameterError
        If ``y`` is not a float array, is stereo when mono is required, or holds
        NaN or infinity.
    """
    if not isinstance(y, np.ndarray):
        raise ParameterError(f"Audio must be a numpy array, got {type(y).__name__}. "
                             "Load it with course_utils.audio.load(path).")
    if not np.issubdtype(y.dtype, np.floating):
        raise ParameterError(f"Audio must be floating-point, got y.dtype={y.dtype}. "
                             "Convert it with y.astype(np.float32) / 32768 for 16-bit PCM.")
    if mono and y.ndim != 1:
        raise ParameterError(f"Audio must be mono, got y.shape={y.shape}. "
                             "Call course_utils.audio.to_mono(y) first.")
    if y.ndim not in (1, 2):
        raise ParameterError(f"Audio must have 1 or 2 dimensions, got y.shape={y.shape}.")
    if not np.all(np.isfinite(y)):
        raise ParameterError("Audio holds NaN or infinite samples. "
                             "Check the file or the processing that produced y.")


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not a positive integer."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ParameterError(f"{name} must be a positive integer, got {name}={value!r}.")
    return int(value)


def one_of(value, choices: Iterable, name: str):
    """Return ``value`` if it is one of ``choices``, else raise listing them."""
    choices = tuple(choices)
    if value not in choices:
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, choices))}; "
                             f"got {name}={value!r}.")
    return value


def fraction(value, name: str, *, low: float = 0.0, high: float = 1.0) -> float:
    """Return ``value`` if ``low < value < high``, else raise."""
    if not isinstance(value, (int, float, np.floating)) or not low < value < high:
        raise ParameterError(f"{name} must be a number between {low} and {high} "
                             f"(exclusive), got {name}={value!r}.")
    return float(value)


def existing_file(path) -> Path:
    """Return ``path`` as a Path if it is an existing file, else raise DataNotFoundError."""
    path = Path(path)
    if path.is_dir():
        raise ParameterError(f"{path} is a folder, but a file was expected. "
                             "Pass one audio file, or use a dataset loader for folders.")
    if not path.exists():
        raise DataNotFoundError(f"{path}: no such file. Check the path and its spelling.")
    return path
