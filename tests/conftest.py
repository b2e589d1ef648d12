"""Shared fixtures and markers.

Markers: ``slow``, ``gpu``, ``gtzan`` (needs ../shared/data), ``network``,
``browser``. Tests that need what is absent skip with a reason.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from fakes import write_dataset

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COURSE_SHARED_DATA", REPO.parent / "shared" / "data"))
GTZAN_SAMPLE = SHARED_DATA / "gtzan-sample"


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator, so every test run sees the same numbers."""
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _isolated_cache(_session_cache, monkeypatch):
    """Keep the tests' caches out of the repository's data/ folder: one cache for the session
    (per worker). Its entries are keyed by each file's path, size and modification time, and
    every test writes its audio to a folder of its own, so tests cannot read each other's
    entries, while the features and embeddings of the module-scoped datasets are computed
    once. A test about the cache itself sets a fresh ``COURSE_CACHE_DIR``."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(_session_cache))


@pytest.fixture
def gtzan_sample() -> Path:
    """The real GTZAN sample in ../shared/data, or skip."""
    if not GTZAN_SAMPLE.is_dir():
        pytest.skip(f"real GTZAN sample not found at {GTZAN_SAMPLE} (only in the course's CI)")
    return GTZAN_SAMPLE


@pytest.fixture
def tiny_dataset(tmp_path) -> Path:
    """A folder of 3 genres x 3 tracks of 4 s."""
    return write_dataset(tmp_path / "tiny")


@pytest.fixture(scope="session")
def fast_synthetic(tmp_path_factory) -> Path:
    """A FAST synthetic dataset (10 genres x 30 clips x 6 s), made once per session."""
    from course_utils import synth
    root = tmp_path_factory.mktemp("fastdata") / "synthetic-fast"
    synth.synthesize(root, fast=True, n_jobs=os.cpu_count(), progress=False)
    return root


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory) -> Path:
    """A wheel of the course built from this checkout, as Colab installs it."""
    from colab_stack import build_wheel
    return build_wheel(tmp_path_factory.mktemp("wheels"))
