"""The base tables as plain DataFrames: what the naive baseline reads and the Parquet files hold.

Only the columns the headline figures need, read whole with ``pd.read_sql`` (the naive way) and
typed alike on both databases: timestamps as UTC ``datetime64``, the ship-by day as a midnight
``datetime64`` (SQLite hands back text for both), money and counts as ``int64``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from sqlalchemy import Engine

__all__ = ["COLUMNS", "DAYS", "TIMES", "read_table", "read_table_chunks"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": (
        "id",
        "supplier_id",
        "covered_amount_cents",
        "placed_at",
        "ship_by",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
    ),
    "claims": ("id", "order_id", "status", "filed_at", "decided_at", "withdrawn_at"),
    "recommendations": ("id", "claim_id", "amount_cents", "created_at"),
    "decisions": ("id", "claim_id", "kind", "amount_cents", "decided_at"),
    "suppliers": ("id", "limit_cents"),
}
TIMES = frozenset(
    {
        "placed_at",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
        "filed_at",
        "decided_at",
        "withdrawn_at",
        "created_at",
    }
)
DAYS = frozenset({"ship_by"})
_TEXT = frozenset({"status", "kind"})


def _query(table: str) -> str:
    if table not in COLUMNS:
        raise ValueError(f"not a base table of the headline figures: {table!r}")
    return f"SELECT {', '.join(COLUMNS[table])} FROM {table} ORDER BY id"  # noqa: S608 - fixed names


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame.columns:
        if name in TIMES:
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
        elif name in DAYS:
            frame[name] = pd.to_datetime(frame[name], format="ISO8601").astype("datetime64[us]")
        elif name in _TEXT:
            frame[name] = frame[name].astype("string")
        else:
            frame[name] = frame[name].astype("int64")
    for name in TIMES & set(frame.columns):
        frame[name] = frame[name].astype("datetime64[us, UTC]")
    return frame


def read_table(engine: Engine, table: str) -> pd.DataFrame:
    """The whole table at once."""
    with engine.connect() as conn:
        frame = pd.read_sql(_query(table), conn)
    if frame.empty:
        frame = pd.DataFrame({name: pd.Series(dtype="object") for name in COLUMNS[table]})
    return _typed(frame)


def read_table_chunks(engine: Engine, table: str, rows: int = 250_000) -> Iterator[pd.DataFrame]:
    """The table in chunks of ``rows``, typed alike (for writing files in bounded memory)."""
    with engine.connect().execution_options(stream_results=True) as conn:
        for chunk in pd.read_sql(_query(table), conn, chunksize=rows):
            yield _typed(chunk)
