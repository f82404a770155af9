"""Checkers for the network of the course project (notebook 09).

The learner writes::

    class Network(rk.Module):
        def __init__(self, sizes, l1=0.0, l2=0.0, p=0.0, batchnorm=False, seed=0):
            # self.layers: per hidden layer Dense -> (BatchNorm) -> ReLU -> (Dropout),
            # then the output Dense; every Dense gets l1 and l2
        def children(self)            # -> self.layers (train/eval/penalty walk it)
        def forward(self, x)          # through every layer
        def backward(self, grad_y)    # back through every layer, in reverse

built from their own Dense, BatchNorm and Dropout (or regkit's). The layers
are recognised by what they hold (``W``: a Dense; ``running_mean``: a batch
norm; ``p`` and ``rng``: a dropout; ``rk.ReLU``), so the solution's classes
and the learner's are graded alike.

:func:`check_network` checks the order of the layers, compares the network
with its regkit twin (the same weights and generators) in both modes, and
runs a gradient check of the whole network, penalty included.
:func:`check_training` trains the network and its twin with ``rk.fit`` on
the same seeded data, the learner's early stopping against
``rk.EarlyStopping``, and compares the curves epoch by epoch.
"""
from __future__ import annotations

import copy

import numpy as np

from ...callbacks import EarlyStopping
from ...gradcheck import layer_gradients, rel_error
from ...layers import BatchNorm, Dense, Dropout, ReLU
from ...losses import SoftmaxCrossEntropy
from ...network import Sequential
from ...optim import Adam
from ...regularizers import ElasticNet
from ...training import fit
from .base import Feedback, Problem, check_all
from .project_layers import _float64

#: the configuration the network checker builds
SIZES, L1, L2, P = (6, 8, 7, 3), 1e-3, 1e-2, 0.25
#: a relative error below this is a correct gradient (float64, centred differences)
GRAD_TOL = 1e-7


def kind(layer) -> str:
    """``"Dense"``, ``"BatchNorm"``, ``"Dropout"``, ``"ReLU"`` or the class name."""
    if isinstance(layer, ReLU):
        return "ReLU"
    if hasattr(layer, "W") and hasattr(layer, "b"):
        return "Dense"
    if hasattr(layer, "running_mean"):
        return "BatchNorm"
    if hasattr(layer, "p") and hasattr(layer, "rng"):
        return "Dropout"
    return type(layer).__name__


def expected_kinds(n_layers: int, p: float, batchnorm: bool) -> list[str]:
    """The chapter's order: per hidden layer Dense, (BatchNorm), ReLU, (Dropout); a Dense last."""
    hidden = ["Dense"] + (["BatchNorm"] if batchnorm else []) + ["ReLU"] + (
        ["Dropout"] if p > 0 else [])
    return hidden * (n_layers - 1) + ["Dense"]


def twin(net) -> Sequential:
    """regkit's network with the same layers, weights, statistics and generators.

    Every Dense gets ``rk.ElasticNet(l1, l2)`` (or no regularizer when both
    are 0); every Dropout a copy of the learner's generator, so both draw the
    same masks from here on (dropouts that share one generator share its copy). Parameters and statistics are float64 copies.
    """
    layers, memo = [], {}       # one memo: dropouts sharing a generator share its copy
    for layer in net.layers:
        k = kind(layer)
        if k == "Dense":
            W, b = layer.W.data, layer.b.data
            l1, l2 = float(getattr(layer, "l1", 0.0)), float(getattr(layer, "l2", 0.0))
            reg = ElasticNet(l1, l2) if (l1 or l2) else None
            new = _float64(Dense(W.shape[0], W.shape[1], regularizer=reg))
            new.W.data, new.b.data = np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)
        elif k == "BatchNorm":
            size = np.shape(layer.gamma.data)[0]
            new = _float64(BatchNorm(size, momentum=float(getattr(layer, "momentum", 0.9)),
                                     eps=float(getattr(layer, "eps", 1e-5))))
            new.gamma.data = np.array(layer.gamma.data, dtype=np.float64)
            new.beta.data = np.array(layer.beta.data, dtype=np.float64)
            new.running_mean = np.array(layer.running_mean, dtype=np.float64)
            new.running_var = np.array(layer.running_var, dtype=np.float64)
        elif k == "Dropout":
            new = Dropout(float(layer.p), rng=copy.deepcopy(layer.rng, memo))
        elif k == "ReLU":
            new = ReLU()
        else:
            raise Problem(f"the network holds a {k}, which regkit's twin cannot copy")
        new.train(layer.training)
        layers.append(new)
    return Sequential(*layers)


def _build(cls, sizes=SIZES, **kw):
    net = cls(list(sizes), **kw)
    layers = getattr(net, "layers", None)
    if not isinstance(layers, list) or not layers:
        raise Problem("the network must keep its layers in a non-empty list, self.layers")
    if [c for c in net.children()] != layers:
        raise Problem("children() must return self.layers (train(), eval(), parameters() "
                      "and penalty() walk the network through it)")
    for layer in layers:
        if kind(layer) in ("Dense", "BatchNorm"):
            _float64(layer)
        if kind(layer) == "BatchNorm":      # float32 statistics would round at 1e-7
            layer.running_mean = np.array(layer.running_mean, dtype=np.float64)
            layer.running_var = np.array(layer.running_var, dtype=np.float64)
    return net


def _structure(cls, sizes, p, batchnorm):
    net = _build(cls, sizes, l1=L1, l2=L2, p=p, batchnorm=batchnorm, seed=0)
    got = [kind(layer) for layer in net.layers]
    want = expected_kinds(len(sizes) - 1, p, batchnorm)
    setting = f"Network({list(sizes)}, p={p}, batchnorm={batchnorm})"
    if got != want:
        hint = ""
        if got[-1:] != ["Dense"]:
            hint = " The output layer is a Dense: nothing after it, its scores go to the loss."
        elif got[:len(want) - 1] == want[:-1] and len(got) > len(want):
            hint = " Nothing after the output Dense: no batch norm, ReLU or dropout on the scores."
        elif sorted(got) == sorted(want):
            hint = " The chapter's order per hidden layer: Dense -> BatchNorm -> ReLU -> Dropout."
        return f"{setting} has the layers {got}; expected {want}.{hint}"
    dense = [layer for layer in net.layers if kind(layer) == "Dense"]
    shapes = [tuple(np.shape(d.W.data)) for d in dense]
    if shapes != list(zip(sizes[:-1], sizes[1:])):
        return (f"{setting}: the Dense weights have shapes {shapes}; expected "
                f"{list(zip(sizes[:-1], sizes[1:]))} (sizes lists the inputs, every hidden "
                "width, then the outputs)")
    for i, d in enumerate(dense):
        if (getattr(d, "l1", None), getattr(d, "l2", None)) != (L1, L2):
            return (f"{setting}: Dense {i} has l1={getattr(d, 'l1', None)}, "
                    f"l2={getattr(d, 'l2', None)}; pass the network's l1 and l2 to every Dense")
    drops = [layer for layer in net.layers if kind(layer) == "Dropout"]
    if any(d.p != p for d in drops):
        return f"{setting}: a Dropout has p={[d.p for d in drops]}; pass the network's p"
    return None


def check_network(cls) -> Feedback:
    """Grade ``cls(sizes, l1=, l2=, p=, batchnorm=, seed=)``: the regularized network.

    Checked in order: the layers for four settings (with and without batch
    norm and dropout); forward, backward, every ``.grad`` and the penalty
    against the regkit twin in training mode (same masks) and in eval mode;
    ``eval()`` reaches every layer and two eval forwards agree; a gradient
    check of the whole network, penalty included (relative error < 1e-7).
    """
    rng = np.random.default_rng(2)
    x = rng.normal(size=(10, SIZES[0]))
    grad_y = rng.normal(size=(10, SIZES[-1]))
    state = {}

    def structures():
        for p, batchnorm in ((P, True), (0.0, False), (P, False), (0.0, True)):
            problem = _structure(cls, SIZES, p, batchnorm)
            if problem:
                return problem
        return _structure(cls, (4, 3), 0.5, True)

    def same_as_regkit():
        net = _build(cls, l1=L1, l2=L2, p=P, batchnorm=True, seed=0)
        ref = twin(net)
        state["net"] = net
        for mode in ("training", "eval"):
            net.train(mode == "training")
            ref.train(mode == "training")
            got = np.asarray(net.forward(x.copy()), dtype=np.float64)
            want = ref.forward(x)
            if got.shape != want.shape or not np.allclose(got, want, atol=1e-9, rtol=1e-7):
                return (f"forward in {mode} mode differs from regkit's network with the same "
                        "layers and weights (largest difference "
                        f"{np.max(np.abs(got - want)) if got.shape == want.shape else 'shape'}): "
                        "each layer passed its own checker? Then look at the loop: every layer, "
                        "in order, each one's output the next one's input")
            got_x = net.backward(grad_y.copy())
            want_x = ref.backward(grad_y)
            if got_x is None:
                return "backward must return the gradient with respect to the network's input"
            if np.shape(got_x) != want_x.shape or not np.allclose(got_x, want_x, atol=1e-9, rtol=1e-7):
                return (f"backward in {mode} mode returns another grad_x than regkit's: go "
                        "through the layers in REVERSE order, each backward taking the "
                        "previous one's result")
            for (name, p_got), p_want in zip(net.named_parameters(), ref.parameters()):
                if not np.allclose(p_got.grad, p_want.grad, atol=1e-9, rtol=1e-7):
                    return (f"in {mode} mode the gradient of {name} differs from regkit's: "
                            "call every layer's backward (each sets its parameters' .grad)")
        if not np.isclose(net.penalty(), ref.penalty(), atol=1e-12, rtol=1e-9):
            return (f"penalty() is {net.penalty():.6g}, regkit's {ref.penalty():.6g}: the "
                    "network's penalty is the sum of its Dense layers' (Module.penalty "
                    "sums the children's, so children() must list every layer)")
        return None

    def modes():
        net = state["net"]
        net.eval()
        if any(layer.training for layer in net.layers):
            return ("after net.eval() a layer is still in training mode: eval() must reach "
                    "every layer (Module.eval walks children())")
        a = np.asarray(net.forward(x.copy()))
        b = np.asarray(net.forward(x.copy()))
        if not np.array_equal(a, b):
            return "two eval-mode forwards of the same x differ: eval mode must be deterministic"
        net.train()
        if not all(layer.training for layer in net.layers):
            return "after net.train() a layer is still in eval mode"
        if np.array_equal(np.asarray(net.forward(x.copy())), np.asarray(net.forward(x.copy()))):
            return "two training forwards agree although the network has dropout"
        return None

    def gradients():
        net = _build(cls, l1=L1, l2=L2, p=P, batchnorm=True, seed=1)
        net.train()
        pairs = layer_gradients(net, x, rng=4)
        # a bias in front of a batch norm has gradient 0 (the batch mean takes it
        # out): both sides are rounding noise there, and a relative error means nothing
        zero = [name for name, (a, n) in pairs.items()
                if max(np.abs(a).max(), np.abs(n).max()) < 1e-7]
        errors = {name: rel_error(a, n) for name, (a, n) in pairs.items() if name not in zero}
        state.update(errors=errors, zero=zero)
        worst = max(errors, key=errors.get)
        if errors[worst] > GRAD_TOL:
            return (f"gradient check of the whole network: relative error {errors[worst]:.1e} "
                    f"for {worst} (should be below {GRAD_TOL:g})")
        return None

    feedback = check_all("Network", [structures, same_as_regkit, modes, gradients])
    if feedback.passed:
        feedback.messages.append(
            f"gradient check of the whole network in training mode (Dense, BatchNorm, ReLU, "
            f"Dropout, L1 and L2): the input and {len(state['errors']) - 1} parameter arrays "
            f"agree with finite differences, every relative error below {GRAD_TOL:g}")
        if state["zero"]:
            feedback.messages.append(
                f"{', '.join(state['zero'])}: gradient 0, analytic and numeric; these are the "
                "biases in front of a batch norm, which subtracts the batch mean and so "
                "takes any bias out (batch norm's beta does their job)")
    return feedback


def check_training(cls, early_stopping, *, epochs: int = 40, patience: int = 4) -> Feedback:
    """Train the learner's network and its regkit twin the same way; compare the runs.

    ``early_stopping(patience)`` makes the learner's callback (their
    ``MyEarlyStopping`` of notebook 05, or ``rk.EarlyStopping``). Both runs:
    ``rk.fit`` on 150 digits (360 for validation), float64, Adam, batches of 32,
    the same shuffling seed, dropout and batch norm on, L2. The learner's
    callback against ``rk.EarlyStopping(patience)``. Passes when every
    epoch's training and validation loss agree to 1e-6 (relative), the runs
    stop after the same epoch and end with the same weights.
    """
    from ...datasets import digits
    data = digits(n_train=150, random_state=0)
    xs = data.x_train.astype(np.float64)
    val = (data.x_val.astype(np.float64), data.y_val)
    state = {}

    def runs():
        # a fast learning rate, so that early stopping has to stop (after epoch 18 here)
        net = _build(cls, (64, 32, 10), l2=1e-2, p=0.2, batchnorm=True, seed=0)
        ref = twin(net)
        mine = Sequential(net)      # Sequential adds predict and state_dict, which fit uses
        kw = dict(loss=SoftmaxCrossEntropy(), epochs=epochs, batch_size=32,
                  validation_data=val, progress=False)
        state["mine"] = fit(mine, xs, data.y_train, optimizer=Adam(mine.parameters(), lr=1e-2),
                            callbacks=[early_stopping(patience)], rng=0, **kw)
        state["ref"] = fit(ref, xs, data.y_train, optimizer=Adam(ref.parameters(), lr=1e-2),
                           callbacks=[EarlyStopping(patience=patience)], rng=0, **kw)
        state["weights"] = [(p.data, q.data) for p, q in zip(mine.parameters(), ref.parameters())]
        return None

    def curves():
        mine, ref = state["mine"], state["ref"]
        for epoch in range(min(len(mine.train_loss), len(ref.train_loss))):
            for key in ("train_loss", "val_loss"):
                a, b = getattr(mine, key)[epoch], getattr(ref, key)[epoch]
                if not np.isclose(a, b, rtol=1e-6, atol=0):
                    return (f"epoch {epoch}: your network's {key} is {a:.6f}, regkit's twin "
                            f"{b:.6f}. The layers passed their checks one by one, so look at "
                            "what only training exercises: the running statistics over many "
                            "batches, the generator of each Dropout (one per layer, drawn once "
                            "per forward)")
        return None

    def stopping():
        mine, ref = state["mine"], state["ref"]
        if (mine.stopped_epoch, len(mine.train_loss)) != (ref.stopped_epoch, len(ref.train_loss)):
            def said(h):
                return ("ran all epochs" if h.stopped_epoch is None
                        else f"stopped after epoch {h.stopped_epoch}")
            return (f"your early stopping {said(mine)}, rk.EarlyStopping(patience={patience}) "
                    f"{said(ref)} on the same curve: check it against notebook 05's checker")
        for got, want in state["weights"]:
            # atol: the biases in front of a batch norm get rounding noise as
            # gradient, which Adam turns into steps of ~1e-11 that differ from
            # one implementation (and CPU) to the next
            if not np.allclose(got, want, rtol=1e-6, atol=1e-6):
                return ("the runs stopped together but end with other weights: on_train_end "
                        f"must restore the best epoch's (epoch {ref.best_epoch}) weights")
        return None

    feedback = check_all("training run", [runs, curves, stopping])
    if feedback.passed:
        feedback.messages.append("the same curves as regkit's twin, epoch by epoch; the "
                                 "same stop and the same final weights")
    return feedback
