"""`Sequential`: layers applied one after another, and saving/loading a model.

A saved model is a plain ``.npz`` archive, readable with
``np.load(path, allow_pickle=False)`` (no pickle, so loading a file never
runs code):

* one array per parameter and buffer, under its ``state_dict`` key
  (``"0.W"``, ``"0.b"``, ``"1.running_mean"``, ...);
* ``"__regkit__"``: a JSON string (a NumPy unicode array) with a format
  marker, a version and the architecture, one
  ``{"class": "Dense", "config": {...}}`` per layer, the ``config`` being
  the layer's ``get_config()``.

``rk.load`` rebuilds every layer from ``LAYER_REGISTRY[class](**config)``
and loads the arrays, so every hyper-parameter (Dropout ``p``,
regularizers, BatchNorm momentum/eps) and every statistic comes back.
"""
from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np

from ._validate import check_int
from .layers.dense import Dense
from .module import LAYER_REGISTRY, Module, Parameter

_MARKER_KEY = "__regkit__"
_FORMAT = "regkit.Sequential"
_VERSION = 1


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

    def __init__(self, *layers):
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
        return list(self.layers)

    # -- the two passes ----------------------------------------------------
    def forward(self, x):
        """``x`` through every layer in order; returns the last layer's output."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_y, input_grad=True):
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

    def predict(self, x, batch_size=1024):
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
        modes = [(m, m.training) for m in _walk(self)]
        self.eval()
        try:
            outs = [self.forward(x[i:i + batch_size])
                    for i in range(0, max(len(x), 1), batch_size)]
        finally:
            for m, mode in modes:
                m.training = mode
        return outs[0] if len(outs) == 1 else np.concatenate(outs)

    # -- parameters, buffers, penalty -------------------------------------
    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``[("0.W", Parameter), ("0.b", ...), ...]``; a shared Parameter once."""
        out, seen = [], set()
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{i}.{name}", p))
        return out

    def named_buffers(self) -> list[tuple[str, np.ndarray]]:
        """``[("1.running_mean", ndarray), ...]``: state that is not trained."""
        return [(f"{i}.{name}", buf) for i, layer in enumerate(self.layers)
                for name, buf in layer.named_buffers()]

    def penalty(self) -> float:
        """Sum of the layers' penalties (the regularisation part of the loss)."""
        return float(sum(layer.penalty() for layer in self.layers))

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

    def load_state_dict(self, state) -> None:
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
            for name, _ in layer.named_buffers():
                slots[f"{i}.{name}"] = (layer, name)
        return slots

    # -- config, saving -----------------------------------------------------
    def get_config(self) -> dict:
        """``{"layers": [{"class": name, "config": layer.get_config()}, ...]}``."""
        return {"layers": [_layer_spec(layer) for layer in self.layers]}

    def save(self, path) -> None:
        """Write the model to a ``.npz`` archive at exactly ``path``.

        No ``.npz`` is appended (unlike ``np.savez``). An existing file is
        overwritten only when it is itself a regkit model; any other file is
        left alone (``FileExistsError``). Load it back with ``rk.load(path)``.
        """
        path = os.fspath(path)
        if os.path.exists(path) and not _is_regkit_file(path):
            raise FileExistsError(f"save: {path!r} exists and is not a regkit model; "
                                  "refusing to overwrite it")
        header = {"format": _FORMAT, "version": _VERSION, **self.get_config()}
        try:
            text = json.dumps(header, default=_json_default)
        except TypeError as err:
            raise TypeError(f"save: a layer config is not JSON-serialisable ({err})") from None
        arrays = self.state_dict()
        arrays[_MARKER_KEY] = np.array(text)
        # Serialise in memory first: an error cannot leave a half-written file.
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        with open(path, "wb") as f:
            f.write(buffer.getvalue())

    def __repr__(self):
        lines = [f"  ({i}): {_indent(repr(layer))}" for i, layer in enumerate(self.layers)]
        body = "\n".join(lines)
        return (f"Sequential(\n{body}\n)  # {self.num_parameters():,} parameters"
                if lines else "Sequential()")


def load(path) -> Sequential:
    """Rebuild a model written by ``Sequential.save``.

    The file is opened with ``allow_pickle=False``. The model comes back in
    training mode, as a freshly built one (``predict`` switches to eval
    itself).

    Raises:
        ValueError: ``path`` is not a regkit model (not an ``.npz``, no
            regkit marker, pickled content, an unknown format version or
            layer class).
        FileNotFoundError: no file at ``path``.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no file at {path!r}")
    try:
        with _open_npz(path) as npz:
            header = _read_header(npz)
            state = {k: npz[k] for k in npz.files if k != _MARKER_KEY}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        # np.load's own ValueError for pickled content lands here too.
        raise ValueError(f"load: {path!r} is not a regkit model ({err})") from err
    if header.get("version") != _VERSION:
        raise ValueError(f"load: {path!r} has regkit format version "
                         f"{header.get('version')!r}; this regkit reads version {_VERSION}")
    try:
        model = _build(header)
    except (TypeError, AttributeError, KeyError) as err:
        raise ValueError(f"load: cannot rebuild the model in {path!r} ({err})") from err
    model.load_state_dict(state)
    return model


# -- helpers --------------------------------------------------------------

def _walk(module: Module):
    """``module`` and all its descendants."""
    yield module
    for child in module.children():
        yield from _walk(child)


def _slot_value(owner, attr) -> np.ndarray:
    return owner.data if isinstance(owner, Parameter) else np.asarray(getattr(owner, attr))


def _layer_spec(layer: Module) -> dict:
    if isinstance(layer, Sequential):
        return {"class": "Sequential", "config": layer.get_config()}
    config = dict(layer.get_config())
    # A Generator cannot go to JSON, and the loaded weights replace the
    # initialisation anyway; an int seed is kept.
    if "rng" in config and not (config["rng"] is None or isinstance(config["rng"], int)):
        config["rng"] = None
    return {"class": type(layer).__name__, "config": config}


def _json_default(value):
    """JSON for NumPy scalars/arrays and objects with ``get_config`` (regularizers)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "get_config"):
        from .regularizers import regularizer_to_config
        return regularizer_to_config(value)
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON-serialisable")


def _open_npz(path: str):
    # Check the zip signature first: for anything else np.load would guess
    # "pickled data", a confusing reason for a text file.
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise ValueError("not an .npz archive")
    obj = np.load(path, allow_pickle=False)
    if not isinstance(obj, np.lib.npyio.NpzFile):
        raise ValueError("not an .npz archive")
    return obj


def _read_header(npz) -> dict:
    if _MARKER_KEY not in npz.files:
        raise ValueError(f"no {_MARKER_KEY!r} entry")
    raw = npz[_MARKER_KEY]
    if raw.dtype.kind != "U" or raw.ndim != 0:
        raise ValueError(f"the {_MARKER_KEY!r} entry is not a string")
    header = json.loads(str(raw))
    if not isinstance(header, dict) or header.get("format") != _FORMAT:
        raise ValueError("wrong format marker")
    return header


def _build(header: dict) -> Sequential:
    return Sequential(*[_build_layer(spec) for spec in header.get("layers", [])])


def _build_layer(spec: dict) -> Module:
    name, config = spec.get("class"), spec.get("config", {})
    if name == "Sequential":
        return _build(config)
    cls = LAYER_REGISTRY.get(name)
    if cls is None:
        raise ValueError(f"load: unknown layer class {name!r} "
                         "(is the module that defines it imported?)")
    return cls(**config)


def _is_regkit_file(path: str) -> bool:
    try:
        with _open_npz(path) as npz:
            _read_header(npz)
        return True
    except Exception:
        return False


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")
