"""Loading, checking and segmenting audio.

``load`` reads any wav, au, flac, ogg or mp3 file, downmixes stereo, resamples
to ``config.SR`` and refuses corrupt, empty, silent and too-short files with a
message that names the file. ``segment`` cuts a clip (or a feature matrix) into
fixed-length segments. Introduced in 01_audio_basics.
"""
from __future__ import annotations

import logging
import os
from pathlib import PurePath

import librosa
import numpy as np
import soundfile as sf

from . import _validate, config
from .exceptions import AudioDecodeError, ParameterError

logger = logging.getLogger("course_utils")


def is_audio_file(path: str | os.PathLike) -> bool:
    """Whether a file name is one the course reads as audio.

    Its extension is one of ``config.AUDIO_EXTENSIONS`` (any case), and it is
    not hidden: macOS leaves ``._name.wav`` copies that are not audio. Only the
    name is looked at, so this also sorts the members of an archive.

    Examples
    --------
    >>> [is_audio_file(n) for n in ("blues.00000.WAV", "._blues.00000.wav", "notes.txt")]
    [True, False, False]
    """
    name = PurePath(path).name
    return not name.startswith(".") and PurePath(name).suffix.lower() in config.AUDIO_EXTENSIONS


def to_mono(y: np.ndarray) -> np.ndarray:
    """Downmix a waveform to mono by averaging channels.

    Parameters
    ----------
    y : np.ndarray [shape=(n,) or (channels, n)]
        Audio, channels first as librosa stores them.

    Returns
    -------
    y_mono : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> to_mono(np.ones((2, 4), dtype=np.float32)).shape
    (4,)
    """
    _validate.valid_audio(y, mono=False)
    return librosa.to_mono(y)


def load(path, *, sr: int = config.SR, min_seconds: float = config.SEGMENT_SECONDS,
         offset: float = 0.0, duration: float | None = None) -> tuple[np.ndarray, int]:
    """Load an audio file as a mono float32 waveform at ``sr``.

    Stereo files are downmixed and other sample rates resampled; both are logged
    as a note. The result is checked: it must decode, hold samples, be at least
    ``min_seconds`` long and not be silent.

    Parameters
    ----------
    path : str or Path
        A wav, au, flac, ogg or mp3 file.
    sr : int > 0
        Target sample rate.
    min_seconds : float >= 0
        Shortest acceptable duration (one segment by default; 0 disables).
    offset, duration : float
        Read only part of the file, in seconds.

    Returns
    -------
    y : np.ndarray [shape=(n,), dtype=float32]
    sr : int

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    AudioDecodeError
        If it is not audio, is corrupt, empty, silent or too short.

    Examples
    --------
    >>> import tempfile, soundfile as sf
    >>> f = tempfile.NamedTemporaryFile(suffix=".wav", delete=False).name
    >>> sf.write(f, 0.1 * np.sin(np.arange(22050 * 4) / 10), 22050)
    >>> y, sr = load(f)
    >>> y.shape, sr
    ((88200,), 22050)
    """
    path = _validate.existing_file(path)
    sr = _validate.positive_int(sr, "sr")
    if path.stat().st_size == 0:
        raise AudioDecodeError(path, "the file is empty (0 bytes)",
                               "Re-download or re-export it, or delete it.")
    try:
        info = sf.info(str(path))
        y, _ = librosa.load(path, sr=sr, mono=True, offset=offset, duration=duration,
                            res_type="soxr_hq")
    except Exception as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise AudioDecodeError(
            path, f"could not be decoded as audio ({reason})",
            "Check that it is a wav, au, flac, ogg or mp3 file and not truncated; "
            "re-download it, or convert it with ffmpeg or sox.") from None
    native_sr, channels = info.samplerate, info.channels
    if channels and channels > 1:
        logger.info("%s: %d channels downmixed to mono", path, channels)
    if native_sr and native_sr != sr:
        logger.info("%s: resampled from %d Hz to %d Hz", path, native_sr, sr)
    _validate.usable_waveform(y, sr, path, min_seconds=min_seconds)
    return y.astype(np.float32, copy=False), sr


def segment(x: np.ndarray, *, length: int, hop: int | None = None) -> np.ndarray:
    """Cut the last axis of ``x`` into fixed-length segments.

    Policy for the end of a clip: segments start every ``hop`` steps and a
    trailing partial segment is **dropped**, so every segment is real audio (no
    padding). A clip shorter than one segment gives an error.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        A waveform (``n`` samples) or a feature matrix (``n`` frames).
    length : int > 0
        Segment length in samples or frames.
    hop : int > 0 or None
        Step between segment starts; ``None`` means ``length`` (no overlap).

    Returns
    -------
    segments : np.ndarray [shape=(n_segments, ..., length)]
        ``n_segments = 1 + (n - length) // hop``.

    Raises
    ------
    ParameterError
        If ``x`` is shorter than ``length``.

    See Also
    --------
    course_utils.features.segment_features : the same on feature matrices, in frames.

    Examples
    --------
    >>> segment(np.arange(10.0), length=4).shape
    (2, 4)
    >>> segment(np.arange(10.0), length=4, hop=2).shape
    (4, 4)
    """
    length = _validate.positive_int(length, "length")
    hop = length if hop is None else _validate.positive_int(hop, "hop")
    n = x.shape[-1]
    if n < length:
        raise ParameterError(f"Cannot cut segments of length {length} from x.shape={x.shape}: "
                             f"it is too short. Use a clip of at least {length} steps.")
    n_segments = 1 + (n - length) // hop
    starts = np.arange(n_segments) * hop
    return np.stack([x[..., s:s + length] for s in starts])


def describe(path) -> dict:
    """Read a file's header: sample rate, channels, duration, format.

    Returns
    -------
    info : dict
        ``{"sr", "channels", "seconds", "format"}`` from libsndfile.

    Raises
    ------
    AudioDecodeError
        If the header cannot be read.
    """
    path = _validate.existing_file(path)
    try:
        info = sf.info(str(path))
    except Exception as err:
        raise AudioDecodeError(path, f"not readable as audio ({err})",
                               "Check the file type; convert it to wav if needed.") from None
    return {"sr": info.samplerate, "channels": info.channels,
            "seconds": info.frames / info.samplerate, "format": info.format}
