"""All of regkit's layers, in one import: ``from regkit.layers import Dense``.

The contract every layer keeps (see :class:`regkit.module.Module`):

* ``forward(x) -> y`` (also ``layer(x)``) keeps what backward needs;
* ``backward(grad_y) -> grad_x`` assigns ``.grad`` of the layer's
  Parameters (it does not accumulate);
* ``training`` decides what Dropout, DropConnect and BatchNorm do;
  ``train()`` / ``eval()`` set it;
* ``penalty()`` is the layer's share of the regularisation loss;
* ``get_config()`` gives the constructor arguments (no ``rng``, no weights).

Where they live: ``layers_core.py`` (Dense, ReLU, Tanh, Sigmoid, Flatten),
``layers_dropout.py`` (Dropout, DropConnect), ``layers_batchnorm.py``
(BatchNorm).
"""
from .dense import Dense, ReLU, Tanh, Sigmoid, Flatten
from .dropout import Dropout, DropConnect
from .batchnorm import BatchNorm

__all__ = ["Dense", "ReLU", "Tanh", "Sigmoid", "Flatten", "Dropout", "DropConnect",
           "BatchNorm"]
