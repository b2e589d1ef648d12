"""environment.yml, pyproject.toml and the Colab installer name the same dependencies."""
from __future__ import annotations

import re

import pytest

from course_utils import colab, config

try:
    import tomllib                     # the standard library from 3.11
except ModuleNotFoundError:            # Python 3.10: the same parser, from PyPI (dev extra)
    import tomli as tomllib
yaml = pytest.importorskip("yaml")

CONDA_NAMES = {"pysoundfile": "soundfile"}   # conda-forge name -> PyPI name


def _split(requirement: str) -> tuple[str, str]:
    """``"jax[cpu]>=0.4,<1; python_version < '3.11'"`` -> ``("jax", ">=0.4,<1")``: conda has no markers."""
    requirement = requirement.split(";")[0]
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$", requirement.strip()).groups()
    return name.lower(), spec.replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((config.REPO_DIR / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    reqs = project["dependencies"] + extras["lab"] + extras["dev"]
    return dict(map(_split, reqs))


def _environment() -> tuple[dict[str, str], dict]:
    env = yaml.safe_load((config.REPO_DIR / "environment.yml").read_text())
    deps, extra = {}, {}
    for item in env["dependencies"]:
        if isinstance(item, dict):
            extra.update(item)
            continue
        name, spec = _split(item)
        deps[CONDA_NAMES.get(name, name)] = spec
    return deps, {"env": env, **extra}


def test_same_packages_and_ranges():
    conda, _ = _environment()
    python_range = conda.pop("python")
    conda.pop("pip")
    assert conda == _pyproject()
    project = tomllib.loads((config.REPO_DIR / "pyproject.toml").read_text())["project"]
    assert python_range == project["requires-python"].replace(" ", "")


def test_environment_is_cross_platform():
    text = (config.REPO_DIR / "environment.yml").read_text()
    _, extra = _environment()
    assert extra["env"]["channels"] == ["conda-forge"]
    assert "prefix:" not in text
    assert not re.search(r"=\S+=\S+", text), "no build strings (name=version=build)"
    assert extra["pip"] == ["-e ."]              # the course itself, installed with pip


def test_every_runtime_dependency_has_an_upper_bound():
    for name, spec in _pyproject().items():
        assert "<" in spec, f"{name} has no upper bound: a new major release could break the course"


def test_colab_installer_matches_pyproject():
    runtime = dict(map(_split, tomllib.loads((config.REPO_DIR / "pyproject.toml").read_text())
                       ["project"]["dependencies"]))
    assert dict(map(_split, colab.REQUIREMENTS.values())) == runtime
