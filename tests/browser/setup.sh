#!/usr/bin/env bash
# Install what the browser tests need, where it is missing:
#   - Debian's Chromium (apt packages chromium, chromium-driver), driven by Playwright;
#   - Playwright for Python in the project's virtual environment.
# Playwright's own browser download (`playwright install`) is not used: the tests
# launch the system Chromium at $COURSE_CHROMIUM (default /usr/bin/chromium).
# Run from the repository root (make test-browser does). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../.."

CHROMIUM="${COURSE_CHROMIUM:-/usr/bin/chromium}"
PY="${VENV:-.venv}/bin/python"

if [ -x "$CHROMIUM" ]; then
    echo "setup.sh: found $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "setup.sh: installing chromium and chromium-driver with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver fonts-dejavu-core >/dev/null
    "$CHROMIUM" --version
else
    echo "setup.sh: $CHROMIUM not found. Install Chromium (Debian/Ubuntu:" \
         "'sudo apt-get install chromium chromium-driver'), or set COURSE_CHROMIUM" \
         "to a Chromium or Chrome binary." >&2
    exit 1
fi

if [ ! -x "$PY" ]; then
    echo "setup.sh: $PY not found. Run 'make test' or 'make lab' once to create the" \
         "virtual environment." >&2
    exit 1
fi
if ! "$PY" -c "import playwright" 2>/dev/null; then
    echo "setup.sh: installing playwright into $PY (it is in the dev extra)"
    "$PY" -m pip install --quiet "playwright>=1.40,<2"
fi
"$PY" -c "import importlib.metadata as m; print('setup.sh: playwright', m.version('playwright'))"
