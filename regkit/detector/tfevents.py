"""Read the scalars of TensorBoard event files without TensorFlow or TensorBoard.

An event file (``events.out.tfevents.*``, written by Keras' ``TensorBoard``
callback, PyTorch's ``SummaryWriter`` and Lightning's default logger) is a
sequence of TFRecords, each holding one serialized ``Event`` protocol buffer:

    record  = length (uint64 LE) | masked CRC-32C of length (uint32 LE)
              | data (length bytes) | masked CRC-32C of data (uint32 LE)
    Event   = 1: wall_time (double), 2: step (int64), 5: summary (Summary), ...
    Summary = 1: value (repeated Value)
    Value   = 1: tag (string), 2: simple_value (float), 8: tensor (TensorProto)
    TensorProto = 1: dtype (enum), 2: tensor_shape, 4: tensor_content (bytes),
                  5: float_val (packed float), 6: double_val (packed double),
                  7: int_val, 10: int64_val

A scalar is either a ``simple_value`` (TF1 style; PyTorch's
``add_scalar``) or a rank-0 float/int ``tensor`` (TF2 style; Keras). Only
those are read; images, histograms, graphs and text are skipped. The field
numbers come from TensorBoard's ``event.proto``, ``summary.proto`` and
``tensor.proto``; about 120 lines of decoding spare the user TensorFlow, the
``tensorboard`` package and ``protobuf``. The tests check this reader
against files written by the real libraries.

Every record's length is checked against its CRC, and every record read
(scalar events are under a few hundred bytes) against its data CRC. Records
over :data:`MAX_RECORD` bytes (images, graphs, large histograms) are
skipped unread. A file that ends inside a record, or whose CRC does not
match, is an error naming the file and the byte offset.
"""
from __future__ import annotations

import os
import struct
from collections.abc import Iterator

#: Records longer than this are skipped without being read (never a scalar).
MAX_RECORD = 1 << 16

# TensorFlow's DataType enum values for the numeric scalars we accept, with
# the struct format of one element in ``tensor_content``.
_DTYPES = {1: "<f", 2: "<d", 3: "<i", 9: "<q", 19: "<e"}   # float, double, int32, int64, half


# -- CRC-32C (Castagnoli), as TFRecord uses it ---------------------------------
def _crc_table() -> list:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C of ``data`` (reflected, polynomial 0x1EDC6F41)."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    """TFRecord's masked CRC: rotate right by 15 and add a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# -- TFRecord framing ----------------------------------------------------------
def records(path: str) -> Iterator[bytes]:
    """Yield the data of each record of the TFRecord file ``path``.

    Raises:
        ValueError: the file ends inside a record or a CRC does not match.
    """
    with open(path, "rb") as fh:
        size, offset = os.fstat(fh.fileno()).st_size, 0
        while True:
            header = fh.read(12)
            if not header:
                return
            if len(header) < 12:
                raise ValueError(f"{path!r} ends inside a record header at byte {offset} "
                                 "(truncated, or still being written)")
            length_bytes, length_crc = header[:8], struct.unpack("<I", header[8:])[0]
            if masked_crc(length_bytes) != length_crc:
                raise ValueError(f"{path!r}: the record at byte {offset} has a bad length "
                                 "checksum; this is not a TensorBoard event file, or it is "
                                 "damaged")
            (length,) = struct.unpack("<Q", length_bytes)
            if offset + 12 + length + 4 > size:
                raise ValueError(f"{path!r} ends inside the record at byte {offset} "
                                 "(truncated, or still being written)")
            if length > MAX_RECORD:
                fh.seek(length + 4, os.SEEK_CUR)
                offset += 12 + length + 4
                continue
            data, footer = fh.read(length), fh.read(4)
            if len(data) < length or len(footer) < 4:
                raise ValueError(f"{path!r} ends inside the record at byte {offset} "
                                 "(truncated, or still being written)")
            if masked_crc(data) != struct.unpack("<I", footer)[0]:
                raise ValueError(f"{path!r}: the record at byte {offset} has a bad data "
                                 "checksum (the file is damaged)")
            offset += 12 + length + 4
            yield data


# -- protocol buffer wire format -------------------------------------------------
def _varint(buf: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("bad varint")
        byte = buf[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


def fields(buf: bytes) -> Iterator[tuple[int, int, object]]:
    """Yield ``(field number, wire type, value)`` for each field of a message.

    The value is an int for varints, bytes for 64-bit, 32-bit and
    length-delimited fields (the caller knows the type from the schema).
    """
    i, n = 0, len(buf)
    while i < n:
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            size, i = _varint(buf, i)
            value, i = buf[i:i + size], i + size
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:                                   # 3/4: groups, long deprecated
            raise ValueError(f"unsupported wire type {wire}")
        if i > n:
            raise ValueError("message ends inside a field")
        yield number, wire, value


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _tensor_scalar(buf: bytes) -> float | None:
    """The value of a rank-0 numeric TensorProto, else None."""
    dtype, content, rank = None, b"", 0
    values = []
    for number, wire, value in fields(buf):
        if number == 1 and wire == 0:
            dtype = value
        elif number == 2 and wire == 2:        # TensorShapeProto: 2 = dim (repeated)
            rank += sum(1 for n, _, _ in fields(value) if n == 2)
        elif number == 4 and wire == 2:
            content = value
        elif number in (5, 6) and wire == 2:    # packed float_val / double_val
            fmt = "<f" if number == 5 else "<d"
            values += [v for (v,) in struct.iter_unpack(fmt, value)]
        elif number == 5 and wire == 5:
            values.append(struct.unpack("<f", value)[0])
        elif number == 6 and wire == 1:
            values.append(struct.unpack("<d", value)[0])
        elif number in (7, 10) and wire == 0:   # int_val / int64_val, unpacked
            values.append(float(_signed64(value)))
        elif number in (7, 10) and wire == 2:   # packed
            j = 0
            while j < len(value):
                v, j = _varint(value, j)
                values.append(float(_signed64(v)))
    if dtype not in _DTYPES or rank != 0:
        return None
    if content:
        fmt = _DTYPES[dtype]
        if len(content) != struct.calcsize(fmt):
            return None
        return float(struct.unpack(fmt, content)[0])
    return float(values[0]) if len(values) == 1 else None


def scalars(path: str) -> dict[str, list[tuple[int, float]]]:
    """Every scalar of an event file: tag -> ``[(step, value), ...]`` in file order.

    Raises:
        ValueError: the file is not a readable event file (naming the file
            and the byte offset or the broken message).
    """
    out: dict[str, list] = {}
    for k, data in enumerate(records(path)):
        try:
            step, summary = 0, None
            for number, wire, value in fields(data):
                if number == 2 and wire == 0:
                    step = _signed64(value)
                elif number == 5 and wire == 2:
                    summary = value
            if summary is None:
                continue                        # file_version, graph, session log, ...
            for number, wire, value in fields(summary):
                if number != 1 or wire != 2:
                    continue
                tag, scalar = None, None
                for n, w, v in fields(value):
                    if n == 1 and w == 2:
                        tag = v.decode("utf-8", "replace")
                    elif n == 2 and w == 5:
                        scalar = struct.unpack("<f", v)[0]
                    elif n == 8 and w == 2:
                        scalar = _tensor_scalar(v)
                if tag is not None and scalar is not None:
                    out.setdefault(tag, []).append((step, float(scalar)))
        except ValueError as err:
            raise ValueError(f"{path!r}: record {k} is not a valid Event message "
                             f"({err})") from None
    return out
