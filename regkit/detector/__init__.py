"""The overfit detector: read a training log, measure it, say what it shows.

One job per module, in the order a log travels through them:

* ``logs``        read a Keras / Lightning / regkit / JSON log into per-epoch series;
* ``thresholds``  the numbers the rules compare against (one dataclass);
* ``rules``       :func:`diagnose`: measure the evidence, decide the verdict;
* ``diagnosis``   :class:`Diagnosis`, the result (text, HTML, JSON);
* ``advice``      the suggestions that follow from a verdict and a model;
* ``comparison``  :func:`compare`: train one model with several techniques;
* ``plot``        the detector's figure (matplotlib, imported when drawn).

Depends on the library only, never on ``regkit.course``.
"""
from .rules import diagnose
from .diagnosis import Diagnosis
from .thresholds import Thresholds
from .logs import read_log
from .comparison import compare, Comparison

__all__ = ["diagnose", "Diagnosis", "Thresholds", "read_log", "compare", "Comparison"]
