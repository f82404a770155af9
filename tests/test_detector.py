"""The overfit detector: each verdict, each threshold at its edge, real digits runs.

Synthetic curves are built so the measured signal equals a chosen number
(flat stretches, straight lines, constant offsets: a running median leaves
those unchanged), then set just below and just above each threshold.
"""
import json

import numpy as np
import pytest

import regkit as rk
from regkit.detector.rules import Thresholds, diagnose, robust_slope, smooth

TH = Thresholds()
N = 60
T = np.arange(N, dtype=float)


def falling(start, end, until, n=N):
    """Flat at ``start`` for 3 epochs, straight down to ``end`` at ``until``, then flat."""
    t = np.arange(n, dtype=float)
    return np.where(t < 3, start, np.maximum(end, start - (start - end) * (t - 2) / (until - 2)))


def rising_acc(top, until=25, n=N):
    """Accuracy from 0.3 up to ``top`` (never 95% in the first epochs), then flat."""
    return falling(0.3, top, until, n) if top < 0.3 else \
        np.minimum(top, 0.3 + (top - 0.3) * np.arange(n) / until)


def healthy(n=N, train_top=0.97, gap=0.02):
    """A good fit: losses settle, accuracies settle close together."""
    tl = falling(2.0, 0.10, 20, n)
    acc = rising_acc(train_top, n=n)
    return {"loss": tl, "val_loss": tl + 0.05, "accuracy": acc, "val_accuracy": acc - gap}


def verdict(log, **kw):
    return diagnose(log, **kw).verdict


# -- building blocks ---------------------------------------------------------------
def test_smooth_ignores_one_spike_keeps_a_step_and_a_line():
    x = np.full(20, 1.0)
    x[10] = x[-1] = 5.0                     # one bad epoch, also at the very end
    np.testing.assert_array_equal(smooth(x, 5), np.full(20, 1.0))
    step = np.r_[np.zeros(10), np.ones(10)]
    np.testing.assert_array_equal(smooth(step, 5), step)
    line = 3.0 - 0.1 * np.arange(20)
    np.testing.assert_allclose(smooth(line, 5)[2:-2], line[2:-2])


def test_robust_slope_is_exact_on_a_line_despite_one_outlier():
    y = 2.0 - 0.25 * np.arange(12)
    y[7] += 40.0
    assert robust_slope(y) == pytest.approx(-0.25, abs=1e-12)
    assert robust_slope(np.r_[y, y]) != pytest.approx(-0.25)   # not a line: differs


# -- one test per verdict ------------------------------------------------------------
def test_good_fit():
    d = diagnose(healthy())
    assert d.verdict == "good fit"
    assert d.evidence["acc_gap_last"] == pytest.approx(0.02)
    assert d.evidence["loss_gap_best"] == pytest.approx(0.05)


def test_overfitting_like_the_chapter_99_vs_85():
    log = healthy()
    log["accuracy"] = rising_acc(0.99)
    log["val_accuracy"] = rising_acc(0.85)
    # flat at 0.15 until epoch 30, up 0.01 per epoch until 50, then flat at 0.35
    log["val_loss"] = np.clip(0.15 + 0.01 * (T - 30), 0.15, 0.35)
    log["val_loss"][:20] = log["loss"][:20] + 0.05
    d = diagnose(log)
    assert d.verdict == "overfitting"
    assert d.evidence["acc_gap_last"] == pytest.approx(0.14)
    assert d.evidence["val_turn_epoch"] == 30
    assert d.evidence["val_rise"] == pytest.approx(0.20 / 0.15)
    assert len(d.reasons) == 2


def test_underfitting_like_the_chapter_65_vs_63():
    tl = falling(2.3, 1.1, 10)
    acc = rising_acc(0.65, until=10)
    d = diagnose({"loss": tl, "val_loss": tl + 0.03, "accuracy": acc,
                  "val_accuracy": acc - 0.02})
    assert d.verdict == "underfitting"
    assert d.evidence["train_acc_last"] == pytest.approx(0.65)


def test_not_converged_when_validation_is_still_falling():
    log = healthy()
    log["val_loss"] = 1.0 - 0.01 * T             # 10%+ over the last 12 epochs
    log["loss"] = log["val_loss"] - 0.05
    assert verdict(log) == "not converged"


def test_unstable_on_nan_and_on_divergence():
    log = healthy()
    log["loss"] = log["loss"].copy()
    log["loss"][40] = np.nan
    d = diagnose(log)
    assert d.verdict == "unstable"
    assert d.evidence["nonfinite_epoch"] == 40 and d.evidence["nonfinite"] == 1
    json.dumps(d.to_dict(), allow_nan=False)     # NaN -> null
    log = healthy()
    log["loss"] = np.r_[falling(2.0, 0.5, 10, 30), np.linspace(0.5, 3.0, 30)]
    log["val_loss"] = log["loss"] + 0.05
    assert verdict(log) == "unstable"
    first_nan = {"loss": [np.nan] * 6, "val_loss": [1.0] * 6}
    assert verdict(first_nan) == "unstable"


# -- thresholds at their edges -----------------------------------------------------------
@pytest.mark.parametrize("gap, expected", [(0.099, "good fit"), (0.101, "overfitting")])
def test_edge_gap_overfit(gap, expected):
    # 0.97 is not memorised and rises slowly: no supporting sign in the 5-10 band
    assert verdict(healthy(gap=gap)) == expected


@pytest.mark.parametrize("gap, expected", [(0.049, "good fit"), (0.051, "overfitting")])
def test_edge_gap_suspicious_with_a_memorised_training_set(gap, expected):
    assert verdict(healthy(train_top=0.995, gap=gap)) == expected


def test_suspicious_gap_alone_is_not_overfitting():
    assert verdict(healthy(gap=0.08)) == "good fit"


@pytest.mark.parametrize("top, expected", [(0.989, "good fit"), (0.991, "overfitting")])
def test_edge_memorised(top, expected):
    assert verdict(healthy(train_top=top, gap=0.07)) == expected


@pytest.mark.parametrize("first, expected", [(2, "overfitting"), (3, "good fit")])
def test_edge_fast_rise(first, expected):
    log = healthy(gap=0.07)
    log["accuracy"] = np.where(T < first, 0.5, 0.97)   # 97% from epoch `first` on
    log["val_accuracy"] = log["accuracy"] - 0.07
    d = diagnose(log)
    assert d.evidence["train_acc_95_epoch"] == first
    assert d.verdict == expected


@pytest.mark.parametrize("big, expected", [(99.9, "good fit"), (100.1, "overfitting")])
def test_edge_large_weight_needs_model(big, expected):
    model = rk.Sequential(rk.Dense(4, 3, rng=0), rk.ReLU(), rk.Dense(3, 2, rng=1))
    model.layers[2].W.data[0, 0] = -big
    d = diagnose(healthy(gap=0.07), model=model)
    assert d.evidence["max_abs_weight"] == pytest.approx(big, rel=1e-6)
    assert d.verdict == expected
    assert verdict(healthy(gap=0.07)) == "good fit"          # without model=


def _turned(rise, last_epochs=20):
    """Loss-only log; validation flat at 0.5, then ``rise`` higher for the last epochs."""
    tl = falling(2.3, 0.3, 10)
    vl = falling(2.5, 0.5, 10)
    vl[-last_epochs:] = 0.5 * (1 + rise)
    return {"loss": tl, "val_loss": vl}


@pytest.mark.parametrize("rise, expected", [(0.09, "good fit"), (0.11, "overfitting")])
def test_edge_val_rise(rise, expected):
    d = diagnose(_turned(rise))
    assert d.evidence["val_rise"] == pytest.approx(rise)
    assert d.verdict == expected


@pytest.mark.parametrize("k, expected", [(2, "good fit"), (3, "overfitting")])
def test_edge_turn_epochs(k, expected):
    d = diagnose(_turned(0.5, last_epochs=k))
    assert d.evidence["epochs_since_turn"] == k
    assert d.verdict == expected


def test_one_noisy_epoch_does_not_flip_the_verdict():
    log = healthy()
    log["val_loss"] = log["val_loss"].copy()
    log["val_loss"][-1] *= 3.0
    log["val_accuracy"] = log["val_accuracy"].copy()
    log["val_accuracy"][-1] -= 0.3
    assert verdict(log) == "good fit"
    assert verdict(_turned(0.5, last_epochs=1)) == "good fit"


@pytest.mark.parametrize("ratio, expected", [(1.9, "good fit"), (2.1, "overfitting")])
def test_edge_loss_ratio_without_accuracy(ratio, expected):
    tl = falling(2.0, 0.1, 20)
    d = diagnose({"loss": tl, "val_loss": ratio * tl})
    assert d.evidence["loss_ratio_best"] == pytest.approx(ratio)
    assert d.verdict == expected


@pytest.mark.parametrize("r, expected", [(0.04, "good fit"), (0.06, "not converged")])
def test_edge_still_falling(r, expected):
    # straight line 1 - s*t: over the last W=12 epochs it falls s*(W-1), and the
    # window's median is the line at t = 53.5, so r = 11 s / (1 - 53.5 s)
    s = r / (11 + 53.5 * r)
    log = healthy()
    log["val_loss"] = 1.0 - s * T
    log["loss"] = log["val_loss"] - 0.05
    d = diagnose(log)
    assert d.evidence["trend_window"] == 12
    assert d.evidence["val_trend"] == pytest.approx(-r)
    assert d.verdict == expected


@pytest.mark.parametrize("top, expected", [(0.79, "underfitting"), (0.81, "good fit")])
def test_edge_poor_accuracy(top, expected):
    assert verdict(healthy(train_top=top)) == expected


def test_poor_but_still_improving_is_not_converged():
    log = healthy(train_top=0.6)
    log["loss"] = 2.0 - 0.02 * T
    log["val_loss"] = log["loss"] + 0.05
    assert verdict(log) == "not converged"


@pytest.mark.parametrize("kept, expected", [(0.49, "good fit"), (0.51, "underfitting")])
def test_edge_poor_loss_fraction_without_accuracy(kept, expected):
    tl = falling(1.0, kept, 10)
    d = diagnose({"loss": tl, "val_loss": tl + 0.05})
    assert d.evidence["train_loss_kept"] == pytest.approx(kept)
    assert d.verdict == expected


@pytest.mark.parametrize("r, unstable", [(0.24, False), (0.26, True)])
def test_edge_rebound(r, unstable):
    log = healthy()
    log["loss"] = np.where(T < 50, falling(2.0, 0.2, 20), 0.2 + 2.0 * r)
    log["val_loss"] = log["loss"] + 0.1
    d = diagnose(log)
    assert d.evidence["rebound"] == pytest.approx(r)
    assert (d.verdict == "unstable") is unstable


def _zigzag(level_start, swing, n=N):
    """Falls from ``level_start`` to 1.0, then jumps +-swing/2 every epoch (last 20)."""
    loss = falling(level_start, 1.0, 20, n)
    loss[-20:] += swing / 2 * (-1.0) ** np.arange(20)
    log = healthy(n)
    log.update(loss=loss, val_loss=loss + 0.1)
    return log


@pytest.mark.parametrize("swing, unstable", [(0.19, False), (0.21, True)])
def test_edge_swing_to_level(swing, unstable):
    d = diagnose(_zigzag(1.5, swing))
    assert d.evidence["swing_to_level"] == pytest.approx(swing)
    assert (d.verdict == "unstable") is unstable


@pytest.mark.parametrize("ratio, unstable", [(0.09, False), (0.11, True)])
def test_edge_swing_to_range(ratio, unstable):
    # swing 0.5 is 50% of the level; the smoothed curve spans start - 0.75
    d = diagnose(_zigzag(0.75 + 0.5 / ratio, 0.5))
    assert d.evidence["swing_to_range"] == pytest.approx(ratio)
    assert (d.verdict == "unstable") is unstable


@pytest.mark.parametrize("n, expected", [(4, "not converged"), (5, "good fit")])
def test_edge_min_epochs(n, expected):
    flat = {"loss": [0.1] * n, "val_loss": [0.12] * n, "accuracy": [0.97] * n,
            "val_accuracy": [0.96] * n}
    assert verdict(flat) == expected


def test_custom_thresholds_and_their_validation():
    log = healthy(train_top=0.85)
    assert verdict(log) == "good fit"
    assert verdict(log, thresholds=Thresholds(poor_accuracy=0.9)) == "underfitting"
    with pytest.raises(ValueError, match="gap_overfit"):
        Thresholds(gap_overfit=-0.1)
    with pytest.raises(TypeError):
        diagnose(log, thresholds={"gap_overfit": 0.2})


def test_accuracy_only_log_uses_the_error_rate():
    acc = rising_acc(0.99)
    d = diagnose({"accuracy": acc, "val_accuracy": rising_acc(0.8)})
    assert d.verdict == "overfitting"
    assert "train_loss" not in d.series


# -- suggestions know what the run uses --------------------------------------------------
def _overfit_log():
    log = healthy(train_top=0.99, gap=0.15)
    return log


def test_suggestions_for_an_unknown_run_are_generic_but_concrete():
    s = diagnose(_overfit_log()).suggestions
    text = " ".join(s)
    assert s[0].startswith("If you do not use it yet, add batch normalization")
    assert "1e-3" in text and "p = 0.5" in text and "patience=10" in text


def test_suggestions_raise_what_the_model_already_has():
    model = rk.Sequential(rk.Dense(4, 8, regularizer=rk.L2(1e-3), rng=0), rk.BatchNorm(8),
                          rk.ReLU(), rk.Dropout(0.5, rng=0), rk.Dense(8, 2, rng=1))
    s = diagnose(_overfit_log(), model=model).suggestions
    text = " ".join(s)
    assert "Raise dropout from p = 0.5 to 0.6-0.7." in s
    assert "Raise L2 from λ = 0.001 to 1e-2." in s
    assert "batch normalization" not in text and "Add dropout" not in text


def test_suggestions_follow_the_chapter_order_for_a_known_plain_image_run():
    h = rk.History(config={"images": True, "augment": False, "dropout": [], "l2": 0.0,
                           "batchnorm": False, "early_stopping": None, "epochs": 60})
    log = _overfit_log()
    for i in range(N):
        h.append(train_loss=log["loss"][i], val_loss=log["val_loss"][i],
                 train_acc=log["accuracy"][i], val_acc=log["val_accuracy"][i])
    s = diagnose(h).suggestions
    keys = ["batch normalization", "Augment", "L2", "dropout", "EarlyStopping", "tune"]
    assert [next(i for i, line in enumerate(s) if k in line) for k in keys] == list(range(6))
    assert "rotate" in s[1] and "never flip" in s[1]
    h.config.update(early_stopping=15, dropout=[0.3], l2=1e-2, augment=True)
    s = diagnose(h).suggestions
    assert any("Keep early stopping (patience 15)" in line for line in s)
    assert "Raise dropout from p = 0.3 to 0.5." in s
    assert not any("L2" in line and "Raise" in line for line in s)   # already at 1e-2
    assert any(line.startswith("Strengthen the augmentation") for line in s)


def test_underfitting_suggestions_lower_regularization_first():
    h = rk.History(config={"l2": 0.3, "dropout": [0.5], "lr": 1e-3, "optimizer": "Adam",
                           "epochs": 60})
    log = healthy(train_top=0.6)
    for i in range(N):
        h.append(train_loss=log["loss"][i], val_loss=log["val_loss"][i],
                 train_acc=log["accuracy"][i], val_acc=log["val_accuracy"][i])
    d = diagnose(h)
    assert d.verdict == "underfitting"
    assert d.suggestions[:2] == ["Lower L2 from λ = 0.3 to 0.03, or remove it.",
                                 "Lower dropout from p = 0.5 to 0.3, or remove it."]
    assert any("60 -> 120 epochs" in s for s in d.suggestions)
    h.config.update(l2=0.0, dropout=[], lr=0.5)
    assert diagnose(h).suggestions[0].startswith("Learning rate too large: lr = 0.5")


def test_unstable_suggestions_use_the_learning_rate():
    h = rk.History(config={"lr": 0.1, "clip_norm": None, "batch_size": 8})
    for v in (2.0, 0.5, np.nan):
        h.append(train_loss=v, val_loss=v)
    s = diagnose(h).suggestions
    assert "epoch 2" in s[0]
    assert "Lower the learning rate 3-10x (0.1 -> 0.01)." in s
    assert any("clip_norm=1.0" in line for line in s)
    assert any("batch_size 8 -> 32" in line for line in s)


# -- output ------------------------------------------------------------------------
def test_report_html_and_dict():
    d = diagnose(_overfit_log())
    text = str(d)
    assert text.startswith("Diagnosis: OVERFITTING")
    assert "1. " + d.suggestions[0] in text and "accuracy gap" in text
    html = d._repr_html_()
    assert "<ol>" in html and "λ" in html and "<li>" in html
    out = json.loads(json.dumps(d.to_dict(), allow_nan=False))
    assert out["verdict"] == "overfitting" and out["best_epoch"] == d.best_epoch
    assert set(out["evidence"]) == set(out["descriptions"])
    assert len(out["series"]["val_loss"]) == N
    assert "overfitting" in repr(d)


def test_plot_marks_best_epoch_and_verdict():
    plt = pytest.importorskip("matplotlib.pyplot")
    d = diagnose(_overfit_log())
    fig = d.plot()
    assert len(fig.axes) == 2 and "overfitting" in fig._suptitle.get_text()
    lines = [ln for ln in fig.axes[0].lines if ln.get_label().startswith("best epoch")]
    assert lines and lines[0].get_xdata()[0] == d.best_epoch
    assert fig.axes[0].collections                       # the shaded gap
    fig2, ax = plt.subplots()
    assert d.plot(ax=ax) is fig2 and "overfitting" in ax.get_title()
    plt.close("all")


def test_history_best_epoch_from_early_stopping_is_used():
    h = rk.History()
    log = healthy()
    for i in range(N):
        h.append(train_loss=log["loss"][i], val_loss=log["val_loss"][i])
    h.restored_epoch = 30
    assert diagnose(h).best_epoch == 30
    assert diagnose(h.to_dict()).best_epoch == 30       # the JSON form keeps it too


# -- real runs on digits (about a second in all) --------------------------------------------
def _fit_digits(layers, epochs, lr):
    data = rk.datasets.digits(n_train=100, random_state=0)
    rk.seed(0)
    model = rk.Sequential(*layers)
    history = rk.fit(model, data.x_train, data.y_train, loss=rk.SoftmaxCrossEntropy(),
                     optimizer=rk.Adam(model.parameters(), lr=lr), epochs=epochs,
                     batch_size=32, validation_data=(data.x_val, data.y_val),
                     rng=0, progress=False)
    return diagnose(history, model=model)


def test_real_wide_net_on_100_digits_overfits():
    d = _fit_digits([rk.Dense(64, 256, rng=0), rk.ReLU(), rk.Dense(256, 256, rng=1),
                     rk.ReLU(), rk.Dense(256, 10, rng=2)], epochs=100, lr=1e-3)
    assert d.verdict == "overfitting"
    assert d.evidence["train_acc_last"] == 1.0 and d.evidence["acc_gap_last"] > 0.05
    assert any("Add dropout" in s for s in d.suggestions)


def test_real_tiny_net_underfits():
    d = _fit_digits([rk.Dense(64, 2, rng=0), rk.ReLU(), rk.Dense(2, 10, rng=2)],
                    epochs=200, lr=1e-2)
    assert d.verdict == "underfitting"
    assert d.evidence["train_acc_last"] < 0.6


def test_real_heavy_l2_underfits_and_is_told_to_lower_it():
    d = _fit_digits([rk.Dense(64, 64, regularizer=rk.L2(0.3), rng=0), rk.ReLU(),
                     rk.Dense(64, 10, regularizer=rk.L2(0.3), rng=2)], epochs=150, lr=1e-2)
    assert d.verdict == "underfitting"
    assert d.suggestions[0] == "Lower L2 from λ = 0.3 to 0.03, or remove it."
