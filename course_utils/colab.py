"""Set-up helpers for the lessons' first cells: Colab install, versions, GPU check.

A leaf module. In Colab the notebook first installs this package with
``pip install --no-deps`` (so Colab's own TensorFlow and numpy are never
downgraded), then calls :func:`setup`, which installs only the dependencies
that are missing, points the data folder at ``/content/genre-course`` and
prepares the synthetic dataset. Introduced in 01_audio_basics.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from . import config, runtime
from .exceptions import DatasetError, ParameterError

# import name -> pip requirement; kept in step with pyproject.toml by a test
REQUIREMENTS = {
    "tensorflow": "tensorflow>=2.16,<2.22", "keras": "keras>=3.3,<4",
    "librosa": "librosa>=0.10.2,<0.12", "soundfile": "soundfile>=0.12,<1",
    "numpy": "numpy>=1.26,<3", "pandas": "pandas>=2.0,<4", "sklearn": "scikit-learn>=1.3,<2",
    "joblib": "joblib>=1.3,<2", "skops": "skops>=0.10,<1", "scipy": "scipy>=1.10,<2", "matplotlib": "matplotlib>=3.7,<4",
    "seaborn": "seaborn>=0.13,<0.14", "ipywidgets": "ipywidgets>=7.7.1,<9",
    "ipykernel": "ipykernel>=6.17.1,<7",
    "tqdm": "tqdm>=4.66,<5",
    "packaging": "packaging>=23,<30", "pretty_midi": "pretty_midi>=0.2.10,<0.3",
}
COLAB_HOME = Path(os.environ.get("COURSE_COLAB_HOME", "/content/genre-course"))
DRIVE_MOUNT = Path("/content/drive")            # where Colab mounts Google Drive
DRIVE_FOLDER = Path("MyDrive") / "genre-course"   # the course's folder inside it

# The first code cell of every lesson (a test keeps the lessons in step with it).
# COURSE_PIP_SOURCE may name a wheel, a local checkout or a fork instead of REPO_URL.
COLAB_CELL = f"""\
# Colab only: install the course without touching Colab's own TensorFlow or numpy (extra code –)
import os, sys
IS_COLAB = "google.colab" in sys.modules
if IS_COLAB:
    DATASET = "synthetic"  # or "gtzan": real GTZAN (a 1.2 GB download, verified), for every lesson
    KEEP_ON_DRIVE = False  # True: keep data, caches and runs on Google Drive across disconnects
    REPO_URL = "{config.REPO_URL}"  # = course_utils.config.REPO_URL
    SOURCE = os.environ.get("COURSE_PIP_SOURCE", f"git+{{REPO_URL}}@{config.REPO_BRANCH}")
    %pip install --quiet --no-deps "{{SOURCE}}"
    import importlib.util
    if importlib.util.find_spec("course_utils") is None:
        raise RuntimeError(f"The course could not be installed from {{SOURCE}}: set REPO_URL "
                           "above to the GitHub repository that holds it (README, Colab).")
    from course_utils import colab
    colab.setup(drive=KEEP_ON_DRIVE, dataset=DATASET)  # installs what is missing, gets the data"""


def is_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def missing_requirements() -> list[str]:
    """The requirements whose distribution is not installed at all.

    Installed packages are kept whatever their version: Colab's own
    TensorFlow, Keras and numpy are tested by Google together, and replacing
    them breaks the runtime more often than an older minor version does.
    """
    return [requirement for requirement in REQUIREMENTS.values()
            if runtime.version_of(re.split(r"[<>=!~ ]", requirement, maxsplit=1)[0]) is None]


def setup(*, home: str | os.PathLike | None = None, prepare_data: bool = True,
          pip: list[str] | None = None, drive: bool = False, dataset: str | None = None,
          gtzan_url: str = config.GTZAN_URL, gtzan_sha256: str = config.GTZAN_SHA256) -> Path:
    """Make a fresh Colab (or any bare Python) ready for the lessons.

    Installs only what :func:`missing_requirements` lists, sets
    ``COURSE_DATA_DIR`` and ``COURSE_RUNS_DIR`` under ``home`` (default
    ``/content/genre-course``) unless already set, and prepares the dataset of
    ``config.default_dataset()`` (the synthetic set is generated in about a minute).

    ``dataset="gtzan"`` fetches real GTZAN (``download.fetch_gtzan``: 1.2 GB,
    checksum verified, resumed when interrupted; skipped when already there, e.g.
    on Drive), checks that the full set is usable (``data.full_gtzan``) and sets
    ``COURSE_DATASET=gtzan`` for this kernel, so the lessons read it.
    ``"synthetic"`` (or ``None``) keeps the default.

    With ``drive=True`` (Colab only) Google Drive is mounted (Colab asks for
    permission once) and ``home`` is ``MyDrive/genre-course`` on it, so the data,
    its caches and the trained runs survive a disconnect: the next session finds
    them instead of rebuilding them. See the README for the space this takes.

    Returns
    -------
    Path
        The data folder.
    """
    home = Path(home or (_mount_drive() if drive else COLAB_HOME))
    missing = missing_requirements()
    if missing:
        print("installing missing packages:", ", ".join(missing))
        subprocess.run([*(pip or [sys.executable, "-m", "pip"]), "install", "--quiet",
                        "--disable-pip-version-check", "--root-user-action=ignore", *missing],
                       check=True)
    os.environ.setdefault("COURSE_DATA_DIR", str(home / "data"))
    os.environ.setdefault("COURSE_RUNS_DIR", str(home / "runs"))
    if dataset not in (None, "synthetic", "gtzan"):
        raise ParameterError(f"DATASET must be \"synthetic\" or \"gtzan\", got {dataset!r}. For a "
                             "folder of your own, set os.environ['COURSE_DATASET'] to its path.")
    if dataset == "gtzan":
        _prepare_gtzan(gtzan_url, gtzan_sha256)
    if prepare_data:
        from . import data
        tracks = data.load_dataset(config.default_dataset(), progress=True)
        print(f"dataset {config.default_dataset()!r}: {len(tracks)} tracks in {tracks.attrs['root']}")
    return config.data_dir()


def _prepare_gtzan(url: str, sha256: str) -> None:
    """Fetch and verify GTZAN under the data folder; make it the lessons' dataset."""
    from . import data, download
    download.fetch_gtzan(url=url, sha256=sha256)
    tracks = data.full_gtzan(progress=True)
    if tracks is None:
        raise DatasetError(
            f"GTZAN at {config.data_dir() / 'gtzan'} has fewer than {data.GTZAN_FULL} usable "
            "tracks. See what is wrong with `!python -m course_utils data verify --dataset "
            "gtzan`; `download.fetch_gtzan(force=True)` downloads it again.")
    os.environ["COURSE_DATASET"] = "gtzan"
    print(f"GTZAN: {len(tracks)} usable tracks; the lessons use it (figures in their texts are "
          "the synthetic set's)")


def _mount_drive() -> Path:
    """Mount Google Drive (Colab only); return the course's folder on it."""
    if not is_colab():
        raise ParameterError("drive=True keeps the course on Google Drive, which only Colab can "
                             "mount. Outside Colab, set COURSE_DATA_DIR and COURSE_RUNS_DIR to "
                             "any folder instead.")
    from google.colab import drive as google_drive
    google_drive.mount(str(DRIVE_MOUNT))
    folder = DRIVE_MOUNT / DRIVE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    print(f"keeping the course's data, caches and runs on Google Drive: {folder}")
    return folder


def check_versions() -> dict:
    """Print and return the versions that matter; warn where they are outside the tested range.

    The versions come from package metadata (:func:`course_utils.runtime.versions`),
    so this loads no framework.
    """
    versions = runtime.versions()
    problems = []
    if sys.version_info < (3, 10):
        problems.append("Python 3.10 or newer is needed")
    if not versions.get("keras", "").startswith("3."):
        problems.append("Keras 3 is needed (pip install 'keras>=3.3')")
    if tuple(int(v) for v in versions.get("librosa", "0.0").split(".")[:2]) < (0, 10):
        problems.append("librosa 0.10 or newer is needed")
    print(", ".join(f"{k} {v}" for k, v in versions.items()))
    for problem in problems:
        print("WARNING:", problem)
    return versions


def gpu_check() -> bool:
    """Say whether a GPU is there for training, and how to get one if not.

    Once a lesson has loaded Keras the backend is asked; before that, only the
    hardware is (:func:`course_utils.runtime.gpu_available`).
    """
    if runtime.gpu_available():
        print("GPU found: training uses it (mixed precision and XLA switch on automatically).")
        return True
    advice = ("In Colab: Runtime > Change runtime type > T4 GPU, then run the notebook again."
              if is_colab() else "FAST mode and the default models train on a CPU in minutes.")
    print(f"No GPU: training runs on the CPU. {advice}")
    return False
