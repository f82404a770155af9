"""Command line: ``regkit diagnose FILE [--plot out.png] [--json] [--force]
[--framework NAME] [--format NAME]``, ``regkit --version``.

Also ``python -m regkit diagnose ...``. FILE is a CSV (Keras CSVLogger,
Lightning ``metrics.csv``, ``History.to_csv``), a JSON log (a Keras History,
a Hugging Face ``trainer_state.json``) or a TensorBoard log folder or event
file.

Exit codes: 0 the log was diagnosed; 2 the input was unusable (unreadable
file, missing columns, an existing ``--plot`` file without ``--force``) or
the command line was wrong (argparse's own convention); 1 anything else
(matplotlib missing for ``--plot``). Messages go to stderr, the report to
stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__
from ._io import atomic_write, check_writable
from .detector.logs import FORMATS, FRAMEWORKS
from .detector.rules import diagnose

USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regkit", description="regkit: regularization toolkit from the course.")
    parser.add_argument("--version", action="version", version=f"regkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    diag = commands.add_parser(
        "diagnose", help="diagnose a training log: overfitting, underfitting, ...",
        description="Read a training log (Keras CSVLogger, Lightning metrics.csv, regkit "
                    "History CSV, Keras History JSON, Hugging Face trainer_state.json, "
                    "TensorBoard event files) and print a diagnosis with suggestions "
                    "written for the framework that produced it.")
    diag.add_argument("file", metavar="FILE",
                      help="the log: a .csv or .json file, or a TensorBoard log folder "
                           "or event file")
    diag.add_argument("--plot", metavar="OUT.png",
                      help="also save the figure (curves, best epoch, gap, verdict)")
    diag.add_argument("--json", action="store_true",
                      help="print the diagnosis as JSON instead of a text report")
    diag.add_argument("--force", action="store_true",
                      help="allow --plot to overwrite an existing file")
    diag.add_argument("--framework", choices=FRAMEWORKS,
                      help="write the advice as this library's code, strengths in its "
                           "convention (default: the library that wrote the log)")
    diag.add_argument("--format", choices=FORMATS, default="auto",
                      help="read FILE as this format (default: tell from the content)")
    return parser


def _diagnose(args) -> int:
    plot_rule = {"overwrite": args.force, "who": "regkit diagnose", "arg": "--plot",
                 "allow": "pass --force"}
    if args.plot is not None and not args.plot.strip():
        print("regkit diagnose: --plot needs a file name, got an empty one", file=sys.stderr)
        return USAGE_ERROR
    if args.plot:
        try:                                  # before any work: refuse at once
            check_writable(args.plot, **plot_rule)
        except OSError as err:                # FileExistsError, IsADirectoryError
            print(err, file=sys.stderr)
            return USAGE_ERROR
    try:
        result = diagnose(args.file, framework=args.framework, format=args.format)
    except (ValueError, OSError) as err:     # unreadable, garbage, missing columns
        # one line, whatever the file put into the message
        print(f"regkit diagnose: {err}".replace("\n", " "), file=sys.stderr)
        return USAGE_ERROR
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        print(result)
    if args.plot:
        try:
            import matplotlib
        except ImportError:
            print("regkit diagnose: --plot needs matplotlib (pip install matplotlib)",
                  file=sys.stderr)
            return 1
        matplotlib.use("Agg")                 # a file, never a window
        fig = result.plot()
        # the format comes from the extension, as savefig would read it;
        # without one savefig would add ".png" to the name, so it is given
        fmt = os.path.splitext(args.plot)[1][1:] or "png"
        try:
            atomic_write(args.plot, lambda tmp: fig.savefig(tmp, format=fmt), **plot_rule)
        except (OSError, ValueError) as err:   # missing folder, unknown extension
            print(f"regkit diagnose: cannot save the figure: {err}", file=sys.stderr)
            return USAGE_ERROR
        if not args.json:
            print(f"figure saved to {args.plot}")
    return 0


def main(argv=None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    args = _parser().parse_args(argv)          # exits with 2 on a usage error
    if args.command != "diagnose":
        return USAGE_ERROR                       # pragma: no cover (argparse rejects others)
    try:
        return _diagnose(args)
    except BrokenPipeError:
        # the reader went away (`regkit diagnose ... | head`): not an error worth a
        # traceback. Point stdout at devnull so the interpreter's final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
