"""regkit: regularization and generalization, from scratch in NumPy.

``import regkit as rk`` gives the whole public surface (see API.md):
layers, regularizers, losses, optimizers, training, early stopping,
datasets, augmentation and the overfit detector. The core needs NumPy
only; ``regkit.course.plots`` and ``regkit.course.widgets`` need matplotlib/ipywidgets.
"""
from ._rng import seed, as_rng
from .module import Parameter, Module
from .history import History
# [core-layers]
from .layers import (Dense, ReLU, Tanh, Sigmoid, Flatten, Dropout, DropConnect,
                     BatchNorm)
from .regularizers import (L1, L2, ElasticNet, Regularizer, regularizer_to_config,
                           regularizer_from_config)
from .losses import SoftmaxCrossEntropy, MSE
from . import functional, gradcheck
# [core-optim]
from .optim import SGD, Adam, AdamW
from .constraints import clip_grad_norm, max_norm
from .network import Sequential, load
# [training]
from .training import fit
from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .threads import blas_threads


def __getattr__(name):
    # The scikit-learn estimators load on first use, so `import regkit`
    # does not import scikit-learn (an optional dependency).
    if name in ("MLPClassifier", "MLPRegressor"):
        from . import estimators
        return getattr(estimators, name)
    raise AttributeError(f"module 'regkit' has no attribute {name!r}")


# [data]
from . import datasets, augment
from .labels import mixup, smooth_labels
# [diagnose]
from .detector import diagnose, Diagnosis, Thresholds, read_log, compare, Comparison

__version__ = "0.1.0"
