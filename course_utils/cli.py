"""The command line: ``python -m course_utils COMMAND ...``.

A leaf module: it parses arguments, calls the library and maps its errors to
exit codes. Messages go to stderr, without a traceback unless ``--debug``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from pathlib import Path

from . import config
from .exceptions import CourseError, ParameterError

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_UNUSABLE = 0, 1, 2, 3

EPILOG = """exit codes (every command):
  0  success
  1  some inputs were bad and reported; the rest were processed
  2  usage error
  3  nothing usable: no readable files, or a dataset with fewer than
     2 usable tracks in any genre (also: a refused or failed download)

Messages go to stderr, without a traceback unless --debug is given.
COURSE_FAST=1 (or --fast) shrinks datasets, epochs and notebook work."""

logger = logging.getLogger("course_utils")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 too; keep its usage line
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a flag given before or after the sub-command both count
    p.add_argument("--fast", action="store_true", default=argparse.SUPPRESS,
                   help="FAST mode (same as COURSE_FAST=1)")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks")
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    kw = dict(parents=[common], epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser = _Parser(prog="python -m course_utils", description="Music genre course tools.", **kw)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    data = sub.add_parser("data", help="make, fetch, import, verify or clean datasets", **kw)
    dsub = data.add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = dsub.add_parser("synth", help="generate the built-in synthetic dataset", **kw)
    p.add_argument("--root", type=Path,
                   help="output folder (default: <data root>/synthetic, or synthetic-fast with --fast)")
    p.add_argument("--per-genre", type=int, help="clips per genre")
    p.add_argument("--seconds", type=float, help="clip length in seconds")
    p.add_argument("--seed", type=int, default=config.SEED)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="worker processes (default: all cores)")
    p = dsub.add_parser("fetch", help="download a dataset (GTZAN) with checksum and resume", **kw)
    p.add_argument("name", choices=["gtzan"])
    p.add_argument("--root", type=Path, help="target folder (default: <data root>/gtzan)")
    p.add_argument("--url", default=config.GTZAN_URL)
    p.add_argument("--sha256", default=config.GTZAN_SHA256)
    p = dsub.add_parser("import", help="import the Kaggle GTZAN zip or an extracted folder", **kw)
    p.add_argument("path", type=Path)
    p.add_argument("--root", type=Path, help="target folder (default: <data root>/gtzan)")
    p = dsub.add_parser("verify", help="report counts, rates, durations and bad files", **kw)
    p.add_argument("--dataset", default=None, help="synthetic, gtzan or a folder")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    dsub.add_parser("clean", help="remove feature caches and dataset indexes", **kw)

    _register_train(sub, kw)
    _register_uses(sub, kw)
    _register_notebooks(sub, kw)
    return parser


def _register_train(sub, kw) -> None:
    p = sub.add_parser("train", help="train a model and save a run folder", **kw)
    p.add_argument("--model", choices=["cnn", "lstm", "hybrid", "musicnn"], default="cnn",
                   help="musicnn: a probe on the embeddings of a pretrained music model")
    p.add_argument("--hybrid-kind", choices=["crnn", "parallel"], default="crnn")
    p.add_argument("--pretrained", choices=["MSD_musicnn", "MTT_musicnn"],
                   default="MSD_musicnn", help="the pretrained model for --model musicnn")
    p.add_argument("--fine-tune", action="store_true",
                   help="with --model musicnn: train the pretrained network too (slow on a CPU)")
    p.add_argument("--dataset", default=None, help="synthetic (default), gtzan or a folder")
    p.add_argument("--split", choices=["random", "fault-filtered", "kfold", "segment-random"],
                   default="random")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--fold", type=int, default=0)
    p.add_argument("--val-size", type=float, default=config.VAL_SIZE,
                   help="fraction of tracks for validation (random split)")
    p.add_argument("--test-size", type=float, default=config.TEST_SIZE,
                   help="fraction of tracks for test (random split); 0.3 gives a small "
                        "collection a steadier score")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--seed", type=int, default=config.SEED)
    p.add_argument("--augment", default=None,
                   help="comma list from specaugment,mixup,pitch,stretch, or none "
                        "(default: specaugment,mixup; mixup for musicnn)")
    p.add_argument("--no-ensemble", action="store_true",
                   help="do not average in the SVMs on track and segment statistics")
    p.add_argument("--no-overlap", action="store_true",
                   help="never cut overlapping training segments (by default a small "
                        "training set is)")
    p.add_argument("--novelty", choices=("musicnn", "stats"), default="musicnn",
                   help="where the unsure flag measures 'unlike the training music': musicnn's "
                        "embedding (default; sees real recordings) or the summary statistics "
                        "(no musicnn pass)")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--out", required=True, type=Path)


def _register_uses(sub, kw) -> None:
    """The commands that use runs and audio: evaluate, predict, tags, similar, compare."""
    p = sub.add_parser("evaluate", help="score a run on its test set or another dataset", **kw)
    p.add_argument("run", type=Path)
    p.add_argument("--dataset", default=None, help="external dataset (name or folder)")
    p = sub.add_parser("predict", help="predict the genre of audio files", **kw)
    p.add_argument("run", type=Path)
    p.add_argument("inputs", nargs="+", type=Path, metavar="FILE|FOLDER")
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--segments", action="store_true", help="add per-segment probabilities")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", type=Path, help="write one row per file (per window with "
                   "--timeline) to this CSV")
    p.add_argument("--timeline", action="store_true",
                   help="the genre over time of one FILE of any length: a row per window")
    p.add_argument("--hop", type=float, default=1.5,
                   help="seconds between window starts, with --timeline (default 1.5)")
    p.add_argument("--plot", type=Path, metavar="PNG", help="with --timeline: draw it to PNG")
    p = sub.add_parser("tags", help="musicnn's tags of audio files and a zero-shot genre "
                       "(no training, no run)", **kw,
                       description="Print each file's top musicnn tags (mean over 3-s patches) "
                       "and a zero-shot genre read from them with the mapping "
                       "course_utils.tagging.GENRE_TAGS (it cannot answer: "
                       "reggae). Folders are searched recursively.")
    p.add_argument("inputs", nargs="+", type=Path, metavar="FILE|FOLDER")
    p.add_argument("--pretrained", choices=["MSD_musicnn", "MTT_musicnn", "both"], default="both",
                   help="which tagger (default both: only MTT has a classical tag, only MSD "
                        "has the other genres)")
    p.add_argument("--top-k", type=int, default=5, help="tags shown per model (default 5)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per file")
    p.add_argument("--csv", type=Path, help="write one row per file to this CSV")
    p = sub.add_parser("similar", help="the tracks of a folder most like an audio file", **kw)
    p.add_argument("run", type=Path, help="a trained run (its network is the 'run' space)")
    p.add_argument("query", type=Path, metavar="QUERY_FILE")
    p.add_argument("--index", required=True, type=Path, metavar="FOLDER",
                   help="the folder of audio to search (its embeddings are cached)")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--space", choices=["run", "musicnn", "mfcc"], default="run",
                   help="embedding space (default run: the run's penultimate layer, trained "
                        "on these very genres; musicnn: a tagger pretrained on real music; "
                        "mfcc: MFCC statistics, the baseline)")
    p.add_argument("--json", action="store_true", help="print a JSON list of k objects")
    p = sub.add_parser("compare", help="compare runs in one table", **kw)
    p.add_argument("runs", nargs="+", type=Path)


def _data(args) -> int:
    from . import data
    if args.action == "synth":
        from . import synth
        root = synth.synthesize(args.root or config.synthetic_dir(), per_genre=args.per_genre, seconds=args.seconds,
                                seed=args.seed, fast=args.fast or None, n_jobs=args.jobs)
        print(f"synthetic dataset ready at {root}", file=sys.stderr)
        return EXIT_OK
    if args.action in ("fetch", "import"):
        from . import download
        if args.action == "fetch":
            root = download.fetch_gtzan(args.root, url=args.url, sha256=args.sha256)
        else:
            root = download.import_dataset(args.path, args.root)
        print(f"GTZAN ready at {root}; check it with "
              f"`python -m course_utils data verify --dataset {root}`", file=sys.stderr)
        return EXIT_OK
    if args.action == "verify":
        report = data.verify(args.dataset)
        print(json.dumps(report, indent=1) if args.json else data.format_report(report))
        return EXIT_UNUSABLE if not report["usable"] else EXIT_PARTIAL if report["bad"] else EXIT_OK
    import shutil
    target = config.cache_dir() / "cache"
    shutil.rmtree(target, ignore_errors=True)
    print(f"removed {target}", file=sys.stderr)
    return EXIT_OK


def _train(args) -> int:
    from . import evaluate, runs
    run = runs.train_run(args.model, hybrid_kind=args.hybrid_kind, out=args.out,
                          dataset=args.dataset, split=args.split, folds=args.folds,
                          fold=args.fold, val_size=args.val_size, test_size=args.test_size,
                          epochs=args.epochs, seed=args.seed, augment=args.augment,
                          ensemble=not args.no_ensemble, overlap=not args.no_overlap,
                          overwrite=args.overwrite, pretrained_model=args.pretrained,
                          fine_tune=args.fine_tune, novelty=args.novelty)
    m = evaluate.evaluate_run(run)
    print(f"{run}: track accuracy {m['track_accuracy']:.1%} "
          f"(95% CI {m['track_accuracy_ci95'][0]:.1%}-{m['track_accuracy_ci95'][1]:.1%}), "
          f"segment accuracy {m['segment_accuracy']:.1%}, macro F1 {m['macro_f1']:.3f} "
          f"on {m['n_test_tracks']} test tracks")
    if "stats_track_accuracy" in m:
        print(f"  parts: deep model alone {m['deep_track_accuracy']:.1%}, statistics SVMs "
              f"alone {m['stats_track_accuracy']:.1%} (deep-model weight "
              f"{m['ensemble_weight']:.2f}); baseline SVM on track statistics "
              f"{m['svm_track_accuracy']:.1%}")
    return EXIT_OK


def _evaluate(args) -> int:
    from . import evaluate
    m = evaluate.evaluate_run(args.run, args.dataset)
    print(f"{m['dataset']}: track accuracy {m['track_accuracy']:.1%} "
          f"(vote {m['track_accuracy_vote']:.1%}), segment accuracy "
          f"{m['segment_accuracy']:.1%}, macro F1 {m['macro_f1']:.3f}, "
          f"{m['n_test_tracks']} tracks")
    return EXIT_OK


def _audio_inputs(inputs) -> list[Path]:
    from . import audio
    files = []
    for item in inputs:
        if item.is_dir():
            found = audio.audio_files(item)
            if not found:
                logger.warning("%s: no audio files (%s) in this folder", item,
                               ", ".join(config.AUDIO_EXTENSIONS))
            files += found
        else:
            files.append(item)
    return files


def _predict(args) -> int:
    from . import runs
    run = runs.load_run(args.run)
    if args.timeline:
        return _timeline(args, run)
    results = _each_file(args.inputs, lambda f: runs.predict_file(
        run, f, top_k=args.top_k, segments=args.segments))
    notes = list(dict.fromkeys(r["note"] for r in results if r.get("note")))
    if not args.json:
        for r in results:
            best = "  ".join(f"{t['genre']} {t['probability']:.0%}" for t in r.get("top", []))
            unsure = f"  (unsure: {r['unsure_reason']})" if r.get("unsure") else ""
            print(f"{r['file']}: {best or 'ERROR'}{unsure}")
    for note in notes:   # once, not per file; stderr beside --json, so stdout stays JSON
        print(f"note: {note}", file=sys.stderr if args.json else sys.stdout)
    top = lambda r: (r.get("top") or [{"genre": "", "probability": ""}])[0]
    return _write_rows(results, args, header=["file", "genre", "probability", "unsure",
                                              "unsure_reason", "top", "error"],
                       row=lambda r: [r["file"], top(r)["genre"], top(r)["probability"],
                                      "" if r.get("unsure") is None else int(r["unsure"]),
                                      r.get("unsure_reason") or "",
                                      ";".join(f"{t['genre']}:{t['probability']:.3f}"
                                               for t in r.get("top", [])),
                                      r.get("error", "")])


def _write_rows(results: list[dict], args, *, header: list[str], row) -> int:
    """Print ``results`` (``--json`` or plain), write ``--csv``, and return the exit code:
    1 if some files failed (each has an ``"error"``), 3 if all did."""
    if args.json:
        print(json.dumps(results, indent=1))
    if args.csv:
        import csv
        with open(args.csv, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(row(r) for r in results)
    failed = sum("error" in r for r in results)
    return EXIT_UNUSABLE if failed == len(results) else EXIT_PARTIAL if failed else EXIT_OK


def _each_file(inputs, work) -> list[dict]:
    """``work(path)`` for every audio file of ``inputs``; a course error becomes an
    ``{"file", "error"}`` row, named on stderr, and the other files carry on."""
    results = []
    for f in _audio_inputs(inputs):
        try:
            results.append(work(f))
        except CourseError as err:
            print(f"error: {err}", file=sys.stderr)
            results.append({"file": str(f), "error": str(err)})
    return results


def _tags(args) -> int:
    from . import tagging
    from ._validate import positive_int
    models = tagging.BOTH if args.pretrained == "both" else (args.pretrained,)
    top_k = positive_int(args.top_k, "--top-k")
    results = _each_file(args.inputs, lambda f: tagging.tag_file(f, models=models, top_k=top_k))
    if not args.json:
        for r in results:
            if "error" in r:
                print(f"{r['file']}: ERROR")
                continue
            z = r["zero_shot"]
            tags = ", ".join(f"{t['tag']} {t['probability']:.2f}" for t in r["tags"])
            print(f"{r['file']}: zero-shot {z['genre']} ({z['score']:.2f}); tags: {tags}")
    zs = lambda r, k: r.get("zero_shot", {}).get(k, "")
    return _write_rows(results, args, header=["file", "zero_shot_genre", "zero_shot_score",
                                              "tags", "error"],
                       row=lambda r: [r["file"], zs(r, "genre"), zs(r, "score"),
                                      ";".join(f"{t['model']}:{t['tag']}:{t['probability']:.3f}"
                                               for t in r.get("tags", [])),
                                      r.get("error", "")])


def _timeline(args, run) -> int:
    from . import apps
    if len(args.inputs) != 1 or args.inputs[0].is_dir():
        raise ParameterError("--timeline follows one recording: give one FILE, not "
                             f"{' '.join(map(str, args.inputs))}.")
    table = apps.timeline(run, args.inputs[0], hop=args.hop)
    if args.json:
        print(table.to_json(orient="records", indent=1))
    else:
        for r in table.itertuples():
            print(f"{r.start:8.2f}-{r.end:8.2f} s  {r.genre:<10} {r.probability:.0%}")
    if args.csv:
        table.to_csv(args.csv, index=False, float_format="%.4f")
    if args.plot:
        fig = apps.plot_timeline(table, title=args.inputs[0].name)
        fig.savefig(args.plot, dpi=100, bbox_inches="tight")
    return EXIT_OK


def _similar(args) -> int:
    from . import apps, runs
    run = runs.load_run(args.run) if args.space == "run" else None
    hits, index = apps.similar(run, args.query, args.index, k=args.k, space=args.space)
    if args.json:
        print(json.dumps(hits, indent=1))
    else:
        for h in hits:
            print(f"{h['rank']:>3}  {h['distance']:.4f}  {h['file']}")
    print(f"{len(index.paths)} tracks indexed in {args.space} space ({index.reused} from the "
          f"cache){f', {len(index.errors)} bad file(s) skipped (named above)' if index.errors else ''}",
          file=sys.stderr)
    return EXIT_PARTIAL if index.errors else EXIT_OK


def _compare(args) -> int:
    from . import experiments
    table = experiments.compare(args.runs)
    cols = ["model", "dataset", "split", "augment", "runs", "params", "s_per_epoch",
            "track accuracy", "macro_f1"]
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return EXIT_OK


def _register_notebooks(sub, kw: dict) -> None:
    """Add ``notebooks build|execute|copy|claims|nbgrader`` to the argparse sub-parsers
    ``sub``."""
    nb = sub.add_parser("notebooks", help="build, check, execute or copy the lesson notebooks",
                        **kw)
    nsub = nb.add_subparsers(dest="action", required=True, parser_class=type(nb))
    p = nsub.add_parser("build", help="generate notebooks/ from solutions/", **kw,
                        description="Generate the student notebooks from the solutions. With "
                        "--check, write nothing and exit 1 if a student notebook is missing, "
                        "extra or different (CI runs this).")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if notebooks/ differs from what would be generated")
    p.add_argument("--solutions", type=Path, default=Path("solutions"), help="solutions folder")
    p.add_argument("--out", type=Path, default=Path("notebooks"), help="student notebooks folder")
    p.add_argument("--repo-url", help="GitHub repository the student notebooks' Colab badges "
                   "open (an instructor's fork; default: the course's)")
    p = nsub.add_parser("execute", help="re-run solutions (FAST or the default profile), then "
                        "build", **kw)
    p.add_argument("notebook", nargs="*", type=Path, help="solution notebooks (default: all)")
    from .notebooks import PROFILES   # light: no Jupyter import
    p.add_argument("--profile", choices=PROFILES, default="fast",
                   help="fast: COURSE_FAST=1, as CI runs; default: the settings `make lab` gives "
                   "a learner (recorded in the notebook's metadata.course.profile)")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    p = nsub.add_parser("copy", help="copy the student notebooks to a git-ignored folder", **kw)
    p.add_argument("dest", nargs="?", type=Path, default=Path("work"))
    p.add_argument("--overwrite", action="store_true", help="replace copies you have edited")
    p = nsub.add_parser("claims", help="the numbers the reviewed lessons' text states that "
                        "their stored outputs do not show (solutions/claims.json)", **kw)
    p.add_argument("--solutions", type=Path, default=Path("solutions"))
    p = nsub.add_parser("nbgrader", help="write an nbgrader course folder (config + one "
                        "assignment per lesson) for instructors", **kw)
    p.add_argument("dest", type=Path, help="the course folder, outside this repository")
    p.add_argument("--lessons", nargs="+", help="lesson names or numbers (default: all)")


def _notebooks(args) -> int:
    """Run a parsed ``notebooks`` command; returns 0 (ok), 1 (drift) or 2 (usage)."""
    from . import notebooks
    if args.action == "build" and args.check:
        drift = notebooks.check(args.solutions, args.out, repo_url=args.repo_url)
        for path, reason in drift.items():
            print(f"{path}: {reason}", file=sys.stderr)
        if drift:
            print(f"{len(drift)} student notebook(s) out of date. Fix: run "
                  f"`{notebooks.BUILD_COMMAND}` and commit the result.", file=sys.stderr)
            return 1
        print("student notebooks are in sync with the solutions", file=sys.stderr)
        return 0
    if args.action == "build":
        changed = notebooks.build(args.solutions, args.out, repo_url=args.repo_url)
        print(f"{len(changed)} notebook(s) updated (solutions normalised, student copies in "
              f"{args.out})", file=sys.stderr)
        return 0
    if args.action == "execute":
        notebooks.execute(args.notebook or None, profile=args.profile, timeout=args.timeout)
        return 0
    if args.action == "copy":
        dest = notebooks.copy(args.dest, overwrite=args.overwrite)
        print(f"notebooks copied to {dest}; open them from there", file=sys.stderr)
        return 0
    if args.action == "claims":
        from . import claims
        found = claims.check(args.solutions)
        for item in found:
            print(item)
        print(f"{len(found)} number(s) the outputs do not back. Fix the text to what the outputs "
              "show, or say where the number comes from in solutions/claims.json." if found else
              "every number of the reviewed lessons is backed by their outputs or "
              "solutions/claims.json", file=sys.stderr)
        return 1 if found else 0
    if args.action == "nbgrader":
        from . import grading
        dest = grading.write_course(args.dest, args.lessons)
        first = sorted(p.name for p in (dest / "source").iterdir())[0]
        print(f"nbgrader course folder ready in {dest}. Next: cd {dest} && nbgrader "
              f"generate_assignment {first}", file=sys.stderr)
        return 0
    print(f"unknown notebooks action {args.action!r}; see --help", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see ``--help``)."""
    args = build_parser().parse_args(argv)
    args.fast, args.debug = getattr(args, "fast", False), getattr(args, "debug", False)
    if args.fast:
        config.set_fast(True)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO,
                        format="%(levelname)s: %(message)s", stream=sys.stderr)
    handlers = {"data": _data, "train": _train, "evaluate": _evaluate, "predict": _predict,
                "tags": _tags, "similar": _similar, "compare": _compare, "notebooks": _notebooks}
    try:
        return handlers[args.command](args)
    except ParameterError as err:
        if args.debug:
            traceback.print_exc()
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except CourseError as err:
        if args.debug:
            traceback.print_exc()
        print(f"error: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
