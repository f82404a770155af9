"""Benchmarks 1-3, regkit's rows only, for two or more source trees alternated in one run.

    .venv/bin/python benchmarks/compare_revisions.py OLD NEW [MORE...] [--bench 1 2 3]
                     [--rounds 10] [--repeat 1]

Each OLD/NEW is a directory holding a ``regkit/`` package (a checkout) or a
git revision of this repository (exported with ``git archive`` to a
temporary directory). Made for checking that a refactoring kept the speed,
e.g. "benchmarks 1-3 within 5% of the old code".

How it measures (the machine may be shared and noisy):

* every measurement runs in a fresh subprocess with ``PYTHONPATH=<tree>``,
  which then imports that tree's regkit ahead of the installed one (the
  worker checks ``regkit.__file__`` and refuses to time anything else);
* the harness is the same for every tree: this directory's
  ``_contenders.py`` and benchmark modules, so only regkit differs;
* the trees alternate, and their order rotates every round, so a slow
  minute on the machine lands on all of them;
* each row reports the median and the min over all measurements, and the
  ratio of each tree's median to the first tree's.

Rows per benchmark: "training pass" (the reference row of each benchmark:
forward, loss, backward, Adam step per batch, one BLAS thread) and
``rk.fit`` (the same plus fit's per-epoch eval-mode pass).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

BENCHES = {1: "one epoch of the course MLP, 60000 x 784 (bench_mlp_epoch)",
           2: "100 epochs on digits, 64-256-128-10 (bench_digits)",
           3: "300 full-batch Adam steps on moons, 2-64-64-2 (bench_moons)"}


# -- the worker: one process, one tree, one benchmark ----------------------------

def _rows(bench: int):
    """``{row: (prepare, run)}`` for one benchmark, as its script builds them."""
    import _contenders as K
    if bench == 1:
        import bench_mlp_epoch as B
        x, y = B.make_data(60_000)
        K.regkit_train_pass(K.regkit_model(B.SIZES), x[:2048], y[:2048], epochs=1)   # warm-up
        build, kw = (lambda: K.regkit_model(B.SIZES)), dict(epochs=1)
    elif bench == 2:
        import bench_digits as B
        x, y = B.load()
        K.regkit_train_pass(K.regkit_model(B.SIZES), x, y, epochs=2)                # warm-up
        build, kw = (lambda: K.regkit_model(B.SIZES)), dict(epochs=100)
    elif bench == 3:
        import bench_moons as B
        x, y = B.load()
        kw = dict(epochs=B.STEPS, batch_size=len(x), lr=1e-2, weight_decay=0.0)
        K.regkit_train_pass(B.model(), x, y, **kw)                                  # warm-up
        build = B.model
    else:
        raise ValueError(f"unknown benchmark {bench}")
    return {"training pass": (build, lambda m: K.regkit_train_pass(m, x, y, **kw)),
            "rk.fit": (build, lambda m: K.regkit_fit(m, x, y, **kw))}


def worker(tree: str, bench: int, repeat: int) -> None:
    """Print ``{"regkit": path, "times": {row: [seconds, ...]}}`` as JSON."""
    sys.path.insert(0, str(HERE))
    import regkit
    where = Path(regkit.__file__).resolve()
    if not where.is_relative_to(Path(tree).resolve()):
        sys.exit(f"regkit came from {where}, not from the tree {tree}: "
                 f"nothing was timed")
    rows = _rows(bench)
    times = {name: [] for name in rows}
    for _ in range(repeat):
        for name, (prepare, run) in rows.items():
            arg = prepare()
            start = time.perf_counter()
            run(arg)
            times[name].append(time.perf_counter() - start)
    print(json.dumps({"regkit": str(where), "times": times}))


# -- the parent: alternate the trees ---------------------------------------------

def resolve_tree(spec: str, scratch: Path) -> Path:
    """A directory with ``regkit/`` in it: ``spec`` itself, or a git revision exported."""
    path = Path(spec)
    if path.is_dir():
        if not (path / "regkit" / "__init__.py").is_file():
            sys.exit(f"{spec}: no regkit/__init__.py in this directory")
        return path.resolve()
    out = scratch / spec.replace("/", "_")
    out.mkdir()
    try:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", spec, "regkit"],
                                 capture_output=True, check=True).stdout
    except subprocess.CalledProcessError as e:
        sys.exit(f"{spec}: neither a directory nor a git revision "
                 f"({e.stderr.decode().strip()})")
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def measure(tree: Path, bench: int, repeat: int) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, __file__, "--worker", str(tree), "--bench",
                          str(bench), "--repeat", str(repeat)],
                         capture_output=True, text=True, env=env, cwd=HERE)
    if out.returncode != 0:
        sys.exit(f"worker for {tree}, benchmark {bench} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])["times"]


def compare(trees: list[Path], labels: list[str], benches, rounds: int, repeat: int) -> None:
    print(f"{len(trees)} trees, alternated in rotating order, {rounds} rounds x {repeat} "
          f"per process; load average at start {os.getloadavg()[0]:.2f}")
    for label, tree in zip(labels, trees):
        print(f"  {label}: {tree}")
    for bench in benches:
        times = {label: {} for label in labels}
        for r in range(rounds):
            shift = r % len(trees)
            order = list(zip(labels, trees))[shift:] + list(zip(labels, trees))[:shift]
            for label, tree in order:
                for row, ts in measure(tree, bench, repeat).items():
                    times[label].setdefault(row, []).extend(ts)
        print(f"\nBenchmark {bench}: {BENCHES[bench]}  (load average now "
              f"{os.getloadavg()[0]:.2f})")
        width = max(len(s) for s in labels)
        print(f"  {'row':<14} {'tree':<{width}}  {'median s':>9}  {'min s':>9}  {'runs':>4}  "
              f"ratio of medians (min) to {labels[0]}")
        for row in times[labels[0]]:
            base = times[labels[0]][row]
            for label in labels:
                ts = times[label][row]
                ratio = statistics.median(ts) / statistics.median(base)
                print(f"  {row:<14} {label:<{width}}  {statistics.median(ts):9.4f}  "
                      f"{min(ts):9.4f}  {len(ts):4d}  {ratio:.3f} ({min(ts) / min(base):.3f})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", help="directories with regkit/, or git revisions")
    parser.add_argument("--bench", type=int, nargs="+", default=[1, 2, 3],
                        choices=sorted(BENCHES))
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1,
                        help="measurements per process (worth raising for benchmark 3)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.bench[0], args.repeat)
        return
    if len(args.trees) < 2:
        parser.error("give at least two trees to compare")
    with tempfile.TemporaryDirectory(prefix="regkit-compare-") as scratch:
        trees = [resolve_tree(spec, Path(scratch)) for spec in args.trees]
        compare(trees, args.trees, args.bench, args.rounds, args.repeat)


if __name__ == "__main__":
    main()
