"""Calibration: does a classifier's confidence match how often it is right?

A classifier is *calibrated* when, among the predictions it makes with
confidence 0.8, about 80% are correct. The usual summary is the expected
calibration error (ECE, Naeini et al. 2015; Guo et al. 2017): sort the
predictions into ``n_bins`` equal-width bins by their confidence (the largest
softmax probability), and average, weighted by bin size, the gap between each
bin's accuracy and its mean confidence::

    ECE = sum over bins b of  (n_b / n) * |acc(b) - conf(b)|

0 is perfect; a network that says 0.99 and is right 90% of the time has an
ECE near 0.09. Pure NumPy, no loop over samples.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..._validate import check_int

__all__ = ["Reliability", "reliability_bins", "expected_calibration_error"]

#: Per-bin summary: ``edges`` (n_bins + 1,), and for each bin ``count``,
#: ``confidence`` (mean max-probability) and ``accuracy`` (NaN for an empty bin).
Reliability = namedtuple("Reliability", ["edges", "count", "confidence", "accuracy"])


def _check(probs, y):
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[1] < 1 or probs.dtype.kind not in "fiu":
        raise ValueError(f"probs must be a 2-D array of probabilities (n, classes), "
                         f"got dtype {probs.dtype} shape {probs.shape}")
    if not np.all(np.isfinite(probs)):
        raise ValueError("probs contains NaN or infinite values")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probs rows must be non-negative and sum to 1 (apply softmax to "
                         f"scores first); got row sums in [{probs.sum(axis=1).min():.4g}, "
                         f"{probs.sum(axis=1).max():.4g}]")
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"y must be 1-D int labels, got dtype {y.dtype} shape {y.shape}")
    if len(y) != len(probs):
        raise ValueError(f"y has {len(y)} labels but probs has {len(probs)} rows")
    if len(y) == 0:
        raise ValueError("probs and y are empty")
    k = probs.shape[1]
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"y must be in [0, {k - 1}] for probs with {k} columns, "
                         f"got values in [{y.min()}, {y.max()}]")
    return probs, y


def reliability_bins(probs, y, n_bins: int = 10) -> Reliability:
    """Accuracy and mean confidence per confidence bin (a reliability diagram).

    Bins are equal-width and closed on the right: bin ``b`` holds the
    predictions whose confidence ``c`` satisfies ``b/n_bins < c <= (b+1)/n_bins``
    (a confidence of exactly 0 goes to the first bin), as in Guo et al. (2017).

    Args:
        probs: (n, classes) predicted probabilities, rows summing to 1.
        y: (n,) int true labels.
        n_bins: number of bins, >= 1.

    Returns:
        :class:`Reliability` with ``edges`` (n_bins + 1,) and per bin ``count``
        (int), ``confidence`` and ``accuracy`` (float64, NaN where the bin is
        empty).
    """
    probs, y = _check(probs, y)
    n_bins = check_int("n_bins", n_bins, low=1)
    conf = probs.max(axis=1).astype(np.float64)
    correct = (probs.argmax(axis=1) == y).astype(np.float64)
    # right-closed bins: ceil(c * n) - 1, with c = 0 put into bin 0
    idx = np.clip(np.ceil(conf * n_bins).astype(np.intp) - 1, 0, n_bins - 1)
    count = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(idx, weights=conf, minlength=n_bins) / count
        acc = np.bincount(idx, weights=correct, minlength=n_bins) / count
    return Reliability(np.linspace(0.0, 1.0, n_bins + 1), count, mean_conf, acc)


def expected_calibration_error(probs, y, n_bins: int = 10) -> float:
    """ECE: the bin-size-weighted mean of ``|accuracy - confidence|`` over bins.

    ``ECE = sum_b (n_b / n) * |acc(b) - conf(b)|``, where ``conf`` is the
    largest probability of each row and ``acc`` whether its argmax is the
    label; bins as in :func:`reliability_bins`. Empty bins contribute 0.

    The same quantity as torchmetrics' ``MulticlassCalibrationError(norm="l1")``
    (top-label ECE with equal-width bins); libraries differ only in which bin
    a confidence lying exactly on an edge joins. The value depends on
    ``n_bins``: compare models with the same number of bins.

    Args:
        probs: (n, classes) predicted probabilities (softmax of the scores).
        y: (n,) int true labels.
        n_bins: number of equal-width confidence bins, >= 1.

    Returns:
        The ECE in [0, 1], a Python float.
    """
    rel = reliability_bins(probs, y, n_bins)
    full = rel.count > 0
    weights = rel.count[full] / rel.count.sum()
    return float(np.sum(weights * np.abs(rel.accuracy[full] - rel.confidence[full])))
