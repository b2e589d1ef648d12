"""Benchmark: in which space does "unlike the training music" see real recordings?

Usage::

    python bench/novelty_space.py                 # uses runs/cnn (lesson 07's run)
    python bench/novelty_space.py --run DIR

The unsure flag's second test (``classical.Novelty``) measures how far a track lies from the
training tracks in the space of the 89 summary statistics. For a run trained on the default
synthetic set, this compares that space with musicnn's pooled embedding (MSD, the mean over
patches of ``[max_pool, mean_pool]``): each :func:`classical.fit_novelty` is fitted on the run's
training and validation tracks with its threshold from out-of-fold distances (5 folds grouped
by artist), then applied to the run's 75 test tracks (should pass) and to the 14 real GTZAN
clips of ``../shared/data`` (should be flagged). Needs ``../shared/data``; embeddings cached.
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

from course_utils import classical, data, features, pretrained  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtzan-sample" / "genres_original"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", type=Path, default=Path("runs/cnn"))
    args = ap.parse_args()
    if not REAL.is_dir():
        sys.exit(f"{REAL} not found: this benchmark needs the real clips of ../shared/data")
    cfg = json.loads((args.run / "config.json").read_text())
    split = json.loads((args.run / "split.json").read_text())
    tracks = data.load_recorded(cfg, progress=False).set_index("track_id")
    real = data.load_dataset(str(REAL), progress=False, min_per_genre=1)
    fit_ids, test_ids = split["train"] + split["val"], split["test"]
    paths = lambda ids: [tracks.loc[t, "path"] for t in ids]
    table = tracks.loc[fit_ids].reset_index()
    labels = np.array([cfg["genres"].index(g) for g in table["genre"]])
    folds = data.track_folds(table, classical.cross_fit_fold_count(labels), seed=cfg["seed"])

    def stats(ps):
        fs = features.extract(ps, progress=False).features
        return np.stack([fs[str(p)]["stats"] for p in ps])

    def musicnn(ps):
        emb = pretrained.embed_files(ps, progress=False)
        return np.stack([emb[str(p)].pooled() for p in ps])

    print(f"\n### Novelty: {args.run} ({len(fit_ids)} training and validation tracks)\n")
    print("| space | threshold (99 % of out-of-fold distances) | its test tracks flagged | "
          "real clips flagged | real clips' distances |")
    print("|---|---|---|---|---|")
    for name, space in (("89 summary statistics (shipped)", stats),
                        ("musicnn MSD, pooled (1506)", musicnn)):
        model, info = classical.fit_novelty(space(paths(fit_ids)), folds)
        t = info["threshold"]
        d_test, d_real = model.distance(space(paths(test_ids))), model.distance(
            space(list(real["path"])))
        print(f"| {name} | {t:.1f} | {(d_test > t).sum()} of {len(d_test)} | "
              f"{(d_real > t).sum()} of {len(d_real)} | "
              f"{', '.join(f'{g} {d:.0f}' for g, d in zip(real['genre'], d_real))} |")


if __name__ == "__main__":
    main()
