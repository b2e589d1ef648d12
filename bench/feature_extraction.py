"""Benchmark: cached, parallel feature extraction against a naive librosa loop.

Usage::

    python bench/feature_extraction.py --root /some/scratch/gtzan-sized
    python bench/feature_extraction.py --per-genre 10 --seconds 30   # a quick look

Steps, each in a fresh subprocess so peak RSS is measured per phase:

1. synthesise a GTZAN-sized set (10 genres x 100 clips x 30 s) if missing;
2. **naive**: ``librosa.load`` plus the same feature calls, each from ``y``, in one
   process, one file after another;
3. **cold**: ``course_utils.features.extract`` on an empty cache (all cores);
4. **cached**: the same call again.

Targets (issue "Foundation"): cold >= 1.7x the naive loop on 2 cores; cached
>= 50x faster than cold; peak RSS <= 4 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def naive(paths: list[str]) -> None:
    import librosa
    import numpy as np
    for p in paths:
        y, sr = librosa.load(p, sr=22050)
        S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr, n_mels=128))
        M = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
        np.concatenate([M, librosa.feature.delta(M), librosa.feature.delta(M, order=2)])
        librosa.feature.chroma_stft(y=y, sr=sr)
        librosa.feature.spectral_contrast(y=y, sr=sr)
        for f in (librosa.feature.spectral_centroid, librosa.feature.spectral_bandwidth,
                  librosa.feature.spectral_rolloff):
            f(y=y, sr=sr)
        librosa.feature.zero_crossing_rate(y)
        librosa.feature.rms(y=y)
        librosa.feature.tempo(y=y, sr=sr)
        del S


def extract(paths: list[str]) -> None:
    from course_utils import features
    fs = features.extract(paths, kinds=features.KINDS, progress=False)
    if fs.errors:
        raise SystemExit(f"unexpected errors: {fs.errors}")


def phase(name: str, files: str, cache: str) -> dict:
    """Run one phase in a fresh subprocess; return its time and peak RSS (with children).

    The time covers the work only, after the imports (librosa, course_utils), which
    every phase pays alike.
    """
    env = dict(os.environ, COURSE_CACHE_DIR=cache)
    out = subprocess.run([sys.executable, __file__, "--phase", name, "--files", files],
                         env=env, capture_output=True, text=True, check=True)
    return {"phase": name, **json.loads(out.stdout.strip().splitlines()[-1])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "gtzan-sized")
    ap.add_argument("--per-genre", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--files", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        paths = Path(args.files).read_text().split("\n")
        import librosa  # noqa: F401  (imports are not timed)
        from course_utils import features  # noqa: F401
        start = time.perf_counter()
        {"naive": naive, "cold": extract, "cached": extract}[args.phase](paths)
        seconds = time.perf_counter() - start
        from joblib.externals.loky import get_reusable_executor
        get_reusable_executor().shutdown(wait=True)   # reap workers so their peak RSS counts
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"seconds": seconds, "peak_rss_mb": own / 1024,
                          "peak_child_rss_mb": kids / 1024}))
        return
    from course_utils import data, synth
    t = time.perf_counter()
    synth.synthesize(args.root, per_genre=args.per_genre, seconds=args.seconds, seed=args.seed,
                     n_jobs=os.cpu_count(), progress=False)
    print(f"synthesised/checked {args.root} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    tracks = data.load_dataset(args.root, progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp) / "files.txt"
        files.write_text("\n".join(tracks["path"]))
        cache = str(Path(tmp) / "cache")
        results = [phase(name, str(files), cache) for name in ("naive", "cold", "cached")]
    naive_s, cold_s, cached_s = (r["seconds"] for r in results)
    print(f"\n{len(tracks)} files x {args.seconds:g} s, {os.cpu_count()} cores\n")
    print("| phase | wall s | peak RSS MB (main / largest worker) |\n|---|---|---|")
    for r in results:
        print(f"| {r['phase']} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} / {r['peak_child_rss_mb']:.0f} |")
    print(f"\ncold vs naive: {naive_s / cold_s:.2f}x faster (target >= 1.7x)")
    print(f"cached vs cold: {cold_s / cached_s:.1f}x faster (target >= 50x)")


if __name__ == "__main__":
    main()
