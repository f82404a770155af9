"""The model file: ``Sequential.save(path)`` writes it, ``rk.load(path)`` reads it back.

A saved model is a plain ``.npz`` archive, readable with
``np.load(path, allow_pickle=False)`` (no pickle, so loading a file never
runs code):

* one array per parameter and buffer, under its ``state_dict`` key
  (``"0.W"``, ``"0.b"``, ``"1.running_mean"``, ...);
* ``"__regkit__"``: a JSON string (a NumPy unicode array) with a format
  marker, a version and the architecture, one
  ``{"class": "Dense", "config": {...}}`` per layer, the ``config`` being
  the layer's ``get_config()`` (a nested Sequential's config holds its own
  list of layers).

``rk.load`` rebuilds every layer as ``cls.from_config(config)``, where
``cls`` is the class registered under the name in the file, and loads the
arrays, so every hyper-parameter (Dropout ``p``, regularizers, BatchNorm
momentum/eps) and every statistic comes back.

**The registry.** Only classes registered with :func:`register_layer` can be
written or read. regkit's own layers register themselves where they are
defined (``@register_layer`` above each class), so the names in a file
always mean regkit's classes: a learner's own ``class Dropout(rk.Module)``
in a notebook neither replaces regkit's ``Dropout`` when loading nor stops
it from loading. To save a model with a layer of your own, register the
class (under a name no other class holds)::

    @rk.register_layer
    class Scale(rk.Module):
        ...

and its ``get_config()`` must give the keyword arguments that rebuild it.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from typing import TYPE_CHECKING, cast

import numpy as np

from ._io import atomic_write, check_writable
from .module import Module
from .regularizers import regularizer_to_config

if TYPE_CHECKING:
    from ._typing import PathLike
    from .network import Sequential

_MARKER_KEY = "__regkit__"
_FORMAT = "regkit.Sequential"
_VERSION = 1

#: the name written in a file -> the class ``rk.load`` builds for it
_LAYERS: dict[str, type] = {}
#: the other way round: a registered class -> its name in files
_NAMES: dict[type, str] = {}


def register_layer(cls: type, name: str | None = None) -> type:
    """Let ``Sequential.save`` write, and ``rk.load`` rebuild, layers of class ``cls``.

    Usable as a decorator (``@rk.register_layer`` above the class). The file
    names the class ``name`` (default ``cls.__name__``); rebuilding calls
    ``cls.from_config(layer.get_config())``, which is ``cls(**config)``
    unless the class says otherwise.

    Args:
        cls: a subclass of ``rk.Module``.
        name: the name in files. It must not be held by another class:
            ``register_layer(MyDropout)`` of a class named ``Dropout`` needs
            ``name="MyDropout"``, because ``"Dropout"`` means regkit's.
            Registering a class again (a notebook cell run twice defines it
            anew) replaces the earlier definition.

    Returns:
        ``cls`` itself.

    Raises:
        TypeError: ``cls`` is not a Module subclass, or ``name`` not a string.
        ValueError: ``name`` is empty or held by another class.
    """
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"register_layer: cls must be a subclass of rk.Module, got {cls!r}")
    name = cls.__name__ if name is None else name
    if not isinstance(name, str):
        raise TypeError(f"register_layer: name must be a string, got {name!r}")
    if not name:
        raise ValueError("register_layer: name must not be empty")
    held = _LAYERS.get(name)
    if held is not None and held is not cls:
        if not _same_definition(held, cls):
            raise ValueError(f"register_layer: the name {name!r} already means "
                             f"{_qualified(held)}; register {_qualified(cls)} under a "
                             f"name of its own, e.g. register_layer({cls.__name__}, "
                             f"name='My{cls.__name__}')")
        del _NAMES[held]                       # the same class defined anew
    if cls in _NAMES:                          # one name per class
        del _LAYERS[_NAMES[cls]]
    _LAYERS[name] = cls
    _NAMES[cls] = name
    return cls


def registered_layers() -> dict[str, type]:
    """``{name in files: class}`` of every layer ``rk.load`` can rebuild (a copy)."""
    return dict(_LAYERS)


def layer_spec(layer: Module) -> dict:
    """``{"class": registered name, "config": layer.get_config()}``: one layer in a file.

    Raises:
        TypeError: the layer's class is not registered.
    """
    cls = type(layer)
    name = _NAMES.get(cls)
    if name is None:
        short = cls.__name__
        how = (f"rk.register_layer({short}, name='My{short}') (the name {short!r} "
               f"means {_qualified(_LAYERS[short])})" if short in _LAYERS
               else f"rk.register_layer({short})")
        raise TypeError(f"{_qualified(cls)} is not a registered layer, so a file cannot "
                        f"name it; register it first: {how}")
    return {"class": name, "config": layer.get_config()}


def layer_from_spec(spec: dict) -> Module:
    """The layer that :func:`layer_spec` described, with fresh weights."""
    name, config = spec.get("class"), spec.get("config", {})
    cls = _LAYERS.get(name)
    if cls is None:
        raise ValueError(f"load: unknown layer class {name!r}; the registered layers are "
                         f"{', '.join(sorted(_LAYERS))} (a layer of your own must be "
                         "registered with rk.register_layer before rk.load)")
    return cls.from_config(config)


def save(model: Sequential, path: PathLike) -> None:
    """Write ``model`` (a Sequential) to a ``.npz`` archive at exactly ``path``.

    No ``.npz`` is appended (unlike ``np.savez``). The write is atomic
    (:func:`regkit._io.atomic_write`: an interrupted save leaves the old
    file or the new one, never half of one). An existing file is replaced
    only when it is itself a regkit model; any other file is left alone
    (``FileExistsError``). ``Sequential.save`` and ``ModelCheckpoint`` call this.
    """
    path = check_writable(os.fspath(path), overwrite=False, who="save",
                          own_kind=("a regkit model", _is_regkit_file))
    try:
        config = model.get_config()
    except TypeError as err:
        raise TypeError(f"save: {err}") from None
    header = {"format": _FORMAT, "version": _VERSION, **config}
    try:
        text = json.dumps(header, default=_json_default)
    except TypeError as err:
        raise TypeError(f"save: a layer config is not JSON-serialisable ({err})") from None
    arrays = model.state_dict()
    arrays[_MARKER_KEY] = np.array(text)
    # Serialise in memory first, so a config error raises before any file
    # exists; then write the bytes (np.savez on a path would append ".npz").
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)

    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(buffer.getvalue())

    atomic_write(path, write, overwrite=False, who="save",
                 own_kind=("a regkit model", _is_regkit_file))


def load(path: PathLike) -> Sequential:
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
        shapes = _stored_shapes(path)           # read from the headers, nothing allocated
        with _open_npz(path) as npz:
            header = _read_header(npz)
            _check_declared_sizes(header, shapes)
            state = {k: npz[k] for k in npz.files if k != _MARKER_KEY}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, RecursionError) as err:
        # np.load's own ValueError for pickled content lands here too.
        raise ValueError(f"load: {path!r} is not a regkit model ({err})") from err
    if header.get("version") != _VERSION:
        raise ValueError(f"load: {path!r} has regkit format version "
                         f"{header.get('version')!r}; this regkit reads version {_VERSION}")
    try:
        model = layer_from_spec({"class": "Sequential",
                                 "config": {"layers": header.get("layers", [])}})
    except (TypeError, AttributeError, KeyError) as err:
        raise ValueError(f"load: cannot rebuild the model in {path!r} ({err})") from err
    model.load_state_dict(state)
    return cast("Sequential", model)   # the spec above is a Sequential's


# -- helpers --------------------------------------------------------------

def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _same_definition(a: type, b: type) -> bool:
    """Two class objects from the same source (a cell or module run again)."""
    return _qualified(a) == _qualified(b)


def _json_default(value):
    """JSON for NumPy scalars/arrays and objects with ``get_config`` (regularizers)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "get_config"):
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


def _stored_shapes(path: str) -> dict:
    """``{key: shape}`` of every array in the archive, from the .npy headers alone.

    np.load allocates what an array's header declares before reading its
    data, so a 2 KB file claiming a (60000, 60000) array would cost 13 GiB.
    ``save`` stores the arrays uncompressed, so no array of a regkit model
    can hold more bytes than the whole file: a header that says otherwise
    is refused before anything is read.
    """
    size = os.path.getsize(path)
    shapes = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                        else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read(member)
            nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
            if nbytes > size:
                raise ValueError(f"its entry {info.filename!r} declares shape {shape} "
                                 f"({nbytes / 2**30:.3g} GiB) in a file of {size} bytes")
            shapes[info.filename[:-4]] = tuple(shape)
    return shapes


def _check_declared_sizes(header: dict, shapes: dict) -> None:
    """Each layer the header declares must find its weights in the file, at their shape.

    Checked before any layer is built: building ``Dense(60000, 60000)`` from a
    forged header would allocate its weights first.
    """
    layers = header.get("layers", [])
    if not isinstance(layers, list):
        raise ValueError("the header's 'layers' is not a list")
    for i, spec in enumerate(layers):
        config = spec.get("config", {}) if isinstance(spec, dict) else {}
        if not isinstance(config, dict):
            continue
        if "in_features" in config and "out_features" in config:
            want = (config["in_features"], config["out_features"])
            got = shapes.get(f"{i}.W")
            if got != want:
                raise ValueError(f"layer {i} declares weights of shape {want} but the file "
                                 f"holds {got if got is not None else 'none'}")


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


def _is_regkit_file(path: str) -> bool:
    """Whether ``path`` is a file ``rk.load`` would recognise as a regkit model."""
    try:
        with _open_npz(path) as npz:
            _read_header(npz)
        return True
    except Exception:
        return False
