"""The overfit detector: read a run's curves, name the problem, say what to try.

``rk.diagnose(source)`` measures a handful of signals on the training and
validation curves (the chapter's section 2) and turns them into one verdict:

==================  =====================================================
verdict             what the curves look like
==================  =====================================================
``unstable``        the loss diverges (NaN/inf, training loss climbing
                    back) or jumps up and down from epoch to epoch
``overfitting``     a large train/validation gap, or validation loss
                    turned and kept rising while training loss fell
``underfitting``    training itself plateaued at a poor level
``not converged``   too few epochs to tell, or still clearly improving
``good fit``        none of the above
==================  =====================================================

The rules are tried in this order; the first that fires wins:

1. unstable: NaN/inf, training loss rebounding, or zigzagging;
2. not converged: fewer than ``min_epochs`` epochs;
3. poor training level: not converged if the losses are still falling,
   else underfitting;
4. overfitting: accuracy gap, validation loss turned, or (loss-only) a
   large val/train ratio;
5. not converged: validation loss still clearly falling;
6. good fit.

Instability comes first because no other reading of a diverging curve means
anything. Poor training performance (bias) is judged before the gap
(variance) because the chapter's remedies for the two pull in opposite
directions and capacity has to come first. Every number a rule compares
lives in :class:`Thresholds`.

Curves are smoothed before levels are read (a running median over
``smooth_window`` epochs: one bad epoch cannot move it) and trends are
robust straight-line fits (Theil-Sen: the median of the slopes between all
pairs of epochs) over the last ``trend_fraction`` of the run. Without loss
columns (accuracy only), the error rate ``1 - accuracy`` stands in for the
loss. The detector needs NumPy only; ``Diagnosis.plot`` imports matplotlib
when it is called.
"""
from __future__ import annotations

import dataclasses
import html
import math
from dataclasses import dataclass

import numpy as np

from .advice import model_facts, suggest
from .logs import load


@dataclass(frozen=True)
class Thresholds:
    """Every number the verdict depends on, with the reason for its value.

    A signal fires when it is strictly beyond its threshold (``>`` or
    ``<``); a value exactly at the threshold does not fire. Epoch counts
    (``turn_epochs``) fire at ``>=``. Pass your own, e.g.
    ``rk.diagnose(h, thresholds=Thresholds(poor_accuracy=0.9))`` for a task
    where 85% is poor.
    """

    # -- reading the curves --
    #: Running-median width. With 5, a single outlier epoch is always outvoted
    #: (and at the last epoch too: the ends are mirrored, not repeated).
    smooth_window: int = 5
    #: Trends are fitted over the last 20% of the run ...
    trend_fraction: float = 0.2
    #: ... but never over fewer than 5 epochs, where a slope is mostly noise.
    trend_min_epochs: int = 5
    #: With fewer epochs than this there is no trend to read at all.
    min_epochs: int = 5

    # -- unstable --
    #: Training loss climbed back from its minimum by more than 25% of its
    #: first value. Overfitting never raises the *training* loss; a learning
    #: rate that is too high does.
    rebound: float = 0.25
    #: The training loss zigzags: its typical reversal from one epoch to the
    #: next (median of |x[t+1] - 2 x[t] + x[t-1]| / 2 over the trend window;
    #: a straight or smoothly bending curve gives ~0, an up-down-up jump of
    #: +-a gives 2a) exceeds 20% of its level. Healthy curves bend by a few
    #: percent. Both this and ``swing_to_range`` must hold ...
    swing_to_level: float = 0.20
    #: ... and exceeds 10% of everything the loss has come down, so a loss
    #: close to zero, where tiny wobbles are large relative to the level,
    #: does not count as oscillating.
    swing_to_range: float = 0.10

    # -- overfitting (chapter 2.2) --
    #: Train minus validation accuracy above 10 points (the chapter's 99% vs
    #: 85% is 14) at the best or the last epoch.
    gap_overfit: float = 0.10
    #: Between 5 and 10 points the gap is suspicious: it counts as
    #: overfitting only with a supporting sign (memorised training set,
    #: training accuracy that shot up, huge weights).
    gap_suspicious: float = 0.05
    #: Validation loss more than 10% above its minimum (the chapter's 0.4 ->
    #: 0.6 is 50%); smaller rises are within the noise of a small val set ...
    val_rise: float = 0.10
    #: ... sustained for at least 3 epochs after its smoothed minimum.
    turn_epochs: int = 3
    #: Loss-only logs (regression): validation loss more than twice the
    #: training loss at the best epoch means most of the validation error is
    #: error the model did not make on data it had seen.
    loss_ratio: float = 2.0
    #: Supporting sign: training accuracy reached 99% (memorised).
    memorized_accuracy: float = 0.99
    #: Supporting sign: training accuracy at or above 95% ...
    fast_accuracy: float = 0.95
    #: ... within the first 3 epochs (the chapter's "epoch 2: 98%").
    fast_epochs: int = 3
    #: Supporting sign (needs ``model=``): a weight with |w| > 100 (chapter).
    large_weight: float = 100.0

    # -- not converged / underfitting (chapter 2.3) --
    #: A loss that still fell by more than 5% of its level over the trend
    #: window is still learning: more epochs will pay.
    still_falling: float = 0.05
    #: Final training accuracy below 80% is poor (the chapter's 65% / 63%);
    #: raise it for easy tasks (digits reach 95%+).
    poor_accuracy: float = 0.80
    #: Loss-only logs: a final training loss above half of the first epoch's
    #: means the model learned little.
    poor_loss_fraction: float = 0.5

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value < 0:
                raise ValueError(f"Thresholds.{f.name} must be a finite number >= 0, "
                                 f"got {value!r}")
        if self.smooth_window < 1 or self.trend_min_epochs < 2:
            raise ValueError("Thresholds: smooth_window must be >= 1 and "
                             f"trend_min_epochs >= 2, got {self.smooth_window}, "
                             f"{self.trend_min_epochs}")


VERDICTS = ("overfitting", "underfitting", "good fit", "not converged", "unstable")


# -- measuring ---------------------------------------------------------------
def smooth(x: np.ndarray, window: int) -> np.ndarray:
    """Running median of width ``window`` (odd), ends mirrored.

    ``x``: (epochs,). Mirroring (``x[n-2], x[n-3]`` beyond the end) keeps a
    single spike at the last epoch a minority in its window.
    """
    half = min(window // 2, len(x) - 1)
    if half < 1:
        return np.array(x, dtype=np.float64)
    padded = np.pad(x, half, mode="reflect")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)


def robust_slope(y: np.ndarray) -> float:
    """Theil-Sen slope per epoch: median of ``(y[j] - y[i]) / (j - i)`` over i < j.

    Exact on a straight line; one outlier among >= 5 points cannot move it.
    Long windows are thinned to about 100 points (the cost is quadratic).
    """
    t = np.arange(len(y))[:: max(1, len(y) // 100)]
    i, j = np.triu_indices(len(t), k=1)
    return float(np.median((y[t[j]] - y[t[i]]) / (t[j] - t[i])))


def _relative_trend(x: np.ndarray, window: int) -> float:
    """Change across the last ``window`` epochs (fitted) as a fraction of the level."""
    tail = x[-window:]
    level = max(abs(float(np.median(tail))), 1e-12)
    return robust_slope(tail) * (len(tail) - 1) / level


def _measure(s: dict, th: Thresholds, best: int | None) -> dict:
    """Evidence: name -> number (None when the log cannot say)."""
    tl, vl = s["train_loss"], s["val_loss"]
    n = len(tl)
    window = min(n, max(th.trend_min_epochs, round(th.trend_fraction * n)))
    tls, vls = smooth(tl, th.smooth_window), smooth(vl, th.smooth_window)
    best = int(np.argmin(vl)) if best is None or not 0 <= best < n else best
    turn = n - 1 - int(np.argmin(vls[::-1]))    # last epoch at the smoothed minimum
    # half the second difference: zero on any straight stretch, so a steep but
    # steady fall is not mistaken for oscillation
    swing = float(np.median(np.abs(np.diff(tl[-window:], n=2)))) / 2 if window > 2 else 0.0
    ev = {
        "epochs": n, "best_epoch": best, "trend_window": window,
        "loss_gap_best": float(vls[best] - tls[best]),
        "loss_gap_last": float(vls[-1] - tls[-1]),
        "loss_ratio_best": float(vls[best] / max(tls[best], 1e-12)),
        "val_loss_min": float(vls.min()), "val_turn_epoch": turn,
        "epochs_since_turn": n - 1 - turn,
        "val_rise": float((vls[-1] - vls.min()) / max(abs(vls.min()), 1e-12)),
        "train_trend": _relative_trend(tl, window) if n > 1 else 0.0,
        "val_trend": _relative_trend(vl, window) if n > 1 else 0.0,
        "rebound": float((tls[-1] - tls.min()) / max(abs(tls[0]), 1e-12)),
        "swing_to_level": swing / max(abs(float(np.median(tl[-window:]))), 1e-12),
        "swing_to_range": swing / max(float(tls.max() - tls.min()), 1e-12),
        "train_loss_kept": float(tls[-1] / max(abs(tls[0]), 1e-12)),
    }
    if "train_acc" in s and "val_acc" in s:
        tas, vas = smooth(s["train_acc"], th.smooth_window), smooth(s["val_acc"], th.smooth_window)
        reached = np.flatnonzero(tas >= th.fast_accuracy)
        ev.update({
            "train_acc_last": float(tas[-1]), "val_acc_last": float(vas[-1]),
            "acc_gap_best": float(tas[best] - vas[best]),
            "acc_gap_last": float(tas[-1] - vas[-1]),
            "train_acc_max": float(tas.max()),
            "train_acc_95_epoch": int(reached[0]) if reached.size else None,
        })
    return ev


# -- deciding ----------------------------------------------------------------
def _decide(ev: dict, th: Thresholds, has_acc: bool) -> tuple[str, list]:
    """Apply the rules in order; return the verdict and the reasons that fired."""
    if ev["nonfinite"]:
        return "unstable", [f"the loss became NaN/inf at epoch {ev['nonfinite_epoch']}"]
    reasons = []
    if ev["rebound"] > th.rebound:
        reasons.append(f"training loss climbed back {ev['rebound']:.0%} of its first value "
                       f"from its minimum (threshold {th.rebound:.0%})")
    if ev["swing_to_level"] > th.swing_to_level and ev["swing_to_range"] > th.swing_to_range:
        reasons.append(f"training loss zigzags by {ev['swing_to_level']:.0%} of its level from "
                       f"epoch to epoch (thresholds {th.swing_to_level:.0%} of the level and "
                       f"{th.swing_to_range:.0%} of its range)")
    if reasons:
        return "unstable", reasons
    if ev["epochs"] < th.min_epochs:
        return "not converged", [f"only {ev['epochs']} epochs: at least {th.min_epochs} "
                                 "are needed to read a trend"]
    improving = min(ev["train_trend"], ev["val_trend"]) < -th.still_falling
    if has_acc:
        poor = ev["train_acc_last"] < th.poor_accuracy
        level = f"training accuracy is {ev['train_acc_last']:.1%} (poor: < {th.poor_accuracy:.0%})"
    else:
        poor = ev["train_loss_kept"] > th.poor_loss_fraction
        level = (f"training loss is still {ev['train_loss_kept']:.0%} of its first value "
                 f"(poor: > {th.poor_loss_fraction:.0%})")
    if poor:
        if improving:
            return "not converged", [level + ", but the losses are still falling "
                                     f"{-min(ev['train_trend'], ev['val_trend']):.0%} over "
                                     f"the last {ev['trend_window']} epochs"]
        return "underfitting", [level + " and has stopped improving "
                                f"(trend {ev['train_trend']:+.1%} over the last "
                                f"{ev['trend_window']} epochs)"]
    reasons = _overfit_reasons(ev, th, has_acc)
    if reasons:
        return "overfitting", reasons
    if ev["val_trend"] < -th.still_falling and ev["train_trend"] < 0:
        return "not converged", [f"validation loss still fell {-ev['val_trend']:.0%} over the "
                                 f"last {ev['trend_window']} epochs (threshold "
                                 f"{th.still_falling:.0%})"]
    return "good fit", ["training and validation agree and have settled"]


def _overfit_reasons(ev: dict, th: Thresholds, has_acc: bool) -> list:
    reasons = []
    if has_acc:
        gap = max(ev["acc_gap_best"], ev["acc_gap_last"])
        if gap > th.gap_overfit:
            reasons.append(f"train accuracy exceeds validation by {gap:.1%} "
                           f"(threshold {th.gap_overfit:.0%})")
        elif gap > th.gap_suspicious:
            signs = _supporting_signs(ev, th)
            if signs:
                reasons.append(f"a {gap:.1%} accuracy gap (suspicious above "
                               f"{th.gap_suspicious:.0%}) with " + " and ".join(signs))
    elif ev["loss_ratio_best"] > th.loss_ratio:
        reasons.append(f"validation loss is {ev['loss_ratio_best']:.1f}x the training loss at "
                       f"the best epoch (threshold {th.loss_ratio:g}x)")
    if ev["val_rise"] > th.val_rise and ev["epochs_since_turn"] >= th.turn_epochs:
        reasons.append(f"validation loss turned at epoch {ev['val_turn_epoch']} and has risen "
                       f"{ev['val_rise']:.0%} above its minimum over {ev['epochs_since_turn']} "
                       f"epochs (thresholds {th.val_rise:.0%}, {th.turn_epochs} epochs)")
    return reasons


def _supporting_signs(ev: dict, th: Thresholds) -> list:
    signs = []
    if ev["train_acc_max"] >= th.memorized_accuracy:
        signs.append(f"a memorised training set (train accuracy {ev['train_acc_max']:.1%})")
    first = ev["train_acc_95_epoch"]
    if first is not None and first < th.fast_epochs:
        signs.append(f"training accuracy at {th.fast_accuracy:.0%} by epoch {first}")
    if (ev.get("max_abs_weight") or 0.0) > th.large_weight:
        signs.append(f"weights as large as {ev['max_abs_weight']:.3g}")
    return signs


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
    "val_turn_epoch": "epoch where validation loss turned (its last minimum)",
    "epochs_since_turn": "epochs since validation loss turned",
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
}


def diagnose(source, *, model=None, thresholds: Thresholds | None = None) -> "Diagnosis":
    """Diagnose a training run from its curves.

    Args:
        source: a regkit ``History``, a Keras ``History`` or its ``.history``
            dict (``loss``, ``val_loss``, ``accuracy``/``acc``, ...), any dict
            of per-epoch lists, or a path to a CSV (Keras CSVLogger,
            Lightning ``metrics.csv``, ``History.to_csv``) or JSON file. See
            :mod:`regkit.logs`.
        model: optional trained ``Sequential``: adds the largest and mean
            |weight| to the evidence, and its Dropout ``p``, regularizers and
            BatchNorm layers tailor the suggestions.
        thresholds: a :class:`Thresholds` to replace the defaults.

    Returns:
        Diagnosis: ``verdict``, ``reasons``, ``evidence``, ``suggestions``,
        ``best_epoch``; prints as a report, ``.plot()`` draws the curves.

    Raises:
        ValueError: the log lacks a train/validation pair or cannot be read
            (the message names the columns found and needed).
    """
    th = Thresholds() if thresholds is None else thresholds
    if not isinstance(th, Thresholds):
        raise TypeError(f"thresholds must be a Thresholds, got {type(th).__name__}")
    run = load(source)
    series = dict(run.series)
    has_acc = "train_acc" in series and "val_acc" in series
    if "train_loss" not in series or "val_loss" not in series:
        series["train_loss"] = 1.0 - series["train_acc"]   # error rate as the loss
        series["val_loss"] = 1.0 - series["val_acc"]
    facts = {**run.config, **(model_facts(model) if model is not None else {})}
    used = [series[k] for k in ("train_loss", "val_loss", "train_acc", "val_acc") if k in series]
    bad = np.flatnonzero(~np.all(np.isfinite(np.stack(used)), axis=0))
    finite = bad[0] if bad.size else len(series["epoch"])
    head = {k: v[:finite] for k, v in series.items()}
    ev = _measure(head, th, run.best_epoch) if finite else {"epochs": 0, "best_epoch": None}
    ev["epochs"] = len(series["epoch"])
    ev["nonfinite"] = int(sum(np.count_nonzero(~np.isfinite(u)) for u in used))
    ev["nonfinite_epoch"] = int(series["epoch"][bad[0]]) if bad.size else None
    for key in ("max_abs_weight", "mean_abs_weight"):
        if key in facts:
            ev[key] = facts[key]
    verdict, reasons = _decide(ev, th, has_acc and finite > 0)
    return Diagnosis(verdict=verdict, reasons=reasons, evidence=ev,
                     suggestions=suggest(verdict, facts, ev, th),
                     best_epoch=ev["best_epoch"],
                     series={k: v for k, v in series.items() if k in run.series},
                     config=facts, thresholds=th, source=run.source)


@dataclass
class Diagnosis:
    """The detector's answer. Print it, show it in a notebook, or ``.plot()`` it.

    Attributes:
        verdict: one of :data:`VERDICTS`.
        reasons: the rules that fired, as sentences with their numbers.
        evidence: name -> measured number (None where the log cannot say);
            :data:`EVIDENCE` (or ``.descriptions``) says what each means.
        suggestions: what to try, most promising first.
        best_epoch: 0-based index of the best epoch (None if unknown).
        series: the curves read from the log (``epoch``, ``train_loss``, ...).
        config: what the run was known to use (History.config and ``model=``).
        thresholds: the :class:`Thresholds` the verdict was reached with.
        source: where the log came from.
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

    @property
    def descriptions(self) -> dict:
        """name -> what the evidence number means."""
        return {k: EVIDENCE.get(k, k) for k in self.evidence}

    def _headline(self) -> str:
        ev = self.evidence
        best = "" if self.best_epoch is None else f", best epoch {self.best_epoch}"
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
            rows.append(("val loss turned at epoch",
                         f"{ev['val_turn_epoch']}, risen {ev['val_rise']:.1%} over "
                         f"{ev['epochs_since_turn']} epochs"))
            rows.append((f"trend over last {ev['trend_window']} epochs",
                         f"train {ev['train_trend']:+.1%}, val {ev['val_trend']:+.1%}"))
        if "max_abs_weight" in ev:
            rows.append(("largest / mean |w|",
                         f"{ev['max_abs_weight']:.3g} / {ev['mean_abs_weight']:.3g}"))
        return rows

    def __str__(self) -> str:
        lines = [self._headline(), "Why:"]
        lines += [f"  - {r}" for r in self.reasons]
        lines.append("Evidence:")
        lines += [f"  {label:<37} {value}" for label, value in self._key_numbers()]
        lines.append("Try, in this order:")
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
                f"<table>{rows}</table><p>Try, in this order:</p>"
                f"<ol>{''.join(f'<li>{esc(s)}</li>' for s in self.suggestions)}</ol></div>")

    def to_dict(self) -> dict:
        """JSON-friendly: NaN/inf become None, arrays become lists."""
        return _jsonable({
            "verdict": self.verdict, "reasons": self.reasons,
            "evidence": self.evidence, "descriptions": self.descriptions,
            "suggestions": self.suggestions, "best_epoch": self.best_epoch,
            "source": self.source, "config": self.config,
            "thresholds": dataclasses.asdict(self.thresholds),
            "series": self.series,
        })

    def plot(self, ax=None):
        """Train/validation curves, best epoch marked, gap shaded, verdict in the title.

        Args:
            ax: None (a new figure with a loss panel and, for classification,
                an accuracy panel), one Axes (the loss panel only) or a
                sequence of two Axes.

        Returns:
            matplotlib Figure.
        """
        from .plots.diagnosis import plot_diagnosis
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
