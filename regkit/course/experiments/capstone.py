"""Notebook 08 (the capstone): the experiments (NumPy + regkit, no drawing).

The capstone trains one wide network on few digits, asks the overfit
detector what is wrong, then applies its prescriptions with
:func:`regkit.compare`. This module holds the settings every part of the
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
  training labels;
* :func:`notebook_runs` - the notebook's two comparisons, computed once.

The figures drawn from these are in :mod:`regkit.course.plots.capstone`.
"""
from __future__ import annotations

import functools
import time
from functools import partial

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


@functools.lru_cache(maxsize=1)
def notebook_runs() -> dict:
    """Notebook 08's two rk.compare runs (computed once): ``{"clean": (data,
    comparison, summary rows), "noisy": (...)}``; the benchmark of the capstone
    dashboard uses them too."""
    clean, _ = capstone_data()
    noisy, y_true = capstone_data(NOISY["n_train"], NOISY["label_noise"])
    c_clean = run_compare(clean)
    c_noisy = run_compare(noisy, epochs=NOISY["epochs"])
    return {"clean": (clean, c_clean, summary_rows(c_clean, clean)),
            "noisy": (noisy, c_noisy, summary_rows(c_noisy, noisy, y_true))}
