"""Choosing a knob honestly: several seeds, the mean and its spread, the one-standard-error rule.

One seed's validation curve ranks settings that differ by a few images.
Run each setting with several seeds, look at the mean and the spread, and
among the settings whose mean is within one standard error of the best,
take the most regularized one (Breiman et al., 1984; Hastie, Tibshirani &
Friedman, *The Elements of Statistical Learning*, section 7.10): its score
is as good as the noise lets you tell, and it is the safer bet. The test
set plays no part in the choice; it is looked at once, for the choice.
"""
from __future__ import annotations

import numpy as np


def one_se_choice(values, scores, *, stronger: str = "larger") -> dict:
    """The best setting by mean score, and the one-standard-error choice.

    Args:
        values: the settings, in order (for example the λ grid).
        scores: ``(n_seeds, n_values)``, higher is better (an accuracy).
        stronger: ``"larger"`` when a larger value regularizes more (λ,
            dropout p, augmentation strength), ``"smaller"`` otherwise.

    Returns:
        ``{"mean", "std", "sem", "best", "one_se", "threshold"}``: per-value
        mean, standard deviation and standard error (``std / sqrt(n_seeds)``)
        over the seeds; ``best`` the index of the highest mean; ``one_se`` the
        index of the most regularized value whose mean is at least
        ``mean[best] - sem[best]`` (the ``threshold``).
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2 or scores.shape[1] != len(values) or scores.shape[0] < 2:
        raise ValueError(f"scores must have shape (n_seeds >= 2, {len(values)}), "
                         f"got {scores.shape}")
    if stronger not in ("larger", "smaller"):
        raise ValueError(f"stronger must be 'larger' or 'smaller', got {stronger!r}")
    mean, std = scores.mean(axis=0), scores.std(axis=0, ddof=1)
    sem = std / np.sqrt(scores.shape[0])
    best = int(np.argmax(mean))
    threshold = mean[best] - sem[best]
    within = np.flatnonzero(mean >= threshold)
    order = np.argsort(np.asarray(values, dtype=np.float64))
    ranked = [i for i in order if i in within]
    one_se = int(ranked[-1] if stronger == "larger" else ranked[0])
    return {"mean": mean, "std": std, "sem": sem, "best": best, "one_se": one_se,
            "threshold": float(threshold)}


def seed_sweep(train_and_score, values, seeds) -> dict:
    """Every setting trained with every seed: the scores :func:`one_se_choice` takes.

    Args:
        train_and_score: ``(value, seed) -> (validation score, test score)``;
            each seed should draw its own training subset, split and weights.
        values: the settings of the knob.
        seeds: the seeds.

    Returns:
        ``{"val": (n_seeds, n_values), "test": (n_seeds, n_values)}``. Choose
        with ``val`` only; ``test`` is for reporting the choice, once.
    """
    seeds, values = list(seeds), list(values)
    val = np.zeros((len(seeds), len(values)))
    test = np.zeros_like(val)
    for i, seed in enumerate(seeds):
        for j, value in enumerate(values):
            val[i, j], test[i, j] = train_and_score(value, seed)
    return {"val": val, "test": test}

