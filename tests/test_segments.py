"""Tests for course_utils.segments: prepare, normalisation, overlap and the segment-random rule."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import data, segments
from course_utils.exceptions import ParameterError
from fakes import write_dataset

GENRES = ("blues", "jazz", "rock", "pop")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("ds") / "tones", genres=GENRES,
                         per_genre=8, seconds=7.0)


@pytest.fixture(scope="module")
def prepared(dataset):
    return segments.prepare(dataset, seed=1, progress=False)


def test_prepare_keeps_tracks_apart_and_normalises_on_train(prepared):
    sides = [set(s.track_ids) for s in (prepared.train, prepared.val, prepared.test)]
    assert not (sides[0] & sides[1]) and not (sides[0] & sides[2]) and not (sides[1] & sides[2])
    assert prepared.shapes() == {"logmel": (128, 130, 1), "mfcc": (130, 60)}
    per_band = prepared.train.X["logmel"].mean(axis=(0, 2, 3))
    np.testing.assert_allclose(per_band, 0, atol=1e-3)           # train stats -> train mean 0
    assert abs(prepared.test.X["logmel"].mean(axis=(0, 2, 3))).max() > 1e-3  # not fitted on test
    assert len(prepared.norm["logmel"]["mean"]) == 128 and len(prepared.norm["mfcc"]["std"]) == 60


def test_segment_random_split_leaks_tracks_and_follows_the_sizes(dataset):
    with pytest.warns(UserWarning, match="leaky"):
        leaky = segments.prepare(dataset, split="segment-random", progress=False)
    assert set(leaky.train.track_ids) & set(leaky.test.track_ids)
    total = 32 * 2                                     # 32 tracks x 2 segments of 3 s
    assert (len(leaky.train), len(leaky.val), len(leaky.test)) == (44, 10, 10)
    assert len(leaky.train) + len(leaky.val) + len(leaky.test) == total
    # the Split lists the tracks each side really holds, so the leak is visible in it
    assert set(leaky.split.test["track_id"]) == set(leaky.test.track_ids)
    with pytest.warns(UserWarning, match="leaky"):
        wider = segments.prepare(dataset, split="segment-random", test_size=0.3, val_size=0.1,
                                 progress=False)
    assert (len(wider.val), len(wider.test)) == (round(0.1 * total), round(0.3 * total))


def test_split_segments_is_seeded_and_disjoint():
    with pytest.warns(UserWarning, match="leaky"):
        a = data.split_segments(200, seed=3)
    with pytest.warns(UserWarning):
        b, c = data.split_segments(200, seed=3), data.split_segments(200, seed=4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[2], c[2])
    assert sorted(np.concatenate(a).tolist()) == list(range(200))


def test_split_tracks_refuses_segment_random(dataset):
    tracks = data.load_dataset(dataset, progress=False)
    with pytest.raises(ParameterError, match="splits segments, not tracks"):
        data.split_tracks(tracks, method="segment-random")


def test_pitch_and_stretch_add_training_segments_only(dataset, prepared):
    aug = segments.prepare(dataset, seed=1, augment=("pitch",), progress=False)
    assert len(aug.train) > len(prepared.train)
    assert len(aug.test) == len(prepared.test) and len(aug.val) == len(prepared.val)
    assert set(aug.train.track_ids) == set(prepared.train.track_ids)
    # the tracks' own segments come first, the copies after them
    assert prepared.originals is None and aug.originals == len(prepared.train)
    np.testing.assert_array_equal(aug.train.track_ids[:aug.originals], prepared.train.track_ids)


def test_small_training_sets_get_overlapping_training_segments(dataset, prepared):
    plain = segments.prepare(dataset, seed=1, overlap=False, progress=False)
    hop = prepared.train_hop
    assert hop == segments.MIN_HOP and plain.train_hop is None
    assert len(prepared.train) >= 3 * len(plain.train)              # 7 s: 2 segments -> 6
    assert len(prepared.val) == len(plain.val) and len(prepared.test) == len(plain.test)
    one = prepared.train.X["logmel"][prepared.train.track_ids == prepared.train.track_ids[0]]
    np.testing.assert_allclose(one[1, :, :-hop], one[0, :, hop:])   # shifted by hop frames
    assert set(prepared.train.track_ids) == set(plain.train.track_ids)


def test_mean_per_track_keeps_first_seen_order(rng):
    probs = rng.dirichlet([1, 1, 1], size=7)
    ids = np.array(["b", "a", "b", "c", "a", "b", "c"])
    order, mean = segments.mean_per_track(probs, ids)
    assert order == ["b", "a", "c"]
    for t, row in zip(order, mean):
        np.testing.assert_allclose(row, probs[ids == t].mean(axis=0))


def test_normalise_applies_the_saved_statistics(prepared, rng):
    X = {"mfcc": rng.normal(3.0, 2.0, size=(5, 130, 60)).astype(np.float32)}
    norm = segments.norm_stats(segments.Segments(X, np.zeros(5), np.zeros(5)))
    out = segments.normalise(X, norm)["mfcc"]
    np.testing.assert_allclose(out.mean(axis=(0, 1)), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1)), 1, atol=1e-3)
