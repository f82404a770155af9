"""regkit: regularization and generalization, from scratch in NumPy.

``import regkit as rk`` gives the whole public surface: every name imported
below (the README's "regkit in five lines" shows them at work). The
package reads as its table of contents:

* the model: ``module`` (Parameter, Module), ``layers/`` (Dense and the
  activations, Dropout and DropConnect, BatchNorm), ``network`` (Sequential),
  ``mlp`` (one builder for the course's networks), ``saving`` (the file format);
* the maths behind them: ``functional`` (pure formulas), ``regularizers``,
  ``losses``, ``labels`` (one-hot, smoothing, mixup);
* training: ``optim`` (SGD, Adam, AdamW, ProximalSGD, readable), ``constraints``
  (clipping, max-norm), ``training`` (fit), ``callbacks``, ``history``;
* data: ``datasets``, ``augment``;
* checking: ``gradcheck``; the overfit detector: ``detector/``;
* plumbing: ``threads``, ``portability``, ``style``, ``estimators`` (scikit-learn)
  and the private ``_fast/`` (the flat-buffer optimizer and dropout masks,
  bit-identical to the readable code), ``_rng``, ``_validate``, ``_io``.

The core needs NumPy only. ``regkit.course`` (the notebooks' helpers,
plots and widgets) needs matplotlib and ipywidgets, and the library never
imports it.
"""
from ._rng import seed, as_rng
from .module import Parameter, Module
from .history import History

from .layers import (Dense, ReLU, Tanh, Sigmoid, Flatten, Dropout, DropConnect,
                     BatchNorm)
from .regularizers import (L1, L2, ElasticNet, Regularizer, regularizer_to_config,
                           regularizer_from_config)
from .losses import SoftmaxCrossEntropy, MSE
from . import functional, gradcheck

from .optim import SGD, ProximalSGD, Adam, AdamW
from .constraints import clip_grad_norm, max_norm
from .network import Sequential
from .saving import load, register_layer
from .mlp import mlp

from .training import fit
from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .threads import blas_threads

from . import datasets, augment
from .labels import mixup, smooth_labels

from .detector import diagnose, Diagnosis, Thresholds, read_log, compare, Comparison


def __getattr__(name):
    # The scikit-learn estimators load on first use, so `import regkit`
    # does not import scikit-learn (an optional dependency).
    if name in ("MLPClassifier", "MLPRegressor"):
        from . import estimators
        return getattr(estimators, name)
    raise AttributeError(f"module 'regkit' has no attribute {name!r}")


__version__ = "0.1.0"
