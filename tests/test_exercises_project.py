"""The project checkers (notebook 09) pass a plain solution and name typical mistakes."""
import numpy as np
import pytest

import regkit as rk
from regkit.course.exercises.project_layers import check_batchnorm_layer, check_dense, check_dropout
from regkit.course.exercises.project_network import (check_network, check_training,
                                                     expected_kinds, kind, twin)
from exercise_helpers import assert_rejects


# -- a plain solution, written as a learner would -------------------------------
class Dense(rk.Module):
    def __init__(self, n_in, n_out, l1=0.0, l2=0.0, rng=None):
        super().__init__()
        rng = np.random.default_rng(rng)
        self.W = rk.Parameter(rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out))
                              .astype(np.float32), "W")
        self.b = rk.Parameter(np.zeros(n_out, dtype=np.float32), "b", decay=False)
        self.l1, self.l2 = l1, l2
        self.x = None

    def forward(self, x):
        self.x = x
        return x @ self.W.data + self.b.data

    def backward(self, grad_y):
        W = self.W.data
        self.W.grad = self.x.T @ grad_y + self.l1 * np.sign(W) + self.l2 * W
        self.b.grad = grad_y.sum(axis=0)
        return grad_y @ W.T

    def penalty(self):
        W = self.W.data
        return float(self.l1 * np.abs(W).sum() + self.l2 / 2 * (W ** 2).sum())


class Dropout(rk.Module):
    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p, self.rng, self.mask = p, np.random.default_rng(rng), None

    def forward(self, x):
        if not self.training or self.p == 0:
            self.mask = None
            return x
        self.mask = self.rng.random(x.shape, dtype=np.float32) < 1 - self.p
        return x * self.mask / (1 - self.p)

    def backward(self, grad_y):
        return grad_y if self.mask is None else grad_y * self.mask / (1 - self.p)


class BatchNorm(rk.Module):
    _buffers = ("running_mean", "running_var")

    def __init__(self, n, momentum=0.9, eps=1e-5):
        super().__init__()
        self.gamma = rk.Parameter(np.ones(n, dtype=np.float32), "gamma", decay=False)
        self.beta = rk.Parameter(np.zeros(n, dtype=np.float32), "beta", decay=False)
        self.running_mean = np.zeros(n, dtype=np.float32)
        self.running_var = np.ones(n, dtype=np.float32)
        self.momentum, self.eps = momentum, eps

    def forward(self, x):
        if self.training:
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        self.mode = self.training
        return self.gamma.data * self.x_hat + self.beta.data

    def backward(self, grad_y):
        g, x_hat = self.gamma.data, self.x_hat
        self.beta.grad = grad_y.sum(axis=0)
        self.gamma.grad = (grad_y * x_hat).sum(axis=0)
        if not self.mode:
            return grad_y * g * self.inv_std
        m = grad_y.shape[0]
        return g * self.inv_std / m * (m * grad_y - self.beta.grad - x_hat * self.gamma.grad)


class Network(rk.Module):
    def __init__(self, sizes, l1=0.0, l2=0.0, p=0.0, batchnorm=False, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.layers = []
        for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
            self.layers.append(Dense(n_in, n_out, l1, l2, rng=rng))
            if batchnorm:
                self.layers.append(BatchNorm(n_out))
            self.layers.append(rk.ReLU())
            if p > 0:
                self.layers.append(Dropout(p, rng=rng))
        self.layers.append(Dense(sizes[-2], sizes[-1], l1, l2, rng=rng))

    def children(self):
        return self.layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_y):
        for layer in reversed(self.layers):
            grad_y = layer.backward(grad_y)
        return grad_y


def _variant(base, **methods):
    return type(base.__name__, (base,), methods)


# -- the solution passes, and regkit's own layers pass ---------------------------
def test_the_plain_solution_passes_every_checker():
    for feedback in (check_dense(Dense), check_dropout(Dropout), check_batchnorm_layer(BatchNorm),
                     check_network(Network)):
        assert feedback.passed, str(feedback)
    assert "below 1e-07" in str(check_network(Network))


def test_regkits_layers_pass_the_layer_checkers():
    def dense(n_in, n_out, l1=0.0, l2=0.0, rng=None):
        layer = rk.Dense(n_in, n_out, regularizer=rk.ElasticNet(l1, l2), rng=rng)
        layer.l1, layer.l2 = l1, l2
        return layer

    assert check_dense(dense).passed
    assert check_dropout(lambda p, rng=None: rk.Dropout(p, rng=rng)).passed
    assert check_batchnorm_layer(rk.BatchNorm).passed


def test_training_run_matches_regkit_and_names_a_wrong_stop():
    fb = check_training(Network, lambda patience: rk.EarlyStopping(patience=patience))
    assert fb.passed, str(fb)

    class Late(rk.EarlyStopping):
        def __init__(self, patience):
            super().__init__(patience=patience + 1)

    assert_rejects(check_training(Network, Late), "stopped after epoch", "notebook 05")

    class NoRestore(rk.EarlyStopping):
        def __init__(self, patience):
            super().__init__(patience=patience, restore_best=False)

    assert_rejects(check_training(Network, NoRestore), "restore the best epoch")


# -- Dense mistakes ----------------------------------------------------------
def _backward_with(w_grad=None, b_grad=None, grad_x=None):
    def backward(self, grad_y):
        W, x = self.W.data, self.x
        self.W.grad = w_grad(self, x, grad_y, W) if w_grad else \
            x.T @ grad_y + self.l1 * np.sign(W) + self.l2 * W
        self.b.grad = b_grad(self, grad_y) if b_grad else grad_y.sum(axis=0)
        return grad_x(grad_y, W) if grad_x else grad_y @ W.T
    return backward


@pytest.mark.parametrize("w_grad, words", [
    (lambda s, x, g, W: x.T @ g, ["penalty's gradient is missing"]),
    (lambda s, x, g, W: x.T @ g + s.l1 * np.sign(W) + 2 * s.l2 * W, ["2 * l2 * W", "1/2"]),
    (lambda s, x, g, W: x.T @ g + s.l2 * W, ["L1 part is missing"]),
    (lambda s, x, g, W: (x.T @ g) / len(x) + s.l1 * np.sign(W) + s.l2 * W, ["batch size"]),
    (lambda s, x, g, W: x.T @ g + s.l2 * np.sign(W) + s.l1 * W, ["swapped"]),
])
def test_dense_w_grad_mistakes_are_named(w_grad, words):
    assert_rejects(check_dense(_variant(Dense, backward=_backward_with(w_grad=w_grad))),
                   "W.grad", *words)


def test_dense_bias_and_input_gradient_mistakes_are_named():
    mean_b = _backward_with(b_grad=lambda s, g: g.mean(axis=0))
    assert_rejects(check_dense(_variant(Dense, backward=mean_b)), "b.grad", "SUM")
    decayed = _backward_with(b_grad=lambda s, g: g.sum(axis=0) + s.l2 * s.b.data)
    assert_rejects(check_dense(_variant(Dense, backward=decayed)), "bias is penalised")
    returns_grad_y = _backward_with(grad_x=lambda g, W: g)
    assert_rejects(check_dense(_variant(Dense, backward=returns_grad_y)), "INPUT", "W.T")
    no_bias = _variant(Dense, forward=lambda self, x: (setattr(self, "x", x), x @ self.W.data)[1])
    assert_rejects(check_dense(no_bias), "bias is missing")


def test_dense_penalty_and_accumulation_mistakes_are_named():
    def no_half(self):
        W = self.W.data
        return float(self.l1 * np.abs(W).sum() + self.l2 * (W ** 2).sum())

    assert_rejects(check_dense(_variant(Dense, penalty=no_half)), "penalty()", "1/2")
    with_bias = _variant(Dense, penalty=lambda self: Dense.penalty(self)
                         + self.l1 * float(np.abs(self.b.data).sum())
                         + self.l2 / 2 * float((self.b.data ** 2).sum()))
    assert_rejects(check_dense(with_bias), "bias is in the penalty")

    def accumulate(self, grad_y):
        W = self.W.data
        self.W.grad = self.W.grad + self.x.T @ grad_y + self.l1 * np.sign(W) + self.l2 * W
        self.b.grad = grad_y.sum(axis=0)
        return grad_y @ W.T

    # the first backward is right (grad starts at 0); the second one shows it
    assert_rejects(check_dense(_variant(Dense, backward=accumulate)), "ASSIGN")
    unimplemented = _variant(Dense, forward=lambda self, x: (_ for _ in ()).throw(NotImplementedError))
    assert_rejects(check_dense(unimplemented), "not implemented yet")


# -- Dropout mistakes ----------------------------------------------------------
def _dropout_forward(keep_rule, scale):
    def forward(self, x):
        if not self.training:
            self.mask = None
            return x
        self.mask = keep_rule(self, x)
        return x * self.mask * scale(self.p)
    return forward


@pytest.mark.parametrize("forward, words", [
    (_dropout_forward(lambda s, x: s.rng.random(x.shape, dtype=np.float32) < s.p, lambda p: 1 / (1 - p)),
     ["DROPPING"]),
    (_dropout_forward(lambda s, x: s.rng.random(x.shape, dtype=np.float32) < 1 - s.p, lambda p: 1.0),
     ["not scaled"]),
    (_dropout_forward(lambda s, x: s.rng.random(x.shape, dtype=np.float32) < 1 - s.p, lambda p: 1 / p),
     ["not by p"]),
    (_dropout_forward(lambda s, x: s.rng.random(x.shape) < 1 - s.p, lambda p: 1 / (1 - p)),
     ["dtype=np.float32"]),
])
def test_dropout_forward_mistakes_are_named(forward, words):
    assert_rejects(check_dropout(_variant(Dropout, forward=forward)), *words)


def test_dropout_mode_mask_and_backward_mistakes_are_named():
    def old_style(self, x):
        if not self.training:
            return x * (1 - self.p)
        return Dropout.forward(self, x)

    assert_rejects(check_dropout(_variant(Dropout, forward=old_style)), "eval mode", "inverted")

    def same_mask(self, x):
        if not self.training:
            self.mask = None
            return x
        if getattr(self, "fixed", None) is None:
            self.fixed = self.rng.random(x.shape, dtype=np.float32) < 1 - self.p
        self.mask = self.fixed
        return x * self.mask / (1 - self.p)

    assert_rejects(check_dropout(_variant(Dropout, forward=same_mask)), "fresh mask")
    no_mask = _variant(Dropout, backward=lambda self, g: g if self.mask is None else g / (1 - self.p))
    assert_rejects(check_dropout(no_mask), "mask is missing")
    no_scale = _variant(Dropout, backward=lambda self, g: g if self.mask is None else g * self.mask)
    assert_rejects(check_dropout(no_scale), "scale is missing")
    always = _variant(Dropout, forward=lambda self, x: (setattr(self, "mask", None), x)[1])
    assert_rejects(check_dropout(always), "dropped nothing")


# -- BatchNorm mistakes ------------------------------------------------------
def _bn_update(rule):
    def forward(self, x):
        if self.training:
            mu, var = x.mean(axis=0), x.var(axis=0)
            self.running_mean, self.running_var = rule(self, x, mu, var)
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        self.mode = self.training
        return self.gamma.data * self.x_hat + self.beta.data
    return forward


@pytest.mark.parametrize("rule, words", [
    (lambda s, x, mu, var: (s.running_mean, s.running_var), ["not updated"]),
    (lambda s, x, mu, var: (0.1 * s.running_mean + 0.9 * mu, 0.1 * s.running_var + 0.9 * var),
     ["OLD value"]),
    (lambda s, x, mu, var: (0.9 * s.running_mean + 0.1 * mu,
                            0.9 * s.running_var + 0.1 * x.var(axis=0, ddof=1)), ["unbiased"]),
])
def test_batchnorm_running_statistics_mistakes_are_named(rule, words):
    assert_rejects(check_batchnorm_layer(_variant(BatchNorm, forward=_bn_update(rule))), *words)


def test_batchnorm_eval_and_backward_mistakes_are_named():
    def batch_stats_always(self, x):
        was = self.training
        self.training = True
        try:
            return BatchNorm.forward(self, x)
        finally:
            self.training = was

    assert_rejects(check_batchnorm_layer(_variant(BatchNorm, forward=batch_stats_always)),
                   "eval mode uses the batch's statistics")

    def constant_stats(self, grad_y):
        self.beta.grad = grad_y.sum(axis=0)
        self.gamma.grad = (grad_y * self.x_hat).sum(axis=0)
        return grad_y * self.gamma.data * self.inv_std

    assert_rejects(check_batchnorm_layer(_variant(BatchNorm, backward=constant_stats)),
                   "treated as constants")

    def unbiased(self, x):
        if not self.training:
            return BatchNorm.forward(self, x)
        mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        return self.gamma.data * (x - mu) * self.inv_std + self.beta.data

    assert_rejects(check_batchnorm_layer(_variant(BatchNorm, forward=unbiased)), "ddof")


# -- Network mistakes ----------------------------------------------------------
def _network_with_order(order):
    def __init__(self, sizes, l1=0.0, l2=0.0, p=0.0, batchnorm=False, seed=0):
        rk.Module.__init__(self)
        rng = np.random.default_rng(seed)
        self.layers = []
        for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
            self.layers += order(n_in, n_out, l1, l2, p, batchnorm, rng)
        self.layers.append(Dense(sizes[-2], sizes[-1], l1, l2, rng=rng))
    return _variant(Network, __init__=__init__)


def test_network_order_and_wiring_mistakes_are_named():
    relu_first = _network_with_order(lambda i, o, l1, l2, p, bn, rng: [
        Dense(i, o, l1, l2, rng=rng), rk.ReLU()] + ([BatchNorm(o)] if bn else [])
        + ([Dropout(p, rng=rng)] if p > 0 else []))
    assert_rejects(check_network(relu_first), "Dense -> BatchNorm -> ReLU -> Dropout")
    no_l2 = _network_with_order(lambda i, o, l1, l2, p, bn, rng: [
        Dense(i, o, l1, 0.0, rng=rng)] + ([BatchNorm(o)] if bn else []) + [rk.ReLU()]
        + ([Dropout(p, rng=rng)] if p > 0 else []))
    assert_rejects(check_network(no_l2), "pass the network's l1 and l2 to every Dense")

    def forward_skips_dropout(self, x):
        for layer in self.layers:
            if kind(layer) != "Dropout":
                x = layer.forward(x)
        return x

    assert_rejects(check_network(_variant(Network, forward=forward_skips_dropout)),
                   "forward in training mode differs")

    def backward_skips_relu(self, grad_y):
        for layer in reversed(self.layers):
            if not isinstance(layer, rk.ReLU):
                grad_y = layer.backward(grad_y)
        return grad_y

    assert_rejects(check_network(_variant(Network, backward=backward_skips_relu)),
                   "backward in training mode returns another grad_x")
    hidden_children = _variant(Network, children=lambda self: [])
    assert_rejects(check_network(hidden_children), "children() must return self.layers")


def test_twin_and_kinds_describe_the_network():
    net = Network([6, 5, 4, 3], l1=0.0, l2=1e-2, p=0.3, batchnorm=True, seed=0)
    assert [kind(layer) for layer in net.layers] == expected_kinds(3, 0.3, True)
    ref = twin(net)
    assert [type(layer).__name__ for layer in ref.layers] == [
        "Dense", "BatchNorm", "ReLU", "Dropout"] * 2 + ["Dense"]
    x = np.random.default_rng(0).normal(size=(5, 6))
    net.eval()
    ref.eval()
    np.testing.assert_allclose(net.forward(x), ref.forward(x), rtol=1e-6, atol=1e-6)


def test_the_detector_sees_what_the_learners_network_uses():
    # rk.fit's config and rk.diagnose's model facts read the project's layers:
    # its Dense keeps l1/l2 as attributes, its Dropout and BatchNorm go by name
    from regkit.detector.advice import model_facts
    net = rk.Sequential(Network([8, 6, 5, 3], l1=1e-4, l2=1e-3, p=0.4, batchnorm=True, seed=0))
    facts = model_facts(net)
    assert facts["dropout"] == [0.4, 0.4] and facts["batchnorm"] is True
    assert (facts["l1"], facts["l2"], facts["hidden_layers"]) == (1e-4, 1e-3, 2)
    x = np.random.default_rng(0).normal(size=(20, 8)).astype(np.float32)
    y = np.arange(20) % 3
    history = rk.fit(net, x, y, loss=rk.SoftmaxCrossEntropy(), optimizer=rk.Adam(net.parameters()),
                     epochs=1, batch_size=10, progress=False)
    assert {k: history.config[k] for k in facts if k in history.config} == {
        k: v for k, v in facts.items() if k in history.config}
