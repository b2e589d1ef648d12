"""nbgrader for instructors: a course folder to assign and autograde the lessons in.

``python -m course_utils notebooks nbgrader DEST`` writes ``DEST/nbgrader_config.py``
and one assignment per lesson, ``DEST/source/NN_topic/NN_topic.ipynb`` (the
solution, which carries nbgrader's cell metadata: see
:func:`course_utils.notebooks.normalise`). Then, in ``DEST``::

    nbgrader generate_assignment 03_cnn     # release/03_cnn/03_cnn.ipynb for students
    nbgrader autograde 03_cnn               # grades submitted/<student>/03_cnn/

The course folder is kept apart from the course's repository, so students'
submissions and the gradebook never end up in it. The configuration swaps
nbgrader's ``ClearSolutions`` for :func:`clear_solutions_class`, which writes
the same stubs as the course's own student notebooks (``name = ...`` for an
exercise at module level, so a released notebook still runs top to bottom).
During ``nbgrader autograde`` and ``validate`` the check cells raise on a
missing or wrong answer (:mod:`course_utils.checks`), so each scores zero.
A leaf module for instructors, not taught in a lesson; nbgrader is imported only
inside its functions (it comes with the ``dev`` extra).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import config
from .exceptions import DataNotFoundError, ParameterError

CONFIG_TEMPLATE = '''\
"""nbgrader configuration of the genre-classification course.

Written by `python -m course_utils notebooks nbgrader`. Run nbgrader in this folder:
    nbgrader generate_assignment 03_cnn
    nbgrader autograde 03_cnn
"""
from course_utils import grading

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "genre-course"
# The course's stubs: `name = ...` for module-level exercises, so Run All still works.
c.GenerateAssignment.preprocessors = grading.generate_assignment_preprocessors()
# Training cells of the later lessons take minutes on a CPU (set COURSE_FAST=1 to shorten).
c.ExecutePreprocessor.timeout = 1800
'''


def clear_solutions_class():
    """nbgrader's ``ClearSolutions`` with the course's stubs (one rule for both paths).

    Each solution region becomes what ``notebooks build`` writes for learners:
    ``raise NotImplementedError("Exercise 3.2: ...")`` in a function body,
    ``name = ...  # YOUR CODE HERE`` at module level, ``*Your answer here.*`` in
    markdown.
    """
    from nbgrader.preprocessors import ClearSolutions

    from . import notebooks

    class CourseClearSolutions(ClearSolutions):
        def preprocess(self, nb, resources):
            self._cells = nb.cells
            return super().preprocess(nb, resources)

        def preprocess_cell(self, cell, resources, cell_index):
            self._index = cell_index
            return super().preprocess_cell(cell, resources, cell_index)

        def _replace_solution_region(self, cell, language):
            if not any(line.strip() == notebooks.BEGIN for line in cell.source.splitlines()):
                return False
            cell.source = notebooks._strip_solutions(self._cells, self._index,
                                                     f"cell {self._index}")
            return True

    return CourseClearSolutions


def generate_assignment_preprocessors() -> list:
    """nbgrader's ``GenerateAssignment`` preprocessors, with :func:`clear_solutions_class`."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    ours = clear_solutions_class()
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    return [ours if p is ClearSolutions else p for p in default]


def write_course(dest: str | os.PathLike, lessons: list[str] | None = None, *,
                 solutions_dir: str | os.PathLike | None = None) -> Path:
    """Write an nbgrader course folder: its config and one assignment per lesson.

    Parameters
    ----------
    dest : path
        The course folder (created). Existing ``release/``, ``submitted/`` and
        the gradebook are never touched; the lessons under ``source/`` and
        ``nbgrader_config.py`` are replaced with the current ones.
    lessons : list of str, optional
        Lesson names (``"03_cnn"``) or numbers (``"03"``); default all.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    ParameterError
        If a lesson is unknown.
    """
    solutions = Path(solutions_dir or config.REPO_DIR / "solutions")
    available = sorted(p.stem for p in solutions.glob("[0-9][0-9]_*.ipynb"))
    if not available:
        raise DataNotFoundError(f"No lessons found in {solutions}: run this from a clone of "
                                "the course, or pass the solutions folder.")
    chosen = []
    for lesson in lessons or available:
        match = [a for a in available if a == lesson or a.split("_")[0] == lesson]
        if not match:
            raise ParameterError(f"Unknown lesson {lesson!r}; choose from {', '.join(available)} "
                                 "(or their numbers, e.g. 03).")
        chosen += match
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "nbgrader_config.py").write_text(CONFIG_TEMPLATE)
    for lesson in chosen:
        target = dest / "source" / lesson / f"{lesson}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(solutions / f"{lesson}.ipynb", target)
    return dest
