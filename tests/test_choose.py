"""The one-standard-error choice of a knob (regkit/course/experiments/choose.py)."""
import numpy as np
import pytest

from regkit.course.experiments.choose import one_se_choice


def test_best_mean_and_the_strongest_value_within_one_standard_error():
    values = [0.0, 1e-3, 1e-2, 1e-1]
    scores = np.array([[0.90, 0.92, 0.915, 0.60],
                       [0.92, 0.94, 0.935, 0.70],
                       [0.91, 0.93, 0.925, 0.65]])
    c = one_se_choice(values, scores)
    np.testing.assert_allclose(c["mean"], [0.91, 0.93, 0.925, 0.65])
    np.testing.assert_allclose(c["std"], [0.01, 0.01, 0.01, 0.05])      # ddof = 1
    assert c["best"] == 1
    assert c["threshold"] == pytest.approx(0.93 - 0.01 / np.sqrt(3))   # 0.9242
    assert c["one_se"] == 2          # 0.925 is within one standard error and stronger
    shuffled = [values[i] for i in (0, 1, 3, 2)]          # the grid need not be sorted
    c = one_se_choice(shuffled, scores[:, [0, 1, 3, 2]])
    assert shuffled[c["one_se"]] == 1e-2


def test_smaller_is_stronger_and_unsorted_values():
    values = [0.5, 0.1, 0.3]                     # e.g. a keep-probability: smaller drops more
    scores = np.array([[0.80, 0.79, 0.80], [0.82, 0.81, 0.82]])
    c = one_se_choice(values, scores, stronger="smaller")
    within = [i for i in range(3) if c["mean"][i] >= c["threshold"]]
    assert c["one_se"] == min(within, key=lambda i: values[i])
    assert values[c["one_se"]] == 0.1


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"shape \(n_seeds >= 2, 3\)"):
        one_se_choice([1, 2, 3], np.zeros((1, 3)))
    with pytest.raises(ValueError, match="stronger must be"):
        one_se_choice([1, 2], np.zeros((2, 2)), stronger="bigger")


def test_seed_sweep_fills_one_row_per_seed_and_one_column_per_value():
    from regkit.course.experiments.choose import seed_sweep
    calls = []

    def train_and_score(value, seed):
        calls.append((value, seed))
        return value + seed / 10, -value

    out = seed_sweep(train_and_score, [1.0, 2.0, 3.0], seeds=range(2))
    assert calls == [(1.0, 0), (2.0, 0), (3.0, 0), (1.0, 1), (2.0, 1), (3.0, 1)]
    np.testing.assert_allclose(out["val"], [[1.0, 2.0, 3.0], [1.1, 2.1, 3.1]])
    np.testing.assert_allclose(out["test"], [[-1.0, -2.0, -3.0]] * 2)


def test_the_notebook_sweeps_score_every_setting_with_every_seed():
    # the sweeps of notebooks 03 (p) and 06 (rotation strength), shrunk to a
    # few epochs: one row per seed, one column per setting, accuracies in [0, 1]
    from regkit.course.experiments import augmentation, dropout
    for out in (dropout.digits_dropout_scores((0.0, 0.5), seeds=(0, 1), epochs=2),
                augmentation.field_scores("rotate", (0.0, 20.0), seeds=(0, 1), epochs=2)):
        assert out["val"].shape == out["test"].shape == (2, 2)
        assert np.all((0 <= out["val"]) & (out["val"] <= 1))
        assert not np.array_equal(out["val"][0], out["val"][1])   # seeds differ
