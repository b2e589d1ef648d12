"""Benchmark: every model on the synthetic set, the leakage gap, and the small-data regime.

Usage::

    python bench/synthetic_results.py --out bench/out/results       # everything (~1 h on 2 cores)
    python bench/synthetic_results.py --only small                 # just the small-data part

Parts (each writes runs under ``--out`` and prints a markdown table):

* ``models``: the frozen generator on a fresh seed (default 2026), 100 clips per
  genre x 10 s, random track split 70/15/15, 3 seeds; each model's track
  accuracy (deep model alone, and the default ensemble with the SVM on track
  statistics), the SVM alone, seconds per epoch; a paired bootstrap of the best
  model against the SVM on the same test tracks; a CNN augmentation ablation.
* ``leakage``: the same CNN with a random split of *segments* against the
  track split.
* ``small``: 10 clips per genre x 20 s (data seed ``--seed`` + 2 = 2028, fresh:
  the recipe was chosen on 2027 with ``bench/small_data_dev.py``), 70/30 track
  splits, 10 split seeds: the SVM baseline on track statistics, a plain CNN
  (no augmentation, no overlap, no ensemble, 30 epochs), the course's default
  recipe (``train`` with its defaults) with its parts, and the recipe without
  augmentation or without overlapping segments.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course_utils import data, evaluate, runs, synth  # noqa: E402


def _run(out: Path, name: str, **kwargs) -> dict:
    run_dir = out / name
    if not (run_dir / "metrics.json").exists():
        start = time.perf_counter()
        runs.train_run(out=run_dir, overwrite=True, verbose=0, **kwargs)
        evaluate.evaluate_run(run_dir, progress=False)
        print(f"  {name}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    m = json.loads((run_dir / "metrics.json").read_text())
    cfg = json.loads((run_dir / "config.json").read_text())
    return {**m, "epoch_seconds": cfg["epoch_seconds"], "params": cfg["params"],
            "epochs_run": cfg["epochs_run"], "run": run_dir}


def _correct(m: dict, split_ids: list[str], tracks) -> np.ndarray:
    truth = tracks.set_index("track_id")["genre"]
    return np.array([m["predictions"][t] == truth[t] for t in split_ids])


def _svm_correct(run_dir: Path, tracks) -> tuple[np.ndarray, list[str]]:
    """The baseline SVM on track statistics (fitted inside the run), per test track."""
    run, ids, y, feats = _test_feats(run_dir, tracks)
    return run.stats_model.predict_baseline(feats) == y, ids


def models_part(out: Path, root: Path, seeds: list[int]) -> None:
    tracks = data.load_dataset(root, progress=False)
    rows, per_seed = [], {}
    for model in ("cnn", "lstm", "crnn", "parallel"):
        for seed in seeds:
            m = _run(out, f"{model}_s{seed}", model_name=model, dataset=str(root), seed=seed)
            rows.append((model, seed, m))
            per_seed.setdefault(seed, {})[model] = m
    print(f"\n### Models: {len(tracks)} tracks, random track split, seeds {seeds}\n")
    print("| model | params | s/epoch | epochs | deep model alone | ensemble (default) | "
          "statistics SVMs alone | SVM baseline |")
    print("|---|---|---|---|---|---|---|---|")
    svm_acc = {}
    for model in ("cnn", "lstm", "crnn", "parallel"):
        ms = [m for name, _, m in rows if name == model]
        deep = [m["deep_track_accuracy"] for m in ms]
        ens = [m["track_accuracy"] for m in ms]
        stats = [m["stats_track_accuracy"] for m in ms]
        svm = [m["svm_track_accuracy"] for m in ms]
        svm_acc[model] = svm
        print(f"| {model} | {ms[0]['params']:,} | {np.mean([m['epoch_seconds'] for m in ms]):.1f} | "
              f"{np.mean([m['epochs_run'] for m in ms]):.0f} | {np.mean(deep):.1%} ± {np.std(deep, ddof=1):.1%} | "
              f"{np.mean(ens):.1%} ± {np.std(ens, ddof=1):.1%} | {np.mean(stats):.1%} ± {np.std(stats, ddof=1):.1%} | "
              f"{np.mean(svm):.1%} ± {np.std(svm, ddof=1):.1%} |")
    # paired bootstrap: the best configuration against the SVM, on the same test tracks
    best_model, best_kind = max(((mo, k) for mo in ("cnn", "lstm", "crnn", "parallel")
                                 for k in ("deep_track_accuracy", "track_accuracy")),
                                key=lambda mk: np.mean([per_seed[s][mk[0]][mk[1]] for s in seeds]))
    print(f"\nBest: {best_model} ({'ensemble' if best_kind == 'track_accuracy' else 'deep model alone'}). "
          "Paired bootstrap against the SVM alone, same test tracks:\n")
    print("| seed | best | SVM | difference [95 % CI] | p (best not better) |\n|---|---|---|---|---|")
    for seed in seeds:
        m = per_seed[seed][best_model]
        svm_ok, ids = _svm_correct(m["run"], tracks)
        if best_kind == "track_accuracy":
            best_ok = _correct(m, ids, tracks)
        else:
            best_ok = _deep_correct(m["run"], ids, tracks)
        pb = evaluate.paired_bootstrap(best_ok, svm_ok, seed=seed)
        print(f"| {seed} | {best_ok.mean():.1%} | {svm_ok.mean():.1%} | {pb['diff']:+.1%} "
              f"[{pb['ci95'][0]:+.1%}, {pb['ci95'][1]:+.1%}] | {pb['p']:.3f} |")
    print("\n### CNN augmentation ablation (seed %d, deep model alone)\n" % seeds[0])
    print("| augment | deep model alone | epochs |\n|---|---|---|")
    for aug in ("none", "specaugment", "specaugment,mixup", "specaugment,mixup,pitch,stretch"):
        name = f"cnn_s{seeds[0]}" if aug == "specaugment,mixup" else f"cnn_aug_{aug.replace(',', '+')}"
        m = _run(out, name, model_name="cnn", dataset=str(root), seed=seeds[0], augment=aug)
        print(f"| {aug} | {m['deep_track_accuracy']:.1%} | {m['epochs_run']} |")


def _deep_correct(run_dir: Path, ids: list[str], tracks) -> np.ndarray:
    run = runs.load_run(run_dir)
    run.stats_model = None          # the deep model alone
    sub = tracks[tracks["track_id"].isin(ids)].set_index("track_id").loc[ids].reset_index()
    pred = run.predict_table(sub, progress=False)
    got_ids, probs = pred.track_ids, pred.probs
    truth = sub.set_index("track_id")["genre"]
    return np.array([run.genres[p.argmax()] == truth[t] for t, p in zip(got_ids, probs)])


def leakage_part(out: Path, root: Path, seed: int) -> None:
    track = _run(out, f"cnn_s{seed}", model_name="cnn", dataset=str(root), seed=seed)
    leaky = _run(out, f"cnn_segment_random_s{seed}", model_name="cnn", dataset=str(root),
                 seed=seed, split="segment-random", ensemble=False)
    print("\n### Leakage: the same CNN, segment split against track split\n")
    print("| split | segment accuracy | track accuracy (deep model) |\n|---|---|---|")
    print(f"| segment-random (leaky) | {leaky['segment_accuracy']:.1%} | {leaky['deep_track_accuracy']:.1%} |")
    print(f"| random by track | {track['segment_accuracy']:.1%} | {track['deep_track_accuracy']:.1%} |")


def _test_feats(run_dir: Path, tracks):
    """The run's test tracks (in split order), their labels and per-track features."""
    from course_utils import features
    run = runs.load_run(run_dir)
    ids = json.loads((run_dir / "split.json").read_text())["test"]
    test = tracks.set_index("track_id").loc[ids].reset_index()
    fs = features.extract(test["path"], progress=False)
    return run, ids, np.array([run.genres.index(g) for g in test["genre"]]), \
        [fs.features[p] for p in test["path"]]


SMALL_SPLIT = dict(val_size=0.15, test_size=0.30)   # 70/30 by track; validation out of the 70


def small_part(out: Path, seed: int, seeds: list[int]) -> None:
    """10 clips per genre: the SVM baseline, a plain CNN and the default recipe with its parts."""
    root = synth.synthesize(out / f"data-small-{seed}", per_genre=10, seconds=20.0, seed=seed,
                            n_jobs=os.cpu_count(), progress=False)
    tracks = data.load_dataset(root, progress=False)
    cols = {"svm": "SVM baseline (track statistics)", "plain": "plain CNN (30 epochs)",
            "noaug": "recipe without augmentation", "noover": "recipe without overlap",
            "deep": "recipe: CNN alone", "stats": "recipe: statistics SVMs alone",
            "recipe": "**default recipe**"}
    print(f"\n### Small data: 10 clips per genre x 20 s (data seed {seed}), 70/30 track "
          f"splits, split seeds {seeds}\n")
    print("| seed | " + " | ".join(cols.values()) + " |\n|" + "---|" * (len(cols) + 1))
    res = {k: [] for k in cols}
    pooled_recipe, pooled_svm = [], []
    for s in seeds:
        common = dict(model_name="cnn", dataset=str(root), seed=s, **SMALL_SPLIT)
        plain = _run(out, f"small{seed}_plain_s{s}", augment="none", ensemble=False, epochs=30,
                     overlap=False, **common)
        noaug = _run(out, f"small{seed}_noaug_s{s}", augment="none", **common)
        noover = _run(out, f"small{seed}_nooverlap_s{s}", overlap=False, **common)
        recipe = _run(out, f"small{seed}_recipe_s{s}", **common)
        run, ids, y, feats = _test_feats(recipe["run"], tracks)
        svm_ok = run.stats_model.predict_baseline(feats) == y
        recipe_ok = np.array([recipe["predictions"][t] == run.genres[i] for t, i in zip(ids, y)])
        pooled_recipe.append(recipe_ok)
        pooled_svm.append(svm_ok)
        row = {"svm": svm_ok.mean(), "plain": plain["deep_track_accuracy"],
               "noaug": noaug["track_accuracy"], "noover": noover["track_accuracy"],
               "deep": recipe["deep_track_accuracy"], "stats": recipe["stats_track_accuracy"],
               "recipe": recipe["track_accuracy"]}
        for k, v in row.items():
            res[k].append(v)
        print(f"| {s} | " + " | ".join(f"{row[k]:.1%}" for k in cols) + " |")
    print("| mean ± std | " + " | ".join(f"{np.mean(res[k]):.1%} ± {np.std(res[k], ddof=1):.1%}"
                                          for k in cols) + " |")
    pb = evaluate.paired_bootstrap(np.concatenate(pooled_recipe), np.concatenate(pooled_svm),
                                   seed=seed)
    n = sum(len(r) for r in pooled_recipe)
    print(f"\nRecipe against the SVM baseline, paired over all {n} test decisions "
          f"({len(seeds)} splits x {n // len(seeds)} tracks): difference {pb['diff']:+.1%} "
          f"[{pb['ci95'][0]:+.1%}, {pb['ci95'][1]:+.1%}], p = {pb['p']:.3f}; the recipe wins on "
          f"{sum(r.mean() > v.mean() for r, v in zip(pooled_recipe, pooled_svm))} splits, "
          f"ties on {sum(r.mean() == v.mean() for r, v in zip(pooled_recipe, pooled_svm))}.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench/out/results"))
    ap.add_argument("--seed", type=int, default=2026, help="data seed (fresh, not tuned on)")
    ap.add_argument("--per-genre", type=int, default=100)
    ap.add_argument("--seeds", type=int, nargs="+", default=None,
                    help="split/training seeds (default 0-2; 0-9 for --only small)")
    ap.add_argument("--only", choices=["models", "leakage", "small"])
    args = ap.parse_args()
    os.environ["COURSE_CACHE_DIR"] = str(args.out / "cache")
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"keras {__import__('keras').__version__}, {os.cpu_count()} cores", file=sys.stderr)
    if args.only in (None, "small"):
        small_part(args.out, args.seed + 2, args.seeds or list(range(10)))
    args.seeds = args.seeds or [0, 1, 2]
    if args.only in (None, "models", "leakage"):
        root = synth.synthesize(args.out / "data", per_genre=args.per_genre, seconds=10.0,
                                seed=args.seed, n_jobs=os.cpu_count(), progress=False)
        if args.only in (None, "leakage"):
            leakage_part(args.out, root, args.seeds[0])
        if args.only in (None, "models"):
            models_part(args.out, root, args.seeds)


if __name__ == "__main__":
    main()
