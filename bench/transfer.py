"""Benchmark: musicnn transfer learning against the from-scratch recipe.

Usage::

    python bench/transfer.py                  # everything (about 20 minutes on 2 CPU cores)
    python bench/transfer.py --only speed     # extraction time per clip
    python bench/transfer.py --seeds 0 1 2    # fewer splits for the small-data part

Parts:

* ``speed``: seconds to embed a 20-s clip (the front end and musicnn), on 10 synthetic
  clips, after one warm-up clip, under the current Keras backend.
* ``small``: the small-data benchmark of ``bench/synthetic_results.py --only small`` (data
  seed 2028, 10 clips per genre x 20 s, 70/30 track splits, split seeds 0-9): for each
  pretrained model, ``train --model musicnn`` with its defaults through
  ``runs.train_run``; its metrics give the probe alone, the probe with the statistics SVMs
  (the default ensemble) and the SVM baseline, on the same test tracks as the recipe's rows
  in BENCHMARKS.md.
* ``kfold``: the unsure flag of ``train --model musicnn`` on a 5-fold split of the same set
  grouped by artist (test tracks by artists the run never heard).
* ``finetune``: ``train --model musicnn --fine-tune`` on split 0 of the small-data set, 10
  epochs (each takes minutes on a CPU), against the frozen probe on the same split.
* ``real``: synthetic -> real. Each model is trained on split 0 of that set and scored on
  the 14 real GTZAN clips of ``../shared/data`` (skipped when absent): the MSD probe (alone
  and with the statistics SVMs) and the from-scratch default recipe (CNN + statistics SVMs).
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

from course_utils import config, evaluate, pretrained, runtime, synth  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cached_run import cached_run  # noqa: E402

SMALL_SPLIT = dict(val_size=0.15, test_size=0.30)
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtzan-sample" / "genres_original"


def speed_part() -> None:
    clips = [synth.render_clip(g, 0, seconds=20.0) for g in config.GENRES]
    pretrained.embed(clips[0], sr=config.SR)                      # builds and loads once
    start = time.perf_counter()
    for y in clips:
        pretrained.embed(y, sr=config.SR)
    per_clip = (time.perf_counter() - start) / len(clips)
    print(f"\n### Extraction ({runtime.backend_name()}, {os.cpu_count()} CPU cores)\n")
    print(f"embed one 20-s clip (6 patches): {per_clip:.2f} s, {20 / per_clip:.0f}x real time")


def _root(out: Path) -> Path:
    return synth.synthesize(out / "data-small-2028", per_genre=10, seconds=20.0, seed=2028,
                            n_jobs=os.cpu_count(), progress=False)


def _unsure_on(run_dir: Path, tracks) -> tuple[float, int, int, float, int]:
    """The run's stored threshold, and on ``tracks`` (held out): how many are kept (not
    flagged unsure, for either reason) of how many, the accuracy of the kept ones, and how many
    were flagged as unlike the training music."""
    import numpy as np
    from course_utils import runs
    run = runs.load_run(run_dir)
    pred = run.predict_table(tracks, progress=False)
    genre = tracks.set_index("track_id")["genre"]
    right = np.array([run.genres[i] == genre[t] for i, t in
                      zip(pred.probs.argmax(1), pred.track_ids)])
    reasons = run.unsure_reasons(pred)
    kept = np.array([r is None for r in reasons])
    far = sum(r is not None and "unlike" in r for r in reasons)
    return (run.config["unsure"]["threshold"], int(kept.sum()), len(kept),
            float(right[kept].mean()) if kept.any() else 0.0, far)


def small_part(out: Path, seeds: list[int]) -> None:
    from course_utils import data
    root = _root(out)
    tracks = data.load_dataset(str(root), progress=False).set_index("track_id", drop=False)
    print("\n### Small data: data seed 2028, 10 clips per genre x 20 s, 70/30 track splits\n")
    cols = ["SVM baseline", "MSD probe alone", "MSD statistics SVMs alone",
            "MSD probe + statistics SVMs", "MSD weight", "MTT probe alone",
            "MTT probe + statistics SVMs", "MTT weight"]
    print("| split seed | " + " | ".join(cols) + " |\n|" + "---|" * (len(cols) + 1))
    rows, unsure = [], []
    for s in seeds:
        m = {name: cached_run(out, f"musicnn_{name}_s{s}", model_name="musicnn", dataset=str(root),
                        seed=s, pretrained_model=f"{name}_musicnn", **SMALL_SPLIT)
             for name in ("MSD", "MTT")}
        row = [m["MSD"]["svm_track_accuracy"], m["MSD"]["deep_track_accuracy"],
               m["MSD"]["stats_track_accuracy"], m["MSD"]["track_accuracy"],
               m["MSD"]["ensemble_weight"], m["MTT"]["deep_track_accuracy"],
               m["MTT"]["track_accuracy"], m["MTT"]["ensemble_weight"]]
        rows.append(row)
        print(f"| {s} | " + " | ".join(f"{v:.2f}" if "weight" in c else f"{v:.1%}"
                                        for c, v in zip(cols, row)) + " |", flush=True)
        test = json.loads((m["MSD"]["run"] / "split.json").read_text())["test"]
        unsure.append(_unsure_on(m["MSD"]["run"], tracks.loc[test].reset_index(drop=True)))
    mean, std = np.mean(rows, axis=0), np.std(rows, axis=0, ddof=min(1, len(rows) - 1))
    print("| mean ± std | " + " | ".join(f"{a:.2f} ± {b:.2f}" if "weight" in c else
                                         f"{a:.1%} ± {b:.1%}"
                                         for c, a, b in zip(cols, mean, std)) + " |")
    print("\nThe unsure flag of the MSD runs on their own test tracks (held out):\n")
    print("| split seed | threshold | test tracks kept | accuracy of the kept | flagged as unlike "
          "the training music |\n|---|---|---|---|---|")
    for s, (t, k, n, acc, far) in zip(seeds, unsure):
        print(f"| {s} | {t:.3f} | {k} of {n} | {acc:.1%} | {far} |")
    kept = sum(u[1] for u in unsure)
    right = sum(u[1] * u[3] for u in unsure)
    print(f"| all | | {kept} of {sum(u[2] for u in unsure)} | {right / kept:.1%} |")


def kfold_part(out: Path, folds: int = 5) -> None:
    """The unsure flag where the test tracks are by artists the run never heard, as the
    out-of-fold predictions that chose its threshold were: ``--split kfold`` (grouped by artist)."""
    from course_utils import data
    root = _root(out)
    tracks = data.load_dataset(str(root), progress=False).set_index("track_id", drop=False)
    print(f"\n### The unsure flag on new artists: MSD runs, {folds}-fold split grouped by artist\n")
    print("| fold | threshold | test tracks kept | accuracy of the kept | all test tracks |")
    print("|---|---|---|---|---|")
    total = [0, 0, 0.0]
    for k in range(folds):
        m = cached_run(out, f"musicnn_MSD_kfold{k}", model_name="musicnn", dataset=str(root),
                       seed=0, split="kfold", folds=folds, fold=k)
        test = json.loads((m["run"] / "split.json").read_text())["test"]
        t, kept, n, acc, _ = _unsure_on(m["run"], tracks.loc[test].reset_index(drop=True))
        total = [total[0] + kept, total[1] + n, total[2] + kept * acc]
        print(f"| {k} | {t:.3f} | {kept} of {n} | {acc:.1%} | {m['track_accuracy']:.1%} |",
              flush=True)
    print(f"| all | | {total[0]} of {total[1]} | {total[2] / total[0]:.1%} | |")


def finetune_part(out: Path, epochs: int = 8) -> None:
    root = _root(out)
    frozen = cached_run(out, "musicnn_MSD_s0", model_name="musicnn", dataset=str(root), seed=0,
                  pretrained_model="MSD_musicnn", **SMALL_SPLIT)
    start = time.perf_counter()
    tuned = cached_run(out, f"musicnn_ft_MSD_s0_e{epochs}", model_name="musicnn", fine_tune=True,
                 dataset=str(root), seed=0, epochs=epochs, **SMALL_SPLIT)
    cfg = json.loads((out / f"musicnn_ft_MSD_s0_e{epochs}" / "config.json").read_text())
    print(f"\n### Fine-tuning, split 0 of data seed 2028 ({epochs} epochs at most)\n")
    print("| model | alone | with the statistics SVMs | epochs run | s per epoch |")
    print("|---|---|---|---|---|")
    for label, m, c in (("frozen MSD probe", frozen, None), ("fine-tuned MSD", tuned, cfg)):
        print(f"| {label} | {m['deep_track_accuracy']:.1%} | {m['track_accuracy']:.1%} | "
              f"{c['epochs_run'] if c else '-'} | {c['epoch_seconds']:.0f} |" if c else
              f"| {label} | {m['deep_track_accuracy']:.1%} | {m['track_accuracy']:.1%} | - | - |")
    print(f"(fine-tuning run: {time.perf_counter() - start:.0f} s with its evaluation)")


def real_part(out: Path) -> None:
    if not REAL.is_dir():
        print(f"\n(real part skipped: {REAL} not found)")
        return
    root = _root(out)
    print("\n### Synthetic -> real: trained on split 0 of data seed 2028, scored on the 14 real "
          "GTZAN clips\n")
    print("| model | on its synthetic test tracks | on the 14 real clips | its parts on real | "
          "real clips flagged unsure |")
    print("|---|---|---|---|---|")
    for label, kwargs in (("MSD probe + statistics SVMs", dict(model_name="musicnn")),
                          ("MTT probe + statistics SVMs",
                           dict(model_name="musicnn", pretrained_model="MTT_musicnn")),
                          ("from-scratch recipe (CNN + statistics SVMs)", dict(model_name="cnn"))):
        name = f"real_{label.split()[0]}_s0"
        own = cached_run(out, name, dataset=str(root), seed=0, **SMALL_SPLIT, **kwargs)
        ext = evaluate.evaluate_run(out / name, str(REAL), progress=False)
        parts = (f"deep alone {ext['deep_track_accuracy']:.1%}, statistics SVMs "
                 f"{ext['stats_track_accuracy']:.1%}, SVM baseline "
                 f"{ext['svm_track_accuracy']:.1%}") if "deep_track_accuracy" in ext else ""
        from course_utils import data
        real = data.load_dataset(str(REAL), progress=False, min_per_genre=1)
        t, kept, n, _, far = _unsure_on(out / name, real)
        print(f"| {label} | {own['track_accuracy']:.1%} | {ext['track_accuracy']:.1%} "
              f"({ext['n_test_tracks']} tracks) | {parts} | {n - kept} of {n} "
              f"({far} as unlike the training music; confidence threshold {t:.2f}) |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/out/transfer"))
    parser.add_argument("--only", choices=["speed", "small", "kfold", "finetune", "real"])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["COURSE_CACHE_DIR"] = str(args.out / "cache")
    if args.only in (None, "speed"):
        speed_part()
    if args.only in (None, "small"):
        small_part(args.out, args.seeds)
    if args.only in (None, "kfold"):
        kfold_part(args.out)
    if args.only in (None, "finetune"):
        finetune_part(args.out)
    if args.only in (None, "real"):
        real_part(args.out)


if __name__ == "__main__":
    main()
