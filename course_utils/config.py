"""Constants, paths and the FAST switch, in one place.

Every other module reads its defaults from here, so a lesson that changes
``N_MELS`` changes it everywhere. Introduced in 01_audio_basics.

Environment variables
---------------------
COURSE_DATA_DIR
    Root folder of the datasets (default: ``data/`` in the repository).
COURSE_CACHE_DIR
    Where feature caches and dataset indexes go (default: the data root), so the
    data itself may stay read-only.
COURSE_DATASET
    Default dataset: ``synthetic`` (the default), ``gtzan`` or a folder path.
COURSE_FAST
    ``1`` shrinks datasets, epochs and notebook work everywhere (CI uses it).
"""
from __future__ import annotations

import os
from pathlib import Path

# --- audio -----------------------------------------------------------------
SR = 22050                 # sample rate of GTZAN and of every waveform we load
SEGMENT_SECONDS = 3.0      # models see fixed 3-second segments
MIN_RMS_DB = -60.0         # quieter than this (dBFS, whole file) counts as silent

# --- musicnn's inputs (course_utils.pretrained computes them; models and segments read them)
MUSICNN_FEATURE = "musicnn"           # [max_pool, mean_pool] per 3-s patch: a probe's input
MUSICNN_DIM = 2 * 753                 # its width
MUSICNN_PATCHES = "musicnn_patches"   # log-mel patches: fine-tuning's input
MUSICNN_PATCH_SHAPE = (187, 96)       # 3 s at 16 kHz with hop 256, 96 mel bands

# --- features (librosa parameters) ----------------------------------------
N_FFT = 2048               # STFT window: 93 ms at 22050 Hz
HOP_LENGTH = 512           # 23 ms between frames -> 130 frames per 3 s segment
N_MELS = 128               # mel bands of the log-mel spectrogram
N_MFCC = 20                # MFCC coefficients (as in GTZAN's Kaggle CSV)
FMAX = SR / 2              # highest mel frequency
N_CHROMA = 12              # pitch classes
N_BANDS = 6                # spectral-contrast bands (gives 7 rows)
FEATURES_VERSION = 3       # bump when feature code changes: caches and runs follow it

# --- data ------------------------------------------------------------------
GENRES = (
    "blues", "classical", "country", "disco", "hiphop",
    "jazz", "metal", "pop", "reggae", "rock",
)
AUDIO_EXTENSIONS = (".wav", ".au", ".flac", ".ogg", ".mp3")
LAYOUTS = ("genres_original", "genres")   # dataset folders: Kaggle's, then the original archive's
SEED = 42                  # the course's default seed
VAL_SIZE = TEST_SIZE = 0.15   # a random split's shares of validation and test tracks (70/15/15)
KNOWN_BAD_FILES = {        # track id -> why (checked by `data verify`)
    "jazz.00054": "undecodable in the Kaggle copy of GTZAN",
}

# --- GTZAN download --------------------------------------------------------
GTZAN_URL = "https://huggingface.co/datasets/marsyas/gtzan/resolve/main/data/genres.tar.gz"
GTZAN_SHA256 = "b28cc067ff6199bd826f5d1a6931458586d64acae7f44b2e882b7a97af057531"

# --- the course repository (badges and the Colab install cell) -------------
REPO_URL = "https://github.com/genre-course/genre-course"
REPO_BRANCH = "main"

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
SPLITS_DIR = PACKAGE_DIR / "splits"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def fast() -> bool:
    """Return True when FAST mode is on (``COURSE_FAST=1`` or ``--fast``)."""
    return _truthy(os.environ.get("COURSE_FAST"))


def set_fast(on: bool = True) -> None:
    """Switch FAST mode on or off for this process and its children."""
    os.environ["COURSE_FAST"] = "1" if on else "0"


def _home() -> Path:
    """The repository when working from a clone; ``~/genre-course`` for a plain install."""
    if (REPO_DIR / "pyproject.toml").exists():
        return REPO_DIR
    return Path.home() / "genre-course"


def data_dir() -> Path:
    """Root of the datasets: ``$COURSE_DATA_DIR`` or ``data/`` in the repository."""
    return Path(os.environ.get("COURSE_DATA_DIR") or _home() / "data").expanduser()


def synthetic_dir(*, fast_profile: bool | None = None) -> Path:
    """Folder of the synthetic set: ``synthetic/``, or ``synthetic-fast/`` in FAST mode.

    Two folders, so a FAST test run never replaces a learner's full-size set.
    ``fast_profile`` picks one regardless of the mode (a run records its profile).
    """
    fast_profile = fast() if fast_profile is None else fast_profile
    return data_dir() / ("synthetic-fast" if fast_profile else "synthetic")


def cache_dir() -> Path:
    """Root of the caches: ``$COURSE_CACHE_DIR`` or the data root."""
    return Path(os.environ.get("COURSE_CACHE_DIR") or data_dir()).expanduser()


def default_dataset() -> str:
    """The dataset lessons use: ``$COURSE_DATASET`` or ``"synthetic"``."""
    return os.environ.get("COURSE_DATASET") or "synthetic"


def runs_dir() -> Path:
    """Where trained runs are saved: ``$COURSE_RUNS_DIR`` or ``runs/`` (``runs/fast/`` in FAST mode)."""
    root = Path(os.environ.get("COURSE_RUNS_DIR") or _home() / "runs").expanduser()
    return root / "fast" if fast() else root


def segment_samples(sr: int = SR) -> int:
    """Number of samples in one segment at ``sr``."""
    return int(round(SEGMENT_SECONDS * sr))


def segment_frames(sr: int = SR, hop_length: int = HOP_LENGTH) -> int:
    """Number of STFT frames in one segment (130 for the defaults)."""
    return 1 + segment_samples(sr) // hop_length


def feature_params() -> dict:
    """The feature parameters that a cache key or a saved run must match."""
    return {
        "sr": SR, "n_fft": N_FFT, "hop_length": HOP_LENGTH, "n_mels": N_MELS,
        "n_mfcc": N_MFCC, "fmax": FMAX, "n_chroma": N_CHROMA, "n_bands": N_BANDS,
        "segment_seconds": SEGMENT_SECONDS, "version": FEATURES_VERSION,
    }
