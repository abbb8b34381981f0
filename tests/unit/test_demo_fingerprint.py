"""The demo generator's output, pinned: a refactor or a speed-up must not change a single row.

``generate`` is deterministic for a seed and ``today`` (one NumPy generator, Faker seeded from
it, no clock), so a hash of every table's every column — values *and* their types, turned into
stable text — names one exact data set. The golden values below were recorded from the generator
before ``services/demo/data.py`` was split into a package; they are hard-coded answers on purpose:
they pin "no change at all", which no independent computation could express. They depend on
the pinned libraries' streams too (NumPy's ``default_rng`` distributions, Faker's name lists): if an
upgrade of NumPy or Faker moves them, check the diff is only names/draws, then record the new values
in the same commit as the upgrade, never with a change to ``services/demo``. The same holds for a
deliberate change of the rules' wording, which the demo stores with its recommendations: on
6 Dec 2026 (days in reasons written "13 Mar 2025", not ISO) a column-by-column comparison of the
four affected runs showed ``recommendations.reasons`` alone had moved before they were recorded.
On 7 Dec 2026 the claims gained two columns, copies of their order's reference and buyer
(migration 0020): each run's fingerprint without them was checked equal to the values recorded
before, then the values with them recorded.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

import numpy as np
import pytest

from services.demo.data import DemoData, generate

#: (orders, seed, today) -> sha256 of :func:`fingerprint`, recorded from the generator as it
#: was before the split (one module, ``services/demo/data.py`` at commit cd1d6ba), the reasons'
#: days re-recorded on 6 Dec 2026, the claims' copies added on 7 Dec 2026. Chosen by
#: tracing which branches each run takes: 30,000 orders (the brief's size) walk claims to every
#: status and top the queue up; 600 orders on another day top up every undecided status; 40,000
#: orders with seed 6 hold a pending proposal that lapsed because its order shipped after it;
#: 1,000 orders with seed 9572 one whose aimed proposal had to answer today's recommendation;
#: one order gets no claim at all and finds no candidate for the top-up; two orders on 29 August
#: need "six months before" clamped to the end of February.
GOLDEN: dict[tuple[int, int, date], str] = {
    (30_000, 5, date(2026, 6, 15)): (
        "1aa64ac88f54820b75a47964d97c4ec715a73f62a70429ec12defe397e893d3e"
    ),
    (600, 1, date(2025, 6, 4)): "c85210fe8fa081c216728f055cec3accf18d8478a808fc41c47d752b07e1b410",
    (40_000, 6, date(2026, 6, 15)): (
        "a38b653ff05781af494dc257b8a2991b24e228be8af80b4eb158cb9180f85735"
    ),
    (1_000, 9572, date(2025, 4, 20)): (
        "0b7208e96286967752933e1e3441d541ce23ccc91f15c7d2d0004bc7f6659c3e"
    ),
    (1, 7687, date(2025, 6, 15)): (
        "b2f6fdc6a2511d6346bbd313099e7e62717237247af07180856639ebdc633342"
    ),
    (2, 6374, date(2026, 8, 29)): (
        "b1209b0dd75c9a679f124cf6f9edf0049d17fbcaae7a10970f3b956b7c067ef3"
    ),
}


def _text(value: Any) -> str:
    """One value as text that names its type too (``int`` and ``np.int64`` differ, and so do
    ``bool`` and ``np.bool``, whose ``__name__`` is also "bool")."""
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
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


def test_fingerprint_text_names_numpy_scalars_apart() -> None:
    """An equal value of another type is a change too (the rows would still load the same)."""
    assert _text(np.bool_(True)) != _text(True)
    assert _text(np.int64(7)) != _text(7)
    assert _text(np.float64(0.5)) != _text(0.5)
    assert _text({"a": [1, None]}) == _text({"a": [1, None]})


@pytest.mark.parametrize(("orders", "seed", "today"), list(GOLDEN), ids=str)
def test_generate_gives_the_recorded_rows(orders: int, seed: int, today: date) -> None:
    data = generate(orders=orders, seed=seed, today=today)
    assert fingerprint(data) == GOLDEN[orders, seed, today]
