"""The examples in course_utils' docstrings run and print what they show."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import course_utils

# Every module, subpackages' modules included (models.builders, synth.band, ...).
MODULES = sorted(m.name.removeprefix("course_utils.")
                 for m in pkgutil.walk_packages(course_utils.__path__, "course_utils.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)                      # examples that write files write here
    module = importlib.import_module(f"course_utils.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
