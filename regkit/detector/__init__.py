"""The overfit detector: read a training log, measure it, say what it shows.

One job per module, in the order a log travels through them:

* ``logs``        read a Keras / Lightning / regkit / JSON / Hugging Face log into
                  per-epoch series (``tensorboard`` and ``tfevents`` for event
                  files; ``sklearn_curves`` records a scikit-learn MLP's curves);
* ``thresholds``  the numbers the rules compare against (one dataclass);
* ``rules``       :func:`diagnose`: measure the evidence, decide the verdict;
* ``diagnosis``   :class:`Diagnosis`, the result (text, HTML, JSON);
* ``advice``      the suggestions that follow from a verdict and a model;
* ``frameworks``  those suggestions as Keras / PyTorch / Lightning / scikit-learn
                  code, strengths converted to each library's convention;
* ``comparison``  :func:`compare`: train one model with several techniques;
* ``plot``        the detector's figure (matplotlib, imported when drawn).

Depends on the library only, never on ``regkit.course``.
"""
from .rules import diagnose
from .diagnosis import Diagnosis
from .thresholds import Thresholds
from .logs import read_log
from .comparison import compare, Comparison
from .sklearn_curves import sklearn_curves

__all__ = ["diagnose", "Diagnosis", "Thresholds", "read_log", "compare", "Comparison",
           "sklearn_curves"]
