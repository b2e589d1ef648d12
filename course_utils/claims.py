"""The numbers a lesson's text states, checked against what its stored outputs show.

A lesson's markdown quotes its results ("86.7 % on the 75 test tracks"); when a lesson is
re-executed and a number moves, nothing else would notice. ``unbacked`` reads every number in
the markdown of a solution and accepts it only when

- the stored outputs of the lesson's code cells show it, with the same unit when the text
  gives one of ``UNITS`` (to the precision the text gives: "93 %" is backed by an output
  "93.3%"), or, for a number without a unit, the code cells' source sets it (``n_fft=2048``);
- or ``solutions/claims.json`` states where it comes from instead, for that cell: a fact from
  outside the outputs (GTZAN's 1,000 clips, a published figure, a time measured in
  BENCHMARKS.md) or a number worked out from outputs (a difference of two printed values),
  with the working, so a reviewer can redo it;
- or it is not a claim: lesson and exercise numbers, list numbers, headings, code spans and
  link targets.

The README's lesson table and BENCHMARKS.md's table of the lessons in the default profile are
read the same way, each row against the outputs of its lesson. ``check`` runs it over the
lessons ``claims.json`` lists as reviewed; ``make test`` runs it (``tests/test_claims.py``),
and ``python -m course_utils notebooks claims`` prints what it finds. A plumbing module for
the course's maintainers, like :mod:`course_utils.notebooks`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import config

CLAIMS_FILE = "claims.json"
# A number followed by one of these is backed only by an output of the number with the same
# unit ("45 test tracks" is not backed by a 45 in a table of frame counts).
UNITS = ("%", "test tracks", "tracks", "segments", "epochs", "parameters", "points", "dB",
         "dBFS", "Hz", "kHz", "ms", "s", "clips", "files", "frames", "samples", "mels", "seeds")
_UNIT = re.compile(r"\s?(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
                   + r")(?![\w])")
_NUMBER = re.compile(r"(?<![\w.\-−])[-−]?\d[\d,]*(?:\.\d+)?(?![\w])")
_NOT_CLAIMS = [
    re.compile(r"`[^`]*`"),                                       # code spans
    re.compile(r"\]\([^)]*\)"),                                    # link targets
    re.compile(r"<[^>]+>"),                                        # html tags
    re.compile(r"^\s*#.*$", re.M),                                 # headings
    re.compile(r"^\s*\d+\.\s", re.M),                              # list numbers
    re.compile(r"\b(?:[Ll]essons?|[Ee]xercises?|[Ii]ssues?|[Cc]ells?)\s+\d+(?:\.\d+)?"
               r"(?:\s*(?:,|and|or|-|–|to)\s*\d+(?:\.\d+)?)*"),    # lesson 03, exercise 3.2
    re.compile(r"\b\d\d_[a-z_]+"),                                 # 03_cnn
    re.compile(r"\(0\d\)"),                                        # (03): a lesson
    re.compile(r"FAST:[^)|]*"),         # FAST-mode figures: CI's runs, which store no outputs
]


@dataclass(frozen=True)
class Unbacked:
    """A number a text states that neither the outputs nor ``claims.json`` back."""

    where: str        # "03_cnn cell 45 (id ...)", "README.md lesson table, row 03"
    number: str
    context: str      # the words around it

    def __str__(self) -> str:
        return f"{self.where}: {self.number!r} in \"...{self.context}...\""


def numbers(text: str) -> list[tuple[str, str]]:
    """The numbers ``text`` states (markdown), each with its unit (``""`` when it has none of
    ``UNITS``), and the words around it: ``[(number, unit, context), ...]``."""
    for pattern in _NOT_CLAIMS:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    found = []
    for m in _NUMBER.finditer(text):
        unit = _UNIT.match(text, m.end())
        context = " ".join(text[max(0, m.start() - 40):m.end() + 25].split())
        found.append((_plain(m.group()), unit.group(1) if unit else "", context))
    return found


def _plain(number: str) -> str:
    return number.replace(",", "").replace("−", "-").lstrip("-")


def _shown(nb: dict) -> tuple[set[tuple[str, str]], set[str]]:
    """What the code cells' outputs show, as ``(number, unit)`` pairs (unit ``""`` too for
    each), and the numbers their source sets."""
    outputs, source = [], []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            outputs.append("".join(out.get("text", "")))
            data = out.get("data", {})
            outputs += ["".join(data.get(kind, "")) for kind in ("text/plain", "text/html",
                                                                 "text/markdown")]
    shown = set()
    for text in outputs:
        for m in _NUMBER.finditer(text):
            unit = _UNIT.match(text, m.end())
            shown |= {(_plain(m.group()), ""), (_plain(m.group()), unit.group(1) if unit else "")}
    return shown, {_plain(m.group()) for t in source for m in _NUMBER.finditer(t)}


def _backed(number: str, unit: str, outputs: set[tuple[str, str]], source: set[str]) -> bool:
    """``number`` (with ``unit``) is shown, or (without a unit) set in the code, to the
    precision it is stated with: "93 %" is backed by an output "93.3%", not by "93.3" alone,
    nor by a 93 in the code. "+4 points" is backed by an output "+4.0%": outputs print
    differences of percentages as percentages."""
    units = {unit, "%"} if unit == "points" else {unit}   # a difference of two percentages
    if any((number, u) in outputs for u in units) or (not unit and number in source):
        return True
    decimals = len(number.split(".")[1]) if "." in number else 0
    value = float(number)
    for shown, shown_unit in outputs:
        shown_decimals = len(shown.split(".")[1]) if "." in shown else 0
        if shown_unit in units and shown_decimals > decimals and \
                abs(round(float(shown), decimals) - value) < 1e-9:
            return True
    return False


def _stated(claims: dict, lesson: str, key: str) -> dict:
    return claims.get("stated", {}).get(lesson, {}).get(key, {})


def unbacked(nb: dict, lesson: str, claims: dict, *, shown=None) -> list[Unbacked]:
    """The numbers in ``nb``'s markdown that its outputs do not back and ``claims`` does not
    state, cell by cell (``lesson`` is the notebook's stem, e.g. ``"03_cnn"``); ``shown`` is
    :func:`_shown` of ``nb`` when the caller has it."""
    shown = shown or _shown(nb)
    found = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            found += _judge(f"{lesson} cell {index} (id {cell.get('id')})",
                            "".join(cell["source"]),
                            _stated(claims, lesson, cell.get("id", str(index))), shown)
    return found


def _judge(where: str, text: str, stated: dict, shown) -> list[Unbacked]:
    """The numbers of ``text`` neither ``shown`` (outputs, source) back nor ``stated``
    states, and the entries of ``stated`` for numbers the text no longer says (stale)."""
    outputs, source = shown
    said = numbers(text)
    return ([Unbacked(where, number, context) for number, unit, context in said
             if number not in stated and not _backed(number, unit, outputs, source)] +
            [Unbacked(where, number, "claims.json states it, but the text no longer says it")
             for number in stated if number not in {n for n, _, _ in said}])


def table_rows(text: str, heading: str) -> dict[str, str]:
    """The rows of the tables in ``text``'s section ``heading`` (up to the next heading of
    its level), joined by the lesson number (two digits) their first cell starts with."""
    level = heading.split(" ")[0]
    rows: dict[str, str] = {}
    for line in text[text.index(heading):].splitlines()[1:]:
        if line.startswith(level + " "):
            break
        if line.startswith("|"):
            m = re.search(r"(?<!\d)(\d\d)(?:_|\s)", line.strip("|").split("|")[0])
            if m:
                rows[m.group(1)] = rows.get(m.group(1), "") + line + "\n"
    return rows


TABLES = (("README.md", "## The lessons"),
          ("BENCHMARKS.md", "## The lessons in the default profile"))


def check(solutions_dir: str | Path | None = None) -> list[Unbacked]:
    """Every unbacked number of the reviewed lessons (``claims.json``'s ``"reviewed"``), in
    their markdown and in their rows of the README's and BENCHMARKS.md's lesson tables."""
    solutions_dir = Path(solutions_dir or config.REPO_DIR / "solutions")
    claims = json.loads((solutions_dir / CLAIMS_FILE).read_text(encoding="utf-8"))
    tables = {(file, heading): table_rows((solutions_dir.parent / file).read_text(
        encoding="utf-8"), heading) for file, heading in TABLES}
    found = []
    for lesson in claims["reviewed"]:
        nb = json.loads((solutions_dir / f"{lesson}.ipynb").read_text(encoding="utf-8"))
        shown = _shown(nb)
        found += unbacked(nb, lesson, claims, shown=shown)
        for (file, heading), rows in tables.items():
            found += _judge(f"{file} ({heading}), row {lesson[:2]}", rows.get(lesson[:2], ""),
                            _stated(claims, lesson, file), shown)
    return found
