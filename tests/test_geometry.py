"""The two-weight solvers behind the L1/L2 geometry pictures."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from regkit.course.experiments.geometry import (ellipse_problem, first_zero_lambda, l1_solution, l2_solution,
                             quadratic_loss, soft_threshold, solution_paths)


def _objective_l1(w, H, w_star, lam):
    return quadratic_loss(w, H, w_star) + lam * np.abs(w).sum()


def test_soft_threshold_values_and_exact_zeros():
    got = soft_threshold(np.array([3.0, -0.5, 0.2, -2.0, 0.0]), 0.5)
    np.testing.assert_array_equal(got, [2.5, 0.0, 0.0, -1.5, 0.0])
    with pytest.raises(ValueError, match="t"):
        soft_threshold(np.ones(2), -1.0)


def test_quadratic_loss_on_a_grid_matches_pointwise():
    H, w_star = ellipse_problem()
    grid = np.stack(np.meshgrid(np.linspace(-1, 2, 4), np.linspace(-1, 2, 3)), axis=-1)
    vals = quadratic_loss(grid, H, w_star)
    assert vals.shape == (3, 4)
    w = grid[1, 2]
    assert vals[1, 2] == pytest.approx(0.5 * (w - w_star) @ H @ (w - w_star))
    assert quadratic_loss(w_star, H, w_star) == 0.0


def test_l2_solution_zeroes_the_gradient_and_has_no_zero():
    H, w_star = ellipse_problem()
    for lam in (0.01, 0.3, 3.0):
        w = l2_solution(H, w_star, lam)
        np.testing.assert_allclose(H @ (w - w_star) + lam * w, 0.0, atol=1e-12)
        assert np.all(w != 0)
    np.testing.assert_allclose(l2_solution(H, w_star, 0.0), w_star)


def test_l1_solution_satisfies_the_optimality_conditions():
    H, w_star = ellipse_problem()
    for lam in (0.05, 0.3, 0.7, 1.5, 5.0):
        w = l1_solution(H, w_star, lam)
        g = H @ (w - w_star)
        nz = w != 0
        # non-zero weights: gradient + lam * sign = 0; zero weights: |gradient| <= lam
        np.testing.assert_allclose(g[nz] + lam * np.sign(w[nz]), 0.0, atol=1e-9)
        assert np.all(np.abs(g[~nz]) <= lam + 1e-9)


def test_l1_solution_beats_nearby_points():
    H, w_star = ellipse_problem()
    lam = 0.7
    w = l1_solution(H, w_star, lam)
    best = _objective_l1(w, H, w_star, lam)
    rng = np.random.default_rng(0)
    for delta in rng.normal(scale=1e-3, size=(50, 2)):
        assert _objective_l1(w + delta, H, w_star, lam) >= best - 1e-12


def test_first_zero_lambda_matches_the_solver():
    H, w_star = ellipse_problem()
    lam0, i = first_zero_lambda(H, w_star)
    assert 0 < lam0 < 2 and i in (0, 1)
    before = l1_solution(H, w_star, lam0 * 0.98)
    after = l1_solution(H, w_star, lam0 * 1.02)
    assert np.all(before != 0)
    assert after[i] == 0.0 and after[1 - i] != 0.0


@settings(deadline=None, max_examples=25)
@given(st.floats(0, 180), st.floats(0.2, 3.0), st.floats(0.2, 3.0),
       st.floats(-2, 2).filter(lambda v: abs(v) > 0.1),
       st.floats(-2, 2).filter(lambda v: abs(v) > 0.1))
def test_first_zero_lambda_property(angle, c1, c2, a, b):
    H, w_star = ellipse_problem(angle, (c1, c2), (a, b))
    lam0, i = first_zero_lambda(H, w_star)
    if i is None:
        return
    assert np.all(l1_solution(H, w_star, 0.97 * lam0) != 0)
    assert l1_solution(H, w_star, 1.03 * lam0)[i] == 0.0


def test_zero_in_w_star_is_already_sparse():
    H, _ = ellipse_problem()
    assert first_zero_lambda(H, [1.0, 0.0]) == (0.0, 1)


def test_paths_shapes_and_shrinkage():
    H, w_star = ellipse_problem()
    lams = np.geomspace(0.01, 3, 12)
    l1, l2 = solution_paths(H, w_star, lams)
    assert l1.shape == l2.shape == (12, 2)
    assert np.all(np.diff(np.abs(l1).sum(axis=1)) <= 1e-9)      # L1 norm shrinks
    assert np.all(np.diff(np.linalg.norm(l2, axis=1)) < 0)      # L2 norm shrinks
    assert np.any(l1 == 0.0) and not np.any(l2 == 0.0)


def test_bad_problems_are_rejected():
    with pytest.raises(ValueError, match="positive definite"):
        l2_solution([[1.0, 0.0], [0.0, -1.0]], [1.0, 1.0], 0.1)
    with pytest.raises(ValueError, match="w_star"):
        l1_solution(np.eye(2), [1.0, 1.0, 1.0], 0.1)
    with pytest.raises(ValueError, match="lam"):
        l1_solution(np.eye(2), [1.0, 1.0], -0.1)
