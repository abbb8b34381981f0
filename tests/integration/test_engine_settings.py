"""What every connection of the app's engine is set up with, on the real database servers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from data_access.engine import make_engine


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
