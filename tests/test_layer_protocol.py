"""One protocol for every layer: the module tree, caches, modes and the registry.

* ``Module.modules()`` is the one tree walk; parameters, buffers, penalty and
  modes go through it, so a module built from other modules works;
* caches exist from ``__init__`` on (no attribute appears in forward), and
  ``backward`` before ``forward`` is a clear error naming the layer;
* ``backward`` differentiates the forward that ran, whatever ``train()`` or
  ``eval()`` happened in between;
* ``rk.load`` rebuilds regkit's classes by explicit registration, so a
  learner's own class of the same name can neither shadow nor break it.
"""
import json

import numpy as np
import pytest

import regkit as rk
from regkit import saving
from regkit.constraints import max_norm
from regkit.detector.advice import model_facts
from regkit.gradcheck import check_layer
from regkit.saving import register_layer, registered_layers

#: a fresh instance of every built-in layer, with the width of its input
BUILT_IN = {
    "Dense": (lambda: rk.Dense(4, 3, regularizer=rk.L2(0.1), rng=0), 4),
    "ReLU": (rk.ReLU, 4), "Tanh": (rk.Tanh, 4), "Sigmoid": (rk.Sigmoid, 4),
    "Flatten": (rk.Flatten, 4),
    "Dropout": (lambda: rk.Dropout(0.4, rng=0), 4),
    "DropConnect": (lambda: rk.DropConnect(4, 3, p=0.4, rng=0), 4),
    "BatchNorm": (lambda: rk.BatchNorm(4), 4),
}


def data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.fixture
def registry(monkeypatch):
    """The layer registry, restored after the test (registrations do not leak)."""
    monkeypatch.setattr(saving, "_LAYERS", dict(saving._LAYERS))
    monkeypatch.setattr(saving, "_NAMES", dict(saving._NAMES))
    return saving


# -- the module tree ------------------------------------------------------------

class Block(rk.Module):
    """A learner's composite module, ``scale * ReLU(Dense(BatchNorm(x)))``: it
    lists its sub-modules in ``children()`` and needs nothing else."""

    def __init__(self, n_in, n_out, rng=0):
        super().__init__()
        self.scale = rk.Parameter(np.float32([2.0]), name="scale", decay=False)
        self.norm = rk.BatchNorm(n_in)
        self.dense = rk.Dense(n_in, n_out, regularizer=rk.L2(0.5), rng=rng)
        self.act = rk.ReLU()
        self._z = None                                  # the cache: the output before scaling

    def children(self):
        return [self.norm, self.dense, self.act]

    def forward(self, x):
        self._z = self.act(self.dense(self.norm(x)))
        return self._z * self.scale.data

    def backward(self, grad_y):
        self.scale.grad = np.sum(grad_y * self._z, keepdims=True).reshape(1)
        return self.norm.backward(self.dense.backward(self.act.backward(grad_y * self.scale.data)))


def test_modules_is_self_then_descendants_depth_first():
    inner = rk.Sequential(rk.Dense(3, 3, rng=0), rk.ReLU())
    model = rk.Sequential(rk.Dense(2, 3, rng=0), inner, rk.Dropout(0.5))
    assert model.modules() == [model, model[0], inner, inner[0], inner[1], model[2]]
    assert [name for name, _ in model.named_modules()] == ["", "0", "1", "1.0", "1.1", "2"]
    assert rk.ReLU().modules()[0].__class__ is rk.ReLU
    shared = rk.ReLU()                                  # one object at two places
    assert [n for n, m in rk.Sequential(shared, rk.Dense(2, 2), shared).named_modules()
            if m is shared] == ["0", "2"]


def test_sequential_names_and_order_are_unchanged():
    # saved files and optimizers depend on them
    model = rk.Sequential(rk.Dense(6, 10, rng=0), rk.BatchNorm(10), rk.ReLU(), rk.Dropout(0.3),
                          rk.Sequential(rk.Dense(10, 4, rng=1), rk.BatchNorm(4)),
                          rk.Dense(4, 3, rng=2))
    assert [n for n, _ in model.named_parameters()] == [
        "0.W", "0.b", "1.gamma", "1.beta", "4.0.W", "4.0.b", "4.1.gamma", "4.1.beta", "5.W", "5.b"]
    assert [n for n, _ in model.named_buffers()] == [
        "1.running_mean", "1.running_var", "4.1.running_mean", "4.1.running_var"]
    assert list(model.state_dict()) == [
        "0.W", "0.b", "1.gamma", "1.beta", "1.running_mean", "1.running_var", "4.0.W", "4.0.b",
        "4.1.gamma", "4.1.beta", "4.1.running_mean", "4.1.running_var", "5.W", "5.b"]
    assert model.children() == model.layers
    shared = rk.Dense(3, 3, rng=0)
    twice = rk.Sequential(shared, rk.ReLU(), shared)
    assert [n for n, _ in twice.named_parameters()] == ["0.W", "0.b"]      # listed once


def test_a_composite_module_works_without_extra_code():
    block = Block(3, 4)
    model = rk.Sequential(block, rk.Dense(4, 2, rng=1))
    assert [n for n, _ in block.named_parameters()] == ["scale", "0.gamma", "0.beta", "1.W", "1.b"]
    assert [n for n, _ in model.named_parameters()][:3] == ["0.scale", "0.0.gamma", "0.0.beta"]
    assert [n for n, _ in model.named_buffers()] == ["0.0.running_mean", "0.0.running_var"]
    assert model.modules() == [model, block, block.norm, block.dense, block.act, model[1]]
    assert block.children() == [block.norm, block.dense, block.act]
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    assert block.penalty() == pytest.approx(block.dense.penalty())
    assert model.penalty() == pytest.approx(block.dense.penalty())
    assert max_norm(block, 0.1) == 4                      # the W inside the block
    facts = model_facts(model)
    assert facts["l2"] == 0.5 and facts["batchnorm"] and facts["n_params"] == model.num_parameters()
    # state_dict and load_state_dict reach the buffers inside the block
    model(data((8, 3)))
    state = model.state_dict()
    fresh = rk.Sequential(Block(3, 4, rng=5), rk.Dense(4, 2, rng=6))
    assert not np.array_equal(fresh[0].norm.running_mean, block.norm.running_mean)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh[0].norm.running_mean, block.norm.running_mean)


def test_check_layer_reaches_every_parameter_of_a_composite_module():
    rng = np.random.default_rng(2)      # a seed without a nearly cancelling BatchNorm entry
    block = Block(3, 4)
    block.dense.b.data = rng.uniform(0.5, 1.0, 4).astype(np.float32)   # most units active
    block.norm.gamma.data = rng.uniform(0.5, 1.5, 3).astype(np.float32)
    x = 2 * rng.standard_normal((6, 3)) + 1.0
    errors = check_layer(block, x, h=1e-5)
    assert set(errors) == {"x", "scale", "0.gamma", "0.beta", "1.W", "1.b"}
    assert max(errors.values()) < 1e-7, errors


# -- caches and backward before forward ---------------------------------------------

@pytest.mark.parametrize("name", list(BUILT_IN))
def test_every_cache_exists_from_init_on(name):
    make, width = BUILT_IN[name]
    layer = make()
    attributes = set(vars(layer))
    for training in (True, False, True):
        layer.train(training)
        y = layer(data((5, width)))
        layer.backward(np.ones_like(y))
        assert set(vars(layer)) == attributes, (
            f"{name}: forward/backward created {set(vars(layer)) - attributes}")


@pytest.mark.parametrize("name", list(BUILT_IN))
@pytest.mark.parametrize("training", [True, False])
def test_backward_before_forward_is_a_clear_error(name, training):
    make, width = BUILT_IN[name]
    layer = make().train(training)
    with pytest.raises(RuntimeError, match=rf"^{name}\.backward\(\) called before forward\(\)"):
        layer.backward(np.ones((5, 3 if name in ("Dense", "DropConnect") else width),
                               np.float32))


def test_sequential_backward_before_forward_names_the_layer():
    model = rk.Sequential(rk.Dense(4, 3, rng=0), rk.ReLU())
    with pytest.raises(RuntimeError, match="ReLU.backward"):
        model.backward(np.ones((2, 3), np.float32))


# -- backward follows the mode the forward ran in --------------------------------------

def switched_and_straight(make, x, g, forward_training):
    """Backward of a layer whose mode flips between forward and backward, and of
    an identical layer whose mode does not."""
    switched, straight = make().train(forward_training), make().train(forward_training)
    y1, y2 = switched(x), straight(x)
    np.testing.assert_array_equal(y1, y2)
    switched.train(not forward_training)
    grads = [switched.backward(g), straight.backward(g)]
    params = [[p.grad for p in layer.parameters()] for layer in (switched, straight)]
    return grads, params


@pytest.mark.parametrize("make", [
    lambda: rk.Dropout(0.5, rng=0),
    lambda: rk.DropConnect(6, 4, p=0.5, rng=0),
    lambda: rk.BatchNorm(6),
], ids=["dropout", "dropconnect", "batchnorm"])
@pytest.mark.parametrize("forward_training", [True, False], ids=["train-fwd", "eval-fwd"])
def test_backward_uses_the_mode_of_its_forward(make, forward_training):
    x = data((8, 6)) + 0.5
    layer = make()
    g = data((8, 4 if isinstance(layer, rk.Dense) else 6), seed=1)
    (switched, straight), (p_switched, p_straight) = switched_and_straight(
        make, x, g, forward_training)
    np.testing.assert_array_equal(switched, straight)
    for a, b in zip(p_switched, p_straight):
        np.testing.assert_array_equal(a, b)


def test_dropout_eval_between_forward_and_backward_keeps_the_mask():
    # the bug this protocol removes: an unmasked gradient after .eval()
    drop = rk.Dropout(0.5, rng=0)
    x = data((20, 30))
    drop(x)
    drop.eval()
    grad = drop.backward(np.ones_like(x))
    np.testing.assert_array_equal(grad, np.where(drop.mask, 2.0, 0.0))
    drop(x)                                             # an eval forward now
    drop.train()
    g = data((20, 30), seed=2)
    assert drop.backward(g) is g                        # ... so backward is the identity


def test_a_mask_swapped_in_after_forward_is_the_one_backward_uses():
    # what notebook 03 does with the chapter's mask and with PyTorch's
    layer = rk.Dropout(0.5, rng=0)
    layer(np.ones((1, 4), np.float32))
    layer.mask = np.array([[True, False, True, False]])
    np.testing.assert_array_equal(layer.backward(np.ones((1, 4), np.float32)),
                                  [[2.0, 0.0, 2.0, 0.0]])


@pytest.mark.parametrize("forward_training", [True, False])
def test_batchnorm_gradient_after_a_mode_switch_passes_the_numeric_check(forward_training):
    # the check itself runs forward and backward in one mode; the switch test
    # above shows a switch changes nothing, so both modes' backward are checked here
    rng = np.random.default_rng(3)
    bn = rk.BatchNorm(4).train(forward_training)
    bn.running_mean[:] = rng.standard_normal(4)
    bn.running_var[:] = rng.uniform(0.5, 2.0, 4)
    bn.gamma.data = rng.standard_normal(4).astype(np.float32)
    errors = check_layer(bn, 2 * rng.standard_normal((6, 4)) + 1, h=1e-5)
    assert max(errors.values()) < 1e-7, errors


# -- the registry ----------------------------------------------------------------

def small_model():
    return rk.Sequential(rk.Dense(4, 6, rng=0), rk.BatchNorm(6), rk.ReLU(), rk.Dropout(0.3),
                         rk.DropConnect(6, 3, p=0.2, rng=1))


def test_built_in_layers_are_registered_explicitly_under_their_names():
    known = registered_layers()
    for name in list(BUILT_IN) + ["Sequential"]:
        assert known[name] is getattr(rk, name)


def test_a_subclass_is_not_registered_by_defining_it(registry):
    class Dropout(rk.Module):                           # a learner's own, in a notebook
        def forward(self, x):
            return x

    class Wider(rk.Dense):
        pass

    assert registered_layers()["Dropout"] is rk.Dropout
    assert Wider not in registry._NAMES.keys()


def test_a_learners_dropout_neither_shadows_nor_breaks_load(tmp_path, registry):
    model = small_model()
    path = tmp_path / "m.npz"
    model.save(path)

    class Dropout(rk.Module):                           # defined after the save ...
        def __init__(self, p=0.5):
            super().__init__()
            self.p = p
            self._config = {"p": p}

        def forward(self, x):
            return x

    loaded = rk.load(path)                              # ... and rk.load ignores it
    assert type(loaded[3]) is rk.Dropout and loaded[3].p == 0.3
    x = data((7, 4))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))

    mine = rk.Sequential(rk.Dense(4, 4, rng=0), Dropout(0.2))
    with pytest.raises(TypeError, match=r"Dropout is not a registered layer.*"
                                        r"register_layer\(Dropout, name='MyDropout'\)"):
        mine.save(tmp_path / "mine.npz")
    assert not (tmp_path / "mine.npz").exists()
    with pytest.raises(ValueError, match=r"'Dropout' already means regkit\.layers\.dropout\.Dropout"):
        register_layer(Dropout)
    assert registered_layers()["Dropout"] is rk.Dropout   # nothing changed

    register_layer(Dropout, name="MyDropout")
    mine.save(tmp_path / "mine.npz")
    back = rk.load(tmp_path / "mine.npz")
    assert type(back[1]) is Dropout and back[1].p == 0.2
    assert type(rk.load(path)[3]) is rk.Dropout           # regkit's still loads as regkit's


def test_a_custom_layer_loads_once_registered(tmp_path, registry):
    @register_layer
    class Scale(rk.Module):
        def __init__(self, factor=1.0):
            super().__init__()
            self.factor = factor
            self._config = {"factor": factor}

        def forward(self, x):
            return x * self.factor

    model = rk.Sequential(rk.Dense(3, 2, rng=0), Scale(3.0))
    model.save(tmp_path / "s.npz")
    loaded = rk.load(tmp_path / "s.npz")
    assert type(loaded[1]) is Scale and loaded[1].factor == 3.0


def test_registering_a_class_defined_anew_replaces_it(registry):
    # a notebook cell run twice defines the class twice, with the same name
    def define():
        class Cell(rk.Module):
            pass
        return Cell

    first, second = define(), define()
    register_layer(first)
    register_layer(second)
    assert registered_layers()["Cell"] is second and first not in registry._NAMES


def test_register_layer_rejects_what_is_not_a_module_class(registry):
    with pytest.raises(TypeError, match="subclass of rk.Module"):
        register_layer(int)
    with pytest.raises(TypeError, match="subclass of rk.Module"):
        register_layer(rk.ReLU())
    with pytest.raises(TypeError, match="name must be a string"):
        register_layer(rk.ReLU, name=3)
    with pytest.raises(ValueError, match="must not be empty"):
        register_layer(rk.ReLU, name="")


def test_a_file_naming_an_unknown_layer_gets_a_clear_error(tmp_path):
    path = tmp_path / "m.npz"
    small_model().save(path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays["__regkit__"]))
    header["layers"][2]["class"] = "Swish"
    with open(path, "wb") as f:
        np.savez(f, **{**arrays, "__regkit__": np.array(json.dumps(header))})
    with pytest.raises(ValueError, match=r"unknown layer class 'Swish'; the registered layers "
                                         r"are .*BatchNorm, Dense, .*rk\.register_layer"):
        rk.load(path)


def test_configs_hold_no_rng():
    # the generator is never part of a config (the loaded weights replace the
    # initialisation, and a Generator cannot go to JSON)
    for make, _ in BUILT_IN.values():
        assert "rng" not in make().get_config()
    assert "rng" not in rk.Dropout(0.2, rng=np.random.default_rng(0)).get_config()
