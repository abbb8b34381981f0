"""The column types the demo stages hand each other, and the columns every table shares.

Stages pass NumPy arrays (``IntArray`` of int64 instants, indexes and cents, ``FloatArray`` of
chances, ``BoolArray`` of masks) and return each table as ``Columns``: equal-length columns by
name, NumPy arrays where values are fixed-width and lists where they are Python objects (texts,
dicts, optional datetimes). :mod:`data_access.bulk` takes both. Ids are explicit and start at 1;
external ids read like a marketplace's (``ORD-00000001``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "BoolArray",
    "Column",
    "Columns",
    "FloatArray",
    "IntArray",
    "datetimes",
    "external_ids",
    "ids",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Column = npt.NDArray[Any] | list[Any]
Columns = dict[str, Column]


def ids(count: int) -> IntArray:
    """Primary keys 1..count."""
    return np.arange(1, count + 1, dtype=np.int64)


def external_ids(prefix: str, count: int, width: int) -> list[str]:
    """``PREFIX-000001`` … for ids 1..count, zero-padded to ``width`` digits."""
    # printf-style: a million ids take a third of the time f"{i:0{width}d}" takes.
    pattern = f"{prefix}-%0{width}d"
    return [pattern % i for i in range(1, count + 1)]


def datetimes(us: IntArray) -> npt.NDArray[np.datetime64]:
    """int64 microseconds since the epoch as a ``datetime64[us]`` column (NAT stays NaT)."""
    return us.astype(np.int64).view("datetime64[us]")
