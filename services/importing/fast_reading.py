"""Read a file in chunks of columns: Arrow's CSV reader where it provably reads as ours does.

:class:`ChunkReader` is what the import reads through. It first tries Arrow's multi-threaded
CSV parser on segments of the file cut at line ends, but only where the result is certainly
what the scalar reader (:class:`services.importing.reading.RecordReader`, the definition) would
see: a header the scalar reader accepts without a word; UTF-8 text without NUL bytes or lone
carriage returns; one row per physical line (so a row's line number is its position), no blank
line; and every line holding a quote re-read by Python's own ``csv`` module and found equal.
Whatever else a file holds (a value spanning lines, a blank line, a stray quote, bytes that are
not UTF-8, an over-long line), the fast reader declines and the scalar reader reads the file
from its start: it knows how to say what is wrong. Cells are then read column by column
(:func:`services.importing.columnar.parse_columns`) with the scalar parsers' own sentences.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pa_csv

from services.arrow_memory import give_back_freed
from services.importing.columnar import ColumnChunk, Found, parse_columns
from services.importing.formats import Format, Record
from services.importing.problems import Problems
from services.importing.read_ahead import read_ahead
from services.importing.reading import MAX_LINE_BYTES, RecordReader, _plan, not_text

#: Bytes parsed at once. Arrow's parse of a segment takes five to six times its size while it
#: runs, and its allocator kept much of that (before ``give_back_freed``): a file of a million
#: orders (170 MB) imported into a million peaked at 768–788 MB read 32 MB at a time,
#: 688–705 MB at 8 MB, at the same speed (45.6–51.9 s against 45.9–49.0 s; runs alternating;
#: 4 MB gained nothing more), 6 Dec 2026.
SEGMENT_BYTES = 8 << 20
_BOM = b"\xef\xbb\xbf"
_QUOTE, _NEWLINE = ord('"'), ord("\n")


class Declined(Exception):
    """The fast reader cannot vouch for this file; read it with the scalar reader."""


class ChunkReader:
    """``chunks(size)`` yields :class:`ColumnChunk` s of ``size`` rows (the last one shorter)
    with the scalar reader's semantics: every problem goes to ``problems`` (a duplicate id
    too), and rows with problems are yielded as well, their unreadable cells not read, so the
    checks against the database report theirs. ``fast`` says which reader reads: the fast one
    unless it declined the file before."""

    def __init__(
        self,
        stream: BinaryIO,
        fmt: Format,
        problems: Problems,
        *,
        fast: bool = True,
    ) -> None:
        self._stream = stream
        self._format = fmt
        self._problems = problems
        self.fast = fast
        self.rows = 0

    def chunks(self, size: int) -> Generator[ColumnChunk, None, None]:
        """Raises :class:`Declined` (with ``fast``) before or after yielding: the caller reads
        the file again from its start with ``fast`` false."""
        if self.fast:
            yield from self._fast_chunks(size)
            return
        scalar = RecordReader(self._stream, self._format, self._problems, partial=True)
        items: list[tuple[int, Record]] = []
        for item in scalar:
            self.rows = scalar.rows
            items.append(item)
            if len(items) >= size:
                yield ColumnChunk.from_records(self._format, items)
                items = []
        self.rows = scalar.rows
        yield ColumnChunk.from_records(self._format, items)

    def _fast_chunks(self, size: int) -> Iterator[ColumnChunk]:
        """The chunks parsed one ahead in a worker thread (``read_ahead``); their problems
        reported here, in the reader's thread, as each is handed on."""
        for chunk, found in read_ahead(self._parsed_chunks(size)):
            self.rows += len(chunk)
            _report(self._problems, found)
            yield chunk

    def _parsed_chunks(self, size: int) -> Iterator[tuple[ColumnChunk, list[Found]]]:
        """Runs in the worker: reads the stream, touches nothing the reader's thread uses."""
        fmt, stream = self._format, self._stream
        head = stream.readline(MAX_LINE_BYTES)
        if not head.endswith(b"\n") or not_text(head) is not None:
            raise Declined
        header = _single_row(head.removeprefix(_BOM))
        unheard = Problems()
        plan = _plan(header, fmt, unheard)
        if plan is None or unheard:
            raise Declined
        width = len(header)
        names = [f"c{index}" for index in range(width)]
        first_line: dict[str, int] = {}
        line = 2
        pending: list[pa.Table] = []
        pending_lines: list[npt.NDArray[np.int64]] = []
        held = 0
        while segment := _segment(stream):
            table, count = _parse(segment, names)
            pending.append(table)
            pending_lines.append(np.arange(line, line + count, dtype=np.int64))
            held += count
            line += count
            while held >= size:
                yield self._chunk(pending, pending_lines, size, plan, first_line)
                held -= size
        yield self._chunk(pending, pending_lines, held, plan, first_line)

    def _chunk(
        self,
        pending: list[pa.Table],
        pending_lines: list[npt.NDArray[np.int64]],
        size: int,
        plan: Any,
        first_line: dict[str, int],
    ) -> tuple[ColumnChunk, list[Found]]:
        """The first ``size`` rows held, read, and their problems; the rest stays in
        ``pending``."""
        if size == 0:
            return ColumnChunk.from_records(self._format, []), []
        table = pa.concat_tables(pending) if len(pending) > 1 else pending[0]
        lines = np.concatenate(pending_lines) if pending_lines else np.zeros(0, dtype=np.int64)
        pending[:] = [table.slice(size)]
        pending_lines[:] = [lines[size:]]
        table, lines = table.slice(0, size), lines[:size]
        raw = {index: table.column(index).combine_chunks() for index in range(table.num_columns)}
        chunk, found = parse_columns(self._format, lines, raw, plan, first_line)
        del raw, table  # the chunk's Arrow buffers, freed before they are handed back
        give_back_freed()  # what the chunk's parse freed, before it is checked and written
        return chunk, found


def _report(problems: Problems, found: list[Found]) -> None:
    for line, _, column, message in sorted(found, key=lambda item: (item[0], item[1])):
        problems.add(line, column, message)


def _single_row(raw: bytes) -> list[str]:
    """A physical line read as one CSV row by Python's csv module, or Declined."""
    try:
        rows = list(csv.reader([raw.decode("utf-8")], strict=True))
    except (UnicodeDecodeError, csv.Error):
        raise Declined from None
    if len(rows) != 1:
        raise Declined
    return rows[0]


def _segment(stream: BinaryIO) -> bytes:
    """About :data:`SEGMENT_BYTES` of whole lines (the file's last line may lack its end)."""
    segment = stream.read(SEGMENT_BYTES)
    if segment and not segment.endswith(b"\n"):
        rest = stream.readline(MAX_LINE_BYTES)
        if len(rest) >= MAX_LINE_BYTES:
            raise Declined
        segment += rest
    return segment


def _parse(segment: bytes, names: list[str]) -> tuple[pa.Table, int]:
    """The segment's rows as string columns, each row one physical line; or Declined."""
    if b"\x00" in segment or segment.count(b"\r") != segment.count(b"\r\n"):
        raise Declined
    bytes_ = np.frombuffer(segment, dtype=np.uint8)
    ends = np.flatnonzero(bytes_ == _NEWLINE)
    lines = len(ends) + (0 if segment.endswith(b"\n") else 1)
    starts = np.concatenate(([0], ends + 1))
    if np.max(np.diff(np.concatenate((starts[:lines], [len(segment) + 1])))) > MAX_LINE_BYTES:
        raise Declined
    try:
        table = pa_csv.read_csv(
            io.BytesIO(segment),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        raise Declined from None
    if table.num_rows != lines:
        raise Declined
    if table.num_rows and _blank_rows(table):
        raise Declined  # rows of empty values only: the scalar reader skips them
    quoted = np.flatnonzero(bytes_ == _QUOTE)
    if len(quoted):
        _same_as_csv_module(segment, table, starts, np.unique(np.searchsorted(ends, quoted)))
    return table, lines


def _blank_rows(table: pa.Table) -> bool:
    blank = None
    for column in table.columns:
        empty = pa.compute.equal(column, "")
        blank = empty if blank is None else pa.compute.and_(blank, empty)
    return bool(pa.compute.any(blank).as_py())


def _same_as_csv_module(
    segment: bytes, table: pa.Table, starts: npt.NDArray[Any], rows: npt.NDArray[Any]
) -> None:
    """Each line holding a quote, read by the csv module, gives the row Arrow read; or Declined."""
    taken = table.take(pa.array(rows))
    arrow_rows = list(zip(*(column.to_pylist() for column in taken.columns), strict=True))
    bounds = np.concatenate((starts, [len(segment)]))
    for row, arrow_row in zip(rows.tolist(), arrow_rows, strict=True):
        text = segment[bounds[row] : bounds[row + 1]]
        if _single_row(text) != list(arrow_row):
            raise Declined
