"""Shared test setup: a non-interactive matplotlib backend, nothing else.

Thread settings (OPENBLAS_*, OMP_*) are deliberately left alone.
"""
import os

os.environ.setdefault("MPLBACKEND", "Agg")
