"""Benchmark: which probe on musicnn's embeddings, on the small-data set.

Usage::

    python bench/probe_variants.py            # after `bench/transfer.py --only small`
    python bench/probe_variants.py --seeds 0 1 2

The data and splits of ``bench/transfer.py --only small`` (data seed 2028, 10 clips per genre
x 20 s, 70/30 track splits, split seeds 0-9, 30 test tracks each; embeddings from its cache).
The course's probe (``train --model musicnn``: a dense probe on every 3-s patch's
``[max_pool, mean_pool]``, mixup, early stopping on the validation tracks) is read from those
runs' ``metrics.json``; every other variant pools each track into one vector and fits a
scikit-learn head (standardised inputs) on the training *and* validation tracks, with fixed
settings, so nothing is chosen on the test tracks:

* what is pooled: ``[max_pool, mean_pool]`` (1506) or ``penultimate`` (200), of MSD, MTT or
  both concatenated; mean over patches, or mean and standard deviation;
* how much of the clip: every patch, or the first 3 (9 s);
* the head: logistic regression (C=1, a linear probe) or an RBF SVM (C=10).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course_utils import data, pretrained  # noqa: E402

SMALL_SPLIT = dict(val_size=0.15, test_size=0.30)


def pooled(emb: pretrained.Embedding, layer: str, stats: str, patches: int | None) -> np.ndarray:
    P = (pretrained.patch_features(emb) if layer == "pooled" else emb.penultimate)[:patches]
    return np.concatenate([P.mean(0), P.std(0)]) if stats == "mean+std" else P.mean(0)


def head(kind: str):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    clf = LogisticRegression(C=1.0, max_iter=5000) if kind == "logistic" else SVC(C=10)
    return make_pipeline(StandardScaler(), clf)


VARIANTS = [  # (name, models, layer, stats, patches, head)
    ("MSD pooled, mean, logistic", ("MSD",), "pooled", "mean", None, "logistic"),
    ("MSD pooled, mean+std, logistic", ("MSD",), "pooled", "mean+std", None, "logistic"),
    ("MSD pooled, mean, SVM", ("MSD",), "pooled", "mean", None, "svm"),
    ("MSD penultimate, mean+std, logistic", ("MSD",), "penultimate", "mean+std", None, "logistic"),
    ("MSD pooled, first 3 patches, logistic", ("MSD",), "pooled", "mean", 3, "logistic"),
    ("MTT pooled, mean, logistic", ("MTT",), "pooled", "mean", None, "logistic"),
    ("MSD + MTT pooled, mean, logistic", ("MSD", "MTT"), "pooled", "mean", None, "logistic"),
    ("MSD + MTT pooled, mean+std, logistic", ("MSD", "MTT"), "pooled", "mean+std", None,
     "logistic"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("bench/out/transfer"))
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    args = ap.parse_args()
    os.environ["COURSE_CACHE_DIR"] = str(args.out / "cache")
    tracks = data.load_dataset(str(args.out / "data-small-2028"), progress=False)
    emb = {m: pretrained.embed_files(tracks["path"], model=f"{m}_musicnn", progress=False)
           for m in ("MSD", "MTT")}
    rows = {}
    for s in args.seeds:
        split = data.split_tracks(tracks, seed=s, **SMALL_SPLIT)
        fit = np.concatenate([split.train["path"], split.val["path"]])
        y_fit = np.concatenate([split.train["genre"], split.val["genre"]])
        for name, models, layer, stats, patches, kind in VARIANTS:
            X = lambda paths: np.stack([np.concatenate([pooled(emb[m][p], layer, stats, patches)
                                                        for m in models]) for p in paths])
            model = head(kind).fit(X(fit), y_fit)
            acc = float((model.predict(X(split.test["path"])) == split.test["genre"]).mean())
            rows.setdefault(name, []).append(acc)
        for m in ("MSD", "MTT"):
            metrics = args.out / f"musicnn_{m}_s{s}" / "metrics.json"
            if metrics.exists():
                rows.setdefault(f"course probe ({m}, dense, per patch)", []).append(
                    json.loads(metrics.read_text())["deep_track_accuracy"])
    print(f"\n### Probe variants, split seeds {args.seeds}\n")
    print("| variant | " + " | ".join(str(s) for s in args.seeds) + " | mean ± std |")
    print("|---|" + "---|" * (len(args.seeds) + 1))
    for name, accs in rows.items():
        cells = [f"{a:.1%}" for a in accs] + [""] * (len(args.seeds) - len(accs))
        print(f"| {name} | " + " | ".join(cells) +
              f" | {np.mean(accs):.1%} ± {np.std(accs, ddof=1) if len(accs) > 1 else 0:.1%} |")


if __name__ == "__main__":
    main()
