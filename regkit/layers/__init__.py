"""All of regkit's layers, in one import: ``from regkit.layers import Dense``.

The contract every layer keeps (see :class:`regkit.module.Module`):

* ``forward(x) -> y`` (also ``layer(x)``) keeps what backward needs;
* ``backward(grad_y) -> grad_x`` assigns ``.grad`` of the layer's
  Parameters (it does not accumulate);
* ``training`` at the time of the forward decides what Dropout,
  DropConnect and BatchNorm do (``train()`` / ``eval()`` set it), and
  backward follows the forward it differentiates;
* ``penalty()`` is the layer's share of the regularisation loss;
* ``get_config()`` gives the constructor arguments (no ``rng``, no weights);
* the cache ``backward`` needs is created as ``None`` in ``__init__`` and
  overwritten by every forward, together with the mode the forward ran in
  (``backward`` before any forward is a clear ``RuntimeError``);
* each class is registered (``@register_layer``) under its name, which is
  what a saved file calls it (:mod:`regkit.saving`).

Where they live: ``dense.py`` (Dense), ``activations.py`` (ReLU, Tanh,
Sigmoid, Flatten), ``dropout.py`` (Dropout, DropConnect), ``batchnorm.py``
(BatchNorm).
"""
from .dense import Dense
from .activations import ReLU, Tanh, Sigmoid, Flatten
from .dropout import Dropout, DropConnect
from .batchnorm import BatchNorm

__all__ = ["Dense", "ReLU", "Tanh", "Sigmoid", "Flatten", "Dropout", "DropConnect",
           "BatchNorm"]
