"""Loading, checking and segmenting audio.

``load`` reads any wav, au, flac, ogg or mp3 file, downmixes stereo, resamples
to ``config.SR`` and refuses corrupt, empty, silent and too-short files with a
message that names the file. ``segment`` cuts a clip (or a feature matrix) into
fixed-length segments. Introduced in 01_audio_basics.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path, PurePath

import audioread
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


def audio_files(folder: str | os.PathLike) -> list[Path]:
    """The audio files under ``folder``, in its subfolders too (:func:`is_audio_file`), sorted."""
    return sorted(p for p in Path(folder).rglob("*") if p.is_file() and is_audio_file(p))


# What the decoders raise for a file they cannot read: libsndfile's LibsndfileError (a
# RuntimeError), audioread's errors (librosa's fallback for other formats) and a truncated
# stream's EOFError. Anything else is a bug, and surfaces as one.
DECODE_ERRORS = (RuntimeError, EOFError, audioread.exceptions.DecodeError)


EMPTY_FILE = ("the file is empty (0 bytes)", "Re-download or re-export it, or delete it.")


def check_not_empty(path: Path) -> None:
    """Raise :class:`AudioDecodeError` (``EMPTY_FILE``) for a 0-byte file, before any decoder
    sees it (they fail on one with messages of their own)."""
    if path.stat().st_size == 0:
        raise AudioDecodeError(path, *EMPTY_FILE)


def unusable(seconds: float, rms_db: float | None, *, min_seconds: float = config.SEGMENT_SECONDS,
             unit: str = "one segment") -> tuple[str, str] | None:
    """Why decoded audio cannot be used, with the fix: empty, shorter than ``min_seconds``,
    or silent (below ``config.MIN_RMS_DB``); ``None`` when it can. The one rule that
    :func:`load`, the dataset index (``data.check_file``) and the timeline reader
    (``apps.timeline``, which learns the level only as it reads) apply.

    Examples
    --------
    >>> unusable(30.0, -20.0) is None
    True
    >>> unusable(1.0, -20.0)[0]
    'too short: 1.00 s, but at least 3 s (one segment) is needed'
    """
    if seconds <= 0:
        return ("the file holds no audio samples (empty)",
                "Re-export or re-download it, or remove it from the dataset.")
    if seconds < min_seconds:
        return (f"too short: {seconds:.2f} s, but at least {min_seconds:g} s ({unit}) is needed",
                "Use a longer clip, or lower config.SEGMENT_SECONDS.")
    if rms_db is not None and rms_db < config.MIN_RMS_DB:
        return (f"silent: its level is {rms_db:.0f} dBFS, below the {config.MIN_RMS_DB:.0f} "
                "dBFS threshold",
                "Check that the right file was exported; a silent clip cannot be classified.")
    return None


def level_db(y: np.ndarray) -> float:
    """The RMS level of a waveform in dBFS (-240 for digital silence)."""
    rms = float(np.sqrt(np.mean(np.square(y, dtype=np.float64)))) if y.size else 0.0
    return 20 * np.log10(max(rms, 1e-12))


def check_waveform(y: np.ndarray, sr: int, path, *, min_seconds: float) -> None:
    """Raise :class:`AudioDecodeError` naming ``path`` if :func:`unusable` finds a reason."""
    found = unusable(y.shape[-1] / sr, level_db(y) if y.size else None,
                     min_seconds=min_seconds)
    if found:
        raise AudioDecodeError(path, *found)


def decode_error(path, err: BaseException, what: str = "could not be decoded as audio"):
    """The :class:`AudioDecodeError` for a decoder's ``err``: the file, its first line, the fix."""
    reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    return AudioDecodeError(path, f"{what} ({reason})",
                            "Check that it is a wav, au, flac, ogg or mp3 file and not truncated; "
                            "re-download it, or convert it with ffmpeg or sox.")


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
    check_not_empty(path)
    try:
        info = sf.info(str(path))
        y, _ = librosa.load(path, sr=sr, mono=True, offset=offset, duration=duration,
                            res_type="soxr_hq")
    except DECODE_ERRORS as err:
        raise decode_error(path, err) from err
    native_sr, channels = info.samplerate, info.channels
    if channels and channels > 1:
        logger.info("%s: %d channels downmixed to mono", path, channels)
    if native_sr and native_sr != sr:
        logger.info("%s: resampled from %d Hz to %d Hz", path, native_sr, sr)
    check_waveform(y, sr, path, min_seconds=min_seconds)
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
    except DECODE_ERRORS as err:
        raise decode_error(path, err, "not readable as audio") from err
    return {"sr": info.samplerate, "channels": info.channels,
            "seconds": info.frames / info.samplerate, "format": info.format}
