"""What tools/test_wheel.py and tools/test_floors.py share: commands that say
what they run, and a fresh virtual environment to run them in."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def run(*cmd, check: bool = True, capture: bool = False, cwd=None,
        env=None) -> subprocess.CompletedProcess:
    """Print ``$ cmd`` and run it. ``capture``: keep its output (stdout and
    stderr together) in ``.stdout`` instead of showing it. ``check``: stop
    with the command and its exit status (and the captured output) when it fails."""
    print("$", " ".join(str(c) for c in cmd), flush=True)
    pipe = subprocess.PIPE if capture else None
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, text=True, stdout=pipe,
                          stderr=subprocess.STDOUT if capture else None)
    if check and done.returncode:
        if capture:
            sys.stdout.write(done.stdout)
        raise SystemExit(f"failed (exit {done.returncode}): {' '.join(map(str, cmd))}")
    return done


def new_venv(where: Path, python: str = sys.executable) -> Path:
    """A new virtual environment at ``where`` (anything there is removed first)
    with an up-to-date pip; returns its Python."""
    shutil.rmtree(where, ignore_errors=True)
    run(python, "-m", "venv", where)
    interpreter = where / "bin" / "python"
    run(interpreter, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    return interpreter
