"""Every benchmark, one after the other, then the targets met or not (``make bench``).

    .venv/bin/python benchmarks/run_all.py [--quick] [--skip notebooks widgets]

1. one epoch of the course MLP on 60,000 x 784 (regkit, PyTorch, scikit-learn, floor)
2. 100 epochs on digits, same contenders
3. 300 full-batch Adam steps on 200 moons (the slider regime)
4. every slider dashboard of ``regkit.course.widgets``, cold and cached
5. every notebook under nbval
6. peak memory of benchmark 1's training
7. every dashboard again, in JupyterLab in headless Chromium: from the input
   event to the new image (needs playwright and Chromium: make test-browser)
and the augmentation timings of ``bench_augment.py``.

Each table starts with the machine, the versions and the BLAS thread
settings (threadpoolctl), because a ratio means little without them. The
tests never touch ``OPENBLAS_CORETYPE`` or thread settings; the
benchmarks only report them (and limit BLAS threads where a row says so).
``--quick`` runs fewer rounds (a smoke test, not numbers to quote).
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

BENCHMARKS = ("mlp", "digits", "moons", "widgets", "browser", "notebooks", "memory", "augment")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test")
    parser.add_argument("--skip", nargs="*", default=[], choices=BENCHMARKS)
    args = parser.parse_args(argv)
    quick = args.quick
    checks, start = [], time.perf_counter()

    def section(name, fn):
        if name in args.skip:
            return
        t0 = time.perf_counter()
        print()
        checks.extend(fn() or [])
        print(f"({name}: {time.perf_counter() - t0:.0f} s)")
        gc.collect()
        C.flush()

    import bench_browser
    import bench_digits
    import bench_memory
    import bench_mlp_epoch
    import bench_moons
    import bench_notebooks
    import bench_widgets

    section("mlp", lambda: bench_mlp_epoch.run(rounds=2 if quick else 4,
                                               n=12_000 if quick else 60_000))
    section("digits", lambda: bench_digits.run(rounds=2 if quick else 4,
                                               epochs=10 if quick else 100))
    section("moons", lambda: bench_moons.run(rounds=3 if quick else 15))
    section("memory", lambda: bench_memory.run(n=12_000 if quick else 60_000))
    section("widgets", lambda: bench_widgets.run(values=2 if quick else 5))
    section("browser", lambda: (bench_browser.run(moves=2, passes=1, min_seen=0) if quick
                                else bench_browser.run(moves=5)))
    section("notebooks", bench_notebooks.run)
    if "augment" not in args.skip:
        import bench_augment
        print()
        print(C.environment("Augmentation (bench_augment.py)"))
        bench_augment.main(["--repeats", "3" if quick else "7"])

    print()
    print(f"== Targets ({'QUICK run: not numbers to quote' if quick else 'full run'}, "
          f"{time.perf_counter() - start:.0f} s in all) ==")
    for label, value, limit, ok, *fastest in checks:
        extra = f"; fastest runs {fastest[0]:.2f}" if fastest else ""
        print(f"  [{'met' if ok else 'NOT met'}] {label}: {value:.2f} (target <= {limit:g}{extra})")
    met = sum(check[3] for check in checks)
    print(f"{met} of {len(checks)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
