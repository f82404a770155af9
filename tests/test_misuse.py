"""Misuse that used to give a silent wrong result now says what is wrong (issue 19).

Each test feeds one mistake a learner or practitioner makes and asserts the
exact outcome: a regkit error that names the argument, or a kept history.
"""
import numpy as np
import pytest

import regkit as rk

DATA = rk.datasets.digits(n_train=60, random_state=0)


def _fit(model, optimizer, **kw):
    kw.setdefault("epochs", 2)
    return rk.fit(model, DATA.x_train, DATA.y_train, loss=rk.SoftmaxCrossEntropy(),
                  optimizer=optimizer, progress=False, **kw)


# -- the optimizer --------------------------------------------------------------
def test_an_optimizer_built_for_another_model_is_refused():
    # the notebook slip: the model cell re-run, the optimizer cell not
    old, new = rk.mlp((64, 16, 10), rng=0), rk.mlp((64, 16, 10), rng=0)
    with pytest.raises(ValueError, match="4 of its 4 parameters from another model"):
        _fit(new, rk.Adam(old.parameters()))


def test_a_missing_optimizer_is_named():
    with pytest.raises(TypeError, match="optimizer must be a regkit optimizer .* got None"):
        _fit(rk.mlp((64, 16, 10), rng=0), None)


def test_an_optimizer_over_part_of_the_model_freezes_the_rest():
    model = rk.mlp((64, 16, 10), rng=0)
    first = model[0]
    frozen = first.W.data.copy()
    last_layer = [p for p in model.parameters() if not any(p is q for q in first.parameters())]
    _fit(model, rk.SGD(last_layer, lr=0.1))
    np.testing.assert_array_equal(first.W.data, frozen)


@pytest.mark.parametrize("bad", [-0.5, 0.0, float("nan"), float("inf"), "0.1"])
def test_a_learning_rate_is_checked_when_assigned(bad):
    opt = rk.SGD(rk.mlp((4, 2), rng=0).parameters(), lr=0.1)
    with pytest.raises((ValueError, TypeError), match="lr"):
        opt.lr = bad
    assert opt.lr == 0.1
    opt.lr = 0.05                        # a schedule's legal change still works
    assert opt.lr == 0.05


# -- backward with a gradient of the wrong shape -----------------------------------
def _layers():
    yield "Dense", rk.Dense(3, 2, rng=0), np.ones((4, 3)), (4, 2)
    yield "ReLU", rk.ReLU(), np.ones((4, 3)), (4, 3)
    yield "Tanh", rk.Tanh(), np.ones((4, 3)), (4, 3)
    yield "Sigmoid", rk.Sigmoid(), np.ones((4, 3)), (4, 3)
    yield "Flatten", rk.Flatten(), np.ones((4, 2, 3)), (4, 6)
    yield "Dropout", rk.Dropout(0.5, rng=0), np.ones((4, 3)), (4, 3)
    yield "DropConnect", rk.DropConnect(3, 2, p=0.5, rng=0), np.ones((4, 3)), (4, 2)
    yield "BatchNorm", rk.BatchNorm(3), np.arange(12.0).reshape(4, 3), (4, 3)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("name, layer, x, out", list(_layers()), ids=[n for n, *_ in _layers()])
def test_every_backward_names_a_gradient_of_the_wrong_shape(name, layer, x, out, training):
    layer.train(training)
    y = layer.forward(x)
    assert y.shape == out
    wrong = np.ones((1,) + out[1:])          # would broadcast silently against (4, ...)
    with pytest.raises(ValueError, match=rf"{name}\.backward: grad_y has shape "
                                         rf"\(1, \d+\), but the last forward returned "
                                         rf"shape \(4, \d+\)"):
        layer.backward(wrong)
    layer.backward(np.ones(out))             # the right shape still works


# -- Ctrl-C during fit ------------------------------------------------------------------
class _Snapshots:
    """Keeps every epoch's weights, to check what was restored."""

    def __init__(self, stop_at=None):
        self.weights, self.stop_at = [], stop_at

    def on_epoch_end(self, epoch, logs, model):
        self.weights.append([p.data.copy() for p in model.parameters()])
        if epoch == self.stop_at:
            raise KeyboardInterrupt


def _interrupted(callbacks, **kw):
    model = rk.mlp((64, 32, 10), rng=0)
    with pytest.raises(KeyboardInterrupt) as caught:
        _fit(model, rk.Adam(model.parameters(), lr=0.05), epochs=30,
             validation_data=(DATA.x_val, DATA.y_val), callbacks=callbacks, **kw)
    return model, caught.value


def test_ctrl_c_in_a_callback_keeps_the_history_and_restores_the_best_weights():
    snap = _Snapshots(stop_at=6)
    model, err = _interrupted([rk.EarlyStopping(patience=20, restore_best=True), snap])
    h = err.history
    assert h.interrupted and len(h.train_loss) == 7 and "interrupted" in repr(h)
    best = int(np.argmin(h.val_loss))
    assert h.restored_epoch == best
    for p, w in zip(model.parameters(), snap.weights[best]):
        np.testing.assert_array_equal(p.data, w)


def test_ctrl_c_in_the_middle_of_an_epoch_keeps_the_finished_ones():
    calls = {"n": 0}

    def augment(batch, rng=None):
        calls["n"] += 1
        if calls["n"] == 5:                  # epoch 2's first batch (two per epoch)
            raise KeyboardInterrupt
        return batch

    model, err = _interrupted([], augment=augment, batch_size=32)
    assert err.history.interrupted and len(err.history.train_loss) == 2


# -- small things that were silently wrong ---------------------------------------------
def test_a_negative_seed_names_the_argument():
    with pytest.raises(ValueError, match="rng must be a seed >= 0 .* got -1"):
        rk.mlp((4, 2), rng=-1)
    with pytest.raises(ValueError, match="seed: n must be >= 0, got -3"):
        rk.seed(-3)


def test_a_string_is_not_a_flag():
    with pytest.raises(TypeError, match="flatten must be True or False, got 'no'"):
        rk.datasets.digits(flatten="no")
    assert rk.datasets.digits(flatten=np.bool_(False)).x_train.ndim == 3


def test_probability_rows_must_be_probabilities():
    with pytest.raises(ValueError, match=r"y: probability rows must be >= 0 and sum to 1; "
                                         r"row 0 is \[0.5, 0.9\]"):
        rk.mixup(np.ones((2, 2)), np.array([[0.5, 0.9], [1.0, 0.0]]), 0.2, 2, rng=0)
    with pytest.raises(ValueError, match="row 1"):
        rk.smooth_labels(np.array([[1.0, 0.0], [1.5, -0.5]]), 0.1, 2)
    x, y = rk.mixup(np.ones((2, 2)), np.array([[0.25, 0.75], [1.0, 0.0]]), 0.2, 2, rng=0)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("loss, scores, target", [
    (rk.SoftmaxCrossEntropy(), np.zeros((0, 3)), np.zeros(0, dtype=int)),
    (rk.MSE(), np.zeros((0, 1)), np.zeros((0, 1))),
])
def test_an_empty_batch_is_an_error_not_a_division_by_zero(loss, scores, target):
    with pytest.raises(ValueError, match="the batch is empty"):
        loss.forward(scores, target)


# -- History.to_csv keeps what rk.diagnose reads ----------------------------------------
def test_the_csv_round_trip_keeps_the_restored_and_stopped_epochs(tmp_path):
    model = rk.mlp((64, 32, 10), rng=0)
    h = _fit(model, rk.Adam(model.parameters(), lr=0.05), epochs=60,
             validation_data=(DATA.x_val, DATA.y_val),
             callbacks=[rk.EarlyStopping(patience=3, restore_best=True)])
    assert h.stopped_epoch is not None and h.restored_epoch is not None
    path = tmp_path / "h.csv"
    h.to_csv(path)
    back = rk.History.from_csv(path)
    assert (back.stopped_epoch, back.restored_epoch) == (h.stopped_epoch, h.restored_epoch)
    assert back.val_loss == h.val_loss
    # the file and the object now give the same diagnosis, best epoch included
    assert rk.diagnose(path).best_epoch == rk.diagnose(h).best_epoch == h.restored_epoch
    h.to_csv(path)                                    # its own kind: replaced without asking
    header = path.read_text().splitlines()[0]
    assert header.endswith(",status")


def test_a_bad_status_cell_is_named(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("epoch,train_loss,val_loss,status\n0,1.0,1.1,\n1,0.5,0.9,best\n")
    with pytest.raises(ValueError, match="line 3: column 'status' holds 'best'"):
        rk.History.from_csv(path)


# -- hostile model files --------------------------------------------------------------
def _forge(path, header, arrays):
    import io
    import json
    buffer = io.BytesIO()
    np.savez(buffer, __regkit__=np.array(json.dumps(header)), **arrays)
    path.write_bytes(buffer.getvalue())


def test_a_forged_layer_size_is_refused_before_anything_is_allocated(tmp_path):
    model = rk.mlp((4, 3, 2), rng=0)
    model.save(tmp_path / "good.npz")
    import json
    header = json.loads(str(np.load(tmp_path / "good.npz")["__regkit__"]))
    header["layers"][0]["config"].update(in_features=60000, out_features=60000)
    _forge(tmp_path / "forged.npz", header, model.state_dict())
    with pytest.raises(ValueError, match=r"layer 0 declares weights of shape \(60000, 60000\) "
                                         r"but the file holds \(4, 3\)"):
        rk.load(tmp_path / "forged.npz")


def test_an_array_header_claiming_more_than_the_file_is_refused(tmp_path):
    import io
    import zipfile
    model = rk.mlp((4, 3, 2), rng=0)
    model.save(tmp_path / "m.npz")
    # a well-formed archive whose 0.W.npy header claims 149 GiB of float32
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        head, {"descr": "<f4", "fortran_order": False, "shape": (200000, 200000)})
    with zipfile.ZipFile(tmp_path / "m.npz") as src, \
            zipfile.ZipFile(tmp_path / "big.npz", "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, head.getvalue() + b"\0" * 48
                         if info.filename == "0.W.npy" else data)
    with pytest.raises(ValueError, match=r"declares shape \(200000, 200000\) \(149 GiB\)"):
        rk.load(tmp_path / "big.npz")


def test_a_deeply_nested_header_is_a_clear_error(tmp_path):
    import io
    buffer = io.BytesIO()
    np.savez(buffer, __regkit__=np.array("[" * 100_000 + "]" * 100_000))
    (tmp_path / "deep.npz").write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="is not a regkit model"):
        rk.load(tmp_path / "deep.npz")
