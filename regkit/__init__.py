"""regkit: regularization and generalization, from scratch in NumPy.

``import regkit as rk`` gives the whole public surface (see API.md):
layers, regularizers, losses, optimizers, training, early stopping,
datasets, augmentation and the overfit detector. The core needs NumPy
only; ``regkit.plots`` and ``regkit.widgets`` need matplotlib/ipywidgets.
"""
from ._rng import seed, as_rng
from .module import Parameter, Module
from .history import History
# [core-layers]
# [core-optim]
# [training]
# [data]
# [diagnose]

__version__ = "0.1.0"
