"""Every verdict's sentence is true of the numbers it prints, on a grid of synthetic runs.

The grid crosses how fast the training loss falls, whether and how fast the
validation loss turns up, the accuracy gap, noise, the run's length and
whether early stopping ended it. On every run the checks below hold; they
are what the report's sentences claim.
"""
import itertools
import re

import numpy as np
import pytest

import regkit as rk
from regkit.detector.thresholds import Thresholds

TH = Thresholds()


def _run(epochs, tau, turn, rise, gap, noise, stopped, seed=0):
    e = np.arange(epochs, dtype=float)
    train = 1.2 * np.exp(-e / tau) + 0.05
    val = 1.25 * np.exp(-e / (tau * 1.1)) + 0.15
    if turn is not None and turn < epochs:
        val = np.where(e <= turn, val, val[min(turn, epochs - 1)] * (1 + rise * (e - turn)))
    rng = np.random.default_rng(seed)
    val = val * (1 + noise * rng.standard_normal(epochs))
    train_acc = np.clip(1.0 - 0.5 * train, 0, 1)
    val_acc = np.clip(train_acc - gap * (1 - np.exp(-e / tau)), 0, 1)
    log = {"train_loss": train.tolist(), "val_loss": val.tolist(),
           "train_acc": train_acc.tolist(), "val_acc": val_acc.tolist()}
    if stopped:
        log["stopped_epoch"] = epochs - 1
    return log


GRID = list(itertools.product(
    (8, 20, 40, 80),                    # epochs
    (4.0, 12.0, 60.0),                  # how slowly the training loss falls
    (None, 0.5, 0.8),                   # validation turns at this fraction of the run
    (0.002, 0.006, 0.02),               # ... and then rises by this much per epoch
    (0.0, 0.07, 0.15),                  # train - validation accuracy gap
    (0.0, 0.01),                        # noise on the validation loss
    (False, True),                      # early stopping ended the run
))


def _percent(text):
    return [float(x) for x in re.findall(r"([-+]?\d+)%", text)]


@pytest.mark.parametrize("chunk", range(8))
def test_verdict_sentences_hold_on_the_grid(chunk):
    for epochs, tau, turn_at, rise, gap, noise, stopped in GRID[chunk::8]:
        turn = None if turn_at is None else int(turn_at * epochs)
        log = _run(epochs, tau, turn, rise, gap, noise, stopped)
        d = rk.diagnose(log)
        ev, why = d.evidence, " ".join(d.reasons)
        case = (epochs, tau, turn, rise, gap, noise, stopped, d.verdict, d.reasons)
        falling_train = ev.get("train_trend", 0) < -TH.still_falling
        falling_val = ev.get("val_trend", 0) < -TH.still_falling
        if d.verdict == "good fit":
            # "settled" only when both trends are flat; never while validation
            # creeps up for turn_epochs and training still falls
            assert ("settled" in why) == (not falling_train and not falling_val), case
            assert not (ev["epochs_since_turn"] >= TH.turn_epochs and ev["val_trend"] > 0
                        and falling_train), case
        if d.verdict == "not converged" and ev["epochs"] >= TH.min_epochs:
            # each "X loss still fell P%" names a loss that did fall more than the threshold
            if "training loss still fell" in why:
                assert falling_train, case
            if "validation loss still fell" in why:
                assert falling_val, case
            # a run early stopping ended is "still learning" only if validation still fell
            if stopped:
                assert falling_val, case
        if d.verdict == "overfitting":
            assert d.reasons and all(p >= 0 for r in d.reasons for p in _percent(r)
                                     if "risen" in r), case
        for reason in d.reasons:            # every number a sentence prints is a measured one
            if "the training loss fell" in reason:
                assert f"{-ev['train_trend']:.0%}" in reason, case


def test_the_reviewers_early_stopped_run_is_overfitting():
    # issue 18: validation up for 9 epochs, training loss down 31%, a 9-point
    # accuracy gap, early stopping ended it; was "GOOD FIT ... have settled"
    e = np.arange(40)
    train = 1.2 * np.exp(-e / 12) + 0.05
    best = 1.25 * np.exp(-30 / 14) + 0.2
    val = np.where(e <= 30, 1.25 * np.exp(-e / 14) + 0.2, best * (1 + 0.007 * (e - 30)))
    train_acc = 0.5 + 0.45 * (1 - np.exp(-e / 8))
    val_acc = train_acc - 0.09 * (1 - np.exp(-e / 8))
    d = rk.diagnose({"train_loss": train, "val_loss": val, "train_acc": train_acc,
                     "val_acc": val_acc, "stopped_epoch": 39, "restored_epoch": 30})
    assert d.verdict == "overfitting", d
    assert "turned at epoch 32 and has crept up since (7 epochs" in d.reasons[0]
    assert "best epoch 30 = restored by early stopping" in str(d)


def test_an_early_stopped_poor_run_is_not_told_to_train_longer():
    e = np.arange(30)
    train = 2.0 * np.exp(-e / 15) + 0.3            # still falling, at a poor level
    turn = 2.0 * np.exp(-20 / 15) + 0.4
    val = np.where(e <= 20, train + 0.1, turn * (1 + 0.01 * (e - 20)))
    acc = 0.5 + 0.1 * e / 30
    log = {"train_loss": train, "val_loss": val, "train_acc": acc, "val_acc": acc - 0.01}
    assert rk.diagnose(log).verdict == "not converged"       # no early stopping: it may go on
    d = rk.diagnose({**log, "stopped_epoch": 29})
    assert d.verdict == "underfitting", d
    assert "early stopping ended the run" in d.reasons[0]
    assert not any("Train for more epochs" in s for s in d.suggestions)


def test_an_early_stopped_run_whose_validation_still_fell_is_told_to_raise_patience():
    e = np.arange(30)
    train = 2.0 * np.exp(-e / 15) + 0.3
    val = train + 0.1                                  # still falling with training
    acc = 0.5 + 0.1 * e / 30
    d = rk.diagnose({"train_loss": train, "val_loss": val, "train_acc": acc,
                     "val_acc": acc - 0.01, "stopped_epoch": 29})
    assert d.verdict == "not converged"
    assert d.suggestions[0].startswith("Early stopping ended the run while a loss still fell")
    assert "raise its patience" in d.suggestions[0]


@pytest.mark.parametrize("hidden, first", [(2, False), (3, True)])
def test_batch_norm_comes_first_only_for_deeper_networks(hidden, first):
    # the course measured batch norm not closing the gap of 1-2 hidden-layer
    # MLPs (notebook 08) and widening the learning rates of a deep one (04)
    sizes = [8] * (hidden + 1) + [2]
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [rk.Dense(a, b, rng=0), rk.ReLU()]
    model = rk.Sequential(*layers[:-1])
    e = np.arange(40)
    log = {"loss": 1.2 * np.exp(-e / 5), "val_loss": 1.3 * np.exp(-e / 5) + 0.4,
           "accuracy": np.minimum(1, 0.5 + e / 20), "val_accuracy": np.minimum(0.8, 0.45 + e / 20)}
    d = rk.diagnose(log, model=model)
    assert d.verdict == "overfitting"
    bn = [i for i, s in enumerate(d.suggestions) if "rk.BatchNorm(width)" in s]
    assert len(bn) == 1
    if first:
        assert bn[0] == 0 and d.suggestions[0].startswith("Add batch normalization")
    else:
        dropout = next(i for i, s in enumerate(d.suggestions) if "dropout" in s.lower())
        assert bn[0] > dropout and "is for deeper networks: with 2 hidden layers" in d.suggestions[bn[0]]
