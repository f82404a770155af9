"""Every command-line entry point parses its arguments with argparse: `--help`
prints a usage and exits 0, an unknown option is a usage error (exit 2)
instead of being taken for a file or folder name."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p.relative_to(ROOT).as_posix()
                 for p in [*ROOT.glob("tools/*.py"), *ROOT.glob("benchmarks/*.py")]
                 if not p.name.startswith("_"))
MODULES = ["regkit", "regkit.course.render"]
# hands every option it does not know to pytest (make test-portable PYTEST_ARGS=...)
FORWARDS_TO_PYTEST = {"tools/test_portable.py"}


def _run(args):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.mark.parametrize("args", [[s] for s in SCRIPTS] + [["-m", m] for m in MODULES],
                         ids=lambda a: a[-1])
def test_help_and_unknown_options(args):
    if args[0].endswith("nbsource.py") or args[-1] == "tools/run_notebooks.py":
        pytest.importorskip("jupytext")
    shown = _run([*args, "--help"])
    assert shown.returncode == 0 and shown.stdout.startswith("usage:"), shown.stderr
    if args[-1] in FORWARDS_TO_PYTEST:
        return
    wrong = _run([*args, "--no-such-option"])
    assert wrong.returncode == 2 and "usage:" in wrong.stderr, (wrong.stdout, wrong.stderr)
