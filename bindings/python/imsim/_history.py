"""Histories as pandas DataFrames, and back to HISTORY.md JSON Lines for imsim.check.

A history DataFrame has one row per event, in file order, with the format's field names as
columns: t (ns), line, type, device, user, conv, msg, conv_seq, at, phase, quiesced, vc, gvc,
msgs, first_conv_seq and json (the whole object of an ``x-`` event). A field an event does not
have is missing (NaN / <NA> / None). Name columns are categoricals; df.attrs["header"] is the
history's header line (devices, conversations, version), which check() needs.
"""
import json
import math

import numpy as np
import pandas as pd

_CATEGORICAL = ("type", "device", "user", "conv", "msg", "at", "phase")
_MASKED_INT = ("conv_seq", "first_conv_seq")
_OBJECT = ("vc", "gvc", "msgs")
# Fields written per event type (besides t and type), in HISTORY.md order.
_FIELDS = {
    "send": ("device", "conv", "msg", "vc", "gvc"),
    "ack": ("device", "msg", "conv_seq"),
    "fail": ("device", "msg"),
    "display": ("device", "conv", "msg", "at", "conv_seq"),
    "online": ("device",), "offline": ("device",), "kill": ("device",), "reinstall": ("device",),
    "phase": ("phase",),
    "timeline": ("conv", "msgs", "first_conv_seq"),
    "top_reached": ("device", "conv"),
    "end": ("quiesced",),
}


def frame_from_columns(columns, header):
    """The DataFrame of a history from the extension's column arrays (no per-row Python)."""
    data = {"t": columns["t"], "line": columns["line"]}
    for name in _CATEGORICAL:
        codes, categories = columns[name]
        data[name] = pd.Categorical.from_codes(codes, categories=_unique(categories))
    for name in _MASKED_INT:
        values, mask = columns[name]
        data[name] = pd.arrays.IntegerArray(values, mask)
    values, mask = columns["quiesced"]
    data["quiesced"] = pd.arrays.BooleanArray(values.astype(bool), mask)
    for name in _OBJECT + ("json",):
        data[name] = pd.Series(columns[name], dtype=object)
    df = pd.DataFrame(data)
    df = df[["t", "line", "type", "device", "user", "conv", "msg", "conv_seq", "at", "phase",
             "quiesced", "vc", "gvc", "msgs", "first_conv_seq", "json"]]
    df.attrs["header"] = header
    return df


def _unique(categories):
    # pandas needs unique categories; the history's name tables are (interned names).
    assert len(set(categories)) == len(categories), "history names must be unique"
    return list(categories)


def _missing(value):
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def to_jsonl(df):
    """HISTORY.md JSON Lines text of a history DataFrame (header from df.attrs["header"])."""
    header = df.attrs.get("header")
    if not isinstance(header, dict):
        raise ValueError("the DataFrame has no history header: set df.attrs['header'] to the "
                         "header line (a dict with format, version, devices, conversations)")
    for column in ("t", "type"):
        if column not in df.columns:
            raise ValueError(f"the DataFrame has no column {column!r}")
    lines = [json.dumps(header)]
    records = df.to_dict("records")
    for row in records:
        kind = str(row["type"])
        if kind.startswith("x-") and not _missing(row.get("json")):
            lines.append(row["json"])
            continue
        event = {"t": int(row["t"]), "type": kind}
        for field in _FIELDS.get(kind, ()):
            value = row.get(field)
            if not _missing(value):
                event[field] = _plain(value)
        lines.append(json.dumps(event))
    return "\n".join(lines) + "\n"
