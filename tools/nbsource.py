"""Build a notebook (.ipynb, no outputs) from its source, notebooks/src/NN_name.py.

The sources are jupytext's percent format, the files we edit and review
(plain-text diffs); the .ipynb files, with their outputs, are what learners
open. notebooks/jupytext.toml pairs the two, so saving either one in
JupyterLab (with jupytext, part of the notebooks extra) updates the other.
In a source:

    # %% [markdown]                                    a markdown cell ("# " removed)
    # %%                                               a code cell
    # %% jupyter={"source_hidden": true} tags=["solution"]
                                                       an exercise's answer, shown collapsed
    # !cmd                                             in a code cell: the shell command !cmd

Usage: python tools/nbsource.py notebooks/src/02_l1_l2.py notebooks/02_l1_l2.ipynb
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat


def build(source: Path) -> nbformat.NotebookNode:
    """The notebook of ``source``: its cells, no outputs, stable cell ids."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata.pop("jupytext", None)      # the pairing lives in notebooks/jupytext.toml
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):    # stable ids: a rebuild gives a clean diff
        cell["id"] = f"{source.stem[:2]}-{i:03d}"
    return nb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Build a notebook (.ipynb, no outputs) from its percent-format source.")
    parser.add_argument("source", type=Path, help="notebooks/src/NN_name.py")
    parser.add_argument("notebook", type=Path, help="the .ipynb to write")
    args = parser.parse_args(argv)
    if args.notebook.exists():
        parser.error(f"notebook {str(args.notebook)!r} exists: this would drop its outputs; "
                     "use `make notebooks NB=...` (re-executes it) or `jupytext --sync`")
    nbformat.write(build(args.source), args.notebook)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
