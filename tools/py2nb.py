"""Build a notebook (.ipynb) from its percent-format source (notebooks/src/*.py).

The sources are the files we edit and review (plain text diffs); the
.ipynb files, with their outputs, are what learners open. Cell markers:

    # %% [markdown]        a markdown cell; each line's leading "# " is removed
    # %%                   a code cell
    # %% [solution]        a code cell shown collapsed (an exercise's answer)

Usage: python tools/py2nb.py notebooks/src/02_l1_l2.py notebooks/02_l1_l2.ipynb
"""
from __future__ import annotations

import argparse

import re
import sys
from pathlib import Path

import nbformat

MARKER = re.compile(r"^# %%(?: \[(markdown|solution)\])?\s*$")


def split_cells(text: str) -> list[tuple[str, list[str]]]:
    cells: list[tuple[str, list[str]]] = []
    kind, lines = None, []
    for line in text.splitlines():
        m = MARKER.match(line)
        if m:
            if kind is not None:
                cells.append((kind, lines))
            kind, lines = (m.group(1) or "code"), []
        elif kind is not None:
            lines.append(line)
    if kind is not None:
        cells.append((kind, lines))
    return cells


def _trim(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


def build(source: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, lines in split_cells(source.read_text(encoding="utf-8")):
        if kind == "markdown":
            md = [re.sub(r"^# ?", "", ln) for ln in lines]
            nb.cells.append(nbformat.v4.new_markdown_cell(_trim(md)))
        else:
            cell = nbformat.v4.new_code_cell(_trim(lines))
            if kind == "solution":
                cell.metadata["jupyter"] = {"source_hidden": True}
                cell.metadata["tags"] = ["solution"]
            nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):  # stable ids: clean diffs
        cell["id"] = f"{source.stem[:2]}-{i:03d}"
    return nb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Build a notebook (.ipynb) from its percent-format source.")
    parser.add_argument("source", type=Path, help="notebooks/src/NN_name.py")
    parser.add_argument("notebook", type=Path, help="the .ipynb to write (outputs empty)")
    args = parser.parse_args(argv)
    src, dst = args.source, args.notebook
    nbformat.write(build(src), dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
