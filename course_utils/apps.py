"""Applications of a trained run: the genre through a long recording, and similar tracks.

``timeline`` reads a recording of any length window by window (one window in
memory at a time) and predicts each; ``smooth``, ``change_points`` and
``boundary_errors`` turn the windows into sections and score them.
``SimilarityIndex`` keeps the embeddings of a folder's tracks in one of three
spaces (cached, and refreshed only for files that changed) and finds a query's
nearest neighbours. Introduced in 09_applications.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import librosa
import numpy as np
import pandas as pd
import soundfile as sf
from scipy.ndimage import uniform_filter1d

from . import _io, _validate, audio, config, features, pretrained
from .exceptions import AudioDecodeError, ParameterError

if TYPE_CHECKING:
    from .runs import Run

logger = logging.getLogger(__name__)

SPACES = ("run", "musicnn", "mfcc")
# The run's own network: it was trained to tell exactly these genres apart, so its
# penultimate layer ranks same-genre tracks first (BENCHMARKS.md, "Applications").
DEFAULT_SPACE = "run"
INDEX_FORMAT = 1
BATCH_WINDOWS = 32            # windows predicted together: memory stays bounded


# ------------------------------------------------------------------ the genre over time

def window_starts(duration: float, *, window: float = config.SEGMENT_SECONDS,
                  hop: float = 1.5) -> np.ndarray:
    """Start times (s) of the windows that cover ``duration`` seconds.

    A window every ``hop`` seconds while it fits, and one more flush with the end
    when the last hop leaves a tail uncovered, so every second is seen.

    Examples
    --------
    >>> window_starts(10.0, window=3.0, hop=2.0)
    array([0., 2., 4., 6., 7.])
    >>> window_starts(9.0, window=3.0, hop=3.0)
    array([0., 3., 6.])
    """
    hop = float(hop)
    if not hop > 0:
        raise ParameterError(f"hop must be positive, got hop={hop}.")
    if duration < window:
        raise ParameterError(f"A timeline needs at least one {window:g} s window, got "
                             f"{duration:.2f} s.")
    n = int(np.floor((duration - window) / hop + 1e-9)) + 1
    starts = np.arange(n) * hop
    if starts[-1] + window < duration - 1e-6:
        starts = np.append(starts, duration - window)
    return starts


def _windows(path: Path, starts: np.ndarray, window: float):
    """Yield each window as mono float32 at ``config.SR``, reading only that window."""
    n_out = config.segment_samples(config.SR)
    with sf.SoundFile(str(path)) as f:
        sr = f.samplerate
        for start in starts:
            f.seek(min(int(round(start * sr)), f.frames))
            y = audio.to_mono(f.read(int(round(window * sr)), dtype="float32", always_2d=True).T)
            if sr != config.SR:
                y = librosa.resample(y, orig_sr=sr, target_sr=config.SR, res_type="soxr_hq")
            yield np.pad(y, (0, max(0, n_out - len(y))))[:n_out]


def _duration(path: Path) -> float:
    """Length in seconds, from the header; a clear error for what is not audio."""
    path = _validate.existing_file(path)
    audio.check_not_empty(path)
    try:
        info = sf.info(str(path))
    except audio.DECODE_ERRORS as err:
        raise audio.decode_error(path, err, "could not be opened for reading in blocks") from err
    return info.frames / info.samplerate


def timeline(run: Run, path: str | os.PathLike, *, hop: float = 1.5,
             progress: bool = False) -> pd.DataFrame:
    """The genre of a recording of any length, one row per window.

    Windows are one segment long (3 s) and start every ``hop`` seconds, with one
    more flush with the end (:func:`window_starts`). Each is read from the file
    on its own and predicted by the run's one prediction path (its ensemble, if
    it has one), ``BATCH_WINDOWS`` at a time, so memory does not grow with the
    recording's length.

    Returns
    -------
    pd.DataFrame
        ``start``, ``end`` (s), ``genre`` (the top one), ``probability`` (its),
        then one probability column per genre of the run.

    Raises
    ------
    AudioDecodeError
        For a file that is empty, not audio, shorter than one window or silent.
    ParameterError
        If ``hop`` is not positive.
    """
    from tqdm.auto import tqdm
    path = Path(path)
    window, duration = config.SEGMENT_SECONDS, _duration(path)
    found = audio.unusable(duration, None, min_seconds=window, unit="one window")
    if found:
        raise AudioDecodeError(path, *found)
    starts = window_starts(duration, window=window, hop=hop)
    probs, batch, energy = [], [], 0.0
    for y in tqdm(_windows(path, starts, window), total=len(starts), unit="window",
                  disable=not progress):
        energy += float(np.sum(np.square(y, dtype=np.float64)))
        batch.append(run.track_features(y, sr=config.SR, novelty=False))   # windows: genre only
        if len(batch) == BATCH_WINDOWS:
            probs.append(run.predict(batch).probs)
            batch = []
    if batch:
        probs.append(run.predict(batch).probs)
    rms_db = 10 * np.log10(max(energy / (len(starts) * config.segment_samples()), 1e-24))
    found = audio.unusable(duration, rms_db, min_seconds=window, unit="one window")
    if found:
        raise AudioDecodeError(path, *found)
    P = np.concatenate(probs)
    table = pd.DataFrame({"start": starts, "end": starts + window,
                          "genre": [run.genres[i] for i in P.argmax(1)],
                          "probability": P.max(1)})
    return pd.concat([table, pd.DataFrame(P, columns=run.genres)], axis=1)


def smooth(probs: np.ndarray, *, windows: int = 5) -> np.ndarray:
    """Moving average of per-window probabilities over ``windows`` neighbours (edges
    repeat the first and last window): one stray window no longer flips the genre."""
    windows = _validate.positive_int(windows, "windows")
    return uniform_filter1d(np.asarray(probs, float), size=windows, axis=0, mode="nearest")


def change_points(starts: np.ndarray, labels, *, window: float = config.SEGMENT_SECONDS,
                  min_run: int = 3) -> list[float]:
    """Times (s) where the genre changes, between the centres of two windows.

    A change counts only when the new genre then holds for ``min_run`` windows.

    Examples
    --------
    >>> change_points(np.arange(8) * 1.5, list("aaaabbbb"), min_run=2)
    [6.75]
    """
    labels, starts = list(labels), np.asarray(starts, float)
    points, current = [], labels[0]
    for i in range(1, len(labels)):
        ahead = labels[i:i + min_run]
        if labels[i] != current and len(ahead) == min_run and len(set(ahead)) == 1:
            points.append(float((starts[i - 1] + starts[i]) / 2 + window / 2))
            current = labels[i]
    return points


def plot_timeline(table: pd.DataFrame, *, boundaries: list[float] | None = None,
                  title: str = "", ax=None):
    """Each genre's probability over time, stacked (window centres on the x axis),
    with ``boundaries`` (true section changes, s) as dashed lines. Returns the figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    genres = [c for c in table.columns if c not in ("start", "end", "genre", "probability")]
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 3))
    centres = (table["start"] + table["end"]) / 2
    ax.stackplot(centres, table[genres].T.to_numpy(), labels=genres,
                 colors=sns.color_palette("tab10", len(genres)), alpha=0.85)
    for b in boundaries or []:
        ax.axvline(b, color="black", linestyle="--", linewidth=1.2)
    ax.set(xlim=(centres.min(), centres.max()), ylim=(0, 1), xlabel="time (s)",
           ylabel="probability", title=title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return ax.figure


def boundary_errors(true: list[float], found: list[float]) -> np.ndarray:
    """For each true boundary, the distance (s) to the nearest boundary found (inf if none).

    >>> boundary_errors([10.0, 20.0], [11.5, 30.0])
    array([1.5, 8.5])
    """
    found = np.asarray(found, float)
    return np.array([np.abs(found - t).min() if len(found) else np.inf for t in true])


# ------------------------------------------------------------------ similar tracks

@dataclass
class SimilarityIndex:
    """Embeddings of a folder's audio files in one space, and a nearest-neighbour search.

    Build it with :meth:`build`: vectors of unchanged files come from the cache
    (``<cache>/similar``; plain arrays, no pickle), changed and new files are
    embedded, removed ones dropped. Files that cannot be used are in ``errors``.
    """

    folder: Path
    space: str
    paths: list[str]
    vectors: np.ndarray                  # [shape=(n_files, dim)], float32
    errors: dict[str, str] = field(default_factory=dict)
    reused: int = 0                      # files whose vectors came from the cache

    @classmethod
    def build(cls, folder: str | os.PathLike, *, run: Run | None = None,
              space: str = DEFAULT_SPACE, progress: bool = False) -> SimilarityIndex:
        _validate.one_of(space, SPACES, "space")
        folder = Path(folder)
        if not folder.is_dir():
            raise ParameterError(f"{folder} is not a folder of audio files. Give --index the "
                                 "folder to search (e.g. a dataset's genres_original).")
        files = [str(p) for p in audio.audio_files(folder)]
        if not files:
            raise ParameterError(f"{folder} holds no audio files "
                                 f"({', '.join(config.AUDIO_EXTENSIONS)}).")
        cache = _index_file(folder, space, run)
        old = _read_index(cache)
        signature = {p: _io.signature(p) for p in files}
        keep = {p: e for p, e in old.items() if signature.get(p) == e[0]}
        todo = [p for p in files if p not in keep]
        new, errors = embed_files(todo, space=space, run=run, progress=progress)
        vectors = {**keep, **{p: (signature[p], v) for p, v in new.items()}}
        paths = [p for p in files if p in vectors]
        if not paths:
            raise ParameterError(f"No usable audio in {folder}: " + "; ".join(
                f"{Path(p).name}: {e}" for p, e in list(errors.items())[:5]))
        _write_index(cache, {p: vectors[p] for p in paths})
        return cls(folder, space, paths, np.stack([vectors[p][1] for p in paths]), errors,
                   reused=len(keep))

    def nearest(self, query: np.ndarray, *, k: int = 5, exclude: str | None = None) -> list[dict]:
        """The ``k`` files closest to ``query`` (cosine distance between standardised
        vectors), nearest first, leaving out the file ``exclude`` (the query itself)."""
        from sklearn.neighbors import NearestNeighbors
        k = _validate.positive_int(k, "k")
        mean, std = self.vectors.mean(0), self.vectors.std(0) + 1e-6
        X = (self.vectors - mean) / std
        nn = NearestNeighbors(metric="cosine", algorithm="brute").fit(X)
        n = min(len(X), k + (exclude is not None))
        dist, idx = nn.kneighbors(((np.asarray(query) - mean) / std)[None], n_neighbors=n)
        same = str(Path(exclude).resolve()) if exclude else None
        hits = [{"file": self.paths[i], "distance": float(d)} for d, i in zip(dist[0], idx[0])
                if same is None or str(Path(self.paths[i]).resolve()) != same]
        return [{"rank": r + 1, **h} for r, h in enumerate(hits[:k])]


def embed_files(paths: list[str], *, space: str, run: Run | None = None,
                progress: bool = False) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """``({path: vector}, {path: why it was skipped})`` for audio files, in ``space``.

    - ``"mfcc"``: mean and standard deviation of 20 MFCCs over the track (40 numbers);
    - ``"musicnn"``: the pretrained tagger's pooled embedding (1506);
    - ``"run"``: the run's penultimate layer, averaged over segments (:meth:`Run.embed`).
    """
    _validate.one_of(space, SPACES, "space")
    if not paths:
        return {}, {}
    if space == "musicnn":
        embs = pretrained.embed_files(paths, progress=progress)
        errors = {p: "could not be embedded (corrupt, silent or shorter than 3 s)"
                  for p in paths if p not in embs}
        return {p: e.pooled().astype(np.float32) for p, e in embs.items()}, errors
    fs = features.extract(paths, progress=progress)
    good = [p for p in paths if p in fs.features]
    if space == "mfcc":
        vectors = [_mfcc_stats(fs.features[p]) for p in good]
    else:
        _check_run_space(run)
        vectors = list(run.embed([fs.features[p] for p in good])) if good else []
    return ({p: np.asarray(v, np.float32) for p, v in zip(good, vectors)},
            {p: fs.errors.get(p, "unusable") for p in paths if p not in fs.features})


def embed_audio(y: np.ndarray, *, sr: int, space: str, run: Run | None = None) -> np.ndarray:
    """The vector of one waveform in ``space`` (what :func:`embed_files` gives a file)."""
    _validate.one_of(space, SPACES, "space")
    if space == "musicnn":
        return pretrained.embed(y, sr=sr).pooled().astype(np.float32)
    feats = features.track_features(y, sr=sr)
    if space == "mfcc":
        return _mfcc_stats(feats)
    _check_run_space(run)
    return run.embed([feats])[0].astype(np.float32)


def similar(run: Run | None, query: str | os.PathLike, folder: str | os.PathLike, *,
            k: int = 5, space: str = DEFAULT_SPACE,
            progress: bool = False) -> tuple[list[dict], SimilarityIndex]:
    """The ``k`` tracks of ``folder`` most similar to the audio file ``query``.

    Returns the hits (``rank``, ``file``, ``distance``) and the index, whose
    ``errors`` name the files of ``folder`` that were skipped.
    """
    index = SimilarityIndex.build(folder, run=run, space=space, progress=progress)
    y, sr = audio.load(query)
    return index.nearest(embed_audio(y, sr=sr, space=space, run=run), k=k, exclude=query), index


def _mfcc_stats(feats: dict[str, np.ndarray]) -> np.ndarray:
    m = feats["mfcc"][:config.N_MFCC]
    return np.concatenate([m.mean(1), m.std(1)]).astype(np.float32)


def _check_run_space(run) -> None:
    if run is None:
        raise ParameterError("The 'run' space needs a trained run. Pass one, or use "
                             "space='mfcc' or 'musicnn'.")
    if run.config["model"] in ("musicnn", "musicnn_ft"):
        raise ParameterError(f"{run.path} is a probe on musicnn: its space is musicnn's. Use "
                             "--space musicnn, or a run trained from scratch.")


# ------------------------------------------------------------------ the index cache

def _index_file(folder: Path, space: str, run) -> Path:
    who = None
    if space == "run" and run is not None:
        who = [str(Path(run.path).resolve()), *_io.signature(Path(run.path) / "model.keras")]
    key = _io.cache_key(str(folder.resolve()), space, who, config.feature_params(), INDEX_FORMAT)
    return config.cache_dir() / "similar" / f"{key}.npz"


def _read_index(cache: Path) -> dict:
    """``{path: (signature, vector)}`` from a cache file; empty if absent or damaged."""
    if not cache.exists():
        return {}
    try:
        with np.load(cache, allow_pickle=False) as npz:
            return {str(p): (list(map(int, s)), v)
                    for p, s, v in zip(npz["paths"], npz["signatures"], npz["vectors"])}
    except (OSError, ValueError, KeyError):
        logger.warning("damaged similarity index %s: rebuilding it", cache)
        return {}


def _write_index(cache: Path, entries: dict) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    _io.write_atomic(cache, lambda tmp: np.savez(
        tmp, paths=np.array(list(entries), dtype=str),
        signatures=np.array([s for s, _ in entries.values()], dtype=np.int64),
        vectors=np.stack([v for _, v in entries.values()]).astype(np.float32)))
