"""Static figures of notebook 08 (the capstone), from the notebook's own runs
(:func:`regkit.course.experiments.capstone.notebook_runs`)."""
from __future__ import annotations

from ...detector.rules import diagnose
from ..experiments.capstone import notebook_runs
from ..plots import capstone as plots


def baseline_diagnosis():
    """The memorising baseline (100 clean digits, no regularization), diagnosed."""
    _, comparison, _ = notebook_runs()["clean"]
    return diagnose(comparison.histories["none"], model=comparison.models["none"]).plot()


def compare_clean():
    """rk.compare on 100 clean digits: one panel per technique."""
    return notebook_runs()["clean"][1].plot()


def compare_noisy():
    """rk.compare on 300 digits with 30% wrong labels: one panel per technique."""
    return notebook_runs()["noisy"][1].plot()


def gap_bars():
    """Train / validation / test accuracy per technique, both data sets."""
    return plots.before_after(notebook_runs()["clean"][2], notebook_runs()["noisy"][2])


FIGURES = {"08_baseline_diagnosis.png": baseline_diagnosis,
           "08_compare_clean.png": compare_clean,
           "08_compare_noisy.png": compare_noisy,
           "08_gap_bars.png": gap_bars}
