"""Tests for course_utils.train: augmentation parsing, SpecAugment, batches and fit."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils import models, segments, train
from course_utils.exceptions import ParameterError
from fakes import write_dataset

GENRES = ("blues", "jazz", "rock", "pop")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    dataset = write_dataset(tmp_path_factory.mktemp("ds") / "tones", genres=GENRES,
                            per_genre=8, seconds=7.0)
    return segments.prepare(dataset, seed=1, progress=False)


def test_batches_are_seeded_and_mixup_targets_sum_to_one(prepared):
    make = lambda seed: train.Batches(prepared.train, 4, model_name="parallel", batch_size=8,
                                      augment=("specaugment", "mixup"), seed=seed)
    (xa, ta), (xb, tb), (xc, _) = make(3)[0], make(3)[0], make(4)[0]
    np.testing.assert_array_equal(xa["logmel"], xb["logmel"])
    np.testing.assert_array_equal(ta, tb)
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


@pytest.mark.slow
def test_fit_recompiles_for_its_one_hot_targets_and_learning_rate(prepared):
    """A model compiled the keras-io way (integer labels) still trains under fit."""
    keras.backend.clear_session()
    model = models.compile_model(models.build_lstm(prepared.shapes()["mfcc"], len(GENRES)),
                                 learning_rate=0.5)
    history = train.fit(model, prepared, model_name="lstm", epochs=1, learning_rate=2e-3,
                        augment=("mixup",), verbose=0)
    assert model.loss == "categorical_crossentropy"
    assert float(model.optimizer.learning_rate) == pytest.approx(2e-3)
    assert np.isfinite(history.history["loss"]).all() and len(history.history["epoch_seconds"]) == 1
