"""What to try next, following the chapter's strategy (sections 9.1-9.3).

The suggestions depend on what the run already uses. That comes from
``History.config`` (recorded by ``rk.fit``) and, with ``model=``, from the
model itself; a key that is absent means "unknown", and the advice then says
"if you do not already ...". Known settings turn generic advice into a next
step: dropout at 0.5 becomes "raise it to 0.6-0.7", L2 at 1e-3 becomes
"raise it to 1e-2", batch norm already present is not suggested again.

Overfitting follows the chapter's priority: batch norm, augmentation (for
images), L2 from 1e-3, dropout 0.5, early stopping with patience 10-20, then
tuning; except that on a network known to have at most :data:`SHALLOW`
hidden layers batch norm comes after dropout, as the course measured. Underfitting: larger model, longer training, less regularization (first
when the run is known to be heavily regularized), a learning-rate check.
"""
from __future__ import annotations

import numpy as np

from .._fit_checks import layer_facts
from ..module import Module
from .frameworks import Advice


def model_facts(model) -> dict:
    """What a ``Sequential`` uses, in ``History.config`` terms, plus weight sizes.

    Keys: ``dropout`` (list of p), ``l1``, ``l2`` (largest strength),
    ``batchnorm``, ``hidden_layers``, ``n_params``, ``max_abs_weight``,
    ``mean_abs_weight`` (over the Dense ``W`` matrices; biases excluded).
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be a regkit model (a Sequential), got {type(model).__name__}")
    layers = model.modules()
    weights = [np.abs(w).ravel() for w in (getattr(getattr(layer, "W", None), "data", None)
                                           for layer in layers) if isinstance(w, np.ndarray)]
    facts = layer_facts(layers)
    if weights:
        flat = np.concatenate(weights)
        facts.update(max_abs_weight=float(flat.max()), mean_abs_weight=float(flat.mean()))
    facts["n_params"] = int(sum(p.data.size for p in model.parameters()))
    return facts


def suggest(verdict: str, facts: dict, ev: dict, th, fw: Advice | None = None) -> list:
    """Ordered, concrete suggestions for ``verdict`` given what the run uses.

    ``fw`` writes the code and strengths for the user's framework (regkit's
    when None); the reasoning is the same for every framework.
    """
    fw = Advice() if fw is None else fw
    return {"overfitting": _overfitting, "underfitting": _underfitting,
            "not converged": _not_converged, "unstable": _unstable,
            "good fit": _good_fit}[verdict](facts, ev, th, fw)


def _max_dropout(facts):
    p = facts.get("dropout")
    return None if p is None else max(p, default=0.0)


def _l2(facts):
    if "l2" not in facts and "weight_decay" not in facts:
        return None
    return max(float(facts.get("l2") or 0.0), float(facts.get("weight_decay") or 0.0))


#: Up to this many hidden layers, batch norm is not the first thing to try
#: against a gap: on the course's 1-2 hidden-layer MLPs it never closed one
#: (notebook 08: alone it moved clean test accuracy by at most 4 points and
#: lowered it with wrong labels), while on a 4-hidden-layer network it
#: widened the usable learning rates 3-10x (notebook 04).
SHALLOW = 2


def _is_shallow(facts) -> bool:
    depth = facts.get("hidden_layers")
    return depth is not None and depth <= SHALLOW


def _batchnorm_advice(facts, fw) -> str | None:
    bn = facts.get("batchnorm")
    if bn:
        return None
    if fw.batchnorm() is None:
        return fw.missing("batch normalization", "batchnorm=True")
    if _is_shallow(facts):
        depth = facts["hidden_layers"]
        return (f"Batch normalization ({fw.batchnorm()} after each hidden {fw.dense} layer) "
                f"is for deeper networks: with {depth} hidden layer"
                f"{'s' if depth != 1 else ''} it is unlikely to close the gap (what it buys "
                "is larger learning rates in deep networks); add it if you go deeper.")
    return (("If you do not use it yet, add" if bn is None else "Add")
            + f" batch normalization after each hidden {fw.dense} layer, before the "
            f"activation ({fw.batchnorm()}); keep batch_size >= 32 so the batch "
            "statistics are reliable.")


def _overfitting(facts, ev, th, fw) -> list:
    out = []
    batchnorm = _batchnorm_advice(facts, fw)       # None when the run has batch norm
    shallow = _is_shallow(facts)
    if batchnorm and not shallow:      # the chapter's order: batch norm first
        out.append(batchnorm)
    images, augment = facts.get("images"), facts.get("augment")
    # Shifts are scaled to the image: on 8x8 digits one pixel is an eighth of
    # the width, and notebooks 06 and 08 measured 1-px shifts costing an MLP
    # accuracy there, while rotation and zoom helped.
    recipe = ("rotations of ±10-15° and zooms of ±10%, plus shifts of at most about a "
              f"tenth of the image side (1 px on 8×8, 2-3 px on 28×28), e.g. {fw.augment()}; "
              "never flip digits or text horizontally, never augment validation data")
    if images and augment:
        out.append("Strengthen the augmentation you use: rotations up to ±15°, zoom up "
                   "to ±10%, then add gaussian_noise(sigma=0.1) or cutout(size=3).")
    elif images:
        out.append(f"Augment the training images: {recipe}.")
    elif images is None:
        out.append(f"If the inputs are images, augment them: {recipe}.")
    lam = _l2(facts)
    if lam is None:
        out.append(f"Add L2 regularization at {fw.l2_setting(1e-3)} ({fw.l2_code(1e-3)}); "
                   f"if you already use it, raise it tenfold ({fw.l2_value(1e-3)} -> "
                   f"{fw.l2_value(1e-2)}).")
    elif lam == 0:
        out.append(f"Add L2 regularization, starting at {fw.l2_setting(1e-3)}: "
                   f"{fw.l2_code(1e-3)}.")
    elif lam < 1e-3:
        out.append(f"Raise L2 from {fw.l2_name} = {_g(fw, lam)} to {fw.l2_value(1e-3)}.")
    elif lam < 1e-2:
        out.append(f"Raise L2 from {fw.l2_name} = {_g(fw, lam)} to {fw.l2_value(1e-2)}.")
    p = _max_dropout(facts)
    if fw.dropout(0.5) is None:
        out.append(fw.missing("dropout", "dropout=0.5"))
    elif p is None:
        out.append("Add dropout with p = 0.5 after the large hidden layers (never on the "
                   "output); if you already use 0.5, raise it to 0.6-0.7"
                   + ("." if fw.framework == "regkit" else f" ({fw.dropout(0.5)})."))
    elif p == 0:
        out.append(f"Add dropout with p = 0.5 after the large hidden layers ({fw.dropout(0.5)}; "
                   "never on the output layer).")
    elif p < 0.5:
        out.append(f"Raise dropout from p = {p:g} to 0.5.")
    elif p < 0.6:
        out.append(f"Raise dropout from p = {p:g} to 0.6-0.7.")
    elif p < 0.7:
        out.append(f"Raise dropout from p = {p:g} to 0.7.")
    if batchnorm and shallow:          # a shallow network: after the regularizers
        out.append(batchnorm)
    out.append(_early_stopping_advice(facts, ev, fw))
    out.append(f"Then tune one knob at a time on the validation set: {_tune(fw)}.")
    return out


def _g(fw, lam) -> str:
    """A known strength (regkit's λ) in ``fw``'s convention, printed as ``:g``."""
    return f"{lam:g}" if fw.framework == "regkit" else fw.l2_value(lam)


def _tune(fw) -> str:
    grid = ", ".join(fw.l2_value(lam) for lam in (1e-4, 1e-3, 1e-2))
    dropout = "" if fw.dropout(0.5) is None else ", dropout p in [0.3, 0.5, 0.7]"
    return f"L2 {fw.l2_name} in [{grid}]{dropout}"


def _early_stopping_advice(facts, ev, fw) -> str:
    best = ev.get("best_epoch")
    where = "" if best is None else f" (validation loss was best at epoch {best} of {ev['epochs']})"
    patience = facts.get("early_stopping")
    if patience:
        return (f"Keep early stopping (patience {patience}){where}: it returns the best "
                "weights; raise patience toward 20 only if the validation curve is noisy.")
    lead = "Stop early" if "early_stopping" in facts else "If you do not already, stop early"
    return (f"{lead}: {fw.early_stopping()} "
            f"(10-20 for a small data set){where}.")


def _labels_first(ev, th) -> list:
    """When validation beats training by a wide margin, look at the labels first."""
    gap = ev.get("acc_gap_last")
    if gap is None or gap >= -th.gap_overfit:
        return []
    return [f"Check the training labels before anything else: validation accuracy is "
            f"{-gap:.1%} above training accuracy. If some labels are wrong, a low training "
            "accuracy is the regularization refusing to learn them: keep it, and clean the "
            "labels. If they are right, measure training accuracy in eval mode."]


def _underfitting(facts, ev, th, fw) -> list:
    return [*_labels_first(ev, th), *_underfitting_steps(facts, ev, th, fw)]


def _underfitting_steps(facts, ev, th, fw) -> list:
    less = []
    lam, p = _l2(facts), _max_dropout(facts)
    if lam:
        less.append(f"Lower L2 from {fw.l2_name} = {_g(fw, lam)} to {_g(fw, lam / 10)}, "
                    "or remove it.")
    if facts.get("l1"):
        less.append(f"Lower L1 from λ = {facts['l1']:g} to {facts['l1'] / 10:g}, or remove it.")
    if p:
        less.append(f"Lower dropout from p = {p:g} to 0.3, or remove it." if p > 0.3
                    else f"Remove dropout (p = {p:g}).")
    if facts.get("augment"):
        less.append("Use lighter augmentation: rotations of ±10° and shifts of 1 px at most.")
    n_params = facts.get("n_params")
    bigger = ("Make the model larger: more hidden units (double the width) or another "
              "hidden layer" + (f" (it has {n_params} parameters)." if n_params else "."))
    epochs = facts.get("epochs") or ev.get("epochs")
    longer = (f"Train longer: {epochs} -> {2 * epochs} epochs." if epochs
              else "Train for 2-3x more epochs.")
    check_lr = _lr_check(facts)
    if check_lr.startswith("Learning rate too large"):   # a dead network plateaus too
        return [check_lr, *less, bigger, longer]
    if less:        # too much regularization is the most common cause (chapter 9.4)
        return [*less, bigger, longer, check_lr]
    out = [bigger, longer]
    if not any(k in facts for k in ("l2", "dropout", "augment")):
        dropout = "" if fw.dropout(0.5) is None else ", dropout to 0.3"
        out.append(f"Reduce regularization if you use any: L2 {fw.l2_name} to "
                   f"{fw.l2_value(1e-4)}{dropout}.")
    return [*out, check_lr]


#: Usual learning rates (low, high) per optimizer, for the learning-rate check.
_LR_RANGE = {"Adam": (1e-4, 1e-2), "AdamW": (1e-4, 1e-2), "SGD": (1e-3, 0.3)}


def _lr_check(facts) -> str:
    """Too small a step plateaus; too large a step can kill ReLUs, which also plateaus."""
    lr, opt = facts.get("lr"), facts.get("optimizer")
    if not isinstance(lr, (int, float)):
        return ("Check the learning rate: try it 3-10x larger and 3-10x smaller "
                "(Adam usually works near 1e-3, SGD near 1e-2 to 1e-1).")
    low, high = _LR_RANGE.get(opt, (1e-4, 0.3))
    name = opt or "this optimizer"
    if lr > high:
        return (f"Learning rate too large: lr = {lr:g} is large for {name} (usual up to "
                f"{high:g}); steps that big can kill ReLU units. Try {high / 10:g}.")
    if lr < low:
        return (f"Check the learning rate: lr = {lr:g} is small for {name} (usual from "
                f"{low:g}); try {lr * 10:g}.")
    return (f"Check the learning rate: try lr = {lr * 3:g} and {lr / 3:g} "
            f"around the current {lr:g}.")


def _not_converged(facts, ev, th, fw) -> list:
    return [*_labels_first(ev, th), *_not_converged_steps(facts, ev, th, fw)]


def _not_converged_steps(facts, ev, th, fw) -> list:
    epochs = facts.get("epochs") or ev.get("epochs")
    if ev.get("stopped_early"):
        out = [f"Early stopping ended the run while a loss still fell (validation "
               f"{ev['val_trend']:+.0%}, training {ev['train_trend']:+.0%} over the last "
               f"{ev['trend_window']} epochs): raise its patience so that a pause in the "
               "validation loss does not end training."]
    elif ev.get("epochs", 0) < th.min_epochs:
        out = [f"Train for more epochs: with {ev.get('epochs', 0)} there is no trend to "
               f"read; log at least {th.min_epochs} (ideally tens)."]
    else:
        which = "validation" if ev["val_trend"] <= ev["train_trend"] else "training"
        trend = min(ev["train_trend"], ev["val_trend"])
        out = [f"Train for more epochs ({epochs} -> {3 * epochs}): the {which} loss still "
               f"fell {-trend:.0%} over the last {ev['trend_window']} epochs."]
    if facts.get("early_stopping"):
        out.append("Early stopping is on: give it a larger epoch budget and let it stop.")
    else:
        stop = ("rk.EarlyStopping(patience=10-20, restore_best=True)"
                if fw.framework == "regkit" else f"early stopping ({fw.early_stopping('10-20')})")
        out.append(f"With {stop} you can set a generous epoch budget and let training "
                   "stop itself.")
    lr = facts.get("lr")
    out.append(f"If progress per epoch is slow, try a 3x larger learning rate"
               + (f" ({lr:g} -> {3 * lr:g})." if isinstance(lr, (int, float)) else "."))
    return out


def _unstable(facts, ev, th, fw) -> list:
    out = []
    if ev.get("nonfinite"):
        out.append(f"The loss became NaN/inf at epoch {ev['nonfinite_epoch']}: check that the "
                   "inputs are standardised and contain no NaN.")
    lr = facts.get("lr")
    out.append("Lower the learning rate 3-10x"
               + (f" ({lr:g} -> {lr / 10:g})." if isinstance(lr, (int, float)) else "."))
    clip = facts.get("clip_norm")
    if fw.clip(1.0) is None:
        out.append("scikit-learn's MLP cannot clip gradients: lower learning_rate_init "
                   "instead, or move the model to PyTorch or Keras.")
    elif clip:
        out.append(f"Tighten gradient clipping: clip_norm {clip:g} -> {clip / 2:g}.")
    else:
        out.append(("Clip" if "clip_norm" in facts else "If you do not already, clip")
                   + f" gradients by their global norm: {fw.clip(1.0)}.")
    batch = facts.get("batch_size")
    if isinstance(batch, int) and batch < 32:
        out.append(f"Use larger batches (batch_size {batch} -> 32 or more) for less noisy steps.")
    return out


def _good_fit(facts, ev, th, fw) -> list:
    out = ["Nothing urgent: training and validation agree. Check the test set once, at the end."]
    if not facts.get("early_stopping"):
        stop = ("rk.EarlyStopping(patience=10-20, restore_best=True)"
                if fw.framework == "regkit" else fw.early_stopping("10-20"))
        out.append(f"Keep a safety net: {stop}.")
    out.append(f"To squeeze out more, tune one knob at a time: {_tune(fw)}.")
    return out
