"""Tests for course_utils.features: shapes, shared-STFT equivalence, extract and its cache."""
from __future__ import annotations


import librosa
import numpy as np
import pytest
import soundfile as sf

from course_utils import config, features
from fakes import tone, write_dataset


def test_shapes_of_one_segment():
    y = tone(330, 3.0)
    f = features.track_features(y)
    assert f["logmel"].shape == (128, 130) and f["mfcc"].shape == (60, 130)
    assert f["chroma"].shape == (12, 130) and f["contrast"].shape == (7, 130)
    assert f["stats"].shape == (len(features.STAT_NAMES),) == (89,)


def test_shared_stft_matches_plain_librosa_calls():
    y = tone(330, 3.0)
    f = features.track_features(y)
    M = librosa.feature.mfcc(y=y, sr=22050, n_mfcc=20)       # librosa's defaults are ours
    np.testing.assert_allclose(f["mfcc"][:20], M, rtol=1e-3, atol=1e-2)
    C = librosa.feature.chroma_stft(y=y, sr=22050, tuning=0.0)
    np.testing.assert_allclose(f["chroma"], C, rtol=1e-4, atol=1e-5)
    assert f["stats"][features.STAT_NAMES.index("mfcc1_mean")] == pytest.approx(M[0].mean(), rel=1e-3)


def test_chroma_finds_the_pitch_class():
    y = np.sin(2 * np.pi * 440 * np.arange(22050 * 3) / 22050).astype(np.float32)
    assert features.chroma(y).mean(axis=1).argmax() == 9                 # A


def test_segment_stats_are_mean_and_std_of_each_segment():
    y = np.concatenate([tone(262, 3.0), tone(880, 3.0)])      # C4, then A5
    f = features.track_features(y)
    S = features.segment_stats(f)
    assert S.shape == (2, 2 * (60 + 12 + 7))
    second = np.concatenate([f[k][:, 129:259] for k in features.SEGMENT_STAT_KINDS])
    np.testing.assert_allclose(S[1], np.concatenate([second.mean(1), second.std(1)]), rtol=1e-5)
    a = 9                                                   # pitch class A
    assert S[1, 60 + a] > S[0, 60 + a]


def test_segment_features_gives_ten_segments_for_thirty_seconds():
    T = 1 + 30 * 22050 // config.HOP_LENGTH
    assert features.segment_features(np.zeros((128, T))).shape == (10, 128, 130)


def test_extract_cache_hits_and_misses(tiny_dataset, monkeypatch):
    paths = sorted(str(p) for p in tiny_dataset.rglob("*.wav"))
    first = features.extract(paths, progress=False, n_jobs=1)
    calls = []
    original = features._compute
    monkeypatch.setattr(features, "_compute", lambda *a: calls.append(a[0]) or original(*a))
    again = features.extract(paths, progress=False, n_jobs=1)
    assert calls == []                                                   # all from the cache
    for p in paths:
        np.testing.assert_array_equal(first.features[p]["logmel"], again.features[p]["logmel"])
    sf.write(paths[0], tone(999, 4.0), 22050)                            # file changed
    features.extract(paths, progress=False, n_jobs=1)
    assert calls == [paths[0]]
    features.extract(paths, kinds=("logmel",), progress=False, n_jobs=1)  # other parameters
    assert len(calls) == 1 + len(paths)


def test_extract_parameter_change_recomputes(tiny_dataset, monkeypatch):
    paths = [str(next(tiny_dataset.rglob("*.wav")))]
    features.extract(paths, progress=False)
    monkeypatch.setattr(config, "N_MELS", 64)
    calls = []
    original = features._compute
    monkeypatch.setattr(features, "_compute", lambda *a: calls.append(a[0]) or original(*a))
    features.extract(paths, progress=False)
    assert calls == paths


def test_extract_float16_and_bad_files_reported(tiny_dataset, caplog):
    bad = tiny_dataset / "jazz" / "broken.wav"
    bad.write_text("not audio")
    paths = sorted(str(p) for p in tiny_dataset.rglob("*.wav"))
    fs = features.extract(paths, float16=True, progress=False, n_jobs=1)
    assert set(fs.errors) == {str(bad)} and "could not be decoded" in fs.errors[str(bad)]
    assert len(fs) == len(paths) - 1
    assert next(iter(fs.features.values()))["logmel"].dtype == np.float16
    assert "broken.wav" in caplog.text


def test_parallel_equals_serial(tmp_path):
    root = write_dataset(tmp_path / "ds", per_genre=11, seconds=3.5)   # 33 files: uses workers
    paths = sorted(str(p) for p in root.rglob("*.wav"))
    serial = features.extract(paths, progress=False, n_jobs=1, cache=False)
    parallel = features.extract(paths, progress=False, n_jobs=2, cache=False)
    for p in paths:   # equal up to float32 rounding (BLAS threads differ in workers)
        np.testing.assert_allclose(serial.features[p]["mfcc"], parallel.features[p]["mfcc"],
                                   rtol=1e-5, atol=1e-4)


def test_damaged_cache_entry_is_recomputed(tiny_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))   # damages its own only
    paths = [str(next(tiny_dataset.rglob("*.wav")))]
    features.extract(paths, progress=False)
    for npy in features.feature_cache_dir().rglob("frames.npy"):
        npy.write_bytes(b"garbage")
    fs = features.extract(paths, progress=False)
    assert fs.features[paths[0]]["logmel"].shape[0] == 128
