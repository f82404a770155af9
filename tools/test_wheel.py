"""Install the built wheel into a fresh environment and run every notebook from
outside the repository (`make test-wheel`).

What Colab, Binder and `pip install` users get is the wheel, not the clone:
this proves the wheel is the whole course. It

1. builds the wheel from this tree (`pip wheel`, an isolated PEP 517 build)
   and checks what is inside: the name regkit-course, the licences, the
   type marker, the sample logs notebook 08 reads;
2. installs it with the notebooks and test extras, at the versions of
   constraints.txt, into a new virtual environment;
3. copies only the .ipynb files (and the nbval settings) into a temporary
   folder, checks that `import regkit` there comes from the environment and
   not from this repository, and runs every notebook under nbval from there;
4. installs the committed HEAD from its git URL (`regkit-course @ git+file://...`,
   as a user would from GitHub) into another new environment and runs
   `regkit --version`.

Everything lives in a temporary folder that is removed at the end
(`--keep` keeps it). Usage: python tools/test_wheel.py [--keep] [-k NAME]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from _env import new_venv, run

ROOT = Path(__file__).resolve().parent.parent


def _out(*cmd, **kwargs) -> str:
    return run(*cmd, capture=True, **kwargs).stdout


def version() -> str:
    namespace: dict = {}
    init = (ROOT / "regkit" / "__init__.py").read_text(encoding="utf-8")
    line = next(ln for ln in init.splitlines() if ln.startswith("__version__"))
    exec(line, namespace)
    return namespace["__version__"]


def build_wheel(out: Path) -> Path:
    _out(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", out, ROOT)
    [wheel] = out.glob("regkit_course-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    info = f"regkit_course-{version()}.dist-info"
    want = {"regkit/py.typed", "regkit/course/data/keras_log.csv",
            "regkit/course/data/lightning_metrics.csv",
            f"{info}/licenses/LICENSE", f"{info}/licenses/LICENSE-CONTENT.md"}
    missing = want - names
    if missing:
        raise SystemExit(f"the wheel {wheel.name} lacks {sorted(missing)}")
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    for line in ("Name: regkit-course", f"Version: {version()}", "License-Expression: MIT"):
        if line not in metadata.splitlines():
            raise SystemExit(f"the wheel's METADATA lacks {line!r}")
    print(f"wheel: {wheel.name}, {len(names)} files, licences, py.typed and sample logs inside")
    return wheel


def run_notebooks(wheel: Path, tmp: Path, pytest_args: list[str]) -> None:
    python = new_venv(tmp / "env")
    _out(python, "-m", "pip", "install", "--quiet", "-c", ROOT / "constraints.txt",
         f"{wheel}[notebooks,test]")
    course = tmp / "course"                    # no src/, no data/, no regkit/ here
    course.mkdir()
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy(nb, course)
    shutil.copy(ROOT / "notebooks" / "nbval_sanitize.cfg", course)
    where = _out(python, "-c", "import regkit, regkit.course.data as d; "
                 "print(regkit.__file__); print(d.sample_log('keras_log.csv'))", cwd=course)
    print(where, end="")
    if str(ROOT) in where or str(tmp / "env") not in where:
        raise SystemExit("regkit was not imported from the fresh environment")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    out = _out(python, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", course, "-q",
               "--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", "nbval_sanitize.cfg",
               *sorted(p.name for p in course.glob("*.ipynb")), *pytest_args, cwd=course, env=env)
    print(out.strip().splitlines()[-1])
    print(f"every notebook ran under nbval from {course}, on the installed wheel")


def install_from_git_url(tmp: Path) -> None:
    python = new_venv(tmp / "env-git")
    url = f"regkit-course @ git+file://{ROOT}"
    _out(python, "-m", "pip", "install", "--quiet", "-c", ROOT / "constraints.txt", url)
    got = _out(tmp / "env-git" / "bin" / "regkit", "--version").strip()
    if version() not in got:
        raise SystemExit(f"`regkit --version` printed {got!r}, expected {version()}")
    print(f"pip install {url!r} (the committed HEAD): `regkit --version` -> {got}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Build the wheel, install it in a fresh environment and run every "
                    "notebook from outside the repository; then install from the git URL.")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (its path is printed)")
    parser.add_argument("-k", dest="select", metavar="NAME",
                        help="only the notebooks pytest -k NAME selects")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="regkit-wheel-"))
    print(f"working in {tmp}")
    try:
        wheel = build_wheel(tmp / "dist")
        run_notebooks(wheel, tmp, ["-k", args.select] if args.select else [])
        install_from_git_url(tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
