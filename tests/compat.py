"""Run the course's tests under every Python it supports, one virtual environment each.

    python tests/compat.py                      # 3.10, 3.12, 3.13: unit tests + one lesson
    python tests/compat.py --ends --unit-only   # the oldest and newest Python found (CI)
    python tests/compat.py --pythons 3.12 --freeze   # also write constraints/py3.12.txt
    python tests/compat.py --ends --install-only     # only make the venvs (CI, ahead of time)

Each Python gets ``.venv-compat/py3.X`` (git-ignored), installed once with
``pip install -e ".[dev]"`` under ``constraints/py3.X.txt`` (the versions tested on
that Python) and re-installed only when ``pyproject.toml`` or the constraints file
change. Interpreters are found on the PATH (``python3.X``) or under pyenv; a Python
that is not there is reported as skipped, with how to install it. Only the standard
library is used, so any ``python3`` can run this file.

Exit code: 0 when every Python found passed, 1 when one failed.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
DEFAULT = ("3.10", "3.12", "3.13")        # 3.11 is `make test`'s own Python here
LESSON = "solutions/02_feature_extraction.ipynb"
UNIT = ["-m", "not slow and not browser", "tests"]
NBVAL = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with",
         "tests/nbval_sanitize.cfg", "--nbval-cell-timeout=900"]


def find_python(minor: str) -> str | None:
    """Path of a ``python<minor>`` interpreter under pyenv or on the PATH, or None.

    pyenv's own versions come first: its shims on the PATH answer to every
    name but fail for a version that is not selected.
    """
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found = sorted(glob.glob(f"{root}/versions/{minor}.*/bin/python{minor}"),
                   key=lambda p: [int(part) for part in Path(p).parts[-3].split(".")
                                  if part.isdigit()])
    if found:
        return found[-1]
    on_path = shutil.which(f"python{minor}")
    if on_path and subprocess.call([on_path, "-c", ""], stderr=subprocess.DEVNULL) == 0:
        return on_path
    return None


def constraints(minor: str) -> Path:
    return REPO / "constraints" / f"py{minor}.txt"


def ensure_venv(minor: str, python: str) -> Path:
    """Create or update ``.venv-compat/py<minor>``; return its python."""
    venv = REPO / ".venv-compat" / f"py{minor}"
    vpy = venv / "bin" / "python"
    pins = constraints(minor)
    digest = hashlib.sha256((REPO / "pyproject.toml").read_bytes()
                            + (pins.read_bytes() if pins.exists() else b"")).hexdigest()
    stamp = venv / ".installed"
    if stamp.exists() and stamp.read_text() == digest and vpy.exists():
        return vpy
    if not vpy.exists():
        run([python, "-m", "venv", str(venv)], check=True)
    run([str(vpy), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    cmd = [str(vpy), "-m", "pip", "install", "--quiet", "-e", ".[dev]"]
    if pins.exists():
        cmd += ["-c", str(pins)]
    run(cmd, check=True)
    stamp.write_text(digest)
    return vpy


def run(cmd: list[str], env: dict | None = None, *, check: bool = False) -> int:
    print("+", " ".join(cmd), flush=True)
    code = subprocess.call(cmd, cwd=REPO, env=env)
    if check and code:
        raise SystemExit(f"failed (exit {code}): {' '.join(cmd)}")
    return code


def test_env(minor: str) -> dict:
    """FAST mode, with caches and the synthetic set apart from other Pythons' files."""
    home = REPO / ".venv-compat" / f"py{minor}"
    return {**os.environ, "COURSE_FAST": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
            "COURSE_DATA_DIR": str(home / "data"), "COURSE_CACHE_DIR": str(home / "cache")}


def freeze(minor: str, vpy: Path) -> None:
    out = subprocess.run([str(vpy), "-m", "pip", "freeze", "--exclude-editable"],
                         cwd=REPO, check=True, capture_output=True, text=True).stdout
    pins = constraints(minor)
    pins.parent.mkdir(exist_ok=True)
    pins.write_text(f"# Versions tested on Python {minor} (pip freeze of tests/compat.py's "
                    "venv).\n# Reproduce: pip install -e \".[dev]\" -c " 
                    f"constraints/py{minor}.txt\n" + out)
    print(f"wrote {pins.relative_to(REPO)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pythons", nargs="+", choices=SUPPORTED, default=list(DEFAULT))
    parser.add_argument("--ends", action="store_true",
                        help="only the oldest and the newest of those found")
    parser.add_argument("--unit-only", action="store_true",
                        help="unit tests without the slow ones; no lesson")
    parser.add_argument("--lesson", default=LESSON, help=f"the lesson run under nbval ({LESSON})")
    parser.add_argument("--freeze", action="store_true",
                        help="after a pass, write constraints/py3.X.txt from the venv")
    parser.add_argument("--parallel", action="store_true",
                        help="one Python per process, side by side (logs printed after)")
    parser.add_argument("--install-only", action="store_true",
                        help="create or update the venvs and stop (CI does this while `make "
                             "test` runs: installing waits on the network more than the CPU)")
    args = parser.parse_args(argv)

    found = {m: find_python(m) for m in args.pythons}
    for minor, path in found.items():
        if path is None:
            print(f"SKIP Python {minor}: no python{minor} on the PATH or under pyenv "
                  f"(install it with `pyenv install {minor}`).")
    chosen = [m for m in args.pythons if found[m]]
    if args.ends and len(chosen) > 2:
        chosen = [chosen[0], chosen[-1]]

    if args.install_only:
        for minor in chosen:
            start = time.monotonic()
            ensure_venv(minor, found[minor])
            print(f"Python {minor}: venv ready in {time.monotonic() - start:.0f} s", flush=True)
        return 0
    if args.parallel and len(chosen) > 1:
        return _side_by_side(chosen, argv or sys.argv[1:])
    results = {}
    for minor in chosen:
        start = time.monotonic()
        print(f"\n=== Python {minor} ({found[minor]}) ===", flush=True)
        vpy = ensure_venv(minor, found[minor])
        installed = time.monotonic()
        env = test_env(minor)
        code = run([str(vpy), "-m", "pytest", "-q", "-p", "no:cacheprovider", *UNIT], env)
        if code == 0 and not args.unit_only:
            code = run([str(vpy), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        *NBVAL, args.lesson], env)
        if code == 0 and args.freeze:
            freeze(minor, vpy)
        results[minor] = (code, installed - start, time.monotonic() - installed)

    print("\nPython  result  install  tests")
    for minor in args.pythons:
        if minor not in results:
            print(f"{minor:<7} {'skipped' if not found[minor] else 'not run':<7}")
            continue
        code, t_install, t_tests = results[minor]
        print(f"{minor:<7} {'passed' if code == 0 else 'FAILED':<7} {t_install:6.0f} s "
              f"{t_tests:6.0f} s")
    return 1 if any(code for code, _, _ in results.values()) else 0


def _side_by_side(chosen: list[str], argv: list[str]) -> int:
    """Run this script once per Python, concurrently; print each log when all are done.

    The unit tests mostly keep one core busy, so two Pythons side by side take little
    longer than one on a 2-core machine.
    """
    rest = [a for a in argv if a not in ("--parallel", "--ends")]
    if "--pythons" in rest:                          # drop the list: each child gets one
        i = rest.index("--pythons")
        j = i + 1
        while j < len(rest) and not rest[j].startswith("--"):
            j += 1
        rest = rest[:i] + rest[j:]
    logs, procs = {}, {}
    for minor in chosen:
        logs[minor] = REPO / ".venv-compat" / f"py{minor}.log"
        logs[minor].parent.mkdir(exist_ok=True)
        with open(logs[minor], "w") as log:
            procs[minor] = subprocess.Popen([sys.executable, __file__, "--pythons", minor, *rest],
                                            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    codes = {minor: proc.wait() for minor, proc in procs.items()}
    for minor in chosen:
        print(f"\n##### Python {minor}: {logs[minor].relative_to(REPO)}", flush=True)
        print(logs[minor].read_text(), flush=True)
    return 1 if any(codes.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
