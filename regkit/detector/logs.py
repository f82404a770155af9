"""Read training logs from anywhere into the same per-epoch series.

The overfit detector only needs four curves, one value per epoch:
``train_loss``, ``val_loss``, ``train_acc``, ``val_acc``. Each framework
names and stores them differently; this module hides that.

=====================  ==============================================
source                 what it looks like
=====================  ==============================================
regkit ``History``     lists ``train_loss``, ``val_loss``, ... (and
                       ``History.to_csv`` files: ``epoch,train_loss,...``)
Keras ``History``      ``model.fit(...).history``: ``loss``,
                       ``val_loss``, ``accuracy``/``acc``,
                       ``val_accuracy``/``val_acc`` (also as JSON)
Keras ``CSVLogger``    ``epoch,accuracy,loss,val_accuracy,val_loss``,
                       one row per epoch (0-based), ``NA`` when missing
Lightning CSVLogger    ``metrics.csv``: ``epoch,step,train_loss,...``;
                       training and validation values sit on separate
                       rows with blank cells, several rows per epoch
Hugging Face Trainer   ``trainer_state.json``: ``log_history`` holds
                       training entries (``loss``, ``step``, ``epoch``)
                       and evaluation entries (``eval_loss``, ...) at
                       their own steps; see
                       :func:`_from_trainer_state`
TensorBoard            a folder (or one file) of
                       ``events.out.tfevents.*``: Keras' callback,
                       PyTorch's ``SummaryWriter``, Lightning; see
                       :mod:`regkit.detector.tensorboard`
=====================  ==============================================

A run logged every few steps rather than every epoch (Hugging Face,
TensorBoard) becomes one point per validation: see
:func:`align_on_validation`.

Rows are grouped by the ``epoch`` column when there is one (several values
in one epoch, such as step-level logging, are averaged); otherwise each row
is an epoch. For each series the first name found in :data:`ALIASES` wins
(``train_loss_epoch`` before ``train_loss_step``, which is a fallback
only). A blank cell or ``NA`` means "not logged"; ``nan``/``inf`` are real
values (a diverged run) and are kept. Epochs where any chosen series was not
logged are dropped, so every series has the same length.

The series are float64: they are measurements, not model data.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..history import STATUS, History

if TYPE_CHECKING:
    from .._typing import LogSource

#: Canonical series names, in display order.
SERIES = ("train_loss", "val_loss", "train_acc", "val_acc")

#: Names each framework uses for a canonical series; the first present wins.
ALIASES = {
    "train_loss": ("train_loss", "train_loss_epoch", "loss", "loss_epoch",
                   "training_loss", "train_loss_step"),
    "val_loss": ("val_loss", "val_loss_epoch", "valid_loss", "validation_loss"),
    "train_acc": ("train_acc", "train_acc_epoch", "train_accuracy",
                  "train_accuracy_epoch", "accuracy", "acc", "training_accuracy",
                  "train_acc_step"),
    "val_acc": ("val_acc", "val_acc_epoch", "val_accuracy", "val_accuracy_epoch",
                "valid_acc", "validation_accuracy"),
}

#: Libraries whose conventions the advice can be written in.
FRAMEWORKS = ("regkit", "keras", "pytorch", "lightning", "sklearn")

#: Values of ``load(..., format=)`` / ``regkit diagnose --format``.
FORMATS = ("auto", "csv", "json", "trainer_state", "tensorboard")

#: Cell values that mean "not logged this epoch" (Keras writes ``NA``).
_MISSING = {"", "na", "n/a", "none", "null"}

_NEED = ("train and validation loss (e.g. 'loss' + 'val_loss' or "
         "'train_loss' + 'val_loss'), or train and validation accuracy "
         "(e.g. 'accuracy' + 'val_accuracy' or 'train_acc' + 'val_acc')")


@dataclass
class RunLog:
    """A run's curves plus what the source said about the run.

    Attributes:
        series: canonical name -> float64 array of shape ``(epochs,)``, plus
            ``"epoch"`` (the epoch labels as logged, usually 0, 1, 2, ...).
        config: what the run used (``History.config``; empty when unknown).
        best_epoch: set when the source says which epoch was kept (an
            EarlyStopping that restored weights); else None.
        stopped_epoch: index of the epoch after which training was stopped
            early, or None.
        source: a short description of where the log came from.
        columns: every column/key the source had, for error messages.
        framework: which library most likely wrote the log (one of
            :data:`FRAMEWORKS`), or None when the format does not say.
    """

    series: dict
    config: dict = field(default_factory=dict)
    best_epoch: int | None = None
    stopped_epoch: int | None = None
    source: str = "log"
    columns: list = field(default_factory=list)
    framework: str | None = None

    @property
    def epochs(self) -> int:
        return len(self.series["epoch"])


def read_log(source: LogSource) -> dict[str, np.ndarray]:
    """Read ``source`` into ``{"epoch", "train_loss", "val_loss", ...}`` arrays.

    Args:
        source: a regkit ``History``, an object with a ``.history`` dict
            (Keras' ``History``), a mapping of name -> list of per-epoch
            values, or a path (str or ``os.PathLike``) to a CSV or JSON file.

    Returns:
        dict of float64 arrays of equal length; only the series the source
        has are present (``train_acc``/``val_acc`` are absent for regression).

    Raises:
        ValueError: the source cannot be read or lacks a train/validation
            pair; the message names the source, the columns found and the
            columns needed.
        FileNotFoundError: the path does not exist.
        TypeError: ``source`` is none of the above.
    """
    return load(source).series


def load(source: LogSource, format: str = "auto") -> RunLog:
    """Like :func:`read_log` but keeps the run's config and early-stopping info.

    Args:
        source: as for :func:`read_log`; a path may also be a TensorBoard
            log folder or event file.
        format: for a path, ``"auto"`` (tell from the content) or one of
            ``"csv"``, ``"json"``, ``"trainer_state"``, ``"tensorboard"``
            to insist on one.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if isinstance(source, History):
        return _from_history(source)
    if isinstance(source, (str, os.PathLike)):
        return _from_path(os.fspath(source), format)
    if format != "auto":
        raise ValueError(f"format={format!r} applies to a path; got a "
                         f"{type(source).__name__}")
    if isinstance(source, Mapping):
        return _from_mapping(source, "dict")
    history = getattr(source, "history", None)
    if isinstance(history, Mapping):           # keras.callbacks.History
        return _from_mapping(history, type(source).__name__)
    if hasattr(source, "loss_curve_") or type(source).__name__ in ("MLPClassifier",
                                                                  "MLPRegressor"):
        raise TypeError(f"a scikit-learn {type(source).__name__} keeps only its training "
                        "loss (and with early_stopping a validation score), no pair to "
                        "compare; record the curves with rk.detector.sklearn_curves(model, "
                        "X_train, y_train, X_val, y_val) and diagnose what it returns")
    raise TypeError("source must be a regkit History, a dict of per-epoch lists, a Keras "
                    f"History or a path to a CSV/JSON log, got {type(source).__name__}")


# -- in-memory sources -------------------------------------------------------
def _from_history(h: History) -> RunLog:
    columns = {name: list(getattr(h, name)) for name in SERIES if getattr(h, name)}
    run = _from_columns(columns, "History")
    run.config = dict(h.config)
    run.best_epoch = h.restored_epoch
    run.stopped_epoch = h.stopped_epoch
    run.framework = "regkit"
    return run


def _from_mapping(data: Mapping, where: str) -> RunLog:
    columns = {}
    for key, value in data.items():
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
            continue                            # config, best_epoch, ... are not series
        columns[str(key)] = [_to_float(v, where, key) for v in value]
    run = _from_columns(columns, where, keys=list(map(str, data)))
    config = data.get("config")
    run.config = dict(config) if isinstance(config, Mapping) else {}
    if data.get("framework") in FRAMEWORKS:    # sklearn_curves says who trained it
        run.framework = data["framework"]
    # History.to_dict() writes the epoch early stopping restored as "restored_epoch"
    for key, attr in (("stopped_epoch", "stopped_epoch"), ("restored_epoch", "best_epoch")):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            setattr(run, attr, value)
    return run


# -- files ------------------------------------------------------------------
#: The largest CSV or JSON log read (event files are streamed, record by record).
MAX_TEXT_BYTES = 256 * 1024 * 1024


def _from_path(path: str, format: str = "auto") -> RunLog:
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path!r}: no such file")
    if not (os.path.isfile(path) or os.path.isdir(path)):
        # /dev/zero would be read until memory runs out, a FIFO would wait forever
        raise ValueError(f"{path!r} is not a regular file (a device, a pipe or a socket); "
                         "save the log to a file first")
    if os.path.isfile(path) and os.path.getsize(path) > MAX_TEXT_BYTES and not (
            format == "tensorboard" or _looks_like_tensorboard(path)):
        raise ValueError(f"{path!r} is {os.path.getsize(path) / 2**20:.0f} MiB; a CSV or JSON "
                         f"training log is read up to {MAX_TEXT_BYTES // 2**20} MiB")
    if format == "tensorboard" or (format == "auto" and _looks_like_tensorboard(path)):
        return _from_tensorboard(path)
    if os.path.isdir(path):
        raise ValueError(f"{path!r} is a directory with no TensorBoard event files, not a "
                         "log file (for Lightning's CSVLogger, pass "
                         ".../version_N/metrics.csv)")
    with open(path, "rb") as fh:
        raw = fh.read()
    if not raw:
        raise ValueError(f"{path!r} is empty; expected a training log (CSV, JSON or "
                         "TensorBoard events)")
    if b"\x00" in raw[:8192]:
        raise ValueError(f"{path!r} is a binary file, not a CSV or JSON training log "
                         "(nor a TensorBoard event file)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path!r} is not UTF-8 text, so not a CSV or JSON training log") from None
    if not text.strip():
        raise ValueError(f"{path!r} is empty; expected a CSV or JSON training log")
    if format in ("json", "trainer_state") or (
            format == "auto" and (path.lower().endswith(".json") or text.lstrip()[:1] in "{[")):
        return _from_json(text, path, trainer_state=format == "trainer_state")
    return _from_csv(text, path)


def _looks_like_tensorboard(path: str) -> bool:
    """A folder, an ``events.out.tfevents.*`` name, or a first record whose CRC holds."""
    from . import tensorboard, tfevents
    if os.path.isdir(path):
        return any(tensorboard.is_event_file(f) for _, _, files in os.walk(path)
                   for f in files)
    if tensorboard.is_event_file(path):
        return True
    with open(path, "rb") as fh:
        head = fh.read(12)
    return len(head) == 12 and tfevents.masked_crc(head[:8]) == int.from_bytes(head[8:], "little")


def _from_tensorboard(path: str) -> RunLog:
    from . import tensorboard
    tags, framework = tensorboard.read_scalars(path)
    chosen = tensorboard.choose(tags)
    pairs = [("train_loss", "val_loss"), ("train_acc", "val_acc")]
    if not any(a in chosen and b in chosen for a, b in pairs):
        raise ValueError(f"{path!r}: cannot diagnose this TensorBoard log: found tags "
                         f"{sorted(tags)}; need a training and a validation loss (e.g. "
                         "'Loss/train' + 'Loss/val', 'train_loss' + 'val_loss') or accuracy"
                         + _keras_hint(path))
    points = {name: tags[tag] for name, tag in chosen.items()}
    columns, steps = align_on_validation(points)
    labels = steps
    if "epoch" in tags:                # Lightning logs the epoch as a scalar at each step
        epoch_at = dict(tags["epoch"])
        if all(s in epoch_at for s in steps):
            labels = [epoch_at[s] for s in steps]
    used = ", ".join(f"{name}={chosen[name]!r}" for name in SERIES if name in chosen)
    run = _from_columns(columns, f"{path!r}", keys=sorted(tags), labels=labels)
    run.source = f"TensorBoard {path!r} ({used})"
    run.framework = framework
    return run


def _keras_hint(path: str) -> str:
    name = os.path.basename(os.path.normpath(path)).lower()
    if name in ("train", "validation"):
        return " (for Keras, pass the folder that holds train/ and validation/)"
    return ""


def align_on_validation(points: dict) -> tuple[dict, list]:
    """One point per validation: ``{name: [(step, value), ...]}`` -> columns, steps.

    The validation series (``val_loss``, else ``val_acc``) decides the
    points. At each validation step ``s`` a validation series takes its
    value at ``s`` (None if it has none there) and a training series the mean
    of its values at steps after the previous validation and up to ``s``
    (None if there are none; :func:`_from_columns` then drops the point).
    When training and validation are both logged once per epoch at the same
    steps, this is simply the value at each step.
    """
    anchor = "val_loss" if "val_loss" in points else "val_acc"
    steps = sorted({step for step, _ in points[anchor]})
    columns: dict = {}
    for name, series in points.items():
        if name.startswith("val"):
            at = dict(sorted(series, key=lambda p: p[0]))
            columns[name] = [at.get(s) for s in steps]
            continue
        logged = [(step, v) for step, v in series if v is not None]
        at_step = np.array([step for step, _ in logged], dtype=np.float64)
        values = np.array([v for _, v in logged], dtype=np.float64)
        # window k holds the steps in (steps[k-1], steps[k]]: searchsorted
        # finds k for every step at once (100k steps: milliseconds, not seconds)
        window = np.searchsorted(np.asarray(steps, dtype=np.float64), at_step, side="left")
        inside = window < len(steps)             # logged after the last validation: unused
        count = np.bincount(window[inside], minlength=len(steps))
        total = np.bincount(window[inside], weights=values[inside], minlength=len(steps))
        columns[name] = [float(t / c) if c else None for t, c in zip(total, count)]
    return columns, steps


def _from_json(text: str, path: str, trainer_state: bool = False) -> RunLog:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path!r} is not valid JSON ({err})") from None
    except RecursionError:
        raise ValueError(f"{path!r} is nested too deeply to be a training log") from None
    if isinstance(data, Mapping) and isinstance(data.get("history"), Mapping):
        data = data["history"]                   # {"history": {...}, "params": {...}}
    if trainer_state and not (isinstance(data, Mapping) and "log_history" in data):
        raise ValueError(f"{path!r} is not a Hugging Face trainer_state.json: it has no "
                         "'log_history'")
    if isinstance(data, Mapping) and "log_history" in data:
        return _from_trainer_state(data, repr(path))
    if isinstance(data, list) and data and all(isinstance(r, Mapping) for r in data):
        header = list(dict.fromkeys(k for r in data for k in r))
        rows = [[_cell(r.get(k)) for k in header] for r in data]
        return _from_rows(header, rows, path)     # a list of per-epoch records
    if not isinstance(data, Mapping):
        raise ValueError(f"{path!r}: expected a JSON object of per-epoch lists (or a list "
                         f"of per-epoch records), got a JSON {type(data).__name__}")
    return _from_mapping(data, repr(path))


def _from_trainer_state(state: Mapping, where: str) -> RunLog:
    """A Hugging Face ``Trainer``'s ``trainer_state.json``, one point per evaluation.

    The Trainer logs the training loss every ``logging_steps`` steps and
    evaluates every ``eval_steps`` steps (or each epoch), in separate
    entries of ``log_history``. Validation decides the points: each
    evaluation at step ``s`` is paired with the mean of the training losses
    logged after the previous evaluation and up to ``s``. An evaluation with
    no training loss before it is dropped. The closing summary entry
    (``train_loss`` averaged over the whole run, with ``train_runtime``) is
    not a point. The points' labels are the Trainer's fractional ``epoch``.
    A run that ended before ``max_steps`` (``EarlyStoppingCallback``) is
    marked stopped after its last evaluation.
    """
    log = state.get("log_history")
    if not isinstance(log, list) or not all(isinstance(e, Mapping) for e in log):
        raise ValueError(f"{where}: 'log_history' must be a list of JSON objects, "
                         f"got {type(log).__name__}")
    keys = list(dict.fromkeys(str(k) for e in log for k in e))
    entries = [e for e in log if "train_runtime" not in e]         # not the summary
    evals = sorted((e for e in entries if "eval_loss" in e), key=lambda e: e.get("step", 0))
    trains = [e for e in entries if "loss" in e and "eval_loss" not in e]
    if not evals or not trains:
        raise ValueError(f"{where}: cannot diagnose this Trainer state: its log_history has "
                         f"{len(trains)} training-loss and {len(evals)} evaluation entries "
                         f"(keys {keys or 'none'}); it needs both, so train with an "
                         "evaluation dataset and eval_strategy 'steps' or 'epoch'")
    for e in evals + trains:
        if not isinstance(e.get("step"), (int, float)) or isinstance(e.get("step"), bool):
            raise ValueError(f"{where}: a log_history entry has no numeric 'step': {dict(e)}")
    # The Trainer logs no training accuracy, so the pair is the losses (an
    # eval_accuracy alone has nothing to be compared with).
    points = {"train_loss": [(t["step"], _to_float(t["loss"], where, "loss")) for t in trains],
              "val_loss": [(e["step"], _to_float(e["eval_loss"], where, "eval_loss"))
                           for e in evals]}
    columns, steps = align_on_validation(points)
    if all(v is None for v in columns["train_loss"]):
        raise ValueError(f"{where}: no evaluation comes after a logged training loss "
                         "(lower logging_steps below eval_steps)")
    epoch_at = {e["step"]: float(e.get("epoch", e["step"])) for e in evals}
    labels = [epoch_at[s] for s in steps]
    run = _from_columns(columns, where, keys=keys, labels=labels)
    run.framework = "pytorch"
    max_steps, done = state.get("max_steps"), state.get("global_step")
    if (isinstance(max_steps, int) and isinstance(done, int) and 0 < done < max_steps):
        run.stopped_epoch = run.epochs - 1
    return run


def _cell(value) -> str:
    return "" if value is None else str(value)


def _from_csv(text: str, path: str) -> RunLog:
    first = text.lstrip().splitlines()[0]
    delimiter = max(",;\t", key=first.count)    # Keras' CSVLogger allows any separator
    try:
        table = [row for row in csv.reader(io.StringIO(text.strip()), delimiter=delimiter)
                 if any(cell.strip() for cell in row)]
    except csv.Error as err:                # a cell over the csv module's 128 KB, say
        raise ValueError(f"{path!r} is not a readable CSV log ({err})") from None
    if not table:
        raise ValueError(f"{path!r} has no cells: expected a CSV or JSON training log")
    header = [h.strip() for h in table[0]]
    rows = table[1:]
    if not rows:
        raise ValueError(f"{path!r} has a header {header} but no rows")
    return _from_rows(header, rows, repr(path))


def _from_rows(header: list, rows: list, where: str) -> RunLog:
    """Turn table rows into per-epoch columns, grouping rows by ``epoch``."""
    width = len(header)
    for i, row in enumerate(rows, start=2):
        if len(row) != width:
            raise ValueError(f"{where}: row {i} has {len(row)} cells but the header has "
                             f"{width} {header}")
    marks = {}
    if STATUS in header and "epoch" in header:   # History.to_csv: restored / stopped rows
        j, e = header.index(STATUS), header.index("epoch")
        marks = {word: _parse(row[e], where, "epoch", i) for i, row in enumerate(rows, start=2)
                 for word in row[j].split() if word in ("restored", "stopped")}
        header = header[:j] + header[j + 1:]
        rows = [row[:j] + row[j + 1:] for row in rows]
    values = {name: [_parse(row[j], where, name, i) for i, row in enumerate(rows, start=2)]
              for j, name in enumerate(header)}
    if "epoch" not in values:
        return _from_columns(values, where, keys=header)
    epochs = values.pop("epoch")
    # Lightning's LearningRateMonitor writes rows with a step and an lr but no
    # epoch: they carry no curve, so they are left out. A curve value in a
    # row without an epoch cannot be placed, and is an error.
    known = {name for names in ALIASES.values() for name in names}
    blank = [i for i, e in enumerate(epochs) if e is None]
    carrying = [i for i in blank if any(values[k][i] is not None for k in known & set(values))]
    if carrying:
        raise ValueError(f"{where}: row {carrying[0] + 2} has a blank 'epoch' cell but "
                         "holds a training or validation value")
    if blank:
        keep = [i for i in range(len(epochs)) if epochs[i] is not None]
        epochs = [epochs[i] for i in keep]
        values = {k: [v[i] for i in keep] for k, v in values.items()}
    if not epochs:
        raise ValueError(f"{where}: every row has a blank 'epoch' cell")
    if any(not math.isfinite(e) for e in epochs):
        raise ValueError(f"{where}: the 'epoch' column has non-finite cells")
    restart = next((i for i in range(1, len(epochs)) if epochs[i] < epochs[i - 1]), None)
    if restart is not None:       # CSVLogger(append=True): a second run after the first
        raise ValueError(f"{where} holds more than one run: the epoch goes back from "
                         f"{epochs[restart - 1]:g} to {epochs[restart]:g} at data row "
                         f"{restart + 1} (a Keras CSVLogger(append=True) file, say); "
                         "split it into one file per run")
    labels = sorted(set(epochs))
    index = np.searchsorted(labels, epochs)
    grouped = {}
    for name, column in values.items():
        per_epoch = [[] for _ in labels]
        for k, v in zip(index, column):
            if v is not None:
                per_epoch[k].append(v)
        # one value per epoch normally; step-level rows are averaged
        grouped[name] = [float(np.mean(vs)) if vs else None for vs in per_epoch]
    run = _from_columns(grouped, where, keys=header, labels=labels)
    kept = list(run.series["epoch"])
    for word, attr in (("restored", "best_epoch"), ("stopped", "stopped_epoch")):
        if marks.get(word) in kept:
            setattr(run, attr, kept.index(marks[word]))
    return run


def _parse(cell: str, where: str, column: str, row: int):
    text = cell.strip()
    if text.lower() in _MISSING:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{where}: column {column!r}, row {row}: {cell!r} is not a number") from None


def _to_float(value, where: str, key) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _parse(value, where, str(key), 0)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {key!r} holds {value!r}, which is not a number") from None


# -- the common last step ----------------------------------------------------
def _from_columns(columns: dict, where: str, *, keys=None, labels=None) -> RunLog:
    """Pick the canonical series, align them, drop epochs where one is missing."""
    found = list(keys if keys is not None else columns)
    chosen = {}
    for canon, names in ALIASES.items():
        for name in names:
            column = columns.get(name)
            if column and any(v is not None for v in column):
                chosen[canon] = column
                break
    has_loss = "train_loss" in chosen and "val_loss" in chosen
    has_acc = "train_acc" in chosen and "val_acc" in chosen
    if not (has_loss or has_acc):
        raise ValueError(f"{where}: cannot diagnose this log: found columns "
                         f"{found or 'none'}; need {_NEED}")
    lengths = {name: len(col) for name, col in chosen.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{where}: series have different lengths {lengths}; "
                         "expected one value per epoch in each")
    n = next(iter(lengths.values()))
    kept = np.array([all(col[i] is not None for col in chosen.values()) for i in range(n)],
                    dtype=bool)
    if not kept.any():
        raise ValueError(f"{where}: no epoch has a value in every one of "
                         f"{sorted(chosen)}; found columns {found}")
    series = {name: np.array([v for v, k in zip(col, kept) if k], dtype=np.float64)
              for name, col in chosen.items()}
    for name in ("train_acc", "val_acc"):
        values = series.get(name, np.zeros(0))
        finite = values[np.isfinite(values)]
        if finite.size and (finite.min() < 0.0 or finite.max() > 1.0):
            raise ValueError(f"{where}: {name} has values outside [0, 1] (range "
                             f"{finite.min():g} to {finite.max():g}); regkit expects accuracy "
                             "as a fraction, so divide percentages by 100")
    labels = np.arange(n, dtype=np.float64) if labels is None else np.asarray(labels, float)
    ordered = {"epoch": labels[kept]}
    ordered.update((name, series[name]) for name in SERIES if name in series)
    return RunLog(series=ordered, source=where, columns=found, framework=_guess(found))


def _guess(keys) -> str | None:
    """Which library names its columns this way (the advice's default framework)."""
    keys = set(keys)
    if "step" in keys and "epoch" in keys:
        return "lightning"                      # CSVLogger: epoch, step, train_loss, ...
    if "loss" in keys or "val_accuracy" in keys:
        return "keras"                          # History / CSVLogger: loss, val_loss, ...
    if "train_loss" in keys:
        return "regkit"                         # History.to_csv / to_dict
    return None
