"""The claims check: every number a reviewed lesson's text states is what its stored outputs
show (or is stated, with its source, in solutions/claims.json)."""
from __future__ import annotations

import json
import shutil

from course_utils import claims, config

SOLUTIONS = config.REPO_DIR / "solutions"


def test_the_reviewed_lessons_state_only_what_their_outputs_show():
    assert [str(item) for item in claims.check()] == []


def _copy(tmp_path):
    """A copy of the solutions, README.md and BENCHMARKS.md to plant numbers in."""
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    for name in ("README.md", "BENCHMARKS.md"):
        shutil.copy(config.REPO_DIR / name, tmp_path / name)
    return tmp_path / "solutions"


def test_a_planted_wrong_number_in_a_lesson_fails(tmp_path):
    solutions = _copy(tmp_path)
    lesson = json.loads((solutions / "claims.json").read_text())["reviewed"][0]
    path = solutions / f"{lesson}.ipynb"
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = "".join(cell["source"]) + "\nThe test set holds 4517 tracks.\n"
    path.write_text(json.dumps(nb))
    found = claims.check(solutions)
    assert [(item.number, lesson in item.where) for item in found] == [("4517", True)]


def test_a_planted_wrong_number_in_the_tables_fails_and_a_stale_entry_is_reported(tmp_path):
    solutions = _copy(tmp_path)
    benchmarks = (tmp_path / "BENCHMARKS.md").read_text()
    row = claims.table_rows(benchmarks, claims.TABLES[1][1])["01"].splitlines()[0]
    (tmp_path / "BENCHMARKS.md").write_text(benchmarks.replace(row, row.replace(
        "nothing", "nothing; 4517 segments")))
    readme = (tmp_path / "README.md").read_text()
    row = claims.table_rows(readme, claims.TABLES[0][1])["01"].splitlines()[0]
    (tmp_path / "README.md").write_text(readme.replace(row, row.replace(
        "no training", "no training (FAST: 4518 frames)")))       # FAST figures are not read
    stated = json.loads((solutions / "claims.json").read_text())
    stated["stated"]["01_audio_basics"]["016bdbcc"]["7777"] = "a number the text never says"
    (solutions / "claims.json").write_text(json.dumps(stated))
    found = {(item.where.split(" ")[0], item.number) for item in claims.check(solutions)}
    assert found == {("BENCHMARKS.md", "4517"), ("01_audio_basics", "7777")}


def test_what_counts_as_a_claim_and_what_backs_it():
    said = [(n, unit) for n, unit, _ in claims.numbers(
        "Lesson 03 and exercise 3.2 (`n_fft=2048`, [link](https://x/12)) score 86.7 % on "
        "1,000 tracks and 45 test tracks;\n1. a list number\n## 7 headings\nin 03_cnn (03) "
        "(FAST: 51 %), 30 s")]
    assert said == [("86.7", "%"), ("1000", "tracks"), ("45", "test tracks"), ("30", "s")]
    outputs = {("93.3", "%"), ("93.3", ""), ("28442", ""), ("75", "test tracks"), ("45", "")}
    source = {"2048", "45"}
    assert claims._backed("93", "%", outputs, source)      # stated to less precision
    assert not claims._backed("93.4", "%", outputs, source)
    assert not claims._backed("94", "%", outputs, source)
    assert claims._backed("28442", "", outputs, source) and claims._backed("2048", "", outputs,
                                                                           source)
    assert claims._backed("75", "test tracks", outputs, source)
    assert not claims._backed("45", "test tracks", outputs, source)   # a 45 of something else
    outputs |= {("7.4", "%"), ("7.4", "")}                 # a printed difference, "-7.4%"
    assert claims._backed("7.4", "points", outputs, source)
    assert claims._backed("7", "points", outputs, source)
    assert not claims._backed("7.4", "dB", outputs, source)
    assert not claims._backed("93.3", "points", {("93.3", "")}, source)
