"""regkit.course.experiments.bias_variance: polynomial fits and the measured bias-variance decomposition."""
import numpy as np
import pytest

from regkit.course.experiments import bias_variance as bv
from regkit.datasets import sine_function


def test_fit_recovers_an_exact_polynomial_per_set():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(3, 12))
    # three different cubics, one per training set, written in the power basis
    c = rng.standard_normal((3, 4))
    y = c[:, :1] + c[:, 1:2] * x + c[:, 2:3] * x**2 + c[:, 3:] * x**3
    coef = bv.fit_polynomials(x, y, 3)
    grid = np.linspace(-1, 1, 7)
    want = np.stack([np.polynomial.polynomial.polyval(grid, ci) for ci in c])
    np.testing.assert_allclose(bv.predict_polynomials(coef, grid), want, atol=1e-10)


def test_fit_matches_numpy_lstsq_including_the_underdetermined_case():
    rng = np.random.default_rng(1)
    for n, degree in [(20, 5), (8, 12)]:  # 8 points, 13 coefficients: min-norm
        x, y = rng.uniform(-1, 1, n), rng.standard_normal(n)
        a = np.polynomial.legendre.legvander(x, degree)
        want = np.linalg.lstsq(a, y, rcond=None)[0]
        np.testing.assert_allclose(bv.fit_polynomials(x, y, degree)[0], want, atol=1e-8)


def test_bias_variance_by_hand():
    pred = np.array([[1.0, 2.0], [3.0, 2.0]])   # mean model [2, 2]
    truth = np.array([2.5, 1.0])
    bias2, var = bv.bias_variance(pred, truth)
    assert bias2 == pytest.approx((0.25 + 1.0) / 2)
    assert var == pytest.approx((1.0 + 0.0) / 2)   # divides by S, not S-1


@pytest.mark.parametrize("degree", [1, 3, 6])
def test_terms_add_up_to_the_measured_expected_error(degree):
    r = bv.decompose(degree, n_train=30, n_sets=300, noise=0.3, rng=0)
    assert r["sum"] == pytest.approx(r["bias2"] + r["variance"] + r["noise"])
    # the only difference is a mean-zero cross term: within 4 standard errors
    assert abs(r["expected_error"] - r["sum"]) < 4 * r["mc_se"]
    assert abs(r["expected_error"] - r["sum"]) < 0.02 * r["expected_error"]
    # the measured noise is sigma^2 up to sampling error
    assert r["noise"] == pytest.approx(0.09, rel=0.05)


def test_variance_rises_and_bias_falls_with_degree():
    s = bv.sweep([0, 3, 5, 7, 9, 12], n_train=30, n_sets=200, noise=0.3, rng=0)
    # (from 0 to 3 the variance need not rise: a misfit line is also shaky
    # at the edges; from a good fit upward every extra degree adds variance)
    assert np.all(np.diff(s["variance"][1:]) > 0)
    assert s["bias2"][0] > 10 * s["bias2"][1]          # a constant cannot follow a sine
    # the U: the error is lowest in the middle, not at either end
    best = int(np.argmin(s["expected_error"]))
    assert 0 < best < len(s["degree"]) - 1


def test_more_data_means_less_variance():
    small = bv.decompose(5, n_train=15, n_sets=200, rng=0)["variance"]
    large = bv.decompose(5, n_train=100, n_sets=200, rng=0)["variance"]
    assert large < small / 3


def test_decompose_is_seeded_and_uses_the_true_function():
    a, b = bv.decompose(4, rng=3), bv.decompose(4, rng=3)
    assert a["expected_error"] == b["expected_error"]
    np.testing.assert_allclose(a["truth"], sine_function(a["x_test"]))
    assert a["predictions"].shape == (200, 101) and a["x_train"].shape == (200, 20)


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="degree"):
        bv.decompose(-1)
    with pytest.raises(ValueError, match="n_sets"):
        bv.decompose(2, n_sets=1)
    with pytest.raises(ValueError, match="noise"):
        bv.decompose(2, noise=-0.1)
    with pytest.raises(ValueError, match="truth"):
        bv.bias_variance(np.zeros((3, 4)), np.zeros(5))


def test_curve_signals():
    s = bv.curve_signals([1.0, 0.5, 0.2, 0.1], [1.1, 0.7, 0.6, 0.9])
    assert s["best_epoch"] == 2
    assert s["gap"] == pytest.approx(0.8)
    assert s["rise"] == pytest.approx(0.3)
    with pytest.raises(ValueError, match="same"):
        bv.curve_signals([1.0, 2.0], [1.0])


def test_training_error_falls_with_degree_while_test_error_turns():
    s = bv.sweep(range(0, 12), n_train=30, n_sets=100, rng=1)
    assert np.all(np.diff(s["train_error"]) <= 1e-12)   # nested models: never worse
    assert int(np.argmin(s["expected_error"])) < 8
    # by hand for one degree: residuals of set 0's fit on its own points
    r = bv.decompose(2, n_train=30, n_sets=5, rng=2)
    coef = bv.fit_polynomials(r["x_train"], r["y_train"], 2)
    res = [np.mean((bv.predict_polynomials(coef[i], r["x_train"][i])[0] - r["y_train"][i]) ** 2)
           for i in range(5)]
    assert r["train_error"] == pytest.approx(np.mean(res))


def test_memorisation_of_shuffled_labels():
    runs = bv.memorisation_runs(n_train=100, hidden=512, epochs=80, rng=0)
    true, shuffled = runs["true labels"], runs["shuffled labels"]
    assert shuffled.train_acc[-1] == 1.0          # memorised noise
    assert shuffled.val_acc[-1] < 0.25            # ten classes: chance is 0.1
    assert true.val_acc[-1] > 0.75                # the same net learns real digits


def test_loss_shape_runs_follow_their_config():
    configs = {"small": dict(hidden=(4,), n_train=60, lr=1e-2, epochs=3),
               "l2": dict(hidden=(8,), l2=0.5, n_train=60, lr=1e-2, epochs=2)}
    runs = bv.loss_shape_runs(configs, rng=0)
    assert list(runs) == ["small", "l2"]
    assert len(runs["small"].val_loss) == 3 and len(runs["l2"].train_loss) == 2
    assert runs["l2"].penalty[-1] > 0 and runs["small"].penalty[-1] == 0
    again = bv.loss_shape_runs(configs, rng=0)
    assert again["small"].val_loss == runs["small"].val_loss   # seeded


def test_learning_curve_runs_shapes():
    pytest.importorskip("sklearn")
    import regkit as rk
    est = {"tiny": rk.MLPClassifier(hidden_layer_sizes=(8,), epochs=3, random_state=0)}
    sizes, tr, va = bv.learning_curve_runs(est, train_sizes=(40, 80), cv=2)["tiny"]
    assert list(sizes) == [40, 80] and tr.shape == va.shape == (2, 2)
    assert np.all((0 <= va) & (va <= 1))


def test_fit_handles_repeated_inputs_like_lstsq():
    # 16 points but only 8 distinct x values: degree 10 is rank deficient
    rng = np.random.default_rng(4)
    x = np.repeat(rng.uniform(-1, 1, 8), 2)
    y = rng.standard_normal(16)
    a = np.polynomial.legendre.legvander(x, 10)
    want = np.linalg.lstsq(a, y, rcond=None)[0]
    np.testing.assert_allclose(bv.fit_polynomials(x, y, 10)[0], want, atol=1e-6)
