"""`Sequential`: layers applied one after another.

The file format (``save``, ``rk.load``) lives in :mod:`regkit.saving`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import saving
from ._validate import check_int
from .layers.dense import Dense
from .module import Module, Parameter
# rk.load and the test for "is this a regkit model" are imported from here by
# regkit/__init__.py and callbacks.py; they live in saving.py
from .saving import load, _is_regkit_file  # noqa: F401

if TYPE_CHECKING:
    from collections.abc import Mapping
    from numpy.typing import ArrayLike
    from ._typing import PathLike


@saving.register_layer
class Sequential(Module):
    """Layers applied in order: ``forward`` goes first to last, ``backward`` last to first.

    Example::

        model = rk.Sequential(rk.Dense(64, 32, regularizer=rk.L2(1e-3)), rk.ReLU(),
                              rk.Dropout(0.3), rk.Dense(32, 10))
        scores = model.forward(x)              # x: (batch, 64) -> (batch, 10)
        grad_x = model.backward(grad_scores)   # sets every Parameter's .grad

    Args:
        *layers: Modules (a single list or tuple of Modules is accepted too,
            as in Keras).

    Attributes:
        layers (list[Module]): the layers; ``model[i]``, ``len(model)`` and
            ``for layer in model`` work too, and ``model[1:3]`` is a new
            Sequential sharing those layers (as in PyTorch).

    Parameter and buffer names are prefixed by the layer's index, as in
    PyTorch: ``"0.W"``, ``"0.b"``, ``"1.gamma"``, ``"1.running_mean"``.
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"layers[{i}] must be a regkit Module, "
                                f"got {type(layer).__name__}")
        self.layers: list[Module] = list(layers)

    # -- container protocol ----------------------------------------------
    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def children(self) -> list[Module]:
        """The layers (named ``"0"``, ``"1"``, ... in parameter and buffer names)."""
        return list(self.layers)

    # -- the two passes ----------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x`` through every layer in order; returns the last layer's output."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_y: np.ndarray,  # type: ignore[override]
                 input_grad: bool = True) -> np.ndarray | None:
        """``grad_y`` (the gradient w.r.t. the output) back through the layers in
        reverse order; each layer sets its parameters' ``.grad``. Returns the
        gradient w.r.t. the input.

        ``input_grad=False`` (what ``rk.fit`` uses) returns None and skips
        the work no parameter needs: the backward of the parameter-free
        layers in front of the first trained layer (Flatten, say) and that
        layer's own input gradient when it is a Dense (the largest product
        of a network on 784 pixels). Every ``.grad`` is the same either way.
        """
        first = None if input_grad else self._first_trained()
        if first is None:                               # every layer, as usual
            for layer in reversed(self.layers):
                grad_y = layer.backward(grad_y)
            return grad_y if input_grad else None
        for layer in reversed(self.layers[first + 1:]):
            grad_y = layer.backward(grad_y)
        layer = self.layers[first]
        if isinstance(layer, (Dense, Sequential)):      # these can skip grad_x
            layer.backward(grad_y, input_grad=False)
        else:
            layer.backward(grad_y)
        return None

    def _first_trained(self):
        """Index of the first layer with parameters (None when there is none)."""
        for i, layer in enumerate(self.layers):
            if layer.parameters():
                return i
        return None

    def predict(self, x: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Scores for ``x`` in eval mode, ``batch_size`` rows at a time.

        Dropout is off and BatchNorm uses its running statistics, so the
        result does not depend on the batching. Every layer gets back the
        mode it had before (also when a forward raises).

        Args:
            x: ``(n, features)`` (or whatever the first layer takes).
            batch_size: rows per forward pass, >= 1.

        Returns:
            ``(n, outputs)`` scores (no softmax).
        """
        batch_size = check_int("batch_size", batch_size, low=1)
        x = np.asarray(x)
        if x.ndim == 0:
            raise ValueError(f"x must have a batch dimension, got a scalar {x!r}")
        modes = [(m, m.training) for m in self.modules()]
        self.eval()
        try:
            outs = [self.forward(x[i:i + batch_size])
                    for i in range(0, max(len(x), 1), batch_size)]
        finally:
            for m, mode in modes:
                m.training = mode
        return outs[0] if len(outs) == 1 else np.concatenate(outs)

    def num_parameters(self) -> int:
        """Number of trainable scalars."""
        return int(sum(p.size for p in self.parameters()))

    # -- state --------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """``{name: array}`` holding COPIES of every parameter and buffer.

        Because they are copies, a saved state stays as it was while training
        goes on (what early stopping's "restore best weights" needs).
        """
        state = {}
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                state[f"{i}.{name}"] = p.data.copy()
            for name, buf in layer.named_buffers():
                state[f"{i}.{name}"] = np.array(buf, copy=True)
        return state

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Copy every array of ``state`` into the model (the dict keeps its own arrays).

        Raises:
            ValueError: a key is missing or unexpected, or a shape differs
                (nothing is loaded then).
            TypeError: a value is not a numeric array.

        A floating array keeps its dtype (a float64 state makes float64
        parameters); any other numeric array takes the model's dtype.
        """
        slots = self._state_slots()
        missing = [k for k in slots if k not in state]
        unexpected = [k for k in state if k not in slots]
        if missing or unexpected:
            raise ValueError(f"load_state_dict: missing keys {missing}, "
                             f"unexpected keys {unexpected}")
        new = {}
        for key, (owner, attr) in slots.items():
            current = _slot_value(owner, attr)
            value = np.asarray(state[key])
            if value.dtype.kind not in "biuf":
                raise TypeError(f"load_state_dict: {key!r} must be a numeric array, "
                                f"got dtype {value.dtype}")
            if value.shape != current.shape:
                raise ValueError(f"load_state_dict: {key!r} has shape {value.shape}, "
                                 f"the model expects {current.shape}")
            dtype = value.dtype if value.dtype.kind == "f" else current.dtype
            new[key] = np.array(value, dtype=dtype, copy=True)
        for key, (owner, attr) in slots.items():
            if isinstance(owner, Parameter):
                owner.data = new[key]
            else:
                setattr(owner, attr, new[key])

    def _state_slots(self) -> dict[str, tuple[object, str | None]]:
        """``{key: (Parameter, None) or (layer, buffer_name)}``, in state_dict order."""
        slots = {}
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                slots[f"{i}.{name}"] = (p, None)
            for name, module, attr in layer._buffer_slots():
                slots[f"{i}.{name}"] = (module, attr)
        return slots

    # -- config, saving -----------------------------------------------------
    def get_config(self) -> dict:
        """``{"layers": [{"class": name, "config": layer.get_config()}, ...]}``.

        Raises:
            TypeError: a layer's class is not registered (see
                :func:`regkit.saving.register_layer`), so no file could name it.
        """
        return {"layers": [saving.layer_spec(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict) -> "Sequential":
        """The model :meth:`get_config` describes, with fresh weights."""
        return cls(*[saving.layer_from_spec(spec) for spec in config.get("layers", [])])

    def save(self, path: PathLike) -> None:
        """Write the model to a ``.npz`` archive at exactly ``path``.

        No ``.npz`` is appended (unlike ``np.savez``). An existing file is
        overwritten only when it is itself a regkit model; any other file is
        left alone (``FileExistsError``). Load it back with ``rk.load(path)``;
        the format is described in :mod:`regkit.saving`.
        """
        saving.save(self, path)

    def __repr__(self):
        lines = [f"  ({i}): {_indent(repr(layer))}" for i, layer in enumerate(self.layers)]
        body = "\n".join(lines)
        return (f"Sequential(\n{body}\n)  # {self.num_parameters():,} parameters"
                if lines else "Sequential()")


# -- helpers --------------------------------------------------------------

def _slot_value(owner, attr) -> np.ndarray:
    return owner.data if isinstance(owner, Parameter) else np.asarray(getattr(owner, attr))


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")
