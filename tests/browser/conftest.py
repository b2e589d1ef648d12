"""Fixtures for the browser tests: a JupyterLab server started by ``make lab`` and a
headless Chromium driven by Playwright.

Run them with ``make test-browser``: it installs Chromium (``tests/browser/setup.sh``)
and selects the ``browser`` marker. Plain ``pytest`` and ``make test`` skip them.

Environment overrides:

- ``COURSE_BROWSER_ROOT``: the folder JupyterLab serves (default: the repository). It
  must hold ``notebooks/`` and ``solutions/`` like the repository does; the course's
  ``make data`` step is not run for such a folder.
- ``COURSE_CHROMIUM``: the Chromium binary (default ``/usr/bin/chromium``).
- ``COURSE_BROWSER_TIMEOUT``: seconds allowed for starting the server and for one
  notebook's Run All (default 600).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAB_ROOT = Path(os.environ.get("COURSE_BROWSER_ROOT", REPO)).resolve()
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_TIMEOUT", "600"))
SCREENSHOTS = REPO / ".browser-screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# JupyterLab settings for the test's own (temporary) settings folder: no autosave (a
# long Run All must not write outputs into the course's notebooks), no news toast over
# the notebook, and no request to the internet.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def pytest_collection_modifyitems(config, items):
    """Skip browser tests unless they were selected with ``-m browser``."""
    if "browser" in config.getoption("markexpr", "") and "not browser" not in config.getoption(
        "markexpr", ""
    ):
        return
    skip = pytest.mark.skip(reason="browser tests run only with `make test-browser` (-m browser)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _tail(path: Path, n: int = 40) -> str:
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    return "\n".join(lines[-n:])


def _stop(proc: subprocess.Popen) -> None:
    """Stop ``make lab`` and its JupyterLab: SIGTERM to the process group (JupyterLab
    then shuts its kernels down), SIGKILL if it has not exited within 20 s."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory) -> str:
    """Start JupyterLab with ``make lab`` on a free 127.0.0.1 port, no token; yield its URL.

    The server gets its own Jupyter config, settings and workspaces folders, so a
    learner's settings or saved layout cannot change what the test sees.
    """
    home = tmp_path_factory.mktemp("jupyter")
    config_dir, settings_dir = home / "config", home / "settings"
    config_dir.mkdir()
    # Lets the test read the notebook model (output types, execution counts).
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}})
    )
    for rel, values in LAB_SETTINGS.items():
        (settings_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings_dir / rel).write_text(json.dumps(values))

    port = _free_port()
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(config_dir),
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_PORT_RETRIES="0",  # fail rather than move to another port
    )
    cmd = ["make", "--no-print-directory", "-C", str(REPO)]
    if LAB_ROOT != REPO:
        cmd += ["-o", "data"]  # not the course's folder: its data step is not needed
    cmd += ["lab", f"PORT={port}", "TOKEN=", f"LAB_ROOT={LAB_ROOT}"]
    log = home / "lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`{' '.join(cmd)}` exited with code {proc.returncode} before "
                            f"JupyterLab answered. Its log ({log}) ends:\n{_tail(log)}")
            try:
                status, _ = _get(f"{url}/api/status")
            except OSError:
                status = None
            if status == 200:
                break
            if status is not None:
                pytest.fail(f"JupyterLab at {url}/api/status answered HTTP {status}, expected 200 "
                            f"without a token. Check that `make lab TOKEN=` disables the token.")
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer at {url} within {TIMEOUT_S:.0f} s "
                            f"(raise COURSE_BROWSER_TIMEOUT). Its log ends:\n{_tail(log)}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, launched by Playwright (no Playwright browser download)."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed: run `make test-browser`")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: run `bash tests/browser/setup.sh` or set "
                    f"COURSE_CHROMIUM to a Chromium binary")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (own cookies and storage) per test; JS errors are collected
    in ``page.js_errors``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.js_errors = []
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))
    yield pg
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    """The git-ignored folder for screenshots (``.browser-screenshots/``)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
