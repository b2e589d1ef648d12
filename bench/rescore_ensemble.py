"""Benchmark: re-score saved full-set runs with the current default ensemble.

Usage::

    python bench/rescore_ensemble.py --out bench/out/results [--models cnn lstm crnn parallel]

The deep models of ``bench/synthetic_results.py --only models`` take about an
hour to train. Their inputs (log-mel and MFCC) have not changed since they were
trained; the classical half of the ensemble has (an SVM on segment statistics
joined the track SVM, both now fitted on training + validation tracks, and the
weight is fitted on validation only where validation has at least 10 tracks
per genre, as on this set). This script loads
each saved deep model, refits the classical half on the run's own training and
validation tracks, and scores the deep model alone, the classical half alone,
the SVM baseline alone and the ensemble on the run's own test tracks, with a
paired bootstrap of the ensemble against the baseline. It reads the models
directly (not through ``runs.load_run``), because the runs predate the
features version check.
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

import keras  # noqa: E402

from course_utils import classical, data, evaluate, features, runs  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench/out/results"))
    ap.add_argument("--models", nargs="+", default=["cnn", "lstm", "crnn", "parallel"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    os.environ["COURSE_CACHE_DIR"] = str(args.out / "cache")
    tracks = data.load_dataset(args.out / "data", progress=False).set_index("track_id")
    fs = features.extract(tracks["path"], progress=False)
    print("\n### Full synthetic set, re-scored with the default ensemble\n")
    print("| model | seed | deep model alone | statistics SVMs alone | SVM baseline | ensemble | "
          "deep weight | ensemble - baseline [95 % CI] | p |")
    print("|---|---|---|---|---|---|---|---|---|")
    table, pooled = {}, {}
    for model in args.models:
        for seed in args.seeds:
            run_dir = args.out / f"{model}_s{seed}"
            cfg = json.loads((run_dir / "config.json").read_text())
            split = json.loads((run_dir / "split.json").read_text())
            run = runs.Run(run_dir, cfg, keras.models.load_model(run_dir / "model.keras"))
            feats = lambda ids: [fs.features[tracks.loc[t, "path"]] for t in ids]
            labels = lambda ids: np.array([cfg["genres"].index(g) for g in tracks.loc[ids, "genre"]])
            deep_val = run.predict(feats(split["val"])).deep_probs   # runs.train_run's rule
            stats, w, rule, _ = classical.fit_stats_half(
                deep_val, feats(split["train"] + split["val"]),
                labels(split["train"] + split["val"]),
                held=np.arange(len(split["train"]), len(split["train"]) + len(split["val"])),
                seed=seed)
            test, y = feats(split["test"]), labels(split["test"])
            deep = run.predict(test).deep_probs
            P = stats.predict_proba(test)
            ok = {"deep": deep.argmax(1) == y, "stats": P.argmax(1) == y,
                  "svm": stats.predict_baseline(test) == y,
                  "ensemble": (w * deep + (1 - w) * P).argmax(1) == y}
            pb = evaluate.paired_bootstrap(ok["ensemble"], ok["svm"], seed=seed)
            for k, v in ok.items():
                table.setdefault(model, {}).setdefault(k, []).append(v.mean())
                pooled.setdefault(model, {}).setdefault(k, []).append(v)
            print(f"| {model} | {seed} | " + " | ".join(f"{ok[k].mean():.1%}" for k in ok) +
                  f" | {w:.2f} | {pb['diff']:+.1%} [{pb['ci95'][0]:+.1%}, {pb['ci95'][1]:+.1%}] | {pb['p']:.3f} |",
                  flush=True)
    print("\n| model | deep model alone | statistics SVMs alone | SVM baseline | ensemble | "
          "ensemble - baseline, all splits pooled [95 % CI] | p |\n|---|---|---|---|---|---|---|")
    for model, cols in table.items():
        ens, svm = (np.concatenate(pooled[model][k]) for k in ("ensemble", "svm"))
        pb = evaluate.paired_bootstrap(ens, svm, seed=0)
        print(f"| {model} | " + " | ".join(f"{np.mean(v):.1%} ± {np.std(v, ddof=1):.1%}"
                                          for v in cols.values()) +
              f" | {pb['diff']:+.1%} [{pb['ci95'][0]:+.1%}, {pb['ci95'][1]:+.1%}] | {pb['p']:.3f} |")


if __name__ == "__main__":
    main()
