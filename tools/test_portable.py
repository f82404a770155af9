"""`make test-portable`: every notebook under nbval, as if on other machines.

    python tools/test_portable.py                    # all variants, all notebooks
    python tools/test_portable.py --only nudge       # one variant
    python tools/test_portable.py notebooks/04_batchnorm.ipynb

A seeded notebook prints the same thing twice on one machine, but another
CPU rounds float32 differently (vector width, FMA, BLAS kernel, threads)
and training amplifies the difference. Each variant below plays one such
machine on this one, safely, and runs every notebook on a fresh kernel
under ``pytest --nbval-lax``: every cell marked ``# NBVAL_CHECK_OUTPUT``
must print what is stored.

* ``threads``: BLAS on 2 threads wherever the notebooks ask for 1
  (``REGKIT_BLAS_THREADS=2``, see regkit/portability.py).
* ``simd``: NumPy's own loops without the vector extensions this CPU
  dispatches to (``NPY_DISABLE_CPU_FEATURES`` = AVX-512 and AVX2/FMA3
  groups here; whatever this CPU has elsewhere), so NumPy sums in the
  narrower baseline loops.
* ``nudge``: every freshly initialised weight moved by one unit in the
  last place (``REGKIT_NUDGE_INIT=1``): a training trajectory changed the
  way another CPU's rounding changes it.

The BLAS kernel itself is never changed here: ``OPENBLAS_CORETYPE`` and
``OPENBLAS_L2_SIZE`` are left exactly as the machine set them (on some
processors other kernels compute wrong results). To try another kernel by
hand, outside the tests: ``OPENBLAS_CORETYPE=Sandybridge make test``.

The variants run side by side (``--jobs``, default 3: all at once, which was
fastest on 2 cores, since each kernel waits on Python much of the time); each
one's full pytest output goes to ``portable-logs/<variant>.log``.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "portable-logs"
VARIANTS = ("threads", "simd", "nudge")
NBVAL = ["--nbval-lax", "--nbval-current-env",
         "--nbval-sanitize-with", "notebooks/nbval_sanitize.cfg",
         "-q", "-p", "no:cacheprovider"]


def simd_features(python: str) -> list[str]:
    """The NumPy dispatch targets this CPU runs, which the simd variant turns off."""
    code = ("from numpy._core._multiarray_umath import __cpu_dispatch__ as d, "
            "__cpu_features__ as f; print(' '.join(x for x in d if f.get(x)))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def kernel_deaths(log: Path) -> list[str] | None:
    """The notebooks whose kernel died, when that is all that went wrong in
    ``log``; None when anything else failed (or nothing did)."""
    # pytest's summary lines ("ERROR notebooks/x.ipynb::Cell 3 - ..."), not the
    # captured log records that also start with ERROR ("ERROR    nbval:kernel.py:59")
    bad = [line for line in log.read_text().splitlines()
           if line.startswith(("FAILED ", "ERROR ")) and "::" in line.split(" - ")[0]]
    if not bad or not all("Kernel died" in line or "DeadKernelError" in line for line in bad):
        return None
    return sorted({line.split()[1].split("::")[0] for line in bad})


def variants(python: str) -> dict[str, dict[str, str] | None]:
    """Each variant's environment; None where this CPU has nothing to vary."""
    simd = simd_features(python)
    return {
        "threads": {"REGKIT_BLAS_THREADS": "2"},
        "simd": {"NPY_DISABLE_CPU_FEATURES": " ".join(simd)} if simd else None,
        "nudge": {"REGKIT_NUDGE_INIT": "1"},
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Any other option goes to pytest, as make test-portable PYTEST_ARGS=... does.")
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    parser.add_argument("--only", action="append", default=[], choices=VARIANTS,
                        help="run this variant only (repeatable)")
    parser.add_argument("--jobs", type=int, default=3,
                        help="variants run at once (default 3: all of them; measured fastest on 2 cores)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--logs", type=Path, default=LOGS,
                        help="folder for each variant's log (default portable-logs/)")
    args, pytest_args = parser.parse_known_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")

    notebooks = args.notebooks or sorted(str(p.relative_to(ROOT))
                                         for p in (ROOT / "notebooks").glob("*.ipynb"))
    todo = {}
    for name, extra in variants(args.python).items():
        if args.only and name not in args.only:
            continue
        if extra is None:
            print(f"{name}: this CPU runs only NumPy's baseline loops; nothing to disable")
            continue
        todo[name] = extra
    if not todo:
        print("no variant to run on this machine", file=sys.stderr)
        return 1

    logs = args.logs.resolve()
    logs.mkdir(parents=True, exist_ok=True)
    waiting = list(todo.items())
    running: dict[str, tuple[subprocess.Popen, float, object]] = {}
    results: dict[str, tuple[int, float]] = {}
    start = time.perf_counter()
    while waiting or running:
        while waiting and len(running) < args.jobs:
            name, extra = waiting.pop(0)
            env = {**os.environ, **extra}
            log = open(logs / f"{name}.log", "w")
            print(f"{name:8s} started: {' '.join(f'{k}={v!r}' for k, v in extra.items())}",
                  flush=True)
            proc = subprocess.Popen([args.python, "-m", "pytest", *notebooks, *NBVAL, *pytest_args],
                                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            running[name] = (proc, time.perf_counter(), log)
        time.sleep(0.5)
        for name, (proc, t0, log) in list(running.items()):
            if proc.poll() is not None:
                log.close()
                results[name] = (proc.returncode, time.perf_counter() - t0)
                del running[name]
                last = (logs / f"{name}.log").read_text().strip().splitlines()[-1:]
                print(f"{name:8s} {'passed' if proc.returncode == 0 else 'FAILED'} in "
                      f"{results[name][1]:.0f} s: {last[0] if last else ''}", flush=True)

    # A kernel that dies (rather than printing something else) is the
    # machine's trouble, not the notebook's: with three pytest runs starting
    # kernels at once we saw it once in a dozen runs. Such notebooks run
    # once more, alone, and that is said; a wrong output is never retried.
    for name, (code, _) in list(results.items()):
        dead = kernel_deaths(logs / f"{name}.log") if code != 0 else None
        if dead:
            print(f"{name:8s} the kernel died in {', '.join(dead)}: running "
                  f"{'it' if len(dead) == 1 else 'them'} once more, alone", flush=True)
            t0 = time.perf_counter()
            with open(logs / f"{name}.retry.log", "w") as log:
                code = subprocess.call([args.python, "-m", "pytest", *dead, *NBVAL, *pytest_args],
                                       cwd=ROOT, env={**os.environ, **todo[name]},
                                       stdout=log, stderr=subprocess.STDOUT)
            results[name] = (code, results[name][1] + time.perf_counter() - t0)
            print(f"{name:8s} retry {'passed' if code == 0 else 'FAILED'} "
                  f"(log: {logs / name}.retry.log)", flush=True)

    failed = [name for name, (code, _) in results.items() if code != 0]
    print(f"all variants: {time.perf_counter() - start:.0f} s")
    for name in failed:
        lines = (logs / f"{name}.log").read_text().splitlines()
        print(f"\n===== {name}: cells that printed something else "
              f"(whole log: {logs / name}.log) =====")
        print("\n".join(line for line in lines if line.startswith(("FAILED", "ERROR"))))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
