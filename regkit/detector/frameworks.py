"""Each prescription as code in the user's framework, strengths in its convention.

The detector reasons in regkit's terms: an L2 strength is regkit's ``λ``,
the penalty ``λ/2 · Σw²`` added to the mean loss of a batch (gradient
``λ·w``). Other libraries write the same penalty with other numbers:

==============  =========================================  =====================
framework       the knob                                   value for regkit's λ
==============  =========================================  =====================
regkit          ``rk.L2(lam)``: ``lam/2 · Σw²``             ``λ``
Keras           ``regularizers.L2(l2)``: ``l2 · Σw²``       ``λ / 2``
PyTorch         ``SGD``/``Adam(weight_decay=wd)``: adds      ``λ``
                ``wd·w`` to the gradient
Lightning       as PyTorch, in ``configure_optimizers``     ``λ``
scikit-learn    ``MLPClassifier(alpha=a)``:                 ``λ · batch_size``
                ``a/2 · Σw² / batch_size`` per batch
==============  =========================================  =====================

:func:`l2_in` is the one place these conversions live; the tests check each
against the library itself where it is installed (PyTorch and scikit-learn in
CI). PyTorch's ``AdamW`` decays weights apart from the gradient
(``w -= lr·wd·w``), which no single λ matches under Adam's scaling, so
the advice names Adam's coupled ``weight_decay`` and says so.

Dropout's ``p`` is the probability of dropping a unit in regkit, Keras
(``rate``) and PyTorch alike; gradient clipping by the global norm is
regkit's ``clip_norm``, Keras' ``global_clipnorm`` (its ``clipnorm`` clips
each weight tensor on its own), PyTorch's ``clip_grad_norm_`` and
Lightning's ``gradient_clip_val``. scikit-learn's MLP has neither dropout,
batch norm nor clipping; its advice says so instead of inventing code.
"""
from __future__ import annotations

from .logs import FRAMEWORKS

#: scikit-learn's MLP batch size when ``batch_size="auto"``: min(200, n_samples).
SKLEARN_BATCH = 200


def check_framework(framework) -> str:
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {', '.join(FRAMEWORKS)}, "
                         f"got {framework!r}")
    return framework


def l2_in(framework: str, lam: float, batch_size: int | None = None) -> float:
    """regkit's L2 strength ``lam`` as ``framework``'s number for the same penalty.

    Args:
        framework: one of :data:`regkit.detector.logs.FRAMEWORKS`.
        lam: regkit's λ (``rk.L2(lam)``).
        batch_size: scikit-learn only: the mini-batch size (default 200,
            scikit-learn's ``"auto"`` for training sets of 200 or more).
    """
    check_framework(framework)
    if framework == "keras":
        return lam / 2
    if framework == "sklearn":
        return lam * (batch_size or SKLEARN_BATCH)
    return lam                                   # regkit, PyTorch's coupled weight_decay


def num(x: float) -> str:
    """``1e-3`` rather than ``0.001`` for round strengths, else ``:g``."""
    mantissa, exponent = f"{x:.0e}".split("e")
    if x > 0 and float(f"{mantissa}e{exponent}") == x and int(exponent) <= -2:
        return f"{mantissa}e{int(exponent)}"
    return f"{x:g}"


class Advice:
    """The code snippets of the advice, written for one framework."""

    def __init__(self, framework: str = "regkit", batch_size: int | None = None) -> None:
        self.framework = check_framework(framework)
        self.batch_size = batch_size

    # -- L2 ------------------------------------------------------------------
    @property
    def l2_name(self) -> str:
        return {"regkit": "λ", "keras": "l2", "pytorch": "weight_decay",
                "lightning": "weight_decay", "sklearn": "alpha"}[self.framework]

    def l2_value(self, lam: float) -> str:
        return num(l2_in(self.framework, lam, self.batch_size))

    def l2_setting(self, lam: float) -> str:
        """``λ = 1e-3`` / ``l2 = 5e-4`` / ``weight_decay = 1e-3`` / ``alpha = 0.2``."""
        return f"{self.l2_name} = {self.l2_value(lam)}"

    def l2_code(self, lam: float) -> str:
        v = self.l2_value(lam)
        same = "" if self.framework == "regkit" else f"; the penalty regkit writes λ = {num(lam)}"
        return {
            "regkit": f"rk.Dense(..., regularizer=rk.L2({v}))",
            "keras": f"Dense(..., kernel_regularizer=keras.regularizers.L2({v})){same}",
            "pytorch": f"torch.optim.Adam(model.parameters(), lr=..., weight_decay={v}), "
                       f"or SGD(..., weight_decay={v}){same}; AdamW's decoupled "
                       "weight_decay is another knob, usually 1e-2 to 1e-1",
            "lightning": f"in configure_optimizers, torch.optim.Adam(self.parameters(), "
                         f"lr=..., weight_decay={v}){same}",
            "sklearn": f"MLPClassifier(alpha={v}){same}; alpha is divided by the batch size, "
                       f"so this holds at batch_size={self.batch_size or SKLEARN_BATCH}",
        }[self.framework]

    # -- layers and callbacks ----------------------------------------------------
    @property
    def dense(self) -> str:
        """The fully connected layer's name."""
        return "Linear" if self.framework in ("pytorch", "lightning") else "Dense"

    def batchnorm(self) -> str | None:
        return {"regkit": "rk.BatchNorm(width)",
                "keras": "keras.layers.BatchNormalization()",
                "pytorch": "nn.BatchNorm1d(width)", "lightning": "nn.BatchNorm1d(width)",
                "sklearn": None}[self.framework]

    def dropout(self, p: float) -> str | None:
        return {"regkit": f"rk.Dropout({p:g})", "keras": f"keras.layers.Dropout({p:g})",
                "pytorch": f"nn.Dropout(p={p:g})", "lightning": f"nn.Dropout(p={p:g})",
                "sklearn": None}[self.framework]

    def early_stopping(self, patience: str = "10") -> str:
        return {
            "regkit": f"rk.EarlyStopping(monitor='val_loss', patience={patience}, "
                      "restore_best=True)",
            "keras": f"keras.callbacks.EarlyStopping(monitor='val_loss', patience={patience}, "
                     "restore_best_weights=True)",
            "pytorch": "keep a copy of the weights at each new lowest validation loss "
                       "(best = copy.deepcopy(model.state_dict())), stop after "
                       f"{patience} epochs without one, then model.load_state_dict(best)",
            "lightning": f"EarlyStopping(monitor='val_loss', mode='min', patience={patience}) "
                         "with ModelCheckpoint(monitor='val_loss'), then "
                         "trainer.test(ckpt_path='best')",
            "sklearn": f"MLPClassifier(early_stopping=True, n_iter_no_change={patience}), "
                       "which keeps the best weights",
        }[self.framework]

    def augment(self) -> str:
        return {
            "regkit": "rk.augment.Compose([functools.partial(rk.augment.rotate, degrees=15), "
                      "functools.partial(rk.augment.zoom, factor=0.1)]) (import functools) "
                      "passed as fit(augment=...)",
            "keras": "keras.layers.RandomRotation(15 / 360), RandomZoom(0.1) and "
                     "RandomTranslation(0.1, 0.1) as the model's first layers (they are "
                     "active only in training)",
            "pytorch": "torchvision.transforms.RandomAffine(degrees=15, translate=(0.1, 0.1), "
                       "scale=(0.9, 1.1)) in the training set's transform only",
            "lightning": "torchvision.transforms.RandomAffine(degrees=15, translate=(0.1, 0.1), "
                         "scale=(0.9, 1.1)) in the training set's transform only",
            "sklearn": "new rotated and zoomed copies of the training images (e.g. "
                       "rk.augment.rotate and rk.augment.zoom on the reshaped arrays) "
                       "stacked onto X before fit",
        }[self.framework]

    def clip(self, norm: float) -> str | None:
        norm = repr(float(norm))                  # "1.0", as code is written
        return {"regkit": f"rk.fit(..., clip_norm={norm})",
                "keras": f"keras.optimizers.Adam(..., global_clipnorm={norm})",
                "pytorch": f"torch.nn.utils.clip_grad_norm_(model.parameters(), "
                           f"max_norm={norm}) between backward() and step()",
                "lightning": f"Trainer(gradient_clip_val={norm})",
                "sklearn": None}[self.framework]

    @property
    def lr_name(self) -> str:
        return "learning_rate_init" if self.framework == "sklearn" else "lr"

    def missing(self, what: str, knob: str) -> str:
        """A sentence for a technique scikit-learn's MLP does not have."""
        return (f"scikit-learn's MLPClassifier has no {what}; regkit's rk.MLPClassifier "
                f"is a drop-in estimator that has it ({knob}), or move the model to "
                "PyTorch or Keras.")
