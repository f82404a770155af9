"""`Thresholds`: every number the overfit detector's verdict depends on.

Kept apart from the rules (:mod:`regkit.detector.rules`) so that each value sits
next to the reason for it, and a test can nudge each one across its edge.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass


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
