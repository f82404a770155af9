"""Drawing for the course (with ``regkit.course.widgets``, the only part of
regkit that imports matplotlib at the top of a file).

One module per notebook topic. Each function draws results already computed
by :mod:`regkit.course.experiments` (or the library) into an ``ax``/``fig`` it
is given or creates, and returns the Figure, so notebooks, ``make figures``
and the widgets share the same pictures. Nothing here trains a model.
"""
from ...style import PALETTE, TRAIN, VAL, TEST, use_style, rk_style
from .gallery import augmentation_gallery
from ...detector.plot import plot_diagnosis, plot_comparison
