"""Column values as each driver takes them, and the writers that hand a chunk of rows over.

* SQLite: values stored exactly as :class:`~data_access.types.UTCDateTime` and SQLAlchemy store
  them (``YYYY-MM-DD HH:MM:SS.ffffff`` naive UTC, ``YYYY-MM-DD`` dates, 0/1 booleans, JSON
  text), so ORM reads and SQL comparisons see no difference; written by the raw ``sqlite3``
  cursor's ``executemany``.
* PostgreSQL: ``COPY … FROM STDIN`` in CSV, written by Arrow, timestamps with an explicit
  ``+00`` offset so the session time zone can never shift them.

Conversions are vectorised (NumPy, Arrow) where the column is an array: a value at a time
costs seconds a million rows.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, Table
from sqlalchemy.exc import DBAPIError

ColumnValues = npt.NDArray[Any] | Sequence[Any]

_SQLITE_MAX_VALUES = 999
#: Values the drivers take as they are.
_DRIVER_TYPES = frozenset({str, int, float, bytes, type(None)})
#: Rows converted and handed to PostgreSQL's COPY at a time.
COPY_BLOCK_ROWS = 5_000


def quote(connection: Connection, name: str) -> str:
    """A table or column name quoted by the dialect (names come from the metadata, never a
    file)."""
    return connection.dialect.identifier_preparer.quote(name)


def column_kind(table: Table, name: str) -> str:
    """How a column's values are written: ``date``, ``datetime``, ``bool``, ``json`` or
    ``plain`` (texts and numbers, as they are)."""
    column_type = table.c[name].type
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, DateTime) or isinstance(
        getattr(column_type, "impl", None), DateTime
    ):
        return "datetime"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, JSON):
        return "json"
    return "plain"


@contextmanager
def driver_errors_raised_as_sqlalchemy(connection: Connection, sql: str) -> Iterator[None]:
    """The driver's own errors, from a statement run past SQLAlchemy, raised as SQLAlchemy
    raises them from ``execute`` (``IntegrityError``, ``DataError``, …, the driver's error as
    ``orig``): a caller refusing what the database refused catches one family whichever way
    the rows went."""
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        raise DBAPIError.instance(
            sql, None, error, dbapi.Error, dialect=connection.dialect
        ) from error


def executemany(connection: Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """``sql`` for each of ``rows`` through the driver's own cursor (SQLite), in the caller's
    transaction."""
    raw = connection.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        with driver_errors_raised_as_sqlalchemy(connection, sql):
            cursor.executemany(sql, rows)
    finally:
        cursor.close()


# --- SQLite ---------------------------------------------------------------------------------


def sqlite_writer(
    connection: Connection, table: Table, columns: Mapping[str, ColumnValues]
) -> Callable[[int, int], None]:
    """A function inserting rows ``start:stop`` of ``columns`` into ``table`` (SQLite)."""
    names = list(columns)
    # SQLAlchemy renders the statement (quoting, qmark placeholders); we only feed it rows.
    compiled = table.insert().compile(dialect=connection.dialect, column_keys=names)
    sql = str(compiled)
    order = compiled.positiontup or []
    if sorted(order) != sorted(names):
        raise AssertionError(f"unexpected parameters {order} for {names}")
    names = list(order)
    kinds = [column_kind(table, name) for name in names]

    def write(start: int, stop: int) -> None:
        converted = [
            sqlite_values(columns[name][start:stop], kind)
            for name, kind in zip(names, kinds, strict=True)
        ]
        executemany_several(connection, sql, list(zip(*converted, strict=True)))

    return write


def executemany_several(connection: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """The one-row ``INSERT … VALUES (?, …)`` ``sql`` for all ``rows``, as many rows a
    statement as SQLite takes values (SQLite; the caller's transaction). Each row a statement
    costs a statement reset and a call besides its values: a million orders into a table
    without secondary indexes took 6.2 s one row a statement, 5.4 s so. Into a table with
    indexes, one row a statement is faster (``data_access.bulk.upsert_columns``)."""
    if not rows:
        return
    width = len(rows[0])
    # At most 999 values a statement, the limit of SQLite builds before 3.32.
    per_statement = max(1, _SQLITE_MAX_VALUES // width)
    head, _, row = sql.rpartition(" VALUES ")
    if row != f"({', '.join('?' * width)})":
        raise AssertionError(f"unexpected insert statement {sql!r}")
    many_sql = f"{head} VALUES {', '.join([row] * per_statement)}"
    whole = len(rows) // per_statement * per_statement
    groups = (
        tuple(chain.from_iterable(rows[start : start + per_statement]))
        for start in range(0, whole, per_statement)
    )
    executemany(connection, many_sql, groups)
    executemany(connection, sql, rows[whole:])


def sqlite_values(values: ColumnValues, kind: str) -> list[Any]:
    if isinstance(values, np.ndarray) and values.dtype != object:
        if kind in ("datetime", "date"):
            return _datetime_strings(values, kind)
        if values.dtype == np.bool_:
            return values.astype(np.int64).tolist()  # type: ignore[no-any-return]
        return values.tolist()  # type: ignore[no-any-return]
    if kind == "datetime":
        return [None if v is None else _utc_naive(v).isoformat(" ", "microseconds") for v in values]
    if kind == "date":
        return [None if v is None else _as_date(v).isoformat() for v in values]
    if kind == "bool":
        return [None if v is None else int(bool(v)) for v in values]
    if kind == "json":
        return [None if v is None else json.dumps(v) for v in values]
    plain = values.tolist() if isinstance(values, np.ndarray) else values
    # The types present, found at C speed: a test of each value cost 0.6 s of a million
    # orders' texts, and texts and numbers need no conversion.
    if set(map(type, plain)) <= _DRIVER_TYPES:
        return plain if isinstance(plain, list) else list(plain)
    return [_plain(v) for v in plain]


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_writer(
    connection: Connection,
    table: Table,
    columns: Mapping[str, ColumnValues],
    *,
    target: str | None = None,
) -> Callable[[int, int], None]:
    """A function copying rows ``start:stop`` of ``columns`` into ``table`` (or the staging
    table ``target``) on PostgreSQL.

    As ``COPY``'s CSV, written by Arrow's CSV writer in C: every text quoted (``""`` an empty
    one), a missing value an unquoted nothing, which CSV reads as NULL. A million orders'
    rows took 4.7 s of the import's thread as Python's texts joined by tabs (the server
    waiting for them); Arrow writes a million rows of four columns in about 0.1 s."""
    names = list(columns)
    kinds = [column_kind(table, name) for name in names]
    sql = (
        f"COPY {target or quote(connection, table.name)} "
        f"({', '.join(quote(connection, n) for n in names)}) FROM STDIN WITH (FORMAT csv)"
    )
    raw = connection.connection.driver_connection
    assert raw is not None

    def write(start: int, stop: int) -> None:
        with (
            driver_errors_raised_as_sqlalchemy(connection, sql),
            raw.cursor() as cursor,
            cursor.copy(sql) as copy,
        ):
            # A block at a time: the server takes in each block while the next is converted
            # (converted whole, the chunk's rows waited for all its text before the server
            # had any).
            for block in range(start, stop, COPY_BLOCK_ROWS):
                end = min(block + COPY_BLOCK_ROWS, stop)
                rows = pa.table(
                    {
                        str(index): copy_values(columns[name][block:end], kind)
                        for index, (name, kind) in enumerate(zip(names, kinds, strict=True))
                    }
                )
                text = io.BytesIO()
                pa_csv.write_csv(rows, text, _CSV_ROWS)
                copy.write(text.getbuffer())

    return write


#: No header; texts quoted (``"needed"``: any value that may hold a quote, so every text).
_CSV_ROWS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


def copy_values(values: ColumnValues, kind: str) -> pa.Array:
    """A column as the Arrow array whose CSV ``COPY`` reads back as the values given:
    timestamps as UTC text with an explicit ``+00`` (the session's time zone never shifts
    them), days as ISO dates, booleans and integers as they are, JSON as its text, and any
    other value as ``str`` of it (a NumPy scalar prints as its value); None as null."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        if kind in ("datetime", "date"):
            return _datetime_texts(values, kind, suffix="+00")
        if values.dtype == np.bool_ or values.dtype.kind in "iu":
            return pa.array(values)
        values = values.tolist()
    if kind == "datetime":
        texts = [
            None if v is None else _utc_naive(v).isoformat(" ", "microseconds") + "+00"
            for v in values
        ]
    elif kind == "date":
        texts = [None if v is None else _as_date(v).isoformat() for v in values]
    elif kind == "bool":
        return pa.array([None if v is None else bool(v) for v in values], pa.bool_())
    elif kind == "json":
        texts = [None if v is None else json.dumps(v) for v in values]
    else:
        plain = values.tolist() if isinstance(values, np.ndarray) else list(values)
        # The types present, found at C speed: texts and integers go as they are.
        present = set(map(type, plain)) - {type(None)}
        if present <= {int}:
            with suppress(OverflowError):  # past 64 bits: as text, for the server to judge
                return pa.array(plain, pa.int64())
        if present <= {str}:
            return pa.array(plain, pa.string())
        texts = [None if v is None else str(v) for v in plain]
    return pa.array(texts, pa.string())


# --- shared ----------------------------------------------------------------------------------


def _datetime_strings(values: npt.NDArray[Any], kind: str) -> list[str | None]:
    """:func:`_datetime_texts` as Python's strings, None for NaT (SQLite's driver)."""
    strings: list[str | None] = _datetime_texts(values, kind, suffix="").to_pylist()
    return strings


def _datetime_texts(values: npt.NDArray[Any], kind: str, *, suffix: str) -> pa.Array:
    """ISO text for a datetime64 array: ``YYYY-MM-DD HH:MM:SS.ffffff`` followed by ``suffix``,
    or ``YYYY-MM-DD`` for a date; NaT becomes null.

    Arrow's cast writes the texts in C, outside the interpreter's lock (so beside the import's
    parsing thread): a million timestamps in 0.05–0.1 s, where NumPy's ``datetime_as_string``
    and the swap of its ``T`` took 0.5–0.65 s, four columns of every million orders written."""
    if not np.issubdtype(values.dtype, np.datetime64):
        raise TypeError(f"expected a datetime64 array for a {kind} column, got {values.dtype}")
    unit = "D" if kind == "date" else "us"
    texts = pc.cast(pa.array(values.astype(f"datetime64[{unit}]")), pa.string())
    if suffix and kind != "date":
        texts = pc.binary_join_element_wise(texts, suffix, "")
    return texts


def _utc_naive(value: Any) -> datetime:
    """The instant as a naive UTC datetime, whose ``isoformat(" ", "microseconds")`` is the
    stored text (``strftime``'s ``%Y`` would write the year 99 as "99", which nothing reads)."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware UTC time")
    return value.astimezone(UTC).replace(tzinfo=None)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return value


def _plain(value: Any) -> Any:
    # NumPy scalars from fancy indexing would reach the driver as unknown types.
    if isinstance(value, np.generic):
        return value.item()
    return value
