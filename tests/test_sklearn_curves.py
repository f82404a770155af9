"""rk.detector.sklearn_curves: a scikit-learn MLP's train/validation curves, diagnosed."""
import numpy as np
import pytest

import regkit as rk

neural = pytest.importorskip("sklearn.neural_network")
metrics = pytest.importorskip("sklearn.metrics")


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order] / 16.0, y[order]
    return x[:150], y[:150], x[150:450], y[150:450]


def test_the_curves_are_what_sklearn_itself_measures(digits):
    from sklearn.base import clone
    xt, yt, xv, yv = digits
    mlp = neural.MLPClassifier((32,), random_state=0, batch_size=50)
    curves = rk.detector.sklearn_curves(mlp, xt, yt, xv, yv, epochs=4)
    twin = clone(mlp)
    for epoch in range(4):
        twin.partial_fit(xt, yt, classes=np.arange(10))
        for split, (x, y) in (("train", (xt, yt)), ("val", (xv, yv))):
            assert curves[f"{split}_loss"][epoch] == pytest.approx(
                metrics.log_loss(y, twin.predict_proba(x), labels=twin.classes_), rel=1e-9)
            assert curves[f"{split}_acc"][epoch] == metrics.accuracy_score(y, twin.predict(x))
    assert not hasattr(mlp, "coefs_")                      # the estimator is left alone
    config = curves["config"]
    assert config["l2"] == mlp.alpha / 50 and config["batch_size"] == 50
    assert config["epochs"] == 4 and curves["framework"] == "sklearn"


def test_an_overfitting_mlp_gets_scikit_learn_advice(digits):
    xt, yt, xv, yv = digits
    mlp = neural.MLPClassifier((256, 256), random_state=0, alpha=1e-4)
    d = rk.diagnose(rk.detector.sklearn_curves(mlp, xt, yt, xv, yv, epochs=60))
    assert d.verdict == "overfitting" and d.framework == "sklearn"
    text = " ".join(d.suggestions)
    # alpha 1e-4 at batch 150 is regkit's λ = 6.7e-7; the advice raises it to
    # λ = 1e-3, which is alpha = 0.15 at that batch size
    assert "Raise L2 from alpha = 1e-4 to 0.15." in d.suggestions
    assert "has no dropout" in text and "early_stopping=True" in text
    assert "rk.fit" not in text and "rk.EarlyStopping" not in text


def test_a_regressor_records_losses_only():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((60, 3))
    y = x @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(60)
    curves = rk.detector.sklearn_curves(neural.MLPRegressor(hidden_layer_sizes=(8,), random_state=0),
                                        x[:40], y[:40], x[40:], y[40:], epochs=5)
    assert set(curves) == {"train_loss", "val_loss", "config", "framework"}
    assert len(curves["val_loss"]) == 5 and curves["config"]["batch_size"] == 40


def test_bad_estimators_and_a_fitted_mlp_passed_directly_say_what_to_do(digits):
    xt, yt, xv, yv = digits
    with pytest.raises(ValueError, match="solver='lbfgs'.*'adam' or 'sgd'"):
        rk.detector.sklearn_curves(neural.MLPClassifier(solver="lbfgs"), xt, yt, xv, yv)
    with pytest.raises(TypeError, match="MLPClassifier or MLPRegressor, got dict"):
        rk.detector.sklearn_curves({}, xt, yt, xv, yv)
    with pytest.raises(ValueError, match="epochs must be a positive int, got 0"):
        rk.detector.sklearn_curves(neural.MLPClassifier(), xt, yt, xv, yv, epochs=0)
    with pytest.raises(TypeError, match=r"rk.detector.sklearn_curves\(model"):
        rk.diagnose(neural.MLPClassifier())
