"""Checkers for the layers of the course project (notebook 09).

The learner writes three regkit Modules (the notebook gives each
``__init__``; the learner writes the rest)::

    class Dense(rk.Module):      # Dense(n_in, n_out, l1=0.0, l2=0.0, rng=None)
        W, b                     # Parameters, W of shape (n_in, n_out)
        def forward(self, x)     # x @ W + b
        def backward(self, grad_y)   # -> grad_x; sets W.grad (penalty included), b.grad
        def penalty(self)        # l1 * sum|W| + l2/2 * sum W**2 (biases free)

    class Dropout(rk.Module):    # Dropout(p=0.5, rng=None)
        p, rng, mask
        def forward(self, x)     # training: x * mask / (1 - p); eval: x
        def backward(self, grad_y)

    class BatchNorm(rk.Module):  # BatchNorm(n, momentum=0.9, eps=1e-5)
        gamma, beta              # Parameters
        running_mean, running_var
        def forward(self, x)     # training: batch statistics, and update the running ones
        def backward(self, grad_y)

Each is compared with regkit's layer given the same weights (and, for
Dropout, the same generator): the same outputs, gradients and penalty in
float64. When an answer is wrong the checker tries the usual mistakes and
names the one that matches.
"""
from __future__ import annotations

import copy

import numpy as np

from ... import functional as F
from ...layers import BatchNorm as RkBatchNorm
from ...layers import Dense as RkDense
from ...layers import Dropout as RkDropout
from ...regularizers import ElasticNet
from .base import Feedback, Problem, check_all, compare_arrays
from .batchnorm import _backward_mistakes, _forward_mistakes

_TOL = {"atol": 1e-9, "rtol": 1e-7}


def _array(what, value, shape) -> np.ndarray:
    """``value`` as a float64 array of ``shape``, or a :class:`Problem` naming ``what``."""
    if value is None:
        raise Problem(f"{what} is None (did you forget `return`, or to assign it?)")
    if isinstance(value, tuple):
        raise Problem(f"{what} must be one array, not a tuple")
    value = np.asarray(value, dtype=np.float64)
    if value.shape != tuple(shape):
        raise Problem(f"{what} has shape {value.shape}, expected {tuple(shape)}")
    return value


def _named(what, got, want, mistakes=()) -> str | None:
    """None when ``got`` matches ``want``; else the first mistake that matches, or the
    difference."""
    if np.allclose(got, want, **_TOL):
        return None
    for message, wrong in mistakes:
        if wrong.shape == got.shape and np.allclose(got, wrong, **_TOL):
            return f"{what}: {message}"
    if got.size <= 12:
        return compare_arrays(what, got, want, **_TOL)
    i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
    return (f"{what}: differs from the expected array by up to {np.abs(got - want).max():.3g} "
            f"(at index {tuple(int(k) for k in i)}: got {got[i]:.6g}, expected {want[i]:.6g})")


def _float64(layer):
    """The layer's Parameters as float64 copies (the comparisons run in float64)."""
    for p in layer.parameters():
        p.data = np.array(p.data, dtype=np.float64)
        p.grad = np.zeros_like(p.data)
    return layer


# -- Dense ---------------------------------------------------------------------
def check_dense(cls) -> Feedback:
    """Grade ``cls(n_in, n_out, l1=, l2=, rng=)``: a Dense layer with an elastic-net penalty.

    Compared with ``rk.Dense(regularizer=rk.ElasticNet(l1, l2))`` holding the same
    weights, on a random batch of 4 x 5 and a random upstream gradient:
    forward, grad_x, W.grad, b.grad and the penalty; then that a second
    backward assigns the gradients (does not add to them).
    """
    rng = np.random.default_rng(7)
    n_in, n_out, l1, l2 = 5, 3, 0.03, 0.2
    x = rng.normal(size=(4, n_in))
    grad_y = rng.normal(size=(4, n_out))
    state = {}

    def build():
        layer = cls(n_in, n_out, l1=l1, l2=l2, rng=0)
        for name in ("W", "b"):
            if not hasattr(layer, name):
                return f"the layer has no attribute {name!r}: keep the Parameters __init__ creates"
        _float64(layer)
        layer.W.data = rng.normal(size=(n_in, n_out))
        layer.b.data = rng.normal(size=n_out)
        twin = RkDense(n_in, n_out, regularizer=ElasticNet(l1, l2))
        _float64(twin)
        twin.W.data, twin.b.data = layer.W.data.copy(), layer.b.data.copy()
        state.update(layer=layer, twin=twin)
        return None

    def forward():
        layer, twin = state["layer"], state["twin"]
        got = _array("forward(x)", layer.forward(x.copy()), (4, n_out))
        want = twin.forward(x)
        return _named("forward(x)", got, want, [
            ("the bias is missing: y = x @ W + b", x @ layer.W.data),
        ])

    def backward():
        layer, twin = state["layer"], state["twin"]
        W, m = layer.W.data, x.shape[0]
        out = layer.backward(grad_y.copy())
        if out is not None and np.shape(out) == grad_y.shape and grad_y.shape != x.shape:
            return ("backward returned an array of grad_y's shape; return grad_x, the "
                    "gradient with respect to the INPUT: grad_y @ W.T, of x's shape")
        got_x = _array("the grad_x backward returns", out, x.shape)
        problem = _named("the grad_x backward returns", got_x, twin.backward(grad_y))
        if problem:
            return problem
        data = x.T @ grad_y
        got_w = _array("W.grad", layer.W.grad, W.shape)
        problem = _named("W.grad", got_w, twin.W.grad, [
            ("the penalty's gradient is missing: W.grad = x.T @ grad_y + l1 * sign(W) + l2 * W",
             data),
            ("the L1 part is missing: add l1 * sign(W)", data + l2 * W),
            ("the L2 part is missing: add l2 * W", data + l1 * np.sign(W)),
            ("the L2 part is 2 * l2 * W: the penalty is l2/2 * sum(W**2), so its gradient "
             "is l2 * W (the 1/2 is there to cancel the 2)", data + l1 * np.sign(W) + 2 * l2 * W),
            ("l1 and l2 are swapped in the gradient: l1 goes with sign(W), l2 with W",
             data + l2 * np.sign(W) + l1 * W),
            ("the data part is divided by the batch size; the loss's gradient grad_y "
             "already carries the 1/m of the mean, so W.grad = x.T @ grad_y + ...",
             data / m + l1 * np.sign(W) + l2 * W),
        ])
        if problem:
            return problem
        got_b = _array("b.grad", layer.b.grad, layer.b.data.shape)
        b = layer.b.data
        return _named("b.grad", got_b, twin.b.grad, [
            ("b.grad is the mean over the batch; it is the SUM, grad_y.sum(axis=0) (grad_y "
             "already carries the 1/m)", grad_y.mean(axis=0)),
            ("the bias is penalised too; biases are left out of the penalty (they do not "
             "make the function wiggly, and penalising them only shifts it)",
             grad_y.sum(axis=0) + l1 * np.sign(b) + l2 * b),
            ("the bias is penalised too (L2 part); biases are left out of the penalty",
             grad_y.sum(axis=0) + l2 * b),
        ])

    def penalty():
        layer, twin = state["layer"], state["twin"]
        W, b = layer.W.data, layer.b.data
        got = layer.penalty()
        if got is None:
            return "penalty() returned None (did you forget `return`?)"
        got = np.asarray(got, dtype=np.float64)
        if got.shape != ():
            return f"penalty() must return one number, got an array of shape {got.shape}"
        want = twin.penalty()
        l1_part, sq = l1 * np.abs(W).sum(), (W ** 2).sum()
        wrongs = [
            ("the 1/2 is missing from the L2 part: l2/2 * sum(W**2)", l1_part + l2 * sq),
            ("the L1 part is missing: l1 * sum(|W|)", l2 / 2 * sq),
            ("the L2 part is missing: l2/2 * sum(W**2)", l1_part),
            ("the bias is in the penalty; only W is penalised",
             want + l1 * np.abs(b).sum() + l2 / 2 * (b ** 2).sum()),
            ("l1 and l2 are swapped", l2 * np.abs(W).sum() + l1 / 2 * sq),
        ]
        if np.isclose(got, want, **_TOL):
            return None
        for message, wrong in wrongs:
            if np.isclose(got, wrong, **_TOL):
                return f"penalty(): {message}"
        return f"penalty(): got {float(got):.6g}, expected {want:.6g}"

    def assigns():
        layer = state["layer"]
        layer.forward(x.copy())
        layer.backward(grad_y.copy())
        first = np.array(layer.W.grad, dtype=np.float64)
        layer.backward(grad_y.copy())
        if not np.allclose(np.asarray(layer.W.grad, dtype=np.float64), first, **_TOL):
            return ("a second backward of the same forward changed W.grad: ASSIGN the "
                    "gradients (self.W.grad = ...), do not add to them (+=)")
        return None

    return check_all("Dense", [build, forward, backward, penalty, assigns])


# -- Dropout -------------------------------------------------------------------
def check_dropout(cls) -> Feedback:
    """Grade ``cls(p, rng=)``: inverted dropout with the chapter's mask rule.

    The mask must be ``rng.random(x.shape, dtype=np.float32) < 1 - p`` drawn from the layer's own
    generator (as :func:`regkit.functional.dropout_mask`), so that a seeded run
    of the learner's network can be compared with regkit's. Checked: eval mode
    is the identity; training mode gives ``x * mask / (1 - p)``; a fresh mask at
    every forward; the backward uses the forward's mask and scale; ``p = 0``
    changes nothing.
    """
    p, seed = 0.3, 11
    rng = np.random.default_rng(3)
    x = rng.uniform(1.0, 2.0, size=(200, 50))       # no zeros: a dropped unit shows
    grad_y = rng.normal(size=x.shape)
    state = {}

    def build():
        layer = cls(p, rng=seed)
        if not hasattr(layer, "rng"):
            return "the layer has no attribute 'rng': keep the generator __init__ creates"
        state["layer"] = layer
        return None

    def eval_mode():
        layer = state["layer"]
        layer.eval()
        got = _array("forward(x) in eval mode", layer.forward(x.copy()), x.shape)
        problem = _named("forward(x) in eval mode", got, x, [
            ("eval mode scales by (1 - p): that is the old, non-inverted dropout. With "
             "inverted dropout the training forward divides by (1 - p), so eval mode is "
             "the identity", x * (1 - p)),
        ])
        if problem is None and not np.array_equal(got, x):
            problem = "forward(x) in eval mode: return x unchanged"
        if problem is None:
            grad = _array("backward(grad_y) after an eval forward", layer.backward(grad_y.copy()),
                          x.shape)
            problem = _named("backward(grad_y) after an eval forward", grad, grad_y)
        layer.train()
        return problem

    def training_mode():
        layer = state["layer"]
        layer.train()
        layer.rng = np.random.default_rng(seed)
        got = _array("forward(x) in training mode", layer.forward(x.copy()), x.shape)
        keep = F.dropout_mask(x.shape, p, np.random.default_rng(seed))
        want = F.dropout_apply(x, keep, p)
        if np.allclose(got, want, **_TOL):
            state["want_grad"] = F.dropout_apply(grad_y, keep, p)
            return None
        ratio = got / x
        dropped = float(np.mean(np.isclose(ratio, 0.0)))
        kept = ratio[~np.isclose(ratio, 0.0)]
        if dropped == 0.0:
            return ("forward(x) in training mode dropped nothing: draw a mask and zero "
                    "the units where it is False (check the mode with self.training)")
        if abs(dropped - (1 - p)) < 0.05 and abs(dropped - p) > 0.1:
            return (f"forward(x) in training mode dropped {dropped:.0%} of the units with "
                    f"p = {p}: p is the probability of DROPPING a unit, so keep a unit "
                    f"where self.rng.random(x.shape, dtype=np.float32) < 1 - self.p")
        if kept.size and np.allclose(kept, 1.0):
            return ("forward(x) in training mode: the kept units are not scaled. Inverted "
                    "dropout divides them by (1 - p), so the expected output equals x and "
                    "eval mode needs no change")
        if kept.size and np.allclose(kept, 1.0 / p):
            return "forward(x) in training mode: divide the kept units by (1 - p), not by p"
        if kept.size and np.allclose(kept, 1.0 - p):
            return ("forward(x) in training mode: the kept units are multiplied by (1 - p); "
                    "inverted dropout DIVIDES them by (1 - p)")
        if kept.size and np.allclose(kept, 1.0 / (1 - p)):
            return ("forward(x) in training mode drops the right share and scales right, "
                    "but not the units regkit's mask drops. Draw the mask from the layer's "
                    "own generator as self.rng.random(x.shape, dtype=np.float32) < 1 - self.p "
                    "(one call, x's shape, regkit's rule), so a seeded run of your network "
                    "can be compared with regkit's")
        return _named("forward(x) in training mode", got, want)

    def fresh_mask():
        layer = state["layer"]
        first = np.asarray(layer.forward(x.copy()), dtype=np.float64)
        second = np.asarray(layer.forward(x.copy()), dtype=np.float64)
        if np.array_equal(first, second):
            return ("two training forwards dropped the same units: draw a fresh mask at "
                    "every forward (in forward, not in __init__)")
        return None

    def backward():
        layer = state["layer"]
        layer.rng = np.random.default_rng(seed)
        layer.forward(x.copy())
        got = _array("backward(grad_y)", layer.backward(grad_y.copy()), x.shape)
        want = state["want_grad"]
        keep = F.dropout_mask(x.shape, p, np.random.default_rng(seed))
        return _named("backward(grad_y)", got, want, [
            ("the mask is missing: a dropped unit passes no gradient back, "
             "grad_x = grad_y * mask / (1 - p)", grad_y / (1 - p)),
            ("the 1/(1 - p) scale is missing: the backward scales like the forward, "
             "grad_x = grad_y * mask / (1 - p)", grad_y * keep),
            ("the backward returned grad_y unchanged: apply the forward's mask and scale",
             grad_y),
        ])

    def p_zero():
        layer = cls(0.0, rng=seed)
        got = _array("forward(x) with p = 0", layer.forward(x.copy()), x.shape)
        return _named("forward(x) with p = 0 in training mode", got, x)

    return check_all("Dropout", [build, eval_mode, training_mode, fresh_mask, backward, p_zero])


# -- BatchNorm -----------------------------------------------------------------
def check_batchnorm_layer(cls) -> Feedback:
    """Grade ``cls(n, momentum=0.9, eps=1e-5)``: batch norm as a layer.

    Compared with ``rk.BatchNorm`` holding the same gamma and beta: three
    training forwards (outputs and running statistics after each, the chapter's
    ``running = momentum * running + (1 - momentum) * batch`` with the biased
    variance), the training backward, then eval mode (running statistics, left
    unchanged) and its backward.
    """
    rng = np.random.default_rng(5)
    n, eps, momentum = 3, 1e-5, 0.9
    batches = [rng.normal(loc=[0.0, 2.0, -1.0], scale=[1.0, 3.0, 0.5], size=(6, n))
               for _ in range(3)]
    grad_y = rng.normal(size=(6, n))
    state = {}

    def build():
        layer = cls(n, momentum=momentum, eps=eps)
        for name in ("gamma", "beta", "running_mean", "running_var"):
            if not hasattr(layer, name):
                return f"the layer has no attribute {name!r}: keep what __init__ creates"
        _float64(layer)
        layer.gamma.data = rng.uniform(0.5, 2.0, n)
        layer.beta.data = rng.normal(size=n)
        # float64 statistics: float32 ones would round at 1e-7, the tolerance
        layer.running_mean = np.zeros(n)
        layer.running_var = np.ones(n)
        twin = _float64(RkBatchNorm(n, momentum=momentum, eps=eps))
        twin.gamma.data, twin.beta.data = layer.gamma.data.copy(), layer.beta.data.copy()
        twin.running_mean = np.zeros(n)
        twin.running_var = np.ones(n)
        state.update(layer=layer, twin=twin)
        return None

    def training():
        layer, twin = state["layer"], state["twin"]
        layer.train()
        gamma, beta = layer.gamma.data, layer.beta.data
        old_mean, old_var = np.zeros(n), np.ones(n)
        for t, x in enumerate(batches):
            what = f"training forward on batch {t + 1}"
            got = _array(what, layer.forward(x.copy()), x.shape)
            want = twin.forward(x)
            problem = _named(what, got, want, list(_forward_mistakes(x, gamma, beta, eps).items()))
            if problem:
                return problem
            mean, var = x.mean(axis=0), x.var(axis=0)
            for name, old, batch, unbiased in (
                    ("running_mean", old_mean, mean, mean),
                    ("running_var", old_var, var, x.var(axis=0, ddof=1))):
                got_r = _array(f"{name} after batch {t + 1}", getattr(layer, name), (n,))
                problem = _named(f"{name} after batch {t + 1}", got_r, getattr(twin, name), [
                    (f"not updated: in training mode move it towards this batch's "
                     f"statistic, {name} = momentum * {name} + (1 - momentum) * batch", old),
                    ("momentum weighs the OLD value: running = momentum * running + "
                     "(1 - momentum) * batch", (1 - momentum) * old + momentum * batch),
                    ("replaced by the batch's statistic; keep a moving average, running = "
                     "momentum * running + (1 - momentum) * batch", batch),
                    ("updated with the unbiased variance (ddof=1); the chapter's formula "
                     "uses the batch's biased variance, the one the forward divides by",
                     momentum * old + (1 - momentum) * unbiased),
                ])
                if problem:
                    return problem
            old_mean, old_var = twin.running_mean.copy(), twin.running_var.copy()
        return None

    def training_backward():
        layer, twin = state["layer"], state["twin"]
        x = batches[-1]
        layer.forward(x.copy())
        twin.forward(x)
        _, x_hat, inv_std, _, _ = F.batchnorm_train(x, layer.gamma.data, layer.beta.data, eps)
        mistakes, _ = _backward_mistakes(grad_y, x_hat, inv_std, layer.gamma.data)
        got = _array("training backward(grad_y)", layer.backward(grad_y.copy()), x.shape)
        want = twin.backward(grad_y)
        problem = _named("training backward(grad_y)", got, want, list(mistakes.items()))
        if problem:
            return problem
        got_b = _array("beta.grad", layer.beta.grad, (n,))
        got_g = _array("gamma.grad", layer.gamma.grad, (n,))
        if np.allclose(got_b, twin.gamma.grad, **_TOL) and np.allclose(got_g, twin.beta.grad, **_TOL):
            return ("gamma.grad and beta.grad are swapped: beta.grad = sum(grad_y), "
                    "gamma.grad = sum(grad_y * x_hat), both over the batch")
        return (_named("beta.grad = sum over the batch of grad_y", got_b, twin.beta.grad)
                or _named("gamma.grad = sum over the batch of grad_y * x_hat", got_g,
                          twin.gamma.grad))

    def eval_mode():
        layer, twin = state["layer"], state["twin"]
        layer.eval()
        twin.eval()
        x = rng.normal(loc=1.0, size=(4, n))
        before = np.array(layer.running_mean, dtype=np.float64), np.array(layer.running_var,
                                                                          dtype=np.float64)
        got = _array("eval forward", layer.forward(x.copy()), x.shape)
        want = twin.forward(x)
        problem = _named("eval forward", got, want, [
            ("eval mode uses the batch's statistics; it must use running_mean and "
             "running_var, so a test image's output does not depend on the others in its "
             "batch (and a batch of one works)",
             F.batchnorm_train(x, layer.gamma.data, layer.beta.data, eps)[0]),
        ])
        if problem:
            return problem
        if not (np.allclose(layer.running_mean, before[0], **_TOL)
                and np.allclose(layer.running_var, before[1], **_TOL)):
            return ("the running statistics changed in eval mode: update them only in "
                    "training (check self.training)")
        got_g = _array("eval backward(grad_y)", layer.backward(grad_y[:4].copy()), x.shape)
        return _named("eval backward(grad_y) (the running statistics are constants: "
                      "grad_x = grad_y * gamma / sqrt(running_var + eps))", got_g,
                      twin.backward(grad_y[:4]))

    return check_all("BatchNorm", [build, training, training_backward, eval_mode])
