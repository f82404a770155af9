"""Benchmark 6: peak memory of benchmark 1's training, against the size of the data.

    .venv/bin/python benchmarks/bench_memory.py [--n 60000]

``tracemalloc`` sees every NumPy array allocation, so the peak it records
during ``rk.fit(epochs=1)`` (and during the bare training pass) is the data
plus everything training allocated on top of it. A full-dataset copy per
batch or per epoch (``x[order]``, a float64 promotion, a one-shot
``np.isfinite(x)``) would show up as +100% (+25% for the boolean mask).
Also reported: the process's peak resident size (``resource``), which
includes the interpreter and every loaded library.

Target: peak < 1.5 x (training data + model).
"""
from __future__ import annotations

import argparse
import gc
import tracemalloc

import _common as C
import _contenders as K
from bench_mlp_epoch import SIZES, make_data


def _peak(fn) -> int:
    """Bytes allocated at the peak of ``fn()``, above what existed before."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def run(n=60_000):
    x, y = make_data(n)
    data = x.nbytes + y.nbytes
    model = K.regkit_model(SIZES)
    params = sum(p.data.nbytes for p in model.parameters())
    # Adam keeps the weights, a gradient copy, scratch, zeros, m and v: 6 x params
    model_total = 6 * params
    print(C.environment(f"Benchmark 6: peak memory while training benchmark 1's MLP on "
                        f"{n} x {SIZES[0]} float32"))
    mb = 1 / 2**20
    print(f"training data (x float32 + y int64): {data * mb:8.1f} MB")
    print(f"model parameters: {params * mb:.1f} MB; with Adam's state and buffers "
          f"(6x): {model_total * mb:.1f} MB")
    checks = []
    for label, fn in (("rk.fit(epochs=1)",
                       lambda: K.regkit_fit(K.regkit_model(SIZES), x, y, epochs=1)),
                      ("training pass",
                       lambda: K.regkit_train_pass(K.regkit_model(SIZES), x, y, epochs=1))):
        extra = _peak(fn)
        ratio = (data + extra) / (data + model_total)
        print(f"{label:18s} allocated at peak: {extra * mb:7.1f} MB "
              f"({extra / data:.1%} of the data); data + that = {ratio:.2f} x (data + model)")
        line, ok = C.check_target(f"{label}: peak / (data + model)", ratio, 1.5)
        print(line)
        checks.append((f"benchmark 6: {label} peak / (data + model)", ratio, 1.5, ok))
    try:
        import resource
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # KB on Linux
        print(f"process peak resident size (interpreter, libraries, data, all of the above): "
              f"{rss * mb:.0f} MB")
    except (ImportError, AttributeError):
        pass
    return checks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60_000)
    args = parser.parse_args(argv)
    run(args.n)


if __name__ == "__main__":
    main()
