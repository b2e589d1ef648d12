"""Applications (lesson 09): retrieval quality and speed, and timeline boundary errors.

Needs a trained run and the synthetic set it was trained on (by default those of
``bench/synth_v2_targets.py``: ``bench/out/v2/cnn_s0`` and ``bench/out/v2/data``). Measures:

* genre and same-artist precision@5 of each embedding space (run, musicnn, mfcc) over
  the run's validation and test tracks (never trained on);
* the real GTZAN clips of ``--real`` queried into that synthetic index: the share of
  their 5 neighbours with the clip's genre;
* index build time per track from a cold cache, per space;
* the whole ``similar`` command for one query into 1,000 tracks (cached index), and
  ``SimilarityIndex.nearest`` alone over 100,000 stored vectors;
* timeline boundary errors on medleys of five new songs (another data seed).

Usage::

    python bench/applications.py --run bench/out/v2/cnn_s0 --out bench/out/apps
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course_utils import apps, audio, config, data, runs, synth  # noqa: E402


def _p_at_k(X, labels, k=5):
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    sim = U @ U.T
    np.fill_diagonal(sim, -np.inf)
    return float((labels[np.argsort(-sim, axis=1)[:, :k]] == labels[:, None]).mean())


def retrieval(run, tracks, real: Path) -> None:
    split = json.loads((run.path / "split.json").read_text())
    pool = tracks.set_index("track_id").loc[split["val"] + split["test"]].reset_index()
    print(f"\n### Retrieval: {len(pool)} validation + test tracks of the run\n")
    print("| space | dim | genre precision@5 | same-artist precision@5 | real clips: neighbours "
          "of their genre |\n|---|---|---|---|---|")
    real_files = sorted(p for p in real.rglob("*") if audio.is_audio_file(p)) if real.exists() else []
    for space in apps.SPACES:
        vec, _ = apps.embed_files(list(pool.path), space=space, run=run)
        X = np.stack([vec[p] for p in pool.path])
        genre, artist = pool.genre.to_numpy(), pool.artist.to_numpy()
        real_share = "absent"
        if real_files:
            rv, _ = apps.embed_files([str(p) for p in real_files], space=space, run=run)
            mean, std = X.mean(0), X.std(0) + 1e-6
            U = (X - mean) / std
            U /= np.linalg.norm(U, axis=1, keepdims=True)
            shares = []
            for p, v in rv.items():
                q = (v - mean) / std
                nearest = np.argsort(-(U @ (q / np.linalg.norm(q))))[:5]
                shares.append((genre[nearest] == Path(p).name.split(".")[0]).mean())
            real_share = f"{np.mean(shares):.1%} ({len(shares)} clips)"
        print(f"| {space} | {X.shape[1]} | {_p_at_k(X, genre):.1%} | {_p_at_k(X, artist):.1%} | "
              f"{real_share} |", flush=True)


def speed(run, tracks, out: Path) -> None:
    print("\n### Speed\n")
    sample = tracks.sample(100, random_state=0)
    folder = out / "index100"
    folder.mkdir(parents=True, exist_ok=True)
    for p in sample.path:
        link = folder / Path(p).name
        if not link.exists():
            link.write_bytes(Path(p).read_bytes())       # new files: nothing cached yet
    print("| step | time |\n|---|---|")
    for space in apps.SPACES:
        os.environ["COURSE_CACHE_DIR"] = str(out / f"cold-{space}-{time.time_ns()}")
        start = time.perf_counter()
        apps.SimilarityIndex.build(folder, run=run, space=space)
        took = time.perf_counter() - start
        print(f"| index build, {space} space, cold cache | {1000 * took / 100:.0f} ms per track "
              f"(30 s clips) |", flush=True)
    big = out / "index1000"
    big.mkdir(exist_ok=True)
    for i, p in enumerate(list(tracks.path) * 2):
        link = big / f"{i:04d}_{Path(p).name}"
        if not link.exists():
            link.symlink_to(Path(p).resolve())
    os.environ["COURSE_CACHE_DIR"] = str(out / "warm")
    query = tracks.path.iloc[0]
    cmd = [sys.executable, "-m", "course_utils", "similar", str(run.path), query, "--index", str(big)]
    subprocess.run(cmd, capture_output=True, env=os.environ)           # builds the index
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
    took = time.perf_counter() - start
    print(f"| whole `similar` command, one query into {len(list(big.iterdir()))} tracks, cached "
          f"index (rc {done.returncode}) | {took:.1f} s |")
    rng = np.random.default_rng(0)
    index = apps.SimilarityIndex(big, "run", [f"t{i}" for i in range(100_000)],
                                 rng.normal(size=(100_000, 64)).astype(np.float32))
    index.nearest(rng.normal(size=64), k=5)
    start = time.perf_counter()
    for _ in range(5):
        index.nearest(rng.normal(size=64), k=5)
    print(f"| `SimilarityIndex.nearest` alone, 100,000 vectors of 64 | "
          f"{1000 * (time.perf_counter() - start) / 5:.0f} ms per query |", flush=True)


def medleys(run, n: int, seed: int) -> None:
    genres = config.GENRES
    errors, windows_s = [], []
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        for m in range(n):
            chosen = rng.choice(genres, 5, replace=False)
            y = np.concatenate([synth.render_clip(g, m, seed=seed, seconds=30.0) for g in chosen])
            path = Path(tmp) / f"medley{m}.flac"
            sf.write(path, y, config.SR)
            start = time.perf_counter()
            table = apps.timeline(run, path, hop=1.5)
            windows_s.append((time.perf_counter() - start) / len(table))
            labels = np.array(run.genres)[apps.smooth(table[run.genres].to_numpy()).argmax(1)]
            found = apps.change_points(table["start"], labels)
            errors.append(apps.boundary_errors([30.0 * i for i in range(1, 5)], found))
    e = np.concatenate(errors)
    print(f"\n### Timeline: {n} medleys of 5 songs x 30 s (data seed {seed}), hop 1.5 s, "
          f"smoothed over 5 windows\n")
    print(f"{len(e)} true boundaries: median error {np.median(e):.1f} s; within 3 s: "
          f"{(e <= 3).mean():.0%}; within 6 s: {(e <= 6).mean():.0%}; "
          f"{1000 * np.mean(windows_s):.0f} ms per window")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, default=Path("bench/out/v2/cnn_s0"))
    ap.add_argument("--out", type=Path, default=Path("bench/out/apps"))
    ap.add_argument("--medleys", type=int, default=5)
    ap.add_argument("--real", type=Path, default=Path(__file__).resolve().parents[2]
                    / "shared" / "data" / "gtzan-sample" / "genres_original")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("COURSE_CACHE_DIR", str(args.run.parent / "cache"))
    run = runs.load_run(args.run)
    tracks = data.load_recorded(run.config, progress=False)
    print(f"run {args.run} ({run.config['model']}), {len(tracks)} tracks, {os.cpu_count()} cores")
    retrieval(run, tracks, args.real)
    medleys(run, args.medleys, seed=4343)
    speed(run, tracks, args.out)


if __name__ == "__main__":
    main()
