"""Audio features: log-mel, MFCC with deltas, chroma, spectral contrast, statistics.

The single-signal functions are thin keyword-only wrappers over librosa with
their parameters taken from ``config``. ``extract`` runs them over many files in
parallel, with an on-disk cache and a progress bar. Introduced in
02_feature_extraction.
"""
from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import librosa
import numpy as np
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from . import _io, _validate, audio, config
from .exceptions import CourseError

logger = logging.getLogger("course_utils")

KINDS = ("logmel", "mfcc", "chroma", "contrast", "stats")
AUGMENTATIONS = ("pitch", "stretch")


def _power(y: np.ndarray, n_fft: int = config.N_FFT,
           hop_length: int = config.HOP_LENGTH) -> np.ndarray:
    return np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length)) ** 2


def log_mel(y: np.ndarray | None = None, *, sr: int = config.SR, power: np.ndarray | None = None,
            n_mels: int | None = None, n_fft: int = config.N_FFT,
            hop_length: int = config.HOP_LENGTH) -> np.ndarray:
    """Log-mel spectrogram in dB (``ref=1.0``, ``top_db=80``).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)] or None
        Mono audio. Give either ``y`` or ``power``.
    sr : int > 0
    power : np.ndarray [shape=(1 + n_fft/2, t)] or None
        A precomputed power spectrogram ``|STFT|**2``.
    n_mels : int > 0 or None
        ``None`` means ``config.N_MELS``.
    n_fft, hop_length : int > 0
        The STFT of ``y`` (the course's settings by default; lesson 01's explorer varies them).

    Returns
    -------
    S_db : np.ndarray [shape=(n_mels, t)]

    Examples
    --------
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> log_mel(y).shape
    (128, 44)
    """
    if power is None:
        _validate.valid_audio(y)
        power = _power(y, n_fft, hop_length)
    S = librosa.feature.melspectrogram(S=power, sr=sr, n_mels=n_mels or config.N_MELS,
                                       fmax=config.FMAX)
    return librosa.power_to_db(S, ref=1.0, top_db=80.0)


def mfcc(y: np.ndarray | None = None, *, sr: int = config.SR, S_db: np.ndarray | None = None,
         n_mfcc: int | None = None, deltas: bool = True) -> np.ndarray:
    """MFCCs, with first and second deltas stacked below them by default.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)] or None
        Mono audio. Give either ``y`` or ``S_db``.
    S_db : np.ndarray [shape=(n_mels, t)] or None
        A log-mel spectrogram from :func:`log_mel`.
    n_mfcc : int > 0 or None
        ``None`` means ``config.N_MFCC``.
    deltas : bool
        Stack ``librosa.feature.delta`` of order 1 and 2 under the MFCCs.

    Returns
    -------
    M : np.ndarray [shape=(n_mfcc, t) or (3 * n_mfcc, t)]

    Examples
    --------
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> mfcc(y).shape
    (60, 44)
    """
    if S_db is None:
        S_db = log_mel(y, sr=sr)
    M = librosa.feature.mfcc(S=S_db, sr=sr, n_mfcc=n_mfcc or config.N_MFCC)
    if deltas:
        M = np.concatenate([M, librosa.feature.delta(M, order=1),
                            librosa.feature.delta(M, order=2)])
    return M


def chroma(y: np.ndarray | None = None, *, sr: int = config.SR,
           power: np.ndarray | None = None) -> np.ndarray:
    """Chromagram: energy per pitch class, ``shape=(12, t)``.

    Examples
    --------
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> int(chroma(y).mean(axis=1).argmax())  # pitch class 9 is A
    9
    """
    if power is None:
        _validate.valid_audio(y)
        power = _power(y)
    # tuning=0: the reference is A440 (no per-clip tuning estimate, which warns on quiet clips)
    return librosa.feature.chroma_stft(S=power, sr=sr, n_chroma=config.N_CHROMA, tuning=0.0)


def contrast(y: np.ndarray | None = None, *, sr: int = config.SR,
             power: np.ndarray | None = None) -> np.ndarray:
    """Spectral contrast (peak-to-valley in dB per band), ``shape=(n_bands + 1, t)``.

    Examples
    --------
    >>> y = np.random.default_rng(0).normal(size=22050).astype(np.float32)
    >>> contrast(y).shape
    (7, 44)
    """
    if power is None:
        _validate.valid_audio(y)
        power = _power(y)
    return librosa.feature.spectral_contrast(S=np.sqrt(power), sr=sr, n_bands=config.N_BANDS)


def _stat_names() -> list[str]:
    names = []
    for base, n in (("mfcc", config.N_MFCC), ("chroma", config.N_CHROMA),
                    ("contrast", config.N_BANDS + 1)):
        names += [f"{base}{i + 1}_{s}" for s in ("mean", "std") for i in range(n)]
    for base in ("centroid", "bandwidth", "rolloff", "zcr", "rms"):
        names += [f"{base}_mean", f"{base}_std"]
    return names + ["tempo"]


STAT_NAMES = _stat_names()


def track_features(y: np.ndarray, *, sr: int = config.SR,
                   kinds: Sequence[str] = KINDS) -> dict[str, np.ndarray]:
    """Compute several features of one clip from a single shared STFT.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
    kinds : sequence of str
        Any of ``"logmel"``, ``"mfcc"`` (with deltas), ``"chroma"``,
        ``"contrast"`` and ``"stats"`` (a vector named by ``STAT_NAMES``).

    Returns
    -------
    features : dict of str to np.ndarray
        Matrices have shape ``(rows, t)``; ``"stats"`` has shape ``(len(STAT_NAMES),)``.

    Examples
    --------
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=3 * 22050).astype(np.float32)
    >>> {k: v.shape for k, v in track_features(y, kinds=["mfcc", "stats"]).items()}
    {'mfcc': (60, 130), 'stats': (89,)}
    """
    _validate.valid_audio(y)
    for kind in kinds:
        _validate.one_of(kind, KINDS, "kind")
    power = _power(y)
    S_db = log_mel(power=power, sr=sr)
    out = {}
    M = mfcc(S_db=S_db, sr=sr)
    C = chroma(power=power, sr=sr)
    K = contrast(power=power, sr=sr)
    for kind, value in (("logmel", S_db), ("mfcc", M), ("chroma", C), ("contrast", K)):
        if kind in kinds:
            out[kind] = value
    if "stats" in kinds:
        mag = np.sqrt(power)
        frames = [librosa.feature.spectral_centroid(S=mag, sr=sr),
                  librosa.feature.spectral_bandwidth(S=mag, sr=sr),
                  librosa.feature.spectral_rolloff(S=mag, sr=sr),
                  librosa.feature.zero_crossing_rate(y, frame_length=config.N_FFT,
                                                     hop_length=config.HOP_LENGTH),
                  librosa.feature.rms(S=mag, frame_length=config.N_FFT)]
        onset = librosa.onset.onset_strength(S=S_db, sr=sr)
        tempo = librosa.feature.tempo(onset_envelope=onset, sr=sr,
                                      hop_length=config.HOP_LENGTH)
        parts = [np.concatenate([X.mean(axis=1), X.std(axis=1)])
                 for X in (M[:config.N_MFCC], C, K)]
        parts += [np.array([F.mean(), F.std()]) for F in frames]
        out["stats"] = np.concatenate(parts + [np.atleast_1d(tempo)[:1]])
    return out


SEGMENT_STAT_KINDS = ("mfcc", "chroma", "contrast")


def segment_stats(feats: dict[str, np.ndarray]) -> np.ndarray:
    """Mean and std of every MFCC (with deltas), chroma and contrast row, per segment.

    The classical model's view of the same 3-second segments the networks see:
    a 20 s clip gives 6 rows instead of one ``"stats"`` vector, which is what
    lets it learn from a handful of tracks.

    Parameters
    ----------
    feats : dict
        One track's features with ``"mfcc"``, ``"chroma"`` and ``"contrast"``.

    Returns
    -------
    np.ndarray [shape=(n_segments, 2 * (3 * n_mfcc + n_chroma + n_bands + 1))]
        158 columns with the default settings.

    Examples
    --------
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=7 * 22050).astype(np.float32)
    >>> segment_stats(track_features(y)).shape
    (2, 158)
    """
    S = segment_features(np.concatenate([feats[k] for k in SEGMENT_STAT_KINDS]))
    return np.concatenate([S.mean(axis=2), S.std(axis=2)], axis=1)


def quiet_passage(level_db: np.ndarray, *, hop_length: int = config.HOP_LENGTH,
                  sr: int = config.SR, below_db: float = 10.0) -> tuple[float, float]:
    """Start and end (seconds) of the longest run of frames whose level is more than
    ``below_db`` under the clip's median level (a song's quiet passage); ``(0.0, 0.0)`` when
    no frame is. Frame ``i`` starts at ``i * hop_length / sr``; the run ends where the frame
    after its last one starts. Of two equally long runs, the first. Lesson 01's exercise 1.6.

    Examples
    --------
    >>> level = np.array([-10, -10, -25, -26, -10, -30, -10, -10.0])
    >>> quiet_passage(level, hop_length=1, sr=1)
    (2.0, 4.0)
    """
    level_db = np.asarray(level_db, dtype=float)
    quiet = np.concatenate([[False], level_db < np.median(level_db) - below_db, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(int)))
    if not len(edges):
        return 0.0, 0.0
    starts, ends = edges[::2], edges[1::2]
    longest = int(np.argmax(ends - starts))
    return float(starts[longest] * hop_length / sr), float(ends[longest] * hop_length / sr)


def augment_waveform(y: np.ndarray, *, sr: int = config.SR, kind: str,
                     amount: float) -> np.ndarray:
    """Pitch-shift (``amount`` in semitones) or time-stretch (``amount`` = speed factor).

    Examples
    --------
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=22050).astype(np.float32)
    >>> augment_waveform(y, kind="stretch", amount=2.0).shape
    (11025,)
    """
    _validate.one_of(kind, AUGMENTATIONS, "kind")
    if kind == "pitch":
        return librosa.effects.pitch_shift(y, sr=sr, n_steps=amount)
    return librosa.effects.time_stretch(y, rate=amount)


def segment_features(F: np.ndarray, *, frames: int | None = None,
                     hop: int | None = None) -> np.ndarray:
    """Cut a feature matrix into fixed segments of ``frames`` frames.

    The default is ``config.segment_frames()`` (130 frames = 3 s) with a hop of
    one frame less (129), because centred STFT frames at a boundary belong to
    both neighbours: a 30 s clip gives exactly 10 segments. A trailing partial
    segment is dropped (see :func:`course_utils.audio.segment`).

    Parameters
    ----------
    F : np.ndarray [shape=(rows, t)]

    Returns
    -------
    segments : np.ndarray [shape=(n_segments, rows, frames)]

    Examples
    --------
    >>> segment_features(np.zeros((128, 1293))).shape
    (10, 128, 130)
    """
    frames = frames or config.segment_frames()
    return audio.segment(F, length=frames, hop=hop or max(frames - 1, 1))


# --------------------------------------------------------------------------- extract
@dataclass
class FeatureSet:
    """What :func:`extract` returns.

    Attributes
    ----------
    features : dict of str to dict of str to np.ndarray
        ``features[path][kind]`` for every file that worked.
    errors : dict of str to str
        ``errors[path]`` says why a file was skipped.
    """

    features: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.features)


def feature_cache_dir() -> Path:
    """Folder of the per-file feature cache (under ``config.cache_dir()``)."""
    return config.cache_dir() / "cache" / "features"


def _cache_file(path: Path, kinds, dtype: str, augment) -> Path:
    digest = _io.file_key(path, config.feature_params(), sorted(kinds), dtype, augment)
    return feature_cache_dir() / digest[:2] / digest   # frames.npy and/or stats.npy


def _compute(path: str, kinds, dtype: str, augment, cache_file: str | None):
    """Worker: load, (augment), compute, cache. Returns (path, features or error)."""
    try:
        y, sr = audio.load(path)
        if augment:
            y = augment_waveform(y, sr=sr, kind=augment[0], amount=augment[1])
        feats = {k: v.astype(dtype) for k, v in track_features(y, sr=sr, kinds=kinds).items()}
    except CourseError as err:
        return path, str(err)
    if cache_file:   # two plain .npy files read back far faster than an .npz
        def write(tmp: Path) -> None:
            tmp.mkdir(parents=True)
            frames = _frame_kinds(kinds)
            if frames:
                np.save(tmp / "frames.npy", np.concatenate([feats[k] for k in frames]))
            if "stats" in feats:
                np.save(tmp / "stats.npy", feats["stats"])
        _io.write_atomic(cache_file, write)    # a half entry is never visible
    return path, feats


def extract(paths: Sequence, *, kinds: Sequence[str] = KINDS,
            float16: bool = False, augment: tuple[str, float] | None = None,
            n_jobs: int | None = None, cache: bool = True,
            progress: bool = True) -> FeatureSet:
    """Compute features for many files, in parallel, with an on-disk cache.

    The cache is keyed by each file's path, size and modification time and by
    the exact feature parameters, so editing a file or a parameter recomputes
    and anything else is read back near-instantly. Bad files are reported (a
    warning per file, and ``errors`` in the result) and skipped, never fatal.

    Parameters
    ----------
    paths : sequence of str or Path
    kinds : sequence of str
        Subset of ``KINDS``.
    float16 : bool
        Store and return float16 (half the memory and disk).
    augment : (str, float) or None
        ``("pitch", semitones)`` or ``("stretch", rate)`` applied to the
        waveform first; cached separately.
    n_jobs : int or None
        Worker processes; ``None`` uses every core.
    cache : bool
        Read and write the cache under :func:`feature_cache_dir`.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    FeatureSet

    Examples
    --------
    >>> import tempfile, soundfile as sf
    >>> f = tempfile.NamedTemporaryFile(suffix=".wav", delete=False).name
    >>> sf.write(f, 0.1 * np.sin(np.arange(22050 * 3) / 9), 22050)
    >>> fs = extract([f], kinds=["logmel"], cache=False, progress=False)
    >>> fs.features[f]["logmel"].shape
    (128, 130)
    """
    for kind in kinds:
        _validate.one_of(kind, KINDS, "kind")
    if augment is not None:
        _validate.one_of(augment[0], AUGMENTATIONS, "augment kind")
        augment = (augment[0], float(augment[1]))
    dtype = "float16" if float16 else "float32"
    result, todo = FeatureSet(), []
    for p in map(str, paths):
        cache_file = _cache_file(Path(p), kinds, dtype, augment) if cache and Path(p).exists() else None
        if cache_file is not None and cache_file.exists():
            try:
                result.features[p] = _read_cache(cache_file, kinds)
                continue
            except (OSError, ValueError):   # a damaged cache entry is recomputed
                logger.warning("%s: damaged cache entry %s, recomputing", p, cache_file)
                shutil.rmtree(cache_file, ignore_errors=True)
        todo.append((p, tuple(kinds), dtype, augment, str(cache_file) if cache_file else None))
    n_jobs = min(n_jobs or os.cpu_count() or 1, len(todo))
    bar = tqdm(total=len(todo), desc="features", unit="file", disable=not progress or not todo)
    if n_jobs > 1 and len(todo) >= 32:   # below that, starting workers costs more than it saves
        # joblib's loky workers start fresh (safe beside TensorFlow's threads) and,
        # unlike multiprocessing's spawn, work from scripts without a __main__ guard
        jobs = Parallel(n_jobs=n_jobs, return_as="generator", batch_size=4)
        for p, out in jobs(delayed(_compute)(*args) for args in todo):
            _collect(result, p, out)
            bar.update()
    else:
        for args in todo:
            _collect(result, *_compute(*args))
            bar.update()
    bar.close()
    if result.errors:
        logger.warning("%d of %d files skipped; see FeatureSet.errors",
                       len(result.errors), len(result.errors) + len(result.features))
    return result


def _frame_kinds(kinds) -> list[str]:
    """The matrix kinds of ``kinds``, in the fixed order they are stacked in the cache."""
    return [k for k in KINDS if k in kinds and k != "stats"]


def _rows(kind: str) -> int:
    return {"logmel": config.N_MELS, "mfcc": 3 * config.N_MFCC, "chroma": config.N_CHROMA,
            "contrast": config.N_BANDS + 1}[kind]


def _read_cache(folder: Path, kinds) -> dict[str, np.ndarray]:
    """Read a cache entry: views into one stacked frames array, plus the stats vector."""
    out = {}
    frames = _frame_kinds(kinds)
    if frames:
        F = np.load(folder / "frames.npy")
        sizes = [_rows(k) for k in frames]
        if F.shape[0] != sum(sizes):
            raise ValueError(f"cache entry {folder} has {F.shape[0]} rows, expected {sum(sizes)}")
        out.update(zip(frames, np.split(F, np.cumsum(sizes)[:-1])))
    if "stats" in kinds:
        out["stats"] = np.load(folder / "stats.npy")
    return out


def _collect(result: FeatureSet, path: str, out) -> None:
    if isinstance(out, str):
        result.errors[path] = out
        logger.warning("skipped %s", out)
    else:
        result.features[path] = out
