"""Experiments: the runs a lesson makes, and the tables over them.

``ensure_run`` (train and evaluate ``runs/<name>`` once, then reuse it), ``compare`` (a
table over runs and seeds), ``cross_validate`` (k folds, checked for leaks),
``gtzan_run`` and ``on_gtzan`` (a lesson's comparison on real GTZAN, when it is here) and
``flag_on_test`` (a run's "unsure" flag on its own test tracks). They sit above
:mod:`course_utils.evaluate`, whose metrics they record; like it, importing this module
loads no Keras (the functions that train or load a run import :mod:`course_utils.runs`
when called). Introduced in 03_cnn.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from . import _validate, config, data, runtime, synth
from .evaluate import baseline_svm, evaluate_run
from .exceptions import CourseError, ParameterError


def compare(run_dirs: Sequence[str | os.PathLike]) -> pd.DataFrame:
    """One table over runs: parameters, epochs trained, time per epoch, track accuracy mean ±
    std over seeds (a configuration run once: its accuracy and 95 % bootstrap interval over
    test tracks).

    Runs with the same model, dataset, split method and augmentation are grouped
    as seeds of one configuration. ``err_low`` and ``err_high`` are the error bars to
    draw below and above ``track_acc_mean``: the standard deviation over the seeds, or,
    for a configuration run once, the distances to its 95 % bootstrap interval over
    test tracks (``track_accuracy_ci95`` in its ``metrics.json``).
    """
    rows = []
    for d in run_dirs:
        d = Path(d)
        cfg = json.loads((d / "config.json").read_text())
        metrics_file = d / "metrics.json"
        if not metrics_file.exists():
            raise ParameterError(f"{d} has no metrics.json. Evaluate it first: "
                                 f"`python -m course_utils evaluate {d}`.")
        m = json.loads(metrics_file.read_text())
        rows.append({"model": cfg["model"], "dataset": cfg["dataset"],
                     "split": cfg["split"]["method"], "augment": ",".join(cfg["augment"]) or "none",
                     "seed": cfg["seed"], "params": cfg["params"],
                     "epochs": cfg.get("epochs_run", np.nan),
                     "s/epoch": cfg["epoch_seconds"], "segment_acc": m["segment_accuracy"],
                     "track_acc": m["track_accuracy"], "macro_f1": m["macro_f1"],
                     "deep_acc": m.get("deep_track_accuracy", m["track_accuracy"]),
                     "ci_low": m.get("track_accuracy_ci95", [np.nan] * 2)[0],
                     "ci_high": m.get("track_accuracy_ci95", [np.nan] * 2)[1]})
    table = pd.DataFrame(rows)
    keys = ["model", "dataset", "split", "augment"]
    out = table.groupby(keys, sort=False).agg(
        runs=("seed", "size"), params=("params", "first"), epochs=("epochs", "mean"),
        s_per_epoch=("s/epoch", "mean"),
        segment_acc=("segment_acc", "mean"), track_acc_mean=("track_acc", "mean"),
        track_acc_std=("track_acc", "std"), macro_f1=("macro_f1", "mean"),
        deep_acc_mean=("deep_acc", "mean"), ci_low=("ci_low", "first"),
        ci_high=("ci_high", "first")).reset_index()
    out["track_acc_std"] = out["track_acc_std"].fillna(0.0)
    once = out["runs"] == 1
    out["err_low"] = np.where(once, out["track_acc_mean"] - out["ci_low"], out["track_acc_std"])
    out["err_high"] = np.where(once, out["ci_high"] - out["track_acc_mean"], out["track_acc_std"])
    out["track accuracy"] = [
        f"{m:.1%} [{lo:.1%}, {hi:.1%}]" if n == 1 else f"{m:.1%} ± {s:.1%} ({n} seeds)"
        for m, s, lo, hi, n in zip(out["track_acc_mean"], out["track_acc_std"], out["ci_low"],
                                   out["ci_high"], out["runs"])]
    out = out.drop(columns=["ci_low", "ci_high"])
    return out


def ensure_run(name: str = "cnn", *, model: str | None = None, dataset=None,
               root: str | os.PathLike | None = None, **train_kwargs) -> Path:
    """Return ``runs/<name>``, training (and evaluating) a run there first if needed.

    A clean clone has no runs, so the lessons call this: the first call trains
    (a FAST CNN run takes under a minute on a laptop CPU, a default one about
    four), printing one line per epoch outside FAST mode, and later calls
    return at once. A run made with other arguments (or another dataset, e.g. after
    ``COURSE_DATASET=gtzan``, or another version of the synthetic set), or
    saved under another Keras version, is trained again, never reused by mistake.
    ``model`` defaults to ``name`` (``"cnn"``, ``"lstm"``, ``"crnn"``, ``"parallel"``).
    """
    from . import runs
    run_dir = Path(root or config.runs_dir()) / name
    dataset_name = str(dataset or config.default_dataset())
    request = {"model": model or name, "dataset": dataset_name,
               **({"synth_version": synth.VERSION} if dataset_name == "synthetic" else {}),
               "features_version": config.FEATURES_VERSION, "run_format": runs.RUN_FORMAT,
               "keras": runtime.version_of("keras"),
               **{k: v if isinstance(v, (int, float, str, bool, type(None))) else repr(v)
                  for k, v in sorted(train_kwargs.items())}}
    stamp = run_dir / "request.json"
    if (run_dir / "metrics.json").exists() and stamp.exists() and \
            json.loads(stamp.read_text()) == request:
        return run_dir
    print(_training_notice(run_dir, request["model"], made=stamp.exists()))
    runs.train_run(model or name, out=run_dir, dataset=dataset, overwrite=True,
                   verbose=0 if config.fast() else 2, progress=not config.fast(),
                   **train_kwargs)
    evaluate_run(run_dir, progress=not config.fast())
    stamp.write_text(json.dumps(request, indent=1))   # written last: a complete run
    return run_dir


# Minutes the lessons' default run of each model took to train on a 2-core CPU, on the full
# default split (BENCHMARKS.md, "The lessons in the default profile"), said before training.
TRAIN_MINUTES = {"cnn": 4, "lstm": 2, "crnn": 4, "parallel": 4, "musicnn": 4.5}


def _training_notice(run_dir: Path, model: str, *, made: bool) -> str:
    """The line :func:`ensure_run` prints before it trains: which run, why, and how long."""
    why = "its saved run was made with other settings" if made else "it has no saved run yet"
    if config.fast():
        return f"Training {run_dir.name} ({model}) now, since {why}: under a minute in FAST mode."
    took = TRAIN_MINUTES.get(model)
    return (f"Training {run_dir.name} ({model}) now, since {why}. "
            + (f"The lessons' {model} run took about {took:g} minutes on a 2-core CPU "
               "(less on a smaller split, far less on a GPU); " if took else "")
            + ("later" if took else "Later") + " calls reuse it.")


# what the literature measured on GTZAN's fault-filtered split; quoted, never measured here
GTZAN_PUBLISHED = ("Published on GTZAN's fault-filtered split (literature, not measured here): "
                   "MFCC + SVM about 53 %, a mel CNN from scratch about 54 %, a probe on frozen "
                   "musicnn or VGGish about 77 %.")


GTZAN_MISSING = ("GTZAN is not on this machine, so this lesson's figures are the synthetic "
                 "set's. `python -m course_utils data fetch gtzan` (1.2 GB) gets it; then run "
                 "this cell again.")


def gtzan_run(model: str = "musicnn", *, split: str = "fault-filtered",
              **train_kwargs) -> Path | None:
    """``runs/gtzan_<split>_<model>``: ``model`` trained on the full GTZAN (:func:`ensure_run`,
    once, then reused), or ``None`` without GTZAN (:func:`data.full_gtzan`), saying how to
    get it."""
    if data.full_gtzan() is None:
        print(GTZAN_MISSING)
        return None
    return _gtzan_run_dir(model, split, **train_kwargs)


def _gtzan_run_dir(model: str, split: str, **train_kwargs) -> Path:
    """:func:`gtzan_run` once GTZAN is known to be here (the check decodes the set's index)."""
    return ensure_run(f"gtzan_{split}_{model}", model=model, dataset="gtzan", split=split,
                      **train_kwargs)


def flag_on_test(run_dir: str | os.PathLike) -> dict:
    """How a run's "unsure" flag (both tests, :meth:`runs.Run.unsure_reasons`) does on the run's
    own test tracks, which played no part in choosing it.

    Returns
    -------
    dict
        ``test_tracks``, ``flagged`` (how many), ``kept_accuracy`` (of the others),
        ``accuracy`` (of all), and the stored ``threshold`` and ``rule``.
    """
    from . import runs
    run = runs.load_run(run_dir)
    tracks = data.load_recorded(run.config, progress=False)
    test_ids = set(json.loads((run.path / "split.json").read_text())["test"])
    test = tracks[tracks["track_id"].isin(test_ids)]
    pred = run.predict_table(test, progress=False)
    truth = test.set_index("track_id").loc[pred.track_ids, "genre"]
    right = pred.probs.argmax(axis=1) == np.array([run.genres.index(g) for g in truth])
    flagged = np.array([reason is not None for reason in run.unsure_reasons(pred)])
    return {"test_tracks": int(len(right)), "flagged": int(flagged.sum()),
            "kept_accuracy": float(right[~flagged].mean()) if (~flagged).any() else float("nan"),
            "accuracy": float(right.mean()), "threshold": run.config["unsure"]["threshold"],
            "rule": run.config["unsure"]["rule"]}


def on_gtzan(models: Sequence[str] = ("cnn",), *, splits: Sequence[str] = ("fault-filtered",),
             **train_kwargs) -> pd.DataFrame | None:
    """A lesson's key comparison on real GTZAN, when the full set is on this machine.

    For each split method, lesson 02's SVM bar (:func:`baseline_svm`, fitted on
    the training and validation tracks) and a run of each of ``models``
    (:func:`ensure_run` ``gtzan_<split>_<model>``, trained once, then reused)
    are scored on the same test tracks. Without GTZAN (:func:`data.full_gtzan`)
    it prints how to get it and returns ``None``; nothing else in a lesson
    depends on it. Training from scratch on GTZAN takes long on a CPU (README,
    "Using real GTZAN").

    Returns
    -------
    pd.DataFrame or None
        One row per split and model: ``split``, ``model``, ``test tracks``, ``track
        accuracy``, ``ci95`` (the bootstrap interval over test tracks, runs only).
    """
    tracks = data.full_gtzan()
    if tracks is None:
        print(GTZAN_MISSING)
        return None
    rows = []
    for method in splits:
        split = data.split_tracks(tracks, method=method, seed=train_kwargs.get("seed", config.SEED))
        fit = pd.concat([split.train, split.val])
        rows.append({"split": method, "model": "SVM on statistics (lesson 02)",
                     "test tracks": len(split.test), "ci95": None,
                     "track accuracy": baseline_svm(fit, split.test, genres=tracks.attrs["genres"],
                                                    progress=False)})
        for model in models:
            run_dir = _gtzan_run_dir(model, method, **train_kwargs)   # GTZAN checked above
            m = json.loads((run_dir / "metrics.json").read_text())
            rows.append({"split": method, "model": model, "test tracks": m["n_test_tracks"],
                         "track accuracy": m["track_accuracy"],
                         "ci95": m.get("track_accuracy_ci95")})
    print(GTZAN_PUBLISHED)
    return pd.DataFrame(rows)


def cross_validate(n_folds: int, train_fold) -> pd.DataFrame:
    """Run a k-fold cross-validation: ``train_fold(k)`` for k = 0 .. n_folds - 1, in order.

    ``train_fold(k)`` trains fold ``k`` (or returns its saved run) and returns the run folder;
    its ``split.json`` must show that no test track of a fold is among its own training or
    validation tracks, or in another fold's test set: that is what makes the folds' scores
    honest estimates, so a violation raises instead of being averaged in.

    Returns
    -------
    pd.DataFrame
        One row per fold (index ``fold``): ``test tracks``, ``segment accuracy``,
        ``track accuracy`` (from the run's ``metrics.json``).

    Raises
    ------
    CourseError
        ``"fold k: test track ... is also ..."`` naming the track and where else it is.
    """
    n_folds = _validate.positive_int(n_folds, "n_folds")
    rows, earlier = [], set()
    for k in range(n_folds):
        run_dir = Path(train_fold(k))
        split = json.loads((run_dir / "split.json").read_text())
        metrics = json.loads((run_dir / "metrics.json").read_text())
        test = set(split["test"])
        for where, ids in (("among its own training or validation tracks",
                            set(split["train"]) | set(split["val"])),
                           ("in the test set of an earlier fold", earlier)):
            if test & ids:
                raise CourseError(f"fold {k} ({run_dir}): test track {sorted(test & ids)[0]} is "
                                  f"also {where}. Split with data.split_tracks(method='kfold') "
                                  "and the same seed for every fold.")
        earlier |= test
        rows.append({"test tracks": metrics["n_test_tracks"],
                     "segment accuracy": metrics["segment_accuracy"],
                     "track accuracy": metrics["track_accuracy"]})
    return pd.DataFrame(rows).rename_axis("fold")
