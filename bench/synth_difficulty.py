"""How hard is the synthetic dataset? Baselines that should fail and one that should half-succeed.

Synthesises a fresh-seed set into a temporary folder and measures track accuracy
under repeated stratified 70/30 track splits for:

* one-feature baselines: tempo alone (``librosa.feature.tempo``) and mean spectral
  centroid alone, each with a small decision tree and a kNN (target: <= 50 %);
* an RBF SVM on MFCC statistics (mean and std of 20 MFCCs; target: 70-92 %),
  also under an artist-grouped split, which shows the leakage of a random split.

It also times the synthesis of the default set on one core and reports its size.

Usage::

    python bench/synth_difficulty.py --per-genre 100 --seed 1234
    python bench/synth_difficulty.py --plot styles.png    # one spectrogram per genre
"""
from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import librosa
import numpy as np
import pandas as pd
from sklearn.model_selection import (GridSearchCV, StratifiedGroupKFold, StratifiedShuffleSplit)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from course_utils import config, synth  # noqa: E402


def features(path: str) -> dict:
    """Tempo, mean spectral centroid and MFCC statistics of one file."""
    y, sr = librosa.load(path, sr=config.SR)
    onset_env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=config.HOP_LENGTH)
    tempo = float(librosa.feature.tempo(onset_envelope=onset_env, sr=sr)[0])
    centroid = float(librosa.feature.spectral_centroid(
        y=y, sr=sr, n_fft=config.N_FFT, hop_length=config.HOP_LENGTH).mean())
    M = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=config.N_MFCC, n_fft=config.N_FFT,
                             hop_length=config.HOP_LENGTH)
    return {"tempo": tempo, "centroid": centroid,
            "mfcc": np.concatenate([M.mean(axis=1), M.std(axis=1)])}


def svm() -> GridSearchCV:
    pipe = make_pipeline(StandardScaler(), SVC(kernel="rbf", gamma="scale"))
    return GridSearchCV(pipe, {"svc__C": [1, 10, 100]}, cv=3)


def one_feature(kind: str):
    if kind == "tree":
        return DecisionTreeClassifier(max_depth=5, min_samples_leaf=5, random_state=0)
    return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=15))


def scores(make_model, X, labels, splits) -> np.ndarray:
    out = []
    for train, test in splits:
        model = make_model().fit(X[train], labels[train])
        out.append(np.mean(model.predict(X[test]) == labels[test]))
    return np.array(out)


def plot_styles(path: str, *, seed: int, seconds: float = 6.0) -> None:
    """Save a 2x5 grid of log-mel spectrograms, one clip per genre."""
    import matplotlib
    matplotlib.use("Agg")
    import librosa.display
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 5, figsize=(22, 8), sharey=True)
    for ax, genre in zip(axes.flat, config.GENRES):
        y = synth.render_clip(genre, 0, seed=seed, seconds=seconds)
        S = librosa.power_to_db(librosa.feature.melspectrogram(
            y=y, sr=config.SR, n_fft=config.N_FFT, hop_length=config.HOP_LENGTH,
            n_mels=config.N_MELS), ref=np.max)
        librosa.display.specshow(S, sr=config.SR, hop_length=config.HOP_LENGTH,
                                 x_axis="time", y_axis="mel", ax=ax)
        ax.set_title(genre)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print(f"saved {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-genre", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--repeats", type=int, default=10, help="random 70/30 splits")
    parser.add_argument("--n-jobs", type=int, default=-1, help="processes for synthesis/features")
    parser.add_argument("--skip-timing", action="store_true",
                        help="skip timing the default set on one core")
    parser.add_argument("--plot", metavar="PNG", help="only save a spectrogram grid and exit")
    args = parser.parse_args()
    if args.plot:
        plot_styles(args.plot, seed=args.seed)
        return

    tmp = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    try:
        t0 = time.perf_counter()
        root = synth.synthesize(tmp / "set", per_genre=args.per_genre, seconds=args.seconds,
                                seed=args.seed, n_jobs=args.n_jobs)
        print(f"synthesised {args.per_genre * 10} clips in {time.perf_counter() - t0:.0f} s")
        meta = pd.read_csv(root / "metadata.csv")
        paths = [str(root / "genres_original" / g / f"{t}.wav")
                 for t, g in zip(meta.track_id, meta.genre)]
        with ProcessPoolExecutor(None if args.n_jobs == -1 else args.n_jobs,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            feats = list(pool.map(features, paths, chunksize=8))
        labels = meta.genre.to_numpy()
        groups = meta.artist.to_numpy()
        tempo = np.array([[f["tempo"]] for f in feats])
        centroid = np.array([[f["centroid"]] for f in feats])
        mfcc = np.array([f["mfcc"] for f in feats])

        random_splits = list(StratifiedShuffleSplit(args.repeats, test_size=0.3, random_state=0)
                             .split(mfcc, labels))
        grouped_splits = list(StratifiedGroupKFold(5, shuffle=True, random_state=0)
                              .split(mfcc, labels, groups))
        rows = [
            ("tempo alone", "decision tree", "random 70/30", tempo, lambda: one_feature("tree"), random_splits),
            ("tempo alone", "kNN (k=15)", "random 70/30", tempo, lambda: one_feature("knn"), random_splits),
            ("mean spectral centroid", "decision tree", "random 70/30", centroid, lambda: one_feature("tree"), random_splits),
            ("mean spectral centroid", "kNN (k=15)", "random 70/30", centroid, lambda: one_feature("knn"), random_splits),
            ("MFCC mean+std (40)", "SVM (RBF, C in 1/10/100)", "random 70/30", mfcc, svm, random_splits),
            ("MFCC mean+std (40)", "SVM (RBF, C in 1/10/100)", "artist-grouped 5-fold", mfcc, svm, grouped_splits),
        ]
        print(f"\nTrack accuracy, seed={args.seed}, {args.per_genre} clips/genre x "
              f"{args.seconds:g} s (chance 10 %)\n")
        print("| features | model | split | accuracy |")
        print("|---|---|---|---|")
        for name, model, split, X, make, splits in rows:
            acc = scores(make, X, labels, splits)
            print(f"| {name} | {model} | {split} | {100 * acc.mean():.1f} ± {100 * acc.std():.1f} % |")
        sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if not args.skip_timing:
        tmp = Path(tempfile.mkdtemp(prefix="synth-default-"))
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            root = synth.synthesize(tmp, fast=False, seed=config.SEED, n_jobs=1, progress=False)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
            n, s = synth.FULL_SIZE
            print(f"\nDefault set ({n} clips/genre x {s:g} s, n_jobs=1): "
                  f"{elapsed:.0f} s wall ({cpu:.0f} s CPU), {size / 1e6:.0f} MB on disk")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
