"""The capstone dashboard of notebook 08: switch techniques on and off.

Five check boxes (batch norm, augmentation, L2, dropout, early stopping) and
a choice of data (clean digits, or digits with 30% wrong labels). Each
setting shows the run's curves, its test accuracy and the overfit
detector's verdict and first prescription.

A run takes 0.3-1.2 s to train, too slow to follow a click, so the notebook
hands in the runs it has already trained with ``rk.compare`` (each technique
alone, none and all: 7 of the 32 combinations per data set); those answer at
once. Any other combination is trained on the spot (the dashboard says
"computing…") with :func:`regkit.course.experiments.capstone.train_combo`, exactly as
``rk.compare`` would have trained it, and kept.
"""
from __future__ import annotations

import html

import ipywidgets as W

from ...detector.rules import diagnose
from ..experiments import capstone as exp
from ..plots import capstone as plots
from .base import Dashboard

#: Check box labels, in the order the detector prescribes the techniques.
LABELS = {"batchnorm": "batch norm", "augmentation": "augmentation", "l2": "L2",
          "dropout": "dropout", "early_stopping": "early stopping"}


def _run(comparison, name):
    row = next(r for r in comparison.table if r["technique"] == name)
    return {"history": comparison.histories[name], "model": comparison.models[name],
            "row": row, "verdict": row["verdict"]}


def capstone_dashboard(comparisons: dict, data: dict, *, on=(), labels: str | None = None,
                       overrides: dict | None = None, loss_max: float = 2.0) -> Dashboard:
    """Check boxes for the five techniques and a data choice, over one run's curves.

    Args:
        comparisons: ``{data name: Comparison}`` from ``rk.compare`` /
            :func:`regkit.course.experiments.capstone.run_compare`; their runs are reused.
        data: ``{data name: Split}``, the data each comparison was trained on
            (used to train combinations not in ``comparisons``).
        on: the techniques switched on at the start.
        labels: the data shown at the start (default: the first).
        overrides: ``{data name: dict}`` of settings for
            :func:`regkit.course.experiments.capstone.train_combo` (e.g. fewer epochs).
        loss_max: top of the loss axis, fixed so runs compare.

    ``state["result"]`` is the run shown: ``history``, ``model``, ``row``
    (train/val/test accuracy, gap, verdict...), ``verdict``, ``diagnosis``.
    """
    if not data or set(comparisons) - set(data):
        raise ValueError(f"data must name every comparison's data set; got comparisons "
                         f"{sorted(comparisons)} and data {sorted(data or {})}")
    overrides = overrides or {}
    runs = {}
    for name, comparison in comparisons.items():
        for technique in comparison.histories:
            runs[(name, exp.techniques_of(technique))] = _run(comparison, technique)
    names = list(data)
    labels = names[0] if labels is None else labels

    def compute(labels, **switches):
        key = (labels, frozenset(t for t, v in switches.items() if v))
        if key not in runs:
            trained = exp.train_combo(key[1], data[labels], **overrides.get(labels, {}))
            runs[key] = _run(trained, exp.combo_name(key[1]))
        run = runs[key]
        if "diagnosis" not in run:
            run["diagnosis"] = diagnose(run["history"], model=run["model"])
        return run

    def draw(run, **values):
        return plots.combo_view(run, loss_max=loss_max)

    def describe(run, **values):
        r = run["row"]
        first = run["diagnosis"].suggestions[0] if run["diagnosis"].suggestions else ""
        stop = ("" if r["stopped_epoch"] is None
                else f", stopped after epoch {r['stopped_epoch']}, kept epoch {r['best_epoch']}")
        return (f"<b>{html.escape(r['technique'])}</b>: train {r['train_acc']:.1%}, "
                f"validation {r['val_acc']:.1%}, test {r['test_acc']:.1%} "
                f"(gap {r['gap']:+.1%}){stop} · verdict <b>{html.escape(run['verdict'])}</b>"
                f"<br>detector's first prescription: {html.escape(first)}")

    controls = {"labels": W.Dropdown(options=names, value=labels, description="data",
                                     layout=W.Layout(width="260px"))}
    for technique, text in LABELS.items():
        controls[technique] = W.Checkbox(value=technique in set(on), description=text,
                                         indent=False, layout=W.Layout(width="150px"))
    return Dashboard(controls, compute, draw, describe=describe, height="340px",
                     title="Prescriptions on and off: curves, test accuracy, verdict")


def _bench_capstone():
    names = ("100 clean digits", "300 digits, 30% wrong labels")
    runs = exp.notebook_runs()
    (clean, c_clean, _), (noisy, c_noisy, _) = runs["clean"], runs["noisy"]
    return {"comparisons": dict(zip(names, (c_clean, c_noisy))),
            "data": dict(zip(names, (clean, noisy))),
            "overrides": {names[1]: {"epochs": exp.NOISY["epochs"]}},
            "on": exp.TECHNIQUES, "labels": names[1]}


#: combinations not handed in are trained when first clicked ("computing…")
TRAINS_ON_DEMAND = ("capstone_dashboard",)

#: how ``benchmarks/bench_widgets.py`` builds the trained runs: as notebook 08 does
#: (the 7 runs per data set it hands in; other combinations train on demand)
BENCH_KWARGS = {"capstone_dashboard": _bench_capstone}
