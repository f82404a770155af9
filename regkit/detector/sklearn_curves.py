"""The four curves of a scikit-learn MLP, which its ``fit`` does not record.

A fitted ``MLPClassifier`` keeps ``loss_curve_`` (the training loss,
penalty included, averaged over each epoch's batches) and, with
``early_stopping=True``, ``validation_scores_`` (accuracy, or R² for a
regressor, on a split it held out). That is one training loss and one
validation *score*: no pair the detector can compare, since a loss and an
accuracy have different scales. :func:`sklearn_curves` records the pair: it
trains a copy of the estimator (same parameters, same ``random_state``) one
epoch at a time with ``partial_fit`` and after each epoch measures the loss
and accuracy on the training and the validation data, in inference mode,
without the penalty, so that both sides are measured alike.

The result is a dict :func:`regkit.diagnose` reads, with the run's settings
(``config``, in regkit's conventions: ``l2`` is ``alpha / batch_size``) and
``framework="sklearn"``, so the advice is scikit-learn code.

scikit-learn is imported here only, when called: regkit's core never needs it.
"""
from __future__ import annotations

import numpy as np

#: ``partial_fit`` exists for these solvers only (L-BFGS has no epochs).
_SOLVERS = ("adam", "sgd")


def sklearn_curves(estimator, X, y, X_val, y_val, *, epochs: int | None = None) -> dict:
    """Train a copy of a scikit-learn MLP epoch by epoch, recording train/validation curves.

    Args:
        estimator: an ``MLPClassifier`` or ``MLPRegressor``, fitted or not
            (only its parameters are used; it is not changed).
        X, y: the training data, ``(n, features)`` and ``(n,)``.
        X_val, y_val: the validation data.
        epochs: how many epochs; default the fitted estimator's ``n_iter_``,
            else its ``max_iter``.

    Returns:
        ``{"train_loss", "val_loss", ["train_acc", "val_acc"], "config",
        "framework"}``: per-epoch lists (cross-entropy, or half the mean
        squared error as scikit-learn defines it for regression), the
        settings, and ``"sklearn"``. Pass it to :func:`regkit.diagnose`.

    Raises:
        TypeError: ``estimator`` is not a scikit-learn MLP.
        ValueError: the solver is ``"lbfgs"``, or ``epochs`` is not a
            positive int.
    """
    kind = type(estimator).__name__
    if kind not in ("MLPClassifier", "MLPRegressor") or not hasattr(estimator, "get_params"):
        raise TypeError(f"estimator must be a scikit-learn MLPClassifier or MLPRegressor, "
                        f"got {kind}")
    from sklearn.base import clone

    params = estimator.get_params()
    if params["solver"] not in _SOLVERS:
        raise ValueError(f"estimator has solver={params['solver']!r}, which trains without "
                         "epochs; sklearn_curves needs solver='adam' or 'sgd'")
    if params.get("loss", "squared_error") != "squared_error":
        raise ValueError(f"estimator has loss={params['loss']!r}; sklearn_curves measures "
                         "the squared error, so it needs loss='squared_error'")
    if epochs is None:
        epochs = getattr(estimator, "n_iter_", None) or params["max_iter"]
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    X, X_val = np.asarray(X), np.asarray(X_val)
    y, y_val = np.asarray(y), np.asarray(y_val)
    model = clone(estimator).set_params(early_stopping=False, warm_start=False)
    classify = kind == "MLPClassifier"
    classes = np.unique(np.concatenate([y, y_val])) if classify else None
    curves: dict = {"train_loss": [], "val_loss": []}
    if classify:
        curves.update(train_acc=[], val_acc=[])
    for _ in range(int(epochs)):
        if classify:
            model.partial_fit(X, y, classes=classes)
        else:
            model.partial_fit(X, y)
        for split, (xs, ys) in (("train", (X, y)), ("val", (X_val, y_val))):
            if classify:
                proba = model.predict_proba(xs)
                column = np.searchsorted(model.classes_, ys)
                picked = np.clip(proba[np.arange(len(ys)), column], 1e-15, 1.0)
                curves[f"{split}_loss"].append(float(-np.mean(np.log(picked))))
                curves[f"{split}_acc"].append(float(np.mean(model.predict(xs) == ys)))
            else:
                residual = model.predict(xs).reshape(len(ys), -1) - ys.reshape(len(ys), -1)
                curves[f"{split}_loss"].append(float(0.5 * np.mean(residual ** 2)))
    batch = params["batch_size"]
    batch = min(200, len(X)) if batch == "auto" else int(batch)
    curves["config"] = {
        "optimizer": "Adam" if params["solver"] == "adam" else "SGD",
        "lr": float(params["learning_rate_init"]), "batch_size": batch,
        "epochs": int(epochs), "n_train": len(X),
        "l2": float(params["alpha"]) / batch,       # regkit's λ: alpha is per batch
        "hidden_layers": len(np.atleast_1d(params["hidden_layer_sizes"])),
        "dropout": [], "batchnorm": False, "augment": False, "clip_norm": None,
        "early_stopping": int(params["n_iter_no_change"]) if params["early_stopping"] else None,
    }
    curves["framework"] = "sklearn"
    return curves
