"""MLPClassifier / MLPRegressor: scikit-learn's own conformance suite, and
the regkit-specific behaviour behind it."""
import subprocess
import sys

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, validation_curve  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import regkit as rk  # noqa: E402
from regkit.estimators import MLPClassifier, MLPRegressor  # noqa: E402

# Small and quick, but able to learn the suite's blobs and regression data.
SUITE = [MLPClassifier(hidden_layer_sizes=(16,), epochs=30, lr=0.02, batch_size=32,
                       random_state=0),
         MLPRegressor(hidden_layer_sizes=(16,), epochs=60, lr=0.02, batch_size=32,
                      random_state=0)]


def expected_failures(estimator):
    """Checks a neural network cannot pass, with the reason: none at present.

    The one that used to fail, check_methods_subset_invariance (float32
    products round differently for different batch sizes), passes since
    predictions are computed in float64. Add {"check_name": "reason"} here
    rather than skipping a check.
    """
    return {}


@parametrize_with_checks(SUITE, expected_failed_checks=expected_failures)
def test_sklearn_conformance(estimator, check):
    check(estimator)


# -- regkit-specific behaviour ----------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    return x[:600], d.target[:600], x[600:900], d.target[600:900]


def test_import_regkit_does_not_import_sklearn():
    code = ("import sys, regkit; assert 'sklearn' not in sys.modules; "
            "regkit.MLPClassifier; assert 'sklearn' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert rk.MLPClassifier is MLPClassifier and rk.MLPRegressor is MLPRegressor
    with pytest.raises(AttributeError):
        rk.NoSuchThing


def test_classifier_learns_digits_with_string_labels(digits):
    xt, yt, xv, yv = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven",
                      "eight", "nine"])
    clf = MLPClassifier(hidden_layer_sizes=(64,), epochs=15, lr=1e-2, random_state=0)
    clf.fit(xt, names[yt])
    assert list(clf.classes_) == sorted(names)
    assert clf.score(xv, names[yv]) > 0.9
    proba = clf.predict_proba(xv)
    assert proba.shape == (300, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(xv))
    assert clf.n_iter_ == 15 == clf.history_.epochs and clf.n_features_in_ == 64
    assert isinstance(clf.model_, rk.Sequential)


def test_regularisers_reach_the_network(digits):
    xt, yt, _, _ = digits
    clf = MLPClassifier(hidden_layer_sizes=(32, 16), l1=1e-4, l2=1e-3, dropout=0.2,
                        batchnorm=True, activation="tanh", epochs=2, random_state=0)
    clf.fit(xt, yt)
    kinds = [type(layer).__name__ for layer in clf.model_]
    assert kinds == ["Dense", "BatchNorm", "Tanh", "Dropout",
                     "Dense", "BatchNorm", "Tanh", "Dropout", "Dense"]
    assert type(clf.model_[0].regularizer).__name__ == "ElasticNet"
    assert clf.history_.penalty[-1] == clf.model_.penalty() > 0
    assert clf.history_.config["dropout"] == [0.2, 0.2]


def test_same_random_state_same_model(digits):
    xt, yt, xv, _ = digits
    make = lambda: MLPClassifier(hidden_layer_sizes=(32,), dropout=0.3, batchnorm=True,
                                 epochs=3, early_stopping=True, random_state=7)
    a, b = make().fit(xt, yt), make().fit(xt, yt)
    assert a.history_.to_dict() == b.history_.to_dict()
    np.testing.assert_array_equal(a.predict_proba(xv), b.predict_proba(xv))
    c = MLPClassifier(hidden_layer_sizes=(32,), epochs=3, random_state=8).fit(xt, yt)
    assert not np.array_equal(a.predict_proba(xv), c.predict_proba(xv))


def test_early_stopping_holds_out_data_and_restores(digits):
    xt, yt, _, _ = digits
    clf = MLPClassifier(hidden_layer_sizes=(256,), lr=3e-2, epochs=200, early_stopping=True,
                        patience=3, validation_fraction=0.25, random_state=0)
    clf.fit(xt[:120], yt[:120])
    h = clf.history_
    assert h.stopped_epoch is not None and clf.n_iter_ < 200
    assert len(h.val_loss) == clf.n_iter_ and h.best_epoch == int(np.argmin(h.val_loss))
    assert h.config["n_train"] == 90                  # 30 of 120 held out


def test_parameters_are_checked_in_fit_not_init():
    clf = MLPClassifier(dropout=1.5, hidden_layer_sizes=(0,))
    assert clf.get_params()["dropout"] == 1.5
    x, y = np.ones((10, 2)), np.arange(10) % 2
    for bad, match in [({"dropout": 1.5}, "dropout"), ({"hidden_layer_sizes": (0,)},
                       "hidden_layer_sizes"), ({"optimizer": "rmsprop"}, "optimizer"),
                       ({"validation_fraction": 1.0}, "validation_fraction"),
                       ({"lr": 0.0}, "lr")]:
        with pytest.raises(ValueError, match=match):
            MLPClassifier(**bad).fit(x, y)


def test_regressor_shapes_and_fit():
    x, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    y = y / y.std()
    reg = MLPRegressor(hidden_layer_sizes=(32,), epochs=60, lr=1e-2, random_state=0)
    assert reg.fit(x, y).score(x, y) > 0.9
    assert reg.predict(x).shape == (200,) and reg.n_outputs_ == 1
    two = MLPRegressor(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    assert two.fit(x, np.c_[y, -y]).predict(x).shape == (200, 2)
    assert two.history_.train_acc == []


def test_model_selection_tools_work(digits):
    xt, yt, _, _ = digits
    base = MLPClassifier(hidden_layer_sizes=(16,), epochs=3, lr=1e-2, random_state=0)
    assert clone(base).get_params() == base.get_params()
    train, val = validation_curve(base, xt[:300], yt[:300], param_name="l2",
                                  param_range=[0.0, 0.1], cv=2)
    assert train.shape == val.shape == (2, 2)
    grid = GridSearchCV(base, {"dropout": [0.0, 0.3]}, cv=2).fit(xt[:300], yt[:300])
    assert grid.best_params_["dropout"] in (0.0, 0.3)
