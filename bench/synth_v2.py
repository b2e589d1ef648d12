"""Synthetic genres v2 (``synth.band``): synthesis time and the cheap difficulty targets.

Renders a fresh-seed set with ``band.render_clip`` (FLAC, 22050 Hz mono) into a
temporary folder on every core, timing it, then measures track accuracy under
repeated stratified 70/30 track splits for:

* tempo alone and mean spectral centroid alone (decision tree and kNN; target <= 35 %);
* the course's baseline SVM on its track statistics (``classical.fit_stats_model``,
  the SVM's own decision; target 60-80 %), on random splits and artist-grouped 5-fold.

The deep-model targets of the issue (deep model vs SVM, leakage, artist gap,
regularisation) need training runs and are measured once the set is the default.

Usage::

    python bench/synth_v2.py --per-genre 50 --seconds 30 --seed 4242
    python bench/synth_v2.py --plot v2.png          # one spectrogram per genre, then exit
    SYNTH_ABLATE=chain python bench/synth_v2.py --per-genre 50 --seconds 30 --seed 9090
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import soundfile as sf
from sklearn.model_selection import StratifiedGroupKFold, StratifiedShuffleSplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_utils import classical, config, features as course_features, synth  # noqa: E402
from course_utils.synth import band  # noqa: E402
from synth_difficulty import features, one_feature, scores  # noqa: E402
import ablation  # noqa: E402

ablation.apply()   # $SYNTH_ABLATE, here and in the spawned workers


def _render(task: tuple) -> str:
    root, genre, index, seed, seconds = task
    path = Path(root) / genre / f"{genre}.{index:05d}.flac"
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, band.render_clip(genre, index, seed=seed, seconds=seconds), config.SR,
             subtype="PCM_16")
    return str(path)


class _StatsSVM:
    """The course's baseline (``classical.fit_stats_model``), scored by its own decision."""

    def fit(self, X, y):
        self.labels = np.unique(y)
        self.model = classical.fit_stats_model(X, np.searchsorted(self.labels, y))
        return self

    def predict(self, X):
        return self.labels[classical.svm_decision(self.model, X)]


def plot(path: str, seed: int) -> None:
    import librosa
    import librosa.display
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(5, 2, figsize=(14, 13))
    for ax, genre in zip(axes.T.flat, config.GENRES):
        y = band.render_clip(genre, 0, seed=seed, seconds=30.0)
        S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=config.SR), ref=np.max)
        librosa.display.specshow(S, sr=config.SR, x_axis="time", y_axis="mel", cmap="magma",
                                 ax=ax)
        ax.set(title=genre, xlabel="")
    fig.tight_layout()
    fig.savefig(path, dpi=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-genre", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--plot", metavar="PNG")
    args = parser.parse_args()
    if args.plot:
        plot(args.plot, args.seed)
        return
    tmp = Path(tempfile.mkdtemp(prefix="synth-v2-"))
    spawn = multiprocessing.get_context("spawn")
    try:
        tasks = [(str(tmp), g, i, args.seed, args.seconds) for g in config.GENRES
                 for i in range(args.per_genre)]
        start = time.perf_counter()
        with ProcessPoolExecutor(os.cpu_count(), mp_context=spawn) as pool:
            paths = list(pool.map(_render, tasks, chunksize=5))
        took = time.perf_counter() - start
        size = sum(Path(p).stat().st_size for p in paths) / 1e6
        print(f"synthesised {len(paths)} clips of {args.seconds:.0f} s in {took:.0f} s on "
              f"{os.cpu_count()} cores; {size:.0f} MB as FLAC")
        labels = np.array([g for g, i in ((t[1], t[2]) for t in tasks)])
        groups = np.array([synth.artist_of(t[1], t[2], seed=args.seed) for t in tasks])
        with ProcessPoolExecutor(os.cpu_count(), mp_context=spawn) as pool:
            feats = list(pool.map(features, paths, chunksize=8))
        fs = course_features.extract(paths, kinds=("stats",), cache=False, progress=False)
        stats = np.stack([fs.features[p]["stats"] for p in paths]).astype(np.float64)
        tempo = np.array([[f["tempo"]] for f in feats])
        centroid = np.array([[f["centroid"]] for f in feats])
        random_splits = list(StratifiedShuffleSplit(args.repeats, test_size=0.3, random_state=0)
                             .split(stats, labels))
        grouped = list(StratifiedGroupKFold(5, shuffle=True, random_state=0)
                       .split(stats, labels, groups))
        print(f"\n| measure | split | track accuracy (mean ± std) |\n|---|---|---|")
        for name, X, make, splits, split_name in (
                ("tempo alone, decision tree", tempo, lambda: one_feature("tree"),
                 random_splits, "random 70/30"),
                ("tempo alone, kNN", tempo, lambda: one_feature("knn"), random_splits,
                 "random 70/30"),
                ("centroid alone, decision tree", centroid, lambda: one_feature("tree"),
                 random_splits, "random 70/30"),
                ("centroid alone, kNN", centroid, lambda: one_feature("knn"), random_splits,
                 "random 70/30"),
                ("SVM on track statistics", stats, _StatsSVM, random_splits, "random 70/30"),
                ("SVM on track statistics", stats, _StatsSVM, grouped, "artist-grouped 5-fold")):
            acc = scores(make, X, labels, splits)
            print(f"| {name} | {split_name} | {acc.mean():.1%} ± {acc.std():.1%} |", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
