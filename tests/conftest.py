"""Shared fixtures and markers.

Markers: ``slow``, ``gpu``, ``gtzan`` (needs ../shared/data), ``network``,
``browser``. Tests that need what is absent skip with a reason.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COURSE_SHARED_DATA", REPO.parent / "shared" / "data"))
GTZAN_SAMPLE = SHARED_DATA / "gtzan-sample"


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator, so every test run sees the same numbers."""
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep each test's caches out of the repository's data/ folder."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def gtzan_sample() -> Path:
    """The real GTZAN sample in ../shared/data, or skip."""
    if not GTZAN_SAMPLE.is_dir():
        pytest.skip(f"real GTZAN sample not found at {GTZAN_SAMPLE} (only in the course's CI)")
    return GTZAN_SAMPLE


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


@pytest.fixture
def tiny_dataset(tmp_path) -> Path:
    """A folder of 3 genres x 3 tracks of 4 s."""
    return write_dataset(tmp_path / "tiny")
