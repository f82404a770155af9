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
3. poor training level: not converged if a loss is still falling (but not
   when early stopping ended the run and validation was not falling), else
   underfitting; validation accuracy far above training accuracy is
   reported with it (wrong labels, or training-mode metrics);
4. overfitting: accuracy gap, validation loss turned and risen, validation
   loss turned and creeping up while the training loss still falls, or
   (loss-only) a large val/train ratio;
5. not converged: validation loss still clearly falling;
6. good fit, saying whether the training loss has settled or still falls.

Every sentence a verdict prints is true of the numbers beside it;
``tests/test_detector_grid.py`` checks that on a grid of synthetic runs.

Instability comes first because no other reading of a diverging curve means
anything. Poor training performance (bias) is judged before the gap
(variance) because the chapter's remedies for the two pull in opposite
directions and capacity has to come first. Every number a rule compares
lives in :class:`Thresholds` (``thresholds.py``); the answer is a
:class:`Diagnosis` (``diagnosis.py``).

Curves are smoothed before levels are read (a running median over
``smooth_window`` epochs: one bad epoch cannot move it) and trends are
robust straight-line fits (Theil-Sen: the median of the slopes between all
pairs of epochs) over the last ``trend_fraction`` of the run. Without loss
columns (accuracy only), the error rate ``1 - accuracy`` stands in for the
loss. The detector needs NumPy only; ``Diagnosis.plot`` imports matplotlib
when it is called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .advice import model_facts, suggest
from .frameworks import Advice, check_framework
from .diagnosis import EVIDENCE, Diagnosis  # noqa: F401  (re-exported)
from .logs import load
from .thresholds import Thresholds

if TYPE_CHECKING:
    from ..network import Sequential
    from .._typing import LogSource


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

    Exact on a straight line; one outlier among >= 5 points can barely move
    it (it shifts the median of the pairwise slopes by a few places at most).
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
    restored = best is not None and 0 <= best < n
    best = best if restored else int(np.argmin(vl))
    # where the rise began: the last epoch at the *smoothed* minimum (on a
    # plateau, its end), so that a rise must last turn_epochs to count
    turn = n - 1 - int(np.argmin(vls[::-1]))
    # half the second difference: zero on any straight stretch, so a steep but
    # steady fall is not mistaken for oscillation
    swing = float(np.median(np.abs(np.diff(tl[-window:], n=2)))) / 2 if window > 2 else 0.0
    ev = {
        "epochs": n, "best_epoch": best, "best_restored": restored, "trend_window": window,
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
    val_falling = ev["val_trend"] < -th.still_falling
    if poor:
        # a run early stopping ended because validation stopped improving is
        # not "still learning", whatever its training loss does
        above = _validation_above(ev, th) if has_acc else []
        if improving and not (ev.get("stopped_early") and not val_falling):
            return "not converged", [level + f", but {_falling(ev, th)}", *above]
        why = (" and early stopping ended the run when validation stopped improving"
               if ev.get("stopped_early") else " and has stopped improving")
        return "underfitting", [level + why + f" (training trend {ev['train_trend']:+.1%} "
                                f"over the last {ev['trend_window']} epochs)", *above]
    reasons = _overfit_reasons(ev, th, has_acc)
    if reasons:
        return "overfitting", reasons
    if val_falling and ev["train_trend"] < 0:
        return "not converged", [f"validation loss still fell {-ev['val_trend']:.0%} over the "
                                 f"last {ev['trend_window']} epochs (threshold "
                                 f"{th.still_falling:.0%})"]
    return "good fit", [_good_fit_reason(ev, th)]


def _validation_above(ev: dict, th: Thresholds) -> list:
    """A poor training accuracy *below* validation's is not a model too small."""
    gap = ev["acc_gap_last"]
    if gap >= -th.gap_overfit:
        return []
    return [f"but validation accuracy is {-gap:.1%} above training accuracy, which a small "
            "model does not do: wrong training labels, or training accuracy measured "
            "with dropout or augmentation on, give this picture"]


def _falling(ev: dict, th: Thresholds) -> str:
    """Which loss is still falling, and by how much (for "not converged")."""
    window = f"over the last {ev['trend_window']} epochs"
    parts = [f"the {name} loss still fell {-ev[key]:.0%}" for name, key in
             (("training", "train_trend"), ("validation", "val_trend"))
             if ev[key] < -th.still_falling]
    return " and ".join(parts) + f" {window} (threshold {th.still_falling:.0%})"


def _good_fit_reason(ev: dict, th: Thresholds) -> str:
    """The sentence says only what the trends show."""
    window = f"over the last {ev['trend_window']} epochs"
    if ev["train_trend"] < -th.still_falling:
        return (f"training and validation agree, and validation has levelled off "
                f"({ev['val_trend']:+.0%} {window}) while the training loss still falls "
                f"{-ev['train_trend']:.0%}: watch the gap, it can only grow from here")
    return (f"training and validation agree and have settled (training "
            f"{ev['train_trend']:+.0%}, validation {ev['val_trend']:+.0%} {window})")


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
    turned = ev["epochs_since_turn"] >= th.turn_epochs
    if ev["val_rise"] > th.val_rise and turned:
        reasons.append(f"validation loss turned at epoch {ev['val_turn_epoch']} and has risen "
                       f"{ev['val_rise']:.0%} above its minimum over {ev['epochs_since_turn']} "
                       f"epochs (thresholds {th.val_rise:.0%}, {th.turn_epochs} epochs)")
    elif turned and ev["val_trend"] > 0 and ev["train_trend"] < -th.still_falling:
        # the curves part: validation creeps up while training still falls
        # fast. A smaller rise than the rule above, but the two trends
        # together are the chapter's picture of memorising.
        reasons.append(f"validation loss turned at epoch {ev['val_turn_epoch']} and has crept "
                       f"up since ({ev['epochs_since_turn']} epochs; "
                       f"{ev['val_trend']:+.0%} over the "
                       f"last {ev['trend_window']}) while the training loss fell "
                       f"{-ev['train_trend']:.0%} (threshold {th.still_falling:.0%})")
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


def diagnose(source: LogSource, *, model: Sequential | None = None,
             thresholds: Thresholds | None = None, framework: str | None = None,
             format: str = "auto") -> Diagnosis:
    """Diagnose a training run from its curves.

    Args:
        source: a regkit ``History``, a Keras ``History`` or its ``.history``
            dict (``loss``, ``val_loss``, ``accuracy``/``acc``, ...), any dict
            of per-epoch lists, or a path to a CSV (Keras CSVLogger,
            Lightning ``metrics.csv``, ``History.to_csv``), a JSON file (also a
            Hugging Face ``trainer_state.json``) or a TensorBoard log folder or
            event file. See
            :mod:`regkit.detector.logs`.
        model: optional trained ``Sequential``: adds the largest and mean
            |weight| to the evidence, and its Dropout ``p``, regularizers and
            BatchNorm layers tailor the suggestions.
        thresholds: a :class:`Thresholds` to replace the defaults.
        framework: write the suggestions as code of ``"regkit"``,
            ``"keras"``, ``"pytorch"``, ``"lightning"`` or ``"sklearn"``, with
            every strength in that library's convention (see
            :mod:`regkit.detector.frameworks`). None: the library that wrote
            the log, as far as its format tells (regkit when it does not, or
            when ``model`` is given).
        format: for a path, ``"auto"`` or the format to insist on (see
            :func:`regkit.detector.logs.load`).

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
    if framework is not None:
        check_framework(framework)
    run = load(source, format)
    # a regkit model passed in means regkit code, whatever named the columns
    framework = framework or ("regkit" if model is not None else run.framework) or "regkit"
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
    ev["stopped_early"] = run.stopped_epoch is not None
    ev["nonfinite"] = int(sum(np.count_nonzero(~np.isfinite(u)) for u in used))
    ev["nonfinite_epoch"] = int(series["epoch"][bad[0]]) if bad.size else None
    for key in ("max_abs_weight", "mean_abs_weight"):
        if key in facts:
            ev[key] = facts[key]
    verdict, reasons = _decide(ev, th, has_acc and finite > 0)
    return Diagnosis(verdict=verdict, reasons=reasons, evidence=ev,
                     suggestions=suggest(verdict, facts, ev, th,
                                         Advice(framework, facts.get("batch_size"))),
                     best_epoch=ev["best_epoch"],
                     series={k: v for k, v in series.items() if k in run.series},
                     config=facts, thresholds=th, source=run.source, framework=framework)
