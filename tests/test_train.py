"""Tests for course_utils.train: data preparation, batches, runs and their artefacts."""
from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from course_utils import data, evaluate, train
from course_utils.exceptions import AudioDecodeError, ParameterError, RunMismatchError
from fakes import write_dataset

GENRES = ("blues", "jazz", "rock", "pop")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("ds") / "tones", genres=GENRES,
                         per_genre=8, seconds=7.0)


@pytest.fixture(scope="module")
def prepared(dataset):
    return train.prepare(dataset, seed=1, progress=False)


@pytest.fixture(scope="module")
def run_dir(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "cnn"
    train.train_run("cnn", dataset=dataset, out=out, epochs=2, verbose=0, seed=1)
    evaluate.evaluate_run(out, progress=False)
    return out


def test_prepare_keeps_tracks_apart_and_normalises_on_train(prepared):
    sides = [set(s.track_ids) for s in (prepared.train, prepared.val, prepared.test)]
    assert not (sides[0] & sides[1]) and not (sides[0] & sides[2]) and not (sides[1] & sides[2])
    assert prepared.shapes() == {"logmel": (128, 130, 1), "mfcc": (130, 60)}
    per_band = prepared.train.X["logmel"].mean(axis=(0, 2, 3))
    np.testing.assert_allclose(per_band, 0, atol=1e-3)           # train stats -> train mean 0
    assert abs(prepared.test.X["logmel"].mean(axis=(0, 2, 3))).max() > 1e-3  # not fitted on test
    assert len(prepared.norm["logmel"]["mean"]) == 128 and len(prepared.norm["mfcc"]["std"]) == 60


def test_segment_random_split_leaks_tracks(dataset):
    with pytest.warns(UserWarning, match="leaky"):
        leaky = train.prepare(dataset, split="segment-random", progress=False)
    assert set(leaky.train.track_ids) & set(leaky.test.track_ids)


def test_pitch_and_stretch_add_training_segments_only(dataset, prepared):
    aug = train.prepare(dataset, seed=1, augment=("pitch",), progress=False)
    assert len(aug.train) > len(prepared.train)
    assert len(aug.test) == len(prepared.test) and len(aug.val) == len(prepared.val)
    assert set(aug.train.track_ids) == set(prepared.train.track_ids)


def test_small_training_sets_get_overlapping_training_segments(dataset, prepared):
    plain = train.prepare(dataset, seed=1, overlap=False, progress=False)
    hop = prepared.train_hop
    assert hop == train.MIN_HOP and plain.train_hop is None
    assert len(prepared.train) >= 3 * len(plain.train)              # 7 s: 2 segments -> 6
    assert len(prepared.val) == len(plain.val) and len(prepared.test) == len(plain.test)
    one = prepared.train.X["logmel"][prepared.train.track_ids == prepared.train.track_ids[0]]
    np.testing.assert_allclose(one[1, :, :-hop], one[0, :, hop:])   # shifted by hop frames
    assert set(prepared.train.track_ids) == set(plain.train.track_ids)


def test_stats_model_averages_a_track_svm_and_a_segment_svm(dataset):
    from course_utils import features
    tracks = data.load_dataset(dataset, progress=False)
    split = data.split_tracks(tracks, seed=1)
    fs = features.extract(tracks["path"], progress=False)
    genres = sorted(GENRES)
    feats = lambda t: [fs.features[p] for p in t["path"]]
    labels = lambda t: [genres.index(g) for g in t["genre"]]
    model = train.StatsModel(seed=1).fit(feats(split.train), labels(split.train))
    svc = model.segment_svm[-1].calibrated_classifiers_[0].estimator
    assert svc.shape_fit_[0] == 2 * len(split.train)                   # 2 segments a track
    probs = model.predict_proba(feats(split.test))
    assert probs.shape == (len(split.test), len(GENRES))
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    X, y, _ = train.track_stats(split.train, fs, genres)
    Xt, yt, _ = train.track_stats(split.test, fs, genres)
    baseline = train.svm_decision(train.fit_stats_model(X, y, seed=1), Xt)
    np.testing.assert_array_equal(model.predict_baseline(feats(split.test)), baseline)
    assert (model.predict(feats(split.test)) == yt).mean() >= 0.75      # tones: easy


def test_ensemble_weight_is_fitted_only_on_enough_validation_tracks(rng):
    labels = np.repeat([0, 1], 10)                       # 10 validation tracks per genre
    right, wrong = np.eye(2)[labels] * 0.8 + 0.1, np.eye(2)[1 - labels] * 0.8 + 0.1
    noisy = rng.dirichlet([1, 1], size=20)
    assert train.choose_ensemble_weight(right, noisy, labels) == (1.0, "chosen on 20 validation tracks")
    assert train.choose_ensemble_weight(wrong, right, labels)[0] == 0.0
    w, _ = train.choose_ensemble_weight(noisy, rng.dirichlet([1, 1], size=20), labels)
    assert w in (1.0, 0.75, 0.5, 0.25, 0.0)
    w, rule = train.choose_ensemble_weight(right[::2], noisy[::2], labels[::2])   # 5 per genre
    assert w == train.ENSEMBLE_DEEP_WEIGHT_SMALL and rule.startswith("fixed: 5 validation")


def test_batches_are_seeded_and_mixup_targets_sum_to_one(prepared):
    make = lambda seed: train.Batches(prepared.train, 4, model_name="parallel", batch_size=8,
                                      augment=("specaugment", "mixup"), seed=seed)
    (xa, ta), (xb, tb), (xc, _) = make(3)[0], make(3)[0], make(4)[0]
    np.testing.assert_array_equal(xa["logmel"], xb["logmel"])
    assert not np.array_equal(xa["logmel"], xc["logmel"])
    np.testing.assert_allclose(ta.sum(axis=1), 1, rtol=1e-6)
    assert ((ta > 0) & (ta < 1)).any()                            # mixed, not one-hot


def test_spec_augment_masks_bands_and_frames(rng):
    X = np.ones((3, 128, 130, 1), dtype=np.float32)
    masked = train.spec_augment(X, rng)
    assert (masked == 0).any() and (masked == 1).mean() > 0.5
    assert X.min() == 1                                            # input untouched


def test_parse_augment():
    assert train.parse_augment("specaugment, pitch") == ("specaugment", "pitch")
    assert train.parse_augment("none") == ()
    assert train.parse_augment(None) == train.DEFAULT_AUGMENT
    with pytest.raises(ParameterError, match="augment must be one of"):
        train.parse_augment("specaugment,reverb")


def test_run_artefacts(run_dir):
    for name in ("model.keras", "config.json", "split.json", "metrics.json", "history.csv",
                 "confusion.png", "stats_model.pkl"):
        assert (run_dir / name).exists(), name
    cfg = json.loads((run_dir / "config.json").read_text())
    assert cfg["genres"] == sorted(GENRES) and cfg["split"]["method"] == "random"
    assert cfg["features"]["n_mels"] == 128 and "keras" in cfg["versions"]
    split = json.loads((run_dir / "split.json").read_text())
    assert not set(split["train"]) & set(split["test"])
    assert cfg["train_hop"] == train.MIN_HOP and cfg["ensemble_weight"] == train.ENSEMBLE_DEEP_WEIGHT_SMALL
    assert cfg["ensemble_rule"].startswith("fixed: 1.25 validation tracks per genre")
    # the statistics SVMs learn from the training and validation tracks, never from test
    svm = train.load_run(run_dir).stats_model.track_svm[-1].calibrated_classifiers_[0].estimator
    assert svm.shape_fit_[0] == len(split["train"]) + len(split["val"])


def test_metrics_follow_schema(run_dir):
    jsonschema = pytest.importorskip("jsonschema")
    from course_utils import config
    schema = json.loads((config.PACKAGE_DIR / "metrics_schema.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    jsonschema.validate(metrics, schema)
    broken = dict(metrics, track_accuracy=1.5)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_refuses_non_empty_out_without_overwrite(run_dir, dataset):
    with pytest.raises(ParameterError, match="refusing to overwrite"):
        train.train_run("cnn", dataset=dataset, out=run_dir, epochs=1)


def test_load_refuses_feature_mismatch(run_dir, tmp_path):
    import shutil
    copy = shutil.copytree(run_dir, tmp_path / "copy")
    cfg = json.loads((copy / "config.json").read_text())
    cfg["features"]["n_mels"] = 64
    (copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(RunMismatchError, match="n_mels: run has 64, code has 128"):
        train.load_run(copy)


def test_save_load_predict_identical(run_dir, dataset):
    f = next((dataset / "jazz").iterdir())
    first = evaluate.predict_file(train.load_run(run_dir), f, segments=True)
    second = evaluate.predict_file(run_dir, f, segments=True)
    assert first == second
    assert len(first["segments"]) == 2 and len(first["top"]) == 3
    assert sum(t["probability"] for t in first["top"]) <= 1.0 + 1e-6


def test_predict_stereo_44k_and_bad_files(run_dir, dataset, tmp_path):
    import librosa
    run = train.load_run(run_dir)
    f = next((dataset / "rock").iterdir())
    y, sr = sf.read(f)
    # band-limit first: a 44.1 kHz round trip removes what sits right below 11 kHz
    y = librosa.resample(librosa.resample(y, orig_sr=sr, target_sr=44100), orig_sr=44100,
                         target_sr=sr)
    sf.write(tmp_path / "mono22.wav", y, sr)
    up = librosa.resample(y, orig_sr=sr, target_sr=44100)
    sf.write(tmp_path / "stereo44.flac", np.stack([up, up], axis=1), 44100)
    mono = evaluate.predict_file(run, tmp_path / "mono22.wav")
    st = evaluate.predict_file(run, tmp_path / "stereo44.flac")
    assert st["top"][0]["genre"] == mono["top"][0]["genre"]
    assert st["top"][0]["probability"] == pytest.approx(mono["top"][0]["probability"], abs=0.05)
    sf.write(tmp_path / "short.wav", y[: sr], sr)
    with pytest.raises(AudioDecodeError, match="short.wav: too short"):
        evaluate.predict_file(run, tmp_path / "short.wav")
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x00\x00garbage")
    with pytest.raises(AudioDecodeError, match="corrupt.wav: could not be decoded"):
        evaluate.predict_file(run, tmp_path / "corrupt.wav")


def test_external_evaluation_never_overwrites_metrics(run_dir, dataset):
    before = (run_dir / "metrics.json").read_text()
    m = evaluate.evaluate_run(run_dir, dataset, progress=False)
    assert (run_dir / "eval_tones.json").exists() and (run_dir / "eval_tones_confusion.png").exists()
    assert (run_dir / "metrics.json").read_text() == before
    assert m["n_test_tracks"] == 32 and m["split"] == "all tracks (external)"


def test_ensure_run_reuses_only_a_matching_run(dataset, tmp_path, monkeypatch):
    first = evaluate.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1, ensemble=False)
    assert (first / "metrics.json").exists()
    monkeypatch.setattr(train, "train_run", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("should not retrain")))
    assert evaluate.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1,
                               ensemble=False) == first
    with pytest.raises(AssertionError, match="should not retrain"):   # other arguments
        evaluate.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=2, ensemble=False)
    monkeypatch.setattr(evaluate.config, "FEATURES_VERSION", 99)
    with pytest.raises(AssertionError, match="should not retrain"):   # code changed
        evaluate.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1, ensemble=False)


def test_segment_random_run_is_scored_on_held_out_segments(dataset, tmp_path):
    with pytest.warns(UserWarning, match="leaky"):
        out = train.train_run("cnn", dataset=dataset, out=tmp_path / "leaky", split="segment-random",
                              epochs=1, ensemble=False, verbose=0)
    m = evaluate.evaluate_run(out, progress=False)
    total = 32 * 2                                  # 32 tracks x 2 segments of 3 s
    assert m["n_test_segments"] == round(0.15 * total) and "warning" in m
