"""`History`: what `rk.fit` measured, epoch by epoch.

Every list has one entry per finished epoch; index 0 is the first epoch.
``best_epoch``, ``restored_epoch`` and ``stopped_epoch`` are 0-based indices
into those lists, the same convention as Keras' ``EarlyStopping.stopped_epoch``.
"""
from __future__ import annotations

import csv
import math
import os
from typing import TYPE_CHECKING

from ._io import atomic_write

if TYPE_CHECKING:
    from ._typing import PathLike

#: The per-epoch series, in CSV column order.
FIELDS = ("train_loss", "val_loss", "train_acc", "val_acc", "penalty", "batch_loss")
#: Curve names of other libraries' logs (Keras' CSVLogger, Lightning's metrics.csv).
_OTHER_LOGS = ("loss", "accuracy", "acc", "val_accuracy", "step", "train_loss_epoch",
               "train_loss_step", "val_loss_epoch", "train_acc_epoch", "train_acc_step")
#: The CSV's last column marks the epoch early stopping restored and the one
#: after which it stopped, so the file round-trips what ``rk.diagnose`` reads.
STATUS = "status"


class History:
    """Per-epoch record of a training run.

    Attributes:
        train_loss, val_loss (list[float]): data loss (no penalty) measured
            in eval mode on the full training / validation set after each
            epoch, so the two are comparable. ``val_loss`` is empty when fit
            had no validation data.
        train_acc, val_acc (list[float]): accuracy in [0, 1] (classification
            only; empty for regression).
        penalty (list[float]): the model's regularisation penalty at the end
            of each epoch.
        batch_loss (list[float]): the mean training-mode objective the
            optimizer saw over the epoch's batches (data loss with dropout
            active, mixup/augmentation applied, plus the penalty).
        stopped_epoch (int | None): index of the epoch after which a callback
            stopped training; None when training ran to the end.
        restored_epoch (int | None): index of the epoch whose weights the
            model holds after ``fit`` because a callback put them back
            (``EarlyStopping(restore_best=True)``); None when the model kept
            the weights of its last epoch. ``fit`` records it from what the
            callbacks' ``on_train_end`` returns.
        interrupted (bool): True when the run was interrupted (Ctrl-C);
            ``fit`` then re-raises the ``KeyboardInterrupt`` with this
            History as its ``history`` attribute.
        best_epoch (int | None, read-only): ``restored_epoch`` when weights
            were restored, else the epoch with the lowest validation loss.
        config (dict): what the run used, recorded by ``fit`` so the overfit
            detector can tailor its advice. Keys (all optional to readers):
            ``optimizer`` (class name), ``lr``, ``weight_decay``,
            ``batch_size``, ``epochs`` (asked for), ``n_train``,
            ``images`` (bool: x was ``(n, h, w)``), ``dropout`` (list of the
            Dropout/DropConnect ``p`` values), ``l1``/``l2`` (largest Dense
            regularizer strength, 0.0 when none), ``batchnorm`` (bool),
            ``augment`` (bool), ``mixup_alpha``, ``label_smoothing``,
            ``clip_norm``, ``max_norm``, ``early_stopping`` (patience or
            None), ``n_params``, ``hidden_layers`` (Dense/DropConnect
            layers before the last one).
    """

    def __init__(self, config: dict | None = None) -> None:
        for name in FIELDS:
            setattr(self, name, [])
        self.stopped_epoch: int | None = None
        self.restored_epoch: int | None = None
        self.interrupted = False
        self.config: dict = dict(config or {})

    # -- recording -----------------------------------------------------
    def append(self, **values) -> None:
        """Add one epoch: ``append(train_loss=0.3, val_loss=0.4, ...)``.

        Keys must be names in ``FIELDS``; a field not given for this epoch is
        left untouched (so regression runs keep empty accuracy lists).
        """
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValueError(f"History.append: unknown field(s) {sorted(unknown)}; "
                             f"known: {list(FIELDS)}")
        for name, value in values.items():
            if value is not None:
                getattr(self, name).append(float(value))

    @property
    def epochs(self) -> int:
        """Number of finished epochs."""
        return max((len(getattr(self, f)) for f in FIELDS), default=0)

    @property
    def best_epoch(self) -> int | None:
        """The epoch whose weights the model holds when they were restored
        (``restored_epoch``), else the 0-based epoch with the lowest
        validation loss (training loss when there was no validation data).
        None before the first epoch."""
        if self.restored_epoch is not None:
            return self.restored_epoch
        series = self.val_loss or self.train_loss
        finite = [(v, i) for i, v in enumerate(series) if math.isfinite(v)]
        return min(finite)[1] if finite else None


    # -- conversion ----------------------------------------------------
    def to_dict(self) -> dict:
        """Plain dict: every series as a list, the best, restored and stopped
        epochs, and the config."""
        out = {name: list(getattr(self, name)) for name in FIELDS}
        out["best_epoch"] = self.best_epoch
        out["restored_epoch"] = self.restored_epoch
        out["stopped_epoch"] = self.stopped_epoch
        out["config"] = dict(self.config)
        return out

    def to_csv(self, path: PathLike, *, overwrite: bool = False) -> None:
        """Write one row per epoch: ``epoch,train_loss,val_loss,...``.

        Empty series are left out; a series shorter than the others ends in
        blank cells. Every number is written in full (``repr``), so
        :meth:`from_csv` gets back exactly the same floats. When training
        was stopped early or weights were restored, a last column
        ``status`` says ``restored`` and/or ``stopped`` on those epochs'
        rows (blank elsewhere). ``config`` is not in the CSV (keep it with
        ``json.dump(history.to_dict(), ...)``).

        The file is written atomically (see :func:`regkit._io.atomic_write`).
        An existing regkit History CSV at ``path`` is replaced; any other
        file only with ``overwrite=True`` (``FileExistsError`` otherwise).
        """
        cols = [f for f in FIELDS if getattr(self, f)]
        marks = {}
        for label, epoch in (("restored", self.restored_epoch), ("stopped", self.stopped_epoch)):
            if epoch is not None:
                marks[epoch] = (marks.get(epoch, "") + " " + label).strip()

        def write(tmp):
            with open(tmp, "w", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["epoch", *cols] + ([STATUS] if marks else []))
                for i in range(self.epochs):
                    row = [i]
                    for f in cols:
                        series = getattr(self, f)
                        row.append(repr(series[i]) if i < len(series) else "")
                    writer.writerow(row + ([marks.get(i, "")] if marks else []))

        atomic_write(path, write, overwrite=overwrite, who="to_csv",
                     own_kind=("a regkit History CSV", _is_history_csv),
                     allow="pass overwrite=True")

    @classmethod
    def from_csv(cls, path: PathLike) -> History:
        """Read a CSV written by :meth:`to_csv` (columns it does not know are ignored).

        Raises:
            ValueError: the file is not such a CSV; the message names the
                path, and the row and column at fault.
        """
        path = os.fspath(path)
        try:
            with open(path, newline="") as fh:
                table = list(csv.reader(fh))
        except UnicodeDecodeError:
            raise ValueError(f"from_csv: {path!r} is not a text file") from None
        if not table or table[0][:1] != ["epoch"]:
            raise ValueError(f"from_csv: {path!r} does not start with an 'epoch' column, so "
                             f"it was not written by History.to_csv; its header is "
                             f"{table[0] if table else 'missing (empty file)'}")
        header = table[0]
        # Keras and Lightning name their curves otherwise; read as a History,
        # their file would lose its training series without a word
        foreign = [name for name in header if name in _OTHER_LOGS]
        if foreign:
            raise ValueError(f"from_csv: {path!r} has the columns {foreign}, which History.to_csv "
                             "never writes: it looks like a Keras or Lightning log. Read it "
                             "with rk.read_log(path), or diagnose it with rk.diagnose(path)")
        columns = {j: name for j, name in enumerate(header) if name in FIELDS}
        if not columns:
            raise ValueError(f"from_csv: {path!r} has none of the History columns "
                             f"{', '.join(FIELDS)}; its header is {header}")
        hist = cls()
        status = header.index(STATUS) if STATUS in header else None
        epoch = 0
        for line, row in enumerate(table[1:], start=2):     # as an editor numbers lines
            if not row:
                continue                                     # a blank line
            where = f"from_csv: {path!r}, line {line}"
            if len(row) != len(header):
                raise ValueError(f"{where} has {len(row)} cells but the header has "
                                 f"{len(header)} ({','.join(header)})")
            if row[0] != str(epoch):
                raise ValueError(f"{where}: epoch {row[0]!r}, expected {epoch} "
                                 "(to_csv numbers the epochs 0, 1, 2, ...)")
            if status is not None:
                for word in row[status].split():
                    if word not in ("restored", "stopped"):
                        raise ValueError(f"{where}: column 'status' holds {row[status]!r}; "
                                         "expected 'restored', 'stopped' or blank")
                    setattr(hist, f"{word}_epoch", epoch)
            values = {}
            for j, name in columns.items():
                if row[j] == "":
                    continue
                if len(getattr(hist, name)) < epoch:
                    raise ValueError(f"{where}: column {name!r} has a value after a blank "
                                     "cell; a series can only end early, not skip epochs")
                try:
                    values[name] = float(row[j])
                except ValueError:
                    raise ValueError(f"{where}: column {name!r} holds {row[j]!r}, which is "
                                     "not a number") from None
            hist.append(**values)
            epoch += 1
        return hist

    # -- display -------------------------------------------------------
    def __len__(self):
        return self.epochs

    def __repr__(self):
        n = self.epochs
        if n == 0:
            return "History(0 epochs)"
        parts = [f"History({n} epochs"]
        for f in ("train_loss", "val_loss", "train_acc", "val_acc"):
            series = getattr(self, f)
            if series:
                parts.append(f"{f}={series[-1]:.4g}")
        best = self.best_epoch
        if best is not None:
            parts.append(f"best_epoch={best}")
        if self.stopped_epoch is not None:
            parts.append(f"stopped_epoch={self.stopped_epoch}")
        if self.interrupted:
            parts.append("interrupted")
        return ", ".join(parts) + ")"


def _is_history_csv(path: str) -> bool:
    try:
        with open(path, newline="") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError):
        return False
    return bool(header) and header[0] == "epoch" and set(header[1:]) <= {*FIELDS, STATUS}


