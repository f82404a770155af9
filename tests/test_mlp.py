"""rk.mlp: the layers it builds, its checks, and that every builder it
replaced gives the very same network (same layers, same initial weights,
same training steps) as the hand-written one it replaced.

The hand-written builders below are verbatim copies of the code that
regkit used before ``rk.mlp`` (commit 9de6846): regkit/compare.py,
estimators.py, biasvar.py, plots/{augmentation,batchnorm,dropout,
early_stopping,other_techniques}.py and figures/l1_l2.py.
"""
import numpy as np
import pytest

import regkit as rk
from regkit.course.experiments import augmentation as aug
from regkit.course.experiments import batchnorm as bn
from regkit.course.experiments import bias_variance as bv
from regkit.course.experiments import dropout as dr
from regkit.course.experiments import early_stopping as es
from regkit.course.experiments import l1_l2
from regkit.course.experiments import other_techniques as ot
from regkit.detector import comparison
from regkit.mlp import mlp


# -- the hand-written builders rk.mlp replaced (verbatim, rk. prefixed) --------
def old_compare_mlp(n_in=64, hidden=(256, 256), n_out=10):
    def build(dropout=0.0, batchnorm=False, l2=0.0):
        reg = rk.L2(l2) if l2 else None
        layers, width = [rk.Flatten()], n_in
        for h in hidden:
            layers.append(rk.Dense(width, h, regularizer=reg))
            layers += [rk.BatchNorm(h)] if batchnorm else []
            layers.append(rk.ReLU())
            layers += [rk.Dropout(dropout)] if dropout else []
            width = h
        layers.append(rk.Dense(width, n_out, regularizer=reg))
        return rk.Sequential(*layers)
    return build


def old_estimator_build(n_in, n_out, gen, *, hidden, activation="relu", l1=0.0, l2=0.0,
                        dropout=0.0, batchnorm=False):
    reg = (rk.ElasticNet(l1, l2) if l1 and l2 else
           rk.L1(l1) if l1 else rk.L2(l2) if l2 else None)
    act = {"relu": rk.ReLU, "tanh": rk.Tanh, "sigmoid": rk.Sigmoid}[activation]
    init = "he" if activation == "relu" else "xavier"
    layers, width = [], n_in
    for h in hidden:
        layers.append(rk.Dense(width, h, regularizer=reg, init=init, rng=gen))
        if batchnorm:
            layers.append(rk.BatchNorm(h))
        layers.append(act())
        if dropout:
            layers.append(rk.Dropout(dropout, rng=gen))
        width = h
    layers.append(rk.Dense(width, n_out, regularizer=reg, init=init, rng=gen))
    return rk.Sequential(*layers)


def old_biasvar_mlp(hidden, l2=0.0, rng=None):
    reg = rk.L2(l2) if l2 else None
    layers, width = [], 64
    for h in hidden:
        layers += [rk.Dense(width, h, regularizer=reg, rng=rng), rk.ReLU()]
        width = h
    return rk.Sequential(*layers, rk.Dense(width, 10, regularizer=reg, rng=rng))


def old_small_mlp(width=128, rng=0):
    gen = np.random.default_rng(rng)
    return rk.Sequential(rk.Flatten(), rk.Dense(64, width, rng=gen), rk.ReLU(),
                         rk.Dense(width, 10, rng=gen))


def old_deep_mlp(in_features=64, out_features=10, *, depth=8, width=64, batchnorm=None,
                 momentum=0.9, rng=0):
    gen = np.random.default_rng(rng)
    layers, fan_in = [], in_features
    for _ in range(depth - 1):
        layers.append(rk.Dense(fan_in, width, rng=gen))
        block = [rk.ReLU()]
        if batchnorm == "before":
            block.insert(0, rk.BatchNorm(width, momentum=momentum))
        elif batchnorm == "after":
            block.append(rk.BatchNorm(width, momentum=momentum))
        layers += block
        fan_in = width
    layers.append(rk.Dense(fan_in, out_features, rng=gen))
    return rk.Sequential(*layers)


def old_dropout_wide_mlp(in_features, out_features, p, *, width=256, layer="dropout", rng=0):
    gen = np.random.default_rng(rng)
    if layer == "dropout":
        hidden = [rk.Dense(in_features, width, rng=gen), rk.ReLU(), rk.Dropout(p, rng=gen),
                  rk.Dense(width, width, rng=gen), rk.ReLU(), rk.Dropout(p, rng=gen)]
    else:
        hidden = [rk.DropConnect(in_features, width, p=p, rng=gen), rk.ReLU(),
                  rk.DropConnect(width, width, p=p, rng=gen), rk.ReLU()]
    return rk.Sequential(*hidden, rk.Dense(width, out_features, rng=gen))


def old_early_stopping_wide_mlp(in_features, out_features, width=128, rng=0):
    gen = np.random.default_rng(rng)
    return rk.Sequential(rk.Dense(in_features, width, rng=gen), rk.ReLU(),
                         rk.Dense(width, width, rng=gen), rk.ReLU(),
                         rk.Dense(width, out_features, rng=gen))


def old_other_mlp(sizes, act=rk.ReLU, p=0.0, init="he", rng=0):
    gen = np.random.default_rng(rng)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(rk.Dense(a, b, init=init, rng=gen))
        if i < len(sizes) - 2:
            layers += [act()] + ([rk.Dropout(p, rng=gen)] if p else [])
    return rk.Sequential(*layers)


def old_digits_model(lam, hidden=256, seed=0):
    reg = rk.L2(lam) if lam else None
    return rk.Sequential(rk.Dense(64, hidden, regularizer=reg, rng=seed), rk.ReLU(),
                         rk.Dense(hidden, 10, regularizer=reg, rng=seed + 1))


# -- comparing two networks ------------------------------------------------------
def _layers(model):
    return [(type(m).__name__, m.get_config()) for m in model]


def _train(model, n_in, n_out, *, image=False, seed=3, epochs=2):
    """A few Adam steps on fixed random data; returns (history, state_dict)."""
    data = np.random.default_rng(100)
    x = data.standard_normal((40, 8, 8) if image else (40, n_in)).astype(np.float32)
    if n_out == 1:
        y, loss = data.standard_normal((40, 1)).astype(np.float32), rk.MSE()
    else:
        y, loss = data.integers(0, n_out, 40), rk.SoftmaxCrossEntropy()
    history = rk.fit(model, x, y, loss=loss, optimizer=rk.Adam(model.parameters(), lr=1e-2),
                     epochs=epochs, batch_size=16, rng=seed, progress=False)
    return history, model.state_dict()


def assert_same_network(old, new, n_in, n_out, *, image=False, reseed=None):
    """Same layers in the same order, bit-identical weights before and after
    a few training steps (dropout masks included), same losses."""
    assert _layers(new) == _layers(old)
    for a, b in zip(old.state_dict().values(), new.state_dict().values()):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    runs = []
    for model in (old, new):
        if reseed is not None:           # Dropout(rng=None) draws from the default generator
            rk.seed(reseed)
        runs.append(_train(model, n_in, n_out, image=image))
    (h_old, s_old), (h_new, s_new) = runs
    assert h_new.batch_loss == h_old.batch_loss and h_new.train_loss == h_old.train_loss
    assert list(s_new) == list(s_old)
    for key in s_old:
        assert np.array_equal(s_old[key], s_new[key]), key


# -- every replaced builder --------------------------------------------------------
@pytest.mark.parametrize("kw", [{}, {"dropout": 0.5}, {"batchnorm": True}, {"l2": 1e-3},
                                {"dropout": 0.5, "batchnorm": True, "l2": 1e-3}])
def test_compare_builder(kw):
    rk.seed(0)
    old = old_compare_mlp(64, (32, 16), 10)(**kw)
    rk.seed(0)
    new = comparison.mlp(64, (32, 16), 10)(**kw)
    assert_same_network(old, new, 64, 10, image=True, reseed=5)


@pytest.mark.parametrize("kw", [{}, {"activation": "tanh", "dropout": 0.3},
                                {"activation": "sigmoid", "batchnorm": True, "l1": 1e-3},
                                {"l1": 1e-3, "l2": 1e-2, "dropout": 0.2, "batchnorm": True}])
def test_estimator_builder(kw):
    old = old_estimator_build(20, 3, np.random.default_rng(7), hidden=(16, 8), **kw)
    est = rk.MLPClassifier(hidden_layer_sizes=(16, 8), **kw)
    new = est._build(20, 3, np.random.default_rng(7))
    assert_same_network(old, new, 20, 3)


def test_estimator_builder_without_hidden_layers():
    old = old_estimator_build(20, 3, np.random.default_rng(7), hidden=())
    new = rk.MLPClassifier(hidden_layer_sizes=())._build(20, 3, np.random.default_rng(7))
    assert_same_network(old, new, 20, 3)


@pytest.mark.parametrize("hidden,l2,rng", [((2,), 0.0, 0), ((32, 16), 1e-2, 4), ((8,), 0.0, None)])
def test_biasvar_builder(hidden, l2, rng):
    rk.seed(1)
    old = old_biasvar_mlp(hidden, l2, rng)
    rk.seed(1)
    new = bv._mlp(hidden, l2, rng)
    assert_same_network(old, new, 64, 10)


def test_augmentation_builder():
    assert_same_network(old_small_mlp(32, rng=2), aug.small_mlp(32, rng=2), 64, 10, image=True)


@pytest.mark.parametrize("batchnorm,momentum", [(None, 0.9), ("before", 0.9), ("after", 0.99)])
def test_batchnorm_builder(batchnorm, momentum):
    kw = dict(depth=4, width=16, batchnorm=batchnorm, momentum=momentum, rng=3)
    assert_same_network(old_deep_mlp(64, 10, **kw), bn.deep_mlp(64, 10, **kw), 64, 10)


@pytest.mark.parametrize("p,layer", [(0.0, "dropout"), (0.5, "dropout"), (0.5, "dropconnect")])
def test_dropout_builder(p, layer):
    kw = dict(width=16, layer=layer, rng=4)
    assert_same_network(old_dropout_wide_mlp(64, 10, p, **kw), dr.wide_mlp(64, 10, p, **kw),
                        64, 10)


def test_dropout_builder_checks_the_layer():
    with pytest.raises(ValueError, match="layer"):
        dr.wide_mlp(64, 10, 0.5, layer="spatial")


def test_early_stopping_builder():
    assert_same_network(old_early_stopping_wide_mlp(64, 10, 16, rng=5),
                        es.wide_mlp(64, 10, 16, rng=5), 64, 10)


@pytest.mark.parametrize("old_kw,new_kw,sizes", [
    ({}, {}, (64, 16, 10)),                                         # train_smoothing
    ({}, {}, (2, 16, 16, 2)),                                       # train_mixup
    ({"p": 0.5}, {"dropout": 0.5}, (64, 16, 16, 10)),               # train_maxnorm
])
def test_other_techniques_builder(old_kw, new_kw, sizes):
    assert_same_network(old_other_mlp(sizes, rng=6, **old_kw), mlp(sizes, rng=6, **new_kw),
                        sizes[0], sizes[-1])


@pytest.mark.parametrize("init", ["he", "xavier"])
def test_exploding_builder(init):
    old = old_other_mlp((1, 16, 16, 16, 1), act=rk.Tanh, init=init, rng=7)
    assert_same_network(old, ot.exploding_mlp(16, init=init, rng=7), 1, 1)


@pytest.mark.parametrize("lam", [0.0, 1e-2])
def test_l1_l2_builder(lam):
    assert_same_network(old_digits_model(lam, 32, seed=2), l1_l2.digits_model(lam, 32, seed=2),
                        64, 10)


# -- rk.mlp itself ------------------------------------------------------------------
def _names(model):
    return [type(m).__name__ for m in model]


def test_layer_order():
    model = mlp((64, 32, 16, 10), dropout=0.5, batchnorm="before", flatten=True)
    assert _names(model) == ["Flatten", "Dense", "BatchNorm", "ReLU", "Dropout",
                             "Dense", "BatchNorm", "ReLU", "Dropout", "Dense"]
    after = mlp((4, 3, 2), "tanh", batchnorm="after", dropout=0.1)
    assert _names(after) == ["Dense", "Tanh", "BatchNorm", "Dropout", "Dense"]
    dc = mlp((4, 3, 2), dropconnect=0.2)
    assert _names(dc) == ["DropConnect", "ReLU", "Dense"] and dc[0].p == 0.2
    assert _names(mlp((4, 2))) == ["Dense"]


def test_options_reach_the_layers():
    reg = rk.L2(1e-3)
    model = mlp((5, 4, 3), "sigmoid", batchnorm="before", bn_momentum=0.99, regularizer=reg)
    dense = [m for m in model if isinstance(m, rk.Dense)]
    assert all(d.regularizer is reg for d in dense)        # the output layer too
    assert all(d.init == "xavier" for d in dense)          # the default for sigmoid
    assert model[1].momentum == 0.99
    assert all(d.init == "he" for d in mlp((5, 4, 3)) if isinstance(d, rk.Dense))
    assert mlp((5, 4, 3), "tanh", init="he")[0].init == "he"
    assert model.penalty() == pytest.approx(sum(reg(d.W.data) for d in dense))


def test_dropout_zero_keeps_the_layers():
    # a sweep over p trains one architecture: p = 0 still has its Dropout layers
    assert _names(mlp((4, 3, 2), dropout=0.0)) == ["Dense", "ReLU", "Dropout", "Dense"]
    assert _names(mlp((4, 3, 2))) == ["Dense", "ReLU", "Dense"]


def test_int_seed_is_one_generator_for_every_layer():
    a, b = mlp((6, 5, 4, 3), dropout=0.5, rng=11), mlp((6, 5, 4, 3), dropout=0.5,
                                                       rng=np.random.default_rng(11))
    for x, y in zip(a.parameters(), b.parameters()):
        assert np.array_equal(x.data, y.data)
    gens = {id(m.rng) for m in a if isinstance(m, rk.Dropout)}
    assert len(gens) == 1
    # the second layer continues the stream of the first (not a replay of it)
    assert not np.allclose(a[0].W.data[:4, :4], a[3].W.data[:4, :4])


def test_rng_sequence_seeds_each_layer():
    model = mlp((6, 6, 6), rng=[3, 3])
    assert np.array_equal(model[0].W.data, model[2].W.data)
    model = mlp((6, 5, 4), rng=[1, 2])
    assert np.array_equal(model[2].W.data, rk.Dense(5, 4, rng=2).W.data)


def test_none_follows_rk_seed():
    rk.seed(9)
    a = mlp((6, 5, 4), dropout=0.5)
    rk.seed(9)
    b = mlp((6, 5, 4), dropout=0.5)
    assert all(np.array_equal(x.data, y.data) for x, y in zip(a.parameters(), b.parameters()))
    assert a[2].rng is None            # Dropout looks the default generator up at every forward


def test_saved_and_loaded(tmp_path):
    model = mlp((6, 5, 4), dropout=0.3, batchnorm="after", regularizer=rk.L1(1e-3), rng=0,
                flatten=True)
    model.save(tmp_path / "m.npz")
    back = rk.load(tmp_path / "m.npz")
    assert _layers(back) == _layers(model)
    x = np.random.default_rng(0).standard_normal((3, 2, 3)).astype(np.float32)
    assert np.array_equal(back.predict(x), model.predict(x))


@pytest.mark.parametrize("kw,err,match", [
    ({"sizes": (4,)}, ValueError, "sizes"),
    ({"sizes": 4}, TypeError, "sizes"),
    ({"sizes": (4, 0)}, ValueError, r"sizes\[1\]"),
    ({"sizes": (4, 2.5)}, TypeError, r"sizes\[1\]"),
    ({"activation": "gelu"}, ValueError, "activation"),
    ({"batchnorm": True}, ValueError, "batchnorm"),
    ({"dropout": 1.0}, ValueError, "dropout"),
    ({"dropconnect": -0.1}, ValueError, "dropconnect"),
    ({"bn_momentum": 1.5}, ValueError, "bn_momentum"),
    ({"rng": [0]}, ValueError, "one entry per Dense layer"),
    ({"rng": "seed"}, TypeError, "rng"),
    ({"init": "lecun"}, ValueError, "init"),
])
def test_bad_arguments(kw, err, match):
    kw = {"sizes": (4, 3, 2), **kw}
    with pytest.raises(err, match=match):
        mlp(**kw)


def test_library_and_experiments_import_no_drawing():
    """``import regkit`` loads neither the course nor matplotlib, ipywidgets or
    scikit-learn; the course's experiments compute without matplotlib."""
    import subprocess
    import sys
    code = (
        "import sys, pkgutil, importlib, regkit\n"
        "heavy = ('matplotlib', 'ipywidgets', 'sklearn', 'regkit.course')\n"
        "bad = [m for m in sys.modules if m.startswith(heavy)]\n"
        "assert not bad, bad\n"
        "import regkit.course.experiments as E\n"
        "for info in pkgutil.iter_modules(E.__path__):\n"
        "    importlib.import_module(f'regkit.course.experiments.{info.name}')\n"
        "bad = [m for m in sys.modules if m.startswith(heavy[:3])]\n"
        "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)
