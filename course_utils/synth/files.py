"""The synthetic dataset on disk: FLAC files in GTZAN's Kaggle layout.

``synthesize`` renders what is missing, in one process or several, and writes
``metadata.csv`` and ``synth_info.json``; every file is written atomically.
Introduced in 01_audio_basics.
"""
from __future__ import annotations

import csv
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import soundfile as sf
from tqdm.auto import tqdm

from .. import _io, config
from ..exceptions import ParameterError
from .band import render_clip
from .score import _MAX_INDEX, artist_of

VERSION = "2.0"            # bump whenever the sound of any clip changes
FAST_SIZE = (30, 6.0)      # clips per genre, seconds per clip, in FAST mode
FULL_SIZE = (50, 30.0)     # the default set: 500 clips of GTZAN's length, about 400 MB
EXTENSION = ".flac"        # lossless; WAV would take 660 MB


def _clip_path(root: Path, genre: str, index: int) -> Path:
    return root / "genres_original" / genre / f"{genre}.{index:05d}{EXTENSION}"




def _render_file(task: tuple) -> str:
    """Render one clip to its file; a module-level function, so worker processes can run it."""
    root, genre, index, seed, seconds, sr = task
    path = _clip_path(Path(root), genre, index)
    y = render_clip(genre, index, seed=seed, seconds=seconds, sr=sr)
    _io.write_atomic(path, lambda tmp: sf.write(tmp, y, sr, subtype="PCM_16", format="FLAC"))
    return str(path)


def synthesize(root: str | os.PathLike | None = None, *, per_genre: int | None = None,
               seconds: float | None = None, seed: int = config.SEED, fast: bool | None = None,
               n_jobs: int = 1, progress: bool = True) -> Path:
    """Render the synthetic dataset to FLAC files in GTZAN's Kaggle layout.

    Idempotent: when ``synth_info.json`` matches and every file exists, it
    returns at once. Otherwise it renders only what is missing (or everything,
    if the seed, length or generator version changed) and removes clips beyond
    ``per_genre``.

    Parameters
    ----------
    root : path, optional
        Dataset folder. Default: ``config.data_dir() / "synthetic"``.
    per_genre : int > 0, optional
        Clips per genre. Default: 50, or 30 in FAST mode.
    seconds : float > 0, optional
        Length of each clip. Default: 30.0 (GTZAN's), or 6.0 in FAST mode.
    seed : int
        Dataset seed; the same seed always gives the same files.
    fast : bool, optional
        Use the small FAST-mode defaults. Default: ``config.fast()``.
    n_jobs : int
        Worker processes (``-1``: one per CPU). Files do not depend on it.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    root : pathlib.Path
        The dataset folder.

    Raises
    ------
    ParameterError
        If ``per_genre``, ``seconds`` or ``n_jobs`` is out of range.

    See Also
    --------
    render_clip : render one clip in memory.

    Examples
    --------
    >>> import tempfile
    >>> root = synthesize(tempfile.mkdtemp(), per_genre=1, seconds=1.0, progress=False)
    >>> sorted(p.name for p in (root / "genres_original" / "jazz").iterdir())
    ['jazz.00000.flac']
    """
    fast = config.fast() if fast is None else fast
    default_n, default_s = FAST_SIZE if fast else FULL_SIZE
    per_genre = default_n if per_genre is None else int(per_genre)
    seconds = default_s if seconds is None else float(seconds)
    if not 0 < per_genre <= _MAX_INDEX:
        raise ParameterError(f"per_genre must be in [1, {_MAX_INDEX}], got per_genre={per_genre}.")
    if not seconds > 0:
        raise ParameterError(f"seconds must be positive, got seconds={seconds}.")
    if n_jobs == 0 or n_jobs < -1:
        raise ParameterError(f"n_jobs must be -1 (all CPUs) or a positive count, got n_jobs={n_jobs}.")
    root = Path(root) if root is not None else config.data_dir() / "synthetic"
    info = {"seed": int(seed), "per_genre": per_genre, "seconds": seconds, "sr": config.SR,
            "version": VERSION}
    info_path = root / "synth_info.json"
    old = json.loads(info_path.read_text()) if info_path.exists() else {}
    same_clips = all(old.get(k) == info[k] for k in ("seed", "seconds", "sr", "version"))
    paths = {(g, i): _clip_path(root, g, i) for g in config.GENRES for i in range(per_genre)}
    if old == info and all(p.exists() for p in paths.values()):
        return root

    _drop_stale(root, per_genre, keep_clips=same_clips)
    if info_path.exists():
        info_path.unlink()
    todo = [(str(root), g, i, int(seed), seconds, config.SR)
            for (g, i), p in paths.items() if not p.exists()]
    _render_files(todo, n_jobs=n_jobs, progress=progress)
    _io.write_atomic(root / "metadata.csv", lambda tmp: _write_metadata(tmp, paths, seed))
    _io.write_atomic(info_path, lambda tmp: tmp.write_text(json.dumps(info, indent=2) + "\n"))
    return root


def _drop_stale(root: Path, per_genre: int, *, keep_clips: bool) -> None:
    """Make every genre folder; remove clips beyond ``per_genre`` (all, unless
    ``keep_clips``) and those an earlier version wrote in another format."""
    for genre in config.GENRES:
        folder = root / "genres_original" / genre
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.glob(f"{genre}.*"):
            match = re.fullmatch(rf"{genre}\.(\d{{5}})\.(wav|flac)", path.name)
            if match and (not keep_clips or int(match.group(1)) >= per_genre
                          or path.suffix != EXTENSION):
                path.unlink()


def _render_files(todo: list, *, n_jobs: int, progress: bool) -> None:
    """Run ``_render_file`` on every task, here or in ``n_jobs`` worker processes."""
    bar = tqdm(total=len(todo), desc="synthesising", unit="clip", disable=not progress)
    if n_jobs == 1:
        for task in todo:
            _render_file(task)
            bar.update()
    else:
        workers = os.cpu_count() if n_jobs == -1 else n_jobs
        # spawn, not fork: forking a process that runs threads (numpy's BLAS, a Jupyter
        # kernel, TensorFlow) can deadlock, and Python 3.12 warns of it.
        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            for _ in pool.map(_render_file, todo, chunksize=4):
                bar.update()
    bar.close()


def _write_metadata(path: Path, paths: dict, seed: int) -> None:
    """``metadata.csv``: one ``track_id, genre, artist`` row per clip."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["track_id", "genre", "artist"])
        for g, i in paths:
            writer.writerow([f"{g}.{i:05d}", g, artist_of(g, i, seed=seed)])
