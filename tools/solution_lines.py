"""Count the solution lines the learner writes, per lesson: non-blank, non-comment lines
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in the code cells of
``solutions/*.ipynb`` (written answers in markdown cells are counted apart).

    python tools/solution_lines.py
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from course_utils.notebooks import BEGIN, END  # noqa: E402  (the markers the build strips)

REGION = re.compile(rf"{re.escape(BEGIN)}\n(.*?){re.escape(END)}", re.S)


def count(path: Path) -> dict:
    """Exercises, code lines and markdown answer lines of one solution notebook."""
    result = {"exercises": 0, "code": 0, "markdown": 0}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for region in REGION.findall("".join(cell["source"])):
            lines = [line for line in region.splitlines()
                     if line.strip() and not line.strip().startswith("#")]
            if cell["cell_type"] == "code":
                result["exercises"] += 1
                result["code"] += len(lines)
            else:
                result["markdown"] += len(lines)
    return result


def main() -> None:
    root = Path(__file__).resolve().parents[1] / "solutions"
    totals = {"exercises": 0, "code": 0, "markdown": 0}
    print("| lesson | exercises | solution lines (code) | answer lines (markdown) |\n|---|---|---|---|")
    for path in sorted(root.glob("*.ipynb")):
        c = count(path)
        totals = {k: totals[k] + c[k] for k in totals}
        print(f"| {path.stem} | {c['exercises']} | {c['code']} | {c['markdown']} |")
    print(f"| all | {totals['exercises']} | {totals['code']} | {totals['markdown']} |")


if __name__ == "__main__":
    main()
