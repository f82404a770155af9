"""Each notebook's cells are the cells of its source in notebooks/src.

The .ipynb files carry the outputs learners see; notebooks/src/*.py are
what we edit. An edit to one without `make notebooks NB=...` would leave
learners reading text or code that the source no longer has (or the other
way round), and nbval would still pass on the stale notebook.
"""
import importlib.util
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")   # the notebooks extra (make test installs it)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))


def _py2nb():
    spec = importlib.util.spec_from_file_location("py2nb", ROOT / "tools" / "py2nb.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_source_has_its_notebook_and_back():
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert SOURCES, "no notebook sources found"
    assert {p.stem for p in SOURCES} == notebooks


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source(source):
    built = _py2nb().build(source)
    stored = nbformat.read(ROOT / "notebooks" / f"{source.stem}.ipynb", as_version=4)
    want = [(c.cell_type, c.source) for c in built.cells]
    have = [(c.cell_type, c.source) for c in stored.cells]
    assert len(have) == len(want), (
        f"{source.stem}.ipynb has {len(have)} cells, its source {len(want)}: "
        f"run `make notebooks NB={source.stem}`")
    for i, (w, h) in enumerate(zip(want, have)):
        assert h == w, (f"{source.stem}.ipynb cell {i} differs from notebooks/src/{source.name}: "
                        f"run `make notebooks NB={source.stem}`")
