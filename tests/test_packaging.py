"""The package's shape: what each layer imports, and a wheel that holds every module.

The lower layers (audio, features, data, synth, classical, runtime, and the
metrics in evaluate) load no deep-learning framework, so lessons 01-02 start in
seconds and run where Keras is broken. Colab installs from a built wheel, so the
wheel must carry every subpackage and every data file.
"""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import zipfile

import pytest

from course_utils import colab, config
from fakes import stack_venv

FRAMEWORKS = ("keras", "tensorflow", "jax", "torch")
KERAS_FREE = ("audio", "features", "data", "synth", "classical", "runtime", "segments",
              "evaluate", "experiments", "widgets", "checks", "colab")
PACKAGE_DATA = ("splits/train_filtered.txt", "splits/valid_filtered.txt",
                "splits/test_filtered.txt", "metrics_schema.json", "weights/MSD_musicnn.npz",
                "weights/MTT_musicnn.npz", "weights/LICENSE_musicnn.txt")


def source_modules() -> list[str]:
    """Every module of the source tree, subpackages included, as dotted names."""
    names = []
    for path in sorted(config.PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(config.PACKAGE_DIR.parent).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def loaded_frameworks(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; the frameworks it left in sys.modules."""
    probe = code + f"\nimport sys, json\nprint(json.dumps([m for m in {FRAMEWORKS!r} " \
                   "if m in sys.modules]))"
    env = {**os.environ, "COURSE_FAST": "1"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=env, cwd=config.REPO_DIR, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_probe_sees_a_framework_import():
    assert loaded_frameworks("from course_utils import models") != []   # models needs Keras


@pytest.mark.parametrize("name", KERAS_FREE)
def test_lower_layers_load_no_framework(name):
    assert loaded_frameworks(f"from course_utils import {name}") == []


@pytest.mark.parametrize("lesson", ["01_audio_basics", "02_feature_extraction"])
def test_lessons_01_and_02_set_up_without_a_framework(lesson):
    """The lesson's own set-up and import cells: versions, imports, seed, GPU check."""
    cells = [c for c in json.loads((config.REPO_DIR / "solutions" / f"{lesson}.ipynb")
                                   .read_text())["cells"] if c["cell_type"] == "code"]
    setup = ["".join(c["source"]) for c in cells[1:5]]
    assert "check_versions" in setup[0] and "set_seed" in setup[2] and "gpu_check" in setup[3]
    assert "".join(cells[0]["source"]) == colab.COLAB_CELL     # cell 0 runs only in Colab
    code = "\n".join(line for cell in setup for line in cell.splitlines()
                     if not line.lstrip().startswith("%"))
    assert loaded_frameworks(code) == []


@pytest.mark.slow
def test_the_wheel_holds_every_module_and_data_file(built_wheel, tmp_path):
    names = set(zipfile.ZipFile(built_wheel).namelist())
    for module in source_modules():
        stem = module.replace(".", "/")
        assert f"{stem}.py" in names or f"{stem}/__init__.py" in names, module
    for data_file in PACKAGE_DATA:
        assert f"course_utils/{data_file}" in names, data_file
    python, site = stack_venv(tmp_path / "venv")
    with zipfile.ZipFile(built_wheel) as wheel:    # a pure-Python wheel installs by unpacking
        wheel.extractall(site)
    code = ("import importlib, json, course_utils\n"
            f"for m in {source_modules()!r}: importlib.import_module(m)\n"
            "from course_utils import config\n"
            "print(json.dumps([course_utils.__file__, "
            "(config.SPLITS_DIR / 'test_filtered.txt').is_file()]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={**env, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    module_file, has_splits = json.loads(out.stdout.strip().splitlines()[-1])
    assert module_file.startswith(str(site)), "imported from the checkout, not the wheel"
    assert has_splits


def _layer_map() -> list[set[str]]:
    """The numbered list of ``course_utils/__init__.py``'s docstring: the modules of each
    layer, lowest first (the map the package documents is the one this file checks)."""
    import course_utils
    layers = []
    for line in course_utils.__doc__.split("\n\n", 2)[2].splitlines():
        if re.match(r"\d+\. ", line):
            layers.append(set())
        elif not line.startswith("   "):
            break                                  # the list ends at its first other line
        layers[-1] |= set(re.findall(r"``(\w+)``", re.sub(r"\([^)]*\)", "", line)))
    return layers


def _imports(path) -> set[str]:
    """The course_utils modules (top level: a module or subpackage) that ``path`` imports,
    anywhere in the file, inside functions too."""
    rel = path.relative_to(config.PACKAGE_DIR)
    package = list(rel.parent.parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            parts = package[:len(package) - node.level + 1] + (node.module or "").split(".")
            parts = [p for p in parts if p]
            found |= {parts[0]} if parts else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_utils"):
            parts = node.module.split(".")[1:]
            found |= {parts[0]} if parts else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names
                      if a.name.startswith("course_utils.")}
    return found


def test_every_import_goes_down_the_documented_layers():
    layers = _layer_map()
    level = {m: i for i, names in enumerate(layers) for m in names}
    tops = {p.relative_to(config.PACKAGE_DIR).parts[0].removesuffix(".py")
            for p in config.PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts}
    assert tops - {"__init__"} == set(level), "the map in __init__ names every module once"
    wrong = []
    for path in config.PACKAGE_DIR.rglob("*.py"):
        if "__pycache__" in path.parts or path.name == "__init__.py" and \
                path.parent == config.PACKAGE_DIR:
            continue
        me = path.relative_to(config.PACKAGE_DIR).parts[0].removesuffix(".py")
        wrong += [f"{path.relative_to(config.PACKAGE_DIR)} imports {other}"
                  for other in _imports(path) - {me} if level[other] >= level[me]]
    assert wrong == []


def test_the_layer_check_sees_an_import_inside_a_function(tmp_path):
    probe = config.PACKAGE_DIR / "models" / "builders.py"
    code = probe.read_text()
    assert "from .. import pretrained" in code       # build_fine_tune's, inside the function
    assert "pretrained" in _imports(probe)


def test_models_load_neither_librosa_nor_tensorflow_under_jax():
    """bench/model_epoch_time.py runs the builders where only Keras and JAX are installed."""
    pytest.importorskip("jax")
    code = ("import os; os.environ['KERAS_BACKEND'] = 'jax'\nimport course_utils.models\n"
            "import sys; print([m for m in ('librosa', 'tensorflow', 'soundfile') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=config.REPO_DIR, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
