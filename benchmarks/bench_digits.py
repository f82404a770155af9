"""Benchmark 2: 100 epochs of the 64-256-128-10 MLP on scikit-learn's digits.

    .venv/bin/python benchmarks/bench_digits.py [--rounds 5] [--epochs 100]

All 1,797 images of ``load_digits`` (pixels / 16, float32), batch 128, the
course MLP (BatchNorm, ReLU, Dropout(0.5) after each hidden layer), Adam(lr
1e-3, weight_decay 1e-4). Here per-step overhead dominates, not FLOPs:
15 steps per epoch on small matrices. Contenders as in benchmark 1;
``rk.fit`` also measures the eval-mode train loss and accuracy after every
epoch, as the notebooks use it.

Target: regkit training pass <= 0.5x PyTorch.
"""
from __future__ import annotations

import argparse

import numpy as np

import _common as C
import _contenders as K

SIZES = (64, 256, 128, 10)


def load():
    from sklearn.datasets import load_digits
    raw = load_digits()
    return (raw.data / 16.0).astype(np.float32), raw.target.astype(np.int64)


def run(rounds=5, epochs=100):
    torch = C.torch_or_none(2)
    x, y = load()
    print(C.environment(f"Benchmark 2: {epochs} epochs on digits ({len(x)} x 64), "
                        f"64-256-128-10, batch 128 (median of {rounds})"))
    runs = {
        "regkit training pass": (lambda: K.regkit_model(SIZES),
                                 lambda m: K.regkit_train_pass(m, x, y, epochs=epochs)),
        f"regkit rk.fit(epochs={epochs})": (lambda: K.regkit_model(SIZES),
                                            lambda m: K.regkit_fit(m, x, y, epochs=epochs)),
    }
    if torch is not None:
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        runs["PyTorch Adam"] = (lambda: K.torch_model(torch, SIZES),
                                lambda m: K.torch_train(torch, m, xt, yt, epochs=epochs))
        runs["PyTorch Adam(fused=True)"] = (
            lambda: K.torch_model(torch, SIZES),
            lambda m: K.torch_train(torch, m, xt, yt, epochs=epochs, fused=True))
        K.torch_train(torch, K.torch_model(torch, SIZES), xt, yt, epochs=2)   # warm-up
    runs["scikit-learn MLPClassifier"] = lambda: K.sklearn_fit(SIZES[1:-1], x, y, epochs=epochs)
    runs["floor: matrix products only"] = K.matmul_floor(SIZES, len(x), epochs=epochs)
    K.regkit_train_pass(K.regkit_model(SIZES), x, y, epochs=2)               # warm-up
    times = C.alternate(runs, rounds)
    ref = "regkit training pass"
    print(C.table(times, reference=ref))
    med = {k: C.median(v) for k, v in times.items()}
    checks = []
    if "PyTorch Adam" in med:
        checks.append(C.ratio_check("benchmark 2: regkit / PyTorch Adam", times, ref,
                                    "PyTorch Adam", 0.5))
        fit = f"regkit rk.fit(epochs={epochs})"
        print(f"  (rk.fit with its per-epoch eval pass / PyTorch Adam: "
              f"{med[fit] / med['PyTorch Adam']:.2f})")
    print(f"  (regkit / scikit-learn, which has no batch norm or dropout: "
          f"{med[ref] / med['scikit-learn MLPClassifier']:.2f})")
    return checks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args(argv)
    run(args.rounds, args.epochs)


if __name__ == "__main__":
    main()
