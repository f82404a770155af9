"""Notebook 00's dashboard: the smoke test for live controls (if this
dashboard reacts to its sliders, every dashboard of the course will). The
tour's two static pictures are in :mod:`regkit.course.plots.start_here`."""
from __future__ import annotations

import numpy as np

from ...datasets import sample_noisy_sine
from ..plots.start_here import sine_sample_figure
from .base import Dashboard, slider


def hello_dashboard(n_points: int = 30, noise: float = 0.3, *, rng: int = 0,
                    height: str = "340px") -> Dashboard:
    """Two sliders (number of points, noise level) redrawing a sample of the
    course's noisy sine. ``state["result"]`` is the ``(x, y)`` sample."""

    def compute(n_points, noise):
        return sample_noisy_sine(n_points, noise, rng=rng)

    def draw(sample, n_points, noise):
        return sine_sample_figure(*sample, noise)

    controls = {"n_points": slider("points", n_points, 5, 200, 5),
                "noise": slider("noise σ", noise, 0.0, 1.0, 0.05, fmt=".2f")}
    return Dashboard(controls, compute, draw, height=height,
                     describe=lambda s, n_points, noise: (
                         f"{n_points} points, sample standard deviation of y: "
                         f"{float(np.std(s[1])):.2f}"),
                     title="Widget check: move a slider")
