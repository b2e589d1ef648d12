"""Tests for course_utils.classical: the statistics SVMs and the ensemble weight rule."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import classical, data, features
from fakes import write_dataset

GENRES = ("blues", "jazz", "rock", "pop")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("ds") / "tones", genres=GENRES,
                         per_genre=8, seconds=7.0)


@pytest.fixture(scope="module")
def tracks_and_feats(dataset):
    """The tone set with two tracks an artist, its features and labels."""
    tracks = data.load_dataset(dataset, progress=False)
    tracks["artist"] = [f"{g}-{i // 2}" for g, i in zip(tracks["genre"],
                                                       tracks.groupby("genre").cumcount())]
    fs = features.extract(tracks["path"], progress=False)
    genres = sorted(GENRES)
    return (tracks, [fs.features[p] for p in tracks["path"]],
            np.array([genres.index(g) for g in tracks["genre"]]))


def test_stats_model_averages_a_track_svm_and_a_segment_svm(dataset):
    tracks = data.load_dataset(dataset, progress=False)
    split = data.split_tracks(tracks, seed=1)
    fs = features.extract(tracks["path"], progress=False)
    genres = sorted(GENRES)
    feats = lambda t: [fs.features[p] for p in t["path"]]
    labels = lambda t: [genres.index(g) for g in t["genre"]]
    model = classical.StatsModel(seed=1).fit(feats(split.train), labels(split.train))
    svc = model.segment_svm[-1].calibrated_classifiers_[0].estimator
    assert svc.shape_fit_[0] == 2 * len(split.train)                   # 2 segments a track
    test = feats(split.test)
    probs = model.predict_proba(test)
    assert probs.shape == (len(split.test), len(GENRES))
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    # by hand: the track SVM's probabilities and the per-track mean of the segment SVM's
    by_track = model.track_svm.predict_proba(np.stack([f["stats"] for f in test]))
    by_segment = np.stack([model.segment_svm.predict_proba(features.segment_stats(f)).mean(0)
                           for f in test])
    np.testing.assert_allclose(probs, (by_track + by_segment) / 2, rtol=1e-6)
    X, y, _ = classical.track_stats(split.train, fs, genres)
    Xt, yt, _ = classical.track_stats(split.test, fs, genres)
    baseline = classical.svm_decision(classical.fit_stats_model(X, y, seed=1), Xt)
    np.testing.assert_array_equal(model.predict_baseline(test), baseline)
    assert (model.predict(test) == yt).mean() >= 0.75      # tones: easy


def test_a_genre_with_one_training_track_or_none_still_fits_and_keeps_its_column(
        tracks_and_feats, caplog):
    tracks, feats, labels = tracks_and_feats
    keep = [i for i, y in enumerate(labels) if y != 3] + [int(np.flatnonzero(labels == 3)[0])]
    keep = [i for i in keep if labels[i] != 1]          # genre 1: no training track at all
    model = classical.StatsModel(seed=0).fit([feats[i] for i in keep], labels[keep])
    assert "single training track for label 3:" in caplog.text
    probs = model.predict_proba(feats, n_genres=4)
    assert probs.shape == (len(feats), 4) and not probs[:, 1].any()
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    assert set(model.predict(feats)) <= {0, 2, 3}       # labels, not column positions


def test_ensemble_weight_is_fitted_only_on_enough_validation_tracks(rng):
    labels = np.repeat([0, 1], 10)                       # 10 validation tracks per genre
    right, wrong = np.eye(2)[labels] * 0.8 + 0.1, np.eye(2)[1 - labels] * 0.8 + 0.1
    noisy = rng.dirichlet([1, 1], size=20)
    assert classical.choose_ensemble_weight(right, noisy, labels) == (
        1.0, "fitted on 20 validation tracks")
    assert classical.choose_ensemble_weight(wrong, right, labels)[0] == 0.0
    w, rule = classical.choose_ensemble_weight(right[::2], noisy[::2], labels[::2])  # 5 per genre
    assert w == classical.ENSEMBLE_DEEP_WEIGHT_SMALL and rule.startswith("fixed: 5 validation")


def _members(rng, n_per_genre, acc_deep, acc_stats, n_genres=10):
    """Made-up held-out probabilities of two members, right about acc_* of the time."""
    labels = np.repeat(np.arange(n_genres), n_per_genre)
    def member(acc):
        guess = np.where(rng.uniform(size=len(labels)) < acc, labels,
                         (labels + rng.integers(1, n_genres, len(labels))) % n_genres)
        p = rng.dirichlet(np.ones(n_genres), len(labels)) * 0.5
        p[np.arange(len(labels)), guess] += 0.5
        return p
    return member(acc_deep), member(acc_stats), labels


@pytest.mark.parametrize("acc_deep, acc_stats", [(0.95, 0.7), (0.7, 0.95)])
def test_cross_fitted_weight_follows_the_better_member_out_of_fold(acc_deep, acc_stats):
    # 8 tracks a genre over training + validation: a small collection, where a weight from
    # the validation tracks alone would be fixed; out of fold there are enough to fit it
    deep, stats, labels = _members(np.random.default_rng(3), 8, acc_deep, acc_stats)
    w, rule = classical.choose_ensemble_weight(deep, stats, labels, cross_fitted=True)
    assert rule == "fitted on out-of-fold predictions for 80 training and validation tracks"
    assert (w > 0.5) == (acc_deep > acc_stats) and w != 0.5
    blend = (w * deep + (1 - w) * stats).argmax(1) == labels
    best = max((deep.argmax(1) == labels).mean(), (stats.argmax(1) == labels).mean())
    assert blend.mean() >= best                          # never below its better member here
    assert classical.choose_ensemble_weight(deep, stats, labels)[0] == \
        classical.ENSEMBLE_DEEP_WEIGHT_SMALL             # validation-only rule: fixed


def test_cross_fitted_statistics_hold_out_every_track_once_and_are_seeded(tracks_and_feats):
    from course_utils import data
    table, feats, labels = tracks_and_feats
    folds = data.track_folds(table, classical.cross_fit_fold_count(labels), seed=0)
    held = np.concatenate([h for _, h in folds])
    assert sorted(held.tolist()) == list(range(len(table)))
    for fit, h in folds:                                 # no artist on both sides of a fold
        assert not set(table["artist"].iloc[fit]) & set(table["artist"].iloc[h])
    oof = classical.cross_fit_stats(feats, labels, folds, seed=0)
    np.testing.assert_allclose(oof.sum(1), 1, rtol=1e-6)
    again = classical.cross_fit_stats(feats, labels, data.track_folds(
        table, classical.cross_fit_fold_count(labels), seed=0), seed=0)
    np.testing.assert_array_equal(oof, again)
    assert (oof.argmax(1) == labels).mean() >= 0.6       # tones: easy, even out of fold


def test_ensemble_weight_breaks_accuracy_ties_by_likelihood():
    # Each model is sure where it is right and barely wrong where it is wrong, on opposite
    # halves: the middle weights all score 100 %, and 0.5 has the best likelihood.
    labels = np.repeat([0, 1], 10)
    sure, unsure = np.eye(2)[labels] * 0.8 + 0.1, np.eye(2)[labels] * -0.1 + 0.55
    half = np.arange(20) % 2 == 0
    deep = np.where(half[:, None], sure, unsure)
    stats = np.where(half[:, None], unsure, sure)
    assert classical.fit_ensemble_weight(deep, stats, labels) == 0.5
    assert classical.fit_ensemble_weight(deep, deep, labels) == 1.0   # a full tie: the network


def test_novelty_scores_a_track_by_its_rows_whatever_its_length(tmp_path):
    rng = np.random.default_rng(0)
    tracks = [rng.normal(size=(10, 6)) for _ in range(60)]        # 60 tracks of 10 rows
    folds = [(np.setdiff1d(np.arange(60), np.arange(k, 60, 3)), np.arange(k, 60, 3))
             for k in range(3)]
    model, info = classical.fit_novelty(tracks, folds)
    assert info["held_out_tracks"] == 60 and info["quantile"] == classical.NOVELTY_QUANTILE
    short = [rng.normal(size=(2, 6)) for _ in range(200)]        # like the training rows
    long = [rng.normal(size=(30, 6)) for _ in range(200)]
    far = [rng.normal(loc=3.0, size=(2, 6)) for _ in range(20)]
    d_short, d_long = model.track_distance(short), model.track_distance(long)
    assert abs(d_short.mean() - d_long.mean()) < 0.1 * d_long.mean()   # length-free
    assert (d_long > info["threshold"]).mean() < 0.02
    assert (d_short > info["threshold"]).mean() < 0.3    # a noisier mean of 2 rows: more, not most
    assert (model.track_distance(far) > info["threshold"]).all()
    # the distance of a track's mean vector would not be length-free: shorter looks farther
    means = lambda ts: model.distance(np.stack([t.mean(0) for t in ts]))
    assert means(short).mean() > 2 * means(long).mean()
    model.save(tmp_path / "n.npz")
    again = classical.Novelty.load(tmp_path / "n.npz")
    np.testing.assert_allclose(again.track_distance(far), model.track_distance(far), rtol=1e-4)
