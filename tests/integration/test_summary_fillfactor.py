"""PostgreSQL: the supplier summaries leave room on their pages, so an import's delta updates
their rows in place (HOT: no new entry in either index) instead of through both indexes
(migration 0018; SQLite updates in place anyway)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, text

from data_access import migrate
from data_access.engine import make_engine
from data_access.summary_tables import TABLES

#: Rows written, then every ``step``-th one updated, as an import's delta updates them: the
#: months and years of nearly every supplier, the days of a few.
CASES = [
    ("summary_supplier_days", "day", 6),
    ("summary_supplier_months", "month", 1),
    ("summary_supplier_years", "year", 1),
]
ROWS = 3_000  # some fifty pages: full ones could hold no second version of their rows


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def _write_rows(conn: Connection, table: str, key: str) -> None:
    sums = TABLES[table][2]
    conn.execute(text(f"DELETE FROM {table}"))
    conn.execute(
        text(
            f"INSERT INTO {table} (zone, {key}, supplier_id, {', '.join(sums)}) "
            f"SELECT 'UTC', DATE '2026-01-01', g, {', '.join('1' for _ in sums)} "
            "FROM generate_series(1, :rows) AS g ORDER BY g"
        ),
        {"rows": ROWS},
    )


def _updated_in_place(conn: Connection, table: str, step: int) -> tuple[int, int]:
    """Update every ``step``-th row in the open transaction: (rows updated, of them in place)."""
    conn.execute(
        text(
            f"UPDATE {table} SET placed = placed + 1, live_orders = live_orders + 1 "
            "WHERE supplier_id % :step = 0"
        ),
        {"step": step},
    )
    updated, in_place = conn.execute(
        text(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = :table"
        ),
        {"table": table},
    ).one()
    return int(updated), int(in_place)


@pytest.mark.parametrize(("table", "key", "step"), CASES)
def test_an_update_of_a_summary_row_stays_on_its_page(
    postgres: Engine, table: str, key: str, step: int
) -> None:
    with postgres.connect() as conn:
        _write_rows(conn, table, key)
        updated, in_place = _updated_in_place(conn, table, step)
        conn.rollback()
    assert updated == ROWS // step
    # Every update found room beside its row (on full pages none would).
    assert in_place == updated


def test_the_upgrade_writes_the_stored_rows_again_with_room(postgres: Engine) -> None:
    migrate.downgrade(postgres, "0017")
    try:
        with postgres.begin() as conn:  # stored before the upgrade: pages filled to the brim
            for table, key, _ in CASES:
                _write_rows(conn, table, key)
    finally:
        migrate.upgrade(postgres)
    try:
        with postgres.connect() as conn:
            for table, _, step in CASES:
                updated, in_place = _updated_in_place(conn, table, step)
                assert (updated, in_place) == (ROWS // step, ROWS // step), table
            conn.rollback()
    finally:
        with postgres.begin() as conn:
            for table, _, _ in CASES:
                conn.execute(text(f"DELETE FROM {table}"))
