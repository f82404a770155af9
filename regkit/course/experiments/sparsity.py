"""L1 as a feature selector, measured: which columns does a model keep?

Notebook 02 trains a linear classifier, ``Dense(n_features, 2)``, on
:func:`regkit.datasets.sparse_features` (a few informative columns among
many) with L1, L2 or Elastic Net, and asks how many input features end up
unused and whether those kept are the true ones.

Why plain SGD does not give exact zeros: the L1 gradient ``lam * sign(w)``
has the same size however small ``w`` is, so a weight near zero is pushed
across it and back every step and ends up jittering around 0 at a scale of
about ``lr * lam``. :class:`regkit.optim.ProximalSGD` fixes that the way
lasso solvers do: a gradient step on the data loss, then a soft-threshold
that sets every weight within ``lr * lam`` of zero to exactly zero.
"""
from __future__ import annotations

import numpy as np

from ..._validate import check_nonnegative
from ...layers import Dense
from ...losses import SoftmaxCrossEntropy
from ...network import Sequential
from ...optim import SGD, ProximalSGD
from ...regularizers import L1, L2, ElasticNet
from ...training import fit

#: a feature counts as unused when all its weights are below this in absolute value
ZERO_TOL = 1e-3

#: the penalties of the sweep; "L1 prox" is L1 trained with ProximalSGD
PENALTIES = ("L2", "L1", "ElasticNet", "L1 prox")


def feature_importance(W) -> np.ndarray:
    """``max_k |W[j, k]|`` for each input feature ``j`` of a ``(features, outputs)`` matrix.

    A feature is unused exactly when every weight leaving it is zero.
    """
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"W must be 2-D (features, outputs), got shape {W.shape}")
    return np.abs(W).max(axis=1)


def support_scores(importance, support, tol=ZERO_TOL) -> dict:
    """How well ``importance > tol`` recovers the true ``support``.

    Returns:
        ``selected`` (bool mask), ``zero_share`` (fraction of features with
        importance <= tol), ``precision`` (true among the selected; 0 when
        none is selected), ``recall`` (selected among the true), and
        ``top_k_hits`` (true features among the ``len(support)`` largest).
    """
    importance = np.asarray(importance)
    truth = np.zeros(importance.shape, dtype=bool)
    truth[np.asarray(support)] = True
    selected = importance > tol
    hits = int(np.sum(selected & truth))
    top = np.argsort(-importance, kind="stable")[:int(truth.sum())]
    return {"selected": selected,
            "zero_share": float(np.mean(~selected)),
            "precision": hits / int(selected.sum()) if selected.any() else 0.0,
            "recall": hits / int(truth.sum()),
            "top_k_hits": int(truth[top].sum())}


def train_linear(data, penalty: str, lam: float, *, epochs=60, lr=0.1, batch_size=32,
                 seed=0):
    """Train ``Dense(n_features, 2)`` on a sparse_features split; return ``(W, history)``.

    ``penalty``: ``"L2"`` (``L2(lam)``), ``"L1"`` (``L1(lam)``, plain SGD),
    ``"ElasticNet"`` (``ElasticNet(l1=lam/2, l2=lam/2)``, half the strength
    to each part, as scikit-learn's ``l1_ratio=0.5``) or ``"L1 prox"``
    (L1 by :class:`ProximalSGD`), ``"none"``.
    """
    check_nonnegative("lam", lam)
    regs = {"L2": L2(lam), "L1": L1(lam), "ElasticNet": ElasticNet(lam / 2, lam / 2),
            "L1 prox": None, "none": None}
    if penalty not in regs:
        raise ValueError(f"penalty must be one of {sorted(regs)}, got {penalty!r}")
    model = Sequential(Dense(data.x_train.shape[1], 2, regularizer=regs[penalty], rng=seed))
    if penalty == "L1 prox":
        opt = ProximalSGD(model.parameters(), lr=lr, l1=lam)
    else:
        opt = SGD(model.parameters(), lr=lr)
    hist = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(), optimizer=opt,
               epochs=epochs, batch_size=batch_size, validation_data=(data.x_val, data.y_val),
               rng=seed, progress=False)
    return model[0].W.data.copy(), hist


def sparse_sweep(data, lams, penalties=PENALTIES, **train_kw) -> dict:
    """Train every (penalty, lam) pair once; the grid the dashboard reads.

    Returns:
        ``{"lams": (L,), "penalties": tuple, "support": true support,
        penalty: {"W": (L, features, 2), "train_acc": (L,), "val_acc": (L,),
        "zero_share": (L,), "precision": (L,), "recall": (L,),
        "top_k_hits": (L,)}}``
    """
    lams = np.asarray(lams, dtype=np.float64)
    out = {"lams": lams, "penalties": tuple(penalties), "support": np.asarray(data.support)}
    for penalty in penalties:
        rows = []
        for lam in lams:
            W, hist = train_linear(data, penalty, float(lam), **train_kw)
            scores = support_scores(feature_importance(W), data.support)
            scores.pop("selected")
            rows.append({"W": W, "train_acc": hist.train_acc[-1], "val_acc": hist.val_acc[-1],
                         **scores})
        out[penalty] = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    return out
