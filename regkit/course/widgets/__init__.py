"""Live dashboards for the notebooks (the only part of regkit that imports
ipywidgets). One function per dashboard; each returns a ``Dashboard`` whose
``compute`` calls :mod:`regkit.course.experiments` and whose ``draw`` calls
:mod:`regkit.course.plots`, and whose ``state`` a test can read after setting
a control's ``value``.
"""
from .base import Dashboard, log_slider, slider
