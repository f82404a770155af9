"""`Diagnosis`: the overfit detector's answer, as text, HTML, JSON or a figure.

:func:`regkit.detector.rules.diagnose` builds it; this module only presents it.
"""
from __future__ import annotations

import dataclasses
import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .plot import plot_diagnosis
from .thresholds import Thresholds

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


#: What each evidence number means (levels are read on the smoothed curves).
EVIDENCE = {
    "epochs": "epochs in the log",
    "best_epoch": "epoch kept: lowest validation loss, or the one early stopping restored",
    "trend_window": "number of final epochs the trends are fitted over",
    "train_acc_last": "training accuracy at the last epoch",
    "val_acc_last": "validation accuracy at the last epoch",
    "acc_gap_best": "train minus validation accuracy at the best epoch",
    "acc_gap_last": "train minus validation accuracy at the last epoch",
    "loss_gap_best": "validation minus training loss at the best epoch",
    "loss_gap_last": "validation minus training loss at the last epoch",
    "loss_ratio_best": "validation / training loss at the best epoch",
    "val_loss_min": "lowest validation loss",
    "val_turn_epoch": "epoch where validation loss turned: the last epoch at the minimum of "
                      "the smoothed curve (on a plateau its end, so it can follow the best "
                      "epoch)",
    "epochs_since_turn": "epochs since validation loss turned",
    "best_restored": "the best epoch is the one early stopping restored (not the lowest "
                     "validation loss)",
    "val_rise": "rise of validation loss above its minimum, relative to the minimum",
    "train_trend": "change of training loss over the trend window, relative to its level",
    "val_trend": "change of validation loss over the trend window, relative to its level",
    "rebound": "climb of training loss back from its minimum, relative to its first value",
    "swing_to_level": "typical epoch-to-epoch zigzag of training loss / its level",
    "swing_to_range": "typical epoch-to-epoch zigzag of training loss / how far it fell",
    "train_loss_kept": "last training loss as a fraction of the first",
    "train_acc_max": "highest training accuracy",
    "train_acc_95_epoch": "first epoch where training accuracy reached fast_accuracy (95%)",
    "max_abs_weight": "largest |w| over the Dense layers",
    "mean_abs_weight": "mean |w| over the Dense layers",
    "nonfinite": "number of NaN/inf values in the curves",
    "nonfinite_epoch": "first epoch with a NaN/inf value",
    "stopped_early": "the log says early stopping ended the run",
}


@dataclass
class Diagnosis:
    """The detector's answer. Print it, show it in a notebook, or ``.plot()`` it.

    Attributes:
        verdict: one of :data:`regkit.detector.rules.VERDICTS`.
        reasons: the rules that fired, as sentences with their numbers.
        evidence: name -> measured number (None where the log cannot say);
            :data:`EVIDENCE` (or ``.descriptions``) says what each means.
        suggestions: what to try, most promising first.
        best_epoch: 0-based index of the best epoch (None if unknown).
        series: the curves read from the log (``epoch``, ``train_loss``, ...).
        config: what the run was known to use (History.config and ``model=``).
        thresholds: the :class:`Thresholds` the verdict was reached with.
        source: where the log came from.
        framework: the library the suggestions are written for.
    """

    verdict: str
    reasons: list
    evidence: dict
    suggestions: list
    best_epoch: int | None
    series: dict
    config: dict = dataclasses.field(default_factory=dict)
    thresholds: Thresholds = dataclasses.field(default_factory=Thresholds)
    source: str = "log"
    framework: str = "regkit"

    @property
    def descriptions(self) -> dict:
        """name -> what the evidence number means."""
        return {k: EVIDENCE.get(k, k) for k in self.evidence}

    def _headline(self) -> str:
        ev = self.evidence
        best = ""
        if self.best_epoch is not None:
            how = ("restored by early stopping" if ev.get("best_restored")
                   else "lowest val loss")
            best = f", best epoch {self.best_epoch} = {how}"
        return f"Diagnosis: {self.verdict.upper()}  ({self.source}, {ev['epochs']} epochs{best})"

    def _key_numbers(self) -> list:
        ev, rows = self.evidence, []
        if "acc_gap_best" in ev:
            rows.append(("train / val accuracy (last)",
                         f"{ev['train_acc_last']:.3f} / {ev['val_acc_last']:.3f}"))
            rows.append(("accuracy gap, best / last epoch",
                         f"{ev['acc_gap_best']:+.3f} / {ev['acc_gap_last']:+.3f}"))
        if "loss_gap_best" in ev:
            rows.append(("loss gap (val - train), best / last",
                         f"{ev['loss_gap_best']:+.4g} / {ev['loss_gap_last']:+.4g}"))
            rows.append(("val loss turned (smoothed min.) at",
                         f"{ev['val_turn_epoch']}, risen {ev['val_rise']:.1%} over "
                         f"{ev['epochs_since_turn']} epochs"))
            rows.append((f"trend over last {ev['trend_window']} epochs",
                         f"train {ev['train_trend']:+.1%}, val {ev['val_trend']:+.1%}"))
        if "max_abs_weight" in ev:
            rows.append(("largest / mean |w|",
                         f"{ev['max_abs_weight']:.3g} / {ev['mean_abs_weight']:.3g}"))
        return rows

    def _try_heading(self) -> str:
        names = {"keras": "Keras", "pytorch": "PyTorch", "lightning": "Lightning",
                 "sklearn": "scikit-learn"}
        if self.framework not in names:
            return "Try, in this order"
        return f"Try, in this order (written for {names[self.framework]})"

    def __str__(self) -> str:
        lines = [self._headline(), "Why:"]
        lines += [f"  - {r}" for r in self.reasons]
        lines.append("Evidence:")
        lines += [f"  {label:<37} {value}" for label, value in self._key_numbers()]
        lines.append(self._try_heading() + ":")
        lines += [f"  {i}. {s}" for i, s in enumerate(self.suggestions, 1)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Diagnosis(verdict={self.verdict!r}, best_epoch={self.best_epoch}, "
                f"epochs={self.evidence['epochs']}, reasons={len(self.reasons)}, "
                f"suggestions={len(self.suggestions)})")

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(f"<tr><td>{esc(label)}</td><td>{esc(value)}</td></tr>"
                       for label, value in self._key_numbers())
        return (f"<div><p><b>{esc(self._headline())}</b></p>"
                f"<p>Why:</p><ul>{''.join(f'<li>{esc(r)}</li>' for r in self.reasons)}</ul>"
                f"<table>{rows}</table><p>{esc(self._try_heading())}:</p>"
                f"<ol>{''.join(f'<li>{esc(s)}</li>' for s in self.suggestions)}</ol></div>")

    def to_dict(self) -> dict:
        """JSON-friendly: NaN/inf become None, arrays become lists."""
        return _jsonable({
            "verdict": self.verdict, "reasons": self.reasons,
            "evidence": self.evidence, "descriptions": self.descriptions,
            "suggestions": self.suggestions, "best_epoch": self.best_epoch,
            "source": self.source, "framework": self.framework, "config": self.config,
            "thresholds": dataclasses.asdict(self.thresholds),
            "series": self.series,
        })

    def plot(self, ax: Axes | None = None) -> Figure:
        """Train/validation curves, best epoch marked, gap shaded, verdict in the title.

        Args:
            ax: None (a new figure with a loss panel and, for classification,
                an accuracy panel), one Axes (the loss panel only) or a
                sequence of two Axes.

        Returns:
            matplotlib Figure.
        """
        return plot_diagnosis(self, ax=ax)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer, bool)):
        return value if isinstance(value, bool) else int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value
