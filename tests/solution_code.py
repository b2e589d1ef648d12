"""The lessons' reference solutions, read from ``solutions/*.ipynb``, so that tests keep each
one accepted by its check and equivalent to its library twin."""
from __future__ import annotations

import json
from pathlib import Path

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def exercises(lesson: str) -> dict:
    """Run lesson ``lesson``'s ("03", ...) import cells and the exercise cells that define
    functions (cells that start with ``# Exercise`` and hold a ``def``) in one namespace;
    return the namespace."""
    path = next(SOLUTIONS.glob(f"{lesson}_*.ipynb"))
    namespace: dict = {}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        imports = source.startswith(("import ", "from "))
        exercise = source.startswith("# Exercise") and "\ndef " in source
        if cell["cell_type"] == "code" and (imports or exercise):
            exec(compile(source, str(path.name), "exec"), namespace)
    return namespace
