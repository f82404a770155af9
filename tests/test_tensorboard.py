"""Reading TensorBoard event files: the parser against files the real libraries wrote.

The fixtures were written by PyTorch's SummaryWriter (one value per epoch, and
a run logged every few steps), Keras 3's TensorBoard callback and Lightning 2's
TensorBoardLogger and CSVLogger, with tests/data/make_log_fixtures.py. Small synthetic files for the
other layouts are written here with a few lines of protobuf encoding.
"""
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

import regkit as rk
from regkit.__main__ import main
from regkit.course.data import sample_log
from regkit.detector import tensorboard, tfevents
from regkit.detector.logs import load

DATA = Path(__file__).parent / "data"
TB_PYTORCH, TB_KERAS = sample_log("tensorboard_pytorch"), sample_log("tensorboard_keras")


# -- a minimal event writer, for layouts no fixture covers ----------------------
def _varint(n):
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def _field(number, payload):                       # length-delimited
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _event(step, tag, value):
    val = _field(1, tag.encode()) + _varint(2 << 3 | 5) + struct.pack("<f", value)
    return _varint(2 << 3 | 0) + _varint(step) + _field(5, _field(1, val))


def _record(data):
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", tfevents.masked_crc(length)) + data
            + struct.pack("<I", tfevents.masked_crc(data)))


def _write_events(path, points):
    """points: [(step, tag, value)] -> an event file at path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = _record(_field(3, b"brain.Event:2"))  # the file_version record every writer puts first
    path.write_bytes(header + b"".join(_record(_event(*p)) for p in points))
    return path


TRAIN = [1.2, 0.8, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08, 0.05, 0.03, 0.02, 0.015]
VAL = [1.25, 0.9, 0.7, 0.62, 0.6, 0.61, 0.64, 0.68, 0.72, 0.77, 0.81, 0.86]


# -- the format ------------------------------------------------------------------
def test_crc32c_known_answer():
    # the standard check value of CRC-32C (RFC 3720, appendix B.4)
    assert tfevents.crc32c(b"123456789") == 0xE3069283


@pytest.mark.parametrize("folder", [TB_PYTORCH, DATA / "tb_pytorch_steps"])
def test_every_value_summarywriter_wrote_is_read_back_exactly(folder):
    logged = json.loads((DATA / f"{folder.name}_logged.json").read_text())
    (event_file,) = folder.iterdir()
    read = tfevents.scalars(str(event_file))
    assert set(read) == set(logged)
    for tag, points in logged.items():
        assert read[tag] == [(step, value) for step, value in points]


def test_keras_tensorboard_callback_agrees_with_its_csvlogger():
    run = load(TB_KERAS)
    csv = load(DATA / "keras_training.log")
    assert run.framework == csv.framework == "keras"
    np.testing.assert_array_equal(run.series["epoch"], csv.series["epoch"])
    for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
        # TF2 summaries store float32 tensors; CSVLogger prints the same floats
        np.testing.assert_allclose(run.series[name], csv.series[name], rtol=1e-6)
    # and the same run's History.history, saved as JSON, is the same log again
    history = load(DATA / "keras_history.json")
    assert history.framework == "keras"
    for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
        np.testing.assert_allclose(history.series[name], csv.series[name], rtol=1e-6)
    assert "validation/epoch_loss" in run.source         # the report names the tags used
    assert "evaluation_loss_vs_iterations" not in run.source


def test_lightnings_two_loggers_of_one_run_agree():
    # a real Lightning 2 run: CSVLogger's metrics.csv and TensorBoardLogger's
    # events, training logged per step and per epoch, validation per epoch
    csv = load(DATA / "lightning_metrics_real.csv")
    run = load(DATA / "tb_lightning")
    assert csv.framework == run.framework == "lightning"
    np.testing.assert_array_equal(run.series["epoch"], np.arange(40))   # from the "epoch" tag
    for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
        np.testing.assert_allclose(run.series[name], csv.series[name], rtol=1e-6)
    assert "train_loss='train_loss_epoch'" in run.source
    d = rk.diagnose(DATA / "tb_lightning")
    assert d.verdict == "overfitting"
    text = " ".join(d.suggestions)
    assert "configure_optimizers" in text and "ModelCheckpoint(monitor='val_loss')" in text


def test_a_step_based_run_is_aligned_on_the_validation_steps():
    logged = json.loads((DATA / "tb_pytorch_steps_logged.json").read_text())
    run = load(DATA / "tb_pytorch_steps")
    val_steps = [s for s, _ in logged["val/loss"]]
    np.testing.assert_array_equal(run.series["epoch"], val_steps)
    edges = [0] + val_steps
    expected = [np.mean([v for s, v in logged["train/loss"] if lo < s <= hi])
                for lo, hi in zip(edges, edges[1:])]
    np.testing.assert_allclose(run.series["train_loss"], expected, rtol=1e-12)
    np.testing.assert_allclose(run.series["val_loss"], [v for _, v in logged["val/loss"]])


@pytest.mark.parametrize("folder, framework", [(TB_PYTORCH, "pytorch"),
                                               (DATA / "tb_pytorch_steps", "pytorch"),
                                               (TB_KERAS, "keras")])
def test_the_real_overfitting_runs_are_diagnosed_with_advice_in_their_framework(folder,
                                                                             framework):
    d = rk.diagnose(folder)
    assert d.verdict == "overfitting" and d.framework == framework
    text = " ".join(d.suggestions)
    if framework == "keras":
        assert "keras.layers.BatchNormalization()" in text and "L2(5e-4)" in text
    else:
        assert "nn.BatchNorm1d(width)" in text and "weight_decay=1e-3" in text
    assert "rk." not in text


# -- layouts ---------------------------------------------------------------------
@pytest.mark.parametrize("tag, expected", [
    ("Loss/train", ("train_loss", 1)), ("Loss/val", ("val_loss", 1)),
    ("train_loss_epoch", ("train_loss", 0)), ("train_loss_step", ("train_loss", 2)),
    ("eval/loss", ("val_loss", 1)), ("validation/epoch_accuracy", ("val_acc", 0)),
    ("validation/evaluation_loss_vs_iterations", ("val_loss", 2)),
    ("Accuracy/valid", ("val_acc", 1)), ("test_loss", None), ("lr-Adam", None),
    ("epoch_learning_rate", None), ("epoch", None),
])
def test_tags_are_sorted_by_their_words(tag, expected):
    assert tensorboard.classify(tag) == expected


def test_add_scalars_subfolders_and_the_lightning_epoch_tag(tmp_path):
    # PyTorch's add_scalars("Loss", {"train": ..., "val": ...}) writes one subfolder per key
    run_dir = tmp_path / "run"
    _write_events(run_dir / "events.out.tfevents.1.host", [])
    _write_events(run_dir / "Loss_train" / "events.out.tfevents.1.host",
                  [(i, "Loss", v) for i, v in enumerate(TRAIN)])
    _write_events(run_dir / "Loss_val" / "events.out.tfevents.1.host",
                  [(i, "Loss", v) for i, v in enumerate(VAL)])
    run = load(run_dir)
    np.testing.assert_allclose(run.series["val_loss"], np.float32(VAL))
    assert run.framework == "pytorch" and run.epochs == 12
    # Lightning: a step-numbered log with an "epoch" scalar gives epoch labels
    lightning = tmp_path / "lightning_logs" / "version_0"
    points = []
    for epoch, (t, v) in enumerate(zip(TRAIN, VAL)):
        step = 10 * (epoch + 1) - 1
        points += [(step, "train_loss_step", t + 0.1), (step, "train_loss_epoch", t),
                   (step, "val_loss", v), (step, "epoch", epoch)]
    _write_events(lightning / "events.out.tfevents.2.host", points)
    (lightning / "hparams.yaml").write_text("{}\n")
    run = load(lightning)
    np.testing.assert_array_equal(run.series["epoch"], np.arange(12))
    np.testing.assert_allclose(run.series["train_loss"], np.float32(TRAIN))   # _epoch wins
    assert run.framework == "lightning"
    assert rk.diagnose(lightning).framework == "lightning"


def test_a_resumed_run_in_two_files_keeps_the_later_value(tmp_path):
    _write_events(tmp_path / "events.out.tfevents.1.a",
                  [(i, t, v) for i in range(6) for t, v in
                   (("train_loss", TRAIN[i]), ("val_loss", 9.0))])
    _write_events(tmp_path / "events.out.tfevents.2.a",
                  [(i, t, v) for i in range(4, 12) for t, v in
                   (("train_loss", TRAIN[i]), ("val_loss", VAL[i]))])
    run = load(tmp_path)
    np.testing.assert_allclose(run.series["val_loss"], np.float32([9.0] * 4 + VAL[4:]))


def test_an_event_file_is_known_by_its_content_and_format_can_insist(tmp_path):
    src = next(TB_PYTORCH.iterdir())
    renamed = tmp_path / "run.bin"
    shutil.copy(src, renamed)
    assert load(renamed).framework == "pytorch"
    assert load(renamed, format="tensorboard").epochs == 60
    with pytest.raises(ValueError, match="binary file"):
        load(renamed, format="csv")
    with pytest.raises(ValueError, match="format must be one of"):
        load(renamed, format="tfrecord")


# -- bad input: one line, exit code 2 -----------------------------------------------
def _damaged(tmp_path):
    good = next(TB_PYTORCH.iterdir()).read_bytes()
    cases = {
        "empty": b"",
        "truncated": good[:-7],
        "header cut": good[:5],
        "flipped data byte": good[:60] + bytes([good[60] ^ 0xFF]) + good[61:],
        "garbage": b"\x01\x02\x03 not an event file at all" * 10,
        "huge length": struct.pack("<Q", 1 << 62) + struct.pack(
            "<I", tfevents.masked_crc(struct.pack("<Q", 1 << 62))) + b"x" * 20,
    }
    paths = {}
    for name, content in cases.items():
        path = tmp_path / name.replace(" ", "_") / "events.out.tfevents.1.host"
        path.parent.mkdir()
        path.write_bytes(content)
        paths[name] = path
    return paths


@pytest.mark.parametrize("case, message", [
    ("empty", "empty event file"), ("truncated", "ends inside"),
    ("header cut", "ends inside a record header"), ("flipped data byte", "checksum"),
    ("garbage", "bad length checksum"), ("huge length", "ends inside"),
])
def test_a_damaged_event_file_is_one_line_and_exit_code_2(tmp_path, capsys, case, message):
    path = _damaged(tmp_path)[case]
    for target in (path, path.parent):
        assert main(["diagnose", str(target)]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1, err


def test_folders_that_are_not_one_run_say_so(tmp_path, capsys):
    for version in ("version_0", "version_1"):
        _write_events(tmp_path / "lightning_logs" / version / "events.out.tfevents.1.h",
                      [(i, "train_loss", 1.0) for i in range(3)])
    with pytest.raises(ValueError, match="several runs .*version_0, .*version_1"):
        load(tmp_path / "lightning_logs")
    (tmp_path / "nothing").mkdir()
    with pytest.raises(ValueError, match="no TensorBoard event files"):
        load(tmp_path / "nothing")
    only_train = _write_events(tmp_path / "t" / "events.out.tfevents.1.h",
                               [(i, "train_loss", 1.0) for i in range(3)])
    assert main(["diagnose", str(only_train)]) == 2
    err = capsys.readouterr().err
    assert "found tags ['train_loss']" in err and len(err.strip().splitlines()) == 1
