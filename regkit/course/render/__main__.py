"""``python -m regkit.course.render OUT_DIR [NAME ...]``: write the course figures."""
from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    import matplotlib.pyplot as plt

    from . import registry
    from ..teach import setup_notebook

    out_dir, wanted = argv[0], argv[1:]
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
