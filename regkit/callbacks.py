"""Callbacks: code that `rk.fit` runs at fixed points of training.

The protocol is three methods, all optional (a missing one is skipped)::

    on_train_begin(model, history)                  once, before the first epoch
    on_epoch_end(epoch, logs, model) -> bool        after every epoch; True stops
    on_train_end(model, history) -> int | None      once, after the last epoch

``epoch`` is 0-based. ``logs`` is a dict of what fit measured this epoch,
with the names of :data:`regkit.history.FIELDS`: ``train_loss``,
``val_loss``, ``train_acc``, ``val_acc``, ``penalty``, ``batch_loss`` (only
the ones that exist: no ``val_*`` without validation data, no ``*_acc`` for
regression). ``on_train_end`` returns the epoch whose weights it loaded
back into the model (None, or nothing, when it loaded none); ``fit``
records the stopping epoch and that epoch in the History
(``stopped_epoch``, ``restored_epoch``), so a callback never writes to it.

Differences from Keras: the model is passed in (there is no
``self.model``), ``on_epoch_end`` *returns* whether to stop instead of
setting ``model.stop_training``, and ``on_train_end`` returns what it
restored. Keras' metric names are accepted as
``monitor`` aliases: ``loss`` -> ``train_loss``, ``accuracy``/``acc`` ->
``train_acc``, ``val_accuracy`` -> ``val_acc``.
"""
from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

from ._io import check_writable
from ._validate import check_int, check_nonnegative, check_real
from .saving import _is_regkit_file

if TYPE_CHECKING:
    from .history import History
    from .module import Module
    from ._typing import PathLike

#: Keras names -> regkit names, so ``monitor="val_accuracy"`` just works.
_ALIASES = {"loss": "train_loss", "accuracy": "train_acc", "acc": "train_acc",
            "val_accuracy": "val_acc"}


class Callback:
    """Base class with do-nothing hooks; override the ones you need.

    Example: stop as soon as validation accuracy reaches a target::

        class StopAt(rk.Callback):
            def __init__(self, target):
                self.target = target

            def on_epoch_end(self, epoch, logs, model):
                return logs.get("val_acc", 0.0) >= self.target

        rk.fit(model, x, y, ..., validation_data=(xv, yv),
               callbacks=[StopAt(0.95)])

    Any object with some of these methods works too; inheriting only saves
    writing the ones you do not need.
    """

    #: attribute names shown by repr (subclasses list their settings)
    _shown: tuple[str, ...] = ()

    def on_train_begin(self, model: Module, history: History) -> None:
        """Called once before the first epoch (reset your state here)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float], model: Module) -> bool:
        """Called after each epoch; return True to stop training."""
        return False

    def on_train_end(self, model: Module, history: History) -> int | None:
        """Called once after the last epoch (also after an early stop).

        Return the 0-based epoch whose weights you loaded into the model,
        or None when you loaded none.
        """
        return None

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._shown)
        return f"{type(self).__name__}({args})"


# -- monitoring a logged value -------------------------------------------------
def _resolve(monitor: str, mode: str, who: str) -> tuple[str, str]:
    """Return (key in logs, "min" or "max") for a monitor name and mode."""
    if not isinstance(monitor, str):
        raise TypeError(f"{who}: monitor must be a str, got {monitor!r}")
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    key = _ALIASES.get(monitor, monitor)
    if mode == "auto":
        # Keras 2's rule: accuracies go up, everything else (losses) down.
        mode = "max" if "acc" in key else "min"
    return key, mode


def _improves(value: float, reference: float, direction: str, min_delta: float = 0.0) -> bool:
    """Strictly better than ``reference`` by more than ``min_delta``."""
    if direction == "min":
        return value + min_delta < reference
    return value - min_delta > reference


def _read(logs: dict, key: str, who: str, monitor: str) -> float:
    """The monitored value, or a ValueError that lists what is available."""
    if key not in logs:
        hint = (" (no validation data was given to fit: pass validation_data="
                " or monitor='train_loss')" if key.startswith("val_") else "")
        raise ValueError(f"{who}: monitor={monitor!r} is not among the logged "
                         f"values {sorted(logs)}{hint}")
    return float(logs[key])


class EarlyStopping(Callback):
    """Stop when the monitored value has not improved for ``patience`` epochs.

    The same rules as Keras' ``EarlyStopping`` (keras/src/callbacks/
    early_stopping.py). An epoch *improves* when, for ``mode="min"``,

        value + min_delta < best        (for "max": value - min_delta > best)

    so ``min_delta`` is an absolute amount and the comparison is strict: a
    tie is not an improvement. ``wait`` counts the epochs since the last
    improvement; when it reaches ``patience`` (and the epoch is not the
    first), training stops. With a ``baseline``, an epoch that improves on
    the best but not on the baseline is remembered as best but does not
    reset ``wait``: a run that never beats the baseline stops after
    ``patience`` epochs. Epochs before ``start_from_epoch`` are ignored
    (a warm-up). With ``restore_best`` the model gets the weights of the best
    epoch back at the end of training, whether it stopped early or ran to
    the last epoch (Keras' ``restore_best_weights``, whose default is False;
    regkit's is True because that is what early stopping is for).

    Args:
        monitor: name in the logs ("val_loss", "val_acc", "train_loss", ...;
            Keras' "loss", "val_accuracy" are accepted).
        mode: "min", "max" or "auto" (max for names containing "acc").
        patience: epochs without improvement before stopping (>= 0).
        min_delta: smallest change that counts as an improvement (>= 0).
        restore_best: put back the best epoch's weights at the end.
        start_from_epoch: number of warm-up epochs not monitored.
        baseline: a value the monitored quantity must beat, or None.

    Attributes (reset by ``on_train_begin``, so one object can serve many
    fits): ``wait``, ``best``, ``best_epoch``, ``stopped_epoch`` (0-based;
    None when training ran to the end), ``best_weights`` (a state_dict).
    ``on_train_end`` returns the epoch it restored, and ``fit`` records it
    as ``history.restored_epoch`` (which ``history.best_epoch`` then is),
    beside ``history.stopped_epoch``.
    """

    _shown = ("monitor", "mode", "patience", "min_delta", "restore_best",
              "start_from_epoch", "baseline")

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", patience: int = 10,
                 min_delta: float = 0.0, restore_best: bool = True, start_from_epoch: int = 0,
                 baseline: float | None = None) -> None:
        self._key, self._direction = _resolve(monitor, mode, "EarlyStopping")
        self.monitor = monitor
        self.mode = mode
        self.patience = check_int("patience", patience, low=0)
        self.min_delta = check_nonnegative("min_delta", min_delta)
        self.restore_best = bool(restore_best)
        self.start_from_epoch = check_int("start_from_epoch", start_from_epoch, low=0)
        self.baseline = None if baseline is None else check_real("baseline", baseline)
        self.on_train_begin(None, None)

    def _improves(self, value: float, reference: float) -> bool:
        return _improves(value, reference, self._direction, self.min_delta)

    def on_train_begin(self, model: Module, history: History) -> None:
        self.wait = 0
        self.best = math.inf if self._direction == "min" else -math.inf
        self.best_epoch = None
        self.stopped_epoch = None
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float], model: Module) -> bool:
        value = _read(logs, self._key, "EarlyStopping", self.monitor)
        if epoch < self.start_from_epoch:
            return False
        if self.best_weights is None and self.restore_best:
            # Until something improves, the first monitored epoch is the best
            # we have (Keras does the same: a NaN first value still restores).
            self.best_weights = model.state_dict()
            self.best_epoch = epoch
        self.wait += 1
        if self._improves(value, self.best):
            self.best = value
            self.best_epoch = epoch
            if self.restore_best:
                self.best_weights = model.state_dict()
            if self.baseline is None or self._improves(value, self.baseline):
                self.wait = 0
            return False
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model: Module, history: History) -> int | None:
        if self.restore_best and self.best_weights is not None:
            model.load_state_dict(self.best_weights)
            return self.best_epoch
        return None


class ModelCheckpoint(Callback):
    """Save the model to ``path`` whenever the monitored value improves.

    The file is written atomically (``model.save`` does it): the model is saved to a temporary file
    next to ``path``, which then replaces ``path`` in one ``os.replace``. An
    interrupted or failed save therefore leaves either the previous
    checkpoint or nothing, never half a file. A file already at ``path``
    that is not a regkit model is never overwritten: ``FileExistsError``,
    checked before training starts (see :mod:`regkit._io`). Load the result
    with ``rk.load(path)``.

    Args:
        path: where the ``.npz`` goes (exactly this path).
        monitor, mode: as in :class:`EarlyStopping`. An epoch improves when it
            is strictly better than the best so far.
        save_best_only: if False, save after every epoch.

    Attributes: ``best``, ``best_epoch`` (0-based; None before any save),
    ``saved_epochs`` (list of the epochs written), reset at each fit.
    """

    _shown = ("path", "monitor", "mode", "save_best_only")

    def __init__(self, path: PathLike, monitor: str = "val_loss", mode: str = "auto",
                 save_best_only: bool = True) -> None:
        self.path = os.fspath(path)
        self._key, self._direction = _resolve(monitor, mode, "ModelCheckpoint")
        self.monitor = monitor
        self.mode = mode
        self.save_best_only = bool(save_best_only)
        self._reset()

    def _reset(self):
        self.best = math.inf if self._direction == "min" else -math.inf
        self.best_epoch = None
        self.saved_epochs = []

    def on_train_begin(self, model: Module, history: History) -> None:
        self._reset()
        # a checkpoint replaces its own kind of file, a regkit model, and nothing else
        check_writable(self.path, overwrite=False, who="ModelCheckpoint",
                       own_kind=("a regkit model", _is_regkit_file))

    def on_epoch_end(self, epoch: int, logs: dict[str, float], model: Module) -> bool:
        value = _read(logs, self._key, "ModelCheckpoint", self.monitor)
        better = _improves(value, self.best, self._direction)
        if better:
            self.best, self.best_epoch = value, epoch
        if better or not self.save_best_only:
            model.save(self.path)          # atomic (regkit._io), own kind only
            self.saved_epochs.append(epoch)
        return False
