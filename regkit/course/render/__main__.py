"""``python -m regkit.course.render OUT_DIR [NAME ...]``: write the course figures."""
from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m regkit.course.render",
        description="Write the course's static figures (the PNGs of figures/).")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="folder to write the PNGs into")
    parser.add_argument("names", metavar="NAME", nargs="*",
                        help="only the figures whose file name contains NAME (default: all)")
    args = parser.parse_args(argv)
    # matplotlib after the backend is chosen (MPLBACKEND above) and only when drawing
    import matplotlib.pyplot as plt

    from . import registry
    from ..teach import setup_notebook

    out_dir, wanted = args.out_dir, args.names
    os.makedirs(out_dir, exist_ok=True)
    for name, fn in registry().items():
        if wanted and not any(w in name for w in wanted):
            continue
        setup_notebook()
        start = time.perf_counter()
        fig = fn()
        fig.savefig(os.path.join(out_dir, name))
        plt.close(fig)
        print(f"{name:40s} {time.perf_counter() - start:5.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
