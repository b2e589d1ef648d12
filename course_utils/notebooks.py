"""Lesson notebooks: student copies generated from one source, the solutions.

``solutions/NN_topic.ipynb`` is the source of truth, committed with the outputs
of a FAST run. ``notebooks/NN_topic.ipynb`` is generated from it by
``python -m course_utils notebooks build`` and never edited by hand; CI runs
``notebooks build --check`` so the two cannot drift. A plumbing module, used by
the course's maintainers and CI rather than taught in a lesson.

How a lesson author marks an exercise (nbgrader's markers, exact spelling,
each on a line of its own):

1. Name the exercise, either with a comment line in the code cell above the
   markers (usually its first line)::

       # Exercise 3.2: mel spectrogram in decibels

   or in the nearest markdown cell above, on a line such as
   ``### Exercise 3.2: mel spectrogram in decibels``. The cell's own comment wins.

2. Put ``### BEGIN SOLUTION`` / ``### END SOLUTION`` around the body only; the
   signature and docstring stay visible. In the student copy the marked lines,
   markers included, become a stub indented like the first solution line:

   - inside a block (the solution is indented)::

         raise NotImplementedError("Exercise 3.2: mel spectrogram in decibels")

   - at module level (the solution is not indented): one line for each name
     the region assigns, in order, e.g. ``answer = 42`` becomes::

         answer = ...  # YOUR CODE HERE

     A module-level region that assigns no name is an error: nothing would be
     left for the check cell to read.

3. Written answers: the same two marker lines in a markdown cell; the lines
   between them become ``*Your answer here.*``.

Code cells that call a ``check_exercise_...(...)`` function are check cells;
they are locked (``editable: false``, ``deletable: false``). The student copy
has its outputs cleared, its metadata trimmed, the solution's cell ids, and a
``> **Note:**`` line at the end of the first markdown cell that says where it
comes from. Unbalanced, nested or misspelled markers raise
:class:`~course_utils.exceptions.ParameterError`.

nbformat and nbclient are imported inside the functions that need them, so
``python -m course_utils`` starts quickly.
"""
from __future__ import annotations

import ast
import hashlib
import logging
import os
import re
import shutil
import textwrap
from pathlib import Path

from . import config
from .exceptions import CourseError, DataNotFoundError, ParameterError

logger = logging.getLogger("course_utils")

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ANSWER_STUB = "*Your answer here.*"
VALUE_STUB = "{name} = ...  # YOUR CODE HERE"
BUILD_COMMAND = "python -m course_utils notebooks build"
PROFILES = ("fast", "default")   # COURSE_FAST=1 (CI), or the settings `make lab` gives a learner
NOTE = ("> **Note:** Generated from `{source}` by `" + BUILD_COMMAND + "`: do not edit this "
        "file; edit the solution and rebuild. Work in a copy "
        "(`python -m course_utils notebooks copy`) so `git pull` keeps your answers.")
CELL_METADATA_KEPT = ("editable", "deletable", "tags", "nbgrader")
CHECK_POINTS = 1                      # nbgrader points of each check cell
DEFAULT_KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)"}

_MARKER_LIKE = re.compile(r"^\s*#+\s*(BEGIN|END)\s*SOLUTION\b", re.IGNORECASE)
_LABEL_COMMENT = re.compile(r"^\s*#\s*(Exercise\s+\d+(?:\.\d+)*)\s*:\s*(.+?)\s*$")
_LABEL_MARKDOWN = re.compile(r"^[\s#>*_]*(Exercise\s+\d+(?:\.\d+)*)\s*:\s*(.+?)[\s*_]*$")
_CHECK_CALL = re.compile(r"(?<!def )\bcheck_exercise_\w+\s*\(")   # a call, not its def
_CHECK_NAME = re.compile(r"(?<!def )\b(check_exercise_\w+)\s*\(")


# -- reading, normalising, writing ----------------------------------------------------------

def _read(path: Path):
    """Read a notebook as nbformat 4 without nbformat inventing random cell ids."""
    import nbformat
    from nbformat.reader import reads   # parses and joins lines; unlike nbformat.read, no repair
    try:
        nb = reads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, nbformat.reader.NotJSONError) as err:
        raise ParameterError(f"{path}: not a readable notebook ({err}). "
                             "Open it in Jupyter to repair it, or restore it with git.") from err
    if nb.get("nbformat") != 4:
        nb = nbformat.convert(nb, 4)
    return nb


def _dumps(nb) -> str:
    """The notebook as JSON text, byte-stable: nbformat's writer, indent 1, final newline."""
    import nbformat
    return nbformat.writes(nb, version=4).rstrip("\n") + "\n"


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


def is_check_cell(cell) -> bool:
    """Return True for a code cell that calls a ``check_exercise_...`` function."""
    return cell.cell_type == "code" and bool(_CHECK_CALL.search(cell.source))


def normalise(nb, *, name: str = "notebook"):
    """Trim metadata, lock check cells and make cell ids present, unique and stable.

    Keeps the kernelspec's and language's names, ``course.profile`` (the profile
    whose outputs it holds), and ``editable``, ``deletable`` and ``tags`` in each
    cell; drops progress bars' widgets (frozen at 0 % once stored). A missing or repeated cell id is replaced by one
    derived from ``name`` and the cell's position, never a random one.
    Returns ``nb``, changed in place.
    """
    meta = nb.metadata
    kernelspec = {k: v for k, v in meta.get("kernelspec", {}).items()
                  if k in ("name", "display_name")}
    nb.metadata = {"kernelspec": kernelspec if "name" in kernelspec else dict(DEFAULT_KERNELSPEC),
                   "language_info": {"name": meta.get("language_info", {}).get("name", "python")}}
    if meta.get("course", {}).get("profile") in PROFILES:   # which profile made the outputs
        nb.metadata["course"] = {"profile": meta["course"]["profile"]}
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen = set()
    for index, cell in enumerate(nb.cells):
        if not cell.get("id") or cell["id"] in seen:
            cell["id"] = hashlib.sha1(f"{name}:{index}".encode()).hexdigest()[:8]
        seen.add(cell["id"])
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in CELL_METADATA_KEPT}
        cell.metadata.pop("nbgrader", None)
        if is_check_cell(cell):
            cell.metadata.update(editable=False, deletable=False)
        grading = _nbgrader_metadata(nb.cells, index)
        if grading:
            cell.metadata["nbgrader"] = grading
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = _local_paths(_without_backend_logs(output["text"]))
        if "outputs" in cell:
            cell.outputs = _coalesced([o for o in cell.outputs if not _progress_bar(o) and
                                       (o.get("output_type") != "stream" or o["text"])])
    return nb


_TQDM_BAR = re.compile(r"\d+%\|")


def _progress_bar(output) -> bool:
    """A tqdm progress bar's widget: live while its cell runs, but a stored notebook keeps
    no widget state, so it would show the bar frozen at its first frame ("0%| 0/500")."""
    data = output.get("data", {})
    text = "".join(data.get("text/plain", ""))
    return "application/vnd.jupyter.widget-view+json" in data and bool(_TQDM_BAR.search(text))


def _coalesced(outputs: list) -> list:
    """Consecutive stream outputs of one stream (stdout, stderr) merged into one, as Jupyter
    shows them: a training loop's lines are one output, not one per ``print``."""
    merged = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (last is not None and output.get("output_type") == "stream"
                and last.get("output_type") == "stream" and last["name"] == output["name"]):
            last["text"] += output["text"]
        else:
            merged.append(output)
    return merged


_BACKEND_LOG = re.compile(
    r"^(?:[IWEF]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*"                      # absl/TF C++ logging
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called .*"
    r"|WARNING:tensorflow:.* triggered tf\.function retracing\. .*"
    r"|To enable the following instructions: .*TensorFlow with the appropriate compiler flags\.)"
    r"\n?", re.MULTILINE)


def _without_backend_logs(text) -> str:
    r"""Drop TensorFlow's start-up chatter (oneDNN, CUDA probing) from a stream output.

    It goes to stderr from C++ before Python can silence it, differs on every
    machine, and says nothing about the lesson.

    Examples
    --------
    >>> _without_backend_logs("E0000 00:00:1795.1   5594 cuda_platform.cc:52] failed call\nok\n")
    'ok\n'
    """
    text = "".join(text) if isinstance(text, list) else text
    return _BACKEND_LOG.sub("", text)


def _local_paths(text) -> str:
    """Replace this machine's paths in an output: the repository and temporary folders.

    Warnings and error messages name files by absolute path; committed outputs
    should not carry the path of whoever executed them.
    """
    import tempfile
    text = "".join(text) if isinstance(text, list) else text
    repo = str(Path(__file__).resolve().parents[1]) + os.sep
    text = text.replace(repo, "")
    return re.sub(re.escape(tempfile.gettempdir()) + r"/[^/\s]+", "<tmp>", text)


def _nbgrader_metadata(cells, index: int) -> dict | None:
    """nbgrader's cell metadata: solution cells, and check cells as locked grade cells.

    A code cell with a solution region is an autograded answer (no points of its
    own); the check cell after it is the graded test, worth :data:`CHECK_POINTS`;
    a markdown answer is graded by hand. Grade ids are derived from the exercise
    label or the check's name, so they are stable across builds.
    """
    cell = cells[index]
    base = {"schema_version": 3, "task": False, "locked": False}
    if cell.cell_type == "code" and is_check_cell(cell):
        grade_id = "_".join(_CHECK_NAME.findall(cell.source))
        return {**base, "grade": True, "solution": False, "locked": True,
                "points": CHECK_POINTS, "grade_id": grade_id}
    if not any(line.strip() == BEGIN for line in cell.source.splitlines()):
        return None
    label = _label(cells, index, cell.source.splitlines())
    number = re.search(r"\d+(?:\.\d+)*", label or "")
    grade_id = (f"exercise_{number[0].replace('.', '_')}" if number
                else f"answer_{cell.get('id', index)}")
    if cell.cell_type == "markdown":
        return {**base, "grade": True, "solution": True, "points": CHECK_POINTS,
                "grade_id": f"{grade_id}_written"}
    return {**base, "grade": False, "solution": True, "grade_id": grade_id}


def lock_check_cells(path: str | os.PathLike) -> bool:
    """Normalise a notebook file in place and lock its check cells.

    Parameters
    ----------
    path : str or Path
        A notebook, usually ``solutions/NN_topic.ipynb``.

    Returns
    -------
    changed : bool
        True when the file was rewritten.

    See Also
    --------
    normalise : what is changed.
    """
    path = Path(path)
    return _write_if_changed(path, _dumps(normalise(_read(path), name=path.name)))


# -- turning a solution into a student notebook ---------------------------------------------

def _label(cells, index: int, before: list[str]) -> str | None:
    """``"Exercise 3.2: title"`` from the cell's lines above the marker, else markdown above."""
    for line in reversed(before):
        if m := _LABEL_COMMENT.match(line):
            return f"{m[1]}: {m[2]}"
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown":
            for line in reversed(cell.source.splitlines()):
                if m := _LABEL_MARKDOWN.match(line):
                    return f"{m[1]}: {m[2]}"
    return None


def _assigned_names(region: list[str], where: str) -> list[str]:
    try:
        tree = ast.parse(textwrap.dedent("\n".join(region)))
    except SyntaxError as err:
        raise ParameterError(f"{where}: the solution is not valid Python ({err.msg}, line "
                             f"{err.lineno} of the region). Fix the code between the markers."
                             ) from err
    names: list[str] = []

    def collect(target) -> None:   # `a = `, `a, *b = `; not `d["k"] = ` or `obj.x = `
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                collect(element)
        elif isinstance(target, ast.Starred):
            collect(target.value)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                collect(target)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            collect(node.target)
    return names


def _stub(region: list[str], marker_indent: str, label: str | None, where: str) -> list[str]:
    first = next((line for line in region if line.strip()), marker_indent)
    indent = first[: len(first) - len(first.lstrip())]
    if not indent:
        names = _assigned_names(region, where)
        if not names:
            raise ParameterError(
                f"{where}: a solution at module level must assign the names the check cell "
                f"reads (e.g. `answer = 42`), got no assignment. Put the markers around a "
                f"function body or an assignment.")
        return [VALUE_STUB.format(name=name) for name in names]
    if label is None:
        raise ParameterError(
            f"{where}: cannot tell which exercise this is. Start the cell with a comment "
            f"`# Exercise 3.2: short title`, or put `### Exercise 3.2: short title` in the "
            f"markdown cell above.")
    message = label.replace("\\", "\\\\").replace('"', '\\"')
    return [f'{indent}raise NotImplementedError("{message}")']


def _strip_solutions(cells, index: int, where: str) -> str:
    """The cell's source with each marked region replaced by its stub."""
    cell = cells[index]
    out: list[str] = []
    start = None
    lines = cell.source.split("\n")
    for number, line in enumerate(lines, 1):
        here = f"{where}, line {number}"
        if line.strip() == BEGIN:
            if start is not None:
                raise ParameterError(f"{here}: `{BEGIN}` inside another solution (opened at "
                                     f"line {start + 1}). Close the first with `{END}`.")
            start = number - 1
        elif line.strip() == END:
            if start is None:
                raise ParameterError(f"{here}: `{END}` without a `{BEGIN}` above it in the "
                                     f"same cell. Add the missing `{BEGIN}` or remove this line.")
            region = lines[start + 1: number - 1]
            if cell.cell_type == "markdown":
                out.append(ANSWER_STUB)
            else:
                marker_indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
                out += _stub(region, marker_indent, _label(cells, index, lines[:start]), here)
            start = None
        elif _MARKER_LIKE.match(line):
            raise ParameterError(f"{here}: {line.strip()!r} looks like a solution marker but "
                                 f"is not spelled `{BEGIN}` or `{END}`; the solution would leak. "
                                 "Fix the spelling.")
        elif start is None:
            out.append(line)
    if start is not None:
        raise ParameterError(f"{where}, line {start + 1}: `{BEGIN}` is never closed. Add "
                             f"`{END}` after the solution, in the same cell.")
    return "\n".join(out)


def make_student(solution, *, name: str = "NN_topic.ipynb", source: str | None = None,
                 repo_url: str | None = None):
    """Return the student version of a solution notebook (a new notebook node).

    Its *Open in Colab* badge opens the student notebook (``notebooks/<name>``),
    never the solution; ``repo_url`` (a GitHub repository, e.g. an instructor's fork)
    replaces ``config.REPO_URL`` in the badge and in the Colab cell.

    Parameters
    ----------
    solution : nbformat.NotebookNode
        The solution notebook; it is not changed.
    name : str
        Its file name, used in error messages and for missing cell ids.
    source : str, optional
        The path named in the "Generated from" note (default ``solutions/<name>``).

    Returns
    -------
    student : nbformat.NotebookNode

    Raises
    ------
    ParameterError
        Unbalanced, nested or misspelled markers, or an exercise without a number.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> code = ("# Exercise 1.1: double\\ndef double(x):\\n    ### BEGIN SOLUTION\\n"
    ...         "    return 2 * x\\n    ### END SOLUTION")
    >>> student = make_student(new_notebook(cells=[new_code_cell(code, id="a")]))
    >>> print(student.cells[1].source)
    # Exercise 1.1: double
    def double(x):
        raise NotImplementedError("Exercise 1.1: double")
    """
    import copy as _copy

    nb = normalise(_copy.deepcopy(solution), name=name)
    nb.metadata.pop("course", None)           # a student copy has no outputs of any profile
    for index, cell in enumerate(nb.cells):
        cell.source = _strip_solutions(nb.cells, index, f"{name}, cell {index}")
        cell.metadata.pop("nbgrader", None)     # for instructors' nbgrader, not for learners
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    for cell in nb.cells:
        cell.source = _retarget(cell.source, repo_url)
    note = NOTE.format(source=source or f"solutions/{name}")
    if nb.cells and nb.cells[0].cell_type == "markdown":
        nb.cells[0].source = nb.cells[0].source.rstrip("\n") + "\n\n" + note
    else:
        import nbformat
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(note, id="generated-note"))
    return nb


def _retarget(source: str, repo_url: str | None) -> str:
    """Point Colab badges at ``notebooks/`` instead of ``solutions/``, and at ``repo_url``."""
    github = config.REPO_URL.split("github.com/", 1)[1]
    badge = f"colab.research.google.com/github/{github}/blob/{config.REPO_BRANCH}/solutions/"
    source = source.replace(badge, badge[:-len("solutions/")] + "notebooks/")
    if repo_url:
        fork = repo_url.rstrip("/").removesuffix(".git")
        if "github.com/" not in fork:
            raise ParameterError(f"--repo-url {repo_url}: give a GitHub repository, like "
                                 "https://github.com/you/genre-course (Colab opens notebooks "
                                 "from GitHub).")
        source = source.replace(f"colab.research.google.com/github/{github}/",
                                f"colab.research.google.com/github/{fork.split('github.com/', 1)[1]}/")
        source = source.replace(config.REPO_URL, fork)
    return source


def _solution_lines(nb) -> tuple[set[str], set[str]]:
    """Stripped lines inside solution regions, and those outside them."""
    inside, outside = set(), set()
    for cell in nb.cells:
        in_region = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text in (BEGIN, END):
                in_region = text == BEGIN
            else:
                (inside if in_region else outside).add(text)
    return inside, outside


def find_leaks(student_nb, solution_nb, *, min_length: int = 9) -> list[str]:
    """Return the solution lines that appear in a student notebook.

    Parameters
    ----------
    student_nb, solution_nb : str, Path or nbformat.NotebookNode
    min_length : int > 0
        Shorter stripped lines (``return S``, ``else:``) are too common to count.

    Returns
    -------
    leaks : list of str
        Stripped lines from inside the solution's marked regions, at least
        ``min_length`` long, that are not also written outside the regions and
        that occur in the student notebook's sources. Empty when nothing leaked.
    """
    student = student_nb if hasattr(student_nb, "cells") else _read(Path(student_nb))
    solution = solution_nb if hasattr(solution_nb, "cells") else _read(Path(solution_nb))
    inside, outside = _solution_lines(solution)
    secret = {line for line in inside - outside if len(line) >= min_length}
    found = [line.strip() for cell in student.cells for line in cell.source.splitlines()]
    return sorted(secret.intersection(found))


# -- build, check, execute, copy -----------------------------------------------------------

def _generate(solutions_dir: Path, repo_url: str | None = None) -> dict[str, str]:
    """File name -> student notebook text, for every solution notebook."""
    if not solutions_dir.is_dir():
        raise DataNotFoundError(f"solutions folder not found: {solutions_dir.resolve()}. "
                                "Run from the repository root or pass the folder.")
    out = {}
    for path in sorted(solutions_dir.glob("*.ipynb")):
        student = make_student(_read(path), name=path.name,
                               source=f"{solutions_dir.name}/{path.name}", repo_url=repo_url)
        out[path.name] = _dumps(student)
    return out


def check(solutions_dir: str | os.PathLike = "solutions",
          out_dir: str | os.PathLike = "notebooks", *,
          repo_url: str | None = None) -> dict[Path, str]:
    """Compare the student notebooks on disk with what the solutions generate.

    Returns
    -------
    drift : dict of Path -> str
        Each student notebook that is missing, extra or different, with the
        reason. Empty when everything is in sync. Nothing is written.
    """
    solutions_dir, out_dir = Path(solutions_dir), Path(out_dir)
    wanted = _generate(solutions_dir, repo_url)
    drift: dict[Path, str] = {}
    for name, text in wanted.items():
        target = out_dir / name
        if not target.is_file():
            drift[target] = f"missing (generated from {solutions_dir / name})"
        elif target.read_text(encoding="utf-8") != text:
            drift[target] = (f"differs from what {solutions_dir / name} generates "
                             "(edited by hand, or the solution changed without a rebuild)")
    for target in sorted(out_dir.glob("*.ipynb")):
        if target.name not in wanted:
            drift[target] = f"extra: there is no {solutions_dir / target.name}"
    for source in sorted(solutions_dir.glob("*.ipynb")):
        text = source.read_text(encoding="utf-8")
        if text != _dumps(normalise(_read(source), name=source.name)):
            drift[source] = ("not normalised: its nbgrader metadata, locks or cell ids are "
                             "out of date")
    return drift


def build(solutions_dir: str | os.PathLike = "solutions",
          out_dir: str | os.PathLike = "notebooks", *, check: bool = False,
          repo_url: str | None = None) -> list[Path]:
    """Normalise the solution notebooks and generate the student notebooks from them.

    Parameters
    ----------
    solutions_dir : str or Path
        Folder of ``NN_topic.ipynb`` solutions (the source of truth).
    out_dir : str or Path
        Folder of the generated student notebooks.
    check : bool
        If True, write nothing and return the student notebooks that drifted.
    repo_url : str, optional
        A GitHub repository (an instructor's fork) for the student notebooks'
        Colab badges and Colab cell, instead of ``config.REPO_URL``.

    Returns
    -------
    paths : list of Path
        With ``check=False``, the notebooks that were written or removed
        (unchanged files are left alone), solutions included: each is
        normalised in place first (:func:`normalise`: nbgrader metadata,
        locked check cells, stable ids). With ``check=True``, the missing,
        extra or different ones; empty when in sync.

    Raises
    ------
    DataNotFoundError
        ``solutions_dir`` does not exist.
    ParameterError
        A solution with unbalanced, nested or misspelled markers.

    See Also
    --------
    check : the same comparison, with the reason for each file.
    """
    solutions_dir, out_dir = Path(solutions_dir), Path(out_dir)
    if check:
        return list(_check(solutions_dir, out_dir, repo_url=repo_url))
    changed = [p for p in sorted(solutions_dir.glob("*.ipynb")) if lock_check_cells(p)]
    changed += [out_dir / name for name, text in _generate(solutions_dir, repo_url).items()
               if _write_if_changed(out_dir / name, text)]
    for target in sorted(out_dir.glob("*.ipynb")):
        if not (solutions_dir / target.name).is_file():
            if "Generated from `" in target.read_text(encoding="utf-8"):
                target.unlink()
                changed.append(target)
            else:
                logger.warning("%s has no solution in %s and was not generated; left alone",
                               target, solutions_dir)
    return changed


_check = check   # `build` has a parameter named `check`


def execute(paths=None, *, profile: str = "fast", timeout: int = 600,
            solutions_dir: str | os.PathLike = "solutions",
            out_dir: str | os.PathLike = "notebooks") -> None:
    """Re-run solution notebooks in place, then rebuild the student notebooks.

    Each notebook runs top to bottom with nbclient, its working directory set to
    its own folder, then :func:`normalise` trims its metadata and locks its check
    cells before it is written back.

    Parameters
    ----------
    paths : list of str or Path, optional
        Solution notebooks to run (default: all of ``solutions_dir``).
    profile : {"fast", "default"}
        ``"fast"`` runs the kernel with ``COURSE_FAST=1`` (CI's profile);
        ``"default"`` with ``COURSE_FAST=0``, the settings a learner gets from
        ``make lab``. The notebook records it as ``metadata.course.profile``.
    timeout : int > 0
        Seconds allowed per cell.

    Raises
    ------
    CourseError
        A cell failed; the notebook is left as it was.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    if profile not in PROFILES:
        raise ParameterError(f"Unknown profile {profile!r}. Use one of: {', '.join(PROFILES)}.")
    paths = [Path(p) for p in paths] if paths else sorted(Path(solutions_dir).glob("*.ipynb"))
    env = {**os.environ, "COURSE_FAST": "1" if profile == "fast" else "0",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    for path in paths:
        if not path.is_file():
            raise DataNotFoundError(f"notebook not found: {path}. Give a path such as "
                                    f"{Path(solutions_dir) / '01_audio_basics.ipynb'}.")
        nb = _read(path)
        logger.info("executing %s (profile %s)", path, profile)
        kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
        client = NotebookClient(nb, timeout=timeout, record_timing=False, kernel_name=kernel,
                                resources={"metadata": {"path": str(path.parent.resolve())}})
        try:
            client.execute(env=env)   # the kernel's environment; cwd = the notebook's folder
        except CellExecutionError as err:
            raise CourseError(f"{path}: a cell failed, the file was not changed. Fix the solution "
                              "and run `python -m course_utils notebooks execute "
                              f"{path}` again.\n{err}") from err
        nb.metadata["course"] = {"profile": profile}
        _write_if_changed(path, _dumps(normalise(nb, name=path.name)))
    build(solutions_dir, out_dir)


def copy(dest: str | os.PathLike = "work", *, overwrite: bool = False,
         src: str | os.PathLike = "notebooks") -> Path:
    """Copy the student notebooks into a working folder that git ignores.

    Learners edit the copies, so ``git pull`` never conflicts with their answers.
    An existing copy that differs from the student notebook is kept (and named
    in a warning) unless ``overwrite=True``.

    Returns
    -------
    dest : Path
        The working folder.

    Raises
    ------
    DataNotFoundError
        ``src`` has no notebooks.
    """
    src, dest = Path(src), Path(dest)
    notebooks = sorted(src.glob("*.ipynb"))
    if not notebooks:
        raise DataNotFoundError(f"no notebooks in {src.resolve()}. Run `{BUILD_COMMAND}` "
                                "first, from the repository root.")
    dest.mkdir(parents=True, exist_ok=True)
    skipped = []
    for path in notebooks:
        target = dest / path.name
        if target.exists() and not overwrite:
            if target.read_bytes() != path.read_bytes():
                skipped.append(target)
            continue
        shutil.copyfile(path, target)
    if skipped:
        logger.warning("kept your edited %s; pass overwrite=True (--overwrite) to replace "
                       "them with fresh copies", ", ".join(map(str, skipped)))
    return dest
