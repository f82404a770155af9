"""Plotting helpers for the course (the only part of regkit besides
``regkit.course.widgets`` that imports matplotlib).

Each helper draws into an ``ax``/``fig`` it is given or creates one, and
returns the Figure, so notebooks, ``make figures`` and the widgets share the
same pictures.
"""
from ...style import PALETTE, TRAIN, VAL, TEST, use_style, rk_style
# [plots-data]
from .gallery import augmentation_gallery
# [plots-diagnose]
from ...detector.plot import plot_diagnosis, plot_comparison
# [plots-notebooks]
