"""The augmentation dashboards of notebook 06.

* :func:`gallery_dashboard` - one strength slider per transform over a
  gallery of real digits (augmenting a few images takes microseconds, so
  every update is just a redraw);
* :func:`strength_dashboard` - pick a transform and a strength, see what the
  network trained with it scores; the runs come from
  :func:`regkit.course.experiments.augmentation.strength_grid`, computed once in the
  notebook (a missing combination is trained on the spot and kept).
"""
from __future__ import annotations

import ipywidgets as W

from ..experiments import augmentation as exp
from ..plots import augmentation as plots
from .base import Dashboard, slider


def gallery_dashboard(images, *, seed: int = 0, strengths: dict | None = None) -> Dashboard:
    """A slider per transform of :data:`regkit.course.experiments.augmentation.SLIDERS`
    (labelled with its keyword: ``rotate degrees``, ``zoom factor``...) over
    :func:`regkit.course.plots.augmentation.gallery_figure`.

    Args:
        images: the digits shown, (n, h, w) in [0, 1].
        seed: seeds the draws (each row its own generator, so moving one
            slider redraws only that row).
        strengths: starting values, ``{transform: strength}``; the rest start
            at their defaults.

    ``state["result"]`` is ``{"rows": [...], "labels": [...]}``: the image
    rows drawn (the original first).
    """
    start = {name: spec[1] for name, spec in exp.SLIDERS.items()}
    start.update(strengths or {})
    unknown = set(start) - set(exp.SLIDERS)
    if unknown:
        raise ValueError(f"unknown transform(s) {sorted(unknown)}; known: {sorted(exp.SLIDERS)}")
    controls = {}
    for name, (kw, _, lo, hi, step) in exp.SLIDERS.items():
        value = start[name]
        value = int(value) if isinstance(step, int) else float(value)
        controls[name] = slider(f"{name} {kw}", value, lo, hi, step)

    def compute(**strengths):
        rows, labels = exp.gallery_rows(images, strengths, seed)
        return {"rows": rows, "labels": labels}

    def draw(result, **strengths):
        return plots.draw_gallery(result["rows"], result["labels"])

    return Dashboard(controls, compute, draw, height=f"{60 * (len(controls) + 1) + 20}px",
                     title="Every transform on the same digits: one slider each")


def _options(grid: dict, name: str) -> list:
    return [(f"{s:g}", s) for s in sorted(s for (n, s) in grid if n == name)]


def strength_dashboard(grid: dict, samples, *, name: str = "rotate", strength=None,
                       seed: int = 0) -> Dashboard:
    """A transform selector and a strength slider (its values follow the
    transform) over :func:`regkit.course.plots.augmentation.strength_view`.

    Args:
        grid: ``{(transform, strength): run}`` from
            :func:`regkit.course.experiments.augmentation.strength_grid`.
        samples: 8 training images to show augmented, (8, h, w).
        name, strength: the starting transform and strength (strength defaults
            to the second value of the grid, the mildest augmentation).
        seed: used when a combination missing from the grid is trained here.

    ``state["result"]`` is the grid's run of the current combination.
    """
    names = list(dict.fromkeys(n for n, _ in grid))
    if name not in names:
        raise ValueError(f"name must be one of {names}, got {name!r}")
    options = _options(grid, name)
    if strength is None:
        strength = options[min(1, len(options) - 1)][1]
    chooser = W.Dropdown(options=names, value=name, description="transform")
    power = W.SelectionSlider(options=options, value=strength, description="strength",
                              continuous_update=False, style={"description_width": "initial"})

    def follow(change):
        # The strength values belong to the transform: swap them, keeping the
        # position (mild stays mild). Registered before the Dashboard's own
        # observer, so the Dashboard sees a consistent pair.
        index = power.index or 0
        new = _options(grid, change["new"])
        power.options = new
        power.index = min(index, len(new) - 1)

    chooser.observe(follow, names="value")

    def compute(name, strength):
        if (name, strength) not in grid:
            grid.update(exp.strength_grid({name: (strength,)}, seed=seed))
        return grid[(name, strength)]

    def draw(result, name, strength):
        return plots.strength_view(grid, name, strength, samples)

    def describe(result, name, strength):
        plain = next(grid[k] for k in grid if k[1] == 0)
        h, h0 = result["history"], plain["history"]
        field = ", ".join(f"{k} {v:.1%} (none: {plain['field'][k]:.1%})"
                          for k, v in result.get("field", {}).items())
        return (f"{exp.label(name, strength)}: validation accuracy {h.val_acc[-1]:.1%} "
                f"(no augmentation: {h0.val_acc[-1]:.1%}), train {h.train_acc[-1]:.1%}"
                + (f" · fixed variants: {field}" if field else ""))

    return Dashboard({"name": chooser, "strength": power}, compute, draw, describe=describe,
                     height="340px", title="How strong an augmentation? 100 training digits")


def _bench_gallery():
    return {"images": exp.first_of_each_class()}


def _bench_strength():
    return {"grid": exp.strength_grid(), "samples": exp.first_of_each_class()}


#: how ``benchmarks/bench_widgets.py`` builds the dashboards' data: as notebook 06 does
BENCH_KWARGS = {"gallery_dashboard": _bench_gallery, "strength_dashboard": _bench_strength}
