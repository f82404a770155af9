"""Expected calibration error and reliability bins, against hand-worked cases."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regkit.course.experiments.calibration import expected_calibration_error, reliability_bins


def _rows(conf, pred, k=4):
    """Probability rows whose max is ``conf`` at class ``pred`` (rest spread evenly)."""
    conf = np.asarray(conf, dtype=np.float64)
    probs = np.repeat(((1 - conf) / (k - 1))[:, None], k, axis=1)
    probs[np.arange(len(conf)), pred] = conf
    return probs


def test_hand_computed_case():
    # bin (0.5, 0.6]: confidences 0.55, 0.55 -> mean 0.55, one right    -> acc 0.5
    # bin (0.8, 0.9]: confidences 0.9, 0.9, 0.9 -> mean 0.9, all right  -> acc 1.0
    # bin (0.9, 1.0]: confidence 0.95 -> wrong                          -> acc 0.0
    # ECE = 2/6 * 0.05 + 3/6 * 0.1 + 1/6 * 0.95 = (0.1 + 0.3 + 0.95) / 6 = 0.225
    conf = [0.55, 0.55, 0.9, 0.9, 0.9, 0.95]
    pred = [0, 1, 2, 3, 0, 1]
    y = np.array([0, 2, 2, 3, 0, 3])
    probs = _rows(conf, pred)
    assert expected_calibration_error(probs, y, n_bins=10) == pytest.approx(0.225, abs=1e-12)
    rel = reliability_bins(probs, y, n_bins=10)
    assert rel.count.tolist() == [0, 0, 0, 0, 0, 2, 0, 0, 3, 1]
    assert rel.accuracy[5] == 0.5 and rel.accuracy[8] == 1.0 and rel.accuracy[9] == 0.0
    assert rel.confidence[8] == pytest.approx(0.9)
    assert np.isnan(rel.accuracy[0]) and np.isnan(rel.confidence[0])
    # one bin only: |mean acc - mean conf| = |4/6 - 4.75/6| = 0.125
    assert expected_calibration_error(probs, y, n_bins=1) == pytest.approx(0.125, abs=1e-12)


def test_perfectly_calibrated_is_zero():
    # in every bin exactly a share `conf` of the predictions is right
    conf, pred, y = [], [], []
    for c, n in [(0.3, 10), (0.5, 10), (0.7, 10), (0.9, 10), (1.0, 4)]:
        n_right = round(c * n)
        conf += [c] * n
        pred += [1] * n
        y += [1] * n_right + [0] * (n - n_right)
    probs = _rows(conf, pred)
    assert expected_calibration_error(probs, np.array(y)) == pytest.approx(0.0, abs=1e-12)


def test_sampled_calibrated_model_is_near_zero_and_overconfident_is_not():
    gen = np.random.default_rng(0)
    n, k = 20_000, 3
    conf = gen.uniform(1 / k, 1.0, n)
    pred = gen.integers(0, k, n)
    right = gen.random(n) < conf            # right with probability = confidence
    y = np.where(right, pred, (pred + 1) % k)
    probs = _rows(conf, pred, k)
    assert expected_calibration_error(probs, y) < 0.02
    # claim more confidence than deserved: ECE close to the mean excess
    sharp = _rows(np.minimum(conf + 0.1, 1.0), pred, k)
    excess = np.mean(np.minimum(conf + 0.1, 1.0) - conf)
    assert expected_calibration_error(sharp, y) == pytest.approx(excess, abs=0.02)


def test_right_closed_bins_and_edge_values():
    probs = np.array([[0.5, 0.5], [1.0, 0.0], [0.6, 0.4]])
    rel = reliability_bins(probs, np.array([0, 0, 0]), n_bins=5)
    # 0.5 -> (0.4, 0.6], 0.6 -> (0.4, 0.6], 1.0 -> (0.8, 1.0]
    assert rel.count.tolist() == [0, 0, 2, 0, 1]
    assert rel.edges.tolist() == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])


@settings(deadline=None, max_examples=25)
@given(st.integers(1, 60), st.integers(2, 6), st.integers(1, 20), st.integers(0, 10_000))
def test_bounds_and_float32_match_float64(n, k, n_bins, seed):
    gen = np.random.default_rng(seed)
    scores = gen.standard_normal((n, k)) * 3
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    y = gen.integers(0, k, n)
    e64 = expected_calibration_error(probs, y, n_bins)
    assert 0.0 <= e64 <= 1.0 and isinstance(e64, float)
    assert expected_calibration_error(probs.astype(np.float32), y, n_bins) == pytest.approx(e64, abs=1e-5)
    assert reliability_bins(probs, y, n_bins).count.sum() == n


def test_input_not_modified():
    probs = _rows([0.7, 0.8], [0, 1])
    before = probs.copy()
    expected_calibration_error(probs, np.array([0, 0]))
    assert np.array_equal(probs, before)


@pytest.mark.parametrize("probs, y, match", [
    (np.array([0.2, 0.8]), np.array([1]), "probs must be a 2-D"),
    (np.array([[2.0, 1.0]]), np.array([0]), "sum to 1"),
    (np.array([[0.5, 0.5]]), np.array([2]), "y must be in"),
    (np.array([[0.5, 0.5]]), np.array([0, 1]), "1 rows"),
    (np.array([[0.5, 0.5]]), np.array([0.0]), "int labels"),
    (np.array([[np.nan, 0.5]]), np.array([0]), "NaN"),
])
def test_bad_input(probs, y, match):
    with pytest.raises(ValueError, match=match):
        expected_calibration_error(probs, y)


def test_bad_n_bins_names_argument():
    with pytest.raises((ValueError, TypeError), match="n_bins"):
        expected_calibration_error(np.array([[0.5, 0.5]]), np.array([0]), n_bins=0)
