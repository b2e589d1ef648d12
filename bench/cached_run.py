"""One trained and evaluated run per name, reused when it exists: what the benchmarks share."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from course_utils import evaluate, runs


def cached_run(out: Path, name: str, **kwargs) -> dict:
    """Train ``runs.train_run(**kwargs)`` into ``out / name`` and evaluate it, unless its
    ``metrics.json`` is already there; return the metrics (with ``"run"``: the folder)."""
    run_dir = out / name
    if not (run_dir / "metrics.json").exists():
        start = time.perf_counter()
        runs.train_run(out=run_dir, overwrite=True, verbose=0, progress=False, **kwargs)
        evaluate.evaluate_run(run_dir, progress=False)
        print(f"  {name}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return {**json.loads((run_dir / "metrics.json").read_text()), "run": run_dir}
