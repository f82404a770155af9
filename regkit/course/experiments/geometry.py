"""Why L1 gives zeros and L2 does not, on a problem small enough to see.

The data loss near its minimum ``w_star`` is (approximately) a quadratic
bowl with elliptical contours::

    L(w) = 0.5 * (w - w_star) @ H @ (w - w_star)        H: (d, d), symmetric > 0

Adding a penalty moves the minimum towards the origin. Everything here is
plain NumPy and exact enough to draw:

* L2, ``L(w) + lam/2 * ||w||^2``: setting the gradient
  ``H (w - w_star) + lam w`` to zero gives the closed form
  ``w = (H + lam I)^-1 H w_star``. It shrinks every weight but reaches zero
  only as ``lam -> infinity`` (unless ``w_star`` already has a zero).
* L1, ``L(w) + lam * ||w||_1``: no closed form for a general ``H``, so
  :func:`l1_solution` runs proximal gradient descent (ISTA): a gradient
  step on ``L`` followed by a soft-threshold, which sets small weights to
  *exactly* zero. While no weight is zero the optimum moves on a straight
  line, ``w = w_star - lam H^-1 sign(w_star)``, so the first weight to
  reach zero does so at a ``lam`` that :func:`first_zero_lambda` gives in
  closed form.

The penalised and the constrained problems have the same solutions: the
optimum for ``lam`` is also the point of the region ``||w||_1 <= C`` (a
diamond in 2-D) or ``||w||_2 <= C`` (a circle) closest, in the loss, to
``w_star``, with ``C`` the norm of that optimum. The diamond's corners sit
on the axes, which is where the loss contour tends to touch it first.
"""
from __future__ import annotations

import numpy as np

from ..._validate import check_nonnegative
from ...optim import soft_threshold  # noqa: F401  (written once, in optim.py: ProximalSGD takes this step)


def _problem(H, w_star):
    H = np.asarray(H, dtype=np.float64)
    w_star = np.asarray(w_star, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square matrix, got shape {H.shape}")
    if w_star.shape != (H.shape[0],):
        raise ValueError(f"w_star must have shape ({H.shape[0]},), got {w_star.shape}")
    if not np.allclose(H, H.T):
        raise ValueError("H must be symmetric")
    if np.linalg.eigvalsh(H)[0] <= 0:
        raise ValueError(f"H must be positive definite, got eigenvalues {np.linalg.eigvalsh(H)}")
    return H, w_star


def quadratic_loss(w, H, w_star):
    """``0.5 * (w - w_star) H (w - w_star)`` for ``w`` of shape ``(..., d)``.

    Works on a whole grid at once (``w`` of shape ``(ny, nx, 2)``), which is
    how the contour plots are made.
    """
    H, w_star = _problem(H, w_star)
    diff = np.asarray(w, dtype=np.float64) - w_star
    return 0.5 * np.einsum("...i,ij,...j->...", diff, H, diff)


def l2_solution(H, w_star, lam):
    """Minimiser of ``L(w) + lam/2 ||w||^2``: ``(H + lam I)^-1 H w_star``."""
    H, w_star = _problem(H, w_star)
    lam = check_nonnegative("lam", lam)
    return np.linalg.solve(H + lam * np.eye(len(w_star)), H @ w_star)


def l1_solution(H, w_star, lam, *, tol=1e-13, max_iter=100_000):
    """Minimiser of ``L(w) + lam ||w||_1`` by proximal gradient (ISTA).

    Each iteration: ``w := soft_threshold(w - t H (w - w_star), t * lam)``
    with step ``t = 1 / largest eigenvalue of H`` (the step that is
    guaranteed to decrease the objective). Weights that belong at zero
    land *exactly* on 0.0, unlike plain (sub)gradient descent on
    ``lam * sign(w)``, which keeps stepping over zero and back.

    Returns:
        w: (d,) float64.
    """
    H, w_star = _problem(H, w_star)
    lam = check_nonnegative("lam", lam)
    t = 1.0 / np.linalg.eigvalsh(H)[-1]
    w = w_star.copy()
    for _ in range(int(max_iter)):
        new = soft_threshold(w - t * (H @ (w - w_star)), t * lam)
        if np.max(np.abs(new - w)) < tol:
            return new
        w = new
    return w


def first_zero_lambda(H, w_star):
    """The smallest ``lam`` at which the L1 optimum has a weight exactly 0.

    For small ``lam`` no weight is zero and the optimality condition
    ``H (w - w_star) + lam sign(w_star) = 0`` gives the straight line
    ``w(lam) = w_star - lam * H^-1 sign(w_star)``. Weight ``i`` reaches
    zero at ``lam_i = w_star[i] / (H^-1 sign(w_star))[i]`` when that ratio
    is positive; the first one is the smallest such ``lam_i``.

    Returns:
        (lam, index) of the first weight to hit zero, or ``(inf, None)``
        when none does on this first straight piece. A zero weight in
        ``w_star`` gives ``(0.0, i)``.
    """
    H, w_star = _problem(H, w_star)
    zero = np.flatnonzero(w_star == 0)
    if zero.size:
        return 0.0, int(zero[0])
    direction = np.linalg.solve(H, np.sign(w_star))
    with np.errstate(divide="ignore", invalid="ignore"):
        lams = np.where(direction * w_star > 0, w_star / direction, np.inf)
    i = int(np.argmin(lams))
    return (float(lams[i]), i) if np.isfinite(lams[i]) else (float("inf"), None)


def solution_paths(H, w_star, lams):
    """The L1 and L2 optima for every ``lam``: two arrays of shape ``(len(lams), d)``."""
    lams = np.asarray(lams, dtype=np.float64)
    l1 = np.array([l1_solution(H, w_star, lam) for lam in lams])
    l2 = np.array([l2_solution(H, w_star, lam) for lam in lams])
    return l1, l2


def ellipse_problem(angle_deg=30.0, curvatures=(1.2, 0.3), w_star=(1.6, 0.8)):
    """The course's two-weight example: ``(H, w_star)``.

    ``H = R diag(curvatures) R^T`` with ``R`` a rotation by ``angle_deg``,
    so the contours are tilted ellipses (a loss that couples the two
    weights, as real data losses do).
    """
    a = np.deg2rad(float(angle_deg))
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    H = R @ np.diag(np.asarray(curvatures, dtype=np.float64)) @ R.T
    return H, np.asarray(w_star, dtype=np.float64)
