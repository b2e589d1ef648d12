"""Synthetic genres v2: the deep-model targets, on a fresh data seed at the default set size.

Every figure is a track accuracy on held-out tracks (or segments, for the leakage part),
from runs of ``runs.train_run`` evaluated by ``evaluate.evaluate_run``. Parts:

* ``models``: the CNN (and ``--models`` more) on random 70/15/15 track splits, split and
  initialisation seeds ``--seeds``: the deep model alone, the default ensemble, the
  statistics SVMs, and the baseline SVM on the same training tracks; a paired bootstrap
  of the deep model alone against the SVM, pooled over the seeds' test tracks.
* ``regularisation``: the CNN with dropout 0, L2 0 and no augmentation ("none"), same
  early stopping, against the default; with ``--overfit``, one "none" run without early
  stopping (patience = the epoch budget): how far its validation loss ends above its minimum.
* ``leakage``: the CNN on a random split of *segments* against the track split, each
  scored on its own held-out segments.
* ``artist``: the CNN and the SVM on artist-grouped 5-fold (fold = seed) against a random
  track split with the same training, validation and test sizes.
* ``pitchspeed``: artist-grouped, the default CNN against the same with pitch and speed
  copies of every training clip.
* ``real``: the first seed's CNN run scored on the real GTZAN clips of ``--real``.

Usage::

    python bench/synth_v2_targets.py --out bench/out/v2 --seed 9090
    python bench/synth_v2_targets.py --out bench/out/v2 --seed 9090 --only leakage
    python bench/synth_v2_targets.py --out bench/out/v2-nochain --seed 9090 --seeds 0 \
        --ablate chain --only models leakage regularisation artist
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_utils import data, evaluate, runs, synth, train  # noqa: E402
import ablation  # noqa: E402
from cached_run import cached_run  # noqa: E402

ablation.apply()   # $SYNTH_ABLATE, here and in the spawned synthesis workers

PARTS = ("models", "regularisation", "leakage", "artist", "pitchspeed", "real")
NONE = dict(augment="none", model_kwargs={"dropout": 0.0, "l2": 0.0})
KFOLD_SIZES = data.kfold_shares(5)   # what "kfold" (5 folds) leaves each side


def _run(out: Path, name: str, **kwargs) -> dict:
    """``cached_run`` plus the run's epoch time, epochs, training size and history."""
    m = cached_run(out, name, **kwargs)
    cfg = json.loads((m["run"] / "config.json").read_text())
    split = json.loads((m["run"] / "split.json").read_text())
    return {**m, "epoch_seconds": cfg["epoch_seconds"], "epochs_run": cfg["epochs_run"],
            "n_train": len(split.get("train", [])),
            "history": pd.read_csv(m["run"] / "history.csv")}


def _mean_std(values) -> str:
    values = np.asarray(values, float)
    spread = f" ± {values.std(ddof=1):.1%}" if len(values) > 1 else ""
    return f"{values.mean():.1%}{spread}"


def _deep_and_svm_correct(m: dict, tracks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per test track: is the deep model alone right, is the baseline SVM right (the SVM of
    ``evaluate``: fitted on the run's training and validation tracks, its own decision)."""
    from course_utils import classical, features
    run = runs.load_run(m["run"])
    split_ids = json.loads((m["run"] / "split.json").read_text())
    fs = features.extract(tracks["path"], kinds=("stats",), progress=False)
    part = lambda names: tracks[tracks["track_id"].isin(
        [t for n in names for t in split_ids[n]])]
    X, y, _ = classical.track_stats(part(("train", "val")), fs, run.genres)
    X_test, y_test, ids = classical.track_stats(part(("test",)), fs, run.genres)
    svm_ok = classical.svm_decision(classical.fit_stats_model(X, y, seed=run.config["seed"]),
                                    X_test) == y_test
    run.stats_model = None                                  # the deep model alone
    pred = run.predict_table(part(("test",)), progress=False)
    deep = dict(zip(pred.track_ids, np.asarray(pred.probs).argmax(1)))
    return np.array([deep[t] for t in ids]) == y_test, svm_ok


def models_part(out, root, tracks, seeds, model_names) -> dict:
    print(f"\n### Models: {len(tracks)} tracks, random 70/15/15 track split, seeds {seeds}\n")
    print("| model | s/epoch | epochs | deep model alone | ensemble (default) | statistics SVMs "
          "| baseline SVM |\n|---|---|---|---|---|---|---|")
    results = {}
    for model in model_names:
        ms = [_run(out, f"{model}_s{s}", model_name=model, dataset=str(root), seed=s)
              for s in seeds]
        results[model] = ms
        print(f"| {model} | {np.mean([m['epoch_seconds'] for m in ms]):.1f} | "
              f"{np.mean([m['epochs_run'] for m in ms]):.0f} | "
              f"{_mean_std([m['deep_track_accuracy'] for m in ms])} | "
              f"{_mean_std([m['track_accuracy'] for m in ms])} | "
              f"{_mean_std([m['stats_track_accuracy'] for m in ms])} | "
              f"{_mean_std([m['svm_track_accuracy'] for m in ms])} |", flush=True)
    best = max(model_names,
               key=lambda k: np.mean([m["deep_track_accuracy"] for m in results[k]]))
    deep, svm = zip(*(_deep_and_svm_correct(m, tracks) for m in results[best]))
    pb = evaluate.paired_bootstrap(np.concatenate(deep), np.concatenate(svm), seed=0)
    print(f"\nBest deep model alone: {best}. Paired bootstrap against the baseline SVM, pooled "
          f"over {sum(map(len, deep))} test decisions ({len(seeds)} seeds): difference "
          f"{pb['diff']:+.1%} [{pb['ci95'][0]:+.1%}, {pb['ci95'][1]:+.1%}], p = {pb['p']:.4f}",
          flush=True)
    return results


def regularisation_part(out, root, seeds, overfit: bool) -> None:
    print("\n### Regularisation: CNN, default (dropout 0.3, L2 1e-4, SpecAugment + mixup) "
          "against none (dropout 0, L2 0, no augmentation)\n")
    print("| seed | default, deep alone | none, deep alone | none: epochs |\n|---|---|---|---|")
    default, none = [], []
    for s in seeds:
        d = _run(out, f"cnn_s{s}", model_name="cnn", dataset=str(root), seed=s)
        n = _run(out, f"cnn_none_s{s}", model_name="cnn", dataset=str(root), seed=s,
                 ensemble=False, **NONE)
        default.append(d["deep_track_accuracy"])
        none.append(n["deep_track_accuracy"])
        print(f"| {s} | {default[-1]:.1%} | {none[-1]:.1%} | {n['epochs_run']} |", flush=True)
    print(f"| mean | {np.mean(default):.1%} | {np.mean(none):.1%} | difference "
          f"{np.mean(default) - np.mean(none):+.1%} |")
    if not overfit:
        return
    budget = train.default_epochs()
    m = _run(out, f"cnn_none_noearly_s{seeds[0]}", model_name="cnn", dataset=str(root),
             seed=seeds[0], ensemble=False, patience=budget, **NONE)
    loss = m["history"]["val_loss"]
    print(f"\nNo early stopping (seed {seeds[0]}, {len(loss)} epochs, none): validation loss "
          f"minimum {loss.min():.3f} at epoch {int(loss.idxmin()) + 1}, last {loss.iloc[-1]:.3f} "
          f"({loss.iloc[-1] / loss.min() - 1:+.0%} above the minimum); track accuracy "
          f"{m['deep_track_accuracy']:.1%}", flush=True)


def leakage_part(out, root, seeds) -> None:
    print("\n### Leakage: the CNN on a random split of segments against the track split, "
          "each scored on its own held-out segments\n")
    print("| seed | segment-random (leaky) | track split | gap |\n|---|---|---|---|")
    gaps = []
    for s in seeds:
        track = _run(out, f"cnn_s{s}", model_name="cnn", dataset=str(root), seed=s)
        leaky = _run(out, f"cnn_segment_random_s{s}", model_name="cnn", dataset=str(root),
                     seed=s, split="segment-random", ensemble=False)
        gaps.append(leaky["segment_accuracy"] - track["segment_accuracy"])
        print(f"| {s} | {leaky['segment_accuracy']:.1%} | {track['segment_accuracy']:.1%} | "
              f"{gaps[-1]:+.1%} |", flush=True)
    print(f"| mean | | | {np.mean(gaps):+.1%} |")


def artist_part(out, root, seeds) -> None:
    print("\n### Artists: artist-grouped 5-fold (fold = seed) against a random track split "
          "of the same sizes\n")
    print("| seed | training tracks (grouped / random) | CNN grouped | CNN random | "
          "SVM grouped | SVM random |\n|---|---|---|---|---|---|")
    cols = {k: [] for k in ("cg", "cr", "sg", "sr")}
    for s in seeds:
        g = _run(out, f"cnn_kfold{s}", model_name="cnn", dataset=str(root), seed=0,
                 split="kfold", fold=s, ensemble=False)
        r = _run(out, f"cnn_random20_s{s}", model_name="cnn", dataset=str(root), seed=s,
                 ensemble=False, **KFOLD_SIZES)
        row = (g["deep_track_accuracy"], r["deep_track_accuracy"], g["svm_track_accuracy"],
               r["svm_track_accuracy"])
        for k, v in zip(cols, row):
            cols[k].append(v)
        print(f"| {s} | {g['n_train']} / {r['n_train']} | " + " | ".join(f"{v:.1%}" for v in row)
              + " |", flush=True)
    means = {k: np.mean(v) for k, v in cols.items()}
    print(f"| mean | | {means['cg']:.1%} | {means['cr']:.1%} | {means['sg']:.1%} | "
          f"{means['sr']:.1%} |\n\nGrouped minus random: CNN {means['cg'] - means['cr']:+.1%}, "
          f"SVM {means['sg'] - means['sr']:+.1%}", flush=True)


def pitchspeed_part(out, root, seeds) -> None:
    print("\n### Pitch and speed copies, artist-grouped 5-fold (fold = seed), CNN alone\n")
    print("| fold | default | default + pitch + speed copies |\n|---|---|---|")
    for s in seeds:
        g = _run(out, f"cnn_kfold{s}", model_name="cnn", dataset=str(root), seed=0,
                 split="kfold", fold=s, ensemble=False)
        p = _run(out, f"cnn_kfold{s}_pitchspeed", model_name="cnn", dataset=str(root), seed=0,
                 split="kfold", fold=s, ensemble=False,
                 augment="specaugment,mixup,pitch,stretch")
        print(f"| {s} | {g['deep_track_accuracy']:.1%} | {p['deep_track_accuracy']:.1%} |",
              flush=True)


def real_part(out, root, real: Path, seed: int) -> None:
    if not real.exists():
        print(f"\n(real clips: {real} is absent, skipped)")
        return
    run = out / f"cnn_s{seed}"
    _run(out, f"cnn_s{seed}", model_name="cnn", dataset=str(root), seed=seed)
    m = evaluate.evaluate_run(run, real, progress=False)
    print(f"\n### Trained on synthetic (seed {seed}), scored on the real clips in {real.name}\n")
    print(f"{m['n_test_tracks']} tracks: track accuracy {m['track_accuracy']:.1%} (ensemble), "
          f"{m.get('deep_track_accuracy', float('nan')):.1%} (deep model alone)")
    for t, p in sorted(m["predictions"].items()):
        print(f"  {t}: {p}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench/out/v2"))
    ap.add_argument("--seed", type=int, default=9090, help="data seed (fresh, not tuned on)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--models", nargs="+", default=["cnn"])
    ap.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--overfit", action="store_true",
                    help="add the unregularised run without early stopping")
    ap.add_argument("--real", type=Path, default=Path(__file__).resolve().parents[2]
                    / "shared" / "data" / "gtzan-sample" / "genres_original")
    ap.add_argument("--ablate", choices=ablation.KINDS,
                    help="render the set without its recording chain or song form "
                         "(use an --out of its own)")
    args = ap.parse_args()
    ablation.apply(args.ablate)
    os.environ["COURSE_CACHE_DIR"] = str(args.out / "cache")
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    root = synth.synthesize(args.out / "data", seed=args.seed, fast=False, n_jobs=-1,
                            progress=False)
    what = f"synth {synth.VERSION}" + (f" without its {args.ablate}" if args.ablate else "")
    print(f"keras {__import__('keras').__version__}, {os.cpu_count()} cores; {what}, data seed "
          f"{args.seed}: {time.perf_counter() - start:.0f} s", flush=True)
    tracks = data.load_dataset(root, progress=False)
    if "models" in args.only:
        models_part(args.out, root, tracks, args.seeds, args.models)
    if "leakage" in args.only:
        leakage_part(args.out, root, args.seeds)
    if "regularisation" in args.only:
        regularisation_part(args.out, root, args.seeds, args.overfit)
    if "artist" in args.only:
        artist_part(args.out, root, args.seeds)
    if "real" in args.only:
        real_part(args.out, root, args.real, args.seeds[0])
    if "pitchspeed" in args.only:
        pitchspeed_part(args.out, root, args.seeds[:1])
    print(f"\n(all parts: {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
