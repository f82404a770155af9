"""Benchmark 3: 300 full-batch Adam steps of a 2-64-64-2 MLP on 200 moons (the slider regime).

    .venv/bin/python benchmarks/bench_moons.py [--rounds 15]

What a dashboard does when a slider asks for a retrain: tiny matrices, so
the time is all per-operation overhead (Python calls, NumPy dispatch,
framework machinery). ReLU MLP, no batch norm or dropout, Adam(lr 1e-2),
one BLAS thread for regkit (fit's default), two for PyTorch.

* regkit training pass: 300 steps of forward, loss, backward, Adam;
* regkit ``rk.fit(epochs=300, batch_size=200)``: the same plus the
  eval-mode measurement after each epoch and the History;
* PyTorch, warm (its first call in a fresh process is shown apart);
* scikit-learn ``MLPClassifier((64, 64), batch_size=200, max_iter=300)``.

Target: regkit training pass <= 0.4x PyTorch (warm).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

import _common as C
import _contenders as K

SIZES = (2, 64, 64, 2)
STEPS = 300


def load():
    from sklearn.datasets import make_moons
    x, y = make_moons(n_samples=200, noise=0.25, random_state=0)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x.astype(np.float32), y.astype(np.int64)


def model():
    return K.regkit_model(SIZES, p=0.0, batchnorm=False)


def torch_cold_ms() -> float | None:
    """PyTorch's first 300 steps in a fresh process (after ``import torch``)."""
    code = ("import sys, time; sys.path.insert(0, %r); import _common as C, _contenders as K, "
            "bench_moons as B; torch = C.torch_or_none(2); x, y = B.load(); "
            "xt, yt = torch.from_numpy(x), torch.from_numpy(y); m = K.torch_model(torch, B.SIZES, 0.0); "
            "t = time.perf_counter(); K.torch_train(torch, m, xt, yt, epochs=B.STEPS, "
            "batch_size=200, lr=1e-2, weight_decay=0.0); print((time.perf_counter() - t) * 1e3)"
            % str(Path(__file__).parent))
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, check=True)
        return float(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None


def run(rounds=15):
    torch = C.torch_or_none(2)
    x, y = load()
    print(C.environment(f"Benchmark 3: {STEPS} full-batch Adam steps, 2-64-64-2 on "
                        f"{len(x)} moons (median of {rounds})"))
    kw = dict(epochs=STEPS, batch_size=len(x), lr=1e-2, weight_decay=0.0)
    runs = {
        "regkit training pass": (model, lambda m: K.regkit_train_pass(m, x, y, **kw)),
        "regkit rk.fit(epochs=300)": (model, lambda m: K.regkit_fit(m, x, y, **kw)),
    }
    cold = None
    if torch is not None:
        cold = torch_cold_ms()
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        runs["PyTorch Adam (warm)"] = (lambda: K.torch_model(torch, SIZES, 0.0),
                                       lambda m: K.torch_train(torch, m, xt, yt, **kw))
        K.torch_train(torch, K.torch_model(torch, SIZES, 0.0), xt, yt, **kw)   # warm-up
    runs["scikit-learn MLPClassifier"] = lambda: K.sklearn_fit(
        SIZES[1:-1], x, y, epochs=STEPS, batch_size=len(x), lr=1e-2, alpha=0.0)
    runs["floor: matrix products only"] = K.matmul_floor(SIZES, len(x), epochs=STEPS,
                                                         batch_size=len(x))
    K.regkit_train_pass(model(), x, y, **kw)                                  # warm-up
    times = C.alternate(runs, rounds)
    ref = "regkit training pass"
    note = {"PyTorch Adam (warm)": f"(first call in a fresh process: {cold:.0f} ms)"} if cold else None
    print(C.table(times, reference=ref, unit="ms", note=note))
    med = {k: C.median(v) for k, v in times.items()}
    checks = []
    if "PyTorch Adam (warm)" in med:
        checks.append(C.ratio_check("benchmark 3: regkit / PyTorch (warm)", times, ref,
                                    "PyTorch Adam (warm)", 0.4))
        print(f"  (rk.fit with its per-epoch eval pass / PyTorch (warm): "
              f"{med['regkit rk.fit(epochs=300)'] / med['PyTorch Adam (warm)']:.2f})")
    return checks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    run(args.rounds)


if __name__ == "__main__":
    main()
