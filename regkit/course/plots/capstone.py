"""Notebook 08 (the capstone): the experiments and the figures drawn from them.

The capstone trains one wide network on few digits, asks the overfit
detector what is wrong, then applies its prescriptions with
:func:`regkit.detector.comparison`. This module holds the settings every part of the
notebook shares, so the notebook, ``make figures`` and the dashboard train
exactly the same runs:

* :data:`SETTINGS` - the network, the optimizer and each technique's strength;
* :func:`digit_augment` - the augmentation tuned for 8x8 digits;
* :func:`capstone_data` - few digits as images, optionally with a share of
  wrong labels (where memorising really hurts);
* :func:`run_compare` - ``rk.compare`` with :data:`SETTINGS`;
* :func:`train_combo` - any subset of the techniques, trained exactly as
  ``rk.compare`` trains one (same seeds, same batches), for the dashboard;
* :func:`summary_rows` - the numbers of a comparison, plus the final
  model's validation loss and, with wrong labels, its accuracy on the true
  training labels.

Figures: :func:`gap_bars` (train / validation / test accuracy per technique,
the gap between them) and :func:`combo_view` (one run: curves and verdict,
the dashboard's picture).
"""
from __future__ import annotations

import time
from functools import partial

import matplotlib.pyplot as plt
import numpy as np

from ... import augment as A
from ... import datasets
from ..._rng import as_rng
from ..._rng import seed as _seed
from ...callbacks import EarlyStopping
from ...detector.comparison import Comparison, compare, mlp
from ...losses import SoftmaxCrossEntropy
from ...optim import Adam
from ...training import fit
from ...detector.plot import VERDICT_COLOURS
from ...style import PALETTE, TEST, TRAIN, VAL, rk_style

#: The techniques in the order the detector prescribes them (chapter 9.2).
STEPS = ("none", "batchnorm", "augmentation", "l2", "dropout", "early_stopping", "all")
#: The five techniques that can be switched on and off.
TECHNIQUES = ("batchnorm", "augmentation", "l2", "dropout", "early_stopping")

#: One wide network, few digits, Adam; each technique at the chapter's
#: starting strength (L2 1e-3, dropout 0.5, patience 10-20).
SETTINGS = {"n_train": 100, "hidden": (256, 256), "epochs": 100, "lr": 1e-3,
            "batch_size": 32, "l2": 1e-3, "dropout": 0.5, "patience": 20, "seed": 0}
#: The wrong-labels variant: more images, 30% of their labels replaced; 70
#: epochs are enough (the combined run stops itself before).
NOISY = {"n_train": 300, "label_noise": 0.3, "epochs": 70}


def digit_augment():
    """Rotations up to ±15°, zoom up to ±10%, pixel noise of 0.1, per image.

    No shifts: on 8x8 digits one pixel is an eighth of the image, and in our
    runs 1-pixel shifts cost the wide MLP several points of accuracy.
    """
    return A.Compose([partial(A.rotate, degrees=15), partial(A.zoom, factor=0.1),
                      partial(A.gaussian_noise, sigma=0.1)])


def flip_labels(y, fraction: float, num_classes: int = 10, rng=1):
    """Replace ``fraction`` of the labels by a different class, drawn at random.

    Returns ``(y_noisy, flipped)``: a new int array and a bool mask of the
    changed entries. ``y`` itself is not modified.
    """
    gen = as_rng(rng)
    y = np.asarray(y)
    flipped = gen.random(len(y)) < fraction
    offset = gen.integers(1, num_classes, size=len(y))    # never 0: a real change
    y_noisy = np.where(flipped, (y + offset) % num_classes, y).astype(y.dtype)
    return y_noisy, flipped


def capstone_data(n_train: int | None = None, label_noise: float = 0.0, *, seed: int = 0):
    """Digits as images ``(n, 8, 8)``, ``n_train`` training images (stratified).

    With ``label_noise > 0`` that share of the *training* labels is wrong
    (validation and test stay clean). Returns ``(data, y_train_true)``.
    """
    n_train = SETTINGS["n_train"] if n_train is None else n_train
    data = datasets.digits(n_train=n_train, flatten=False, random_state=seed)
    y_true = data.y_train
    if label_noise:
        y_noisy, _ = flip_labels(y_true, label_noise, rng=seed + 1)
        data = data._replace(y_train=y_noisy)
    return data, y_true


def _settings(overrides):
    unknown = set(overrides) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}; known: {sorted(SETTINGS)}")
    return {**SETTINGS, **overrides}


def run_compare(data, techniques=STEPS, **overrides) -> Comparison:
    """``rk.compare`` on ``data`` with :data:`SETTINGS` and :func:`digit_augment`."""
    s = _settings(overrides)
    return compare(mlp(int(np.prod(data.x_train.shape[1:])), s["hidden"], 10),
                   list(techniques), data, epochs=s["epochs"], lr=s["lr"],
                   batch_size=s["batch_size"], l2=s["l2"], dropout=s["dropout"],
                   patience=s["patience"], augment=digit_augment(), seed=s["seed"])


def combo_name(on) -> str:
    """A run's name from its set of techniques: "none", "all" or "batchnorm+l2"."""
    on = [t for t in TECHNIQUES if t in set(on)]
    return "none" if not on else "all" if len(on) == len(TECHNIQUES) else "+".join(on)


def techniques_of(name: str) -> frozenset:
    """The inverse of :func:`combo_name` (also accepts compare's single names)."""
    if name == "none":
        return frozenset()
    if name == "all":
        return frozenset(TECHNIQUES)
    parts = frozenset(name.split("+"))
    if not parts <= set(TECHNIQUES):
        raise ValueError(f"unknown technique(s) in {name!r}; known: {TECHNIQUES}")
    return parts


def train_combo(on, data, **overrides) -> Comparison:
    """Train with any subset ``on`` of :data:`TECHNIQUES`, exactly as ``rk.compare``
    trains a single technique (same reseeding, same batches and masks), so a
    single technique here gives the very run ``compare`` gives.

    Returns a one-row :class:`regkit.Comparison` named by :func:`combo_name`.
    """
    on = frozenset(on)
    unknown = on - set(TECHNIQUES)
    if unknown:
        raise ValueError(f"unknown technique(s) {sorted(unknown)}; known: {TECHNIQUES}")
    s = _settings(overrides)
    _seed(s["seed"])
    build = mlp(int(np.prod(data.x_train.shape[1:])), s["hidden"], 10)
    model = build(dropout=s["dropout"] if "dropout" in on else 0.0,
                  batchnorm="batchnorm" in on, l2=s["l2"] if "l2" in on else 0.0)
    stop = [EarlyStopping(patience=s["patience"])] if "early_stopping" in on else []
    start = time.perf_counter()
    history = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
                  optimizer=Adam(model.parameters(), lr=s["lr"]), epochs=s["epochs"],
                  batch_size=s["batch_size"], validation_data=(data.x_val, data.y_val),
                  callbacks=stop, augment=digit_augment() if "augmentation" in on else None,
                  rng=s["seed"], progress=False)
    result = Comparison()
    result.add(combo_name(on), model, history, data, time.perf_counter() - start)
    return result


def summary_rows(comparison: Comparison, data, y_train_true=None) -> list[dict]:
    """``comparison.table`` plus ``val_loss`` (the final model's, eval mode) and,
    when ``y_train_true`` is given, ``train_true_acc`` (accuracy on the
    training images against their *true* labels)."""
    rows, loss = [], SoftmaxCrossEntropy()
    for row in comparison.table:
        model = comparison.models[row["technique"]]
        extra = {"val_loss": float(loss.forward(model.predict(data.x_val), data.y_val))}
        if y_train_true is not None:
            pred = model.predict(data.x_train).argmax(axis=1)
            extra["train_true_acc"] = float(np.mean(pred == y_train_true))
        rows.append({**row, **extra})
    return rows


# -- figures -------------------------------------------------------------------
#: Short axis labels for the technique names.
SHORT = {"none": "none", "batchnorm": "batch\nnorm", "augmentation": "augment",
         "l2": "L2", "dropout": "dropout", "early_stopping": "early\nstop", "all": "all"}


def gap_bars(rows, *, title: str = "", ax=None, true_labels: bool = False, legend: bool = True):
    """Train, validation and test accuracy per technique; the gap written above.

    Args:
        rows: from :func:`summary_rows` (or ``Comparison.table``).
        title: the panel title.
        ax: an Axes to draw into, or None for a new figure.
        true_labels: also draw the accuracy on the true training labels
            (rows need ``train_true_acc``).
        legend: draw the legend under the panel.

    Returns:
        matplotlib Figure.
    """
    series = [("train_acc", "train", TRAIN), ("val_acc", "validation", VAL),
              ("test_acc", "test", TEST)]
    if true_labels:
        series.insert(1, ("train_true_acc", "train, true labels", PALETTE["sky"]))
    with rk_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(1.2 * len(rows) + 2.0, 4.6))
        fig = ax.figure
        x = np.arange(len(rows))
        width = 0.8 / len(series)
        for i, (key, label, colour) in enumerate(series):
            ax.bar(x + (i - (len(series) - 1) / 2) * width, [r[key] for r in rows], width,
                   color=colour, label=label)
        for xi, r in zip(x, rows):
            ax.text(xi, 1.01, f"{r['train_acc'] - r['val_acc']:+.2f}", ha="center",
                    va="bottom", fontsize=10)
        ax.text(-0.6, 1.055, "gap (train - val):", fontsize=10, va="bottom")
        ax.set_xticks(x, [SHORT.get(r["technique"], r["technique"]) for r in rows],
                      fontsize=10)
        bottom = max(0.0, np.floor(20 * min(min(r[k] for r in rows)
                                            for k, _, _ in series)) / 20 - 0.05)
        ax.set_ylim(bottom, 1.1)
        ax.set_yticks(np.arange(bottom, 1.001, 0.05))
        ax.set_ylabel("accuracy")
        if legend:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(series),
                      fontsize=10, frameon=False)
        ax.grid(axis="x", visible=False)
        if title:
            ax.set_title(title, pad=14)
        fig.tight_layout()
    return fig


def before_after(clean_rows, noisy_rows):
    """The two capstone stories side by side: clean digits and 30% wrong labels."""
    with rk_style():
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
        gap_bars(clean_rows, ax=axes[0],
                 title=f"{SETTINGS['n_train']} clean digits")
        gap_bars(noisy_rows, ax=axes[1], true_labels=True,
                 title=f"{NOISY['n_train']} digits, {NOISY['label_noise']:.0%} wrong labels")
        fig.tight_layout()
    return fig


def combo_view(run: dict, *, loss_max: float = 2.0):
    """One run as the dashboard shows it: accuracy and loss curves, test
    accuracy as a line, best epoch marked, verdict in the title.

    ``run``: ``{"history", "row", "verdict"}`` (see
    :func:`regkit.course.widgets.capstone.capstone_dashboard`). The x axis spans the
    epoch budget, so a run that stopped early visibly ends early.
    """
    h, row = run["history"], run["row"]
    x = np.arange(len(h.train_loss))
    with rk_style():
        fig, (acc_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 3.9))
        acc_ax.plot(x, h.train_acc, color=TRAIN, label="train")
        acc_ax.plot(x, h.val_acc, color=VAL, label="validation")
        acc_ax.axhline(row["test_acc"], color=TEST, linestyle=":",
                       label=f"test (final model) {row['test_acc']:.3f}")
        acc_ax.set_ylim(0.5, 1.02)
        acc_ax.set_ylabel("accuracy")
        loss_ax.plot(x, h.train_loss, color=TRAIN, label="train")
        loss_ax.plot(x, h.val_loss, color=VAL, label="validation")
        loss_ax.set_ylim(0.0, loss_max)
        loss_ax.set_ylabel("loss")
        for axis in (acc_ax, loss_ax):
            axis.set_xlim(0, h.config.get("epochs", len(x)))
            axis.set_xlabel("epoch")
            if h.best_epoch is not None:
                axis.axvline(h.best_epoch, color=PALETTE["grey"], linestyle="--", linewidth=1.5)
        acc_ax.legend(loc="lower right", fontsize=10)
        fig.suptitle(f"{row['technique']}: {run['verdict']}  ·  gap {row['gap']:+.3f}",
                     color=VERDICT_COLOURS.get(run["verdict"], "black"), fontweight="bold")
        # fixed margins: tight_layout would cost a third of a dashboard update
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.86, wspace=0.22)
    return fig
