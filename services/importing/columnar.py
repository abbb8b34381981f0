"""A chunk of a file's rows as columns: typed NumPy arrays, and which cells could be read.

Both readers hand the checks and the writers a :class:`ColumnChunk`: the fast reader
(:mod:`services.importing.fast_reading`) builds it from Arrow's string columns with
:func:`parse_columns`, the scalar reader's records are turned into one with
:meth:`ColumnChunk.from_records`. Whoever prefers rows asks for :meth:`ColumnChunk.records`.

:func:`parse_columns` is the scalar reader's ``_record`` and row rule for a whole chunk: the
fast path (:mod:`services.importing.vectorised`) reads the plain cells of each column at once,
and every other cell, every row rule that may have something to say, goes through exactly the
code the scalar reader runs, so each problem is the same sentence on the same line and column,
reported in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from services.importing.fields import KINDS, BadValue
from services.importing.formats import Format, Record
from services.importing.vectorised import edge_space, fast_parser

Array = npt.NDArray[Any]
Mask = npt.NDArray[np.bool_]
#: (line, rank within the line, column, sentence): sorted, these are the scalar reader's order.
Found = tuple[int, int, str, str]
#: Ranks: the duplicate id first, then the cells in the format's order, then the row rule.
DUPLICATE_RANK, RULE_RANK = 0, 1_000


@dataclass
class ColumnChunk:
    """Rows of one format: ``lines[i]`` is row i's line; ``values[name][i]`` its typed cell,
    meaningful where ``read[name][i]`` (a cell that could not be read is left out of its
    record). Times are ``datetime64[us]`` in UTC and dates ``datetime64[D]`` (NaT: empty)."""

    fmt: Format
    lines: npt.NDArray[np.int64]
    values: dict[str, Array]
    read: dict[str, Mask]

    def __len__(self) -> int:
        return len(self.lines)

    def take(self, rows: Array) -> ColumnChunk:
        return ColumnChunk(
            self.fmt,
            self.lines[rows],
            {name: values[rows] for name, values in self.values.items()},
            {name: read[rows] for name, read in self.read.items()},
        )

    def column(self, name: str) -> list[Any]:
        """A column as the scalar parsers give it: aware UTC datetimes, dates, None."""
        return python_values(self.values[name])

    def records(self) -> list[tuple[int, Record]]:
        """``(line, record)`` for each row, as the scalar reader yields them."""
        names = list(self.values)
        columns = [self.column(name) for name in names]
        reads = [self.read[name].tolist() for name in names]
        result: list[tuple[int, Record]] = []
        for row, line in enumerate(self.lines.tolist()):
            result.append(
                (
                    line,
                    {
                        name: column[row]
                        for name, column, read in zip(names, columns, reads, strict=True)
                        if read[row]
                    },
                )
            )
        return result

    def record(self, row: int) -> Record:
        return {
            name: python_values(values[row : row + 1])[0]
            for name, values in self.values.items()
            if self.read[name][row]
        }

    @classmethod
    def from_records(cls, fmt: Format, items: Sequence[tuple[int, Record]]) -> ColumnChunk:
        n = len(items)
        values = {
            column.name: _storage(column.parse, column.default, column.required, n)
            for column in fmt.columns
        }
        read = {column.name: np.zeros(n, dtype=bool) for column in fmt.columns}
        for row, (_, record) in enumerate(items):
            for name, value in record.items():
                _store(values[name], row, value)
                read[name][row] = True
        return cls(fmt, np.array([line for line, _ in items], dtype=np.int64), values, read)


def parse_columns(
    fmt: Format,
    lines: npt.NDArray[np.int64],
    raw: dict[int, pa.Array],
    plan: Sequence[tuple[str, int, Any, bool, Any]],
    first_line: dict[str, int],
) -> tuple[ColumnChunk, list[Found]]:
    """The rows of ``raw`` (string columns by their position in the file) read with ``plan``
    (``reading._plan``): the chunk (rows with problems too, their unreadable cells not read)
    and the problems."""
    n = len(lines)
    found: list[Found] = []
    key_index = plan[0][1]
    if key_index >= 0:
        _duplicates(raw[key_index], lines, first_line, found)
    values: dict[str, Array] = {}
    read: dict[str, Mask] = {}
    line_list = lines.tolist()
    for rank, (name, index, parse, required, default) in enumerate(plan, start=1):
        column = _storage(parse, default, required, n)
        if index < 0:
            # A missing column was reported once, on the header.
            ok = np.full(n, not required)
            if not required:
                _fill(column, np.arange(n), default)
            values[name], read[name] = column, ok
            continue
        cells = raw[index]
        empty = np.asarray(pc.equal(cells, "").to_numpy(zero_copy_only=False))
        fast = fast_parser(KINDS.get(parse))
        if fast is not None:
            parsed, ok = fast(cells)
            ok = ok & ~empty & ~edge_space(cells)
            _assign(column, ok, parsed)
        else:
            ok = np.zeros(n, dtype=bool)
        if required:
            for row in np.flatnonzero(empty).tolist():
                found.append((line_list[row], rank, name, f"{name} is empty; every row needs one"))
        else:
            _fill(column, np.flatnonzero(empty), default)
            ok |= empty
        slow = np.flatnonzero(~ok & ~empty)
        if len(slow):
            texts = cells.take(pa.array(slow)).to_pylist()
            for row, text in zip(slow.tolist(), texts, strict=True):
                value = text.strip()
                if value:
                    try:
                        _store(column, row, parse(value))
                        ok[row] = True
                    except BadValue as error:
                        found.append((line_list[row], rank, name, error.message))
                elif not required:
                    _store(column, row, default)
                    ok[row] = True
                else:
                    found.append(
                        (line_list[row], rank, name, f"{name} is empty; every row needs one")
                    )
        values[name], read[name] = column, ok
    chunk = ColumnChunk(fmt, lines, values, read)
    complete = np.logical_and.reduce(list(read.values())) if read else np.ones(n, dtype=bool)
    plain = PLAIN_ROWS.get(fmt.entity)
    judged = np.flatnonzero(~(complete & plain(chunk))) if plain is not None else np.arange(n)
    for row in judged.tolist():
        for column_name, message in fmt.rule(chunk.record(row)):
            found.append((line_list[row], RULE_RANK, column_name, message))
    return chunk, found


def _duplicates(
    cells: pa.Array, lines: npt.NDArray[np.int64], first_line: dict[str, int], found: list[Found]
) -> None:
    """An id seen before in the file (``first_line`` holds each id's first line) is a problem.

    Set-wise, a chunk at a time (each id's first line in the chunk, then the ids the file
    had before): a dictionary lookup a row cost 0.76 s of a million orders' parse. Only a
    chunk holding a duplicate is walked row by row, for its problems in line order."""
    keys = list(map(str.strip, cells.to_pylist()))
    line_list = lines.tolist()
    # Read backwards, each id keeps the first of its lines in the chunk.
    chunk_first = dict(zip(reversed(keys), reversed(line_list), strict=True))
    earlier = chunk_first.keys() & first_line.keys()
    if earlier or len(chunk_first) < len(keys):
        for key, line in zip(keys, line_list, strict=True):
            first = first_line[key] if key in earlier else chunk_first[key]
            if first != line and key:
                found.append(
                    (
                        line,
                        DUPLICATE_RANK,
                        "external_id",
                        f"{_shown(key)} is also on line {first}; each id may appear once in a file",
                    )
                )
        for key in earlier:
            del chunk_first[key]
    first_line.update(chunk_first)


def _shown(text: str) -> str:
    from services.importing.fields import shown

    return shown(text)


def _kind(parse: Any) -> str:
    kind = KINDS.get(parse)
    return kind[0] if kind else ""


def _storage(parse: Any, default: Any, required: bool, n: int) -> Array:
    kind = _kind(parse)
    if kind == "timestamp":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    if kind == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if kind in ("amount", "percent") and (required or default is not None):
        return np.zeros(n, dtype=np.int64)
    if kind == "boolean" and (required or default is not None):
        return np.zeros(n, dtype=bool)
    return np.full(n, None, dtype=object)


def _assign(column: Array, ok: Mask, parsed: Array) -> None:
    if column.dtype == object and parsed.dtype != object:
        column[ok] = parsed[ok].tolist()
    else:
        column[ok] = parsed[ok]


def _fill(column: Array, rows: Array, value: Any) -> None:
    if value is None and column.dtype.kind == "M":
        column[rows] = np.datetime64("NaT")
    elif column.dtype == object:
        column[rows] = None if value is None else value
    else:
        column[rows] = value


def _store(column: Array, row: int, value: Any) -> None:
    if value is None and column.dtype.kind == "M":
        column[row] = np.datetime64("NaT")
    elif isinstance(value, datetime):
        column[row] = np.datetime64(value.astimezone(UTC).replace(tzinfo=None), "us")
    elif isinstance(value, date):
        column[row] = np.datetime64(value, "D")
    else:
        column[row] = value


def python_values(values: Array) -> list[Any]:
    """A column as the scalar parsers give its cells: aware UTC datetimes, dates, None for NaT."""
    if values.dtype.kind != "M":
        return values.tolist()  # type: ignore[no-any-return]
    if values.dtype == np.dtype("datetime64[D]"):
        return values.tolist()  # type: ignore[no-any-return]  # dates, None for NaT
    return [None if v is None else v.replace(tzinfo=UTC) for v in values.tolist()]


def _plain_orders(chunk: ColumnChunk) -> Mask:
    """Rows the order rule (``formats._order_rule``) certainly has nothing to say about; the
    others it judges itself. Only asked of rows whose every cell was read."""
    v = chunk.values
    placed, shipped = v["placed_at"], v["shipped_at"]
    delivered, cancelled, status = v["delivered_at"], v["cancelled_at"], v["status"]
    no_ship, no_delivery, no_cancel = np.isnat(shipped), np.isnat(delivered), np.isnat(cancelled)
    consistent = np.where(
        status == "cancelled",
        ~no_cancel,
        no_cancel
        & np.where(
            status == "placed",
            no_ship & no_delivery,
            np.where(
                status == "shipped",
                ~no_ship & no_delivery,
                (status == "delivered") & ~no_delivery,
            ),
        ),
    )
    with np.errstate(invalid="ignore"):
        return np.asarray(
            (v["covered_amount"] <= v["order_amount"])
            & (no_ship | (shipped >= placed))
            & (no_cancel | (cancelled >= placed))
            & (no_delivery | (~no_ship & (delivered >= shipped)))
            & consistent,
            dtype=bool,
        )


def _plain_suppliers(chunk: ColumnChunk) -> Mask:
    # The suppliers' rule finds nothing across a row (formats._supplier_rule).
    return np.ones(len(chunk), dtype=bool)


PLAIN_ROWS = {"orders": _plain_orders, "suppliers": _plain_suppliers}
