"""Static figures of notebook 08 (the capstone), from the notebook's own runs."""
from __future__ import annotations

import functools

from ...detector.rules import diagnose
from ..plots import capstone as plots


@functools.lru_cache(maxsize=1)
def notebook_runs() -> dict:
    """Notebook 08's two rk.compare runs (computed once): ``{"clean": (data,
    comparison, summary rows), "noisy": (...)}``; the benchmark of the capstone
    dashboard uses them too."""
    clean, _ = plots.capstone_data()
    noisy, y_true = plots.capstone_data(plots.NOISY["n_train"], plots.NOISY["label_noise"])
    c_clean = plots.run_compare(clean)
    c_noisy = plots.run_compare(noisy, epochs=plots.NOISY["epochs"])
    return {"clean": (clean, c_clean, plots.summary_rows(c_clean, clean)),
            "noisy": (noisy, c_noisy, plots.summary_rows(c_noisy, noisy, y_true))}


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
