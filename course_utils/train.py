"""Training a network: augmentation, shuffled batches and ``fit``.

``fit`` trains a model on the segments of :func:`course_utils.segments.prepare`
with SpecAugment and mixup on the fly, early stopping on *validation* (never
test) and a learning rate that halves when validation stalls. Pitch and speed
copies are made by ``prepare``; ``parse_augment`` reads ``--augment``.
Introduced in 03_cnn.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Sequence

import keras
import numpy as np

from . import _validate, config, models, segments

AUGMENTS = ("specaugment", "mixup", *segments.WAVEFORM_AUGMENTS)
DEFAULT_AUGMENT = ("specaugment", "mixup")

logger = logging.getLogger(__name__)


def parse_augment(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """Parse ``"specaugment,mixup"`` (or ``"none"``) into a checked tuple.

    Examples
    --------
    >>> parse_augment("mixup, pitch,mixup"), parse_augment("none"), parse_augment(None)
    (('mixup', 'pitch'), (), ('specaugment', 'mixup'))
    """
    if spec is None:
        return DEFAULT_AUGMENT
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [s for s in items if s and s != "none"]
    for item in items:
        _validate.one_of(item, AUGMENTS, "augment")
    return tuple(dict.fromkeys(items))


def spec_augment(X: np.ndarray, rng: np.random.Generator, *, freq_width: int = 12,
                 time_width: int = 16, n_masks: int = 2) -> np.ndarray:
    """SpecAugment: zero ``n_masks`` random frequency bands and time spans per example.

    ``X`` is normalised, so 0 is the mean. Works on ``(n, bands, t, 1)`` and,
    with time masks only, on ``(n, t, coefficients)``.
    """
    X = X.copy()
    time_axis = 2 if X.ndim == 4 else 1
    for i in range(len(X)):
        for _ in range(n_masks):
            t0, w = rng.integers(X.shape[time_axis]), rng.integers(1, time_width + 1)
            if X.ndim == 4:
                X[i, :, t0:t0 + w] = 0
                f0, h = rng.integers(X.shape[1]), rng.integers(1, freq_width + 1)
                X[i, f0:f0 + h] = 0
            else:
                X[i, t0:t0 + w] = 0
    return X


class Batches(keras.utils.PyDataset):
    """Seeded, shuffled training batches with SpecAugment and mixup on the fly."""

    def __init__(self, seg: segments.Segments, num_classes: int, *, model_name: str,
                 batch_size: int = 32, augment: Sequence[str] = (), seed: int = config.SEED):
        super().__init__()
        self.seg, self.num_classes, self.batch_size = seg, num_classes, batch_size
        self.model_name = model_name
        self.augment, self.rng = set(augment), np.random.default_rng(seed)
        self.order = self.rng.permutation(len(seg))

    def __len__(self) -> int:
        return int(np.ceil(len(self.seg) / self.batch_size))

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.seg))

    def __getitem__(self, i: int):
        idx = np.sort(self.order[i * self.batch_size:(i + 1) * self.batch_size])
        X = {k: v[idx] for k, v in self.seg.X.items()}
        targets = np.eye(self.num_classes, dtype=np.float32)[self.seg.labels[idx]]
        if "specaugment" in self.augment:     # spectrograms only, not embeddings
            X = {k: spec_augment(v, self.rng) if k in ("logmel", "mfcc") else v
                 for k, v in X.items()}
        if "mixup" in self.augment and len(idx) > 1:
            lam = self.rng.beta(0.2, 0.2, size=len(idx)).astype(np.float32)
            perm = self.rng.permutation(len(idx))
            mix = lambda A, lam_: lam_ * A + (1 - lam_) * A[perm]
            X = {k: mix(v, lam.reshape((-1,) + (1,) * (v.ndim - 1))) for k, v in X.items()}
            targets = mix(targets, lam[:, None])
        return models.select_inputs(self.model_name, X), targets


# --------------------------------------------------------------------------- fit
def default_epochs() -> int:
    """Epoch budget: 12 in FAST mode, 40 otherwise (early stopping usually ends sooner)."""
    return 12 if config.fast() else 40


def fit(model: keras.Model, prepared: segments.Prepared, *, model_name: str,
        epochs: int | None = None,
        batch_size: int = 32, augment: Sequence[str] = DEFAULT_AUGMENT,
        learning_rate: float = 1e-3, patience: int = 6, class_weight: dict | None = None,
        checkpoint: str | os.PathLike | None = None, seed: int = config.SEED,
        verbose: int | str = "auto") -> keras.callbacks.History:
    """Train ``model`` on ``prepared.train``; choose the best epoch on validation.

    Early stopping and the optional best checkpoint watch ``val_loss`` (never the
    test set); the learning rate halves when validation stalls. Keras prints its
    progress bars. ``history.history["epoch_seconds"]`` holds wall time per epoch.

    Parameters
    ----------
    model : keras.Model
        Uncompiled or compiled: ``fit`` always compiles it again with
        ``models.compile_model(..., learning_rate=learning_rate,
        targets="one-hot")``, because it feeds one-hot and mixed-up targets.
        An earlier compile (its loss, optimiser and optimiser state) is replaced.
    prepared : course_utils.segments.Prepared
    model_name : str
        A key of ``models.MODEL_INPUTS``: which inputs to feed.
    class_weight : dict or None
        ``{class index: weight}``, or ``"balanced"`` to weight by inverse frequency.

    Returns
    -------
    keras.callbacks.History
    """
    epochs = _validate.positive_int(epochs or default_epochs(), "epochs")
    if class_weight == "balanced":
        counts = np.bincount(prepared.train.labels, minlength=len(prepared.genres))
        class_weight = {i: len(prepared.train.labels) / (len(counts) * max(c, 1))
                        for i, c in enumerate(counts)}
    models.compile_model(model, learning_rate=learning_rate, targets="one-hot")
    batches = Batches(prepared.train, len(prepared.genres), model_name=model_name,
                      batch_size=batch_size, augment=augment, seed=seed)
    val_X = models.select_inputs(model_name, prepared.val.X)
    val_targets = np.eye(len(prepared.genres), dtype=np.float32)[prepared.val.labels]
    timer = _EpochTimer()
    callbacks = [keras.callbacks.EarlyStopping("val_loss", patience=patience,
                                               restore_best_weights=True),
                 keras.callbacks.ReduceLROnPlateau("val_loss", factor=0.5,
                                                   patience=max(2, patience // 2)), timer]
    if checkpoint:
        callbacks.append(keras.callbacks.ModelCheckpoint(str(checkpoint), monitor="val_loss",
                                                         save_best_only=True))
    history = model.fit(batches, validation_data=(val_X, val_targets), epochs=epochs,
                        callbacks=callbacks, class_weight=class_weight, verbose=verbose)
    history.history["epoch_seconds"] = timer.seconds
    return history


def fit_epochs(model: keras.Model, seg: segments.Segments, num_classes: int, *, model_name: str,
               learning_rates: Sequence[float], batch_size: int = 32,
               augment: Sequence[str] = DEFAULT_AUGMENT,
               seed: int = config.SEED) -> keras.callbacks.History:
    """Train ``model`` on normalised segments, one epoch per entry of ``learning_rates``,
    with no validation.

    For cross-fitting (:mod:`course_utils.runs`): the epochs and their learning rates are
    those :func:`fit` chose for the run itself (early stopping and halving on validation),
    replayed, so no track needs to be held back here and each fold's model ends about as
    sure of itself as the run's.
    """
    rates = [float(r) for r in learning_rates]
    models.compile_model(model, learning_rate=rates[0], targets="one-hot")
    batches = Batches(seg, num_classes, model_name=model_name, batch_size=batch_size,
                      augment=augment, seed=seed)
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, _: rates[epoch])
    return model.fit(batches, epochs=_validate.positive_int(len(rates), "epochs"),
                     callbacks=[schedule], verbose=0)


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


# --------------------------------------------------------------------------- fine-tuning
def fit_fine_tune(model: keras.Model, prepared: segments.Prepared, *, epochs: int | None = None,
                  probe_epochs: int | None = None, batch_size: int = 32,
                  augment: Sequence[str] = ("mixup",), learning_rate: float = 1e-5,
                  seed: int = config.SEED, verbose: int | str = "auto") -> keras.callbacks.History:
    """Fine-tune a :func:`course_utils.models.build_fine_tune` model in two stages.

    1. **Probe first.** The pretrained network's pooled features of the training and
       validation patches are computed once; ``feature_norm`` is adapted to the training
       ones and the probe is trained on them with :func:`fit` (learning rate 1e-3, as
       for a frozen probe). A probe with random weights would send large, random
       gradients into the pretrained layers and wreck them in the first steps.
    2. **Then everything**, on the log-mel patches, at ``learning_rate`` (1e-5), for at
       most ``epochs`` epochs (2 in FAST mode, else 8). If no epoch of this stage
       lowers the validation loss below the probe's, the probe's weights are kept, and
       a log line says so.

    Returns
    -------
    keras.callbacks.History
        Both stages one after the other; ``history.history["stage"]`` says which, and
        ``history.fine_tune`` which weights were kept (``"probe"`` or ``"fine-tuned"``)
        with each stage's best validation loss.
    """
    import dataclasses
    epochs = _validate.positive_int(epochs or (2 if config.fast() else 8), "epochs")
    patches = {part: models.select_inputs("musicnn_ft", getattr(prepared, part).X)
               for part in ("train", "val")}
    pooled = keras.Model(model.input, model.get_layer("pooled_features").output)
    feats = {part: pooled.predict(X, batch_size=64, verbose=0) for part, X in patches.items()}
    norm, probe = model.get_layer("feature_norm"), model.get_layer("probe")
    norm.adapt(feats["train"])
    inputs = keras.Input(feats["train"].shape[1:], name="musicnn")
    head = keras.Model(inputs, probe(norm(inputs)), name="probe_stage")
    as_features = lambda seg, X: segments.Segments({"musicnn": X}, seg.labels, seg.track_ids)
    stage1 = dataclasses.replace(prepared, train=as_features(prepared.train, feats["train"]),
                                 val=as_features(prepared.val, feats["val"]))
    first = fit(head, stage1, model_name="musicnn", epochs=probe_epochs, batch_size=batch_size,
                augment=augment, seed=seed, verbose=verbose).history
    probe_val_loss, kept = min(first["val_loss"]), model.get_weights()
    second = fit(model, prepared, model_name="musicnn_ft", epochs=epochs, batch_size=batch_size,
                 augment=augment, learning_rate=learning_rate, seed=seed,
                 verbose=verbose).history
    tuned_val_loss = min((v for v in second["val_loss"] if np.isfinite(v)),   # NaN: diverged
                         default=float("inf"))
    if tuned_val_loss >= probe_val_loss:
        model.set_weights(kept)
        logger.info("fine-tuning did not lower the validation loss below the probe's "
                    "(%.4f): the probe on frozen features is kept", probe_val_loss)
    history = keras.callbacks.History()
    history.fine_tune = {"kept": "fine-tuned" if tuned_val_loss < probe_val_loss else "probe",
                         "val_loss": {"probe": float(probe_val_loss),
                                      "fine-tuned": float(tuned_val_loss)}}
    pad = lambda h, key: list(h.get(key, [float("nan")] * len(h["loss"])))
    history.history = {key: pad(first, key) + pad(second, key)
                       for key in dict.fromkeys([*first, *second])}
    history.history["stage"] = [1] * len(first["loss"]) + [2] * len(second["loss"])
    return history
