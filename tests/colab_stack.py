"""The lessons on Colab's own stack, installed the way Colab installs the course (CI).

    python tests/colab_stack.py                 # install (once), check the first cell, run lessons
    python tests/colab_stack.py --install-only  # only the venv (CI, while `make test` runs)
    python tests/colab_stack.py --lessons 01_audio_basics

Colab runs Python 3.13 with its own, older stack (``constraints/colab.txt``, written from
Colab's published ``pip freeze`` by ``tools/colab_constraints.py``). This builds
``.venv-compat/colab`` on Python 3.13 with exactly those versions (what a fresh Colab has
preinstalled, course or not), builds the course's wheel and then does what a learner's first
cell does: with a stand-in ``google.colab`` imported when the kernel starts, ``%pip install
--no-deps`` the wheel (``COURSE_PIP_SOURCE``) and ``colab.setup()``, which installs what Colab
lacks (skops, pretty_midi) and the FAST synthetic set. The first cell's output must hold no
"ERROR" (pip's resolver conflicts print it). Then the lessons run under nbval in FAST mode,
first cell included: 01 (audio, widgets, the synthetic set), 07 (trains a CNN, the upload
widget, predictions) and 08 (musicnn under Colab's TensorFlow, a probe); the others add time
and no package that these three do not already exercise (BENCHMARKS.md, "CI budget").

Run it with the course's own environment (``.venv/bin/python``: it builds the wheel with its
setuptools and reads the first cell from ``course_utils.colab``); it needs Python 3.13 (pyenv or
the PATH) and the package index. Exit code 0 when all passed.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compat import NBVAL, REPO, find_python, run  # noqa: E402

PYTHON = "3.13"
PINS = REPO / "constraints" / "colab.txt"
HOME = REPO / ".venv-compat" / "colab"
VENV = HOME / "venv"
LESSONS = ("01_audio_basics", "07_your_own_music", "08_transfer_learning")
# Colab's own: what a fresh runtime has, whether or not the course is installed. Not there:
# skops, pretty_midi (colab.setup installs them), nbval (the harness, not the learner's).
COLAB_HAS_NOT = {"skops", "pretty-midi", "pretty_midi", "mido", "nbval", "jupyterlab"}
FIRST_CELL = r"""
import io, sys, contextlib
import google.colab                                   # the stand-in: we are "in Colab"
from IPython.testing.globalipapp import start_ipython
from course_utils_cell import CELL                    # colab.COLAB_CELL, written beside
ip = start_ipython()
result = ip.run_cell(CELL)
result.raise_error()
import course_utils
print("course_utils from", course_utils.__file__)
"""


def ensure_venv() -> Path:
    """``.venv-compat/colab/venv`` on Python 3.13 with Colab's versions (re-made when
    constraints/colab.txt changes); returns its python."""
    python = find_python(PYTHON)
    if python is None:
        raise SystemExit(f"SKIP the Colab stack: no python{PYTHON} on the PATH or under pyenv "
                         f"(`pyenv install {PYTHON}`).")
    vpy, stamp = VENV / "bin" / "python", VENV / ".installed"
    digest = hashlib.sha256(PINS.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and vpy.exists():
        return vpy
    shutil.rmtree(VENV, ignore_errors=True)
    run([python, "-m", "venv", str(VENV)], check=True)
    colab = [line for line in PINS.read_text().splitlines()
             if line and not line.startswith("#")
             and line.split("==")[0].lower() not in COLAB_HAS_NOT]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write("\n".join(colab) + "\n")
    pip = [str(vpy), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # Colab's packages at Colab's versions, and the harness (nbval) under the same pins
    run([*pip, "-r", req.name, "nbval>=0.11,<0.12", "-c", str(PINS)], check=True)
    os.unlink(req.name)
    stamp.write_text(digest)
    return vpy


def build_wheel(out: Path) -> Path:
    """The course's wheel, built from a copy of the checkout (as Colab installs it)."""
    source = Path(tempfile.mkdtemp()) / "course"
    # a copy: the build writes build/ and *.egg-info into its source folder, and parallel test
    # workers would otherwise build in the same one at once
    everywhere = shutil.ignore_patterns(".git", ".venv*", "*.egg-info", "__pycache__")
    top = {"data", "runs", "work", "bench", "build", ".real-music", ".browser-screenshots"}
    shutil.copytree(REPO, source, ignore=lambda folder, names: everywhere(folder, names) | (
        top & set(names) if Path(folder) == REPO else set()))   # course_utils/data stays
    out.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(source)], check=True)
    shutil.rmtree(source.parent, ignore_errors=True)
    return next(out.glob("course_utils-*.whl"))


def colab_env(wheel: Path, work: Path) -> dict:
    """A kernel that imports the stand-in google.colab at start, as Colab's does."""
    fake = work / "fake" / "google" / "colab"          # a namespace package beside protobuf's
    fake.mkdir(parents=True, exist_ok=True)
    (fake / "__init__.py").write_text('"""Stand-in for Google Colab."""\n')
    startup = work / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-colab.py").write_text("import google.colab\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COURSE_", "PYTHON", "VIRTUAL_ENV", "IPYTHONDIR"))}
    env.update(PYTHONPATH=str(work / "fake"), IPYTHONDIR=str(work / "ipython"),
               COURSE_PIP_SOURCE=str(wheel), COURSE_COLAB_HOME=str(work / "content"),
               COURSE_FAST="1", TF_CPP_MIN_LOG_LEVEL="2", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def first_cell(vpy: Path, env: dict, work: Path) -> int:
    """Run the lessons' first cell once in a fresh venv state; fail on any "ERROR"."""
    from course_utils import colab                     # the cell's text, from the checkout
    (work / "course_utils_cell.py").write_text(f"CELL = {colab.COLAB_CELL!r}\n")
    out = subprocess.run([str(vpy), "-c", FIRST_CELL], cwd=work, capture_output=True,
                         text=True, env={**env, "PYTHONPATH": f"{env['PYTHONPATH']}:{work}"},
                         timeout=900)
    print("--- the first cell's output ---\n" + out.stdout + out.stderr + "---", flush=True)
    if out.returncode != 0:
        print("FAILED: the first cell raised", flush=True)
        return 1
    if "ERROR" in out.stdout + out.stderr:
        print('FAILED: the first cell printed "ERROR"', flush=True)
        return 1
    if str(VENV) not in out.stdout:
        print("FAILED: the course was not installed into the Colab venv", flush=True)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--install-only", action="store_true")
    ap.add_argument("--lessons", nargs="+", default=list(LESSONS))
    args = ap.parse_args(argv)
    start = time.monotonic()
    vpy = ensure_venv()
    print(f"Colab venv ready in {time.monotonic() - start:.0f} s", flush=True)
    if args.install_only:
        return 0
    run([str(vpy), "-m", "pip", "uninstall", "--quiet", "--yes", "course_utils", "skops",
         "pretty_midi", "mido"])                         # a fresh runtime has none of them
    work = HOME / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = colab_env(build_wheel(work / "wheel"), work)
    code = first_cell(vpy, env, work)
    if code == 0:
        code = run([str(vpy), "-m", "pytest", "-q", "-p", "no:cacheprovider", *NBVAL,
                    *(f"solutions/{n}.ipynb" for n in args.lessons)], env)
    print(f"Colab stack: {'passed' if code == 0 else 'FAILED'} in "
          f"{time.monotonic() - start:.0f} s", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
