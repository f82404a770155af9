#!/usr/bin/env bash
# What `make test-browser` needs besides the test extras:
#   * the Python packages playwright (the driver only: Playwright's own browser
#     download is never used) and notebook (the classic Notebook 7 interface),
#     installed into the venv when missing;
#   * a Chromium: $CHROMIUM, or `chromium` on the PATH. When it is missing and
#     we are root with apt-get, the Debian package `chromium` is installed;
#     otherwise this stops with a message naming the package.
# Usage: bash tools/browser_setup.sh [python]   (default: .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}

# the `browser` extra of pyproject.toml, when either package is missing
if ! "$PY" -c "import playwright.sync_api, notebook" 2>/dev/null; then
    echo "browser_setup: pip install -e .[browser]"
    "$PY" -m pip install --quiet -e ".[browser]"
fi

find_chromium() {
    for c in "${CHROMIUM:-}" chromium chromium-browser; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return 0; }
    done
    return 1
}

if ! chromium=$(find_chromium); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "browser_setup: apt-get install chromium"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        chromium=$(find_chromium) || { echo "browser_setup: chromium still not found" >&2; exit 1; }
    else
        echo "browser_setup: the browser tests need Chromium. Install the Debian package" \
             "'chromium' (sudo apt-get install chromium), or set CHROMIUM=/path/to/chromium." >&2
        exit 1
    fi
fi
echo "browser_setup: $("$PY" -c 'import importlib.metadata as m; print("playwright", m.version("playwright"), "· notebook", m.version("notebook"))') · $("$chromium" --version 2>/dev/null | head -1)"
