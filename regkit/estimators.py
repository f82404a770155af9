"""`MLPClassifier` and `MLPRegressor`: regkit networks as scikit-learn estimators.

They follow scikit-learn's rules, so ``clone``, ``GridSearchCV``,
``validation_curve``, ``learning_curve`` and pipelines work: ``__init__``
only stores its arguments; ``fit`` checks them and the data; what was
learned ends in ``_`` (``model_``, ``history_``, ``classes_``,
``n_features_in_``). Inside, ``fit`` builds an ``rk.Sequential`` with ``rk.mlp``
(Dense -> [BatchNorm] -> activation -> [Dropout] per hidden layer, then a
Dense output) and trains it with :func:`regkit.fit`.

This is the only regkit module that imports scikit-learn.

L2 strength, three conventions (the penalty on the weights W, biases never
penalised):

* regkit ``l2=lam`` adds ``lam * 0.5 * sum(W**2)`` to the *mean* batch loss.
* scikit-learn's ``MLPClassifier(alpha=a)`` adds ``0.5 * a * sum(W**2) / m``
  for a batch of m samples, so ``alpha = l2 * batch_size`` gives the same
  objective for the classifier. Its regressor minimises *half* the squared
  error, so there ``alpha = l2 * batch_size / 2``.
* Keras' ``L2(l)`` adds ``l * sum(W**2)`` (no 1/2): ``l = l2 / 2``.
"""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._rng import as_rng
from ._validate import check_int, check_nonnegative, check_positive, check_probability
from .callbacks import EarlyStopping
from .functional import softmax
from .losses import MSE, SoftmaxCrossEntropy
from .mlp import mlp
from .optim import SGD, Adam, AdamW
from .regularizers import L1, L2, ElasticNet
from .training import fit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike

_ACTIVATIONS = ("relu", "tanh", "sigmoid")
_OPTIMIZERS = ("adam", "adamw", "sgd")


class _MLP(BaseEstimator):
    """What the classifier and the regressor share: the network and fit."""

    def __init__(self, hidden_layer_sizes: Sequence[int] = (100,), *, activation: str = "relu",
                 l1: float = 0.0, l2: float = 0.0, dropout: float = 0.0, batchnorm: bool = False,
                 early_stopping: bool = False, patience: int = 10,
                 validation_fraction: float = 0.1, epochs: int = 50, lr: float = 1e-3,
                 batch_size: int = 64, optimizer: str = "adam", weight_decay: float = 0.0,
                 random_state: int | None = None) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.l1 = l1
        self.l2 = l2
        self.dropout = dropout
        self.batchnorm = batchnorm
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.random_state = random_state

    # -- building blocks ----------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = [sizes]
        try:
            return [check_int("hidden_layer_sizes[i]", h, low=1) for h in sizes]
        except TypeError:
            raise TypeError("hidden_layer_sizes must be an int or a sequence of ints, "
                            f"got {self.hidden_layer_sizes!r}") from None

    def _check_params(self) -> None:
        self._hidden_sizes()
        check_nonnegative("l1", self.l1)
        check_nonnegative("l2", self.l2)
        check_probability("dropout", self.dropout)
        check_int("patience", self.patience, low=0)
        check_positive("validation_fraction", self.validation_fraction)
        if self.validation_fraction >= 1:
            raise ValueError(f"validation_fraction must be < 1, got {self.validation_fraction!r}")
        check_int("epochs", self.epochs, low=1)
        check_positive("lr", self.lr)
        check_int("batch_size", self.batch_size, low=1)
        check_nonnegative("weight_decay", self.weight_decay)
        for name, value, allowed in (("activation", self.activation, _ACTIVATIONS),
                                     ("optimizer", self.optimizer, _OPTIMIZERS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")

    def _generator(self) -> np.random.Generator:
        """``random_state`` (None | int | Generator | RandomState) as a Generator."""
        if isinstance(self.random_state, np.random.RandomState):
            return np.random.default_rng(self.random_state.randint(2**31))
        return as_rng(self.random_state)

    def _build(self, n_in: int, n_out: int, gen):
        """``rk.mlp``: Dense -> [BatchNorm] -> activation -> [Dropout] per hidden
        layer (He init for ReLU, Xavier otherwise), every layer drawing from ``gen``."""
        reg = (ElasticNet(self.l1, self.l2) if self.l1 and self.l2 else
               L1(self.l1) if self.l1 else L2(self.l2) if self.l2 else None)
        return mlp((n_in, *self._hidden_sizes(), n_out), self.activation,
                   dropout=self.dropout or None, batchnorm="before" if self.batchnorm else None,
                   regularizer=reg, rng=gen)

    def _optimizer(self, params):
        if self.optimizer == "sgd":
            return SGD(params, lr=self.lr, momentum=0.9, weight_decay=self.weight_decay)
        cls = Adam if self.optimizer == "adam" else AdamW
        return cls(params, lr=self.lr, weight_decay=self.weight_decay)

    def _train(self, X, y, loss, n_out, stratify):
        """Build ``model_`` and train it on (X, y); sets ``history_``, ``n_iter_``."""
        gen = self._generator()
        callbacks, validation = [], None
        if self.early_stopping:
            X, X_val, y, y_val = self._split(X, y, stratify, gen)
            validation = (X_val, y_val)
            callbacks.append(EarlyStopping(patience=self.patience))
        self.model_ = self._build(X.shape[1], n_out, gen)
        self.history_ = fit(self.model_, X, y, loss=loss,
                            optimizer=self._optimizer(self.model_.parameters()),
                            epochs=self.epochs, batch_size=self.batch_size,
                            validation_data=validation, callbacks=callbacks, rng=gen,
                            progress=False)
        self.n_iter_ = self.history_.epochs
        return self

    def _split(self, X, y, stratify, gen):
        n_val = int(np.ceil(self.validation_fraction * len(X)))
        if n_val < 1 or len(X) - n_val < 1:
            raise ValueError(f"early_stopping needs a validation set, but "
                             f"validation_fraction={self.validation_fraction} of "
                             f"{len(X)} samples leaves none; add data or turn it off")
        if stratify:
            # stratify only when every class can appear on both sides
            counts = np.bincount(y)
            stratify = counts.min() >= 2 and n_val >= len(counts)
        return train_test_split(X, y, test_size=n_val, random_state=int(gen.integers(2**31)),
                                stratify=y if stratify else None)

    def _scores(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        # float64 on purpose: float32 products round differently depending on
        # how many rows BLAS gets at once, and a row's prediction should not
        # depend on the rows predicted with it (scikit-learn checks this).
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.model_.predict(X, batch_size=1024)


class MLPClassifier(ClassifierMixin, _MLP):
    """A regkit network trained with softmax cross-entropy, as a scikit-learn classifier.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Width of each hidden layer; ``()`` is softmax regression.
    activation : {"relu", "tanh", "sigmoid"}, default="relu"
    l1, l2 : float, default=0.0
        regkit regularizer strengths on every Dense weight matrix
        (``rk.L1``, ``rk.L2``, both: ``rk.ElasticNet``). scikit-learn's
        ``alpha`` is ``l2 * batch_size`` (see the module docstring).
    dropout : float, default=0.0
        Probability of dropping a hidden unit (``rk.Dropout``) in training.
    batchnorm : bool, default=False
        ``rk.BatchNorm`` after each hidden Dense.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified) and stop
        when its loss has not improved for ``patience`` epochs, restoring
        the best weights (scikit-learn's own monitors validation accuracy
        and does not restore).
    patience : int, default=10
    validation_fraction : float, default=0.1
    epochs : int, default=50
        Passes over the training data (scikit-learn's ``max_iter``).
    lr : float, default=1e-3
        Learning rate (scikit-learn's ``learning_rate_init``).
    batch_size : int, default=64
    optimizer : {"adam", "adamw", "sgd"}, default="adam"
        "sgd" uses momentum 0.9.
    weight_decay : float, default=0.0
        The optimizer's weight decay (coupled for adam/sgd, decoupled for
        adamw), on weights only.
    label_smoothing : float, default=0.0
        ``rk.SoftmaxCrossEntropy(label_smoothing)``.
    random_state : None, int or numpy Generator, default=None
        Seeds initialisation, dropout, shuffling and the validation split.
        None draws from regkit's default generator (``rk.seed`` resets it).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    model_ : rk.Sequential
    history_ : rk.History
    n_iter_ : int
        Epochs actually run.
    n_features_in_ : int

    Training is float32 (float64 input is converted); predictions are
    computed in float64 from the float32 weights.
    """

    def __init__(self, hidden_layer_sizes: Sequence[int] = (100,), *, activation: str = "relu",
                 l1: float = 0.0, l2: float = 0.0, dropout: float = 0.0, batchnorm: bool = False,
                 early_stopping: bool = False, patience: int = 10,
                 validation_fraction: float = 0.1, epochs: int = 50, lr: float = 1e-3,
                 batch_size: int = 64, optimizer: str = "adam", weight_decay: float = 0.0,
                 label_smoothing: float = 0.0, random_state: int | None = None) -> None:
        super().__init__(hidden_layer_sizes, activation=activation, l1=l1, l2=l2,
                         dropout=dropout, batchnorm=batchnorm, early_stopping=early_stopping,
                         patience=patience, validation_fraction=validation_fraction,
                         epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer,
                         weight_decay=weight_decay, random_state=random_state)
        self.label_smoothing = label_smoothing

    def fit(self, X: ArrayLike, y: ArrayLike) -> MLPClassifier:
        """Train on X (n_samples, n_features) and labels y (n_samples,)."""
        self._check_params()
        loss = SoftmaxCrossEntropy(self.label_smoothing)
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        return self._train(X, codes.astype(np.intp), loss, len(self.classes_), stratify=True)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Softmax of the network's scores: (n_samples, n_classes), rows sum to 1."""
        return softmax(self._scores(X), axis=1)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable class for each row of X."""
        scores = self._scores(X)
        return self.classes_[scores.argmax(axis=1)]


class MLPRegressor(RegressorMixin, _MLP):
    """A regkit network trained with mean squared error, as a scikit-learn regressor.

    Parameters and attributes as :class:`MLPClassifier` (no
    ``label_smoothing``, no ``classes_``), plus ``n_outputs_``. ``y`` may be
    (n_samples,) or (n_samples, n_outputs). The loss is ``rk.MSE`` (the
    mean squared error; scikit-learn's MLPRegressor minimises half of it,
    so its ``alpha`` is ``l2 * batch_size / 2``). No target scaling is done:
    standardise y yourself when it is far from unit scale.
    """

    def fit(self, X: ArrayLike, y: ArrayLike) -> MLPRegressor:
        """Train on X (n_samples, n_features) and targets y."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float32, multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=np.float32)
        y = y.reshape(len(y), -1)
        self.n_outputs_ = y.shape[1]
        return self._train(X, y, MSE(), self.n_outputs_, stratify=False)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predictions, float64 as scikit-learn expects: (n_samples,) for one
        output, else (n_samples, n_outputs)."""
        out = self._scores(X)
        return out.ravel() if self.n_outputs_ == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
