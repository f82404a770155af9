"""Random bytes, text and JSON fed to every reader: a parsed log or a clear ValueError.

Property-based (hypothesis): each reader gets hundreds of generated files and
must return normally or raise ValueError with a one-line message, within a
deadline. Any other exception (IndexError, KeyError, RecursionError,
MemoryError, ...) is a bug this suite exists to find.
"""
import json
import os
import struct
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regkit as rk
from regkit.detector import tfevents
from regkit.detector.logs import load

SETTINGS = settings(max_examples=150, deadline=2000,
                    suppress_health_check=[HealthCheck.too_slow])


def _write(data: bytes, name: str) -> str:
    folder = tempfile.mkdtemp(prefix="rk-hostile-")
    path = os.path.join(folder, name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def _read_or_refuse(reader, path):
    try:
        reader(path)
    except ValueError as err:
        assert "\n" not in str(err).strip(), f"a multi-line message: {err}"


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes_as_a_log(data):
    for name in ("log.csv", "log.json", "events.out.tfevents.1.x"):
        _read_or_refuse(load, _write(data, name))


CSV_ALPHABET = st.sampled_from(list("0123456789.,;-\n eNaIf") +
                               ["epoch", "loss", "val_loss", "accuracy", "val_accuracy",
                                "train_loss", "step", "NA", "nan", "inf", '"'])


@SETTINGS
@given(st.lists(CSV_ALPHABET, max_size=400).map("".join))
def test_random_csv_like_text(text):
    _read_or_refuse(load, _write(text.encode(), "log.csv"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(
        st.sampled_from(["loss", "val_loss", "accuracy", "val_accuracy", "history",
                         "log_history", "step", "eval_loss", "epoch", "max_steps",
                         "global_step", "config", "x"]), children, max_size=6),
    max_leaves=40)


@SETTINGS
@given(JSON_VALUES)
def test_random_json(value):
    _read_or_refuse(load, _write(json.dumps(value).encode(), "log.json"))


def _record(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", tfevents.masked_crc(length)) + data
            + struct.pack("<I", tfevents.masked_crc(data)))


@SETTINGS
@given(st.lists(st.binary(max_size=200), max_size=8))
def test_well_framed_records_with_random_payloads(payloads):
    # the CRCs hold, so the protobuf decoder itself meets the random bytes
    path = _write(b"".join(_record(p) for p in payloads), "events.out.tfevents.1.x")
    _read_or_refuse(load, path)
    try:
        tfevents.scalars(path)
    except ValueError:
        pass


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes_as_a_model(data):
    for prefix in (b"", b"PK\x03\x04"):
        with pytest.raises(ValueError):
            rk.load(_write(prefix + data, "model.npz"))


@settings(max_examples=40, deadline=5000)
@given(st.integers(0, 2000), st.binary(min_size=1, max_size=16))
def test_a_real_model_file_damaged_anywhere(offset, junk):
    model = rk.mlp((4, 3, 2), rng=0)
    folder = tempfile.mkdtemp(prefix="rk-hostile-")
    good = os.path.join(folder, "good.npz")
    model.save(good)
    raw = bytearray(open(good, "rb").read())
    offset %= len(raw)
    raw[offset:offset + len(junk)] = junk
    path = _write(bytes(raw), "damaged.npz")
    try:
        back = rk.load(path)
    except ValueError:
        return
    # the arrays are CRC-checked, so damage the reader did not refuse (in the
    # zip's metadata, say) cannot have changed a weight
    for p, q in zip(model.parameters(), back.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
