"""Write constraints/colab.txt from a published Colab ``pip freeze``.

Usage::

    python tools/colab_constraints.py ../shared/colab/pip-freeze-2026-08-19.txt

Colab publishes its runtime's package list (googlecolab/backend-info, ``pip-freeze.txt``).
This keeps the lines of the packages the course and its tests install (the course's
dependencies with every ``lab`` and ``dev`` extra, and everything they pull in, as installed
in the environment that runs this script, e.g. ``.venv/bin/python tools/...``), drops lines
installed from URLs (`` @ ``, which pip cannot use as constraints) and writes them, sorted,
with the freeze they came from. ``tests/colab_stack.py`` installs Colab's stack from it, then
the course the way the lessons' first cell does. CI reads only the committed file.
"""
from __future__ import annotations

import argparse
import importlib.metadata as md
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
ROOTS = ["course_utils", "pytest", "nbval"]   # the course, and what the Colab stage runs it with
OUT = REPO / "constraints" / "colab.txt"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(roots: list[str]) -> set[str]:
    """Every installed distribution that ``roots`` require, transitively, extras included
    (environment markers evaluated here)."""
    seen, todo = set(), [(canonical(r), None) for r in roots]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            env = {"extra": extra or ""}
            if req.marker is None or req.marker.evaluate(env) or (
                    extra is None and "extra" in str(req.marker)
                    and any(req.marker.evaluate({"extra": e}) for e in ("dev", "lab"))):
                todo.append((canonical(req.name), None))
                todo += [(canonical(req.name), e) for e in req.extras]
    return {name for name, _ in seen}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("freeze", type=Path, help="Colab's published pip freeze")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    wanted = closure(ROOTS)
    if "keras" not in wanted:
        sys.exit("run this with the course installed (pip install -e '.[dev,lab]'), e.g. "
                 ".venv/bin/python tools/colab_constraints.py FREEZE")
    kept = []
    for line in args.freeze.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or " @ " in line or "==" not in line:
            continue
        if canonical(line.split("==")[0]) in wanted:
            kept.append(line)
    args.out.write_text(
        f"# Colab's runtime versions of what the course and its tests install, from\n"
        f"# {args.freeze.name} (Google's published pip freeze); regenerate with\n"
        f"#   python tools/colab_constraints.py FREEZE\n"
        + "\n".join(sorted(kept, key=str.lower)) + "\n")
    print(f"{args.out}: {len(kept)} packages")


if __name__ == "__main__":
    main()
