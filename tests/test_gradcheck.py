"""Every hand-written backward against finite differences (float64).

The checked scalar is ``sum(forward(x) * grad_y) + penalty`` with a random
upstream ``grad_y`` (all ones would hide BatchNorm bugs). Errors must be
below 1e-7; correct gradients give about 1e-9 to 1e-10 here, a wrong one
1e-3 or more. The step is h = 1e-5: the rounding error of the checked sum
is about 1e-16 / h in absolute terms, so with h = 1e-6 a gradient entry
near 1e-4 already shows 1e-7 *relative* error. For the same reason some
inputs (a BatchNorm gradient entry that nearly cancels) reach 1e-7 with a
correct backward; the fixed seeds below avoid such entries.
"""
import numpy as np
import pytest

import regkit as rk
from regkit.gradcheck import check_layer, check_loss, numerical_gradient, rel_error

TOL = 1e-7
H = 1e-5


def away_from_zero(rng, shape, margin=0.1):
    """Normal values with |v| >= margin, so ReLU's and L1's kink is never
    inside the +-h window."""
    v = rng.standard_normal(shape)
    return np.where(v >= 0, v + margin, v - margin)


def assert_small(errors):
    assert errors, "no gradient was checked"
    worst = max(errors, key=errors.get)
    assert errors[worst] < TOL, f"{worst}: relative error {errors[worst]:.2e}"


# -- the checker itself -------------------------------------------------


def test_numerical_gradient_of_known_function():
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    grad = numerical_gradient(lambda v: np.sum(v ** 3) + np.sin(v).sum(), x)
    np.testing.assert_allclose(grad, 3 * x ** 2 + np.cos(x), rtol=1e-8)


def test_numerical_gradient_restores_x_and_needs_float64():
    x = np.array([1.5, -2.0, 0.25])
    before = x.copy()
    numerical_gradient(lambda v: float(v @ v), x)
    np.testing.assert_array_equal(x, before)
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda v: v.sum(), x.astype(np.float32))


def test_rel_error_values():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1.0], [3.0]) == pytest.approx(0.5)
    assert rel_error([0.0], [1e-12]) == pytest.approx(1e-4)   # the 1e-8 floor


class WrongDense(rk.Dense):
    """A backward that is off by 1%, as a sign or scale slip would be."""

    def backward(self, grad_y):
        grad_x = super().backward(grad_y)
        self.W.grad = self.W.grad * 1.01
        return grad_x


def test_check_layer_catches_a_wrong_gradient():
    x = np.random.default_rng(0).standard_normal((4, 3))
    errors = check_layer(WrongDense(3, 2, rng=0), x, h=H)
    assert errors["W"] > 1e-3
    assert errors["x"] < TOL


def test_check_loss_catches_a_wrong_gradient():
    class HalfGradient(rk.SoftmaxCrossEntropy):
        def backward(self):
            return super().backward() * 0.5

    rng = np.random.default_rng(0)
    scores, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 1])
    assert check_loss(HalfGradient(), scores, labels, h=H)["scores"] > 0.1


def test_check_layer_leaves_the_layer_as_it_was():
    bn = rk.BatchNorm(3)
    bn.gamma.data = np.array([1.5, -0.5, 2.0], dtype=np.float32)
    gamma = bn.gamma.data
    check_layer(bn, np.random.default_rng(1).standard_normal((5, 3)), h=H)
    assert bn.gamma.data is gamma and gamma.dtype == np.float32
    np.testing.assert_array_equal(bn.running_mean, 0.0)
    np.testing.assert_array_equal(bn.running_var, 1.0)


# -- layers --------------------------------------------------------------

REGULARIZERS = [None, rk.L2(0.3), rk.L1(0.2), rk.ElasticNet(0.2, 0.3)]


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
@pytest.mark.parametrize("seed", [0, 1])
def test_dense(reg, seed):
    rng = np.random.default_rng(seed)
    layer = rk.Dense(4, 3, regularizer=reg, rng=seed)
    layer.W.data = away_from_zero(rng, (4, 3)).astype(np.float32)   # L1's kink
    layer.b.data = rng.standard_normal(3).astype(np.float32)
    assert_small(check_layer(layer, rng.standard_normal((5, 4)), rng=seed, h=H))


@pytest.mark.parametrize("layer", [rk.ReLU(), rk.Tanh(), rk.Sigmoid()], ids=repr)
@pytest.mark.parametrize("seed", [0, 1])
def test_activations(layer, seed):
    x = away_from_zero(np.random.default_rng(seed), (6, 5))
    assert_small(check_layer(layer, x, rng=seed, h=H))


def test_flatten():
    x = np.random.default_rng(2).standard_normal((3, 2, 4))
    assert_small(check_layer(rk.Flatten(), x, h=H))


@pytest.mark.parametrize("fast_mask", [True, False], ids=["fast-mask", "readable-mask"])
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_with_fixed_mask(p, fast_mask):
    layer = rk.Dropout(p, rng=0, fast_mask=fast_mask)
    x = np.random.default_rng(3).standard_normal((6, 5))
    errors = check_layer(layer, x, h=H)
    assert_small(errors)


def test_a_whole_model_with_random_layers_inside():
    # check_layer walks the model (Module.modules()) to hold every mask fixed
    rng = np.random.default_rng(6)
    model = rk.Sequential(rk.Dense(5, 6, regularizer=rk.L2(0.3), rng=0), rk.Tanh(),
                          rk.BatchNorm(6), rk.Dropout(0.3, rng=1),
                          rk.Sequential(rk.DropConnect(6, 4, p=0.3, rng=2), rk.Sigmoid()))
    errors = check_layer(model, rng.standard_normal((7, 5)), rng=1, h=H)
    assert set(errors) == {"x", "0.W", "0.b", "2.gamma", "2.beta", "4.0.W", "4.0.b"}
    assert_small(errors)


def test_dropout_check_would_fail_with_a_fresh_mask_each_forward():
    # the reseeding is what makes the check meaningful: without it the
    # masks differ between the forwards and the difference quotient is noise
    class Unseeded(rk.Dropout):
        @property
        def rng(self):
            return np.random.default_rng()

        @rng.setter
        def rng(self, value):
            pass

    x = np.random.default_rng(3).standard_normal((6, 5))
    assert check_layer(Unseeded(0.5), x, h=H)["x"] > 1e-2


@pytest.mark.parametrize("reg", [None, rk.L2(0.3)], ids=repr)
def test_dropconnect(reg):
    rng = np.random.default_rng(0)
    layer = rk.DropConnect(4, 3, p=0.4, regularizer=reg, rng=0)
    layer.b.data = rng.standard_normal(3).astype(np.float32)
    errors = check_layer(layer, rng.standard_normal((5, 4)), h=H)
    assert_small(errors)
    layer.eval()
    assert_small(check_layer(layer, rng.standard_normal((5, 4)), h=H))


@pytest.mark.parametrize("seed", [2, 4, 5])
def test_batchnorm_training(seed):
    rng = np.random.default_rng(seed)
    bn = rk.BatchNorm(4)
    bn.gamma.data = rng.standard_normal(4).astype(np.float32)
    bn.beta.data = rng.standard_normal(4).astype(np.float32)
    x = 3.0 * rng.standard_normal((6, 4)) + 1.0
    assert_small(check_layer(bn, x, rng=seed, h=H))


def test_batchnorm_eval():
    rng = np.random.default_rng(5)
    bn = rk.BatchNorm(3)
    bn.running_mean[:] = [0.5, -1.0, 2.0]
    bn.running_var[:] = [2.0, 0.5, 1.5]
    bn.gamma.data = rng.standard_normal(3).astype(np.float32)
    bn.eval()
    assert_small(check_layer(bn, rng.standard_normal((4, 3)), h=H))


# -- losses ---------------------------------------------------------------


def soft_targets(rng, n, k):
    t = rng.random((n, k)) + 0.1
    return t / t.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("eps", [0.0, 0.1])
@pytest.mark.parametrize("kind", ["labels", "soft"])
def test_cross_entropy(kind, eps):
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((4, 3))
    target = rng.integers(0, 3, 4) if kind == "labels" else soft_targets(rng, 4, 3)
    assert_small(check_loss(rk.SoftmaxCrossEntropy(label_smoothing=eps), scores, target, h=H))


def test_mse():
    rng = np.random.default_rng(7)
    assert_small(check_loss(rk.MSE(), rng.standard_normal((5, 2)),
                            rng.standard_normal((5, 2)), h=H))


# -- regularizers ---------------------------------------------------------


@pytest.mark.parametrize("reg", REGULARIZERS[1:], ids=repr)
def test_regularizer_gradients(reg):
    w = away_from_zero(np.random.default_rng(8), (4, 3))
    numeric = numerical_gradient(reg, w.copy(), h=H)
    assert rel_error(reg.grad(w), numeric) < TOL


def test_layer_gradients_gives_the_arrays_check_layer_compares():
    # A bias in front of a batch norm has gradient 0 both ways: only the arrays
    # show it (its relative error is rounding noise); every other array agrees.
    model = rk.Sequential(rk.Dense(4, 3, rng=0), rk.BatchNorm(3), rk.ReLU(), rk.Dense(3, 2, rng=1))
    x = np.random.default_rng(0).normal(size=(6, 4))
    pairs = rk.gradcheck.layer_gradients(model, x, rng=1)
    errors = rk.gradcheck.check_layer(model, x, rng=1)
    assert set(pairs) == set(errors) == {"x", "0.W", "0.b", "1.gamma", "1.beta", "3.W", "3.b"}
    for name, (analytic, numeric) in pairs.items():
        assert errors[name] == rk.gradcheck.rel_error(analytic, numeric)
    analytic, numeric = pairs["0.b"]
    assert np.abs(analytic).max() < 1e-12 and np.abs(numeric).max() < 1e-8
    assert max(e for name, e in errors.items() if name != "0.b") < 1e-7
