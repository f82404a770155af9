"""rk.fit: the training loop, its checks, and what it records."""
import math

import numpy as np
import pytest

import regkit as rk
from regkit.training import _batches


@pytest.fixture(scope="module")
def digits():
    """100 training digits (easy to overfit) and 300 validation digits."""
    sk = pytest.importorskip("sklearn.datasets")
    d = sk.load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    return x[:100], y[:100], x[100:400], y[100:400]


def blobs(n=120, rng=0):
    g = np.random.default_rng(rng)
    y = g.integers(0, 3, size=n)
    x = (g.standard_normal((n, 4)) + 2.0 * y[:, None]).astype(np.float32)
    return x, y


def small_net(width=16, l2=0.0, dropout=0.0, out=3, seed=0):
    rk.seed(seed)
    layers = [rk.Dense(4, width, regularizer=rk.L2(l2) if l2 else None), rk.ReLU()]
    if dropout:
        layers.append(rk.Dropout(dropout))
    return rk.Sequential(*layers, rk.Dense(width, out))


def train(model, x, y, **kw):
    kw.setdefault("loss", rk.SoftmaxCrossEntropy())
    kw.setdefault("optimizer", rk.Adam(model.parameters(), lr=1e-2))
    kw.setdefault("epochs", 3)
    kw.setdefault("batch_size", 32)
    kw.setdefault("progress", False)
    kw.setdefault("rng", 0)
    return rk.fit(model, x, y, **kw)


# -- the chapter's loop ------------------------------------------------------------
def test_three_line_early_stopping_on_an_overfitting_run(digits):
    xt, yt, xv, yv = digits
    rk.seed(0)
    model = rk.Sequential(rk.Dense(64, 512), rk.ReLU(), rk.Dense(512, 10))
    stop = rk.EarlyStopping(patience=5)
    hist = rk.fit(model, xt, yt, loss=rk.SoftmaxCrossEntropy(),
                  optimizer=rk.Adam(model.parameters(), lr=1e-2), epochs=200,
                  validation_data=(xv, yv), callbacks=[stop], rng=0, progress=False)
    # it overfits: train loss keeps falling while validation loss turns up
    assert hist.stopped_epoch is not None and hist.stopped_epoch < 199
    assert hist.epochs == hist.stopped_epoch + 1
    best = hist.best_epoch
    assert best == hist.restored_epoch == int(np.argmin(hist.val_loss)) == stop.best_epoch
    assert hist.stopped_epoch - best == 5
    assert hist.train_loss[-1] < hist.train_loss[best]
    # and the model holds the best epoch's weights again
    val_now = rk.SoftmaxCrossEntropy().forward(model.predict(xv), yv)
    assert val_now == hist.val_loss[best] != hist.val_loss[-1]


def test_same_seed_same_history_to_the_last_digit():
    x, y = blobs()
    xv, yv = blobs(60, rng=1)

    def run(seed):
        model = small_net(l2=1e-3, dropout=0.3)          # Dropout draws from rk.seed
        aug = lambda b, rng: b + rng.normal(0, 0.1, b.shape).astype(b.dtype)
        return train(model, x, y, epochs=4, validation_data=(xv, yv), augment=aug,
                     mixup_alpha=0.2, rng=seed).to_dict()

    a, b, c = run(5), run(5), run(6)
    assert a == b
    assert a["train_loss"] != c["train_loss"]


def test_history_records_eval_mode_measurements():
    x, y = blobs()
    xv, yv = blobs(60, rng=1)
    model = small_net(dropout=0.5)
    hist = train(model, x, y, epochs=3, validation_data=(xv, yv))
    assert hist.epochs == 3 and hist.stopped_epoch is None
    for field in ("train_loss", "val_loss", "train_acc", "val_acc", "penalty", "batch_loss"):
        assert len(getattr(hist, field)) == 3
    loss = rk.SoftmaxCrossEntropy()
    # the last entries are exactly what the final model gives in eval mode
    assert hist.train_loss[-1] == loss.forward(model.predict(x), y)
    assert hist.val_loss[-1] == loss.forward(model.predict(xv), yv)
    assert hist.val_acc[-1] == np.mean(model.predict(xv).argmax(1) == yv)
    assert model.training            # fit leaves the model in training mode


def test_penalty_is_recorded_beside_not_inside_the_data_loss():
    x, y = blobs()
    model = small_net(l2=0.5)
    hist = train(model, x, y, epochs=2)
    assert hist.penalty[-1] == model.penalty() > 0.01
    data_loss = rk.SoftmaxCrossEntropy().forward(model.predict(x), y)
    assert hist.train_loss[-1] == data_loss
    # the objective the optimizer saw includes the penalty
    assert all(b > p for b, p in zip(hist.batch_loss, hist.penalty))
    plain = train(small_net(), x, y, epochs=2)
    assert plain.penalty == [0.0, 0.0]


def test_regression_with_mse_keeps_float32_and_has_no_accuracy():
    g = np.random.default_rng(0)
    x = g.standard_normal((90, 4)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1           # float64 targets, (n,)
    model = small_net(out=1)
    hist = train(model, x, y, loss=rk.MSE(), optimizer=rk.SGD(model.parameters(), lr=0.05),
                 epochs=20, validation_data=(x[:30], y[:30]))
    assert hist.train_acc == [] and hist.val_acc == []
    assert hist.train_loss[-1] < hist.train_loss[0] / 2
    assert all(p.data.dtype == np.float32 for p in model.parameters())


# -- augmentation and mixup ----------------------------------------------------------
def test_augment_sees_only_training_batches_in_image_shape():
    g = np.random.default_rng(0)
    x = g.random((70, 2, 2)).astype(np.float32)               # images in [0, 1)
    y = g.integers(0, 3, 70)
    xv = np.full((20, 2, 2), 7.0, dtype=np.float32)           # marked validation images
    seen = []

    def spy(batch, rng=None):
        assert isinstance(rng, np.random.Generator)
        seen.append(batch.copy())
        return batch * 0.0 + 100.0        # wrecks every batch it touches

    yv = g.integers(0, 3, 20)
    rk.seed(0)
    model = rk.Sequential(rk.Flatten(), rk.Dense(4, 3))
    hist = train(model, x, y, epochs=2, batch_size=32, augment=spy, validation_data=(xv, yv))
    assert [b.shape for b in seen] == [(32, 2, 2), (32, 2, 2), (6, 2, 2)] * 2
    assert all(b.max() < 1.0 for b in seen)                   # never a 7.0
    # the eval pass used the clean data, not the augmented batches
    loss = rk.SoftmaxCrossEntropy()
    assert hist.val_loss[-1] == loss.forward(model.predict(xv), yv)
    assert hist.train_loss[-1] == loss.forward(model.predict(x), y)


def test_augment_does_not_change_the_callers_array():
    x, y = blobs()
    before = x.copy()

    def in_place(batch, rng=None):
        batch += 1.0                       # a careless augment
        return batch

    train(small_net(), x, y, epochs=2, augment=in_place, shuffle=False)
    np.testing.assert_array_equal(x, before)


def test_mixup_changes_training_targets_only():
    x, y = blobs()
    xv, yv = blobs(60, rng=1)
    plain = train(small_net(), x, y, epochs=2, validation_data=(xv, yv))
    mixed = train(small_net(), x, y, epochs=2, validation_data=(xv, yv), mixup_alpha=0.4)
    assert mixed.batch_loss != plain.batch_loss
    assert mixed.config["mixup_alpha"] == 0.4
    with pytest.raises(ValueError, match="mixup_alpha"):
        train(small_net(out=1), x, y.astype(np.float32), loss=rk.MSE(), mixup_alpha=0.2)


# -- clipping and max-norm ----------------------------------------------------------
class NormSpy:
    """Wraps an optimizer and records the global gradient norm at each step."""

    def __init__(self, opt):
        self.opt, self.norms = opt, []
        self.lr, self.weight_decay = opt.lr, opt.weight_decay

    def zero_grad(self):
        self.opt.zero_grad()

    def step(self):
        self.norms.append(math.sqrt(sum(float((p.grad ** 2).sum())
                                        for p in self.opt.params)))
        self.opt.step()


def test_clip_norm_caps_every_step_and_max_norm_caps_columns():
    x, y = blobs()
    model = small_net()
    spy = NormSpy(rk.SGD(model.parameters(), lr=0.1))
    train(model, x * 50, y, optimizer=spy, epochs=2, clip_norm=0.5, max_norm=1.5)
    assert len(spy.norms) == 2 * 4 and max(spy.norms) <= 0.5 + 1e-6
    for layer in (model[0], model[2]):
        assert np.linalg.norm(layer.W.data, axis=0).max() <= 1.5 * (1 + 1e-6)
    model = small_net()
    free = NormSpy(rk.SGD(model.parameters(), lr=0.1))
    train(model, x * 50, y, optimizer=free, epochs=1)
    # without clipping the same data gives larger gradients (the cap did something)
    assert max(free.norms) > 0.5


# -- callbacks -----------------------------------------------------------------------
class Recorder(rk.Callback):
    def __init__(self, stop_at=None):
        self.stop_at, self.events = stop_at, []

    def on_train_begin(self, model, history):
        self.events.append("begin")

    def on_epoch_end(self, epoch, logs, model):
        self.events.append((epoch, sorted(logs)))
        return epoch == self.stop_at

    def on_train_end(self, model, history):
        self.events.append("end")


def test_callback_protocol_order_logs_and_stop():
    x, y = blobs()
    rec = Recorder(stop_at=1)
    hist = train(small_net(), x, y, epochs=5, callbacks=[rec])
    keys = ["batch_loss", "penalty", "train_acc", "train_loss"]
    assert rec.events == ["begin", (0, keys), (1, keys), "end"]
    assert hist.epochs == 2 and hist.stopped_epoch == 1


def test_a_learners_callback_needs_only_on_epoch_end():
    class StopAt:                                  # not even a Callback subclass
        def on_epoch_end(self, epoch, logs, model):
            return logs["train_acc"] >= 0.0
    hist = train(small_net(), *blobs(), epochs=5, callbacks=StopAt())
    assert hist.epochs == 1 and hist.stopped_epoch == 0


def test_reused_early_stopping_behaves_like_a_fresh_one():
    x, y = blobs()
    xv, yv = blobs(60, rng=1)
    stop = rk.EarlyStopping(patience=3)
    train(small_net(seed=1), x, y, epochs=30, validation_data=(xv, yv), callbacks=[stop])
    first_best = stop.best
    again = train(small_net(seed=2), x, y, epochs=30, validation_data=(xv, yv),
                  callbacks=[stop])
    fresh = train(small_net(seed=2), x, y, epochs=30, validation_data=(xv, yv),
                  callbacks=[rk.EarlyStopping(patience=3)])
    assert again.to_dict() == fresh.to_dict()
    assert stop.best != first_best


def test_fit_records_the_epoch_a_callback_restored():
    x, y = blobs()
    xv, yv = blobs(60, rng=1)

    class PutsBack(rk.Callback):                  # restores epoch 1, whatever happened
        def on_epoch_end(self, epoch, logs, model):
            if epoch == 1:
                self.state = model.state_dict()
            return False

        def on_train_end(self, model, history):
            model.load_state_dict(self.state)
            return 1

    model = small_net()
    hist = train(model, x, y, epochs=4, validation_data=(xv, yv), callbacks=[PutsBack()])
    assert hist.restored_epoch == hist.best_epoch == 1 and hist.stopped_epoch is None
    assert hist.to_dict()["restored_epoch"] == 1
    # no callback restoring anything: the best epoch is the lowest validation loss
    plain = train(small_net(), x, y, epochs=4, validation_data=(xv, yv),
                  callbacks=[rk.EarlyStopping(restore_best=False)])
    assert plain.restored_epoch is None
    assert plain.best_epoch == int(np.argmin(plain.val_loss))


def test_an_on_train_end_that_returns_something_else_is_an_error():
    class Odd(rk.Callback):
        def on_train_end(self, model, history):
            return "done"
    with pytest.raises(TypeError, match="Odd.on_train_end returned 'done'"):
        train(small_net(), *blobs(), epochs=1, callbacks=[Odd()])


# -- divergence -----------------------------------------------------------------------
def test_nan_loss_stops_with_a_clear_error_and_clean_history():
    g = np.random.default_rng(0)
    x = g.standard_normal((64, 4)).astype(np.float32) * 30
    y = g.standard_normal(64).astype(np.float32) * 30
    model = small_net(out=1)
    stop = rk.EarlyStopping(monitor="train_loss", patience=100)
    with pytest.raises(FloatingPointError, match="epoch .*learning rate") as info:
        train(model, x, y, loss=rk.MSE(), optimizer=rk.SGD(model.parameters(), lr=1.0),
              epochs=50, callbacks=[stop])
    hist = info.value.history
    assert all(math.isfinite(v) for f in ("train_loss", "batch_loss", "penalty")
               for v in getattr(hist, f))
    # on_train_end still ran: the model is back at its best, finite weights
    assert all(np.isfinite(p.data).all() for p in model.parameters())
    assert hist.restored_epoch == stop.best_epoch     # None: no epoch finished


def test_divergence_after_some_epochs_still_records_the_restored_epoch():
    class Poison(rk.Callback):                    # the weights blow up after epoch 2
        def on_epoch_end(self, epoch, logs, model):
            if epoch == 2:
                model.layers[0].W.data[...] = np.nan
            return False

    model, stop = small_net(), rk.EarlyStopping(monitor="train_loss", patience=100)
    with pytest.raises(FloatingPointError, match="epoch 3") as info:
        train(model, *blobs(), epochs=10, callbacks=[stop, Poison()])
    hist = info.value.history
    assert hist.epochs == 3 and hist.restored_epoch == stop.best_epoch is not None
    assert hist.best_epoch == hist.restored_epoch
    assert np.isfinite(model.layers[0].W.data).all()


# -- argument checks -----------------------------------------------------------------
def bad_fit(**over):
    x, y = blobs(30)
    args = dict(x=x, y=y)
    args.update(over)
    model = small_net()
    return train(model, args.pop("x"), args.pop("y"), **args)


@pytest.mark.parametrize("over, err, match", [
    ({"x": np.where(np.eye(30, 4) > 0, np.nan, 1.0)}, ValueError, "x contains"),
    ({"validation_data": (np.full((5, 4), np.inf), np.zeros(5, int))}, ValueError,
     r"validation_data\[0\] contains"),
    ({"y": np.zeros(29, int)}, ValueError, "y has 29 samples but x has 30"),
    ({"validation_data": (np.ones((5, 4)), np.zeros(4, int))}, ValueError,
     r"validation_data\[1\] has 4 samples"),
    ({"validation_data": (np.ones((5, 3)), np.zeros(5, int))}, ValueError, "shape"),
    ({"validation_data": np.ones((5, 4))}, TypeError, "pair"),
    ({"y": np.full(30, 3)}, ValueError, r"label 3.*\[0, 3\)"),
    ({"y": np.full(30, -1)}, ValueError, "label -1"),
    ({"y": np.full(30, 0.5)}, ValueError, "integer class labels"),
    ({"y": np.array(["a"] * 30)}, TypeError, "integer class labels"),
    ({"validation_data": (np.ones((5, 4)), np.full(5, 7))}, ValueError,
     r"validation_data\[1\] contains label 7"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"batch_size": 2.5}, TypeError, "batch_size"),
    ({"clip_norm": -1.0}, ValueError, "clip_norm"),
    ({"max_norm": 0.0}, ValueError, "max_norm"),
    ({"augment": "shift"}, TypeError, "augment"),
    ({"callbacks": [object()]}, TypeError, r"callbacks\[0\]"),
    ({"progress": "yes"}, TypeError, "progress"),
    ({"threads": 0}, ValueError, "threads"),
    ({"x": np.ones(30)}, ValueError, "x must be"),
])
def test_bad_input_is_rejected_by_name(over, err, match):
    with pytest.raises(err, match=match):
        bad_fit(**over)


def test_integral_float_labels_are_accepted():
    x, y = blobs(30)
    hist = train(small_net(), x, y.astype(np.float64), epochs=1)
    assert hist.epochs == 1


# -- batching, progress, config, threads -----------------------------------------------
def test_batches_merge_a_trailing_single_sample():
    assert list(_batches(10, 4)) == [(0, 4), (4, 8), (8, 10)]
    assert list(_batches(9, 4)) == [(0, 4), (4, 9)]
    assert list(_batches(1, 4)) == [(0, 1)]
    assert list(_batches(8, 8)) == [(0, 8)]


def test_batchnorm_survives_a_remainder_of_one():
    x, y = blobs(33)
    rk.seed(0)
    model = rk.Sequential(rk.Dense(4, 8), rk.BatchNorm(8), rk.ReLU(), rk.Dense(8, 3))
    assert train(model, x, y, epochs=2, batch_size=16).epochs == 2


def test_progress_bar_only_when_asked(capsys):
    pytest.importorskip("tqdm")
    x, y = blobs(30)
    train(small_net(), x, y, epochs=2)
    assert capsys.readouterr().err == ""
    train(small_net(), x, y, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "fit" in err and "2/2" in err and "loss=" in err


def test_config_records_the_run():
    x, y = blobs()
    rk.seed(0)
    model = rk.Sequential(rk.Dense(4, 8, regularizer=rk.ElasticNet(0.01, 0.02)),
                          rk.BatchNorm(8), rk.ReLU(), rk.Dropout(0.25),
                          rk.Dense(8, 3, regularizer=rk.L2(0.05)))
    hist = train(model, x, y, loss=rk.SoftmaxCrossEntropy(label_smoothing=0.1),
                 optimizer=rk.AdamW(model.parameters(), lr=0.003), epochs=1,
                 clip_norm=2.0, callbacks=[rk.EarlyStopping(monitor="train_loss", patience=7)])
    c = hist.config
    assert c["optimizer"] == "AdamW" and c["lr"] == 0.003 and c["weight_decay"] == 0.01
    assert c["dropout"] == [0.25] and c["batchnorm"] is True
    assert c["l1"] == 0.01 and c["l2"] == 0.05 and c["label_smoothing"] == 0.1
    assert c["early_stopping"] == 7 and c["clip_norm"] == 2.0 and c["max_norm"] is None
    assert c["n_train"] == 120 and c["images"] is False and c["epochs"] == 1
    assert c["n_params"] == model.num_parameters()


def test_blas_threads_limits_and_restores(monkeypatch):
    tp = pytest.importorskip("threadpoolctl")
    monkeypatch.delenv("REGKIT_BLAS_THREADS", raising=False)   # the portability switch
    before = [i["num_threads"] for i in tp.threadpool_info() if i["user_api"] == "blas"]
    with rk.blas_threads(1) as active:
        assert active
        inside = [i["num_threads"] for i in tp.threadpool_info() if i["user_api"] == "blas"]
        assert inside and set(inside) == {1}
    after = [i["num_threads"] for i in tp.threadpool_info() if i["user_api"] == "blas"]
    assert after == before
    with rk.blas_threads(None) as active:
        assert not active


def test_regkit_augmentations_plug_in_on_images(digits):
    from functools import partial
    xt, yt, xv, yv = digits
    images, val_images = xt.reshape(-1, 8, 8), xv.reshape(-1, 8, 8)
    aug = rk.augment.Compose([partial(rk.augment.shift, pixels=1), rk.augment.rotate])
    rk.seed(0)
    model = rk.Sequential(rk.Flatten(), rk.Dense(64, 32), rk.ReLU(), rk.Dense(32, 10))
    hist = train(model, images, yt, epochs=3, augment=aug,
                 validation_data=(val_images, yv))
    assert hist.config["images"] is True and hist.config["augment"] is True
    assert hist.train_loss[-1] < hist.train_loss[0]


def test_checkpoint_on_disk_matches_the_restored_best_model(tmp_path):
    x, y = blobs()
    xv, yv = blobs(60, rng=1)
    path = tmp_path / "best.npz"
    stop, ckpt = rk.EarlyStopping(patience=2), rk.ModelCheckpoint(path)
    model = small_net(width=64)
    hist = train(model, x, y, epochs=40, optimizer=rk.Adam(model.parameters(), lr=0.05),
                 validation_data=(xv, yv), callbacks=[stop, ckpt])
    assert ckpt.best_epoch == hist.best_epoch == stop.best_epoch
    np.testing.assert_array_equal(rk.load(path).predict(xv), model.predict(xv))
