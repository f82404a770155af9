"""Auto-checked exercises: the learner writes a function, a checker grades it.

Each checker returns a :class:`Feedback` that prints as a short verdict:
"✔ passed" or what is wrong (shape, value at the worked example, gradient),
and never raises on a wrong answer, so the notebook still runs top to
bottom while the stub is unfinished.
"""
from .base import Feedback, check_all
