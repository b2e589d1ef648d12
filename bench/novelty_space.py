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
clips of ``../shared/data`` (should be flagged), and to one 12-s clip a genre rendered with a
seed the set never used (synthetic music by new artists, shorter than the training clips:
should pass). Needs ``../shared/data``; embeddings cached.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import soundfile as sf  # noqa: E402

from course_utils import classical, config, data, features, pretrained, synth  # noqa: E402

NEW_SEED = 7   # the lessons' unused seed

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

    def band_stats(ps):   # per-band log-mel means and deviations, and frame-to-frame changes
        fs = features.extract(ps, kinds=["logmel"], progress=False).features
        return np.stack([np.r_[M.mean(1), M.std(1), np.abs(np.diff(M, axis=1)).mean(1)]
                         for M in (fs[str(p)]["logmel"] for p in ps)])

    def musicnn_pooled(ps):
        emb = pretrained.embed_files(ps, progress=False)
        return np.stack([emb[str(p)].pooled() for p in ps])

    def musicnn_patches(ps):   # the shipped space: a track's distance is its patches' mean
        emb = pretrained.embed_files(ps, progress=False)
        return [pretrained.patch_features(emb[str(p)]) for p in ps]

    print(f"\n### Novelty: {args.run} ({len(fit_ids)} training and validation tracks)\n")
    new, tmp = [], Path(tempfile.mkdtemp(prefix="novelty_"))
    for g in cfg["genres"]:                    # new synthetic music, 12 s: should pass
        new.append(tmp / f"{g}.wav")
        sf.write(new[-1], synth.render_clip(g, 0, seed=NEW_SEED, seconds=12), config.SR)
    print("| space | threshold (99 % of out-of-fold distances) | its test tracks flagged | "
          "new 12-s synthetic clips flagged | real clips flagged | real clips' distances |")
    print("|---|---|---|---|---|---|")
    for name, space, fit in (("89 summary statistics", stats, classical.fit_novelty),
                             ("the same, 5 nearest neighbours", stats, _fit_knn),
                             ("log-mel bands: means, deviations, changes (384)", band_stats,
                              classical.fit_novelty),
                             ("the same, 5 nearest neighbours", band_stats, _fit_knn),
                             ("musicnn MSD, mean over patches (1506)", musicnn_pooled,
                              classical.fit_novelty),
                             ("musicnn MSD, each patch, mean distance (1506; shipped)",
                              musicnn_patches, classical.fit_novelty)):
        model, info = fit(space(paths(fit_ids)), folds)
        t = info["threshold"]
        d_test, d_real = (model.track_distance(space(paths(test_ids))),
                          model.track_distance(space(list(real["path"]))))
        d_new = model.track_distance(space(new))
        print(f"| {name} | {t:.1f} | {(d_test > t).sum()} of {len(d_test)} | "
              f"{(d_new > t).sum()} of {len(d_new)} | "
              f"{(d_real > t).sum()} of {len(d_real)} | "
              f"{', '.join(f'{g} {d:.0f}' for g, d in zip(real['genre'], d_real))} |")


class _Knn:
    """The mean distance to the 5 nearest training tracks (standardised): the usual
    non-parametric alternative to a Mahalanobis distance."""

    def fit(self, X):
        from sklearn.neighbors import NearestNeighbors
        self.mean, self.scale = X.mean(0), X.std(0) + 1e-9
        self.nn = NearestNeighbors(n_neighbors=5).fit((X - self.mean) / self.scale)
        return self

    def track_distance(self, X):
        return self.nn.kneighbors((X - self.mean) / self.scale)[0].mean(1)


def _fit_knn(X, folds):
    """classical.fit_novelty's rule with :class:`_Knn`: the 99th percentile of out-of-fold
    distances."""
    held = np.zeros(len(X))
    for fit, out in folds:
        held[out] = _Knn().fit(X[fit]).track_distance(X[out])
    return _Knn().fit(X), {"threshold": float(np.quantile(held, classical.NOVELTY_QUANTILE))}


if __name__ == "__main__":
    main()
