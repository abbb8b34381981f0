"""What every CSV export shares: cell formats, a consistent read, and a file that is whole.

Conventions (documented for users in README, 'Command line'): UTF-8, ``\\r\\n`` line ends,
money as decimal text in major units (``1234.50``), instants ISO 8601 UTC with ``Z``, days
ISO 8601, flags ``true``/``false``, a missing value an empty cell. Text from people or imports
is made inert for spreadsheets (OWASP "CSV injection").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, Engine

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str | None) -> str:
    """``text`` made inert for spreadsheets: a leading formula character gets an apostrophe."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def money_cell(cents: int | None) -> str:
    if cents is None:
        return ""
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)  # a negative headroom, say
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def instant_cell(value: datetime | None) -> str:
    if value is None:
        return ""
    # isoformat() is several times faster than strftime(), which dominated large exports.
    return value.astimezone(UTC).isoformat(timespec="seconds")[:-6] + "Z"


def day_cell(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def flag_cell(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only connection; on PostgreSQL one snapshot, so every chunk sees the same data."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with conn.begin():
            yield conn


def write_whole(out: Path | TextIO, write: Callable[[TextIO], int], *, bom: bool = False) -> int:
    """Run ``write`` on ``out``; rows written.

    A path is written to a ``.part`` file first and renamed when complete, so a failed export
    never leaves a truncated file that looks finished. ``bom`` applies to paths only.
    """
    if not isinstance(out, Path):
        return write(out)
    partial = out.with_name(out.name + ".part")
    try:
        with partial.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
            written = write(stream)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return written
