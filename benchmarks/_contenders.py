"""The same MLP training in regkit, PyTorch and scikit-learn, plus the BLAS floor.

The network of benchmarks 1 and 2 is the course MLP::

    in -> h1 -> BatchNorm -> ReLU -> Dropout(p) -> h2 -> BatchNorm -> ReLU -> Dropout(p) -> out

trained with softmax cross-entropy and Adam(lr, weight_decay) in
mini-batches of 128, samples shuffled once per epoch. scikit-learn's
``MLPClassifier`` has no batch norm or dropout: it trains the plain
``in -> h1 -> ReLU -> h2 -> ReLU -> out`` (so it does less work).
"""
from __future__ import annotations

import warnings

import numpy as np

import regkit as rk


# -- regkit ------------------------------------------------------------------
def regkit_model(sizes, p=0.5, seed=0, batchnorm=True):
    """``sizes = (in, h1, h2, out)``: the course MLP as an ``rk.Sequential``."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-2], sizes[1:-1])):
        layers.append(rk.Dense(a, b, rng=seed + i))
        if batchnorm:
            layers.append(rk.BatchNorm(b))
        layers.append(rk.ReLU())
        if p:
            layers.append(rk.Dropout(p, rng=seed + 10 + i))
    layers.append(rk.Dense(sizes[-2], sizes[-1], rng=seed + 20))
    return rk.Sequential(*layers)


def regkit_fit(model, x, y, *, epochs, batch_size=128, lr=1e-3, weight_decay=1e-4,
               threads=1, seed=0):
    """What the course calls: ``rk.fit`` (training pass + eval-mode measurement)."""
    opt = rk.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    return rk.fit(model, x, y, loss=rk.SoftmaxCrossEntropy(), optimizer=opt, epochs=epochs,
                  batch_size=batch_size, rng=seed, progress=False, threads=threads)


def regkit_train_pass(model, x, y, *, epochs, batch_size=128, lr=1e-3, weight_decay=1e-4,
                      threads=1, seed=0):
    """The training half of ``rk.fit`` written out with the public API.

    The same steps as a PyTorch loop: shuffle, then per batch forward,
    loss, backward, Adam step. No eval-mode pass over the data afterwards
    (which ``rk.fit`` adds to record train_loss/train_acc).
    """
    opt = rk.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss = rk.SoftmaxCrossEntropy()
    g = np.random.default_rng(seed)
    model.train()
    with rk.blas_threads(threads):
        for _ in range(epochs):
            order = g.permutation(len(x))
            for start in range(0, len(x), batch_size):
                idx = order[start:start + batch_size]
                opt.zero_grad()
                loss.forward(model.forward(x[idx]), y[idx])
                model.backward(loss.backward(), input_grad=False)
                opt.step()


# -- PyTorch -----------------------------------------------------------------
def torch_model(torch, sizes, p=0.5, seed=0):
    nn = torch.nn
    torch.manual_seed(seed)
    layers = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU(), nn.Dropout(p)]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def torch_train(torch, model, x, y, *, epochs, batch_size=128, lr=1e-3, weight_decay=1e-4,
                fused=False, seed=0):
    """The usual PyTorch loop; ``x``, ``y`` already tensors."""
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay,
                           **({"fused": True} if fused else {}))
    lossf = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    model.train()
    n = len(x)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad(set_to_none=True)
            lossf(model(x[idx]), y[idx]).backward()
            opt.step()


# -- scikit-learn ------------------------------------------------------------
def sklearn_fit(hidden, x, y, *, epochs, batch_size=128, lr=1e-3, alpha=1e-4, seed=0):
    """``MLPClassifier`` (Adam, ReLU, no batch norm or dropout), ``epochs`` epochs."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=hidden, solver="adam", batch_size=batch_size,
                        learning_rate_init=lr, alpha=alpha, max_iter=epochs, tol=0.0,
                        n_iter_no_change=epochs + 1, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y)
    return clf


# -- the floor ---------------------------------------------------------------
def matmul_floor(sizes, n, *, epochs=1, batch_size=128, threads=1):
    """Only the matrix products a training pass needs: ``(prepare, run)`` for
    :func:`_common.alternate`.

    Per batch and Dense layer: the forward product ``x @ W``, the weight
    gradient ``x.T @ grad_y`` and (not for the first layer, whose input is
    the data) the input gradient ``grad_y @ W.T``; the last batch is the
    short remainder, as in training. Nothing else, so no implementation of
    this network can be faster at this thread setting.
    """
    g = np.random.default_rng(0)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    weights = [g.standard_normal(s, dtype=np.float32) for s in pairs]
    acts = [g.standard_normal((batch_size, a), dtype=np.float32) for a, _ in pairs]
    grads = [g.standard_normal((batch_size, c), dtype=np.float32) for _, c in pairs]
    rows = [min(batch_size, n - s) for s in range(0, n, batch_size)]

    def run(_):
        with rk.blas_threads(threads):
            for _ in range(epochs):
                for m in rows:
                    for i, w in enumerate(weights):
                        x, gy = acts[i][:m], grads[i][:m]
                        x @ w
                        x.T @ gy
                        if i:
                            gy @ w.T
    return (lambda: None, run)
