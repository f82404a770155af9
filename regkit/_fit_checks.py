"""What `rk.fit` checks before training, and the config it records.

Everything is checked once, up front, so a mistake is reported by name
before any time is spent training (and not as a shape error deep inside a
layer in epoch 7).
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_int, check_nonnegative, check_positive
from .callbacks import EarlyStopping
from .losses import SoftmaxCrossEntropy
from .regularizers import strengths

_HOOKS = ("on_train_begin", "on_epoch_end", "on_train_end")


def is_classification(loss) -> bool:
    return isinstance(loss, SoftmaxCrossEntropy)


def check_data(model, x, y, validation_data, loss):
    """Return ``(x, y, (x_val, y_val) or None, classification)``, validated.

    Labels become an integer array, regression targets take x's dtype (so
    float32 data stays float32); arrays that already fit are not copied.
    """
    for name, obj, methods in (("loss", loss, ("forward", "backward")),
                               ("model", model, ("forward", "backward", "predict", "penalty",
                                                 "parameters", "train", "children"))):
        missing = [m for m in methods if not callable(getattr(obj, m, None))]
        if missing:
            raise TypeError(f"{name} must have {', '.join(methods)}; "
                            f"{type(obj).__name__} lacks {', '.join(missing)}")
    classification = is_classification(loss)
    x = _check_inputs("x", x)
    y = _check_targets("y", y, "x", len(x), x.dtype, classification)
    val = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data must be a pair (x_val, y_val), got "
                            f"{type(validation_data).__name__}")
        xv = _check_inputs("validation_data[0]", validation_data[0])
        if xv.shape[1:] != x.shape[1:]:
            raise ValueError(f"validation_data[0] has samples of shape {xv.shape[1:]}, "
                             f"x has {x.shape[1:]}")
        xv = xv.astype(x.dtype, copy=False)
        yv = _check_targets("validation_data[1]", validation_data[1], "validation_data[0]",
                            len(xv), x.dtype, classification)
        if yv.ndim != y.ndim:
            raise ValueError(f"validation_data[1] has shape {yv.shape}, y has {y.shape}")
        val = (xv, yv)
    return x, y, val, classification


def _check_inputs(name, x) -> np.ndarray:
    x = check_array(name, x, finite=False)
    if not _all_finite(x):
        check_array(name, x)                    # raises, naming the argument and the count
    if x.ndim < 2:
        raise ValueError(f"{name} must be (n, features) or (n, height, width), "
                         f"got shape {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{name} has no samples (shape {x.shape})")
    return x


def _all_finite(x, block: int = 2**20) -> bool:
    """``np.isfinite(x).all()``, about ``block`` elements at a time.

    The one-shot version makes a boolean copy of the whole data set (a
    quarter of its size for float32), a peak that training never needs.
    """
    if x.ndim < 2:
        return bool(np.isfinite(x).all())
    rows = max(1, block // max(1, int(np.prod(x.shape[1:]))))
    return all(np.isfinite(x[i:i + rows]).all() for i in range(0, len(x), rows))


def _check_targets(name, y, x_name, n, dtype, classification) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 0 or y.ndim > 2:
        raise ValueError(f"{name} must be (n,) or (n, outputs), got shape {y.shape}")
    if len(y) != n:
        raise ValueError(f"{name} has {len(y)} samples but {x_name} has {n}")
    if classification and y.ndim == 1:
        if y.dtype.kind == "f":
            check_array(name, y)
            if not np.all(y == np.round(y)):
                raise ValueError(f"{name} must hold integer class labels, got "
                                 f"non-integer values such as {y[y != np.round(y)][0]!r}")
            y = y.astype(np.intp)
        elif y.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
        return y
    # regression targets, or probability rows for classification
    return check_array(name, y).astype(dtype, copy=False)


def check_model_output(model, x, y, val, classification) -> int:
    """The model's output width, after checking the targets fit it."""
    out = np.asarray(model.predict(x[:1]))
    if out.ndim != 2:
        raise ValueError(f"the model must output (batch, outputs) scores, got shape "
                         f"{out.shape} for one sample")
    width = out.shape[1]
    pairs = [("y", y)] + ([("validation_data[1]", val[1])] if val is not None else [])
    for name, target in pairs:
        if target.ndim == 2 and target.shape[1] != width:
            raise ValueError(f"{name} has {target.shape[1]} columns but the model "
                             f"outputs {width}")
        if target.ndim == 1 and classification:
            low, high = int(target.min()), int(target.max())
            if low < 0 or high >= width:
                bad = low if low < 0 else high
                raise ValueError(f"{name} contains label {bad}, but the model outputs "
                                 f"{width} scores, so labels must be in [0, {width})")
        if target.ndim == 1 and not classification and width != 1:
            raise ValueError(f"{name} has shape {target.shape} but the model outputs "
                             f"{width} values per sample; give (n, {width}) targets")
    return width


def check_optimizer(model, optimizer) -> None:
    """The optimizer must be one and must update this model's parameters.

    The usual notebook slip is re-running the cell that builds the model but
    not the one that builds the optimizer: the old optimizer then updates
    the old model's arrays, and training reports the same loss every epoch.
    An optimizer that holds only some of the model's parameters is allowed
    (the others stay frozen); one holding parameters the model does not
    have is not.
    """
    if not all(callable(getattr(optimizer, hook, None)) for hook in ("step", "zero_grad")):
        raise TypeError(f"optimizer must be a regkit optimizer built over the model's "
                        f"parameters (e.g. rk.Adam(model.parameters())), got {optimizer!r}")
    params = getattr(optimizer, "params", None)
    if params is None:          # a home-made optimizer: it knows what it updates
        return
    own = {id(p) for p in model.parameters()}
    foreign = sum(id(p) not in own for p in params)
    if foreign:
        raise ValueError(f"optimizer holds {foreign} of its {len(params)} parameters from "
                         "another model, so training would not change this one; build it "
                         "over this model: optimizer = rk.Adam(model.parameters()) (after "
                         "re-running the model's cell, re-run the optimizer's too)")


def check_options(*, epochs, batch_size, augment, mixup_alpha, clip_norm, max_norm,
                  shuffle, progress, callbacks, classification):
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function f(batch, rng=...) or None, "
                        f"got {augment!r}")
    mixup_alpha = check_nonnegative("mixup_alpha", mixup_alpha)
    if mixup_alpha > 0 and not classification:
        raise ValueError("mixup_alpha > 0 needs a classification loss "
                         "(rk.SoftmaxCrossEntropy); mixup blends class labels")
    if clip_norm is not None:
        check_positive("clip_norm", clip_norm)
    if max_norm is not None:
        check_positive("max_norm", max_norm)
    for name, flag in (("shuffle", shuffle), ("progress", progress)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    return epochs, batch_size, {"callbacks": _check_callbacks(callbacks)}


def _check_callbacks(callbacks) -> list:
    if callbacks is None:
        return []
    if any(hasattr(callbacks, h) for h in _HOOKS):     # a single callback
        return [callbacks]
    try:
        callbacks = list(callbacks)
    except TypeError:
        raise TypeError(f"callbacks must be a list of callbacks, got {callbacks!r}") from None
    for i, cb in enumerate(callbacks):
        if not any(callable(getattr(cb, h, None)) for h in _HOOKS):
            raise TypeError(f"callbacks[{i}] has none of {', '.join(_HOOKS)}: {cb!r}")
    return callbacks


# -- what the run used, for rk.diagnose ------------------------------------------
def run_config(model, x, loss, optimizer, epochs, batch_size, augment, mixup_alpha,
               clip_norm, max_norm, callbacks) -> dict:
    """The ``history.config`` keys documented in :class:`regkit.History`."""
    stoppers = [cb for cb in callbacks if isinstance(cb, EarlyStopping)]
    return {
        "optimizer": type(optimizer).__name__,
        "lr": _number(getattr(optimizer, "lr", None)),
        "weight_decay": _number(getattr(optimizer, "weight_decay", 0.0)),
        "batch_size": batch_size,
        "epochs": epochs,
        "n_train": len(x),
        "images": x.ndim == 3,
        **layer_facts(model.modules()),
        "augment": augment is not None,
        "mixup_alpha": mixup_alpha,
        "label_smoothing": float(getattr(loss, "label_smoothing", 0.0)),
        "clip_norm": None if clip_norm is None else float(clip_norm),
        "max_norm": None if max_norm is None else float(max_norm),
        "early_stopping": stoppers[0].patience if stoppers else None,
        "n_params": int(sum(p.data.size for p in model.parameters())),
    }


def _is(layer, kind: str) -> bool:
    # By the class name, so that a learner's own layers count too (notebook 09's
    # Dense, Dropout and BatchNorm, or a SolutionDropout), as regkit's do.
    return type(layer).__name__.endswith(kind)


def layer_facts(layers) -> dict:
    """What the layers use: ``dropout`` (list of p), ``l1``, ``l2`` (largest
    strengths), ``batchnorm`` and ``hidden_layers``.

    A layer's strengths come from its ``regularizer`` (regkit's Dense) or,
    without one, from its own ``l1``/``l2`` attributes (the project's Dense
    of notebook 09, which writes the penalty itself).
    """
    layers = list(layers)
    l1 = l2 = 0.0
    for layer in layers:
        reg = getattr(layer, "regularizer", None)
        if reg is not None:
            layer_l1, layer_l2 = strengths(reg)
        elif _is(layer, "Dense"):
            layer_l1 = float(getattr(layer, "l1", 0.0) or 0.0)
            layer_l2 = float(getattr(layer, "l2", 0.0) or 0.0)
        else:
            layer_l1 = layer_l2 = 0.0
        l1, l2 = max(l1, layer_l1), max(l2, layer_l2)
    return {
        "dropout": [float(m.p) for m in layers if _is(m, "Dropout") or _is(m, "DropConnect")],
        "l1": l1,
        "l2": l2,
        "batchnorm": any(_is(m, "BatchNorm") for m in layers),
        "hidden_layers": hidden_layers(layers),
    }


def hidden_layers(layers) -> int:
    """Dense-like layers before the output one (the network's depth, for advice)."""
    return max(sum(_is(m, "Dense") or _is(m, "DropConnect") for m in layers) - 1, 0)


def _number(value):
    return float(value) if isinstance(value, (int, float, np.floating)) else value
