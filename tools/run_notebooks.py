"""Rebuild notebooks from notebooks/src/*.py and execute them in place.

    python tools/run_notebooks.py                 # every notebook
    python tools/run_notebooks.py 03_dropout      # the ones whose name matches

Each notebook runs top to bottom on a fresh kernel of this Python (the
.venv's), in notebooks/, and its outputs are stored so learners on GitHub
see them. Widget state is not stored (GitHub cannot render live widgets;
each dashboard has a static figure beside it). Prints each notebook's
execution time against the 30 s budget.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))
from nbsource import build  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src"
BUDGET_S = 30.0


def run(source: Path) -> float:
    nb = build(source)
    # record_timing=False: no per-cell timestamps, so a rerun that prints the
    # same thing leaves the file unchanged apart from images
    client = NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, ROOT / "notebooks" / f"{source.stem}.ipynb")
    return seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Rebuild notebooks from notebooks/src/*.py and execute them in place.")
    parser.add_argument("patterns", metavar="NAME", nargs="*",
                        help="only the notebooks whose name contains NAME (default: all)")
    patterns = parser.parse_args(argv).patterns
    sources = sorted(SRC.glob("*.py"))
    if patterns:
        sources = [s for s in sources if any(p in s.stem for p in patterns)]
    total = 0.0
    for src in sources:
        seconds = run(src)
        total += seconds
        flag = "" if seconds <= BUDGET_S else f"  OVER the {BUDGET_S:.0f} s budget"
        print(f"{src.stem:28s} {seconds:6.1f} s{flag}", flush=True)
    print(f"{'total':28s} {total:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
