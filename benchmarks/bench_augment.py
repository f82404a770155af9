"""How long augmenting 10,000 8x8 digit images takes, transform by transform.

    .venv/bin/python benchmarks/bench_augment.py [--n 10000] [--repeats 7]

Each line is the median wall time of ``repeats`` runs on the same batch
(the 1797 digits tiled to ``n`` images, float32, (n, 8, 8)). The last line
is a per-image Python loop over ``scipy.ndimage.rotate``, the obvious
non-vectorised way, for the ratio against ``rotate``.
"""
from __future__ import annotations

import argparse
import functools
import statistics
import time

import numpy as np

import regkit as rk
from regkit import augment as A


def _median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _scipy_loop_rotate(images, degrees, rng):
    from scipy import ndimage

    angles = rng.uniform(-degrees, degrees, size=len(images))
    return np.stack([ndimage.rotate(img, a, reshape=False, order=1, mode="constant")
                     for img, a in zip(images, angles)])


def run(n=10_000, repeats=7):
    """Rows ``(name, median seconds)`` for every transform, a Compose, and scipy."""
    digits = rk.datasets.digits(flatten=False, random_state=0)
    pool = np.concatenate([digits.x_train, digits.x_val, digits.x_test])
    images = np.resize(pool, (n, 8, 8)).astype(np.float32)
    g = np.random.default_rng(0)
    cases = dict(A.TRANSFORMS)
    cases["Compose(shift(1), rotate, zoom, noise)"] = A.Compose(
        [functools.partial(A.shift, pixels=1), A.rotate, A.zoom, A.gaussian_noise])
    rows = [(name, _median_seconds(lambda t=t: t(images, rng=g), repeats))
            for name, t in cases.items()]
    try:
        import scipy  # noqa: F401
        loop = _median_seconds(lambda: _scipy_loop_rotate(images, 15, g),
                               max(1, repeats // 3))
        rows.append(("rotate, scipy.ndimage loop", loop))
    except ImportError:
        pass
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    rows = run(args.n, args.repeats)
    width = max(len(name) for name, _ in rows)
    print(f"augmenting {args.n} images of 8x8 (float32), median of {args.repeats} runs")
    print(f"{'transform':<{width}}  {'ms':>8}  {'images/s':>12}")
    for name, sec in rows:
        print(f"{name:<{width}}  {sec * 1e3:8.2f}  {args.n / sec:12,.0f}")
    rotate = dict(rows).get("rotate")
    loop = dict(rows).get("rotate, scipy.ndimage loop")
    if rotate and loop:
        print(f"vectorised rotate is {loop / rotate:.0f}x faster than the per-image loop")


if __name__ == "__main__":
    main()
