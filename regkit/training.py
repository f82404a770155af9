"""`fit`: the training loop, with every regulariser of the chapter as an option.

One epoch, in order::

    shuffle the sample indices (once per epoch, seeded)
    for each mini-batch:
        augment the inputs             (optional, training batches only)
        mixup inputs and targets       (optional)
        objective = loss(model(x), y) + model.penalty()
        backward, clip the gradient norm (optional), optimizer step,
        max-norm constraint            (optional)
    measure train and validation loss/accuracy in eval mode on the full sets
    ask the callbacks whether to stop

The measured losses are *data* losses without the penalty and without
dropout, augmentation or mixup, so train and validation are measured the
same way and their gap is the generalisation gap. What the optimizer
actually minimised is kept beside them in ``history.batch_loss``, and the
penalty in ``history.penalty``.
"""
from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

import numpy as np

from ._fit_checks import (check_data, check_model_output, check_optimizer, check_options,
                          run_config)
from ._rng import as_rng
from ._validate import check_int
from .constraints import clip_grad_norm
from .constraints import max_norm as apply_max_norm
from .history import History
from .labels import mixup
from .network import Sequential
from .threads import blas_threads

if TYPE_CHECKING:                  # names for the annotations only (no import cycle)
    from collections.abc import Callable, Sequence

    from .callbacks import Callback
    from .losses import MSE, SoftmaxCrossEntropy
    from .module import Module
    from .optim import Optimizer

    Loss = SoftmaxCrossEntropy | MSE


def fit(model: Module, x: np.ndarray, y: np.ndarray, *, loss: Loss, optimizer: Optimizer,
        epochs: int, batch_size: int = 128,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        callbacks: Sequence[Callback] = (),
        augment: Callable[..., np.ndarray] | None = None,
        mixup_alpha: float = 0.0, clip_norm: float | None = None,
        max_norm: float | None = None, shuffle: bool = True,
        rng: int | np.random.Generator | None = None, progress: bool = True,
        threads: int | None = 1) -> History:
    """Train ``model`` on ``(x, y)`` with mini-batches; return the History.

    The chapter's early-stopping loop (section 6.2) in three lines::

        stop = rk.EarlyStopping(patience=10)
        hist = rk.fit(model, x, y, loss=rk.SoftmaxCrossEntropy(),
                      optimizer=rk.Adam(model.parameters()), epochs=200,
                      validation_data=(x_val, y_val), callbacks=[stop])
        # the model now holds the weights of epoch hist.restored_epoch

    Args:
        model: a ``Sequential`` (anything with forward, backward, penalty,
            parameters, train, predict).
        x: (n, features), or (n, h, w) images (put ``rk.Flatten()`` first).
        y: int labels (n,) for ``SoftmaxCrossEntropy`` (in [0, outputs));
            targets (n,) or (n, outputs) for ``MSE``.
        loss: a data loss, ``rk.SoftmaxCrossEntropy()`` or ``rk.MSE()``.
        optimizer: e.g. ``rk.Adam(model.parameters())``.
        epochs: number of passes over the data, >= 1.
        batch_size: samples per step, >= 1. A last batch of a single sample
            is merged into the previous one (BatchNorm cannot normalise one
            sample).
        validation_data: ``(x_val, y_val)`` or None. Never augmented or mixed.
        callbacks: objects with (some of) ``on_train_begin(model, history)``,
            ``on_epoch_end(epoch, logs, model) -> bool`` (True stops) and
            ``on_train_end(model, history) -> int | None`` (the epoch whose
            weights it restored); see :class:`regkit.Callback`.
        augment: ``f(batch, rng=...) -> batch`` applied to each training
            batch in the shape x has (``rk.augment.shift``, a ``Compose``...).
        mixup_alpha: > 0 mixes each batch with ``rk.mixup`` (classification
            only; the number of classes is the model's output width).
        clip_norm: if set, ``rk.clip_grad_norm(params, clip_norm)`` every step.
        max_norm: if set, ``rk.max_norm(model, max_norm)`` after every step.
        shuffle: draw a new sample order each epoch.
        rng: ``None | int | Generator`` for shuffling, augmentation and mixup
            (Dropout layers use their own ``rng``). Same seeds, same History,
            to the last digit.
        progress: show a tqdm progress bar over epochs (a widget in Jupyter,
            text in a terminal); nothing is shown when tqdm is missing.
        threads: BLAS threads for the matrix products during fit (see
            :func:`regkit.blas_threads`); None leaves the setting alone. One
            thread is the default because the small matrices of this course
            multiply several times faster on one thread than when a second
            has to be woken up for each product (measured 4-20x on 2 cores).
            An MNIST-sized network trains ~10% faster with ``threads=2``
            (benchmark 1 in benchmarks/).

    Returns:
        A :class:`regkit.History`: per epoch ``train_loss``, ``val_loss``,
        ``train_acc``, ``val_acc`` (classification), ``penalty`` and
        ``batch_loss`` (the mean objective of the epoch's steps, penalty
        included); ``stopped_epoch`` when a callback stopped training;
        ``restored_epoch`` when a callback (``EarlyStopping``) put the
        weights of an earlier epoch back, which ``best_epoch`` then is;
        ``config`` with the run's settings (for ``rk.diagnose``).

    Raises:
        ValueError / TypeError: bad arguments, NaN or inf in the data,
            mismatched lengths, labels the model cannot output; the message
            names the argument.
        FloatingPointError: the objective became NaN or infinite (the run
            diverged). Training stops at once; the callbacks' ``on_train_end``
            still runs (so EarlyStopping restores its best weights, recorded
            in ``restored_epoch``), and the exception's ``history`` attribute
            holds the finished epochs, all finite.
        KeyboardInterrupt: you interrupted training (Ctrl-C, or the stop
            button of Jupyter). As for a divergence, the callbacks'
            ``on_train_end`` runs (best weights restored) and the exception's
            ``history`` holds the finished epochs, with ``interrupted`` True.
            In a notebook: ``import sys; h = sys.last_value.history``.

    Differences from Keras' ``model.fit``: Keras' ``loss``/``val_loss`` are
    the running mean over the epoch's batches in training mode with the
    penalty included (regkit's ``batch_loss``), not an eval-mode pass.
    """
    x, y, val, classification = check_data(model, x, y, validation_data, loss)
    check_optimizer(model, optimizer)
    epochs, batch_size, options = check_options(
        epochs=epochs, batch_size=batch_size, augment=augment, mixup_alpha=mixup_alpha,
        clip_norm=clip_norm, max_norm=max_norm, shuffle=shuffle, progress=progress,
        callbacks=callbacks, classification=classification)
    callbacks = options["callbacks"]
    if threads is not None:
        check_int("threads", threads, low=1)
    num_classes = check_model_output(model, x, y, val, classification)
    history = History(run_config(model, x, loss, optimizer, epochs, batch_size, augment,
                                 mixup_alpha, clip_norm, max_norm, callbacks))
    trainer = _Trainer(model, loss, optimizer, augment=augment, mixup_alpha=mixup_alpha,
                       num_classes=num_classes, clip_norm=clip_norm, max_norm=max_norm,
                       gen=as_rng(rng))
    data = (x, y, val, classification)

    _call(callbacks, "on_train_begin", model, history)
    bar = _progress_bar(epochs, progress)
    try:
        with blas_threads(threads):
            for epoch in range(epochs):
                batch_loss = trainer.train_epoch(x, y, batch_size, shuffle, epoch, history)
                logs = trainer.measure(*data)
                logs["batch_loss"] = batch_loss
                _check_finite(logs["train_loss"], epoch, None, history, "training loss")
                history.append(**logs)
                if bar is not None:
                    bar.set_postfix(_postfix(logs), refresh=False)
                    bar.update(1)
                # every callback hears about every epoch, even after one said stop
                stops = [bool(cb.on_epoch_end(epoch, logs, model)) for cb in callbacks
                         if hasattr(cb, "on_epoch_end")]
                if any(stops):
                    history.stopped_epoch = epoch
                    break
    except FloatingPointError:
        _end(callbacks, model, history)     # restore the best weights all the same
        raise
    except KeyboardInterrupt as err:
        # Ctrl-C (the kernel's stop button): keep what was finished. The
        # callbacks end as after a normal run (EarlyStopping restores its best
        # weights), and the finished epochs travel with the exception.
        _end(callbacks, model, history)
        history.interrupted = True
        err.history = history
        raise
    finally:
        if bar is not None:
            bar.close()
    _end(callbacks, model, history)
    return history


class _Trainer:
    """What every step needs, and the two halves of an epoch: train, measure."""

    def __init__(self, model, loss, optimizer, *, augment, mixup_alpha, num_classes,
                 clip_norm, max_norm, gen):
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.augment, self.mixup_alpha, self.num_classes = augment, mixup_alpha, num_classes
        self.clip_norm, self.max_norm, self.gen = clip_norm, max_norm, gen
        self.params = model.parameters()
        # a Sequential can skip the input gradient no parameter needs
        self.backward_kw = {"input_grad": False} if isinstance(model, Sequential) else {}

    def step(self, xb, yb) -> float:
        """One optimisation step on a batch; returns the objective it saw."""
        if self.augment is not None:
            xb = self.augment(xb, rng=self.gen)
        if self.mixup_alpha > 0:
            xb, yb = mixup(xb, yb, self.mixup_alpha, self.num_classes, rng=self.gen)
        self.optimizer.zero_grad()
        scores = self.model.forward(xb)
        objective = self.loss.forward(scores, yb) + self.model.penalty()
        if not math.isfinite(objective):
            return objective                 # the caller stops before stepping
        self.model.backward(self.loss.backward(), **self.backward_kw)
        if self.clip_norm is not None:
            clip_grad_norm(self.params, self.clip_norm)
        self.optimizer.step()
        if self.max_norm is not None:
            apply_max_norm(self.model, self.max_norm)
        return objective

    def train_epoch(self, x, y, batch_size, shuffle, epoch, history) -> float:
        """One pass over (x, y) in training mode; the mean objective per sample."""
        n = len(x)
        # An index array even without shuffling: x[idx] is then always a fresh
        # batch, so an in-place augment cannot touch the caller's x.
        order = self.gen.permutation(n) if shuffle else np.arange(n)
        self.model.train()
        total = 0.0
        for batch_no, (start, stop) in enumerate(_batches(n, batch_size)):
            idx = order[start:stop]
            objective = self.step(x[idx], y[idx])
            _check_finite(objective, epoch, batch_no, history, "objective")
            total += objective * (stop - start)
        return total / n

    def measure(self, x, y, val, classification) -> dict:
        """Eval-mode data loss (and accuracy) on the full sets, and the penalty."""
        logs = {}
        sets = [("train", x, y)] + ([("val", *val)] if val is not None else [])
        for prefix, xs, ys in sets:
            scores = self.model.predict(xs, batch_size=1024)   # eval mode, then restored
            logs[f"{prefix}_loss"] = self.loss.forward(scores, ys)
            if classification:
                labels = ys if ys.ndim == 1 else ys.argmax(axis=1)
                logs[f"{prefix}_acc"] = float(np.mean(scores.argmax(axis=1) == labels))
        logs["penalty"] = self.model.penalty()
        return logs


def _batches(n: int, batch_size: int):
    """(start, stop) of each batch; a trailing batch of one joins the previous."""
    stops = list(range(batch_size, n, batch_size)) + [n]
    if len(stops) > 1 and stops[-1] - stops[-2] == 1:
        del stops[-2]
    return zip([0] + stops[:-1], stops)


def _check_finite(value, epoch, batch_no, history, what) -> None:
    if math.isfinite(value):
        return
    where = f"epoch {epoch}" + ("" if batch_no is None else f", batch {batch_no}")
    err = FloatingPointError(
        f"fit: the {what} became {value} at {where}: training diverged and was "
        "stopped. Try a smaller learning rate, gradient clipping (clip_norm=1.0) "
        "or standardised inputs. The finished epochs are in this error's "
        "`.history`.")
    err.history = history
    raise err


def _call(callbacks, hook, model, history) -> None:
    for cb in callbacks:
        method = getattr(cb, hook, None)
        if method is not None:
            method(model, history)


def _end(callbacks, model, history) -> None:
    """``on_train_end`` of every callback; record the epoch restored last."""
    for cb in callbacks:
        if not hasattr(cb, "on_train_end"):
            continue
        restored = cb.on_train_end(model, history)
        if restored is None:
            continue
        if isinstance(restored, bool) or not isinstance(restored, numbers.Integral):
            raise TypeError(f"{type(cb).__name__}.on_train_end returned {restored!r}; it "
                            "must return the epoch whose weights it restored (an int) or None")
        history.restored_epoch = int(restored)


def _postfix(logs: dict) -> dict:
    short = {"train_loss": "loss", "val_loss": "val_loss", "train_acc": "acc",
             "val_acc": "val_acc"}
    return {name: f"{logs[key]:.4f}" for key, name in short.items() if key in logs}


def _progress_bar(epochs: int, progress: bool):
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:         # tqdm is optional: no bar then
        return None
    return tqdm(total=epochs, desc="fit", unit="epoch", leave=True)
