"""nbgrader as instructors use it: generate_assignment, then autograde four submissions
(solved, untouched, wrong, gamed)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_utils import checks, config, grading, notebooks

pytest.importorskip("nbgrader", reason="nbgrader comes with the dev extra")

LESSON = "01_audio_basics"          # trains nothing, so four autograde runs stay short
CHECKS = ["check_exercise_1_1", "check_exercise_1_2", "check_exercise_1_4", "check_exercise_1_5",
          "check_exercise_1_6"]
WRONG_1_1 = "    return int(seconds * sr) + 1   # planted: off by one"
GAMED_1_1 = "    return int(seconds * sr)"
GAMED_1_2 = "    return _db(np.abs(a), ref=ref, amin=amin, top_db=None)"


def _answered(nb: dict, answers: dict[str, str]) -> dict:
    """A copy of ``nb`` with the solution region of each exercise in ``answers`` replaced."""
    nb = json.loads(json.dumps(nb))
    for number, body in answers.items():
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            if source.startswith(f"# Exercise {number}") and notebooks.BEGIN in source:
                head, rest = source.split(notebooks.BEGIN, 1)
                cell["source"] = head.rstrip(" ") + body + rest.split(notebooks.END, 1)[1]
                break
        else:
            pytest.fail(f"the solution has no region for exercise {number}")
    return nb


def _nbgrader(course: Path, *args: str, env: dict) -> None:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _submit(course: Path, student: str, nb: dict) -> None:
    target = course / "submitted" / student / LESSON / f"{LESSON}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb))


def _scores(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {name: gb.find_grade(name, LESSON, LESSON, student).score for name in CHECKS}


@pytest.mark.slow
def test_generate_and_autograde(tmp_path, fast_synthetic):
    course = grading.write_course(tmp_path / "course", [LESSON])
    env = {**os.environ, "COURSE_FAST": "1", "COURSE_DATA_DIR": str(fast_synthetic.parent),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("NBGRADER_EXECUTION", None)
    _nbgrader(course, "generate_assignment", LESSON, env=env)
    released = json.loads((course / "release" / LESSON / f"{LESSON}.ipynb").read_text())

    solved = json.loads((course / "source" / LESSON / f"{LESSON}.ipynb").read_text())
    wrong = _answered(solved, {"1.1": WRONG_1_1})     # all solved but 1.1, which is wrong
    # gamed: 1.1 truncates (right on every product but 0.7 s x 22050 Hz = 15434.999...), 1.2
    # calls librosa through an alias made in a cell of the learner's own, above the exercise
    gamed = _answered(solved, {"1.1": GAMED_1_1, "1.2": GAMED_1_2})
    index = next(i for i, c in enumerate(gamed["cells"])
                 if "".join(c["source"]).startswith("# Exercise 1.2"))
    gamed["cells"].insert(index, {"cell_type": "code", "execution_count": None, "id": "alias",
                                  "metadata": {}, "outputs": [],
                                  "source": "import librosa\n_db = librosa.amplitude_to_db"})

    _submit(course, "solved", solved)
    _submit(course, "untouched", released)
    _submit(course, "wrong", wrong)
    _submit(course, "gamed", gamed)
    # lesson 01 runs in about 30 s in all: a cell that takes a minute is a hung kernel (an
    # intermittent stall, cause not found), not work
    _nbgrader(course, "autograde", LESSON, "--ExecutePreprocessor.timeout=60", env=env)

    assert _scores(course, "solved") == {name: 1.0 for name in CHECKS}
    assert _scores(course, "untouched") == {name: 0.0 for name in CHECKS}
    assert _scores(course, "wrong") == {**{name: 1.0 for name in CHECKS},
                                        "check_exercise_1_1": 0.0}
    assert _scores(course, "gamed") == {**{name: 1.0 for name in CHECKS},
                                        "check_exercise_1_1": 0.0, "check_exercise_1_2": 0.0}


def test_every_lesson_has_valid_nbgrader_metadata():
    """Solution and check cells carry metadata that nbgrader's own validator accepts."""
    from nbgrader.nbgraderformat import MetadataValidator
    for path in sorted((config.REPO_DIR / "solutions").glob("*.ipynb")):
        nb = notebooks._read(path)
        MetadataValidator().validate_nb(nb)
        graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        solved = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        written = sum(c.cell_type == "markdown" and notebooks.BEGIN in c.source for c in nb.cells)
        assert graded and len(graded) == sum(notebooks.is_check_cell(c) for c in nb.cells) + written
        assert all(c.metadata["nbgrader"]["locked"] for c in graded if c.cell_type == "code")
        assert all(c.metadata["nbgrader"]["solution"] for c in graded if c.cell_type == "markdown")
        assert len(solved) == sum(notebooks.BEGIN in c.source for c in nb.cells), path.name


def test_student_copies_carry_no_nbgrader_metadata():
    for path in sorted((config.REPO_DIR / "notebooks").glob("*.ipynb")):
        assert '"nbgrader"' not in path.read_text(encoding="utf-8"), path.name


def test_course_stubs_keep_module_level_exercises_runnable():
    """The preprocessor nbgrader is given writes `name = ...`, not a module-level raise."""
    from nbformat.v4 import new_code_cell, new_notebook
    cell = new_code_cell("# Exercise 4.3: a count\n### BEGIN SOLUTION\nanswer = 42\n"
                         "### END SOLUTION", id="a")
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "x",
                                 "locked": False, "schema_version": 3}
    nb = new_notebook(cells=[cell], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    out, _ = grading.clear_solutions_class()().preprocess(nb, {})
    assert out.cells[0].source == "# Exercise 4.3: a count\nanswer = ...  # YOUR CODE HERE"
    exec(compile(out.cells[0].source, "stub", "exec"), {})     # runs: no NotImplementedError


def test_unknown_lesson_is_refused(tmp_path):
    with pytest.raises(ValueError, match="Unknown lesson '99'"):
        grading.write_course(tmp_path, ["99"])


@pytest.mark.parametrize("value", ["autograde", "validate"])
def test_checks_raise_under_nbgrader(monkeypatch, value, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", value)
    with pytest.raises(checks.AnswerError, match="Exercise 1.1: not done yet"):
        checks.check_exercise_1_1(lambda seconds, sr: (_ for _ in ()).throw(NotImplementedError))
    with pytest.raises(checks.AnswerError, match="Exercise 1.1: expected"):
        checks.check_exercise_1_1(lambda seconds, sr: int(seconds * sr) + 1)
    assert checks.check_exercise_1_1(lambda seconds, sr: int(round(seconds * sr))) is True
    assert "passed" in capsys.readouterr().out


def test_checks_print_and_carry_on_for_a_learner(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)
    assert checks.check_exercise_1_1(lambda seconds, sr: int(seconds * sr) + 1) is False
    assert "❌ Exercise 1.1" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(checks.AnswerError):
        checks.check_exercise_1_1(lambda seconds, sr: int(seconds * sr) + 1)
