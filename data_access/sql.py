"""Portable SQL expressions for calendar arithmetic, compiled per dialect.

Every figure counts calendar days, weeks and months in the programme's time zone (a setting,
UTC by default). Timestamps are stored in UTC: PostgreSQL as ``timestamptz``, SQLite as
``YYYY-MM-DD HH:MM:SS[.ffffff]`` text; dates (the ship-by day) are plain dates on both.

* PostgreSQL converts with ``AT TIME ZONE '<zone>'``, so the session's time zone never matters.
* SQLite has no time-zone database. In UTC, ``date()`` of the stored text is the day; in any
  other zone a deterministic Python function (:func:`sqlite_local_day`, registered on every
  connection by ``data_access.engine``) converts with the same IANA rules as Python's zoneinfo.

The zone travels as an inlined string literal (checked against the IANA database first), not a
bind parameter: PostgreSQL must see the same text in ``SELECT`` and ``GROUP BY`` to group by it,
and an inlined literal is part of SQLAlchemy's statement-cache key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Integer,
    Select,
    bindparam,
    cast,
    false,
    func,
    literal_column,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.operators import OperatorType
from sqlalchemy.sql.visitors import InternalTraversal

from data_access.settings import zone_named

__all__ = [
    "SQLITE_LOCAL_DAY",
    "Grain",
    "add_days",
    "among",
    "compiled_args",
    "count_total",
    "day_number",
    "day_start",
    "days_between",
    "grouping_key",
    "ids_in",
    "local_day",
    "period_start",
    "span_holds",
    "span_sql",
    "sqlite_local_day",
    "utc_day",
]

Grain = Literal["week", "month"]
#: The name of the SQLite function that converts a stored UTC timestamp to a zone's day.
SQLITE_LOCAL_DAY = "assurance_local_day"
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")
_UTC_NAMES = ("UTC", "Z", "ETC/UTC")


def _zone_literal(zone: str) -> ColumnClause[Any]:
    zone_named(zone)  # raises ValueError for anything that is not an IANA zone
    if not _ZONE_NAME.fullmatch(zone):
        raise ValueError(f"{zone!r} is not an IANA time zone name")
    return literal_column(f"'{zone}'")


class _LocalDay(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "local_day"


class _PeriodStart(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "period_start"


class _DaysBetween(FunctionElement[Any]):
    type = Integer()
    inherit_cache = True
    name = "days_between"


class _DayNumber(FunctionElement[Any]):
    type = Integer()
    inherit_cache = True
    name = "day_number"


def day_number(day: Any) -> ColumnElement[int]:
    """The DATE ``day`` as the days since 1970-01-01 (NumPy's ``datetime64[D]``): a number
    for a reader that wants days in bulk, where every ISO text costs a Python string."""
    return _DayNumber(day)


def day_start(day: date, zone: str) -> datetime:
    """The instant (aware, UTC) at which ``day`` begins in ``zone``: the bound for timestamps."""
    return datetime.combine(day, time(0), tzinfo=_zone(zone)).astimezone(UTC)


def local_day(timestamp: Any, zone: str) -> ColumnElement[date]:
    """The calendar day in ``zone`` (an IANA name) of a stored UTC timestamp, as a DATE."""
    return _LocalDay(timestamp, _zone_literal(zone))


def utc_day(timestamp: Any) -> ColumnElement[date]:
    """The UTC calendar day of a timestamp. Figures count in the programme's zone instead
    (:func:`local_day`); this stays for readers that mean UTC."""
    return local_day(timestamp, "UTC")


def period_start(day: Any, grain: Grain | Literal["year"]) -> ColumnElement[date]:
    """The first day of the ISO week (Monday), the month or the year holding the DATE ``day``
    (years: the per-supplier summary's yearly rows only, never a figure's grain)."""
    if grain not in ("week", "month", "year"):
        raise ValueError(f"grain must be 'week', 'month' or 'year', got {grain!r}")
    return _PeriodStart(day, literal_column(f"'{grain}'"))


def grouping_key(column: Any, name: str) -> ColumnElement[Any]:
    """``column`` as a GROUP BY key that no index can serve (``column + 0``).

    Grouping all live orders by supplier, SQLite otherwise walks the (supplier_id, ship_by)
    index and fetches every order by rowid — two to three times slower than reading the rows
    it selected anyway and sorting them. PostgreSQL plans both alike.
    """
    # A literal 0, not a bind parameter: PostgreSQL must see the same text in SELECT and GROUP BY.
    key: ColumnElement[Any] = (column + literal_column("0")).label(name)
    return key


def count_total(count: Any) -> ColumnElement[int]:
    """The sum of a column of counts, each under 2**31 (a summary row's orders or claims; never
    money): summed as 32-bit values, which PostgreSQL totals in a 64-bit integer, where the sum
    of a BIGINT column is a NUMERIC, added digit by digit and returned as a Decimal (summing
    50,000 suppliers' counts over a year: 0.24–0.29 s → 0.16–0.18 s at ten million orders).
    SQLite's integers are 64-bit whatever the cast."""
    return func.sum(cast(count, Integer))


def days_between(later: Any, earlier: Any) -> ColumnElement[int]:
    """Whole days from the DATE ``earlier`` to the DATE ``later`` (negative if before)."""
    return _DaysBetween(later, earlier)


def ids_in(column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column IN (ids)`` with the ids written into the statement's text.

    Integers only (each passes ``int()``), so inlining is safe; it spares psycopg parsing
    thousands of placeholders per statement, which cost more than the query itself on
    PostgreSQL. Joined as text, not rendered by SQLAlchemy value by value: its literal rendering
    (``literal_execute``) took 3 µs an id, 0.17 s for the exposure page's 56,000 open claims'
    orders at ten million orders. A statement holding such a list is compiled each time (its
    text is new each time; compiling costs a millisecond or two). Plain ``IN`` (not a range)
    keeps both databases on primary-key lookups: a range plus the status filter sends SQLite
    through the status index for every chunk. No ids: false.
    """
    listed = tuple(int(i) for i in ids)
    if not listed:
        return false()
    return _IdsIn(coercions.expect(roles.ExpressionElementRole, column), listed)


class _IdsIn(ColumnElement[bool]):
    type = Boolean()
    # Not cached: the ids are part of the text. Traversed like any clause (``column`` adapts
    # when the condition is copied into an aliased query).
    inherit_cache = False
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy declares it a list)
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, column: ColumnElement[Any], ids: tuple[int, ...]) -> None:
        self.column = column
        self.ids = ids

    def self_group(self, against: OperatorType | None = None) -> ColumnElement[Any]:
        # Already a comparison: beside AND/OR it needs no ``= 1`` (which SQLAlchemy adds to a
        # boolean expression on SQLite, and which would keep SQLite from the index).
        return self


@compiles(_IdsIn)
def _ids_in_sql(element: _IdsIn, compiler: SQLCompiler, **kw: Any) -> str:
    listed = ", ".join(map(str, element.ids))
    return f"{compiler.process(element.column, **kw)} IN ({listed})"


class _SpanHolds(FunctionElement[bool]):
    inherit_cache = True
    name = "span_holds"
    type = Boolean()

    def self_group(self, against: OperatorType | None = None) -> _SpanHolds:
        # A condition already (see ``_IdsIn``): no ``= 1`` after it on SQLite.
        return self


def span_holds(start: Any, end: Any, moment: datetime) -> ColumnElement[bool]:
    """``start < moment <= end`` (false where ``end`` is NULL), in the form each database finds
    through an index: on PostgreSQL the range ``(start, greatest(start, end)]`` holding
    ``moment``, which the GiST indexes on the claims' spans look up (``models.Claim``); on
    SQLite ``end >= moment AND +start < moment``, the ``+`` keeping its planner off an index
    on ``start`` alone, since the index on ``end`` holds both times.

    Asked for the claims filed before the end of February and decided since, at ten million
    orders, PostgreSQL read the claims by filing time (146,000 of them to keep 5,700) or, with
    that index out of the way, scanned every claim: it judges the two ranges independent, and
    misjudged them by 20 times. 30–70 ms an instant; through the span index 2–5 ms."""
    moment_bound = bindparam(None, moment, type_=start.type)
    return _SpanHolds(start, end, moment_bound)


def span_sql(start: str, end: str) -> str:
    """The PostgreSQL range ``(start, greatest(start, end)]``, as the span indexes are built on
    it (``models.Claim``) and as ``span_holds`` asks for it: PostgreSQL matches an index's
    expression only as written. ``greatest`` keeps a decision recorded before the filing from
    making an invalid range."""
    return f"tstzrange({start}, GREATEST({start}, {end}), '(]')"


@compiles(_SpanHolds, "postgresql")
def _span_holds_postgresql(element: _SpanHolds, compiler: SQLCompiler, **kw: Any) -> str:
    start, end, moment = compiled_args(compiler, element, **kw)
    # Cast: a literal instant (``literal_binds``) would otherwise be read as a range.
    held = f"{span_sql(start, end)} @> CAST({moment} AS TIMESTAMP WITH TIME ZONE)"
    return f"({end} IS NOT NULL AND {held})"


@compiles(_SpanHolds)
def _span_holds_default(element: _SpanHolds, compiler: SQLCompiler, **kw: Any) -> str:
    start, end, moment = compiled_args(compiler, element, **kw)
    plus = "+" if compiler.dialect.name == "sqlite" else ""
    return f"({end} >= {moment} AND {plus}{start} < {moment})"


class _AddDays(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "add_days"


def add_days(day: Any, days: int) -> ColumnElement[date]:
    """The DATE ``days`` calendar days after ``day`` (an inlined integer: see the docstring)."""
    return _AddDays(day, literal_column(str(int(days))))


def compiled_args(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> list[str]:
    """A custom function's arguments as ``compiler`` writes them, for its ``@compiles``."""
    return [compiler.process(argument, **kw) for argument in element.clauses]


def _literal_text(element: FunctionElement[Any], index: int) -> str:
    clause = list(element.clauses)[index]
    assert isinstance(clause, ColumnClause)
    return clause.name.strip("'")


@compiles(_LocalDay, "sqlite")
def _local_day_sqlite(element: _LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    timestamp, zone = compiled_args(compiler, element, **kw)
    if _literal_text(element, 1).upper() in _UTC_NAMES:
        return f"date({timestamp})"
    return f"{SQLITE_LOCAL_DAY}({timestamp}, {zone})"


@compiles(_LocalDay)
def _local_day_default(element: _LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    timestamp, zone = compiled_args(compiler, element, **kw)
    return f"CAST(({timestamp} AT TIME ZONE {zone}) AS DATE)"


@compiles(_PeriodStart, "sqlite")
def _period_start_sqlite(element: _PeriodStart, compiler: SQLCompiler, **kw: Any) -> str:
    day = compiled_args(compiler, element, **kw)[0]
    if _literal_text(element, 1) in ("month", "year"):
        return f"date({day}, 'start of {_literal_text(element, 1)}')"
    # Back six days, then forward to the next Monday (or stay on it): the week's Monday.
    return f"date({day}, '-6 days', 'weekday 1')"


@compiles(_PeriodStart)
def _period_start_default(element: _PeriodStart, compiler: SQLCompiler, **kw: Any) -> str:
    day, grain = compiled_args(compiler, element, **kw)
    return f"CAST(date_trunc({grain}, CAST({day} AS TIMESTAMP)) AS DATE)"


@compiles(_AddDays, "sqlite")
def _add_days_sqlite(element: _AddDays, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = compiled_args(compiler, element, **kw)
    return f"date({day}, '{int(days):+d} days')"


@compiles(_AddDays)
def _add_days_default(element: _AddDays, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = compiled_args(compiler, element, **kw)
    return f"(CAST({day} AS DATE) + {int(days)})"


@compiles(_DaysBetween, "sqlite")
def _days_between_sqlite(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = compiled_args(compiler, element, **kw)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(_DaysBetween)
def _days_between_default(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = compiled_args(compiler, element, **kw)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


@compiles(_DayNumber, "sqlite")
def _day_number_sqlite(element: _DayNumber, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = compiled_args(compiler, element, **kw)
    # 2440587.5: the Julian day of 1970-01-01 at midnight; a date's is always a half day.
    return f"CAST(julianday({day}) - 2440587.5 AS INTEGER)"


@compiles(_DayNumber)
def _day_number_default(element: _DayNumber, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = compiled_args(compiler, element, **kw)
    return f"(CAST({day} AS DATE) - DATE '1970-01-01')"


@functools.lru_cache(maxsize=32)
def _zone(name: str) -> tzinfo:
    return zone_named(name)


def sqlite_local_day(stored: str | None, zone: str) -> str | None:
    """SQLite's ``assurance_local_day``: the ``zone`` day of a stored UTC timestamp text."""
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone(zone)).date().isoformat()


class _Among(FunctionElement[bool]):
    type = Boolean()
    inherit_cache = True
    name = "among"


def among(column: Any, ids: Select[Any]) -> ColumnElement[bool]:
    """``column IN (ids)`` where the query already implies it (say, by joining the rows of
    ``ids`` on ``column``): a hint for PostgreSQL, as ``column = ANY(ARRAY(ids))``, left out
    (``1 = 1``) elsewhere.

    For joining a few thousand rows (the orders with a refund) to a big table by its primary
    key: PostgreSQL takes the join for a hash join over a scan of the big table, but looks the
    ids of an array up in the index (at a million orders, 0.13 s instead of 0.33). SQLite
    already looks them up, and would only compute ``ids`` once more. ``ids`` is evaluated once,
    uncorrelated, whatever its FROMs share with the outer query."""
    return _Among(column, ids.correlate(None).scalar_subquery())


@compiles(_Among, "postgresql")
def _among_postgresql(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = compiled_args(compiler, element, **kw)
    return f"{column} = ANY(ARRAY{ids})"


@compiles(_Among)
def _among_default(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    return "1 = 1"
