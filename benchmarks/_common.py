"""What every benchmark shares: timing, the environment report, tables.

Timing rules, so numbers from a busy 2-core laptop still mean something:

* contenders are *alternated* (round-robin, the order rotating each round),
  so a burst of background load hits all of them, not one;
* each row is the **median** of the rounds;
* ratios are taken between medians measured in the same run, never against
  a number remembered from another day.

Every table is printed after :func:`environment`, which names the machine,
the versions and the BLAS libraries with their thread counts and CPU
architecture (threadpoolctl's ``architecture``), and the load average.
"""
from __future__ import annotations

import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> str:
    """The instruction sets that decide NumPy's and OpenBLAS's kernels."""
    try:
        text = Path("/proc/cpuinfo").read_text()
        have = set(re.search(r"^flags\s*:(.*)$", text, re.M).group(1).split())
    except (OSError, AttributeError):
        return "unknown"
    return " ".join(f for f in ("avx2", "fma", "avx512f") if f in have) or "no AVX2"


def versions() -> dict:
    import regkit
    out = {"python": platform.python_version(), "numpy": np.__version__,
           "regkit": regkit.__version__}
    for name in ("torch", "sklearn"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = "not installed"
    return out


def blas_report() -> list[str]:
    """One line per BLAS/OpenMP library NumPy, SciPy, scikit-learn and torch loaded."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed: BLAS threads unknown"]
    lines = []
    for info in threadpool_info():
        arch = info.get("architecture") or "-"
        lines.append(f"{info['user_api']:6s} {info['internal_api']:8s} "
                     f"{str(info.get('version') or '-'):14s} arch={arch:10s} "
                     f"threads={info['num_threads']}  ({Path(info['filepath']).name})")
    return lines


def environment(title: str) -> str:
    """The header printed above every table."""
    v = versions()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    coretype = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    lines = [f"== {title} ==",
             f"machine: {cpu_name()}, {os.cpu_count()} logical CPUs (flags: {cpu_flags()}), "
             f"load average {load}",
             "versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
             f"OPENBLAS_CORETYPE={coretype}; BLAS and OpenMP pools (threadpoolctl):"]
    lines += ["  " + line for line in blas_report()]
    return "\n".join(lines)


def alternate(contenders: dict, rounds: int, *, setup=None) -> dict[str, list[float]]:
    """Time each contender ``rounds`` times, round-robin; ``{name: [seconds, ...]}``.

    ``contenders`` maps a name to a function of no arguments (or to a pair
    ``(prepare, run)``: ``prepare()`` is untimed and its result is passed
    to ``run``, e.g. building a fresh model). The order rotates every round.
    """
    names = list(contenders)
    times = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            fn = contenders[name]
            if isinstance(fn, tuple):
                prepare, run = fn
                arg = prepare()
                start = time.perf_counter()
                run(arg)
            else:
                start = time.perf_counter()
                fn()
            times[name].append(time.perf_counter() - start)
    return times


def median(values) -> float:
    return statistics.median(values)


def percentile(values, q: float) -> float:
    """The q-th percentile of ``values``; NaN for none (a row with no such moves)."""
    return float(np.percentile(values, q)) if len(values) else float("nan")


def table(times: dict[str, list[float]], reference: str | None = None,
          unit: str = "s", note: dict | None = None) -> str:
    """Rows of median, min, max (and ratio to ``reference``'s median)."""
    scale = {"s": 1.0, "ms": 1e3}[unit]
    width = max(len(n) for n in times)
    ref = median(times[reference]) if reference in times else None
    cols = [f"median {unit}", f"min {unit}", f"max {unit}"]
    head = f"{'contender':<{width}}  " + "  ".join(f"{c:>9}" for c in cols) + "  runs"
    if ref:
        head += f"  ratio to {reference}"
    lines = [head]
    for name, ts in times.items():
        med = median(ts)
        row = (f"{name:<{width}}  {med * scale:9.3f}  {min(ts) * scale:9.3f}  "
               f"{max(ts) * scale:9.3f}  {len(ts):4d}")
        if ref:
            row += f"  {med / ref:11.2f}x"
        if note and name in note:
            row += f"  {note[name]}"
        lines.append(row)
    return "\n".join(lines)


def check_target(label: str, value: float, limit: float) -> tuple[str, bool]:
    ok = value <= limit
    return f"  [{'met' if ok else 'NOT met'}] {label}: {value:.2f} (target <= {limit:g})", ok


def ratio_check(label: str, times: dict, ours: str, other: str, limit: float):
    """Print and return ``(label, median ratio, limit, met, ratio of minima)``.

    The target is judged on the ratio of medians; the ratio of the fastest
    runs is printed beside it because, on a busy machine, a contender using
    two threads can collapse in most rounds (its median then flatters us).
    """
    med = median(times[ours]) / median(times[other])
    best = min(times[ours]) / min(times[other])
    line, ok = check_target(label, med, limit)
    print(f"{line}; fastest runs: {best:.2f} "
          f"({'within' if best <= limit else 'over'} the target)")
    return (label, med, limit, ok, best)


def torch_or_none(threads: int = 2):
    """torch with ``threads`` intra-op threads, or None (then torch rows are skipped)."""
    try:
        import torch
    except ImportError:
        print("torch is not installed: PyTorch rows skipped "
              "(the CPU build: pip install torch==2.13.0 "
              "--index-url https://download.pytorch.org/whl/cpu)")
        return None
    torch.set_num_threads(threads)
    return torch


def flush() -> None:
    sys.stdout.flush()
