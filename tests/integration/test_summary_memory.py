"""The orders' daily sums counted in memory (SQLite's builds and deltas) give exactly the rows
of the SQL definition, ``summary_rows.aggregate``: of everything, of some orders, of some
suppliers, in zones either side of UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, select

from data_access import summaries, summary_memory
from data_access.engine import make_engine
from data_access.migrate import upgrade
from data_access.models import Order, Supplier
from data_access.summaries import _plain
from data_access.summary_memory import IN_MEMORY, count
from data_access.summary_rows import aggregate
from data_access.summary_tables import ROLLUPS, TABLES
from services.demo.seed import seed_demo

ZONES = ("UTC", "Asia/Shanghai", "America/Los_Angeles")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path: Path = tmp_path_factory.mktemp("memory") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_demo(engine, orders=3_000, seed=11, today=date(2026, 3, 2))
    return engine


def _rows(columns: dict[str, Any], name: str) -> list[tuple[Any, ...]]:
    key, summed = TABLES[name][1:]

    def plain(value: Any) -> Any:
        if isinstance(value, np.datetime64):
            return _plain(value.astype(object))
        return _plain(value.item() if isinstance(value, np.generic) else value)

    return sorted(
        tuple(plain(v) for v in row)
        for row in zip(*[columns[c] for c in (*key, *summed)], strict=True)
    )


def _chosen(engine: Engine, table: Any, every: int) -> list[str]:
    with engine.connect() as conn:
        ids = conn.execute(select(table.external_id).order_by(table.id)).scalars().all()
    return list(ids[::every])


def _counted(engine: Engine, zone: str, **some: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as ``summary_memory.count`` writes them (a table's share of
    suppliers at a time: no row twice)."""
    written: dict[str, list[tuple[Any, ...]]] = {}

    def write(name: str, columns: dict[str, Any]) -> None:
        written.setdefault(name, []).extend(_rows(columns, name))

    with engine.connect() as conn:
        count(conn, zone, 30, write, **some)
    return {name: sorted(rows) for name, rows in written.items()}


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("chosen", ["everything", "orders", "suppliers"])
@pytest.mark.parametrize("per_share", [None, 700])
def test_in_memory_sums_equal_the_sql_definition(
    demo: Engine, zone: str, chosen: str, per_share: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if per_share is not None:  # several shares of suppliers, and several chunks in each
        monkeypatch.setattr(summary_memory, "ORDERS_PER_SHARE", per_share)
        monkeypatch.setattr(summary_memory, "FACTS_CHUNK", 97)
    some: dict[str, list[str]] = {}
    if chosen == "orders":
        some["orders"] = _chosen(demo, Order, 7)
    elif chosen == "suppliers":
        some["suppliers"] = _chosen(demo, Supplier, 3)
    counted = _counted(demo, zone, **some)
    assert set(counted) == set(IN_MEMORY)
    with demo.connect() as conn:
        for name in IN_MEMORY:
            query = aggregate(name, zone, 30, **some)  # type: ignore[arg-type]
            assert query is not None
            expected = sorted(tuple(_plain(v) for v in row) for row in conn.execute(query))
            assert expected, "the demo data counts something in every table"
            assert counted[name] == expected


@pytest.mark.parametrize("chosen", ["orders", "suppliers"])
@pytest.mark.parametrize("in_parts", [True, False])
def test_parts_summed_by_key_equal_the_sql_definition(
    demo: Engine, chosen: str, in_parts: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A delta's count (``parts=True``) hands over each chunk's supplier days as counted: keys
    repeat across chunks, and only their sums by key are the table's rows. Beyond
    ``PARTS_UP_TO`` orders it sums them itself: each key once."""
    monkeypatch.setattr(summary_memory, "PARTS_FACTS_CHUNK", 97)
    monkeypatch.setattr(summary_memory, "FACTS_CHUNK", 97)
    monkeypatch.setattr(summary_memory, "PARTS_UP_TO", 10_000 if in_parts else 100)
    some = {chosen: _chosen(demo, Order if chosen == "orders" else Supplier, 2)}
    name = "summary_supplier_days"
    key, summed = TABLES[name][1:]
    written: list[tuple[Any, ...]] = []

    def write(table: str, columns: dict[str, Any]) -> None:
        if table == name:
            written.extend(_rows(columns, name))

    with demo.connect() as conn:
        count(conn, "Asia/Shanghai", 30, write, parts=True, **some)  # type: ignore[arg-type]
        query = aggregate(name, "Asia/Shanghai", 30, **some)  # type: ignore[arg-type]
        assert query is not None
        expected = sorted(tuple(_plain(v) for v in row) for row in conn.execute(query))
    by_key: dict[tuple[Any, ...], list[int]] = {}
    for row in written:
        sums = by_key.setdefault(row[: len(key)], [0] * len(summed))
        for index, value in enumerate(row[len(key) :]):
            sums[index] += value
    if in_parts:
        assert len(written) > len(by_key), "chunks of 97 orders share supplier days"
    else:
        assert len(written) == len(by_key)
    assert sorted((*k, *v) for k, v in by_key.items() if any(v)) == expected


def test_nothing_chosen_counts_no_rows(demo: Engine) -> None:
    counted = _counted(demo, "UTC", orders=["no-such-order"])
    assert counted == {name: [] for name in IN_MEMORY}


@pytest.mark.parametrize("per_share", [None, 700])
def test_a_rebuild_rolls_months_and_years_up_in_memory_as_the_sql_does(
    demo: Engine, per_share: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's rebuild sums the supplier months and years from the supplier days it counted
    (a share of the suppliers at a time), not from the stored days: every table still holds
    exactly the rows of its SQL definition."""
    if per_share is not None:
        monkeypatch.setattr(summary_memory, "ORDERS_PER_SHARE", per_share)
    zones = {"Asia/Shanghai": 30, "America/Los_Angeles": 30}
    with demo.connect() as conn:
        summaries.rebuild(conn, zones, datetime(2026, 3, 2, tzinfo=UTC))
        for zone in zones:
            for name in ROLLUPS:
                stored = summaries.stored_rows(conn, name, zone)
                assert stored, "the demo data counts something in every rolled-up table"
                assert stored == summaries.aggregated_rows(conn, name, zone), (name, zone)
        conn.rollback()  # the module's database stays as seeded
