"""How the small-data recipe was chosen: ablations on a development data seed.

Usage::

    python bench/small_data_dev.py train cnn+overlap        # one variant, split seeds 0-9
    python bench/small_data_dev.py report cnn cnn+noaug cnn+overlap cnn+overlap+noaug

Data: the frozen generator, data seed 2027, 10 clips per genre x 20 s (100
tracks); 70/30 track splits (validation for early stopping comes out of the 70),
split seeds 0-9. The recipe's defaults were chosen from these numbers; the
figures quoted as results come from a fresh seed (``synthetic_results.py
--only small``).

``train VARIANT`` trains a deep model per split seed and saves its validation
and test track probabilities under ``--out``. A variant is ``+``-joined parts:
``cnn``/``lstm``/``crnn``/``parallel``; ``overlap`` cuts overlapping training
segments as ``train`` does for a small set (default: back to back); ``noaug`` (none), ``spec`` (SpecAugment only)
or the default SpecAugment + mixup; ``wave`` adds the pitch and stretch copies.

``report`` fits the classical models on the 70 % (train + validation) per split
and prints test track accuracy for the SVM baseline, the statistics SVMs, each
variant alone, and each variant combined with the statistics SVMs at fixed deep
weights and at a weight chosen on the validation tracks.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course_utils import classical, data, features, models, runtime, segments, synth, train  # noqa: E402

SPLIT = dict(val_size=0.15, test_size=0.30)


def _dataset(out: Path, seed: int):
    root = synth.synthesize(out / f"data-small-{seed}", per_genre=10, seconds=20.0, seed=seed,
                            n_jobs=os.cpu_count(), progress=False)
    tracks = data.load_dataset(root, progress=False)
    return tracks, sorted(tracks["genre"].unique())


def _variant(spec: str) -> dict:
    v = dict(model="cnn", augment=("specaugment", "mixup"), overlap=False, wave=())
    for part in spec.split("+"):
        if part == "overlap":
            v["overlap"] = True
        elif part == "noaug":
            v["augment"] = ()
        elif part == "spec":
            v["augment"] = ("specaugment",)
        elif part == "wave":
            v["wave"] = ("pitch", "stretch")
        elif part in models.MODEL_INPUTS:
            v["model"] = part
        else:
            raise SystemExit(f"unknown variant part {part!r}")
    return v


def train_variant(out: Path, seed: int, spec: str, seeds: list[int]) -> None:
    import keras
    tracks, genres = _dataset(out, seed)
    v = _variant(spec)
    (out / "probs").mkdir(parents=True, exist_ok=True)
    for s in seeds:
        start = time.perf_counter()
        prep = segments.prepare(tracks=tracks, seed=s, **SPLIT, overlap=v["overlap"],
                                inputs=models.MODEL_INPUTS[v["model"]],
                                augment=v["augment"] + v["wave"], progress=False)
        keras.backend.clear_session()
        runtime.set_seed(s)
        model = models.build_model(v["model"], prep.shapes(), len(genres))
        history = train.fit(model, prep, model_name=v["model"], epochs=40, augment=v["augment"],
                            seed=s, verbose=0)

        def track_probs(seg):
            P = models.predict_segments(model, v["model"], seg.X)
            return segments.mean_per_track(P, seg.track_ids)

        val_ids, val_p = track_probs(prep.val)
        test_ids, test_p = track_probs(prep.test)
        np.savez(out / "probs" / f"{spec}_s{s}.npz", val_ids=val_ids, val_p=val_p,
                 test_ids=test_ids, test_p=test_p)
        acc = np.mean([genres[p.argmax()] == g for p, g in
                       zip(test_p, tracks.set_index("track_id").loc[test_ids, "genre"])])
        print(f"{spec} split {s}: test {acc:.3f}, {len(history.history['loss'])} epochs, "
              f"{time.perf_counter() - start:.0f} s", flush=True)


def report(out: Path, seed: int, specs: list[str], seeds: list[int]) -> None:
    tracks, genres = _dataset(out, seed)
    tracks = tracks.set_index("track_id")
    fs = features.extract(tracks["path"], progress=False)
    feats = lambda ids: [fs.features[tracks.loc[t, "path"]] for t in ids]
    labels = lambda ids: np.array([genres.index(g) for g in tracks.loc[ids, "genre"]])
    acc = lambda P, y: float(np.mean(P.argmax(1) == y))
    res: dict[str, list[float]] = {}
    for s in seeds:
        sp = data.split_tracks(tracks.reset_index(), seed=s, **SPLIT)
        train_ids, val_ids, test_ids = (list(p["track_id"]) for p in (sp.train, sp.val, sp.test))
        y = labels(test_ids)
        stats = classical.StatsModel(seed=s).fit(feats(train_ids + val_ids), labels(train_ids + val_ids))
        S = stats.predict_proba(feats(test_ids))
        res.setdefault("SVM baseline (track statistics)", []).append(
            float(np.mean(stats.predict_baseline(feats(test_ids)) == y)))
        res.setdefault("statistics SVMs (track + segment)", []).append(acc(S, y))
        val_stats = classical.StatsModel(seed=s).fit(feats(train_ids), labels(train_ids))
        for spec in specs:
            d = np.load(out / "probs" / f"{spec}_s{s}.npz")
            order = [list(d["test_ids"]).index(t) for t in test_ids]
            deep = d["test_p"][order]
            res.setdefault(f"{spec} alone", []).append(acc(deep, y))
            for w in (0.25, 1 / 3, 0.5):
                res.setdefault(f"{spec} + statistics, deep weight {w:.2f}", []).append(
                    acc(w * deep + (1 - w) * S, y))
            # the weight a validation split would choose (stats fitted on train only)
            vy, vS = labels(list(d["val_ids"])), val_stats.predict_proba(feats(list(d["val_ids"])))
            best = classical.fit_ensemble_weight(d["val_p"], vS, vy)
            res.setdefault(f"{spec} + statistics, weight chosen on validation", []).append(
                acc(best * deep + (1 - best) * S, y))
    print(f"\n### Small-data development ablation (data seed {seed}, splits {seeds[0]}-{seeds[-1]})\n")
    print("| model | test track accuracy (mean ± std over splits) |\n|---|---|")
    for k, v in res.items():
        print(f"| {k} | {np.mean(v):.1%} ± {np.std(v, ddof=1):.1%} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["train", "report"])
    ap.add_argument("variants", nargs="+")
    ap.add_argument("--out", type=Path, default=Path("bench/out/small-dev"))
    ap.add_argument("--seed", type=int, default=2027, help="data seed (development)")
    ap.add_argument("--splits", type=int, nargs="+", default=list(range(10)))
    args = ap.parse_args()
    os.environ["COURSE_CACHE_DIR"] = str(args.out / "cache")
    if args.command == "train":
        for spec in args.variants:
            train_variant(args.out, args.seed, spec, args.splits)
    else:
        report(args.out, args.seed, args.variants, args.splits)


if __name__ == "__main__":
    main()
