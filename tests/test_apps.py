"""Applications: window arithmetic, the timeline's reading, change points, the unsure rule and
the similarity index's cache (no training: a stand-in run where one is needed)."""
from __future__ import annotations

import os
import time
import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from course_utils import apps, classical, config
from course_utils.exceptions import AudioDecodeError, ParameterError

SR = config.SR


# --- windows -----------------------------------------------------------------------
@pytest.mark.parametrize("duration, hop, expected", [
    (10.3, 2.0, [0.0, 2.0, 4.0, 6.0, 7.3]),        # a tail: one more window flush with the end
    (9.0, 3.0, [0.0, 3.0, 6.0]),                   # an exact fit: nothing added
    (3.0, 1.5, [0.0]),                             # exactly one window
    (4.0, 5.0, [0.0, 1.0]),                        # a hop longer than the window
])
def test_window_starts_cover_the_recording(duration, hop, expected):
    starts = apps.window_starts(duration, window=3.0, hop=hop)
    np.testing.assert_allclose(starts, expected)
    assert starts[-1] + 3.0 == pytest.approx(duration)     # the last window ends with it


def test_window_starts_refuse_bad_input():
    with pytest.raises(ParameterError, match="at least one 3 s window"):
        apps.window_starts(2.5, window=3.0)
    with pytest.raises(ParameterError, match="hop must be positive"):
        apps.window_starts(10.0, hop=0)


class _PitchRun:
    """A stand-in run whose "genre" is which of three tones is loudest in a window."""

    genres = ["low", "mid", "high"]
    tones = (220.0, 880.0, 3520.0)

    def track_features(self, y, *, sr, novelty=True):
        assert len(y) == config.segment_samples(sr)      # always exactly one segment
        spectrum = np.abs(np.fft.rfft(y))
        freqs = np.fft.rfftfreq(len(y), 1 / sr)
        return {"energy": np.array([spectrum[np.abs(freqs - f) < 5].sum() for f in self.tones])}

    def predict(self, feats):
        assert len(feats) <= apps.BATCH_WINDOWS                   # bounded batches
        e = np.stack([f["energy"] for f in feats])
        return type("P", (), {"probs": e / e.sum(1, keepdims=True)})()


def _tones(path, plan, sr=44100, channels=2):
    """A file of consecutive tones: ``plan`` is ``[(seconds, frequency), ...]``."""
    y = np.concatenate([0.3 * np.sin(2 * np.pi * f * np.arange(int(s * sr)) / sr) for s, f in plan])
    sf.write(path, np.stack([y] * channels, axis=1), sr)
    return sum(s for s, _ in plan)


def test_timeline_reads_each_window_where_it_lies(tmp_path):
    # 44.1 kHz stereo, 10.3 s: low tone 0-4 s, mid 4-7 s, high 7-10.3 s (hop 2 s: a tail)
    path = tmp_path / "three.wav"
    duration = _tones(path, [(4.0, 220.0), (3.0, 880.0), (3.3, 3520.0)])
    table = apps.timeline(_PitchRun(), path, hop=2.0)
    np.testing.assert_allclose(table["start"], [0.0, 2.0, 4.0, 6.0, 7.3])
    assert table["end"].iloc[-1] == pytest.approx(duration)
    assert list(table.columns) == ["start", "end", "genre", "probability", "low", "mid", "high"]
    assert list(table["genre"]) == ["low", "low", "mid", "high", "high"]
    np.testing.assert_allclose(table[["low", "mid", "high"]].sum(axis=1), 1.0)


def test_timeline_of_a_ten_minute_file_in_bounded_memory(tmp_path):
    _tones(tmp_path / "short.flac", [(4.0, 220.0)], sr=SR, channels=1)
    apps.timeline(_PitchRun(), tmp_path / "short.flac", hop=3.0)   # imports happen here
    path = tmp_path / "long.flac"
    _tones(path, [(300.0, 220.0), (300.3, 880.0)], sr=SR, channels=1)   # 10 min 0.3 s
    tracemalloc.start()
    try:
        table = apps.timeline(_PitchRun(), path, hop=3.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(table) == 201                           # 200 hops, then the tail window
    decoded = 600.3 * SR * 4                           # the whole file as float32: 53 MB
    assert peak < decoded / 10                         # windows are read one at a time
    points = apps.change_points(table["start"], table["genre"])
    assert apps.boundary_errors([300.0], points)[0] <= 1.5


def test_timeline_names_a_bad_file(tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    with pytest.raises(AudioDecodeError, match="notes.wav"):
        apps.timeline(_PitchRun(), bad)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioDecodeError, match="empty"):
        apps.timeline(_PitchRun(), empty)
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(10 * SR), SR)
    with pytest.raises(AudioDecodeError, match="silent.wav: silent"):
        apps.timeline(_PitchRun(), silent)
    sf.write(tmp_path / "short.wav", 0.1 * np.ones(SR), SR)
    with pytest.raises(AudioDecodeError, match="short.wav: too short: 1.00 s"):
        apps.timeline(_PitchRun(), tmp_path / "short.wav")


def test_smoothing_removes_a_stray_window():
    probs = np.tile([[0.9, 0.1]], (9, 1))
    probs[4] = [0.2, 0.8]
    assert apps.smooth(probs, windows=5).argmax(1).tolist() == [0] * 9
    assert probs.argmax(1).tolist().count(1) == 1


def test_change_points_need_the_new_genre_to_hold():
    starts = np.arange(10) * 1.5
    assert apps.change_points(starts, list("aaabaaaaaa"), min_run=3) == []
    assert apps.change_points(starts, list("aaaaabbbbb"), min_run=3) == [8.25]  # between centres 7.5 and 9
    assert apps.boundary_errors([5.0], []) == np.inf


# --- the unsure rule -----------------------------------------------------------------
def test_unsure_threshold_keeps_most_at_the_target():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.3, 1.0, 400)
    right = rng.uniform(size=400) < conf                 # confident predictions are right more
    probs = np.stack([conf, 1 - conf], 1)
    labels = np.where(right, 0, 1)
    rule = classical.choose_unsure_threshold(probs, labels, target=0.9)
    kept = conf >= rule["threshold"]
    assert rule["rule"] == "accuracy"
    assert right[kept].mean() >= 0.9
    assert rule["held_out_accuracy"] == pytest.approx(right[kept].mean())
    lower = np.sort(conf[~kept])[-1]                     # one step lower misses the target
    assert right[conf >= lower].mean() < 0.9
    assert 0 < rule["held_out_coverage"] < 1 and rule["held_out_tracks"] == 400


def test_unsure_threshold_edges():
    probs = np.array([[0.9, 0.1], [0.7, 0.3]])
    wrong = classical.choose_unsure_threshold(probs, np.array([1, 1]))
    assert wrong["held_out_accuracy"] == 0.0             # nothing reaches it: the best there is
    curve = classical.coverage_curve(probs, np.array([0, 1]))
    assert curve["coverage"].tolist() == [0.5, 1.0] and curve["accuracy"].tolist() == [1.0, 0.5]


def test_unsure_threshold_is_never_zero_when_every_held_out_track_is_right():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, 200)
    probs = rng.dirichlet(np.ones(10), 200) * 0.3
    probs[np.arange(200), labels] += 0.7                 # every track right, confidence varies
    rule = classical.choose_unsure_threshold(probs, labels)
    top = probs.max(1)
    assert rule["rule"] == "coverage" and rule["threshold"] > 0
    assert (top < rule["threshold"]).sum() == 10         # the least sure 5 % are flagged
    assert rule["held_out_accuracy"] == 1.0


# --- the similarity index ------------------------------------------------------------
@pytest.fixture
def collection(tmp_path):
    folder = tmp_path / "collection"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for kind in ("low", "high"):
        for i in range(3):
            f0 = (110 if kind == "low" else 1760) * (1 + 0.05 * i)
            t = np.arange(4 * SR) / SR
            y = 0.3 * np.sin(2 * np.pi * f0 * t) + 0.01 * rng.standard_normal(len(t))
            sf.write(folder / f"{kind}.{i}.flac", y.astype(np.float32), SR)
    (folder / "broken.wav").write_text("not audio")
    return folder


def test_index_is_cached_and_follows_changes(collection):
    first = apps.SimilarityIndex.build(collection, space="mfcc")
    assert len(first.paths) == 6 and first.reused == 0
    assert list(first.errors) == [str(collection / "broken.wav")]
    again = apps.SimilarityIndex.build(collection, space="mfcc")
    assert again.reused == 6
    np.testing.assert_array_equal(again.vectors, first.vectors)
    changed = collection / "low.0.flac"
    sf.write(changed, 0.3 * np.sin(2 * np.pi * 3000 * np.arange(4 * SR) / SR), SR)
    os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))
    (collection / "high.2.flac").unlink()
    after = apps.SimilarityIndex.build(collection, space="mfcc")
    assert after.reused == 4 and len(after.paths) == 5
    i = after.paths.index(str(changed))
    assert not np.allclose(after.vectors[i], first.vectors[first.paths.index(str(changed))])


def test_nearest_ranks_the_same_kind_first_and_leaves_the_query_out(collection):
    hits, index = apps.similar(None, collection / "low.1.flac", collection, k=2, space="mfcc")
    assert [h["rank"] for h in hits] == [1, 2]
    assert all("low." in os.path.basename(h["file"]) for h in hits)
    assert str(collection / "low.1.flac") not in [h["file"] for h in hits]
    assert hits[0]["distance"] <= hits[1]["distance"]
    assert index.errors


def test_similarity_refuses_what_it_cannot_use(collection, tmp_path):
    with pytest.raises(ParameterError, match="needs a trained run"):
        apps.similar(None, collection / "low.1.flac", collection, space="run")
    with pytest.raises(ParameterError, match="not a folder"):
        apps.SimilarityIndex.build(tmp_path / "missing", space="mfcc")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match="no audio files"):
        apps.SimilarityIndex.build(tmp_path / "empty", space="mfcc")
    with pytest.raises(ParameterError, match="space"):
        apps.SimilarityIndex.build(collection, space="tags")


def test_the_index_file_holds_no_pickle(collection, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))   # this test's index only
    apps.SimilarityIndex.build(collection, space="mfcc")
    files = list((config.cache_dir() / "similar").glob("*.npz"))
    assert len(files) == 1
    with np.load(files[0], allow_pickle=False) as npz:        # loads without pickle
        assert set(npz.files) == {"paths", "signatures", "vectors"}
