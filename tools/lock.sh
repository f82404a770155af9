#!/usr/bin/env bash
# `make lock`: refresh constraints.txt, the versions `make test` installs.
#
# Resolves the notebooks, test and browser extras from nothing in a
# throw-away venv (what a newcomer would get today from pyproject.toml's
# floors), and writes every resolved version into constraints.txt. Run
# `make clean test test-portable` afterwards: the lock only lands once the
# whole suite passed on those versions. Usage: bash tools/lock.sh [python]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --upgrade pip
"$tmp/venv/bin/python" -m pip install --quiet ".[notebooks,test,browser]"
pyver=$("$tmp/venv/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
{
    echo "# The versions \`make test\` installs (pip constraints: they pin, they add nothing)."
    echo "# Verified with the whole suite (make test, make test-portable, make test-browser)"
    echo "# on Python $pyver, $(date -u +%Y-%m-%d). Refresh: \`make lock\`, then"
    echo "# \`make clean test test-portable\`, and commit this file only when both pass."
    echo "# \`pip install .\` (or \`pip install -e .\`) ignores this file and keeps"
    echo "# pyproject.toml's floors. The markers leave other Python versions unpinned:"
    echo "# these exact versions were only verified on $pyver."
    "$tmp/venv/bin/python" -m pip freeze --exclude-editable --all \
        | grep -v -i -E '^(regkit-course|pip|setuptools|wheel)( @|==)' \
        | sed "s/\$/ ; python_version == \"$pyver\"/"
} > constraints.txt
echo "constraints.txt: $(grep -c '==' constraints.txt) pinned packages (Python $pyver)"
