"""The demo generator's output, pinned: a refactor or a speed-up must not change a single row.

``generate`` is deterministic for a seed and ``today`` (one NumPy generator, Faker seeded from
it, no clock), so a hash of every table's every column — values *and* their types, turned into
stable text — names one exact data set. The golden value below was recorded from the generator
before ``services/demo/data.py`` was split into a package; it is a hard-coded answer on purpose:
it pins "no change at all", which no independent computation could express. It depends on the
pinned libraries' streams too (NumPy's ``default_rng`` distributions, Faker's name lists): if an
upgrade of NumPy or Faker moves it, check the diff is only names/draws, then record the new value
in the same commit as the upgrade, never with a change to ``services/demo``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

import numpy as np
import pytest

from services.demo.data import DemoData, generate

#: (orders, seed, today) -> sha256 of :func:`fingerprint`, recorded before the split. 30,000
#: orders walk every claim path but one, the queue top-up included; 600 orders on another day
#: top up every undecided status; 40,000 orders with seed 6 hold the one path the others miss, a
#: pending proposal that lapsed because its order shipped after it.
GOLDEN: dict[tuple[int, int, date], str] = {
    (30_000, 5, date(2026, 6, 15)): (
        "efed87dba21835caccdd713ade39eab5bc930a15813135af16da779d64ea00d4"
    ),
    (600, 1, date(2025, 6, 4)): "229f79b6de5b705f17dd712a0d06bd9acae0eda78ccc0858db7330d10962f16c",
    (40_000, 6, date(2026, 6, 15)): (
        "0e648fe07387958172f7c922f81671f6a4d6fb74e5c1c92b4d5a1c43b3f7edb3"
    ),
}


def _text(value: Any) -> str:
    """One value as text that names its type too (``int`` and ``np.int64`` differ)."""
    kind = type(value).__name__
    if value is None or isinstance(value, bool | int | str | np.bool_ | np.integer):
        shown = json.dumps(value.item() if isinstance(value, np.generic) else value)
    elif isinstance(value, float | np.floating):
        shown = float(value).hex()
    elif isinstance(value, datetime | date):
        shown = value.isoformat()
    elif isinstance(value, dict):
        shown = "{" + ",".join(f"{_text(k)}:{_text(v)}" for k, v in value.items()) + "}"
    elif isinstance(value, list | tuple):
        shown = "[" + ",".join(_text(v) for v in value) + "]"
    else:
        raise TypeError(f"no stable text for {kind}: {value!r}")
    return f"{kind}:{shown}"


def fingerprint(data: DemoData) -> str:
    """sha256 over every table, column and value, in order, with dtypes and Python types."""
    digest = hashlib.sha256()
    for table in data.tables:
        digest.update(f"table {table.name} {table.rows}\n".encode())
        for name, column in table.columns.items():
            if isinstance(column, np.ndarray) and column.dtype != object:
                # Fixed-width values: the dtype and the raw bytes say everything (NaT included).
                digest.update(f"column {name} ndarray {column.dtype.str}\n".encode())
                digest.update(np.ascontiguousarray(column).tobytes())
            else:
                container = "ndarray-object" if isinstance(column, np.ndarray) else "list"
                digest.update(f"column {name} {container}\n".encode())
                for value in column:
                    digest.update(_text(value).encode())
                    digest.update(b"\n")
    return digest.hexdigest()


def test_fingerprint_sees_a_one_value_change() -> None:
    """Guard against a fingerprint that passes because it reads nothing."""
    data = generate(orders=400, seed=5, today=date(2026, 6, 15))
    before = fingerprint(data)
    claims = data.table("claims").columns
    assert isinstance(claims["description"], list)
    claims["description"][0] += " "
    assert fingerprint(data) != before
    orders = data.table("orders").columns
    orders["paid_amount_cents"][-1] += 1
    assert fingerprint(data) != before


@pytest.mark.parametrize(("orders", "seed", "today"), list(GOLDEN), ids=str)
def test_generate_gives_the_recorded_rows(orders: int, seed: int, today: date) -> None:
    data = generate(orders=orders, seed=seed, today=today)
    assert fingerprint(data) == GOLDEN[orders, seed, today]
