"""Benchmark 5: each notebook's execution time under nbval, and the total.

    .venv/bin/python benchmarks/bench_notebooks.py [--only 03_dropout]

Runs ``pytest <notebook> --nbval-lax --nbval-current-env`` (what ``make
test`` runs, one notebook at a time) for every ``notebooks/*.ipynb`` that
exists, and prints the wall time of each (kernel start-up included) and
whether it passed. Notebooks not written yet are simply not there.

Target: all notebooks together under 2 minutes.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

import _common as C

TARGET_S = 120.0


def run(only=None, timeout=900):
    print(C.environment("Benchmark 5: notebooks under nbval (pytest --nbval-lax), "
                        "one fresh kernel each"))
    nb_dir = C.ROOT / "notebooks"
    notebooks = sorted(p for p in nb_dir.glob("*.ipynb")
                       if not only or any(o in p.stem for o in only))
    if not notebooks:
        print("no notebooks/*.ipynb yet")
        return []
    try:
        import nbval  # noqa: F401
    except ImportError:
        print("nbval is not installed (pip install nbval): skipped")
        return []
    sanitize = nb_dir / "nbval_sanitize.cfg"
    rows, total = [], 0.0
    for nb in notebooks:
        cmd = [sys.executable, "-m", "pytest", str(nb), "--nbval-lax", "--nbval-current-env",
               "-q", "-p", "no:cacheprovider"]
        if sanitize.exists():
            cmd += ["--nbval-sanitize-with", str(sanitize)]
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=C.ROOT, capture_output=True, text=True,
                                  timeout=timeout)
            status = "passed" if proc.returncode == 0 else "FAILED"
            tail = proc.stdout.strip().splitlines()[-1:] if proc.returncode else []
        except subprocess.TimeoutExpired:
            status, tail = f"TIMEOUT after {timeout} s", []
        seconds = time.perf_counter() - start
        total += seconds
        rows.append((nb.name, seconds, status, tail))
        print(f"  {nb.name:32s} {seconds:7.1f} s  {status}" +
              (f"  ({tail[0]})" if tail else ""))
        C.flush()
    print(f"  {'total':32s} {total:7.1f} s  ({len(rows)} notebooks)")
    line, ok = C.check_target("all notebooks (s)", total, TARGET_S)
    print(line)
    return [("benchmark 5: all notebooks (s)", total, TARGET_S, ok)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="substrings of notebook names to keep")
    args = parser.parse_args(argv)
    run(args.only)


if __name__ == "__main__":
    main()
