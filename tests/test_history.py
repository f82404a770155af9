"""rk.History: best/restored epoch, and the CSV round trip (to_csv -> from_csv)."""
import json
import math
import os

import numpy as np
import pytest

import regkit as rk
from regkit.history import FIELDS


def _history():
    """Five epochs of awkward floats (not short decimals), accuracies, one NaN."""
    g = np.random.default_rng(0)
    h = rk.History(config={"l2": 1e-3})
    for i in range(5):
        h.append(train_loss=float(g.random()) / 3, val_loss=1 / (i + 3) + 1e-17 * i,
                 train_acc=float(g.random()), val_acc=math.nan if i == 2 else 0.1 * i,
                 penalty=float(np.float32(g.random())), batch_loss=float(g.random()) * 1e-8)
    return h


def test_round_trip_keeps_every_epoch_and_every_digit(tmp_path):
    h = _history()
    path = tmp_path / "run.csv"
    h.to_csv(path)
    back = rk.History.from_csv(path)
    assert back.epochs == h.epochs == 5
    for name in FIELDS:
        a, b = getattr(h, name), getattr(back, name)
        assert len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y))
                                        for x, y in zip(a, b)), name
    assert back.best_epoch == h.best_epoch == int(np.argmin(h.val_loss))


def test_to_dict_keeps_the_restored_best_and_stopped_epochs():
    # restored_epoch, stopped_epoch and config stay with to_dict (JSON), not the CSV
    h = _history()
    h.restored_epoch, h.stopped_epoch = 1, 4
    assert h.best_epoch == 1
    d = json.loads(json.dumps(h.to_dict()))
    assert (d["restored_epoch"], d["best_epoch"], d["stopped_epoch"]) == (1, 1, 4)


def test_the_restored_epoch_round_trips_but_the_config_does_not(tmp_path):
    h = _history()
    h.restored_epoch = 1
    h.to_csv(tmp_path / "run.csv")
    back = rk.History.from_csv(tmp_path / "run.csv")
    assert back.restored_epoch == 1 and back.stopped_epoch is None and back.config == {}
    assert back.best_epoch == 1
    h.restored_epoch = None                 # nothing to mark: no status column at all
    h.to_csv(tmp_path / "plain.csv")
    assert "status" not in (tmp_path / "plain.csv").read_text()
    assert rk.History.from_csv(tmp_path / "plain.csv").best_epoch == int(np.argmin(h.val_loss))


def test_regression_and_shorter_series_round_trip(tmp_path):
    h = rk.History()
    for v in (0.5, 0.25, 0.125):
        h.append(train_loss=v, penalty=v / 10)
    h.append(train_loss=0.1)                   # penalty ends one epoch early
    h.to_csv(tmp_path / "r.csv")
    text = (tmp_path / "r.csv").read_text().splitlines()
    assert text[0] == "epoch,train_loss,penalty" and text[-1] == "3,0.1,"
    back = rk.History.from_csv(tmp_path / "r.csv")
    assert back.train_loss == h.train_loss and back.penalty == h.penalty
    assert back.train_acc == [] and back.val_loss == []


def test_an_empty_history_writes_only_a_header(tmp_path):
    rk.History().to_csv(tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_text().strip() == "epoch"
    with pytest.raises(ValueError, match="none of the History columns"):
        rk.History.from_csv(tmp_path / "e.csv")


def test_unknown_columns_are_ignored(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("epoch,train_loss,lr\n0,0.5,0.1\n1,0.25,0.1\n")
    assert rk.History.from_csv(path).train_loss == [0.5, 0.25]


@pytest.mark.parametrize("text, match", [
    ("", "empty file"),
    ("loss,val_loss\n1.0,1.1\n", "does not start with an 'epoch' column"),
    ("epoch,lr\n0,0.1\n", "none of the History columns"),
    ("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.0,0.4,1.1\n",
     r"columns \['accuracy', 'loss', 'val_accuracy'\].*rk.read_log"),
    ("epoch,step,train_loss_epoch,val_loss\n0,9,1.0,\n", "looks like a Keras or Lightning log"),
    ("epoch,train_loss\n0,0.5\n1,abc\n", r"line 3: column 'train_loss' holds 'abc'"),
    ("epoch,train_loss,val_loss\n0,0.5\n", "line 2 has 2 cells but the header has 3"),
    ("epoch,train_loss\n0,0.5\n2,0.4\n", "line 3: epoch '2', expected 1"),
    ("epoch,train_loss,val_loss\n0,0.5,\n1,0.4,0.3\n", "value after a blank cell"),
])
def test_a_malformed_csv_gets_a_clear_error(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match) as err:
        rk.History.from_csv(path)
    assert "bad.csv" in str(err.value)


def test_a_binary_file_is_not_a_history(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"PK\x03\x04\xff\xfe\x00\x81")
    with pytest.raises(ValueError, match="not a text file"):
        rk.History.from_csv(path)


def test_to_csv_replaces_its_own_kind_only(tmp_path):
    path = tmp_path / "run.csv"
    _history().to_csv(path)
    short = rk.History()
    short.append(train_loss=0.5)
    short.to_csv(path)                               # a History CSV: replaced
    assert rk.History.from_csv(path).train_loss == [0.5]
    notes = tmp_path / "notes.csv"
    notes.write_text("name,grade\nada,1\n")
    with pytest.raises(FileExistsError) as err:
        short.to_csv(notes)
    message = str(err.value)
    assert "to_csv" in message and "notes.csv" in message
    assert "not a regkit History CSV" in message and "overwrite=True" in message
    assert notes.read_text() == "name,grade\nada,1\n"
    short.to_csv(notes, overwrite=True)
    assert rk.History.from_csv(notes).train_loss == [0.5]
    assert sorted(os.listdir(tmp_path)) == ["notes.csv", "run.csv"]   # no temporary left
