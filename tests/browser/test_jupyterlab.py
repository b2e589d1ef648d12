"""The lessons as a learner meets them: JupyterLab in headless Chromium.

Each test opens a notebook through ``make lab``, runs all cells from the Run menu and
checks what renders: no error output, an audio player, ipywidgets sliders, and a
spectrogram explorer whose figure follows its slider. Screenshots go to
``.browser-screenshots/``. Run with ``make test-browser``.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
# The folder JupyterLab serves; COURSE_BROWSER_ROOT points the harness at another one.
LAB_ROOT = Path(os.environ.get("COURSE_BROWSER_ROOT", REPO)).resolve()
TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_TIMEOUT", "600"))
LESSON_NOTEBOOK = "notebooks/01_audio_basics.ipynb"
# The solution notebook with the spectrogram explorer (slider + figure).
EXPLORER_NOTEBOOK = "solutions/01_audio_basics.ipynb"

# JupyterLab 4.6 renders an error output with the stderr mime type (the traceback as
# text), the same as a warning; only its text tells them apart. The error mime type is
# checked too, in case a renderer for it is installed.
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*\w*(Error|Exception)\b.*:",
                       re.MULTILINE)
AUDIO = ".jp-OutputArea-output audio"
SLIDER = ".jupyter-widgets.widget-slider"
SLIDER_HANDLE = ".noUi-handle[role=slider]"
WIDGET_ERROR_TEXT = "Error displaying widget"
KERNEL_DIALOG = ".jp-Dialog:has-text('Select Kernel')"
EDIT_MENU = ".lm-MenuBar-item:has-text('Edit')"
CLEAR_ALL = '.lm-Menu-item[data-command="editmenu:clear-all"]'
RUN_MENU = ".lm-MenuBar-item:has-text('Run')"
RUN_ALL = '.lm-Menu-item[data-command="runmenu:run-all"]'

# Read from the notebook model (window.jupyterapp, exposed by the test's server config).
MODEL_STATE_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = [];
  for (let i = 0; i < panel.content.model.cells.length; i++) {
    const cell = panel.content.model.cells.get(i);
    if (cell.type !== 'code') continue;
    const errors = [];
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j).toJSON();
      if (out.output_type === 'error') errors.push(out.ename + ': ' + out.evalue);
    }
    cells.push({index: i, count: cell.executionCount, errors: errors});
  }
  return {kernel: kernel ? kernel.status : null, cells: cells};
}"""


def require_notebook(relpath: str) -> None:
    """Skip when the notebook is not there (yet)."""
    if not (LAB_ROOT / relpath).is_file():
        pytest.skip(f"{relpath} not found under {LAB_ROOT}; it is written with the lessons")


def model_state(page) -> dict | None:
    return page.evaluate(MODEL_STATE_JS)


def open_notebook(page, base_url: str, relpath: str) -> None:
    """Open a notebook (fresh workspace), accept the kernel dialog if shown, wait for
    an idle kernel."""
    page.goto(f"{base_url}/lab/tree/{relpath}?reset", timeout=TIMEOUT_S * 1000)
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=120_000)
    deadline = time.monotonic() + 120
    while True:
        dialog = page.locator(KERNEL_DIALOG)
        if dialog.count() and dialog.first.is_visible():
            dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        state = model_state(page)
        if state is not None and state["kernel"] == "idle":
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{relpath}: no idle kernel after 120 s (state: {state})")
        page.wait_for_timeout(250)


def run_all(page, relpath: str) -> dict:
    """Edit > Clear Outputs of All Cells, then Run > Run All Cells; wait until every code
    cell has an execution count and the kernel is idle, or an error output stops the
    run. Return the final model state.

    Clearing first means outputs and counts saved in the file cannot pass for a run.
    """
    page.locator(EDIT_MENU).first.click()
    page.locator(CLEAR_ALL).click()
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.content.model.cells.length > 0 && "
        "Array.from({length: window.jupyterapp.shell.currentWidget.content.model.cells.length},"
        " (_, i) => window.jupyterapp.shell.currentWidget.content.model.cells.get(i))"
        ".every(c => c.type !== 'code' || (c.executionCount === null && c.outputs.length === 0))",
        timeout=30_000)
    page.locator(RUN_MENU).first.click()
    page.locator(RUN_ALL).click()
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        state = model_state(page)
        done = all(c["count"] is not None for c in state["cells"])
        failed = any(c["errors"] for c in state["cells"])
        if state["kernel"] == "idle" and (done or failed):
            return state
        if state["kernel"] in ("dead", "unknown") or time.monotonic() > deadline:
            pending = [c["index"] for c in state["cells"] if c["count"] is None]
            pytest.fail(f"{relpath}: Run All did not finish within {TIMEOUT_S:.0f} s "
                        f"(kernel {state['kernel']}, cells not run: {pending})")
        page.wait_for_timeout(500)


def assert_no_errors(page, state: dict, relpath: str) -> None:
    """No error output in the model or on the page; warnings on stderr are fine."""
    model_errors = [f"cell {c['index']}: {e}" for c in state["cells"] for e in c["errors"]]
    page_errors = [t for t in page.locator(STDERR_OUTPUT).all_inner_texts() if TRACEBACK.search(t)]
    page_errors += page.locator(ERROR_OUTPUT).all_inner_texts()
    assert not model_errors and not page_errors, (
        f"{relpath} shows error output after Run All:\n" + "\n".join(model_errors + page_errors))
    not_run = [c["index"] for c in state["cells"] if c["count"] is None]
    assert not not_run, f"{relpath}: code cells {not_run} have no execution count after Run All"
    assert page.get_by_text(WIDGET_ERROR_TEXT).count() == 0, f"{relpath}: a widget failed to display"


def figure_of(cell) -> str:
    """The image sources (PNG base64 or URL) in a cell's outputs, joined."""
    return "|".join(cell.locator(".jp-Cell-outputArea img").evaluate_all(
        "els => els.map(e => e.getAttribute('src'))"))


def test_lesson_runs_and_renders_audio_and_widgets(request, screenshot_dir):
    require_notebook(LESSON_NOTEBOOK)  # before the server and browser start
    lab_server, page = request.getfixturevalue("lab_server"), request.getfixturevalue("page")
    open_notebook(page, lab_server, LESSON_NOTEBOOK)
    state = run_all(page, LESSON_NOTEBOOK)
    page.screenshot(path=screenshot_dir / "lesson-01-after-run-all.png")

    assert_no_errors(page, state, LESSON_NOTEBOOK)
    audio = page.locator(AUDIO).first
    audio.wait_for(state="attached", timeout=30_000)
    assert audio.locator("source, [src]").count() or audio.get_attribute("src"), \
        "the <audio> element has no source"
    slider = page.locator(SLIDER).first
    slider.wait_for(state="attached", timeout=30_000)
    slider.scroll_into_view_if_needed()
    assert slider.locator(SLIDER_HANDLE).count() >= 1, "the ipywidgets slider has no handle"
    page.screenshot(path=screenshot_dir / "lesson-01-slider.png")
    assert not page.js_errors, f"JavaScript errors in JupyterLab: {page.js_errors}"


def test_spectrogram_explorer_follows_its_slider(request, screenshot_dir):
    require_notebook(EXPLORER_NOTEBOOK)  # before the server and browser start
    lab_server, page = request.getfixturevalue("lab_server"), request.getfixturevalue("page")
    open_notebook(page, lab_server, EXPLORER_NOTEBOOK)
    state = run_all(page, EXPLORER_NOTEBOOK)
    assert_no_errors(page, state, EXPLORER_NOTEBOOK)

    # The explorer: the first code cell whose output has both a slider and a figure.
    explorer = page.locator(".jp-CodeCell").filter(has=page.locator(SLIDER)).filter(
        has=page.locator(".jp-Cell-outputArea img")).first
    explorer.wait_for(state="attached", timeout=30_000)
    explorer.scroll_into_view_if_needed()
    before = figure_of(explorer)
    assert before, f"{EXPLORER_NOTEBOOK}: the explorer shows no figure"
    explorer.screenshot(path=screenshot_dir / "explorer-before.png")

    handle = explorer.locator(SLIDER_HANDLE).first
    value, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    handle.focus()
    handle.press("ArrowLeft" if float(value) >= float(top) else "ArrowRight")
    page.wait_for_function(
        "el => el.getAttribute('aria-valuenow') !== %r" % value, arg=handle.element_handle(),
        timeout=10_000)

    deadline = time.monotonic() + 60
    after = figure_of(explorer)
    while not after or after == before:
        if time.monotonic() > deadline:
            explorer.screenshot(path=screenshot_dir / "explorer-after.png")
            pytest.fail(f"{EXPLORER_NOTEBOOK}: the figure did not change within 60 s after "
                        f"the slider moved from {value} to {handle.get_attribute('aria-valuenow')}")
        page.wait_for_timeout(250)
        after = figure_of(explorer)
    page.wait_for_timeout(500)  # let the new image paint before the screenshot
    explorer.screenshot(path=screenshot_dir / "explorer-after.png")
    assert_no_errors(page, model_state(page), EXPLORER_NOTEBOOK)
    assert not page.js_errors, f"JavaScript errors in JupyterLab: {page.js_errors}"
