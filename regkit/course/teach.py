"""Small helpers for the notebooks: show regkit's real source, set up a
notebook the same way everywhere, print what holds on every machine.

Imports pygments (and, through the style, matplotlib) only when a cell
needs them, so ``band`` and ``claim`` work without them.
"""
from __future__ import annotations

import ast
import inspect
import textwrap

import numpy as np

from .. import _rng
from ..style import use_style
from ..threads import limit_blas_threads


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
    * ``threads`` BLAS threads for the rest of the session
      (:func:`regkit.threads.limit_blas_threads`; 1 by default: the small
      models of the course train faster on one thread on a 2-core laptop);
      pass ``threads=None`` to leave BLAS alone. Without threadpoolctl, BLAS
      keeps its own setting;
    * ``rk.seed(seed)``, and NumPy printing rounded to 4 digits.
    """
    use_style()
    if threads is not None:
        limit_blas_threads(threads, name="threads")
    _rng.seed(seed)
    np.set_printoptions(precision=4, suppress=True, floatmode="maxprec")


def rounded(x, digits: int = 3):
    """Round numbers (scalars, arrays, nested lists) for printing, with -0.0
    shown as 0.0 so every machine's BLAS prints the same thing."""
    arr = np.round(np.asarray(x, dtype=np.float64), digits) + 0.0
    return arr.item() if arr.ndim == 0 else arr


# -- claims that hold on every machine ------------------------------------
#
# A trained network's numbers move in their last digits from one CPU to
# another (vector width, FMA, BLAS kernel, threads), and a chaotic run moves
# without bound. What a notebook's text relies on is printed through these
# two helpers: they check the claim on the machine that runs the notebook
# and print only what holds everywhere, so a cell marked NBVAL_CHECK_OUTPUT
# stays the same text on any CPU, and fails loudly (ClaimFailed) the day the
# claim itself stops holding. Nothing is made to pass by printing less.


class ClaimFailed(AssertionError):
    """A number or comparison the notebook's text relies on no longer holds."""


def band(name: str, value, low: float, high: float, *, fmt: str = "g") -> None:
    """Check ``low <= value <= high`` and print ``name: low to high``.

    The band is the range the value takes across machines and seeds (say
    where it came from in the text around it); ``fmt`` formats its ends
    (``".2f"``, ``".0%"``). The value itself is not printed here: print it
    in a cell that nbval does not check, as "on this machine".

    Raises:
        ClaimFailed: naming the value, when it is outside the band or NaN.
    """
    v = float(value)
    if not low <= high:
        raise ValueError(f"band {name!r}: low must be <= high, got low={low!r}, high={high!r}")
    if not low <= v <= high:   # NaN fails too
        raise ClaimFailed(f"{name} = {v:.6g}, outside the band [{low:{fmt}}, {high:{fmt}}] "
                          "that the notebook's text relies on")
    print(f"{name}: {low:{fmt}} to {high:{fmt}}")


def claim(text: str, holds, *, measured: str = "") -> None:
    """Check a qualitative statement and print it; raise when it is false.

    ``claim("lambda 1e-3 has the best validation accuracy", best == 1e-3,
    measured=f"best lambda {best}")`` prints the text when ``holds`` is
    true and raises :class:`ClaimFailed` with ``measured`` otherwise.
    """
    if not isinstance(holds, (bool, np.bool_)):
        raise TypeError(f"claim {text!r}: holds must be a bool, got {type(holds).__name__}")
    if not holds:
        raise ClaimFailed(f"no longer true: {text}" + (f" ({measured})" if measured else ""))
    print(text)
