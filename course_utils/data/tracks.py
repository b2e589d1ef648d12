"""Finding a dataset, indexing its tracks (bad files checked once and kept out with a
reason), the data a run was trained on, and ``verify``'s report.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
from tqdm.auto import tqdm

from .. import _io, audio, config
from ..exceptions import DataNotFoundError, DatasetError, RunMismatchError

logger = logging.getLogger("course_utils")

_INDEX_VERSION = 1


# --------------------------------------------------------------------------- locating
def resolve(name_or_path: str | os.PathLike | None = None, *, progress: bool = True,
            create: bool = True) -> Path:
    """Return the folder of a dataset given by name (``synthetic``, ``gtzan``) or path.

    ``synthetic`` is generated on first use when missing, and rendered again
    (same seed and size) when an older version of the generator made it, unless
    ``create`` is False (``verify`` only reads, so it says what is missing instead).

    Raises
    ------
    DataNotFoundError
        Naming the path searched, ``COURSE_DATA_DIR`` and the alternatives.
    """
    name = str(name_or_path or config.default_dataset())
    if name == "synthetic":
        root = config.synthetic_dir()
        if not _genre_root(root, required=False) and not create:
            raise DataNotFoundError(
                f"No synthetic dataset at {root}. Make it with `python -m course_utils data "
                "synth` (or let the first lesson make it), or set COURSE_DATA_DIR to the folder "
                "that holds it.")
        if not create:
            return root
        from .. import synth  # a sibling module; generated on first use
        info = root / "synth_info.json"
        have = json.loads(info.read_text()) if info.exists() else {}
        if not _genre_root(root, required=False):
            logger.info("no synthetic dataset at %s: generating it", root)
            synth.synthesize(root, progress=progress)   # one process: safe inside any kernel
        elif have and have.get("version") != synth.VERSION:
            logger.warning("the synthetic set at %s was made by version %s of the generator; "
                           "rendering it again with version %s (same seed and size)", root,
                           have.get("version"), synth.VERSION)
            synth.synthesize(root, per_genre=have["per_genre"], seconds=have["seconds"],
                             seed=have["seed"], progress=progress)
        return root
    root = config.data_dir() / "gtzan" if name == "gtzan" else Path(name).expanduser()
    if not root.is_dir():
        hint = ("Get GTZAN with `python -m course_utils data fetch gtzan` or "
                "`python -m course_utils data import PATH`, " if name == "gtzan"
                else "Check the path, ")
        raise DataNotFoundError(
            f"Dataset {name!r} not found: searched {root}. {hint}or set COURSE_DATA_DIR to "
            "the folder that holds it. Offline, use the built-in synthetic set: "
            "`python -m course_utils data synth` and dataset='synthetic'.")
    return root


def _genre_root(root: Path, *, required: bool = True) -> Path | None:
    """The folder whose sub-folders are genres: ``root/<layout>`` or ``root`` itself."""
    for layout in config.LAYOUTS:
        if (root / layout).is_dir() and _audio_files(root / layout):
            return root / layout
    if root.is_dir() and _audio_files(root):
        return root
    if required:
        raise DataNotFoundError(
            f"No audio found under {root}: expected <genre>/<file> folders holding "
            f"{', '.join(config.AUDIO_EXTENSIONS)} files, directly or under "
            f"{' or '.join(config.LAYOUTS)}/. Run `python -m course_utils data verify --dataset {root}`.")
    return None


def _audio_files(genre_root: Path) -> list[Path]:
    files = []
    for sub in sorted(p for p in genre_root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files += sorted(f for f in sub.iterdir() if f.is_file() and audio.is_audio_file(f))
    return files


def track_id(path: str | os.PathLike) -> str:
    """The track id: the file name without extension (``"blues.00007"``).

    One id matches the ``.au`` and ``.wav`` copies of a GTZAN track.
    """
    return Path(path).name.rsplit(".", 1)[0]


# --------------------------------------------------------------------------- checking
def check_file(path: Path) -> dict:
    """Decode one file and describe it; ``reason`` is empty when it is usable."""
    row = {"path": str(path), "size": path.stat().st_size, "mtime": path.stat().st_mtime_ns,
           "sr": None, "channels": None, "seconds": None, "rms_db": None, "hash": None,
           "reason": ""}
    if row["size"] == 0:
        row["reason"] = audio.EMPTY_FILE[0]
        return row
    try:
        data, sr = sf.read(str(path), dtype="int16", always_2d=True)
    except audio.DECODE_ERRORS as err:
        row["reason"] = f"undecodable ({str(err).splitlines()[0] if str(err) else type(err).__name__})"
        return row
    row.update(sr=sr, channels=data.shape[1], seconds=len(data) / sr,
               hash=hashlib.sha1(data.tobytes()).hexdigest())
    y = data.astype(np.float32).mean(axis=1) / 32768
    row["rms_db"] = audio.level_db(y)
    found = audio.unusable(row["seconds"], row["rms_db"] if y.size else None)
    row["reason"] = found[0] if found else ""
    return row


def _index(genre_root: Path, *, progress: bool) -> pd.DataFrame:
    """Check every file, reusing a cached index entry while size and mtime match."""
    key = hashlib.sha1(str(genre_root.resolve()).encode()).hexdigest()[:16]
    cache_file = config.cache_dir() / "cache" / "index" / f"{key}.json"
    cached = {}
    if cache_file.exists():
        try:
            blob = json.loads(cache_file.read_text())
            if blob.get("version") == _INDEX_VERSION:
                cached = {r["path"]: r for r in blob["rows"]}
        except (ValueError, KeyError):
            logger.warning("ignoring damaged dataset index %s", cache_file)
    files = _audio_files(genre_root)
    fresh = {}
    for f in files:
        st, hit = f.stat(), cached.get(str(f))
        if hit and hit["size"] == st.st_size and hit["mtime"] == st.st_mtime_ns:
            fresh[str(f)] = hit
    todo = [f for f in files if str(f) not in fresh]   # a bar only for files to check
    for f in tqdm(todo, desc=f"checking {genre_root.name}", unit="file",
                  disable=not progress or len(todo) < 50):
        fresh[str(f)] = check_file(f)
    rows, changed = [fresh[str(f)] for f in files], bool(todo)
    if changed or len(rows) != len(cached):
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        _io.write_atomic(cache_file, lambda tmp: tmp.write_text(
            json.dumps({"version": _INDEX_VERSION, "rows": rows})))
    table = pd.DataFrame(rows)
    for tid, why in config.KNOWN_BAD_FILES.items():   # say why a known-bad file is bad
        mask = (table["path"].map(track_id) == tid) & (table["reason"] != "")
        table.loc[mask, "reason"] += f"; known fault: {why}"
    table["genre"] = [Path(p).parent.name for p in table["path"]]
    table["track_id"] = [track_id(p) for p in table["path"]]
    return table


def _artists(root: Path, genre_root: Path, ids: pd.Series) -> pd.Series:
    """Artist ids from a ``metadata.csv`` (track_id, artist) beside the audio, if any."""
    for folder in (genre_root, root):
        meta = folder / "metadata.csv"
        if meta.exists():
            known = pd.read_csv(meta, dtype=str).set_index("track_id")["artist"]
            return ids.map(known)
    return pd.Series([None] * len(ids), index=ids.index, dtype=object)


# --------------------------------------------------------------------------- loading
def load_dataset(name_or_path: str | os.PathLike | None = None, *, min_per_genre: int = 2,
                 progress: bool = True) -> pd.DataFrame:
    """Load a dataset as a table of tracks, bad files excluded with a logged reason.

    Parameters
    ----------
    name_or_path : str or Path or None
        ``"synthetic"`` (generated on first use), ``"gtzan"`` (``<data root>/gtzan``
        in the original ``genres/*.au``, Hugging Face ``genres/*.wav`` or Kaggle
        ``genres_original/*.wav`` layout) or any folder of ``<genre>/<audio file>``.
        ``None`` means ``config.default_dataset()``.
    min_per_genre : int > 0
        Fewest usable tracks a genre may have: 2 to train (the default), 1 is
        enough to evaluate on.
    progress : bool
        Show a progress bar while files are checked for the first time.

    Returns
    -------
    tracks : pd.DataFrame
        Columns ``path, genre, track_id, artist, sr, seconds``, sorted by
        ``track_id``. ``tracks.attrs`` holds ``"name"``, ``"root"``, ``"genres"``
        (sorted) and ``"excluded"``, a dict of the bad files' paths and reasons (plain
        values, so tables cut from ``tracks`` still concatenate with ``pd.concat``).

    Raises
    ------
    DataNotFoundError
        If the dataset or its audio cannot be found.
    DatasetError
        If fewer than 2 usable tracks remain in some genre.

    Examples
    --------
    >>> tracks = load_dataset("synthetic", progress=False)   # doctest: +SKIP
    >>> tracks.groupby("genre").size().min() >= 2            # doctest: +SKIP
    True
    """
    root = resolve(name_or_path, progress=progress)
    genre_root = _genre_root(root)
    table = _index(genre_root, progress=progress)
    table["artist"] = _artists(root, genre_root, table["track_id"])
    bad = table[table["reason"] != ""]
    for row in bad.itertuples():
        logger.warning("excluded %s: %s", row.path, row.reason)
    good = table[table["reason"] == ""].sort_values("track_id").reset_index(drop=True)
    tracks = good[["path", "genre", "track_id", "artist", "sr", "seconds"]].copy()
    counts = tracks.groupby("genre").size().reindex(sorted(table["genre"].unique()), fill_value=0)
    if counts.empty or counts.min() < min_per_genre:
        raise DatasetError(
            f"Dataset at {genre_root} is unusable: every genre needs at least "
            f"{min_per_genre} usable "
            f"tracks, got {counts.to_dict()}. Fix or add files "
            "(see `python -m course_utils data verify`).")
    tracks.attrs.update(name=str(name_or_path or config.default_dataset()), root=str(genre_root),
                        dataset_root=str(root), genres=sorted(counts.index),
                        excluded=dict(zip(bad["path"], bad["reason"])))
    return tracks


GTZAN_FULL = 990   # usable tracks (of 1000) that make the data root's GTZAN the full set


def full_gtzan(*, progress: bool = False) -> pd.DataFrame | None:
    """The data root's GTZAN (``data fetch gtzan``) when the full set is there, else ``None``.

    Decided by checking the files (the check is cached), never by a folder's
    name: at least :data:`GTZAN_FULL` usable tracks under ``<data root>/gtzan``.
    The lessons' GTZAN cells call this, so a partial copy or a folder of one's
    own music called ``gtzan`` does not pass for the benchmark.
    """
    if not (config.data_dir() / "gtzan").is_dir():
        return None
    try:
        tracks = load_dataset("gtzan", progress=progress)
    except (DataNotFoundError, DatasetError):
        return None
    return tracks if len(tracks) >= GTZAN_FULL else None


# --------------------------------------------------------------------------- identity
def identity(tracks: pd.DataFrame) -> dict:
    """What a run records to find its data again, on any machine: no absolute path.

    ``name`` (``synthetic``, ``gtzan`` or the folder's name), the number of
    tracks and a sha256 over every ``track_id, genre, seconds``; for the
    synthetic set also its profile (``fast`` or ``default``) and the
    generator's seed, size and version from ``synth_info.json``.
    """
    name = tracks.attrs["name"]
    listing = "\n".join(f"{t},{g},{s:.2f}" for t, g, s in
                        zip(tracks["track_id"], tracks["genre"], tracks["seconds"]))
    ident = {"name": name if name in ("synthetic", "gtzan") else Path(name).name,
             "n_tracks": len(tracks),
             "tracks_sha256": hashlib.sha256(listing.encode()).hexdigest()}
    root = Path(tracks.attrs["dataset_root"])
    if name == "synthetic" and (root / "synth_info.json").exists():
        fast_name = config.synthetic_dir(fast_profile=True).name
        ident["profile"] = "fast" if root.name == fast_name else "default"
        ident["synth"] = json.loads((root / "synth_info.json").read_text())
    return ident


def load_recorded(run_config: dict, *, progress: bool = True) -> pd.DataFrame:
    """Load exactly the data a run was trained on, or raise naming what differs.

    The synthetic set is found by the run's profile (a FAST run's set even
    outside FAST mode) and made again when missing, since the same seed gives
    the same bytes; GTZAN under the data root when the run was trained on the name
    ``gtzan``; a folder at its recorded path, whatever its name.

    Raises
    ------
    RunMismatchError
        If the run records no identity (made by an older version of the course),
        or the local data differs from the recorded one (the message names how).
    DataNotFoundError
        If a folder dataset is not on this machine.
    """
    recorded, where = run_config.get("data_identity"), run_config["dataset"]
    if recorded is None:
        raise RunMismatchError(
            f"This run does not record which data it was trained on ({where!r}), so its own "
            "test tracks cannot be found for sure. Retrain it with the current course "
            "(`train ... --overwrite`), or score it on a dataset with --dataset.")
    name = recorded["name"]
    if name == "synthetic" and "synth" in recorded:
        root = _recorded_synthetic(recorded, progress=progress)
    else:
        # the data root's GTZAN only when the run was given the name itself: a folder of the
        # user's that happens to be called gtzan is read where it was
        root = config.data_dir() / "gtzan" if where == "gtzan" else Path(where).expanduser()
        if not root.is_dir():
            raise DataNotFoundError(
                f"The run was trained on the dataset {name!r} ({recorded['n_tracks']} tracks), "
                f"expected at {root}, which is not on this machine. Put it there (or set "
                "COURSE_DATA_DIR), or score the run on other data with --dataset.")
    tracks = load_dataset(root, progress=progress)
    tracks.attrs["name"] = where
    local = identity(tracks)
    if local["tracks_sha256"] != recorded["tracks_sha256"]:
        raise RunMismatchError(
            f"The dataset at {root} is not the one the run was trained on: the run recorded "
            f"{recorded['n_tracks']} tracks (sha256 {recorded['tracks_sha256'][:12]}), here "
            f"there are {local['n_tracks']} (sha256 {local['tracks_sha256'][:12]}); track ids, "
            "genres or lengths differ. Restore the data the run used, or retrain the run here.")
    return tracks


def _recorded_synthetic(recorded: dict, *, progress: bool) -> Path:
    """The folder of the synthetic set a run used: made when missing, refused when different."""
    from .. import synth   # a sibling module; only needed to remake a missing set
    want = recorded["synth"]
    root = config.synthetic_dir(fast_profile=recorded["profile"] == "fast")
    info = root / "synth_info.json"
    have = json.loads(info.read_text()) if info.exists() else None
    if have is None and want["version"] == synth.VERSION:
        logger.info("the run's synthetic set is not at %s: making it again", root)
        synth.synthesize(root, per_genre=want["per_genre"], seconds=want["seconds"],
                         seed=want["seed"], progress=progress)
    elif have != want:
        diffs = "; ".join(f"{k}: run {want.get(k)!r}, here {(have or {}).get(k)!r}"
                          for k in sorted(set(want) | set(have or {}))
                          if want.get(k) != (have or {}).get(k))
        raise RunMismatchError(
            f"The synthetic set at {root} is not the one the run was trained on ({diffs}). "
            f"Make that set again with `python -m course_utils data synth"
            f"{' --fast' if recorded['profile'] == 'fast' else ''}` and the run's seed, "
            "or retrain the run on the set you have.")
    return root




# --------------------------------------------------------------------------- verifying
def verify(name_or_path: str | os.PathLike | None = None, *, progress: bool = True) -> dict:
    """Check a dataset and describe it: counts, rates, durations, bad files, duplicates.

    Returns
    -------
    report : dict
        ``root``, ``genres`` (per-genre ``count``, ``sr`` values, ``seconds``
        min/max), ``bad`` (``[{"path", "reason"}]``), ``duplicates`` (groups of
        paths with identical audio), ``ignored`` (non-audio files), ``known_faults``
        and ``usable`` (False when a genre has fewer than 2 good tracks).

    Raises
    ------
    DataNotFoundError
        If the dataset is not there: verifying never makes or fetches one.
    """
    root = resolve(name_or_path, create=False)
    genre_root = _genre_root(root)
    table = _index(genre_root, progress=progress)
    good = table[table["reason"] == ""]
    genres = {}
    for genre, rows in table.groupby("genre"):
        ok = rows[rows["reason"] == ""]
        genres[genre] = {"count": len(ok), "bad": int((rows["reason"] != "").sum()),
                         "sr": sorted({int(v) for v in ok["sr"].dropna()}),
                         "seconds": [round(float(ok["seconds"].min()), 2),
                                     round(float(ok["seconds"].max()), 2)] if len(ok) else []}
    dupes = [sorted(g["path"]) for _, g in good.groupby("hash") if len(g) > 1]
    ignored = sorted(str(f) for sub in genre_root.iterdir() if sub.is_dir()
                     for f in sub.iterdir() if f.is_file()
                     and not audio.is_audio_file(f))
    known = [{"path": p, "reason": why} for tid, why in config.KNOWN_BAD_FILES.items()
             for p in table.loc[table["track_id"] == tid, "path"]]
    return {"root": str(genre_root), "n_files": len(table), "genres": genres,
            "bad": table.loc[table["reason"] != "", ["path", "reason"]].to_dict("records"),
            "duplicates": dupes, "ignored": ignored, "known_faults": known,
            "usable": bool(genres) and min(g["count"] for g in genres.values()) >= 2}


def format_report(report: dict) -> str:
    """Render a :func:`verify` report as readable text."""
    lines = [f"Dataset at {report['root']}: {report['n_files']} audio files", "",
             f"{'genre':<12}{'good':>6}{'bad':>5}  {'sample rates':<14}seconds (min-max)"]
    for genre, g in report["genres"].items():
        span = "-".join(f"{s:.2f}" for s in g["seconds"]) or "-"
        lines.append(f"{genre:<12}{g['count']:>6}{g['bad']:>5}  "
                     f"{','.join(map(str, g['sr'])) or '-':<14}{span}")
    sections = [("Bad files (kept out of the dataset)", [f"{b['path']}: {b['reason']}"
                                                       for b in report["bad"]]),
                ("Exact duplicates (identical audio)", [" = ".join(d) for d in report["duplicates"]]),
                ("Known faults of GTZAN copies", [f"{k['path']}: {k['reason']}"
                                                  for k in report["known_faults"]]),
                ("Ignored (not an audio file type)", report["ignored"])]
    for title, items in sections:
        if items:
            lines += ["", f"{title}:"] + [f"  {item}" for item in items]
    few = [g for g, v in report["genres"].items() if v["count"] < 2]
    if not report["usable"]:
        verdict = (f"UNUSABLE for training: fewer than 2 good tracks in {', '.join(few)}"
                   if few else "UNUSABLE: no readable audio.")
        verdict += " (a dataset with at least 1 per genre can still be evaluated on)."
    elif report["bad"]:
        verdict = f"{len(report['bad'])} bad file(s) set aside; the rest is usable."
    else:
        verdict = "OK: every file is usable."
    return "\n".join(lines + ["", verdict])
