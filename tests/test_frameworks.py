"""Advice in the user's framework: the strength conversions, checked against each library."""
import inspect
import warnings

import numpy as np
import pytest

import regkit as rk
from regkit.detector.frameworks import SKLEARN_BATCH, Advice, l2_in, num
from regkit.detector.logs import FRAMEWORKS
from regkit.detector.thresholds import Thresholds
from regkit.detector.advice import suggest


# -- the conversions, against the libraries ------------------------------------------
def _mse_grad_scale():
    """regkit's MSE over torch's mse_loss (mean over all elements)."""
    y_hat, y = np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])
    return rk.MSE().forward(y_hat, y) / np.mean((y_hat - y) ** 2)


def test_l2_in_pytorch_matches_adam_weight_decay_over_steps():
    # regkit: Dense(regularizer=L2(lam)) adds lam * W to W's gradient and Adam
    # follows; PyTorch: Adam(weight_decay=wd) adds wd * W inside its step.
    # With wd = l2_in("pytorch", lam) the two trajectories agree step by step.
    torch = pytest.importorskip("torch")
    lam, lr = 0.3, 0.05
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 2))
    layer = rk.Dense(4, 2, regularizer=rk.L2(lam), rng=0)
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    w = torch.tensor(layer.W.data.T.copy(), requires_grad=True)
    b = torch.tensor(layer.b.data.copy(), requires_grad=True)
    ours = rk.Adam(layer.parameters(), lr=lr)
    theirs = torch.optim.Adam([{"params": [w], "weight_decay": l2_in("pytorch", lam)},
                               {"params": [b], "weight_decay": 0.0}], lr=lr)
    loss, scale = rk.MSE(), _mse_grad_scale()
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(5):
        ours.zero_grad()
        loss.forward(layer.forward(x), y)
        layer.backward(loss.backward())
        ours.step()
        theirs.zero_grad()
        (scale * torch.nn.functional.mse_loss(tx @ w.T + b, ty)).backward()
        theirs.step()
    np.testing.assert_allclose(layer.W.data, w.detach().numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.b.data, b.detach().numpy(), rtol=1e-10, atol=1e-12)
    # and the conversion matters: without weight decay the weights differ
    assert not np.allclose(layer.W.data, rk.Dense(4, 2, rng=0).W.data, atol=1e-3)


@pytest.mark.parametrize("solver, batch", [("adam", 8), ("lbfgs", None)])
def test_l2_in_sklearn_divides_by_the_rows_of_one_gradient(solver, batch):
    # scikit-learn's _backprop adds 0.5 * alpha * ||W||^2 / n to the mean loss,
    # with n the rows it is given: one mini-batch for "adam"/"sgd", the whole
    # training set for "lbfgs". So alpha = l2_in("sklearn", lam, n) is
    # regkit's L2(lam), checked on scikit-learn's own loss.
    neural = pytest.importorskip("sklearn.neural_network")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    lam, n = 0.05, batch or 20
    model = neural.MLPRegressor(hidden_layer_sizes=(4,), alpha=l2_in("sklearn", lam, n),
                                max_iter=1, solver=solver, batch_size=batch or "auto",
                                random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # one iteration: ConvergenceWarning
        model.fit(x, y)
    xb, yb = x[:n], y[:n]
    activations = [xb] + [None] * (model.n_layers_ - 1)
    deltas = [None] * (model.n_layers_ - 1)
    coef_grads = [np.empty_like(c) for c in model.coefs_]
    intercept_grads = [np.empty_like(b) for b in model.intercepts_]
    try:
        sklearn_loss, _, _ = model._backprop(xb, yb.reshape(-1, 1), None, activations, deltas,
                                             coef_grads, intercept_grads)
    except TypeError:
        pytest.skip("scikit-learn's private _backprop signature changed")
    data_loss = 0.5 * np.mean((model.predict(xb) - yb) ** 2)   # sklearn's squared loss has 1/2
    penalty = sum(rk.L2(lam)(c) for c in model.coefs_)
    assert sklearn_loss == pytest.approx(data_loss + penalty, rel=1e-9)
    assert l2_in("sklearn", lam) == lam * SKLEARN_BATCH


def test_l2_in_keras_is_half():
    keras = pytest.importorskip("keras")
    w = np.random.default_rng(0).standard_normal((5, 3)).astype("float32")
    lam = 0.02
    penalty = float(keras.regularizers.L2(l2_in("keras", lam))(w))
    assert penalty == pytest.approx(rk.L2(lam)(w), rel=1e-6)


def test_l2_in_rejects_an_unknown_framework():
    with pytest.raises(ValueError, match="framework must be one of .* got 'jax'"):
        l2_in("jax", 1e-3)
    with pytest.raises(ValueError, match="'tensorflow'"):
        rk.diagnose({"loss": [1, 0.5, 0.4], "val_loss": [1, 0.6, 0.7]}, framework="tensorflow")


# -- the advice names real APIs -----------------------------------------------------
def test_pytorch_advice_names_real_torch_apis():
    torch = pytest.importorskip("torch")
    assert "weight_decay" in inspect.signature(torch.optim.Adam).parameters
    assert "max_norm" in inspect.signature(torch.nn.utils.clip_grad_norm_).parameters
    assert torch.nn.Dropout(p=0.5).p == 0.5                   # p drops, as in regkit
    torch.nn.BatchNorm1d(4)


def test_keras_advice_names_real_keras_apis():
    keras = pytest.importorskip("keras")
    params = inspect.signature(keras.callbacks.EarlyStopping).parameters
    assert "restore_best_weights" in params
    assert "global_clipnorm" in inspect.signature(keras.optimizers.Adam).parameters
    for layer in ("BatchNormalization", "Dropout", "RandomRotation", "RandomZoom",
                  "RandomTranslation"):
        assert hasattr(keras.layers, layer)


def test_sklearn_advice_names_real_sklearn_parameters():
    neural = pytest.importorskip("sklearn.neural_network")
    params = inspect.signature(neural.MLPClassifier).parameters
    for name in ("alpha", "early_stopping", "n_iter_no_change", "learning_rate_init"):
        assert name in params


# -- the advice text, per framework ----------------------------------------------------
EV = {"epochs": 30, "best_epoch": 12, "train_trend": -0.1, "val_trend": -0.05,
      "trend_window": 8, "nonfinite": 0, "nonfinite_epoch": None}


@pytest.mark.parametrize("framework, expected, absent", [
    ("regkit", ["rk.BatchNorm(width)", "rk.L2(1e-3)", "restore_best=True"], ["keras", "torch"]),
    ("keras", ["keras.layers.BatchNormalization()", "keras.regularizers.L2(5e-4)",
               "l2 = 5e-4", "restore_best_weights=True", "keras.layers.Dropout(0.5)"],
     ["rk.", "torch"]),
    ("pytorch", ["nn.BatchNorm1d(width)", "weight_decay=1e-3", "nn.Dropout(p=0.5)",
                 "load_state_dict(best)", "hidden Linear layer"], ["rk.", "keras"]),
    ("lightning", ["configure_optimizers", "EarlyStopping(monitor='val_loss', mode='min'",
                   "ModelCheckpoint"], ["rk.", "keras"]),
    ("sklearn", ["MLPClassifier(alpha=0.2)", "no batch normalization", "no dropout",
                 "early_stopping=True", "alpha in [2e-2, 0.2, 2]"], ["keras", "torch."]),
])
def test_overfitting_advice_in_each_framework(framework, expected, absent):
    text = " ".join(suggest("overfitting", {"images": False}, EV, Thresholds(),
                            Advice(framework)))
    for snippet in expected:
        assert snippet in text, (snippet, text)
    for snippet in absent:
        assert snippet not in text, (snippet, text)


def test_known_strengths_are_converted_too():
    facts = {"l2": 4e-3, "dropout": [0.3]}
    keras = suggest("overfitting", facts, EV, Thresholds(), Advice("keras"))
    assert "Raise L2 from l2 = 2e-3 to 5e-3." in keras
    sk = suggest("underfitting", {"l2": 0.3}, EV, Thresholds(), Advice("sklearn", 64))
    assert sk[0] == "Lower L2 from alpha = 19.2 to 1.92, or remove it."


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("verdict", ["overfitting", "underfitting", "not converged",
                                     "unstable", "good fit"])
def test_every_verdict_has_advice_in_every_framework(framework, verdict):
    out = suggest(verdict, {}, {**EV, "nonfinite": 1, "nonfinite_epoch": 3}, Thresholds(),
                  Advice(framework))
    assert out and all(isinstance(s, str) and s.endswith(".") for s in out)
    if framework != "regkit":
        assert not any("rk.fit" in s or "rk.EarlyStopping" in s for s in out)


def test_the_framework_comes_from_the_log_unless_told():
    keras_dict = {"loss": [1.2, 0.6, 0.3, 0.1, 0.05, 0.03] * 3,
                  "val_loss": [1.2, 0.8, 0.7, 0.75, 0.85, 0.95] * 3}
    assert rk.diagnose(keras_dict).framework == "keras"
    assert rk.diagnose(keras_dict, framework="pytorch").framework == "pytorch"
    model = rk.Sequential(rk.Dense(2, 2, rng=0))
    assert rk.diagnose(keras_dict, model=model).framework == "regkit"   # a regkit model


@pytest.mark.parametrize("x, text", [(1e-3, "1e-3"), (1e-2, "1e-2"), (5e-4, "5e-4"),
                                     (0.2, "0.2"), (2.0, "2"), (0.015, "0.015"),
                                     (19.2, "19.2")])
def test_num(x, text):
    assert num(x) == text


def test_the_regkit_augmentation_recipe_runs_as_printed():
    # the code of the advice, pasted after the imports it names, is a working augmentation
    import functools  # the recipe says "import functools"
    code = Advice("regkit").augment().split(" (import functools)")[0]
    augment = eval(code, {"rk": rk, "functools": functools})
    images = np.random.default_rng(0).random((4, 8, 8)).astype(np.float32)
    out = augment(images, rng=0)
    assert out.shape == images.shape and not np.array_equal(out, images)
