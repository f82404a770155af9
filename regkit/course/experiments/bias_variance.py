"""Bias and variance, measured rather than drawn.

The expected squared error of a learning method at a test point ``x`` splits
into three parts (the average is over training sets ``D`` drawn from the
same distribution and over the test label's noise)::

    E[(f_D(x) - y)^2] = (E_D[f_D(x)] - f(x))^2       bias^2
                      + E_D[(f_D(x) - E_D[f_D(x)])^2]  variance
                      + E[(y - f(x))^2]               noise = sigma^2

This module measures each term for polynomial regression on the noisy sine
of :func:`regkit.datasets.noisy_sine`, where the truth ``f(x) = sin(pi x)``
and the noise level are known: fit one polynomial per freshly drawn
training set, predict on a grid of test points, and average. The left side
is measured separately, on fresh noisy test labels, so the identity becomes
a numerical check (it holds up to Monte-Carlo error, which is reported).

Everything is NumPy; fits run in float64 (a degree-15 polynomial needs the
digits) on a Legendre basis, which stays well conditioned on [-1, 1].

It also holds the small experiments of notebook 01 that train networks
(learning curves, memorisation, the three loss-curve shapes), so the
notebook and ``make figures`` run the same code.
"""
from __future__ import annotations

import numpy as np

from ..._rng import as_rng
from ..._validate import check_int, check_nonnegative
from ...datasets import digits, sample_noisy_sine, sine_function
from ...losses import SoftmaxCrossEntropy
from ...mlp import mlp
from ...optim import Adam
from ...regularizers import L2
from ...training import fit

__all__ = ["fit_polynomials", "predict_polynomials", "bias_variance",
           "decompose_predictions", "decompose", "sweep", "curve_signals", "LOSS_SHAPES",
           "loss_shape_runs", "memorisation_runs", "learning_curve_estimators",
           "learning_curve_runs"]


# -- polynomial regression, many training sets at once ---------------------
def _features(x: np.ndarray, degree: int) -> np.ndarray:
    """Legendre features P_0(x) .. P_degree(x): x (..., n) -> (..., n, degree+1).

    The same span as 1, x, ..., x^degree, but nearly orthogonal on [-1, 1],
    so the least-squares problem stays well posed up to degree 15 and more.
    """
    return np.polynomial.legendre.legvander(np.asarray(x, dtype=np.float64), degree)


def fit_polynomials(x, y, degree: int) -> np.ndarray:
    """Least-squares polynomial fits, one per training set.

    Minimises ``sum_i (p(x_i) - y_i)^2`` for each row; where there are fewer
    points than coefficients (``n <= degree``) the fit interpolates and the
    smallest-norm coefficients are returned (as ``np.linalg.lstsq`` would).

    Args:
        x, y: (n_sets, n) inputs in [-1, 1] and targets, one row per
            training set (a single set may be given as (n,)).
        degree: polynomial degree >= 0.

    Returns:
        coef: (n_sets, degree + 1) Legendre coefficients, float64.
    """
    degree = check_int("degree", degree, low=0)
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    y = np.atleast_2d(np.asarray(y, dtype=np.float64))
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    a = _features(x, degree)                          # (sets, n, degree+1)
    if a.shape[-2] >= a.shape[-1]:
        # full column rank (almost surely, for distinct x): QR is the fast,
        # stable way to least squares; solve R c = Q^T y for every set at once
        q, r = np.linalg.qr(a)
        diag = np.abs(np.diagonal(r, axis1=-2, axis2=-1))
        if np.all(diag.min(axis=-1) > 1e-10 * diag.max(axis=-1)):
            return np.linalg.solve(r, np.swapaxes(q, -1, -2) @ y[..., None])[..., 0]
        # fewer distinct x values than coefficients somewhere: rank deficient
    return (np.linalg.pinv(a) @ y[..., None])[..., 0]  # minimum-norm solution


def predict_polynomials(coef, x) -> np.ndarray:
    """Evaluate fitted polynomials: coef (n_sets, d+1), x (m,) -> (n_sets, m)."""
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    return coef @ _features(np.ravel(x), coef.shape[1] - 1).T


# -- the decomposition ------------------------------------------------------
def bias_variance(predictions, truth) -> tuple[float, float]:
    """Squared bias and variance from the predictions of many trained models.

    With ``P[s, j]`` the prediction of the model trained on set ``s`` at test
    point ``x_j`` and ``m_j = mean_s P[s, j]`` the average model::

        bias^2   = mean_j (m_j - f(x_j))^2
        variance = mean_j mean_s (P[s, j] - m_j)^2      (divide by S, not S-1)

    Args:
        predictions: (n_sets, n_points).
        truth: (n_points,) the noiseless target ``f(x_j)``.

    The average model is itself estimated from ``S`` sets, so on average the
    measured bias^2 exceeds the true one by ``variance / S``: where the
    variance is huge (high degree, few points) the measured bias^2 cannot
    drop below that floor. ``bias2 + variance`` is exactly
    ``mean (P - f)^2`` either way.

    Returns:
        (bias2, variance) as floats.
    """
    p = np.asarray(predictions, dtype=np.float64)
    f = np.asarray(truth, dtype=np.float64)
    if p.ndim != 2 or f.shape != p.shape[1:]:
        raise ValueError(f"predictions must be (n_sets, n_points) and truth (n_points,), "
                         f"got {p.shape} and {f.shape}")
    mean = p.mean(axis=0)
    return float(np.mean((mean - f) ** 2)), float(np.mean(p.var(axis=0)))


def decompose_predictions(predictions, truth, y_test) -> dict:
    """The three terms and the measured test error, from predictions.

    Args:
        predictions: (n_sets, n_points) as in :func:`bias_variance`.
        truth: (n_points,) noiseless ``f(x_j)``.
        y_test: (n_sets, n_points) noisy test labels, a fresh draw for every
            (set, point) pair, so the noise term is measured too.

    Returns:
        dict with ``bias2``, ``variance``, ``noise`` (mean of
        ``(y - f)^2``), ``expected_error`` (mean of ``(P - y)^2``), ``sum``
        (bias2 + variance + noise), ``mc_se`` (the Monte-Carlo standard error
        of ``expected_error - sum``: the only difference between them is the
        cross term ``2 (P - f)(f - y)``, whose mean is 0) and
        ``mean_prediction`` (n_points,).
    """
    p = np.asarray(predictions, dtype=np.float64)
    f = np.asarray(truth, dtype=np.float64)
    y = np.asarray(y_test, dtype=np.float64)
    if y.shape != p.shape:
        raise ValueError(f"y_test must have the shape of predictions {p.shape}, got {y.shape}")
    bias2, variance = bias_variance(p, f)
    noise = float(np.mean((y - f) ** 2))
    cross = 2.0 * (p - f) * (f - y)
    return {"bias2": bias2, "variance": variance, "noise": noise,
            "expected_error": float(np.mean((p - y) ** 2)),
            "sum": bias2 + variance + noise,
            "mc_se": float(cross.std() / np.sqrt(cross.size)),
            "mean_prediction": p.mean(axis=0)}


def _draw(n_sets, n_train, noise, n_test, rng):
    """Training sets (S, n) from the noisy sine, a test grid and fresh test labels."""
    n_sets = check_int("n_sets", n_sets, low=2)
    n_train = check_int("n_train", n_train, low=1)
    n_test = check_int("n_test", n_test, low=2)
    noise = check_nonnegative("noise", noise)
    rng = as_rng(rng)
    # S independent training sets = one draw of S*n points, cut into rows.
    x, y = sample_noisy_sine(n_sets * n_train, noise, rng)
    x_test = np.linspace(-1.0, 1.0, n_test)  # a quadrature of x ~ U(-1, 1)
    truth = sine_function(x_test)
    y_test = truth + noise * rng.standard_normal((n_sets, n_test))
    return (x.reshape(n_sets, n_train), y.reshape(n_sets, n_train),
            x_test, truth, y_test)


def _measure(draw, degree) -> dict:
    x, y, x_test, truth, y_test = draw
    coef = fit_polynomials(x, y, degree)
    pred = predict_polynomials(coef, x_test)
    # each model on its OWN training points: what training error reports
    fitted = np.einsum("snk,sk->sn", _features(x, degree), coef)
    out = decompose_predictions(pred, truth, y_test)
    out.update(degree=degree, x_test=x_test, truth=truth, predictions=pred,
               x_train=x, y_train=y, train_error=float(np.mean((fitted - y) ** 2)))
    return out


def decompose(degree: int, n_train: int = 20, n_sets: int = 200, noise: float = 0.3,
              rng=None, n_test: int = 101) -> dict:
    """Measure bias^2, variance and noise of degree-``degree`` polynomial
    regression on ``n_train`` noisy-sine points.

    Draws ``n_sets`` training sets with :func:`regkit.datasets.sample_noisy_sine`,
    fits one polynomial to each, predicts on ``n_test`` evenly spaced points
    of [-1, 1] and compares with fresh noisy labels there.

    Returns:
        the dict of :func:`decompose_predictions` plus ``degree``, ``x_test``
        (n_test,), ``truth`` (n_test,), ``predictions`` (n_sets, n_test),
        the training sets ``x_train``, ``y_train`` (n_sets, n_train) and
        ``train_error`` (each model's mean squared error on its own training
        set, averaged over the sets).
    """
    return _measure(_draw(n_sets, n_train, noise, n_test, rng), degree)


def sweep(degrees, n_train: int = 20, n_sets: int = 200, noise: float = 0.3,
          rng=None, n_test: int = 101) -> dict:
    """:func:`decompose` for several degrees on the SAME training sets and test
    labels (common random numbers: the curves differ only by the degree).

    Returns:
        dict of arrays, one entry per degree: ``degree``, ``bias2``,
        ``variance``, ``noise``, ``expected_error``, ``sum``, ``mc_se``,
        ``train_error``; and ``n_sets``.
    """
    draw = _draw(n_sets, n_train, noise, n_test, rng)
    rows = [_measure(draw, check_int("degree", int(d), low=0)) for d in degrees]
    keys = ("degree", "bias2", "variance", "noise", "expected_error", "sum", "mc_se",
            "train_error")
    out = {k: np.array([r[k] for r in rows]) for k in keys}
    out["n_sets"] = int(n_sets)
    return out


# -- reading a pair of loss curves -----------------------------------------
def curve_signals(train_loss, val_loss) -> dict:
    """The two numbers that tell the loss-curve shapes apart.

    * ``best_epoch``: 0-based epoch of the lowest validation loss; when it is
      well before the end, validation loss *turned* (went back up);
    * ``gap``: ``val_loss - train_loss`` at the last epoch (generalisation gap);

    plus ``rise`` (last validation loss minus its minimum), ``final_train``
    and ``final_val``. Whether the levels are "high" depends on the task:
    compare ``final_train`` with a trivial model (log(10) = 2.30 for ten
    balanced classes).
    """
    tr = np.asarray(train_loss, dtype=np.float64)
    va = np.asarray(val_loss, dtype=np.float64)
    if tr.ndim != 1 or tr.shape != va.shape or tr.size == 0:
        raise ValueError(f"train_loss and val_loss must be 1-D of the same non-zero "
                         f"length, got shapes {tr.shape} and {va.shape}")
    best = int(np.argmin(va))
    return {"best_epoch": best, "gap": float(va[-1] - tr[-1]),
            "rise": float(va[-1] - va[best]), "final_train": float(tr[-1]),
            "final_val": float(va[-1])}


# -- the network experiments of notebook 01 (digits) ------------------------
def _mlp(hidden, l2=0.0, rng=None):
    """Dense-ReLU stack for 8x8 digits: 64 -> hidden... -> 10 scores.

    ``rng`` is handed to every Dense layer on its own (an int seeds each
    layer afresh with the same seed), as notebook 01 always did.
    """
    return mlp((64, *hidden, 10), regularizer=L2(l2) if l2 else None,
               rng=[rng] * (len(hidden) + 1))


def _train(model, x, y, val, *, epochs, lr, rng):
    return fit(model, x, y, loss=SoftmaxCrossEntropy(), optimizer=Adam(model.parameters(), lr=lr),
               epochs=epochs, batch_size=32, validation_data=val, rng=rng, progress=False)


#: The three runs behind the three loss-curve shapes (chapter 2.1). Same
#: validation set for all; only capacity, penalty and training-set size change.
LOSS_SHAPES = {
    "underfitting": dict(hidden=(2,), l2=0.0, n_train=None, lr=1e-2, epochs=60),
    "good fit": dict(hidden=(64,), l2=0.0, n_train=None, lr=1e-3, epochs=60),
    "overfitting": dict(hidden=(256, 256), l2=0.0, n_train=50, lr=1e-2, epochs=60),
}


def loss_shape_runs(configs=None, rng=0) -> dict:
    """Train one small net per config on digits; ``{name: History}``.

    Args:
        configs: ``{name: dict(hidden, l2, n_train, lr, epochs)}``;
            default :data:`LOSS_SHAPES`: a 2-unit bottleneck (underfits), a
            64-unit net on the full training split (fits well), two
            256-unit layers on 50 images (overfit).
        rng: int seed for initialisation and shuffling (same seed, same curves).
    """
    out = {}
    for name, c in (LOSS_SHAPES if configs is None else configs).items():
        d = _digits(c.get("n_train"))
        model = _mlp(c["hidden"], c.get("l2", 0.0), rng=rng)
        out[name] = _train(model, d.x_train, d.y_train, (d.x_val, d.y_val),
                           epochs=c["epochs"], lr=c["lr"], rng=rng)
    return out


def memorisation_runs(n_train: int = 300, hidden: int = 512, epochs: int = 80,
                      rng=0) -> dict:
    """The same wide net trained on ``n_train`` digits twice: with the true
    labels and with the labels randomly permuted (so no pattern links image
    to label). Returns ``{"true labels": History, "shuffled labels": History}``;
    the validation columns hold accuracy on the untouched test split.
    """
    d = _digits(n_train)
    shuffled = np.random.default_rng(rng).permutation(d.y_train)
    return {name: _train(_mlp((hidden,), rng=rng), d.x_train, y, (d.x_test, d.y_test),
                         epochs=epochs, lr=3e-3, rng=rng)
            for name, y in (("true labels", d.y_train), ("shuffled labels", shuffled))}


def _digits(n_train):
    return digits(n_train=n_train, random_state=0)


def learning_curve_estimators(random_state: int = 0) -> dict:
    """The two learners whose learning curves notebook 01 compares: the same
    64-unit ``rk.MLPClassifier``, free (high variance when data are few) and
    under a heavy L2 penalty (high bias: more data stops helping early)."""
    from ...estimators import MLPClassifier
    common = dict(hidden_layer_sizes=(64,), epochs=30, batch_size=32, lr=3e-3,
                  random_state=random_state)
    return {"64 units, no penalty": MLPClassifier(**common),
            "64 units, heavy L2 (l2=0.1)": MLPClassifier(l2=0.1, **common)}


def learning_curve_runs(estimators, train_sizes=(30, 60, 120, 250, 500, 958),
                        cv: int = 3, rng: int = 0) -> dict:
    """scikit-learn's ``learning_curve`` for each estimator on digits.

    Uses the training and validation splits together (1437 images) with
    ``cv``-fold stratified cross-validation, so the largest training size
    is two thirds of them (958); the test split stays untouched.

    Args:
        estimators: ``{name: estimator}``, e.g. ``rk.MLPClassifier(...)``.
        train_sizes: absolute numbers of training samples.

    Returns:
        ``{name: (sizes, train_scores, val_scores)}``, scores of shape
        ``(len(sizes), cv)`` (accuracy).
    """
    from sklearn.model_selection import StratifiedKFold, learning_curve
    d = _digits(None)
    x = np.concatenate([d.x_train, d.x_val])
    y = np.concatenate([d.y_train, d.y_val])
    folds = StratifiedKFold(cv, shuffle=True, random_state=rng)
    return {name: tuple(learning_curve(est, x, y, train_sizes=list(train_sizes), cv=folds,
                                       n_jobs=1))
            for name, est in estimators.items()}
