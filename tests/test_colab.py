"""The lessons' Colab set-up cell, run under a simulated Colab.

A stand-in ``google.colab`` module, a fresh virtual environment that sees the
pre-installed stack (as Colab has TensorFlow, numpy, librosa ...) but not this
package, and ``COURSE_PIP_SOURCE`` pointing at a freshly built wheel instead of
the repository URL. The cell must install the course without touching the
stack, prepare the data and leave the notebook ready to run.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from course_utils import colab, config
from fakes import stack_venv

pytestmark = pytest.mark.slow

SCRIPT = r"""
import json, sys
import google.colab                               # the stand-in: we are "in Colab"
import numpy, tensorflow
before = {"numpy": numpy.__version__, "tensorflow": tensorflow.__version__}
from IPython.testing.globalipapp import start_ipython
ip = start_ipython()
result = ip.run_cell(open(sys.argv[1]).read())
result.raise_error()
import course_utils
from course_utils import config, data
tracks = data.load_dataset(progress=False)
import importlib.metadata as md
print(json.dumps({"before": before, "after": {"numpy": md.version("numpy"),
                  "tensorflow": md.version("tensorflow")},
                  "module": course_utils.__file__, "data_dir": str(config.data_dir()),
                  "tracks": len(tracks), "genres": tracks.attrs["genres"],
                  "splits": (config.SPLITS_DIR / "test_filtered.txt").exists()}))
"""


def test_lessons_start_with_the_canonical_colab_cell():
    lessons = sorted((config.REPO_DIR / "solutions").glob("*.ipynb"))
    if not lessons:
        pytest.skip("no lessons in solutions/ yet")
    for nb in lessons:
        cells = json.loads(nb.read_text())["cells"]
        first = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
        assert first == colab.COLAB_CELL, f"{nb.name}: the Colab cell differs from colab.COLAB_CELL"
        badge = f"colab.research.google.com/github/{config.REPO_URL.split('github.com/')[1]}" \
                f"/blob/{config.REPO_BRANCH}/solutions/{nb.name}"
        assert badge in "".join(cells[0]["source"]), f"{nb.name}: badge must point at its own path"


def test_missing_requirements_lists_only_absent_packages(monkeypatch):
    real = colab.runtime.version_of
    monkeypatch.setattr(colab.runtime, "version_of",
                        lambda dist: None if dist == "seaborn" else real(dist))
    assert colab.missing_requirements() == ["seaborn>=0.13,<0.14"]


def _simulated_colab(tmp_path: Path) -> tuple[Path, Path, Path, dict]:
    """A venv that sees the stack but not the course, a stand-in ``google.colab``, the first
    cell in a file and an environment without the course's settings: ``(python, site, cell,
    env)``."""
    python, site = stack_venv(tmp_path / "colabenv")
    fake = tmp_path / "fake" / "google" / "colab"   # a namespace package beside protobuf's
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('"""Stand-in for Google Colab."""\n')
    cell = tmp_path / "cell.py"
    cell.write_text(colab.COLAB_CELL)   # what every lesson starts with (test above)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COURSE_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PYTHONPATH=str(tmp_path / "fake"), PIP_NO_INDEX="1")
    return python, site, cell, env


def test_setup_cell_under_simulated_colab(tmp_path, built_wheel):
    python, site, cell, env = _simulated_colab(tmp_path)
    env.update(COURSE_PIP_SOURCE=str(built_wheel), COURSE_COLAB_HOME=str(tmp_path / "content"),
               COURSE_FAST="1", TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([python, "-c", SCRIPT, str(cell)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["module"].startswith(str(site)), "the course was not installed from the wheel"
    assert report["before"] == report["after"], "Colab's own packages must not change"
    assert report["data_dir"] == str(tmp_path / "content" / "data")
    assert report["tracks"] >= 20 * 10 and len(report["genres"]) == 10 and report["splits"]
    assert (tmp_path / "content" / "data" / "synthetic-fast" / "genres_original").is_dir()


def test_setup_keeps_the_course_on_google_drive_when_asked(tmp_path, monkeypatch):
    import sys
    import types
    mounted = []
    google, google_colab = types.ModuleType("google"), types.ModuleType("google.colab")
    drive = types.ModuleType("google.colab.drive")
    drive.mount = lambda path: (mounted.append(path), (Path(path) / "MyDrive").mkdir(parents=True))
    google_colab.drive = drive
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", google_colab)
    monkeypatch.setitem(sys.modules, "google.colab.drive", drive)
    monkeypatch.setattr(colab, "DRIVE_MOUNT", tmp_path / "drive")
    monkeypatch.setattr(colab, "missing_requirements", lambda: [])
    for name in ("COURSE_DATA_DIR", "COURSE_RUNS_DIR"):   # recorded, so restored after
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    data_dir = colab.setup(drive=True, prepare_data=False)
    home = tmp_path / "drive" / "MyDrive" / "genre-course"
    assert mounted == [str(tmp_path / "drive")]
    assert data_dir == home / "data" and os.environ["COURSE_RUNS_DIR"] == str(home / "runs")


def test_drive_outside_colab_is_refused(monkeypatch):
    from course_utils.exceptions import ParameterError
    monkeypatch.delitem(__import__("sys").modules, "google.colab", raising=False)
    monkeypatch.setattr(colab, "missing_requirements", lambda: [])
    with pytest.raises(ParameterError, match="only Colab can mount"):
        colab.setup(drive=True, prepare_data=False)


def test_the_first_cell_says_what_to_do_when_the_course_cannot_be_installed(tmp_path):
    python, _, cell, env = _simulated_colab(tmp_path)
    run = ("import sys, google.colab\nfrom IPython.testing.globalipapp import start_ipython\n"
           "start_ipython().run_cell(open(sys.argv[1]).read()).raise_error()\n")
    env.update(COURSE_PIP_SOURCE=str(tmp_path / "no-such-course.whl"))   # a missing source
    out = subprocess.run([python, "-c", run, str(cell)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode != 0
    assert "could not be installed from" in out.stderr and "set REPO_URL" in out.stderr
