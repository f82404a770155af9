"""Each notebook's cells are the cells of its source in notebooks/src.

The .ipynb files carry the outputs learners see; notebooks/src/*.py
(jupytext's percent format) are what we edit and review. An edit to one
without `make notebooks NB=...` (or `jupytext --sync`) would leave learners
reading text or code that the source no longer has (or the other way round),
and nbval would still pass on the stale notebook.
"""
import re
from pathlib import Path

import pytest
from tool_loader import load_tool

nbformat = pytest.importorskip("nbformat")   # the notebooks extra (make test installs it)
jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted((NOTEBOOKS / "src").glob("*.py"))


def _nbsource():
    return load_tool("nbsource")


def _cells(nb):
    # what a reader sees: the kind, the text, and the metadata the source keeps
    # (an exercise's solution: tags ["solution"], code hidden)
    return [(c.cell_type, c.source, c.metadata.get("tags", []),
             c.metadata.get("jupyter", {})) for c in nb.cells]


def test_every_source_has_its_notebook_and_back():
    notebooks = {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    assert SOURCES, "no notebook sources found"
    assert {p.stem for p in SOURCES} == notebooks


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source(source):
    want = _cells(_nbsource().build(source))
    have = _cells(nbformat.read(NOTEBOOKS / f"{source.stem}.ipynb", as_version=4))
    assert len(have) == len(want), (
        f"{source.stem}.ipynb has {len(have)} cells, its source {len(want)}: "
        f"run `make notebooks NB={source.stem}`")
    for i, (w, h) in enumerate(zip(want, have)):
        assert h == w, (f"{source.stem}.ipynb cell {i} differs from notebooks/src/{source.name}: "
                        f"run `make notebooks NB={source.stem}`")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_jupytext_pairs_each_notebook_with_its_source(source):
    # what JupyterLab's jupytext does on save: notebooks/jupytext.toml must pair
    # NN_name.ipynb with src/NN_name.py, and writing the notebook back out must
    # give the source byte for byte (so a save in JupyterLab changes nothing)
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file
    from jupytext.paired_paths import paired_paths
    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(NOTEBOOKS)))
    notebook = NOTEBOOKS / f"{source.stem}.ipynb"
    formats = config.default_formats(str(notebook))
    assert [Path(p) for p, _ in paired_paths(str(notebook), "ipynb", formats)] == [notebook, source]
    nb = nbformat.read(notebook, as_version=4)
    written = jupytext.writes(nb, fmt="py:percent", config=config)
    assert written == source.read_text(encoding="utf-8"), (
        f"jupytext would rewrite notebooks/src/{source.name}: run "
        f"`jupytext --sync notebooks/{source.stem}.ipynb` or `make notebooks NB={source.stem}`")


def test_solution_cells_are_tagged_and_hidden():
    # the exercises' answers start collapsed in every notebook
    for source in SOURCES:
        cells = _nbsource().build(source).cells
        solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
        assert solutions, f"{source.name}: no solution cell"
        for c in solutions:
            assert c.cell_type == "code" and c.metadata["jupyter"] == {"source_hidden": True}


def test_a_solution_never_replaces_the_learners_function():
    # "Run All" runs the hidden solutions too: a solution that reused the
    # exercise's name would silently overwrite what the learner wrote
    for source in SOURCES:
        cells = _nbsource().build(source).cells
        theirs = {name for c in cells if c.cell_type == "code"
                  and "solution" not in c.metadata.get("tags", [])
                  for name in re.findall(r"^(?:def|class) (\w+)", c.source, flags=re.M)}
        for c in cells:
            if "solution" in c.metadata.get("tags", []):
                for name in re.findall(r"^def (\w+)", c.source, flags=re.M):
                    assert name.startswith("solution_") and name not in theirs, \
                        f"{source.name}: solution defines {name}"
                for name in re.findall(r"^class (\w+)", c.source, flags=re.M):
                    assert name.startswith("Solution") and name not in theirs, \
                        f"{source.name}: solution defines class {name}"


@pytest.mark.parametrize("source", [s for s in SOURCES if s.stem[:2] in
                                    {f"0{i}" for i in range(1, 10)}], ids=lambda p: p.stem)
def test_every_lesson_asks_an_inline_question_with_a_model_answer_after_it(source):
    # CS231n's inline questions: a question the learner answers in the cell,
    # then a model answer folded in <details> so it is read after, not before
    cells = _nbsource().build(source).cells
    asked = [i for i, c in enumerate(cells) if c.cell_type == "markdown"
             and c.source.startswith("**Inline question")]
    assert asked, f"{source.stem} has no inline question"
    for i in asked:
        assert "*Your answer:*" in cells[i].source
        answer = cells[i + 1]
        assert answer.cell_type == "markdown"
        assert answer.source.startswith("<details><summary><b>Model answer</b>")
        assert answer.source.rstrip().endswith("</details>")
        assert len(answer.source.split()) > 60, "a model answer explains, in a paragraph"


def test_the_cheat_sheet_points_at_sections_that_exist():
    # every "[NN §k]" link names a notebook and a "## k." section it has
    text = (ROOT / "CHEATSHEET.md").read_text(encoding="utf-8")
    links = re.findall(r"\[(\d\d) §([\d, §-]+)\]\(notebooks/(\w+)\.ipynb\)", text)
    assert len(links) >= 15
    for number, sections, stem in links:
        assert stem.startswith(number), (number, stem)
        source = (NOTEBOOKS / "src" / f"{stem}.py").read_text(encoding="utf-8")
        for part in re.split(r"[, §]+", sections):
            for k in range(int(part.split("-")[0]), int(part.split("-")[-1]) + 1):
                assert re.search(rf"^# ## {k}\. ", source, flags=re.M), f"{stem} has no section {k}"
