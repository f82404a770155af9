"""Reading training logs: regkit, Keras (dict, CSVLogger, JSON), Lightning metrics.csv."""
import json
import types

import numpy as np
import pytest

import regkit as rk
from regkit.course.data import sample_log
from regkit.detector.logs import load, read_log


TRAIN_LOSS = [1.5, 0.9, 0.6, 0.5, 0.45]
VAL_LOSS = [1.6, 1.0, 0.8, 0.75, 0.8]
TRAIN_ACC = [0.5, 0.7, 0.8, 0.85, 0.9]
VAL_ACC = [0.45, 0.65, 0.72, 0.75, 0.74]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _assert_curves(series, n=5):
    np.testing.assert_array_equal(series["epoch"], np.arange(n))
    np.testing.assert_allclose(series["train_loss"], TRAIN_LOSS[:n])
    np.testing.assert_allclose(series["val_loss"], VAL_LOSS[:n])
    np.testing.assert_allclose(series["train_acc"], TRAIN_ACC[:n])
    np.testing.assert_allclose(series["val_acc"], VAL_ACC[:n])


# -- Keras ---------------------------------------------------------------------
def test_keras_csvlogger_file(tmp_path):
    # CSVLogger writes "epoch" then the sorted metric names, epochs 0-based
    rows = ["epoch,accuracy,loss,val_accuracy,val_loss"]
    rows += [f"{i},{a!r},{l!r},{va!r},{vl!r}" for i, (a, l, va, vl)
             in enumerate(zip(TRAIN_ACC, TRAIN_LOSS, VAL_ACC, VAL_LOSS))]
    series = read_log(_write(tmp_path, "training.log", "\n".join(rows) + "\n"))
    _assert_curves(series)
    assert series["train_loss"].dtype == np.float64


def test_keras_csvlogger_other_separator_and_learning_rate(tmp_path):
    rows = ["epoch;acc;learning_rate;loss;val_acc;val_loss"]
    rows += [f"{i};{a};0.001;{l};{va};{vl}" for i, (a, l, va, vl)
             in enumerate(zip(TRAIN_ACC, TRAIN_LOSS, VAL_ACC, VAL_LOSS))]
    _assert_curves(read_log(_write(tmp_path, "log.csv", "\n".join(rows))))


def test_keras_na_cell_drops_that_epoch_but_nan_is_kept(tmp_path):
    text = ("epoch,accuracy,loss,val_accuracy,val_loss\n"
            "0,0.5,1.5,0.45,1.6\n1,0.7,0.9,NA,NA\n2,0.8,nan,0.72,0.8\n")
    series = read_log(_write(tmp_path, "log.csv", text))
    np.testing.assert_array_equal(series["epoch"], [0, 2])
    assert np.isnan(series["train_loss"][1])          # a diverged value is data


def test_keras_history_dict_and_object():
    history = {"loss": TRAIN_LOSS, "val_loss": VAL_LOSS, "accuracy": TRAIN_ACC,
               "val_accuracy": VAL_ACC}
    _assert_curves(read_log(history))
    old_names = {"loss": np.array(TRAIN_LOSS), "val_loss": VAL_LOSS, "acc": TRAIN_ACC,
                 "val_acc": VAL_ACC}
    _assert_curves(read_log(old_names))
    keras_like = types.SimpleNamespace(history=history, params={"epochs": 5})
    _assert_curves(read_log(keras_like))


def test_reading_does_not_touch_the_callers_data():
    loss = np.array(TRAIN_LOSS)
    series = read_log({"loss": loss, "val_loss": VAL_LOSS})
    series["train_loss"][:] = 0.0
    np.testing.assert_array_equal(loss, TRAIN_LOSS)


# -- Lightning -------------------------------------------------------------------
def test_lightning_metrics_csv_separate_rows_with_blank_cells(tmp_path):
    # validation row, then the epoch's training row, both with the last step
    rows = ["epoch,step,train_acc,train_loss,val_acc,val_loss"]
    for e in range(5):
        rows.append(f"{e},{8 * e + 7},,,{VAL_ACC[e]},{VAL_LOSS[e]}")
        rows.append(f"{e},{8 * e + 7},{TRAIN_ACC[e]},{TRAIN_LOSS[e]},,")
    _assert_curves(read_log(_write(tmp_path, "metrics.csv", "\n".join(rows) + "\n")))


def test_lightning_step_and_epoch_columns(tmp_path):
    # on_step=True, on_epoch=True gives train_loss_step (every few steps) and
    # train_loss_epoch; the epoch aggregate wins, the step values are ignored
    rows = ["epoch,step,train_acc_epoch,train_loss_epoch,train_loss_step,val_acc,val_loss"]
    for e in range(5):
        rows.append(f"{e},{10 * e + 4},,,99.0,,")
        rows.append(f"{e},{10 * e + 9},,,-99.0,,")
        rows.append(f"{e},{10 * e + 9},,,,{VAL_ACC[e]},{VAL_LOSS[e]}")
        rows.append(f"{e},{10 * e + 9},{TRAIN_ACC[e]},{TRAIN_LOSS[e]},,,")
    _assert_curves(read_log(_write(tmp_path, "metrics.csv", "\n".join(rows))))


def test_lightning_step_level_only_is_averaged_per_epoch(tmp_path):
    rows = ["epoch,step,train_loss,val_loss"]
    for e in range(5):
        rows.append(f"{e},{2 * e},{TRAIN_LOSS[e] + 0.1},")
        rows.append(f"{e},{2 * e + 1},{TRAIN_LOSS[e] - 0.1},")
        rows.append(f"{e},{2 * e + 1},,{VAL_LOSS[e]}")
    series = read_log(_write(tmp_path, "metrics.csv", "\n".join(rows)))
    np.testing.assert_allclose(series["train_loss"], TRAIN_LOSS)
    assert "train_acc" not in series


def test_lightning_validation_every_other_epoch_keeps_epoch_labels(tmp_path):
    rows = ["epoch,step,train_loss,val_loss"]
    for e in range(5):
        rows.append(f"{e},{e},{TRAIN_LOSS[e]},")
        if e % 2 == 1:
            rows.append(f"{e},{e},,{VAL_LOSS[e]}")
    series = read_log(_write(tmp_path, "metrics.csv", "\n".join(rows)))
    np.testing.assert_array_equal(series["epoch"], [1, 3])
    np.testing.assert_allclose(series["train_loss"], [TRAIN_LOSS[1], TRAIN_LOSS[3]])


# -- regkit and JSON -------------------------------------------------------------
def _history():
    h = rk.History(config={"dropout": [0.5], "l2": 1e-3})
    for values in zip(TRAIN_LOSS, VAL_LOSS, TRAIN_ACC, VAL_ACC):
        h.append(**dict(zip(("train_loss", "val_loss", "train_acc", "val_acc"), values)))
    h.stopped_epoch = 4
    h.restored_epoch = 3
    return h


def test_regkit_history_keeps_config_and_early_stopping():
    run = load(_history())
    _assert_curves(run.series)
    assert run.config == {"dropout": [0.5], "l2": 1e-3}
    assert (run.best_epoch, run.stopped_epoch) == (3, 4)


def test_regkit_history_csv_round_trip(tmp_path):
    path = tmp_path / "run.csv"
    _history().to_csv(path)
    _assert_curves(read_log(path))


def test_json_dict_of_lists_history_to_dict_and_records(tmp_path):
    keras = {"loss": TRAIN_LOSS, "val_loss": VAL_LOSS, "accuracy": TRAIN_ACC,
             "val_accuracy": VAL_ACC}
    _assert_curves(read_log(_write(tmp_path, "a.json", json.dumps(keras))))
    _assert_curves(read_log(_write(tmp_path, "b.json", json.dumps({"history": keras}))))
    run = load(_write(tmp_path, "c.json", json.dumps(_history().to_dict())))
    _assert_curves(run.series)
    assert run.config["l2"] == 1e-3 and run.stopped_epoch == 4
    records = [{"epoch": i, "loss": l, "val_loss": v} for i, (l, v)
               in enumerate(zip(TRAIN_LOSS, VAL_LOSS))]
    series = read_log(_write(tmp_path, "d.json", json.dumps(records)))
    np.testing.assert_allclose(series["val_loss"], VAL_LOSS)


def test_shipped_samples():
    keras = read_log(sample_log("keras_log.csv"))
    assert len(keras["epoch"]) == 40 and set(keras) == {
        "epoch", "train_loss", "val_loss", "train_acc", "val_acc"}
    lightning = read_log(sample_log("lightning_metrics.csv"))
    assert len(lightning["epoch"]) == 30
    assert np.all(np.isfinite(lightning["val_acc"]))


# -- unusable input ----------------------------------------------------------------
def test_missing_columns_message_names_found_and_needed(tmp_path):
    path = _write(tmp_path, "log.csv", "epoch,loss,lr\n0,1.0,0.1\n1,0.8,0.1\n")
    with pytest.raises(ValueError) as err:
        read_log(path)
    message = str(err.value)
    assert "log.csv" in message and "'loss'" in message and "'lr'" in message
    assert "val_loss" in message and "val_accuracy" in message
    with pytest.raises(ValueError, match="found columns"):
        read_log({"loss": TRAIN_LOSS})


@pytest.mark.parametrize("content, match", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"\xff\xfe\xfa garbage \xc3\x28", "not UTF-8"),
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"epoch,loss,val_loss\n", "no rows"),
    (b"epoch,loss,val_loss\n0,1.0,abc\n", "'val_loss', row 2"),
    (b"epoch,loss,val_loss\n0,1.0\n", "row 2 has 2 cells"),
    (b"{not json", "not valid JSON"),
    (b"[1, 2, 3]", "JSON object"),
    (b"epoch,accuracy,loss,val_accuracy,val_loss\n0,85.0,1.0,80.0,1.1\n", "percentages"),
])
def test_garbage_files_are_rejected_naming_the_path(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match) as err:
        read_log(path)
    assert "bad.csv" in str(err.value)


def test_other_bad_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_log(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="directory"):
        read_log(tmp_path)
    with pytest.raises(TypeError, match="int"):
        read_log(3)
    with pytest.raises(ValueError, match="different lengths"):
        read_log({"loss": [1.0, 0.9], "val_loss": [1.0]})
    with pytest.raises(ValueError, match="not a number"):
        read_log({"loss": [1.0, "x"], "val_loss": [1.0, 0.9]})


# -- Hugging Face Trainer: trainer_state.json ---------------------------------
# A hand-written state in the Trainer's layout: the training loss logged every
# 25 steps, an evaluation every 50, the closing summary entry, and an
# EarlyStoppingCallback that ended the run at step 600 of 1250.
HF_STATE = sample_log("hf_trainer_state.json")


def test_trainer_state_pairs_each_evaluation_with_the_training_losses_before_it():
    state = json.loads(HF_STATE.read_text())
    evals = [e for e in state["log_history"] if "eval_loss" in e]
    trains = [e for e in state["log_history"] if "loss" in e]
    run = load(HF_STATE)
    assert run.epochs == len(evals) == 12
    steps = [0] + [e["step"] for e in evals]
    expected = [np.mean([t["loss"] for t in trains if lo < t["step"] <= hi])
                for lo, hi in zip(steps, steps[1:])]
    np.testing.assert_allclose(run.series["train_loss"], expected)
    assert run.series["train_loss"][0] == pytest.approx((1.7 + 1.394) / 2)  # by hand
    np.testing.assert_allclose(run.series["val_loss"], [e["eval_loss"] for e in evals])
    np.testing.assert_allclose(run.series["epoch"], [e["epoch"] for e in evals])
    # the summary's run-average train_loss (0.41) is no point of the curve
    assert "train_acc" not in run.series and "val_acc" not in run.series
    assert run.stopped_epoch == 11          # global_step 600 < max_steps 1250
    assert rk.diagnose(HF_STATE).verdict == "overfitting"


def test_trainer_state_is_told_from_its_content_and_a_finished_run_is_not_stopped(tmp_path):
    state = json.loads(HF_STATE.read_text())
    state["global_step"] = state["max_steps"]
    path = _write(tmp_path, "state.txt", json.dumps(state))
    run = load(path)
    assert run.epochs == 12 and run.stopped_epoch is None


@pytest.mark.parametrize("change, message", [
    (lambda s: s.update(log_history=[e for e in s["log_history"] if "eval_loss" not in e]),
     "0 evaluation entries"),
    (lambda s: s.update(log_history={"loss": 1}), "'log_history' must be a list"),
    (lambda s: s["log_history"][0].pop("step"), "no numeric 'step'"),
    (lambda s: s.update(log_history=[e for e in s["log_history"] if "eval_loss" in e]),
     "0 training-loss"),
])
def test_a_trainer_state_that_cannot_be_diagnosed_says_why(tmp_path, change, message):
    state = json.loads(HF_STATE.read_text())
    change(state)
    path = _write(tmp_path, "trainer_state.json", json.dumps(state))
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_truncated_trainer_state_is_a_one_line_error_and_exit_code_2(tmp_path, capsys):
    from regkit.__main__ import main
    path = _write(tmp_path, "trainer_state.json", HF_STATE.read_text()[:700])
    assert main(["diagnose", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "not valid JSON" in err and len(err.splitlines()) == 1


def test_deeply_nested_json_is_a_one_line_error_and_exit_code_2(tmp_path, capsys):
    from regkit.__main__ import main
    path = _write(tmp_path, "log.json", "[" * 100_000 + "]" * 100_000)
    assert main(["diagnose", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "nested too deeply" in err and len(err.splitlines()) == 1


def test_lightning_learning_rate_monitor_rows_are_left_out(tmp_path):
    # LearningRateMonitor logs lr-Adam at steps where no epoch is written
    text = ("epoch,lr-Adam,step,train_loss,val_loss\n"
            ",0.001,0,,\n0,,9,1.5,\n0,,9,,1.6\n,0.001,10,,\n1,,19,0.9,\n1,,19,,1.0\n"
            "2,,29,0.6,\n2,,29,,0.8\n3,,39,0.5,\n3,,39,,0.75\n4,,49,0.45,\n4,,49,,0.8\n")
    run = load(_write(tmp_path, "metrics.csv", text))
    np.testing.assert_array_equal(run.series["epoch"], np.arange(5))
    np.testing.assert_allclose(run.series["train_loss"], TRAIN_LOSS)
    assert run.framework == "lightning"
    bad = text.replace(",0.001,10,,", ",0.001,10,0.7,")
    with pytest.raises(ValueError, match="row 5 has a blank 'epoch' cell but holds"):
        load(_write(tmp_path, "bad.csv", bad))


def test_a_csvlogger_file_with_two_runs_is_refused_not_averaged(tmp_path):
    rows = ["epoch,accuracy,loss,val_accuracy,val_loss"]
    for _ in range(2):                        # CSVLogger(append=True), trained twice
        rows += [f"{i},{a},{l},{va},{vl}" for i, (a, l, va, vl)
                 in enumerate(zip(TRAIN_ACC, TRAIN_LOSS, VAL_ACC, VAL_LOSS))]
    with pytest.raises(ValueError, match=r"more than one run: the epoch goes back from 4 to 0 "
                                         r"at data row 6"):
        load(_write(tmp_path, "training.log", "\n".join(rows)))


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs a FIFO")
def test_devices_and_pipes_are_refused_at_once(tmp_path):
    import os
    from regkit.__main__ import main
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path in (str(fifo), "/dev/zero"):
        with pytest.raises(ValueError, match="not a regular file"):
            load(path)
    assert main(["diagnose", "/dev/zero"]) == 2


def test_a_huge_text_log_is_refused_by_its_size(tmp_path, monkeypatch):
    from regkit.detector import logs
    monkeypatch.setattr(logs, "MAX_TEXT_BYTES", 100)
    path = _write(tmp_path, "big.csv", "epoch,loss,val_loss\n" + "0,1.0,1.0\n" * 20)
    with pytest.raises(ValueError, match="read up to 0 MiB"):
        load(path)
