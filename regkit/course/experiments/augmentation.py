"""Notebook 06 (data augmentation): the experiments (NumPy + regkit, no drawing).

* :data:`SLIDERS`, :func:`transform`, :func:`label` - every transform of
  ``rk.augment`` with its strength keyword, as a callable and as text;
* :func:`gallery_rows` - the same digits under each transform (what the
  gallery shows);
* :func:`train` - a small MLP (``Flatten`` first) on 100 digit images,
  with an optional augmentation of the training batches (seeded, one BLAS
  thread via ``rk.fit``);
* :func:`strength_grid` - :func:`train` for several strengths of several
  transforms (what the small multiples and the dashboard draw; computed once);
* :func:`field_sets` - the validation digits tilted by exactly +-15 degrees and
  moved by exactly one pixel: fixed test sets for "what if the real data
  vary like that", built without any random augmentation.

The figures drawn from these are in :mod:`regkit.course.plots.augmentation`.
"""
from __future__ import annotations

import functools

import numpy as np

from ... import augment, datasets
from ...losses import SoftmaxCrossEntropy
from ...mlp import mlp
from ...network import Sequential
from ...optim import Adam
from ...training import fit
from .choose import seed_sweep

#: transform -> (keyword, default, slider low, high, step): the gallery's sliders
SLIDERS = {
    "shift": ("pixels", 1, 0, 3, 1),
    "rotate": ("degrees", 15.0, 0.0, 90.0, 5.0),
    "zoom": ("factor", 0.1, 0.0, 0.5, 0.05),
    "gaussian_noise": ("sigma", 0.1, 0.0, 0.5, 0.05),
    "cutout": ("size", 3, 0, 6, 1),
    "brightness": ("delta", 0.2, 0.0, 1.0, 0.1),
    "contrast": ("factor", 0.2, 0.0, 1.0, 0.1),
    "hflip": ("p", 0.5, 0.0, 1.0, 0.25),
}
#: the training experiment: 10 images per class, a small MLP, long enough to fit them
CFG = {"n_train": 100, "width": 128, "epochs": 60, "lr": 3e-3, "batch_size": 20}
#: the strengths swept per transform (0 = no augmentation, shared by all)
GRID = {"rotate": (0.0, 10.0, 20.0, 30.0, 45.0), "zoom": (0.0, 0.1, 0.2, 0.3),
        "gaussian_noise": (0.0, 0.1, 0.2, 0.4), "cutout": (0, 2, 3, 4), "shift": (0, 1, 2)}


def transform(name: str, strength):
    """``rk.augment.<name>`` with its strength fixed, e.g. ``transform("rotate", 15)``
    is ``partial(rotate, degrees=15)``."""
    if name not in SLIDERS:
        raise ValueError(f"transform must be one of {sorted(SLIDERS)}, got {name!r}")
    return functools.partial(augment.TRANSFORMS[name], **{SLIDERS[name][0]: strength})


def label(name: str, strength) -> str:
    """``"rotate(degrees=15)"``: a transform and its strength as code."""
    return f"{name}({SLIDERS[name][0]}={strength:g})"


def gallery_rows(images, strengths: dict, seed: int = 0) -> tuple[list, list]:
    """The original images, then each transform of ``strengths`` (name ->
    strength) applied to them. Each transform draws from its own seeded
    generator, so changing one strength changes only its own row.

    Returns ``(rows, labels)``: a list of ``(n, h, w)`` arrays and their names."""
    rows, labels = [np.asarray(images)], ["original"]
    for k, (name, strength) in enumerate(strengths.items()):
        rows.append(transform(name, strength)(images, rng=seed + 1 + k))
        labels.append(label(name, strength))
    return rows, labels


# -- the experiment --------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def load(n_train: int = CFG["n_train"]):
    """The digits as images ``(n, 8, 8)``, with ``n_train`` training images."""
    return datasets.digits(n_train=n_train, flatten=False, random_state=0)


def first_of_each_class(n_classes: int = 8):
    """The first training image of each class 0..n_classes-1 (the gallery's digits)."""
    d = load()
    return d.x_train[[int(np.flatnonzero(d.y_train == c)[0]) for c in range(n_classes)]]


def small_mlp(width: int = CFG["width"], rng=0) -> Sequential:
    """``Flatten -> Dense(64, width) -> ReLU -> Dense(width, 10)``: Flatten first,
    so fit can hand the augmentation whole images. One generator (``rng``)
    draws every weight."""
    return mlp((64, width, 10), flatten=True, rng=rng)


def train(aug=None, *, seed: int = 0, data=None, **cfg) -> dict:
    """Train :func:`small_mlp` on few digit images, augmenting each training batch
    with ``aug`` (None: no augmentation). ``cfg`` overrides :data:`CFG`.

    Returns ``{"model", "history", "data"}``. About 0.1-0.4 s on one thread.
    """
    cfg = {**CFG, **cfg}
    data = data if data is not None else load(cfg["n_train"])
    model = small_mlp(cfg["width"], seed)
    history = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
                  optimizer=Adam(model.parameters(), lr=cfg["lr"]), epochs=cfg["epochs"],
                  batch_size=cfg["batch_size"], validation_data=(data.x_val, data.y_val),
                  augment=aug, rng=seed, progress=False)
    return {"model": model, "history": history, "data": data}


def accuracy(model, x, y) -> float:
    """Share of ``x`` that ``model`` labels correctly (eval mode)."""
    return float(np.mean(model.predict(x).argmax(axis=1) == y))


def strength_grid(grid: dict | None = None, *, seed: int = 0, **cfg) -> dict:
    """``{(name, strength): train(transform(name, strength))}`` over ``grid``
    (default :data:`GRID`). Strength 0 is trained once, without augmentation,
    and shared by every transform. Each run also gets ``"field"``: its
    accuracy on the fixed variants of :func:`field_sets`."""
    grid = GRID if grid is None else grid
    cfg = {**CFG, **cfg}
    data = load(cfg["n_train"])
    field = field_sets(data.x_val, data.y_val)
    out, plain = {}, None
    for name, strengths in grid.items():
        for s in strengths:
            if s == 0:
                plain = plain or train(None, seed=seed, data=data, **cfg)
                run = plain
            else:
                run = train(transform(name, s), seed=seed, data=data, **cfg)
            run["field"] = {k: accuracy(run["model"], x, y) for k, (x, y) in field.items()}
            out[(name, s)] = run
    return out


def field_sets(x, y) -> dict:
    """Fixed variants of the validation images ``x`` (n, 8, 8): tilted by
    exactly +15 / -15 degrees (alternating), and moved by exactly one pixel
    right and down. Built deterministically (scipy.ndimage), never re-drawn:
    a stand-in for data that really vary like that (another scanner, another
    way of cropping). ``{name: (x_variant, y)}``."""
    from scipy import ndimage
    tilted = np.stack([ndimage.rotate(img, 15.0 if i % 2 else -15.0, reshape=False, order=1,
                                      mode="constant", cval=0.0) for i, img in enumerate(x)])
    moved = np.zeros_like(x)
    moved[:, 1:, 1:] = x[:, :-1, :-1]
    return {"tilted 15°": (np.clip(tilted, 0, 1).astype(x.dtype), y), "moved 1 px": (moved, y)}


#: the rotation strengths and seeds notebook 06 chooses from, on tilted validation digits
TILT_DEGREES, CHOICE_SEEDS = (0.0, 10.0, 20.0, 30.0, 45.0), range(4)


def field_scores(name: str, strengths, seeds, field: str = "tilted 15°", **cfg) -> dict:
    """Accuracy on a fixed variant (:func:`field_sets`) for every strength and seed.

    Each seed draws its own training digits (and split) and initial weights,
    and trains :func:`small_mlp` with ``transform(name, strength)`` (strength
    0: no augmentation). The validation score is the accuracy on the
    ``field`` variant of the validation images, the test score on the same
    variant of the test images. Returns ``{"val": (n_seeds, n_strengths),
    "test": ...}`` (:func:`regkit.course.experiments.choose.seed_sweep`);
    choose with ``val``, report the choice's ``test`` once.
    """
    cfg = {**CFG, **cfg}

    def train_and_score(strength, seed):
        data = datasets.digits(n_train=cfg["n_train"], flatten=False, random_state=seed)
        run = train(transform(name, strength) if strength else None, seed=seed, data=data, **cfg)
        return tuple(accuracy(run["model"], *field_sets(x, y)[field])
                     for x, y in ((data.x_val, data.y_val), (data.x_test, data.y_test)))

    return seed_sweep(train_and_score, strengths, seeds)

