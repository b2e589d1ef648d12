"""Tests for course_utils.runs: training a run folder, loading it and predicting with it."""
from __future__ import annotations

import json

import keras
import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from course_utils import (audio, classical, data, evaluate, experiments, features, models,
                          pretrained, runs, segments, train)
from course_utils.exceptions import AudioDecodeError, ParameterError, RunMismatchError
from fakes import write_dataset

GENRES = ("blues", "jazz", "rock", "pop")
pytestmark = pytest.mark.slow   # every test here trains a network


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("ds") / "tones", genres=GENRES,
                         per_genre=8, seconds=7.0)


def _trained(model: str, dataset, tmp_path_factory, epochs: int):
    out = tmp_path_factory.mktemp("runs") / model
    runs.train_run(model, dataset=dataset, out=out, epochs=epochs, verbose=0, seed=1)
    evaluate.evaluate_run(out, progress=False)
    return out


@pytest.fixture(scope="module")
def run_dir(dataset, tmp_path_factory):
    return _trained("cnn", dataset, tmp_path_factory, epochs=2)


def test_run_artefacts(run_dir):
    for name in ("model.keras", "config.json", "split.json", "metrics.json", "history.csv",
                 "confusion.png", runs.STATS_FILE):
        assert (run_dir / name).exists(), name
    cfg = json.loads((run_dir / "config.json").read_text())
    assert cfg["genres"] == sorted(GENRES) and cfg["split"]["method"] == "random"
    assert cfg["features"]["n_mels"] == 128 and "keras" in cfg["versions"]
    split = json.loads((run_dir / "split.json").read_text())
    assert not set(split["train"]) & set(split["test"])
    assert cfg["train_hop"] == segments.MIN_HOP and cfg["ensemble_weight"] == classical.ENSEMBLE_DEEP_WEIGHT_SMALL
    assert cfg["ensemble_rule"].startswith("fixed: 1.25 validation tracks per genre")
    # the statistics SVMs learn from the training and validation tracks, never from test
    svm = runs.load_run(run_dir).stats_model.track_svm[-1].calibrated_classifiers_[0].estimator
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


def test_a_test_set_too_small_to_rank_models_is_named(run_dir):
    metrics = json.loads((run_dir / "metrics.json").read_text())
    n = metrics["n_test_tracks"]
    assert n < evaluate.MIN_TEST_TRACKS_PER_GENRE * len(GENRES)    # 32 tracks, 4 genres
    assert metrics["warning"].startswith(f"{n} test tracks for 4 genres: one track is")
    assert metrics["warning"].endswith("too few to rank models on this data")


def test_flag_on_test_scores_the_stored_flag_on_the_runs_own_test_tracks(run_dir):
    result = experiments.flag_on_test(run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    cfg = json.loads((run_dir / "config.json").read_text())
    assert result["test_tracks"] == metrics["n_test_tracks"]
    assert result["accuracy"] == pytest.approx(metrics["track_accuracy"])
    assert 0 <= result["flagged"] <= result["test_tracks"]
    assert (result["threshold"], result["rule"]) == (cfg["unsure"]["threshold"],
                                                     cfg["unsure"]["rule"])


def test_refuses_non_empty_out_without_overwrite(run_dir, dataset):
    with pytest.raises(ParameterError, match="refusing to overwrite"):
        runs.train_run("cnn", dataset=dataset, out=run_dir, epochs=1)


def test_load_refuses_feature_mismatch(run_dir, tmp_path):
    import shutil
    copy = shutil.copytree(run_dir, tmp_path / "copy")
    cfg = json.loads((copy / "config.json").read_text())
    cfg["features"]["n_mels"] = 64
    (copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(RunMismatchError, match="n_mels: run has 64, code has 128"):
        runs.load_run(copy)


class Payload:
    """What a malicious run folder would carry: an object whose rebuilding runs code."""

    def __reduce__(self):
        return (exec, ("open('pwned', 'w').write('ran')",))


def test_loading_a_run_never_runs_code(run_dir, tmp_path, monkeypatch):
    import shutil
    import skops.io as sio
    from course_utils.exceptions import CourseError
    monkeypatch.chdir(tmp_path)
    planted = shutil.copytree(run_dir, tmp_path / "planted")
    sio.dump({"seed": 1, "track_svm": Payload(), "segment_svm": None}, planted / runs.STATS_FILE)
    with pytest.raises(CourseError, match="refusing to load it.*Payload"):
        runs.load_run(planted)
    assert not (tmp_path / "pwned").exists()
    old = shutil.copytree(run_dir, tmp_path / "old")        # a run from before skops
    (old / runs.STATS_FILE).unlink()
    (old / "stats_model.pkl").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(RunMismatchError, match="pickle .stats_model.pkl.*Retrain it"):
        runs.load_run(old)


def test_save_load_predict_identical(run_dir, dataset):
    f = next((dataset / "jazz").iterdir())
    first = runs.predict_file(runs.load_run(run_dir), f, segments=True)
    second = runs.predict_file(run_dir, f, segments=True)
    assert first == second
    assert len(first["segments"]) == 2 and len(first["top"]) == 3


def test_prediction_is_the_weighted_ensemble_of_its_parts(run_dir, dataset):
    run = runs.load_run(run_dir)
    f = next((dataset / "jazz").iterdir())
    y, sr = audio.load(f)
    pred = run.predict([features.track_features(y, sr=sr)], ["jazz-clip"])
    deep = pred.seg_probs.mean(axis=0)                       # the network: mean over segments
    np.testing.assert_allclose(pred.deep_probs[0], deep, rtol=1e-6)
    w = run.config["ensemble_weight"]
    assert 0 < w < 1 and pred.stats_probs is not None
    np.testing.assert_allclose(pred.probs[0], w * deep + (1 - w) * pred.stats_probs[0], rtol=1e-6)
    top = runs.predict_file(run, f, top_k=3)["top"]          # predict_file reports the same
    order = np.argsort(pred.probs[0])[::-1][:3]
    assert [t["genre"] for t in top] == [run.genres[i] for i in order]
    np.testing.assert_allclose([t["probability"] for t in top], pred.probs[0][order], rtol=1e-6)
    with pytest.raises(ParameterError, match="one unique track id"):
        run.predict([features.track_features(y, sr=sr)] * 2, ["a", "a"])


def test_predict_stereo_44k_and_bad_files(run_dir, dataset, tmp_path):
    import librosa
    run = runs.load_run(run_dir)
    f = next((dataset / "rock").iterdir())
    y, sr = sf.read(f)
    # band-limit first: a 44.1 kHz round trip removes what sits right below 11 kHz
    y = librosa.resample(librosa.resample(y, orig_sr=sr, target_sr=44100), orig_sr=44100,
                         target_sr=sr)
    sf.write(tmp_path / "mono22.wav", y, sr)
    up = librosa.resample(y, orig_sr=sr, target_sr=44100)
    sf.write(tmp_path / "stereo44.flac", np.stack([up, up], axis=1), 44100)
    mono = runs.predict_file(run, tmp_path / "mono22.wav")
    st = runs.predict_file(run, tmp_path / "stereo44.flac")
    assert st["top"][0]["genre"] == mono["top"][0]["genre"]
    assert st["top"][0]["probability"] == pytest.approx(mono["top"][0]["probability"], abs=0.05)
    sf.write(tmp_path / "short.wav", y[: sr], sr)
    with pytest.raises(AudioDecodeError, match="short.wav: too short"):
        runs.predict_file(run, tmp_path / "short.wav")
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x00\x00garbage")
    with pytest.raises(AudioDecodeError, match="corrupt.wav: could not be decoded"):
        runs.predict_file(run, tmp_path / "corrupt.wav")


def test_external_evaluation_never_overwrites_metrics(run_dir, dataset):
    before = (run_dir / "metrics.json").read_text()
    m = evaluate.evaluate_run(run_dir, dataset, progress=False)
    assert (run_dir / "eval_tones.json").exists() and (run_dir / "eval_tones_confusion.png").exists()
    assert (run_dir / "metrics.json").read_text() == before
    assert m["n_test_tracks"] == 32 and m["split"] == "all tracks (external)"


def test_ensure_run_reuses_only_a_matching_run(dataset, tmp_path, monkeypatch, capsys):
    first = experiments.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1, ensemble=False)
    assert (first / "metrics.json").exists()
    assert "Training cnn (cnn) now, since it has no saved run yet" in capsys.readouterr().out
    monkeypatch.setattr(runs, "train_run", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("should not retrain")))
    assert experiments.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1,
                                  ensemble=False) == first
    assert "Training" not in capsys.readouterr().out       # reused: nothing to announce
    with pytest.raises(AssertionError, match="should not retrain"):   # other arguments
        experiments.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=2, ensemble=False)
    assert "made with other settings" in capsys.readouterr().out
    monkeypatch.setattr(runs, "RUN_FORMAT", 99)
    with pytest.raises(AssertionError, match="should not retrain"):   # run format changed
        experiments.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1, ensemble=False)
    monkeypatch.setattr(runs, "RUN_FORMAT", runs.RUN_FORMAT)
    monkeypatch.setattr(experiments.config, "FEATURES_VERSION", 99)
    with pytest.raises(AssertionError, match="should not retrain"):   # code changed
        experiments.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1, ensemble=False)
    monkeypatch.undo()
    monkeypatch.setattr(runs, "train_run", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("should not retrain")))
    version_of = experiments.runtime.version_of
    monkeypatch.setattr(experiments.runtime, "version_of",
                        lambda dist: "3.99.0" if dist == "keras" else version_of(dist))
    with pytest.raises(AssertionError, match="should not retrain"):   # another Keras
        experiments.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1, ensemble=False)


def test_baseline_svm_is_the_bar_a_run_records(dataset, tmp_path):
    run_dir = experiments.ensure_run("cnn", dataset=dataset, root=tmp_path, epochs=1,
                                     ensemble=False, seed=3, test_size=0.3)
    recorded = json.loads((run_dir / "metrics.json").read_text())["svm_track_accuracy"]
    split = json.loads((run_dir / "split.json").read_text())
    tracks = data.load_dataset(dataset, progress=False)
    side = lambda *names: tracks[tracks["track_id"].isin([t for n in names for t in split[n]])]
    bar = evaluate.baseline_svm(side("train", "val"), side("test"), genres=tracks.attrs["genres"],
                                seed=3, progress=False)
    assert bar == recorded and len(side("test")) == len(split["test"]) > 0
    right = evaluate.baseline_svm_correct(side("train", "val"), side("test"),
                                          genres=tracks.attrs["genres"], seed=3, progress=False)
    assert sorted(right.index) == sorted(split["test"]) and right.mean() == bar


def test_segment_random_run_is_scored_on_held_out_segments(dataset, tmp_path):
    with pytest.warns(UserWarning, match="leaky"):
        out = runs.train_run("cnn", dataset=dataset, out=tmp_path / "leaky", split="segment-random",
                              epochs=1, ensemble=False, verbose=0)
    m = evaluate.evaluate_run(out, progress=False)
    total = 32 * 2                                  # 32 tracks x 2 segments of 3 s
    assert m["n_test_segments"] == round(0.15 * total) and "warning" in m



def test_run_records_its_data_without_absolute_paths(run_dir, dataset):
    identity = json.loads((run_dir / "config.json").read_text())["data_identity"]
    assert identity["name"] == "tones" and identity["n_tracks"] == 32
    assert str(dataset.parent) not in json.dumps(identity)      # moves between machines


def test_evaluate_refuses_other_data_under_the_same_name(run_dir, dataset, tmp_path):
    import shutil
    moved = shutil.copytree(dataset, tmp_path / "tones")
    copy = shutil.copytree(run_dir, tmp_path / "run")
    cfg = json.loads((copy / "config.json").read_text())
    cfg["dataset"] = str(moved)                                  # the same data, moved: fine
    (copy / "config.json").write_text(json.dumps(cfg))
    assert evaluate.evaluate_run(copy, progress=False)["n_test_tracks"] > 0
    extra = moved / "jazz" / "jazz.00099.wav"                   # now other data, same name
    shutil.copyfile(next((moved / "jazz").iterdir()), extra)
    with pytest.raises(RunMismatchError, match="not the one the run was trained on: the run "
                                               "recorded 32 tracks.*here there are 33"):
        evaluate.evaluate_run(copy, progress=False)
    del cfg["data_identity"]                                     # a run from before identities
    (copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(RunMismatchError, match="does not record which data.*Retrain"):
        evaluate.evaluate_run(copy, progress=False)


def test_a_run_from_a_newer_keras_is_refused_in_one_sentence(run_dir, tmp_path, capsys):
    import shutil
    from course_utils import cli, runtime
    copy = shutil.copytree(run_dir, tmp_path / "newer")
    cfg = json.loads((copy / "config.json").read_text())
    cfg["versions"]["keras"] = "99.1.0"
    (copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(RunMismatchError, match=f"saved by Keras 99.1.0, newer than the Keras "
                                               f"{runtime.version_of('keras')} installed"):
        runs.load_run(copy)
    assert cli.main(["evaluate", str(copy)]) == 3
    err = capsys.readouterr().err
    assert "Keras 99.1.0" in err and "Traceback" not in err and len(err.splitlines()) == 1
    cfg["versions"]["keras"] = "3.0.0"                            # an older Keras: loaded
    (copy / "config.json").write_text(json.dumps(cfg))
    assert runs.load_run(copy).config["versions"]["keras"] == "3.0.0"


@pytest.fixture(scope="module")
def musicnn_run(dataset, tmp_path_factory):
    return _trained("musicnn", dataset, tmp_path_factory, epochs=3)


def test_musicnn_run_trains_a_probe_on_frozen_embeddings(musicnn_run, dataset, tmp_path):
    import shutil
    from course_utils import pretrained
    cfg = json.loads((musicnn_run / "config.json").read_text())
    assert cfg["inputs"] == ["musicnn"] and cfg["augment"] == ["mixup"]
    assert cfg["pretrained"] == {"model": "MSD_musicnn", "fine_tuned": False,
                                 "weights_sha256": pretrained.WEIGHTS_SHA256["MSD_musicnn"],
                                 "feature": "max_pool and mean_pool per 3-s patch"}
    m = json.loads((musicnn_run / "metrics.json").read_text())
    assert {"track_accuracy", "deep_track_accuracy", "svm_track_accuracy"} <= set(m)
    # the probe is cross-fitted: weight and threshold come from every non-test track, out of fold
    split = json.loads((musicnn_run / "split.json").read_text())
    n_fit = len(split["train"]) + len(split["val"])
    assert cfg["ensemble_held_out"]["tracks"] == n_fit and cfg["ensemble_held_out"]["folds"] >= 2
    assert cfg["ensemble_rule"].startswith(f"fitted on out-of-fold predictions for {n_fit}")
    assert cfg["ensemble_weight"] in classical.WEIGHT_GRID
    assert cfg["unsure"]["held_out_tracks"] == n_fit and cfg["unsure"]["threshold"] > 0
    run = runs.load_run(musicnn_run)
    assert run.model.input_shape == (None, 1506)
    f = next((dataset / "rock").iterdir())
    top = runs.predict_file(run, f, top_k=2)["top"]
    assert len(top) == 2 and top[0]["probability"] >= top[1]["probability"]
    moved = shutil.copytree(musicnn_run, tmp_path / "other_weights")
    cfg["pretrained"]["weights_sha256"] = "0" * 64
    (moved / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(RunMismatchError, match="other MSD_musicnn weights"):
        runs.load_run(moved)


def test_the_flag_calls_sounds_unlike_the_training_music_unsure(run_dir, dataset, tmp_path):
    from fakes import tone
    cfg = json.loads((run_dir / "config.json").read_text())
    split = json.loads((run_dir / "split.json").read_text())
    assert cfg["novelty"]["held_out_tracks"] == len(split["train"]) + len(split["val"])
    assert cfg["novelty"]["space"] == "musicnn"          # the default: musicnn's embedding
    run = runs.load_run(run_dir)
    assert run.novelty.mean.shape == (pretrained.FEATURE_DIM,)
    noise = np.random.default_rng(0).normal(0, 0.3, 22050 * 7).astype(np.float32)
    sf.write(tmp_path / "noise.wav", noise, 22050)
    odd = runs.predict_file(run, tmp_path / "noise.wav")
    assert odd["unsure"] is True and "unlike the training music" in odd["unsure_reason"]
    own = runs.predict_file(run, next((dataset / "rock").iterdir()))   # a training track
    assert own["unsure_reason"] is None or "unlike" not in own["unsure_reason"]
    with np.load(run_dir / runs.NOVELTY_FILE, allow_pickle=False) as npz:   # no pickle in it
        assert set(npz.files) == {"mean", "scale", "precision"}


def test_the_statistics_space_and_runs_saved_before_it_had_a_name(tiny_dataset, tmp_path):
    out = runs.train_run("cnn", dataset=tiny_dataset, out=tmp_path / "stats", epochs=1,
                         verbose=0, novelty="stats", progress=False)
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["novelty"]["space"] == "stats" and runs.load_run(out).novelty_key == "stats"
    f = next((tiny_dataset / "rock").iterdir())
    assert len(runs.predict_file(out, f)["top"]) == 3    # predicts without musicnn's pass
    pred = runs.load_run(out).predict_table(data.load_dataset(tiny_dataset, progress=False),
                                            progress=False)
    assert pred.novelty is not None and np.isfinite(pred.novelty).all()
    del cfg["novelty"]["space"]                           # a run of format 4
    (out / "config.json").write_text(json.dumps(cfg))
    assert runs.load_run(out).novelty_key == "stats"
    with pytest.raises(ParameterError, match="novelty"):
        runs.train_run("cnn", dataset=tiny_dataset, out=tmp_path / "x", novelty="mfcc")


def test_musicnn_refuses_waveform_copies(dataset, tmp_path):
    with pytest.raises(ParameterError, match="not embedded for musicnn"):
        runs.train_run("musicnn", dataset=dataset, out=tmp_path / "x", augment="pitch")


def test_musicnn_fine_tune_trains_end_to_end(dataset, tmp_path):
    # the distance test in the statistics' space: musicnn's (an MSD pass over every track) is
    # test_the_flag_calls_sounds_unlike_the_training_music_unsure's
    out = runs.train_run("musicnn", fine_tune=True, pretrained_model="MTT_musicnn",
                         dataset=dataset, out=tmp_path / "ft", epochs=1, verbose=0, seed=1,
                         ensemble=False, novelty="stats")
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["model"] == "musicnn_ft" and cfg["inputs"] == ["musicnn_patches"]
    assert cfg["pretrained"]["fine_tuned"] is True and cfg["pretrained"]["model"] == "MTT_musicnn"
    assert cfg["norm"]["musicnn_patches"]["std"] == [1.0] * 96     # musicnn normalises itself
    assert cfg["pretrained"]["kept"] in ("probe", "fine-tuned")
    assert pd.read_csv(out / "history.csv")["stage"].tolist()[-1] == 2
    m = evaluate.evaluate_run(out, progress=False)
    assert m["n_test_tracks"] > 0
    assert "stats_track_accuracy" not in m           # no ensemble, but the baseline is scored
    assert m["svm_track_accuracy"] > 0.1 + 0.2
    f = next((dataset / "jazz").iterdir())
    assert len(runs.predict_file(out, f)["top"]) == 3
    with pytest.raises(ParameterError, match="Use --model musicnn --fine-tune"):
        runs.train_run("cnn", fine_tune=True, dataset=dataset, out=tmp_path / "x")


def test_fine_tuning_trains_the_probe_first_and_keeps_it_when_tuning_hurts(dataset):
    tracks = data.load_dataset(dataset, progress=False)
    extra = runs.folder.transfer_inputs("musicnn_ft", tracks["path"], "MTT_musicnn", False)
    prep = segments.prepare(tracks=tracks, seed=1, overlap=False, extra=extra, augment=(),
                            inputs=models.MODEL_INPUTS["musicnn_ft"], progress=False)
    model = models.build_fine_tune(len(prep.genres), pretrained_model="MTT_musicnn")
    backbone = [w.copy() for w in model.get_layer("MTT_musicnn").get_weights()]
    probe = [w.copy() for w in model.get_layer("probe").get_weights()]
    # a learning rate of 10 wrecks the pretrained layers: the probe's weights must come back
    fitted = train.fit_fine_tune(model, prep, epochs=1, probe_epochs=3, learning_rate=10.0,
                                 augment=(), verbose=0)
    history = fitted.history
    assert history["stage"] == [1, 1, 1, 2]
    assert fitted.fine_tune["kept"] == "probe"
    for before, after in zip(backbone, model.get_layer("MTT_musicnn").get_weights()):
        np.testing.assert_array_equal(before, after)
    assert any(not np.array_equal(a, b)                         # but the probe did train
               for a, b in zip(probe, model.get_layer("probe").get_weights()))
    pooled = keras.Model(model.input, model.get_layer("feature_norm").output)
    z = np.asarray(pooled(prep.train.X["musicnn_patches"][:64]))
    assert abs(z.mean()) < 0.5 and 0.3 < z.std() < 2      # features normalised on train


def test_cross_fitting_splits_tracks_when_artists_would_leave_a_genre_out(caplog):
    genres = np.repeat(["a", "b"], 6)
    table = pd.DataFrame({"track_id": [f"{g}.{i:05d}" for i, g in enumerate(genres)],
                          "genre": genres,
                          "artist": ["solo"] * 6 + [f"b{i % 3}" for i in range(6)]})
    labels = (genres == "b").astype(int)
    with caplog.at_level("WARNING", logger="course_utils"):
        folds = runs.ensemble.cross_fit_folds(table, labels, seed=0)
    assert "split tracks instead" in caplog.text          # genre a is one artist's
    for fit, held in folds:
        assert np.bincount(labels[fit], minlength=2).min() >= 2
    grouped = table.assign(genre=np.tile(["a", "b"], 6), artist=[f"x{i // 2}" for i in range(12)])
    caplog.clear()
    with caplog.at_level("WARNING", logger="course_utils"):
        folds = runs.ensemble.cross_fit_folds(grouped, np.tile([0, 1], 6), seed=0)
    assert not caplog.text                                # enough artists: grouped folds
    for fit, held in folds:
        assert not set(grouped["artist"].iloc[fit]) & set(grouped["artist"].iloc[held])


def test_fit_accuracy_scores_the_training_tracks_own_segments_not_their_copies():
    from course_utils.runs import fit

    class Stub:   # predicts the class written in each segment's first value
        def predict(self, X, verbose=0, batch_size=128):
            return np.eye(2)[X[:, 0, 0, 0].astype(int)]

    def seg(written, labels):
        return segments.Segments({"logmel": np.array(written, float).reshape(-1, 1, 1, 1)},
                                 np.array(labels), np.array(["t"] * len(labels)))

    train = segments.Segments.concat([seg([0, 0, 1, 1], [0, 0, 1, 1]),     # the tracks: right
                                      seg([0, 0, 0, 0], [1, 1, 1, 1])])    # their copies: wrong
    prepared = segments.Prepared(train, seg([0, 1], [0, 0]), seg([0], [0]), split=None,
                                 genres=["a", "b"], inputs=("logmel",), originals=4)
    assert fit._fit_accuracy(Stub(), "cnn", prepared) == {"train": 1.0, "val": 0.5}
    prepared.originals = None                                                # no copies
    assert fit._fit_accuracy(Stub(), "cnn", prepared)["train"] == 0.5
