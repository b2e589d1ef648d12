"""Tests for course_utils.notebooks: student notebooks generated from solutions.

Builds a small solution notebook in each test (a function exercise, a value
exercise, a written answer and check cells), and guards the real repository:
``notebooks/`` must be what ``solutions/`` generates, with no solution leaked.
"""
from __future__ import annotations

import json
import logging
import re
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils import cli, config, notebooks
from course_utils.exceptions import DataNotFoundError, ParameterError

REPO = Path(__file__).resolve().parents[1]
NAME = "01_demo.ipynb"

CHECKS = '''\
def check_exercise_1_1(fn):
    try:
        result = fn(2)
    except NotImplementedError:
        print("Exercise 1.1: not done yet")
        return
    print("Exercise 1.1: correct" if result == 4 else f"Exercise 1.1: expected 4, got {result}")


def check_exercise_1_2(value):
    if value is ...:
        print("Exercise 1.2: not done yet")
    else:
        print("Exercise 1.2: correct" if value == 42 else f"expected 42, got {value}")'''

DOUBLE = '''\
def double(x):
    """Return twice x."""
    ### BEGIN SOLUTION
    result = x * 2
    return result
    ### END SOLUTION'''

ANSWER = '''\
# Exercise 1.2: the answer
### BEGIN SOLUTION
answer = 6 * 7
### END SOLUTION'''

WRITTEN = '''\
**Question:** why is doubling linear?

### BEGIN SOLUTION
Because double(a + b) equals double(a) + double(b).
### END SOLUTION'''


def _code(source, index, **metadata):
    cell = new_code_cell(source, id=f"cell-{index}", metadata=metadata)
    cell.execution_count = index
    cell.outputs = [new_output("stream", name="stdout", text=f"output {index}\n")]
    return cell


def demo_notebook():
    """A solution notebook with every kind of exercise, outputs and stray metadata."""
    cells = [
        new_markdown_cell("# Demo lesson\n\nOne sentence on what it is about.", id="cell-0"),
        _code(CHECKS, 1, collapsed=True),
        new_markdown_cell("### Exercise 1.1: double a number\n\nWrite `double`.", id="cell-2"),
        _code(DOUBLE, 3, tags=["exercise"], scrolled=True),
        _code("check_exercise_1_1(double)", 4),
        _code(ANSWER, 5),
        _code("check_exercise_1_2(answer)", 6, editable=True),
        new_markdown_cell(WRITTEN, id="cell-7"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python", "version": "3.11.9"},
                   "colab": {"provenance": []}}
    return nb


def write_nb(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def course(tmp_path):
    """A course folder with solutions/01_demo.ipynb; returns (solutions, notebooks) dirs."""
    write_nb(tmp_path / "solutions" / NAME, demo_notebook())
    return tmp_path / "solutions", tmp_path / "notebooks"


def built(course):
    notebooks.build(*course)
    return nbformat.read(course[1] / NAME, as_version=4)


def test_build_replaces_solutions_with_stubs_and_keeps_signatures(course):
    student = built(course)
    src = [cell.source for cell in student.cells]
    assert src[3] == ('def double(x):\n    """Return twice x."""\n'
                      '    raise NotImplementedError("Exercise 1.1: double a number")')
    assert src[5] == "# Exercise 1.2: the answer\nanswer = ...  # YOUR CODE HERE"
    assert src[7] == "**Question:** why is doubling linear?\n\n*Your answer here.*"
    assert src[1] == CHECKS and src[4] == "check_exercise_1_1(double)"


def test_build_clears_outputs_and_trims_metadata_keeping_ids(course):
    student = built(course)
    assert [cell.id for cell in student.cells] == [f"cell-{i}" for i in range(8)]
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert student.metadata == {"kernelspec": {"name": "python3", "display_name": "Python 3"},
                                "language_info": {"name": "python"}}
    assert student.cells[1].metadata == {}
    assert student.cells[3].metadata == {"tags": ["exercise"]}
    assert student.nbformat_minor == 5


def test_check_cells_are_locked_and_the_solution_gains_nbgrader_metadata(course):
    student = built(course)
    locked = {"editable": False, "deletable": False}
    assert student.cells[4].metadata == locked      # learners' copies: no nbgrader metadata
    assert student.cells[6].metadata == locked      # editable=True in the solution is overridden
    assert student.cells[1].metadata == {}          # defines check functions, calls none
    solution = nbformat.read(course[0] / NAME, as_version=4)
    assert solution.cells[4].metadata["nbgrader"] == {
        "schema_version": 3, "task": False, "locked": True, "grade": True, "solution": False,
        "points": 1, "grade_id": "check_exercise_1_1"}
    assert solution.cells[3].metadata["nbgrader"]["solution"] is True
    assert "nbgrader" not in solution.cells[1].metadata
    before = (course[0] / NAME).read_bytes()
    notebooks.build(*course)
    assert (course[0] / NAME).read_bytes() == before       # normalised once, then left alone


def test_generated_note_goes_in_the_first_markdown_cell(course, tmp_path):
    first = built(course).cells[0].source
    assert first.startswith("# Demo lesson\n\nOne sentence")
    assert first.endswith("`python -m course_utils notebooks build`: do not edit this file; edit "
                          "the solution and rebuild. Work in a copy (`python -m course_utils "
                          "notebooks copy`) so `git pull` keeps your answers.")
    assert "> **Note:** Generated from `solutions/01_demo.ipynb`" in first

    nb = demo_notebook()
    del nb.cells[0]
    write_nb(tmp_path / "other" / NAME, nb)
    notebooks.build(tmp_path / "other", tmp_path / "other_out")
    student = nbformat.read(tmp_path / "other_out" / NAME, as_version=4)
    assert student.cells[0].id == "generated-note"
    assert student.cells[0].source.startswith("> **Note:** Generated from `other/01_demo.ipynb`")


def test_no_solution_line_leaks_and_a_leak_is_found(course):
    student = built(course)
    solution = nbformat.read(course[0] / NAME, as_version=4)
    assert notebooks.find_leaks(course[1] / NAME, course[0] / NAME) == []
    student.cells[3].source += "\n    result = x * 2"
    student.cells[7].source += "\nBecause double(a + b) equals double(a) + double(b)."
    assert notebooks.find_leaks(student, solution) == [
        "Because double(a + b) equals double(a) + double(b).", "result = x * 2"]


def test_a_line_also_written_outside_the_solution_is_not_a_leak():
    solution = new_notebook(cells=[
        new_code_cell("def f(S):\n    ### BEGIN SOLUTION\n    M = compute(S)\n    return M\n"
                      "    ### END SOLUTION", id="a"),
        new_code_cell("M = compute(S)\nprint(M)", id="b")])
    solution.cells[0].source = "# Exercise 2.1: f\n" + solution.cells[0].source
    student = notebooks.make_student(solution, name="x.ipynb")
    assert notebooks.find_leaks(student, solution) == []


def test_build_is_byte_stable_and_check_passes_when_in_sync(course):
    assert notebooks.build(*course) == [course[0] / NAME, course[1] / NAME]
    text = (course[1] / NAME).read_text(encoding="utf-8")
    assert text.startswith('{\n "cells": [\n  {\n') and text.endswith("}\n")
    assert notebooks.build(*course) == []          # nothing to write the second time
    assert (course[1] / NAME).read_text(encoding="utf-8") == text
    assert notebooks.build(*course, check=True) == []
    assert notebooks.check(*course) == {}


def test_check_finds_an_edited_solution_without_writing(course):
    notebooks.build(*course)
    nb = nbformat.read(course[0] / NAME, as_version=4)
    nb.cells[0].source += "\n\nA new paragraph."
    write_nb(course[0] / NAME, nb)
    before = (course[1] / NAME).read_bytes()
    assert notebooks.build(*course, check=True) == [course[1] / NAME]
    assert "differs from" in notebooks.check(*course)[course[1] / NAME]
    assert (course[1] / NAME).read_bytes() == before


def test_check_finds_a_hand_edited_missing_or_extra_student_notebook(course):
    notebooks.build(*course)
    student = nbformat.read(course[1] / NAME, as_version=4)
    student.cells[3].source = DOUBLE                 # someone "fixed" the student copy
    write_nb(course[1] / NAME, student)
    write_nb(course[1] / "02_gone.ipynb", new_notebook())
    drift = notebooks.check(*course)
    assert set(drift) == {course[1] / NAME, course[1] / "02_gone.ipynb"}
    assert drift[course[1] / "02_gone.ipynb"].startswith("extra")
    (course[1] / NAME).unlink()
    assert notebooks.check(*course)[course[1] / NAME].startswith("missing")


def test_build_removes_a_stale_generated_notebook_but_not_a_hand_made_one(course):
    notebooks.build(*course)
    (course[1] / NAME).rename(course[1] / "00_renamed.ipynb")
    write_nb(course[1] / "99_mine.ipynb", new_notebook())
    changed = notebooks.build(*course)
    assert set(changed) == {course[1] / NAME, course[1] / "00_renamed.ipynb"}
    assert not (course[1] / "00_renamed.ipynb").exists()
    assert (course[1] / "99_mine.ipynb").exists()


def test_cli_build_check_exits_1_naming_the_file_and_the_fix(course, capsys):
    args = ["notebooks", "build", "--solutions", str(course[0]), "--out", str(course[1])]
    assert cli.main(args + ["--check"]) == 1
    err = capsys.readouterr().err
    assert f"{course[1] / NAME}: missing" in err
    assert "Fix: run `python -m course_utils notebooks build`" in err
    assert cli.main(args) == 0
    assert cli.main(args + ["--check"]) == 0


@pytest.mark.parametrize("source, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1", r"line 2: `### BEGIN SOLUTION` is never closed"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
     r"line 3: `### BEGIN SOLUTION` inside another solution \(opened at line 2\)"),
    ("def f():\n    return 1\n    ### END SOLUTION", r"line 3: `### END SOLUTION` without"),
    ("def f():\n    ## BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
     r"line 2: '## BEGIN SOLUTION' looks like a solution marker"),
    ("def f():\n    ### begin solution\n    return 1", r"looks like a solution marker"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
     r"cannot tell which exercise this is"),
    ("# Exercise 1.4: print\n### BEGIN SOLUTION\nprint(42)\n### END SOLUTION",
     r"must assign the names the check cell reads"),
    ("# Exercise 1.4: x\n### BEGIN SOLUTION\nanswer = (\n### END SOLUTION", r"not valid Python"),
])
def test_bad_markers_raise_naming_notebook_cell_and_line(source, message, tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# Title", id="a"), new_code_cell(source, id="b")])
    write_nb(tmp_path / "solutions" / "03_bad.ipynb", nb)
    with pytest.raises(ParameterError, match=r"03_bad\.ipynb, cell 1, .*" + message):
        notebooks.build(tmp_path / "solutions", tmp_path / "notebooks")
    assert not (tmp_path / "notebooks").exists()


def test_unclosed_marker_in_markdown_raises():
    nb = new_notebook(cells=[new_markdown_cell("Why?\n### BEGIN SOLUTION\nBecause.", id="a")])
    with pytest.raises(ParameterError, match=r"x\.ipynb, cell 0, line 2: .* never closed"):
        notebooks.make_student(nb, name="x.ipynb")


def test_value_stub_names_each_assigned_name_only():
    source = textwrap.dedent("""\
        # Exercise 2.3: a range
        ### BEGIN SOLUTION
        low, high = 0.1, 0.9
        span: float = high - low
        table = {}
        table["k"] = span
        for i in range(3):
            table[i] = i
        ### END SOLUTION""")
    student = notebooks.make_student(new_notebook(cells=[new_code_cell(source, id="a")]))
    assert student.cells[1].source.splitlines()[1:] == [
        "low = ...  # YOUR CODE HERE", "high = ...  # YOUR CODE HERE",
        "span = ...  # YOUR CODE HERE", "table = ...  # YOUR CODE HERE"]


def test_cell_comment_wins_over_markdown_label_and_quotes_are_escaped():
    nb = new_notebook(cells=[
        new_markdown_cell("## Exercise 9.9: the heading", id="a"),
        new_code_cell('# Exercise 3.2: a "quoted" title\nclass A:\n    def f(self):\n'
                      '        ### BEGIN SOLUTION\n        return 1\n        ### END SOLUTION', id="b")])
    source = notebooks.make_student(nb).cells[1].source
    assert source.endswith('        raise NotImplementedError("Exercise 3.2: a \\"quoted\\" title")')
    compile(source, "cell", "exec")


def test_student_notebook_runs_top_to_bottom(course):
    from nbclient import NotebookClient

    student = built(course)
    NotebookClient(student, timeout=60, kernel_name="python3").execute()
    outputs = [out for cell in student.cells if cell.cell_type == "code" for out in cell.outputs]
    assert [out.output_type for out in outputs] == ["stream", "stream"]
    assert [out.text for out in outputs] == ["Exercise 1.1: not done yet\n",
                                             "Exercise 1.2: not done yet\n"]


def test_execute_refreshes_solution_outputs_in_fast_mode_then_builds(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "0")
    solutions, out = tmp_path / "solutions", tmp_path / "notebooks"
    (solutions / "lesson_data.txt").parent.mkdir(parents=True)
    (solutions / "lesson_data.txt").write_text("read relative to the notebook")
    nb = demo_notebook()
    nb.cells.insert(1, _code('import os\nprint(os.environ["COURSE_FAST"], '
                             'open("lesson_data.txt").read())', 99))
    write_nb(solutions / NAME, nb)
    monkeypatch.chdir(tmp_path)          # not the notebook folder: execute must set it
    notebooks.execute(solutions_dir=solutions, out_dir=out)
    solution = nbformat.read(solutions / NAME, as_version=4)
    texts = [out.get("text") for cell in solution.cells if cell.cell_type == "code"
             for out in cell.outputs]
    assert texts == ["1 read relative to the notebook\n", "Exercise 1.1: correct\n",
                     "Exercise 1.2: correct\n"]
    assert solution.cells[5].metadata["editable"] is False
    assert solution.cells[5].metadata["nbgrader"]["grade"] is True
    assert solution.metadata["language_info"] == {"name": "python"}
    assert "execution" not in json.dumps([c.metadata for c in solution.cells])
    assert notebooks.check(solutions, out) == {}


def test_execute_in_the_default_profile_records_it(tmp_path):
    solutions, out = tmp_path / "solutions", tmp_path / "notebooks"
    nb = demo_notebook()
    nb.cells.insert(1, _code('import os\nprint(os.environ["COURSE_FAST"])', 99))
    write_nb(solutions / NAME, nb)
    notebooks.execute(profile="default", solutions_dir=solutions, out_dir=out)
    solution = nbformat.read(solutions / NAME, as_version=4)
    assert solution.metadata["course"] == {"profile": "default"}
    assert solution.cells[1].outputs[0]["text"] == "0\n"
    assert "course" not in nbformat.read(out / NAME, as_version=4).metadata
    assert notebooks.check(solutions, out) == {}           # build keeps the profile
    with pytest.raises(ParameterError, match="Unknown profile 'slow'"):
        notebooks.execute(profile="slow", solutions_dir=solutions, out_dir=out)


def test_execute_reports_a_failing_cell_and_keeps_the_file(tmp_path):
    path = write_nb(tmp_path / "solutions" / NAME,
                    new_notebook(cells=[new_code_cell("1 / 0", id="a")]))
    before = path.read_bytes()
    with pytest.raises(notebooks.CourseError, match=r"(?s)01_demo\.ipynb: a cell failed.*ZeroDivisionError"):
        notebooks.execute([path], solutions_dir=path.parent, out_dir=tmp_path / "nb")
    assert path.read_bytes() == before


def test_lock_check_cells_rewrites_only_when_needed(tmp_path):
    path = write_nb(tmp_path / NAME, demo_notebook())
    assert notebooks.lock_check_cells(path) is True
    nb = nbformat.read(path, as_version=4)
    assert {k: v for k, v in nb.cells[4].metadata.items() if k != "nbgrader"} == {
        "editable": False, "deletable": False}
    assert nb.cells[4].outputs                        # outputs of a solution are kept
    assert notebooks.lock_check_cells(path) is False


def test_missing_cell_ids_become_stable_ones(tmp_path):
    raw = {"cells": [{"cell_type": "code", "source": "1", "metadata": {}, "outputs": [],
                      "execution_count": None}],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / NAME).write_text(json.dumps(raw))
    notebooks.build(tmp_path / "s", tmp_path / "a")
    notebooks.build(tmp_path / "s", tmp_path / "b")
    assert (tmp_path / "a" / NAME).read_bytes() == (tmp_path / "b" / NAME).read_bytes()
    assert nbformat.read(tmp_path / "a" / NAME, as_version=4).cells[1].id == \
        notebooks.normalise(nbformat.from_dict(raw), name=NAME).cells[0].id


def test_copy_keeps_learners_edits_unless_overwrite(course, tmp_path, caplog):
    notebooks.build(*course)
    work = tmp_path / "work"
    assert notebooks.copy(work, src=course[1]) == work
    assert (work / NAME).read_bytes() == (course[1] / NAME).read_bytes()
    (work / NAME).write_text("my answers")
    with caplog.at_level(logging.WARNING, logger="course_utils"):
        notebooks.copy(work, src=course[1])
    assert (work / NAME).read_text() == "my answers"
    assert str(work / NAME) in caplog.text and "--overwrite" in caplog.text
    notebooks.copy(work, src=course[1], overwrite=True)
    assert (work / NAME).read_bytes() == (course[1] / NAME).read_bytes()


def test_copy_without_student_notebooks_says_to_build(tmp_path):
    with pytest.raises(DataNotFoundError, match="notebooks build"):
        notebooks.copy(tmp_path / "work", src=tmp_path / "empty")


def test_build_without_solutions_folder_raises(tmp_path):
    with pytest.raises(DataNotFoundError, match="solutions folder not found"):
        notebooks.build(tmp_path / "nope", tmp_path / "out")


# -- the nbval sanitize file ----------------------------------------------------------------

SANITIZE = REPO / "tests" / "nbval_sanitize.cfg"


def sanitize(text: str) -> str:
    """Apply the patterns the way nbval 0.11 does (its parser, a dict, re.sub in order)."""
    from nbval.plugin import get_sanitize_patterns
    for regex, replace in dict(get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8"))).items():
        text = re.sub(regex, replace, text)
    return text


def test_sanitize_file_parses_and_every_regex_is_unique():
    from nbval.plugin import get_sanitize_patterns
    pairs = get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8"))
    assert len(pairs) == len(dict(pairs)) == SANITIZE.read_text().count("\nregex: ")
    for regex, _ in pairs:
        re.compile(regex)


@pytest.mark.parametrize("raw, clean", [
    ("\x1b[1m12/12\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m1s\x1b[0m "
     "45ms/step - accuracy: 0.1000 - loss: 2.3026\n", "<KERAS PROGRESS>\n"),
    ("Epoch 3/10\n", "Epoch <N>/<N>\n"),
    (" 45%|████▌     | 45/100 [00:01<00:01, 42.10it/s]", "<PROGRESS>"),
    ("took 1.23 s, then 0.8 seconds, 3 min and 12.5 µs", "took <TIME>, then <TIME>, <TIME> and <TIME>"),
    ("42.10it/s", "<RATE>"),
    ("1.2 ms ± 45.6 µs per loop (mean ± std. dev. of 7 runs, 1,000 loops each)", "<TIMEIT>"),
    ("<Functional name=cnn, built=True> at 0x7f3a2c1b4d90", "<Functional name=cnn, built=True> at 0xADDRESS"),
    ("saved to /tmp/pytest-of-u/pytest-3/test0/run.keras", "saved to <TMP>"),
    ("loading /home/alice/src/genre-course/data/synthetic/blues.00000.wav",
     "loading <REPO>/data/synthetic/blues.00000.wav"),
    ("'/Users/bob/course/runs/cnn-20240501-123456'", "'<REPO>/runs/cnn-<STAMP>'"),
    ("/home/u/.venv/lib/python3.11/site-packages/keras/src/a.py:12: UserWarning",
     "<SITE-PACKAGES>/keras/src/a.py:12: UserWarning"),
    ("2024-05-01 12:34:56.789012: I tensorflow/core/util/port.cc:153] oneDNN on", "<LOG>"),
    ("cache in /home/alice/.cache/course", "cache in ~/.cache/course"),
])
def test_sanitize_file_masks_what_varies(raw, clean):
    assert sanitize(raw) == clean


@pytest.mark.parametrize("text", [
    "S.shape=(128, 130)", "10 genres, 1000 tracks, 3 samples", "data/synthetic/blues",
    "Total params: 1,234 (4.82 KB)", "accuracy 0.700 (chance is 0.100)"])
def test_sanitize_file_leaves_deterministic_output_alone(text):
    assert sanitize(text) == text


# -- the real repository: the CI guard ------------------------------------------------------

def test_repository_notebooks_are_in_sync_and_leak_nothing():
    solutions = sorted((REPO / "solutions").glob("*.ipynb"))
    if not solutions:
        pytest.skip("solutions/ has no notebooks yet: nothing to compare")
    drift = notebooks.check(REPO / "solutions", REPO / "notebooks")
    assert not drift, ("student notebooks out of date; run `python -m course_utils notebooks "
                       f"build` and commit: {drift}")
    for path in solutions:
        assert notebooks.find_leaks(REPO / "notebooks" / path.name, path) == [], path.name


LESSONS = ["01_audio_basics", "02_feature_extraction", "03_cnn", "04_lstm", "05_hybrid",
           "06_evaluation", "07_your_own_music", "08_transfer_learning", "09_applications"]


def test_every_lesson_exists_and_stays_small():
    """Each committed lesson is under 2 MB (audio players embed their clips)."""
    for name in LESSONS:
        for folder in ("solutions", "notebooks"):
            path = REPO / folder / f"{name}.ipynb"
            assert path.exists(), f"{path} is missing"
            assert path.stat().st_size < 2 * 1024 * 1024, f"{path} is over 2 MB"


def test_every_lesson_has_three_checked_exercises_and_the_lesson_shape():
    import json
    for name in LESSONS:
        cells = json.loads((REPO / "solutions" / f"{name}.ipynb").read_text())["cells"]
        text = ["".join(c["source"]) for c in cells]
        exercises = sum("### BEGIN SOLUTION" in t for t in text)
        checks = sum("check_exercise_" in t for c, t in zip(cells, text) if c["cell_type"] == "code")
        assert exercises >= 3 and checks >= 3, f"{name}: {exercises} exercises, {checks} checks"
        md = "\n".join(t for c, t in zip(cells, text) if c["cell_type"] == "markdown")
        for heading in ("You will", "## Summary", "## Exercises", "Open In Colab"):
            assert heading in md, f"{name}: no {heading!r}"


def test_student_badges_open_the_student_notebook_not_the_solution():
    github = config.REPO_URL.split("github.com/")[1]
    for path in sorted((config.REPO_DIR / "notebooks").glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert (f"colab.research.google.com/github/{github}/blob/{config.REPO_BRANCH}/"
                f"notebooks/{path.name}") in text, path.name
        assert "/solutions/" not in text.replace(f"solutions/{path.name}`", ""), path.name


def test_repo_url_points_badges_and_the_colab_cell_at_a_fork(tmp_path):
    fork = "https://github.com/teacher/genre-course-2027"
    changed = notebooks.build(config.REPO_DIR / "solutions", tmp_path, repo_url=fork + ".git")
    assert len(changed) == len(list((config.REPO_DIR / "solutions").glob("*.ipynb")))
    for path in tmp_path.glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert config.REPO_URL not in text and config.REPO_URL.split("github.com/")[1] not in text
        assert f"github/teacher/genre-course-2027/blob/main/notebooks/{path.name}" in text
        assert f'REPO_URL = \\"{fork}\\"' in text                 # the Colab cell installs it
    assert notebooks.check(config.REPO_DIR / "solutions", tmp_path, repo_url=fork) == {}
    assert notebooks.check(config.REPO_DIR / "solutions", tmp_path)      # the default differs
    with pytest.raises(ParameterError, match="give a GitHub repository"):
        notebooks.build(config.REPO_DIR / "solutions", tmp_path, repo_url="https://gitlab.com/x")


@pytest.mark.skipif(not __import__("shutil").which("make"), reason="make is not installed")
def test_make_lab_serves_a_learners_copies_and_lab_instructor_everything():
    """``make -n`` prints the commands: the learner's server never has solutions/ under it."""
    import subprocess
    run = lambda *a: subprocess.run(["make", "-n", "-C", str(REPO), *a], capture_output=True,
                                    text=True, check=True).stdout
    learner = run("lab", "-o", ".venv/.installed", "-o", "data")
    assert "notebooks copy work" in learner and "--ServerApp.root_dir='work'" in learner
    instructor = run("lab-instructor", "-o", ".venv/.installed", "-o", "data")
    assert "--ServerApp.root_dir='.'" in instructor and "/lab/tree/solutions" in instructor
    assert not (REPO / "work" / "solutions").exists()


def test_normalise_merges_consecutive_stream_outputs_of_one_stream():
    cell = new_code_cell("for e in range(2): print(e)", outputs=[
        new_output("stream", name="stdout", text="Epoch 1/2\n"),
        new_output("stream", name="stdout", text="loss 0.5\n"),
        new_output("stream", name="stderr", text="a warning\n"),
        new_output("display_data", data={"text/plain": "a table"}),
        new_output("stream", name="stdout", text="Epoch 2/2\n")])
    nb = notebooks.normalise(new_notebook(cells=[cell]))
    outputs = nb.cells[0].outputs
    assert [(o.output_type, o.get("name")) for o in outputs] == [
        ("stream", "stdout"), ("stream", "stderr"), ("display_data", None), ("stream", "stdout")]
    assert outputs[0].text == "Epoch 1/2\nloss 0.5\n" and outputs[3].text == "Epoch 2/2\n"


def test_normalise_drops_progress_bars_frozen_at_their_first_frame():
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": "a", "version_major": 2,
                                                         "version_minor": 0}}
    bar = new_output("display_data", data={
        **view, "text/plain": "features:   0%|          | 0/500 [00:00<?, ?file/s]"})
    explorer = new_output("display_data", data={**view, "text/plain": "VBox(children=(...))"})
    printed = new_output("stream", name="stdout", text="500 tracks, 0 errors\n")
    nb = new_notebook(cells=[new_code_cell("fs = features.extract(paths)",
                                           outputs=[bar, printed, explorer])])
    outputs = notebooks.normalise(nb).cells[0].outputs
    assert [o.get("text", o.get("data", {}).get("text/plain")) for o in outputs] == [
        "500 tracks, 0 errors\n", "VBox(children=(...))"]
