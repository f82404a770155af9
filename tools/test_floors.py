"""Install every dependency at its floor and run the unit tests (`make test-floors`).

pyproject.toml promises that regkit works with, say, `scikit-learn>=1.6`.
`make test` runs the newest versions (constraints.txt), so nothing else
would notice a floor that is a lie: a floor of 1.3 survived while the code
imported a function that first appeared in 1.6. This script

1. reads `[project] dependencies` and the extras `course`, `notebooks` and
   `test` of pyproject.toml and turns every `name>=X` into the pin `name==X`
   (a requirement without a `>=` floor is an error that names it);
2. creates a fresh virtual environment (default `.venv-floors`, removed and
   rebuilt on every run) and installs the project with those extras, the
   pins given as constraints (dependencies of dependencies may float);
3. checks that each pinned package really is at its floor, then runs the
   unit tests (`tests/`, not the browser suite; without torch the PyTorch
   reference tests skip).

The exit status is pytest's (or 1 when the floors cannot be installed
together: then one of them is too low). Usage:

    python tools/test_floors.py [--python PYTHON] [--venv DIR] [-- PYTEST ARGS]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from _env import new_venv, run

try:
    import tomllib
except ImportError:          # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("course", "notebooks", "test")
OWN_NAME = "regkit-course"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def floors(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """``{name: floor}`` of every direct requirement of the core and EXTRAS."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in EXTRAS:
        requirements += project["optional-dependencies"][extra]
    pins: dict[str, str] = {}
    for req in requirements:
        spec = req.split(";")[0].strip()
        if _canonical(re.split(r"[\[<>=!~ ]", spec)[0]) == OWN_NAME:
            continue                         # an extra that includes another extra
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)", spec)
        if not match:
            raise SystemExit(f"pyproject.toml: requirement {req!r} has no plain `>=` floor "
                             "to test (write it as name>=X)")
        pins[_canonical(match.group(1))] = match.group(2)
    return pins


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Install every dependency at its pyproject.toml floor in a fresh "
                    "environment and run the unit tests.")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter of the environment (default: this one)")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv-floors",
                        help="where to build it (removed first; default .venv-floors)")
    parser.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                        help="passed to pytest after `--`")
    args = parser.parse_args(argv)
    pins = floors()
    venv = args.venv.resolve()
    if venv == (ROOT / ".venv").resolve():
        parser.error("--venv must not be .venv (the environment make test uses)")
    python = new_venv(venv, args.python)
    print(run(python, "-c", "import sys; print('Python', sys.version.split()[0])",
              capture=True).stdout.strip())
    constraints = venv / "floors.txt"
    constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
    installed = run(python, "-m", "pip", "install", "--quiet", "-c", constraints,
                    f"{ROOT}[{','.join(EXTRAS)}]", check=False)
    if installed.returncode:
        print("the floors cannot be installed together (see pip's message above): "
              "raise the floor that conflicts", file=sys.stderr)
        return 1
    listed = run(python, "-m", "pip", "list", "--format", "json", capture=True).stdout
    have = {_canonical(p["name"]): p["version"] for p in json.loads(listed)}
    wrong = []
    for name, floor in sorted(pins.items()):
        got = have.get(name)
        mark = "ok" if got is not None and _same(got, floor) else "NOT AT ITS FLOOR"
        print(f"  {name:20s} floor {floor:10s} installed {got}  {mark}")
        if mark != "ok":
            wrong.append(name)
    if wrong:
        print(f"not installed at their floors: {', '.join(wrong)}", file=sys.stderr)
        return 1
    tests = run(python, "-m", "pytest", "tests/", "--ignore=tests/browser", "-q",
                "-p", "no:cacheprovider", *args.pytest_args, cwd=ROOT, check=False)
    return tests.returncode


def _same(installed: str, floor: str) -> bool:
    # "4.0" is the floor 4.0.0; pip's == treats missing parts as zeros too
    pad = lambda v: [int(p) if p.isdigit() else p for p in v.split(".")]  # noqa: E731
    a, b = pad(installed), pad(floor)
    n = max(len(a), len(b))
    return a + [0] * (n - len(a)) == b + [0] * (n - len(b))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
