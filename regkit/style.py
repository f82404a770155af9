"""The course's look: readable on a projector, the same colours everywhere.

Train is always blue and validation always orange (Okabe-Ito palette, safe
for the common kinds of colour blindness). Use ``with rk_style():`` or call
:func:`use_style` once at the top of a notebook.

The colours are plain strings, so the library (the detector's figure) and
the course share them; matplotlib itself is imported only when a style is
applied, so ``import regkit`` does not need it.
"""
from __future__ import annotations

import contextlib

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73",
    "vermillion": "#D55E00", "purple": "#CC79A7", "sky": "#56B4E9",
    "yellow": "#F0E442", "black": "#000000", "grey": "#7F7F7F",
}
TRAIN = PALETTE["blue"]
VAL = PALETTE["orange"]
TEST = PALETTE["green"]
CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion",
                               "purple", "sky", "yellow", "black")]

RC = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 80,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "legend.fontsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "lines.linewidth": 2.4,
    "lines.markersize": 6,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "gray_r",
}


def _rc() -> dict:
    """:data:`RC` plus the colour cycle (which needs matplotlib's ``cycler``)."""
    import matplotlib as mpl
    return {**RC, "axes.prop_cycle": mpl.cycler(color=CYCLE)}


def use_style() -> None:
    """Apply the course style to every later figure."""
    import matplotlib as mpl
    mpl.rcParams.update(_rc())


@contextlib.contextmanager
def rk_style():
    """Context manager form of :func:`use_style`."""
    import matplotlib as mpl
    with mpl.rc_context(_rc()):
        yield
