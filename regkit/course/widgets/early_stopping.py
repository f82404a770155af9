"""The early-stopping dashboard of notebook 05: patience and min_delta.

Nothing is retrained. The notebook records one long run with every epoch's
weights (:func:`regkit.course.experiments.early_stopping.record_run`); moving a slider
replays the stopping rule on the recorded validation loss
(:func:`regkit.course.experiments.early_stopping.replay`, microseconds) and looks up the
restored epoch's validation accuracy, so the cost of an update is drawing only.
The dashboard is where the learner chooses patience and min_delta, so it shows
validation numbers only: the test set stays out of the choice.
"""
from __future__ import annotations

import ipywidgets as W

from ..experiments import early_stopping as exp
from ..plots import early_stopping as plots
from .base import Dashboard, slider


def early_stopping_dashboard(run: dict, *, patience: int = 10, min_delta: float = 0.0,
                             max_patience: int = 60) -> Dashboard:
    """A patience slider (1 to ``max_patience``) and a min_delta selector over
    the recorded run's loss curves and its per-epoch validation accuracy.

    Args:
        run: the dict of :func:`regkit.course.experiments.early_stopping.record_run`.
        patience, min_delta: the starting values (min_delta one of
            :data:`regkit.course.experiments.early_stopping.MIN_DELTAS`).
        max_patience: the slider's upper end.

    ``state["result"]`` is ``{"stop": StopPoint, "val_acc": float,
    "epochs_run": int, "epochs_saved": int}`` (epochs counted 1-based).
    """
    if min_delta not in exp.MIN_DELTAS:
        raise ValueError(f"min_delta must be one of {exp.MIN_DELTAS}, got {min_delta!r}")
    n_epochs = len(run["history"].val_loss)

    def compute(patience, min_delta):
        stop = exp.replay(run["history"].val_loss, patience, min_delta)
        ran = n_epochs if stop.stopped_epoch is None else stop.stopped_epoch + 1
        return {"stop": stop, "val_acc": float(run["history"].val_acc[stop.best_epoch]),
                "epochs_run": ran, "epochs_saved": n_epochs - ran}

    def draw(result, patience, min_delta):
        return plots.stop_view(run, patience, min_delta)

    def describe(result, patience, min_delta):
        stop = result["stop"]
        where = ("never stops: ran all " f"{n_epochs} epochs" if stop.stopped_epoch is None
                 else f"stops after epoch {stop.stopped_epoch + 1} "
                      f"({result['epochs_saved']} of {n_epochs} epochs saved)")
        return (f"patience {patience}, min_delta {min_delta:g}: {where}; restores epoch "
                f"{stop.best_epoch + 1} (validation loss "
                f"{run['history'].val_loss[stop.best_epoch]:.3f}), validation accuracy "
                f"{result['val_acc']:.1%} vs {run['history'].val_acc[-1]:.1%} at the last epoch")

    delta = W.SelectionSlider(options=[(f"{v:g}", v) for v in exp.MIN_DELTAS],
                              value=min_delta, description="min_delta",
                              continuous_update=False, style={"description_width": "initial"})
    controls = {"patience": slider("patience (epochs)", int(patience), 1, int(max_patience), 1),
                "min_delta": delta}
    return Dashboard(controls, compute, draw, describe=describe, height="330px",
                     title="Early stopping replayed on one recorded run")


def _bench_run():
    return {"run": exp.record_run(), "patience": 10}


#: how ``benchmarks/bench_widgets.py`` builds the recorded run: as notebook 05 does
BENCH_KWARGS = {"early_stopping_dashboard": _bench_run}
