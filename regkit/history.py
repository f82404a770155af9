"""`History`: what `rk.fit` measured, epoch by epoch.

Every list has one entry per finished epoch; index 0 is the first epoch.
``best_epoch`` and ``stopped_epoch`` are 0-based indices into those lists,
the same convention as Keras' ``EarlyStopping.stopped_epoch``.
"""
from __future__ import annotations

import csv
import math
import os



#: The per-epoch series, in CSV column order.
FIELDS = ("train_loss", "val_loss", "train_acc", "val_acc", "penalty", "batch_loss")


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
        config (dict): what the run used, recorded by ``fit`` so the overfit
            detector can tailor its advice. Keys (all optional to readers):
            ``optimizer`` (class name), ``lr``, ``weight_decay``,
            ``batch_size``, ``epochs`` (asked for), ``n_train``,
            ``images`` (bool: x was ``(n, h, w)``), ``dropout`` (list of the
            Dropout/DropConnect ``p`` values), ``l1``/``l2`` (largest Dense
            regularizer strength, 0.0 when none), ``batchnorm`` (bool),
            ``augment`` (bool), ``mixup_alpha``, ``label_smoothing``,
            ``clip_norm``, ``max_norm``, ``early_stopping`` (patience or
            None), ``n_params``.
    """

    def __init__(self, config: dict | None = None):
        for name in FIELDS:
            setattr(self, name, [])
        self.stopped_epoch: int | None = None
        self.best_epoch_override: int | None = None
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
        """0-based epoch with the lowest validation loss (training loss when
        there was no validation data); an EarlyStopping that restored weights
        sets it to the epoch it restored. None before the first epoch."""
        if self.best_epoch_override is not None:
            return self.best_epoch_override
        series = self.val_loss or self.train_loss
        finite = [(v, i) for i, v in enumerate(series) if math.isfinite(v)]
        return min(finite)[1] if finite else None

    # -- conversion ----------------------------------------------------
    def to_dict(self) -> dict:
        """Plain dict: every series as a list, plus best/stopped epoch and config."""
        out = {name: list(getattr(self, name)) for name in FIELDS}
        out["best_epoch"] = self.best_epoch
        out["stopped_epoch"] = self.stopped_epoch
        out["config"] = dict(self.config)
        return out

    def to_csv(self, path) -> None:
        """Write one row per epoch: ``epoch,train_loss,val_loss,...``.

        Empty series are left out; missing cells are blank. Refuses to
        overwrite an existing file that is not a regkit History CSV.
        """
        path = os.fspath(path)
        if os.path.exists(path) and not _is_history_csv(path):
            raise ValueError(f"to_csv: {path!r} exists and is not a regkit History CSV; "
                             "refusing to overwrite it")
        cols = [f for f in FIELDS if getattr(self, f)]
        with open(path, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["epoch", *cols])
            for i in range(self.epochs):
                row = [i]
                for f in cols:
                    series = getattr(self, f)
                    row.append(repr(series[i]) if i < len(series) else "")
                writer.writerow(row)

    @classmethod
    def from_csv(cls, path) -> "History":
        """Read a CSV written by :meth:`to_csv` (extra columns are ignored)."""
        path = os.fspath(path)
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
        if not rows or "epoch" not in rows[0]:
            raise ValueError(f"from_csv: {path!r} has no 'epoch' column; "
                             f"found {list(rows[0]) if rows else []}")
        hist = cls()
        for row in rows:
            hist.append(**{f: float(row[f]) for f in FIELDS
                           if row.get(f) not in (None, "")})
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
        return ", ".join(parts) + ")"


def _is_history_csv(path: str) -> bool:
    try:
        with open(path, newline="") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError):
        return False
    return bool(header) and header[0] == "epoch" and set(header[1:]) <= set(FIELDS)


