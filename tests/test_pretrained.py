"""Tests for course_utils.pretrained: the Keras 3 musicnn equals the original TF1 graph."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils import models, pretrained
from course_utils.exceptions import AudioDecodeError, DataNotFoundError, ParameterError

REFERENCE = Path(__file__).parent / "data" / "musicnn_reference.npz"
# Largest differences measured against the original graph (TensorFlow and JAX, CPU):
# penultimate 3.5e-6, taggram 1.1e-6, mean_pool 3.7e-6, max_pool 2.8e-4 on values up to 58.
TOLERANCE = {"penultimate": 2e-5, "taggram": 1e-5, "mean_pool": 2e-5, "max_pool": 2e-3}


def _compare(name: str) -> dict[str, float]:
    ref = np.load(REFERENCE)
    out = pretrained.load_musicnn(name).predict(ref["x"], verbose=0)
    return {k: float(np.abs(np.asarray(out[k]) - ref[f"{name}/{k}"].reshape(out[k].shape)).max())
            for k in pretrained.OUTPUTS}


@pytest.mark.parametrize("name", pretrained.MODELS)
def test_rebuild_matches_the_original_graph(name):
    diffs = _compare(name)
    assert all(diffs[k] <= TOLERANCE[k] for k in diffs), diffs


@pytest.mark.slow   # a JAX process of its own
def test_rebuild_matches_under_jax():
    pytest.importorskip("jax")
    code = ("import json, sys; sys.path.insert(0, 'tests'); import test_pretrained as t; "
            "print(json.dumps({n: t._compare(n) for n in t.pretrained.MODELS}))")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=Path(__file__).parent.parent, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    for name, diffs in json.loads(out.stdout.strip().splitlines()[-1]).items():
        assert all(diffs[k] <= TOLERANCE[k] for k in diffs), (name, diffs)


def test_pooled_features_reach_the_dense_layers_interleaved():
    """TF1 flattened [753, 2]: max and mean alternate per channel, not [max..., mean...]."""
    import keras
    ref = np.load(REFERENCE)
    model = pretrained.load_musicnn("MSD_musicnn")
    probe = keras.Model(model.input, [model.get_layer("interleave").output,
                                      model.get_layer("max_pool").output,
                                      model.get_layer("mean_pool").output])
    flat, mx, mn = (np.asarray(t) for t in probe.predict(ref["x"], verbose=0))
    np.testing.assert_array_equal(flat[:, 0::2], mx)
    np.testing.assert_array_equal(flat[:, 1::2], mn)


def test_embed_shapes_tags_and_pooling():
    sr = 22050
    y = np.random.default_rng(0).normal(0, 0.1, size=int(7.5 * sr)).astype(np.float32)
    emb = pretrained.embed(y, sr=sr, model="MTT_musicnn")
    assert emb.max_pool.shape == emb.mean_pool.shape == (2, 753)   # 7.5 s: two whole patches
    assert emb.penultimate.shape == (2, 200) and emb.taggram.shape == (2, 50)
    assert emb.tags[3] == "techno" and len(emb.tags) == 50
    assert ((emb.taggram > 0) & (emb.taggram < 1)).all()
    assert emb.pooled().shape == (1506,)
    np.testing.assert_allclose(emb.pooled()[:753], emb.max_pool.mean(axis=0), rtol=1e-6)
    assert pretrained.embed(y, sr=sr, hop=94).taggram.shape[0] == 4   # half-overlapping


def test_logmel_frames_and_float32():
    M = pretrained.logmel(np.ones(16000 * 3, dtype=np.float32) * 0.5, sr=16000)
    assert M.shape == (188, 96) and M.dtype == np.float32 and np.isfinite(M).all()
    loud = np.sin(2 * np.pi * 100 * np.arange(48000) / 16000).astype(np.float32)
    assert np.isfinite(pretrained.logmel(loud, sr=16000)).all()   # float16 would give inf


def test_short_clip_is_refused():
    with pytest.raises(AudioDecodeError, match="too short for musicnn: .* it needs 187"):
        pretrained.embed(np.ones(2 * 22050, dtype=np.float32) * 0.1, sr=22050)


def test_unknown_model_is_refused():
    with pytest.raises(ParameterError, match="MSD_musicnn"):
        pretrained.build_musicnn("VGG")


def test_tampered_or_pickled_weights_are_refused(tmp_path, monkeypatch):
    shutil.copytree(pretrained.WEIGHTS_DIR, tmp_path / "weights")
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path / "weights")
    path = tmp_path / "weights" / "MSD_musicnn.npz"
    arrays = dict(np.load(path))
    arrays["dense/bias"] = arrays["dense/bias"] + 1
    np.savez(path, **arrays)
    with pytest.raises(DataNotFoundError, match="does not hold the published MSD_musicnn"):
        pretrained.read_weights("MSD_musicnn")
    np.savez(path, payload=np.array([object()], dtype=object))     # needs pickle to open
    with pytest.raises(ValueError, match="allow_pickle"):
        pretrained.read_weights("MSD_musicnn")
    path.unlink()
    with pytest.raises(DataNotFoundError, match="weights of MSD_musicnn are missing"):
        pretrained.read_weights("MSD_musicnn")


def test_embed_files_caches_reports_bad_files_and_follows_edits(tmp_path, monkeypatch, caplog):
    import soundfile as sf
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    rng = np.random.default_rng(1)
    good = tmp_path / "good.wav"
    sf.write(good, rng.normal(0, 0.1, 4 * 22050).astype(np.float32), 22050)
    short = tmp_path / "short.wav"
    sf.write(short, rng.normal(0, 0.1, 22050).astype(np.float32), 22050)
    (tmp_path / "broken.wav").write_bytes(b"not audio at all")
    paths = [good, short, tmp_path / "broken.wav"]
    first = pretrained.embed_files(paths, progress=False)
    assert list(first) == [str(good)]                           # the bad ones left out ...
    assert "short.wav" in caplog.text and "broken.wav" in caplog.text   # ... and reported
    assert "2 of 3 files could not be embedded" in caplog.text
    calls = []
    real = pretrained.embed
    monkeypatch.setattr(pretrained, "embed", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = pretrained.embed_files([good], progress=False)
    assert calls == [] and np.array_equal(again[str(good)].taggram, first[str(good)].taggram)
    sf.write(good, rng.normal(0, 0.2, 5 * 22050).astype(np.float32), 22050)   # edited
    pretrained.embed_files([good], progress=False)
    assert calls == [1]
    assert list((tmp_path / "cache").rglob("*.npz"))                # plain arrays on disk


def test_fine_tune_model_starts_from_the_pretrained_features_and_keeps_bn_frozen():
    import keras
    ref = np.load(REFERENCE)
    model = models.build_fine_tune(4, pretrained_model="MTT_musicnn")
    backbone = next(layer for layer in model.layers if isinstance(layer, keras.Model)
                    and layer.name == "MTT_musicnn")
    max_pool, mean_pool = backbone.predict(ref["x"], verbose=0)
    np.testing.assert_allclose(mean_pool, ref["MTT_musicnn/mean_pool"].reshape(1, -1),
                               atol=TOLERANCE["mean_pool"])
    assert "dense_1" not in [layer.name for layer in backbone.layers]   # no tagging layers
    assert model.input_shape == (None, 187, 96) and model.output_shape == (None, 4)
    bn = [l for l in backbone.layers if isinstance(l, keras.layers.BatchNormalization)]
    assert bn and not any(l.trainable for l in bn)
    conv = backbone.get_layer("conv2d_5")
    before_conv, before_bn = conv.get_weights()[0].copy(), bn[3].get_weights()[2].copy()
    models.compile_model(model, learning_rate=1e-3)
    x = np.repeat(ref["x"], 4, axis=0) + np.random.default_rng(0).normal(0, 0.1, (4, 187, 96))
    model.train_on_batch(x.astype("float32"), np.arange(4))
    assert not np.array_equal(conv.get_weights()[0], before_conv)        # the network learns
    np.testing.assert_array_equal(bn[3].get_weights()[2], before_bn)     # its statistics stay
    shared = pretrained.load_musicnn("MTT_musicnn").get_layer("conv2d_5").get_weights()[0]
    assert not np.array_equal(shared, conv.get_weights()[0])             # the cache is untouched
