"""The command line end to end, in FAST mode, on the synthetic set (as a learner runs it)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from course_utils import cli, evaluate, runs

pytestmark = pytest.mark.slow
MARGIN = 0.2   # FAST models must beat chance (10 %) by at least 20 points of track accuracy


def course(*args, env=None):
    return subprocess.run([sys.executable, "-m", "course_utils", *map(str, args)],
                          capture_output=True, text=True, timeout=900, env=env)


@pytest.fixture(scope="module")
def env(fast_synthetic, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cli-cache")
    return {**os.environ, "COURSE_FAST": "1", "COURSE_CACHE_DIR": str(cache),
            "COURSE_DATA_DIR": str(fast_synthetic.parent), "TF_CPP_MIN_LOG_LEVEL": "3"}


@pytest.fixture(scope="module")
def cnn_run(env, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "cnn"
    result = course("train", "--model", "cnn", "--out", out, "--fast", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "track accuracy" in result.stdout
    return out


def test_verify_synthetic(env, fast_synthetic):
    result = course("data", "verify", "--dataset", fast_synthetic, env=env)
    assert result.returncode == cli.EXIT_OK, result.stderr[-2000:]
    assert "OK: every file is usable." in result.stdout and "disco" in result.stdout


def test_train_writes_a_complete_run_above_chance(cnn_run):
    metrics = json.loads((cnn_run / "metrics.json").read_text())
    assert metrics["dataset"] == "synthetic" and metrics["n_test_tracks"] == 45
    assert metrics["track_accuracy"] > 0.1 + MARGIN
    assert metrics["deep_track_accuracy"] > 0.1 + MARGIN     # the CNN alone learned too
    assert sum(map(sum, metrics["confusion_matrix"])) == 45


def test_refuses_existing_out(env, cnn_run):
    result = course("train", "--model", "cnn", "--out", cnn_run, env=env)
    assert result.returncode == cli.EXIT_USAGE and "--overwrite" in result.stderr


def test_predict_folder_with_a_bad_file(env, cnn_run, fast_synthetic, tmp_path):
    folder = tmp_path / "collection"
    folder.mkdir()
    for f in sorted((fast_synthetic / "genres_original" / "metal").iterdir())[:2]:
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "broken.wav").write_text("not audio")
    result = course("predict", cnn_run, folder, "--json", "--segments", "--csv",
                    tmp_path / "tags.csv", env=env)
    assert result.returncode == cli.EXIT_PARTIAL
    entries = {os.path.basename(e["file"]): e for e in json.loads(result.stdout)}
    assert "could not be decoded" in entries["broken.wav"]["error"]
    assert "broken.wav" in result.stderr and "Traceback" not in result.stderr
    good = entries["metal.00000.flac"]
    assert len(good["top"]) == 3 and len(good["segments"]) == 2
    # a synthetic-trained run on files outside the synthetic set: the domain note in every
    # row, said once on stderr (stdout stays JSON)
    assert good["note"] == runs.SYNTHETIC_DOMAIN_NOTE
    assert result.stderr.count(f"note: {runs.SYNTHETIC_DOMAIN_NOTE}") == 1
    own = course("predict", cnn_run, fast_synthetic / "genres_original" / "metal" /
                 "metal.00000.flac", env=env)
    assert own.returncode == cli.EXIT_OK and "note:" not in own.stdout + own.stderr
    rows = list(csv.DictReader(open(tmp_path / "tags.csv")))
    assert [r["file"].split("/")[-1] for r in rows] == sorted(entries)
    threshold = json.loads((cnn_run / "config.json").read_text())["unsure"]["threshold"]
    for r in rows[1:]:                 # the broken file has no flag; the others follow the rules
        low = float(r["probability"]) < threshold
        assert ("low confidence" in r["unsure_reason"]) == low
        assert r["unsure"] == str(int(bool(r["unsure_reason"])))
    only_bad = course("predict", cnn_run, folder / "broken.wav", env=env)
    assert only_bad.returncode == cli.EXIT_UNUSABLE


def test_unsure_threshold_is_chosen_on_validation_tracks(cnn_run):
    cfg = json.loads((cnn_run / "config.json").read_text())
    split = json.loads((cnn_run / "split.json").read_text())
    rule = cfg["unsure"]
    assert 0.0 < rule["threshold"] < 1.0 and rule["held_out_tracks"] == len(split["val"])
    assert rule["held_out"] == f"the {len(split['val'])} validation tracks"
    # the coverage rule always flags the least sure 5 % (rounded down) of the held-out tracks
    n = rule["held_out_tracks"]
    assert rule["held_out_coverage"] <= 1 - int(n * (1 - rule["keep"])) / n
    assert rule["rule"] in ("accuracy", "coverage") and 0 < rule["held_out_accuracy"] <= 1
    assert cfg["ensemble_held_out"] == {"tracks": len(split["val"]), "folds": None}


def test_timeline_end_to_end(env, cnn_run, fast_synthetic, tmp_path):
    import numpy as np
    import soundfile as sf
    clips = [sf.read(fast_synthetic / "genres_original" / g / f"{g}.00000.flac")[0]
             for g in ("classical", "metal")]
    medley = tmp_path / "medley.wav"
    sf.write(medley, np.concatenate([clips[0], clips[1][:int(4.3 * 22050)]]), 22050)
    result = course("predict", cnn_run, medley, "--timeline", "--hop", "2", "--json",
                    "--csv", tmp_path / "t.csv", "--plot", tmp_path / "t.png", env=env)
    assert result.returncode == cli.EXIT_OK, result.stderr[-2000:]
    rows = json.loads(result.stdout)                  # 10.3 s: 0, 2, 4, 6 and 7.3
    assert [round(r["start"], 2) for r in rows] == [0.0, 2.0, 4.0, 6.0, 7.3]
    assert rows[-1]["end"] == pytest.approx(10.3, abs=1e-3)
    genres = [k for k in rows[0] if k not in ("start", "end", "genre", "probability")]
    assert len(genres) == 10
    assert all(r["genre"] == max(genres, key=r.get) for r in rows)
    assert all(r["probability"] == pytest.approx(max(r[g] for g in genres)) for r in rows)
    assert len(list(csv.DictReader(open(tmp_path / "t.csv")))) == 5
    assert (tmp_path / "t.png").stat().st_size > 1000
    folder = course("predict", cnn_run, tmp_path, "--timeline", env=env)
    assert folder.returncode == cli.EXIT_USAGE and "one FILE" in folder.stderr


def test_similar_end_to_end(env, cnn_run, fast_synthetic, tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    for g in ("classical", "metal", "reggae"):
        for f in sorted((fast_synthetic / "genres_original" / g).iterdir())[1:4]:
            (index / f.name).write_bytes(f.read_bytes())
    (index / "broken.wav").write_text("not audio")
    query = fast_synthetic / "genres_original" / "metal" / "metal.00000.flac"
    first = course("similar", cnn_run, query, "--index", index, "--k", "4", "--json", env=env)
    assert first.returncode == cli.EXIT_PARTIAL, first.stderr[-2000:]
    hits = json.loads(first.stdout)
    assert [h["rank"] for h in hits] == [1, 2, 3, 4]
    assert [h["distance"] for h in hits] == sorted(h["distance"] for h in hits)
    assert "broken.wav" in first.stderr and "9 tracks indexed in run space (0 from" in first.stderr
    again = course("similar", cnn_run, query, "--index", index, "--space", "mfcc", env=env)
    assert again.returncode == cli.EXIT_PARTIAL and len(again.stdout.splitlines()) == 5
    (index / "broken.wav").unlink()
    cached = course("similar", cnn_run, query, "--index", index, env=env)
    assert cached.returncode == cli.EXIT_OK, cached.stderr[-2000:]
    assert "(9 from the cache)" in cached.stderr


def test_evaluate_external_and_compare(env, cnn_run, gtzan_sample):
    result = course("evaluate", cnn_run, "--dataset", gtzan_sample / "genres", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    m = json.loads((cnn_run / "eval_genres.json").read_text())
    assert m["n_test_tracks"] == 10 and (cnn_run / "eval_genres_confusion.png").exists()
    both = course("predict", cnn_run, gtzan_sample / "genres" / "jazz",
                  gtzan_sample / "genres_original" / "blues", "--json", env=env)
    assert both.returncode == 0, both.stderr[-2000:]
    files = [os.path.basename(e["file"]) for e in json.loads(both.stdout)]
    assert files == ["jazz.00000.au", "blues.00000.wav", "blues.00001.wav", "blues.00002.wav"]
    assert {e["note"] for e in json.loads(both.stdout)} == {runs.SYNTHETIC_DOMAIN_NOTE}
    table = course("compare", cnn_run, cnn_run, env=env)
    assert table.returncode == 0 and "cnn" in table.stdout and "± 0.0%" in table.stdout


def test_a_real_folder_named_gtzan_trains_evaluates_and_predicts(env, gtzan_sample, tmp_path):
    """A learner's GTZAN folder, named ``gtzan`` but not under the data root, end to end."""
    import real_fixture
    folder = real_fixture.build(tmp_path / "music" / "gtzan", shared=gtzan_sample.parent)
    out = tmp_path / "runs" / "real"
    trained = course("train", "--model", "cnn", "--dataset", folder, "--out", out, "--fast",
                     env=env)
    assert trained.returncode == cli.EXIT_OK, trained.stderr[-2000:]
    again = course("evaluate", out, env=env)          # finds the folder it was trained on
    assert again.returncode == cli.EXIT_OK, again.stderr[-2000:]
    assert json.loads((out / "metrics.json").read_text())["n_test_tracks"] >= 10
    said = course("predict", out, gtzan_sample / "genres" / "metal", "--json", env=env)
    assert said.returncode == cli.EXIT_OK, said.stderr[-2000:]
    (row,) = json.loads(said.stdout)
    assert row["note"] is None and row["top"][0]["genre"] in runs.load_run(out).genres
    assert "note:" not in said.stderr           # trained on real music: no domain note


# The CRNN and the parallel model are trained through the same train_run in lesson 05, whose
# comparison cell asserts every model above chance in FAST mode; training them here as well
# cost CI 86 s.
@pytest.mark.parametrize("model", ["lstm"])
def test_other_models_learn_in_fast_mode(model, env, monkeypatch, tmp_path):
    for key in ("COURSE_FAST", "COURSE_CACHE_DIR", "COURSE_DATA_DIR"):
        monkeypatch.setenv(key, env[key])
    run = runs.train_run(model, out=tmp_path / model, ensemble=False, verbose=0)
    m = evaluate.evaluate_run(run, progress=False)
    assert m["track_accuracy"] > 0.1 + MARGIN, f"{model}: {m['track_accuracy']:.1%}"


def test_musicnn_trains_evaluates_and_predicts_under_jax(env, fast_synthetic, tmp_path):
    """``train --model musicnn`` end to end with ``KERAS_BACKEND=jax``, as on a JAX machine."""
    pytest.importorskip("jax")
    jax_env = {**env, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    # 4 genres x 10 FAST clips: musicnn embeds 40 clips instead of all 300 (81 s -> about 25 s)
    subset = tmp_path / "subset"
    for genre in ("classical", "metal", "reggae", "disco"):
        (subset / genre).mkdir(parents=True)
        for f in sorted((fast_synthetic / "genres_original" / genre).iterdir())[:10]:
            (subset / genre / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "musicnn-jax"
    # --novelty stats: one musicnn pass (MTT, the probe's input), not a second (MSD) for the
    # distance test, which is the same embedding code with other weights
    result = course("train", "--model", "musicnn", "--pretrained", "MTT_musicnn", "--out", out,
                    "--dataset", subset, "--fast", "--novelty", "stats", env=jax_env)
    assert result.returncode == cli.EXIT_OK, result.stderr[-2000:]
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["versions"]["backend"] == "jax" and cfg["pretrained"]["model"] == "MTT_musicnn"
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["deep_track_accuracy"] > 0.25 + MARGIN and "svm_track_accuracy" in metrics
    clip = next((fast_synthetic / "genres_original" / "metal").iterdir())
    result = course("predict", out, clip, "--json", env=jax_env)
    assert result.returncode == cli.EXIT_OK, result.stderr[-2000:]
    assert json.loads(result.stdout)[0]["top"][0]["genre"] in cfg["genres"]
