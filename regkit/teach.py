"""Small helpers for the notebooks: show regkit's real source, set up a
notebook the same way everywhere, print numbers the same on every machine.

Imports IPython/pygments/matplotlib lazily, so the core stays NumPy-only.
"""
from __future__ import annotations

import inspect
import textwrap

import numpy as np


class Source:
    """Highlighted source code: HTML in a notebook, plain text elsewhere."""

    def __init__(self, code: str, title: str = ""):
        self.code, self.title = code, title

    def __str__(self):
        return (f"# {self.title}\n" if self.title else "") + self.code

    __repr__ = __str__

    def _repr_html_(self):
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
        fmt = HtmlFormatter(noclasses=True, style="friendly")
        head = f"<div style='color:#555'><code>{self.title}</code></div>" if self.title else ""
        return head + highlight(self.code, PythonLexer(), fmt)


def show_source(obj, *, docstring: bool = True) -> Source:
    """The source of a regkit function, method or class, ready to display.

    ``show_source(rk.Dropout.forward)`` shows the code the course runs, not a
    copy of it. With ``docstring=False`` the docstring is left out, so short
    methods fit on a slide.
    """
    code = textwrap.dedent(inspect.getsource(obj))
    if not docstring:
        code = _strip_docstring(code)
    where = f"{inspect.getmodule(obj).__name__}.{getattr(obj, '__qualname__', '')}"
    return Source(code, title=where)


def _strip_docstring(code: str) -> str:
    import ast
    tree = ast.parse(code)
    node = tree.body[0]
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        lines = code.splitlines()
        start, end = body[0].lineno - 1, body[0].end_lineno
        return "\n".join(lines[:start] + lines[end:])
    return code


def setup_notebook(seed: int = 0, threads: int = 1) -> None:
    """What every notebook's first cell does.

    * the course plot style (large fonts, colour-blind-safe, train blue and
      validation orange);
    * ``threads`` BLAS threads (1 by default: the small models of the course
      train faster on one thread on a 2-core laptop, and sums come out the
      same on every machine); pass ``threads=None`` to leave BLAS alone;
    * ``rk.seed(seed)``, and NumPy printing rounded to 4 digits.
    """
    from . import _rng
    from .plots import use_style
    use_style()
    if threads is not None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # optional: then BLAS keeps its own setting
            pass
        else:
            threadpool_limits(limits=int(threads))
    _rng.seed(seed)
    np.set_printoptions(precision=4, suppress=True, floatmode="maxprec")


def rounded(x, digits: int = 3):
    """Round numbers (scalars, arrays, nested lists) for printing, with -0.0
    shown as 0.0 so every machine's BLAS prints the same thing."""
    arr = np.round(np.asarray(x, dtype=np.float64), digits) + 0.0
    return arr.item() if arr.ndim == 0 else arr
