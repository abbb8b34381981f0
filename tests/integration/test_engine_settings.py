"""What every connection of the app's engine is set up with, on the real database servers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from data_access.bulk_load import bulk_tuning
from data_access.engine import make_engine
from services.importing.service import IMPORT_RANDOM_PAGE_COST, IMPORT_SQLITE_CACHE_KIB


def test_postgresql_connections_count_in_utc_without_jit(postgres_url: str) -> None:
    """UTC for any server-side date arithmetic; no JIT, which compiled the figures' short
    queries for longer than they ran (data_access/engine.py)."""
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW timezone")).scalar_one() == "UTC"
            assert conn.execute(text("SHOW jit")).scalar_one() == "off"
    finally:
        engine.dispose()


def test_sqlite_connections_write_ahead_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/settings.db")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_bulk_write_has_the_page_cache_it_asks_for_and_gives_it_back(tmp_path: Path) -> None:
    """SQLite's page cache while a seed (256 MB) or an import (64 MB) writes, and the
    connection's own after it: a pooled connection keeps no large cache for later readers."""
    engine = make_engine(f"sqlite:///{tmp_path}/cache.db")
    try:
        with engine.connect() as conn:
            own = conn.execute(text("PRAGMA cache_size")).scalar_one()
            with bulk_tuning(conn):
                assert conn.execute(text("PRAGMA cache_size")).scalar_one() == -256 * 1024
            with bulk_tuning(conn, sqlite_cache_kib=IMPORT_SQLITE_CACHE_KIB):
                assert conn.execute(text("PRAGMA cache_size")).scalar_one() == -64 * 1024
            assert conn.execute(text("PRAGMA cache_size")).scalar_one() == own
    finally:
        engine.dispose()


def test_a_bulk_write_on_postgresql_plans_as_it_asks_and_then_as_before(
    postgres_url: str,
) -> None:
    """Inside a large write PostgreSQL may hash in 256 MB, and an import's costs a random page
    read near a sequential one (its delta looks rows up by id instead of reading the whole
    orders table); after it, the connection's own settings again."""
    engine = make_engine(postgres_url)

    def planning() -> list[str]:
        return [conn.execute(text(f"SHOW {name}")).scalar_one() for name in _PLANNING]

    try:
        with engine.begin() as conn:
            own = planning()
            with bulk_tuning(conn):
                assert planning() == ["256MB", own[1]]
            with bulk_tuning(conn, random_page_cost=IMPORT_RANDOM_PAGE_COST):
                assert planning() == ["256MB", "1.1"]
            assert planning() == own
            assert own != ["256MB", "1.1"]
    finally:
        engine.dispose()


_PLANNING = ("work_mem", "random_page_cost")
