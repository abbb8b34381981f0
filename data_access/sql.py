"""Portable SQL expressions for calendar arithmetic in UTC, compiled per dialect.

SQLite keeps UTC timestamps as ``YYYY-MM-DD HH:MM:SS`` text and dates as ``YYYY-MM-DD``, so
``date()`` and ``strftime()`` apply directly; PostgreSQL needs an explicit ``AT TIME ZONE 'UTC'``
so a session time zone can never move an order into the neighbouring day or month.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement[Any]):
    """The UTC calendar day of a timestamp, as a DATE."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


class year_month_of_timestamp(FunctionElement[Any]):
    """``'YYYY-MM'`` of a UTC timestamp."""

    type = String()
    inherit_cache = True
    name = "year_month_of_timestamp"


class year_month_of_date(FunctionElement[Any]):
    """``'YYYY-MM'`` of a DATE."""

    type = String()
    inherit_cache = True
    name = "year_month_of_date"


def _arg(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> str:
    (argument,) = element.clauses
    return compiler.process(argument, **kw)


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({_arg(compiler, element, **kw)})"


@compiles(utc_day)
def _utc_day_default(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({_arg(compiler, element, **kw)} AT TIME ZONE 'UTC') AS DATE)"


@compiles(year_month_of_timestamp, "sqlite")
def _ym_ts_sqlite(element: year_month_of_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {_arg(compiler, element, **kw)})"


@compiles(year_month_of_timestamp)
def _ym_ts_default(element: year_month_of_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char(({_arg(compiler, element, **kw)} AT TIME ZONE 'UTC'), 'YYYY-MM')"


@compiles(year_month_of_date, "sqlite")
def _ym_date_sqlite(element: year_month_of_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {_arg(compiler, element, **kw)})"


@compiles(year_month_of_date)
def _ym_date_default(element: year_month_of_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({_arg(compiler, element, **kw)}, 'YYYY-MM')"
