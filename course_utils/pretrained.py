"""A pretrained music model: musicnn (Pons & Serra, 2019), rebuilt in plain Keras 3.

musicnn was trained to tag music: ``MSD_musicnn`` on the Million Song Dataset
(50 Last.fm tags such as "rock", "chillout", "female vocalists"), ``MTT_musicnn``
on MagnaTagATune (50 tags such as "guitar", "techno", "no vocals"). Its inner
layers describe timbre and rhythm well enough that a small classifier on them
(a *probe*) learns genres from few examples. Introduced in 08_transfer_learning.

The network is rebuilt here from ``keras.layers`` only, so it runs under
TensorFlow, JAX and PyTorch; the weights are a converted copy of the original
TF1 checkpoints of the ``musicnn==0.1.0`` wheel (ISC licence, kept beside them
in ``weights/LICENSE_musicnn.txt``), shipped as plain ``.npz`` arrays read with
``allow_pickle=False``. ``tools/convert_musicnn.py`` regenerates them and checks
their contents against :data:`WEIGHTS_SHA256`.

Front end (:func:`logmel`): 16 kHz mono, STFT with ``n_fft=512`` and
``hop_length=256`` (reflect padding, as in training), 96 mel bands (power 2,
slaney), ``log10(10000 * S + 1)`` in float32 (the original code did it in
float16, which overflows to inf for loud music). :func:`embed` cuts the log-mel
into 3-second patches of 187 frames and returns, per patch, the pooled
features (``max_pool``, ``mean_pool``: 753 each), the ``penultimate`` layer
(200) and the ``taggram`` (50 tag probabilities).
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import keras
import librosa
import numpy as np
from keras import layers
from tqdm.auto import tqdm

from . import _io, _validate, audio, config
from .exceptions import AudioDecodeError, CourseError, DataNotFoundError

logger = logging.getLogger("course_utils")

SR = 16000                  # musicnn's sample rate
N_FFT, HOP_LENGTH = 512, 256
PATCH_FRAMES, N_MELS = config.MUSICNN_PATCH_SHAPE   # 3 s at 16 kHz, hop 256; 96 bands
PATCH_SECONDS = 3.0
MODELS = ("MSD_musicnn", "MTT_musicnn")
DEFAULT_MODEL = "MSD_musicnn"    # see BENCHMARKS.md, "Transfer learning"
WEIGHTS_DIR = config.PACKAGE_DIR / "weights"
# sha256 over the sorted array names and float32 bytes (tools/convert_musicnn.py prints them)
WEIGHTS_SHA256 = {
    "MSD_musicnn": "659b0e65614c8ca2ac5a8295ca2bbe9878419f42719fc2dca0012688212dee49",
    "MTT_musicnn": "1d8daf01dc1081027615b057a05531745281e2b3eddb8cb0cc3fe0e573828337",
}
TAGS = {
    "MTT_musicnn": (
        "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast",
        "piano", "ambient", "beat", "violin", "vocal", "synth", "female", "indian", "opera",
        "male", "singing", "vocals", "no vocals", "harpsichord", "loud", "quiet", "flute",
        "woman", "male vocal", "no vocal", "pop", "soft", "sitar", "solo", "man", "classic",
        "choir", "voice", "new age", "dance", "male voice", "female vocal", "beats", "harp",
        "cello", "no voice", "weird", "country", "metal", "female voice", "choral"),
    "MSD_musicnn": (
        "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
        "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists",
        "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s",
        "chill", "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic",
        "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country",
        "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal",
        "Progressive rock", "60s", "rnb", "indie pop", "sad", "House", "happy"),
}
OUTPUTS = ("max_pool", "mean_pool", "penultimate", "taggram")
FEATURE = config.MUSICNN_FEATURE   # the model input a probe reads: [max_pool, mean_pool]
PATCHES = config.MUSICNN_PATCHES   # the input fine-tuning reads: log-mel patches [187, 96]
NOVELTY = "musicnn_msd"     # MSD's [max_pool, mean_pool] per patch: the unsure flag's input
FEATURE_DIM = config.MUSICNN_DIM
CACHE_VERSION = 1           # bump when the front end or the cached arrays change


# --------------------------------------------------------------------------- front end
def logmel(y: np.ndarray, *, sr: int) -> np.ndarray:
    """musicnn's input: a log-compressed mel spectrogram, time first.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono audio at ``sr``; resampled to 16 kHz.
    sr : int > 0

    Returns
    -------
    np.ndarray [shape=(t, 96)], float32
        ``log10(10000 * S + 1)`` of the mel power spectrogram, one row per 16 ms.

    Examples
    --------
    >>> y = np.sin(2 * np.pi * 440 * np.arange(3 * 22050) / 22050).astype(np.float32)
    >>> logmel(y, sr=22050).shape
    (188, 96)
    """
    _validate.valid_audio(y)
    y16 = librosa.resample(y, orig_sr=sr, target_sr=SR) if sr != SR else y
    S = librosa.feature.melspectrogram(y=y16, sr=SR, n_fft=N_FFT, hop_length=HOP_LENGTH,
                                       n_mels=N_MELS, pad_mode="reflect")
    return np.log10(10000 * S.T.astype(np.float32) + 1)


def patches(M: np.ndarray, *, hop: int = PATCH_FRAMES) -> np.ndarray:
    """Cut a log-mel ``[shape=(t, 96)]`` into 3-s patches ``[shape=(n, 187, 96)]``.

    Patches start every ``hop`` frames (non-overlapping by default); a last
    incomplete patch is dropped.

    Raises
    ------
    AudioDecodeError
        If the audio is shorter than one patch (about 3 s).
    """
    hop = _validate.positive_int(hop, "hop")
    if len(M) < PATCH_FRAMES:
        raise AudioDecodeError(
            "audio", f"too short for musicnn: {len(M)} frames, it needs {PATCH_FRAMES} "
            f"({PATCH_SECONDS:g} s at 16 kHz)", "Use a clip of at least 3 seconds.")
    starts = range(0, len(M) - PATCH_FRAMES + 1, hop)
    return np.stack([M[s:s + PATCH_FRAMES] for s in starts]).astype(np.float32)


# --------------------------------------------------------------------------- network
def _conv_bn(x, filters, kernel, *, conv, bn, pad):
    """Zero-pad time, conv (valid, ReLU), then batch norm: musicnn's order everywhere."""
    x = layers.ZeroPadding2D((pad, (0, 0)), name=f"{conv}_pad")(x)
    x = layers.Conv2D(filters, kernel, activation="relu", name=conv)(x)
    return layers.BatchNormalization(epsilon=1e-3, name=bn)(x)


def _pool_frequency(x, name):
    """Max over the remaining frequency axis: ``[b, t, f, c] -> [b, t, c]``."""
    x = layers.MaxPooling2D((1, x.shape[2]), name=f"{name}_freq_pool")(x)
    return layers.Reshape((x.shape[1], x.shape[3]), name=name)(x)


def _midend_block(x, *, conv, bn):
    """pad 3 -> Conv1D(64, 7, ReLU) -> BN, on ``[b, t, c]``."""
    x = layers.ZeroPadding1D(3, name=f"{conv}_pad")(x)
    x = layers.Conv1D(64, 7, activation="relu", name=conv)(x)
    return layers.BatchNormalization(epsilon=1e-3, name=bn)(x)


def build_musicnn(name: str = "MSD_musicnn", *, n_frames: int = PATCH_FRAMES) -> keras.Model:
    """The musicnn network (uninitialised): log-mel patches in, four feature sets out.

    Layer names are the TF1 checkpoint's scopes (``conv2d`` ... ``conv2d_7``,
    ``batch_normalization`` ... ``batch_normalization_10``, ``dense``,
    ``dense_1``), so :func:`load_musicnn` can fill them by name.

    Returns
    -------
    keras.Model
        Input ``[shape=(batch, n_frames, 96)]``; outputs a dict with
        ``max_pool`` and ``mean_pool`` ``[shape=(batch, 753)]``, ``penultimate``
        ``[shape=(batch, 200)]`` and ``taggram`` ``[shape=(batch, 50)]``.
    """
    _validate.one_of(name, MODELS, "name")
    inputs = keras.Input((n_frames, N_MELS), name="logmel")
    x = layers.Reshape((n_frames, N_MELS, 1), name="add_channel")(inputs)
    x = layers.BatchNormalization(epsilon=1e-3, name="batch_normalization")(x)
    front = []
    for i, (width, pool) in enumerate(((38, "f74"), (67, "f77"))):           # timbre
        t = _conv_bn(x, 204, (7, width), conv=f"conv2d{'_1' * i}",
                     bn=f"batch_normalization_{i + 1}", pad=(3, 3))
        front.append(_pool_frequency(t, pool))
    for i, length in enumerate((128, 64, 32)):                              # rhythm
        t = _conv_bn(x, 51, (length, 1), conv=f"conv2d_{i + 2}",
                     bn=f"batch_normalization_{i + 3}", pad=((length - 1) // 2, length // 2))
        front.append(_pool_frequency(t, f"s{i + 1}"))
    frontend = layers.Concatenate(name="frontend")(front)                  # [b, t, 561]
    cnn1 = _midend_block(frontend, conv="conv2d_5", bn="batch_normalization_6")
    cnn2 = layers.Add(name="cnn2")([_midend_block(cnn1, conv="conv2d_6",
                                                  bn="batch_normalization_7"), cnn1])
    cnn3 = layers.Add(name="cnn3")([_midend_block(cnn2, conv="conv2d_7",
                                                  bn="batch_normalization_8"), cnn2])
    features = layers.Concatenate(name="features")([frontend, cnn1, cnn2, cnn3])  # [b, t, 753]
    max_pool = layers.GlobalMaxPooling1D(name="max_pool")(features)
    mean_pool = layers.GlobalAveragePooling1D(name="mean_pool")(features)
    # TF1 flattened [b, 753, 2]: max and mean interleaved per channel
    pair = [layers.Reshape((753, 1), name=f"{n}_column")(p)
            for n, p in (("max", max_pool), ("mean", mean_pool))]
    flat = layers.Flatten(name="interleave")(layers.Concatenate(name="pooled")(pair))
    h = layers.BatchNormalization(epsilon=1e-3, name="batch_normalization_9")(flat)
    h = layers.Dense(200, activation="relu", name="dense")(h)
    penultimate = layers.BatchNormalization(epsilon=1e-3, name="batch_normalization_10")(h)
    logits = layers.Dense(50, name="dense_1")(penultimate)
    taggram = layers.Activation("sigmoid", name="taggram")(logits)
    outputs = {"max_pool": max_pool, "mean_pool": mean_pool, "penultimate": penultimate,
               "taggram": taggram}
    return keras.Model(inputs, outputs, name=name)


def weights_sha256(arrays: dict[str, np.ndarray]) -> str:
    """The checksum of a set of weight arrays: names and float32 bytes, in name order."""
    digest = hashlib.sha256()
    for key in sorted(arrays):
        digest.update(key.encode() + b"\0" + np.ascontiguousarray(arrays[key], "<f4").tobytes())
    return digest.hexdigest()


def read_weights(name: str) -> dict[str, np.ndarray]:
    """The converted checkpoint of ``name``: TF1 variable name -> array, checksum verified."""
    _validate.one_of(name, MODELS, "name")
    path = WEIGHTS_DIR / f"{name}.npz"
    if not path.exists():
        raise DataNotFoundError(f"The weights of {name} are missing: {path}. Reinstall the "
                                "course, or regenerate them with tools/convert_musicnn.py.")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    if weights_sha256(arrays) != WEIGHTS_SHA256[name]:
        raise DataNotFoundError(f"{path} does not hold the published {name} weights (checksum "
                                "differs). Reinstall the course, or regenerate them with "
                                "tools/convert_musicnn.py.")
    return arrays


@lru_cache(maxsize=2)
def load_musicnn(name: str = "MSD_musicnn") -> keras.Model:
    """:func:`build_musicnn` with the pretrained weights (cached: built once per process).

    The cached model is shared: never train it (:func:`with_weights` of a fresh
    :func:`build_musicnn` gives a copy of one's own, as fine-tuning does).
    """
    return with_weights(build_musicnn(name), name)


def with_weights(model: keras.Model, name: str) -> keras.Model:
    """Fill ``model``'s layers, named after the TF1 scopes, from the converted checkpoint."""
    arrays = read_weights(name)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            p = f"{layer.name}/"
            layer.set_weights([arrays[p + "gamma"], arrays[p + "beta"],
                               arrays[p + "moving_mean"], arrays[p + "moving_variance"]])
        elif isinstance(layer, (layers.Conv2D, layers.Conv1D, layers.Dense)):
            kernel = arrays[f"{layer.name}/kernel"]
            if isinstance(layer, layers.Conv1D):      # TF1 kept [7, C, 1, 64] 2-D kernels
                kernel = kernel[:, :, 0, :]
            layer.set_weights([kernel, arrays[f"{layer.name}/bias"]])
    return model


# --------------------------------------------------------------------------- embeddings
@dataclass
class Embedding:
    """musicnn's view of one clip, patch by patch (3 s each)."""

    max_pool: np.ndarray      # [shape=(n_patches, 753)]
    mean_pool: np.ndarray     # [shape=(n_patches, 753)]
    penultimate: np.ndarray   # [shape=(n_patches, 200)]
    taggram: np.ndarray       # [shape=(n_patches, 50)]
    tags: tuple[str, ...]

    def pooled(self) -> np.ndarray:
        """One vector per clip: the mean over patches of ``[max_pool, mean_pool]`` (1506)."""
        return np.concatenate([self.max_pool, self.mean_pool], axis=1).mean(axis=0)


def embed(y: np.ndarray, *, sr: int, model: str = "MSD_musicnn", hop: int = PATCH_FRAMES,
          batch_size: int = 32) -> Embedding:
    """Run musicnn on a clip: per-patch features and the taggram with tag names.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono audio, at least 3 s long.
    sr : int > 0
    model : {"MSD_musicnn", "MTT_musicnn"}
    hop : int > 0
        Frames between patch starts (187: back to back).

    Raises
    ------
    AudioDecodeError
        If the clip is shorter than 3 s.
    """
    net = load_musicnn(model)
    x = patches(logmel(y, sr=sr), hop=hop)
    # called directly, not with predict(): clips have different numbers of patches, and
    # predict() would trace a new graph for every new count
    outs = [net(x[i:i + batch_size], training=False) for i in range(0, len(x), batch_size)]
    return Embedding(**{k: np.concatenate([keras.ops.convert_to_numpy(o[k]) for o in outs])
                        .astype(np.float32) for k in OUTPUTS}, tags=TAGS[model])


def patch_features(emb: Embedding) -> np.ndarray:
    """What a probe reads, per patch: ``[max_pool, mean_pool]`` ``[shape=(n, 1506)]``."""
    return np.concatenate([emb.max_pool, emb.mean_pool], axis=1)


def _cache_file(path: Path, model: str) -> Path:
    digest = _io.file_key(path, model, WEIGHTS_SHA256[model], CACHE_VERSION)
    return config.cache_dir() / "cache" / "musicnn" / digest[:2] / f"{digest}.npz"


def embed_file(path: str | os.PathLike, *, model: str = "MSD_musicnn") -> Embedding:
    """:func:`embed` one audio file, through an on-disk cache (plain arrays, no pickle).

    The cache is keyed by the file's path, size and modification time, the model
    and its weights, so an edited file or other weights are embedded again.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    AudioDecodeError
        If it is corrupt, empty, silent, not audio or shorter than 3 s (named).
    """
    _validate.one_of(model, MODELS, "model")
    path = _validate.existing_file(path)
    cache = _cache_file(path, model)
    if cache.exists():
        try:
            with np.load(cache, allow_pickle=False) as npz:
                return Embedding(**{k: npz[k] for k in OUTPUTS}, tags=TAGS[model])
        except (OSError, ValueError, KeyError):
            logger.warning("%s: damaged embedding cache %s, recomputing", path, cache)
    y, sr = audio.load(path, sr=SR)
    emb = embed(y, sr=sr, model=model)
    cache.parent.mkdir(parents=True, exist_ok=True)
    _io.write_atomic(cache, lambda tmp: np.savez(tmp, **{k: getattr(emb, k) for k in OUTPUTS}))
    return emb


def embed_files(paths: Sequence, *, model: str = "MSD_musicnn",
                progress: bool = True) -> dict[str, Embedding]:
    """:func:`embed_file` many files (cached). A file that cannot be used (corrupt,
    silent, shorter than 3 s) is logged with its reason and left out; the rest carry on.

    Returns
    -------
    dict
        ``{path: Embedding}`` for every usable file, in the order given.
    """
    _validate.one_of(model, MODELS, "model")
    out, failed = {}, []
    for p in tqdm(list(paths), desc=f"embedding ({model})", unit="file", disable=not progress):
        try:
            out[str(p)] = embed_file(p, model=model)
        except (CourseError, OSError) as err:
            failed.append(str(p))
            logger.warning("skipped %s: %s", p, err)
    if failed:
        logger.warning("%d of %d files could not be embedded and were left out",
                       len(failed), len(failed) + len(out))
    return out


def patch_spectrograms(paths: Sequence, *, progress: bool = True) -> dict[str, np.ndarray]:
    """``{path: [shape=(n_patches, 187, 96)]}``: what fine-tuning reads; bad files reported."""
    out = {}
    for p in tqdm(list(paths), desc="log-mel patches", unit="file", disable=not progress):
        try:
            y, sr = audio.load(p, sr=SR)
            out[str(p)] = patches(logmel(y, sr=sr))
        except (CourseError, OSError) as err:
            logger.warning("skipped %s: %s", p, err)
    return out
