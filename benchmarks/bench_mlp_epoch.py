"""Benchmark 1: one epoch of the course MLP on MNIST-sized data, and its peak memory.

    .venv/bin/python benchmarks/bench_mlp_epoch.py [--rounds 5] [--n 60000]

60,000 x 784 random float32 inputs, 10 classes; 784-256-BatchNorm-ReLU-
Dropout(0.5)-128-BatchNorm-ReLU-Dropout(0.5)-10, softmax cross-entropy,
Adam(lr 1e-3, weight_decay 1e-4), batch 128. Contenders, alternated:

* regkit training pass: the steps of ``rk.fit`` (one thread, fit's
  default) without its eval-mode pass; and the same with ``threads=2``
  (BLAS on two threads, as ``rk.fit(threads=2)``);
* regkit ``rk.fit(epochs=1)``: the same plus the eval-mode measurement of
  train loss and accuracy on all 60,000 samples that fit records;
* PyTorch CPU, 2 threads, ``Adam`` (foreach) and ``Adam(fused=True)``;
* scikit-learn ``MLPClassifier((256, 128))``, ``max_iter=1`` (no batch norm,
  no dropout: less work);
* the floor: the matrix products of a training pass alone (one thread, as
  regkit; the same with two threads for reference).

Targets: regkit training pass <= 0.5x PyTorch (foreach Adam), <= 0.75x
scikit-learn, <= 1.6x the floor (same thread count), judged on fit's
default of one thread; the ratios at two threads (PyTorch's setting) are
printed beside them.
"""
from __future__ import annotations

import argparse

import numpy as np

import _common as C
import _contenders as K

SIZES = (784, 256, 128, 10)


def make_data(n, seed=0):
    g = np.random.default_rng(seed)
    return g.random((n, SIZES[0]), dtype=np.float32), g.integers(0, SIZES[-1], n)


def contenders(x, y, torch):
    runs = {
        "regkit training pass": (lambda: K.regkit_model(SIZES),
                                 lambda m: K.regkit_train_pass(m, x, y, epochs=1)),
        "regkit rk.fit(epochs=1)": (lambda: K.regkit_model(SIZES),
                                    lambda m: K.regkit_fit(m, x, y, epochs=1)),
        "regkit training pass, 2 threads": (
            lambda: K.regkit_model(SIZES),
            lambda m: K.regkit_train_pass(m, x, y, epochs=1, threads=2)),
    }
    if torch is not None:
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        runs["PyTorch Adam"] = (lambda: K.torch_model(torch, SIZES),
                                lambda m: K.torch_train(torch, m, xt, yt, epochs=1))
        runs["PyTorch Adam(fused=True)"] = (
            lambda: K.torch_model(torch, SIZES),
            lambda m: K.torch_train(torch, m, xt, yt, epochs=1, fused=True))
    try:
        import sklearn  # noqa: F401
        runs["scikit-learn MLPClassifier"] = lambda: K.sklearn_fit(SIZES[1:-1], x, y, epochs=1)
    except ImportError:
        print("scikit-learn is not installed: its row is skipped")
    runs["floor: matrix products only"] = K.matmul_floor(SIZES, len(x))
    runs["floor, 2 threads"] = K.matmul_floor(SIZES, len(x), threads=2)
    return runs


def run(rounds=5, n=60_000):
    """Print the table; return ``[(label, value, limit, met), ...]``."""
    torch = C.torch_or_none(2)
    x, y = make_data(n)
    print(C.environment(f"Benchmark 1: one epoch of the course MLP, {n} x {SIZES[0]} "
                        f"float32, batch 128 (median of {rounds})"))
    runs = contenders(x, y, torch)
    # warm-up: first calls pay for imports, allocator growth, torch's lazy init
    small = slice(0, 2048)
    K.regkit_train_pass(K.regkit_model(SIZES), x[small], y[small], epochs=1)
    if torch is not None:
        K.torch_train(torch, K.torch_model(torch, SIZES), torch.from_numpy(x[small]),
                      torch.from_numpy(y[small]), epochs=1)
    times = C.alternate(runs, rounds)
    ref = "regkit training pass"
    print(C.table(times, reference=ref))
    med = {k: C.median(v) for k, v in times.items()}
    checks = []
    for label, other, limit in (("regkit / PyTorch Adam", "PyTorch Adam", 0.5),
                                ("regkit / scikit-learn", "scikit-learn MLPClassifier", 0.75),
                                ("regkit / floor", "floor: matrix products only", 1.6)):
        if other in med:
            checks.append(C.ratio_check(f"benchmark 1: {label}", times, ref, other, limit))
    two = "regkit training pass, 2 threads"
    print(f"  (same thread budget as PyTorch: regkit with threads=2 / PyTorch Adam: "
          f"{_ratio(med, two, 'PyTorch Adam')}; / floor with 2 threads: "
          f"{_ratio(med, two, 'floor, 2 threads')}; / scikit-learn: "
          f"{_ratio(med, two, 'scikit-learn MLPClassifier')})")
    print(f"  (rk.fit with its eval pass / PyTorch Adam: "
          f"{_ratio(med, 'regkit rk.fit(epochs=1)', 'PyTorch Adam')})")
    return checks


def _ratio(med, ours, other):
    return f"{med[ours] / med[other]:.2f}" if other in med else "n/a"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=60_000)
    args = parser.parse_args(argv)
    run(args.rounds, args.n)


if __name__ == "__main__":
    main()
