"""Stream a CSV file row by row: bytes → checked UTF-8 lines → csv records → typed records.

Reads in constant memory whatever the file's size: one physical line at a time (at most
:data:`MAX_LINE_BYTES`), so a line number is known for every problem, including a byte that is
not UTF-8. A file that is not UTF-8 text at all (UTF-16 without a byte-order mark, NULs, a
workbook) is recognised on its first line and refused in one sentence, never echoed. No database
here; the references are checked in ``validate.py``.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from services.importing.fields import BadValue, shown
from services.importing.formats import Format, Record
from services.importing.headers import looks_like
from services.importing.problems import Problems

#: Longest physical line, and longest value, read; longer means the file is not a CSV of these
#: formats (or a quote is never closed), and the rest of it is not checked.
MAX_LINE_BYTES = MAX_FIELD_CHARS = 32 << 20
_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"
_SAVE_AS = "save it as CSV UTF-8 and import it again"

# The csv module's limit (128 KiB) would stop a long value midway and restart reading inside its
# quotes, turning one 10 MB description into thousands of false rows. Raised once, for the whole
# process (the module keeps one limit): values are measured against their columns instead.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))


def not_text(head: bytes) -> str | None:
    """Why the file starting with ``head`` is not UTF-8 CSV text, or None when it may be.

    Catches what a UTF-8 decoder would let through or report as a mystery: UTF-16 and UTF-32
    (NUL bytes are valid UTF-8), files of NULs, workbooks and archives, and lines ending in a
    carriage return alone.
    """
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return f"this file is not UTF-8 text (it is UTF-32); {_SAVE_AS}"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"this file is not UTF-8 text (it is UTF-16); {_SAVE_AS}"
    if head.startswith(b"PK\x03\x04"):
        return (
            "this file is not CSV text (it looks like an Excel workbook or another ZIP "
            f"archive); open it and {_SAVE_AS}"
        )
    if head.startswith(b"\x1f\x8b"):
        return "this file is compressed (gzip); unpack it and import the CSV file inside"
    sample = head[:4096]
    nuls = sample.count(0)
    # A stray NUL or two is left to the cells (refused there, shown escaped); a file that is
    # NULs in large part is another encoding, or not text at all.
    if nuls and 10 * nuls >= len(sample):
        if nuls == len(sample):
            return "this file holds only NUL bytes, no text; is it the right file?"
        by_position = [sample[i::4].count(0) for i in range(4)]
        if 3 * nuls >= 2 * len(sample) and min(by_position) * 8 <= max(by_position):
            return f"this file is not UTF-8 text (it looks like UTF-32); {_SAVE_AS}"
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if 3 * nuls >= len(sample) and min(even, odd) * 8 <= max(even, odd):
            return f"this file is not UTF-8 text (it looks like UTF-16); {_SAVE_AS}"
        return (
            "this file is not text: its first line holds NUL bytes (a spreadsheet or another "
            f"binary file?); {_SAVE_AS}"
        )
    if b"\n" not in sample and sample.count(b"\r") > 1:
        return f"this file's lines end with a carriage return alone (an old Mac format); {_SAVE_AS}"
    return None


class LineReader:
    """Decoded lines of a binary stream, counting them, stopping at the first
    line that is not UTF-8 (or is too long) with one problem that names it."""

    def __init__(self, stream: BinaryIO, problems: Problems) -> None:
        self._stream = stream
        self._problems = problems
        self.line = 0
        #: True once reading stopped early on a problem already reported.
        self.stopped = False
        #: Names the column of a line's first undecodable byte, once the header is known.
        self.locate: Callable[[str], str] | None = None

    def _stop(self, line: int, message: str, column: str = "") -> None:
        self._problems.add(line, column, message)
        self.stopped = True

    def __iter__(self) -> Iterator[str]:
        readline = self._stream.readline
        while raw := readline(_CHUNK):
            if self.line == 0:
                problem = not_text(raw)
                if problem is not None:
                    self._stop(1, problem)
                    return
                raw = raw.removeprefix(_BOM)
                if not raw:
                    return  # a byte-order mark and nothing else: an empty file
            self.line += 1
            if len(raw) >= _CHUNK and not raw.endswith(b"\n"):
                raw = self._rest_of(raw)
                if self.stopped:
                    return
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                replaced = raw.decode("utf-8", "replace")
                self._stop(
                    self.line,
                    f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} at position "
                    f"{error.start + 1} of this line); {_SAVE_AS}. The rest of the file was not "
                    "checked",
                    self.locate(replaced) if self.locate is not None else "",
                )
                return

    def _rest_of(self, start: bytes) -> bytes:
        """A physical line longer than a read: the rest of it, up to :data:`MAX_LINE_BYTES`."""
        parts, size = [start], len(start)
        while size <= MAX_LINE_BYTES:
            more = self._stream.readline(_CHUNK)
            parts.append(more)
            size += len(more)
            if not more or more.endswith(b"\n"):
                return b"".join(parts)
        self._stop(
            self.line,
            f"the line is longer than {MAX_LINE_BYTES:,} bytes; the rest of the file was not "
            "checked",
        )
        return b""


class RecordReader:
    """Iterates ``(line, record)`` for each row whose every cell and row rule is fine.

    Every other row adds its problems to ``problems``: every problem of the row, each cell and
    each rule across the row whose cells could be read. With ``partial`` it yields those rows
    too, with the unreadable cells left out of the record, so the checks against the database
    report theirs as well (an unknown supplier beside a bad date). ``rows`` counts the data rows
    read so far, as the CSV reader sees them (valid or not), for progress bars.
    """

    def __init__(
        self,
        stream: BinaryIO,
        fmt: Format,
        problems: Problems,
        *,
        partial: bool = False,
    ) -> None:
        self._lines = LineReader(stream, problems)
        self._format = fmt
        self._problems = problems
        self._partial = partial
        # external id → first line: one small entry per row, the only state that grows.
        self._first_line: dict[str, int] = {}
        self.rows = 0

    def __iter__(self) -> Iterator[tuple[int, Record]]:
        lines, fmt, problems = self._lines, self._format, self._problems
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            if not problems:
                problems.add(1, "", "the file is empty; the first line must name the columns")
            return
        except csv.Error as error:
            if not lines.stopped:
                problems.add(1, "", f"the header line is not valid CSV: {_csv_sentence(error)}")
            return
        plan = _plan(header, fmt, problems)
        if plan is None:
            return
        lines.locate = lambda text: _column_of_undecodable(text, header)
        width = len(header)
        key_index = plan[0][1]  # external_id, the first column of every format
        start = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if lines.stopped:
                    return  # the cut-off line was reported already; its quoting does not matter
                self.rows += 1
                problems.add(start, "", _csv_sentence(error))
                if "field larger than field limit" in str(error):
                    return  # inside a value that never ends: no later line can be trusted
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if len(values) != width:
                if not "".join(values).strip():
                    continue  # a blank line, or a spreadsheet's empty trailing row
                self.rows += 1
                _wrong_width(line, values, header, problems)
                continue
            if not any(values):
                continue
            self.rows += 1
            duplicate = self._duplicate(line, values[key_index]) if key_index >= 0 else False
            record, complete = _record(line, values, plan, problems)
            bad = not complete or duplicate
            for column, message in fmt.rule(record):
                problems.add(line, column, message)
                bad = True
            if not bad or self._partial:
                yield line, record

    def _duplicate(self, line: int, cell: str) -> bool:
        key = cell.strip()
        first = self._first_line.setdefault(key, line)
        if first == line or not key:
            return False
        self._problems.add(
            line,
            "external_id",
            f"{shown(key)} is also on line {first}; each id may appear once in a file",
        )
        return True


#: Per column, flattened for speed: (name, index of its value in a row or -1 when the header
#: lacks it, parser, required, default).
_Plan = list[tuple[str, int, Callable[[str], Any], bool, Any]]


def _plan(header: list[str], fmt: Format, problems: Problems) -> _Plan | None:
    names = [raw_name.strip().lower() for raw_name in header]
    other = looks_like(names, fmt.entity)
    if other is not None:
        problems.add(1, "", other)
        return None
    known = {c.name for c in fmt.columns}
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            problems.add(1, "", f"column {index + 1} of the header has no name")
        elif name in positions:
            problems.add(1, name, f"the column {name} appears twice in the header")
        elif name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            problems.add(1, name, f"{shown(name)} is not a column of the {fmt.entity} format{hint}")
        else:
            positions[name] = index
    if not positions:
        if not problems:
            problems.add(1, "", "the first line names none of the format's columns")
        return None
    for column in fmt.columns:
        if column.required and column.name not in positions:
            problems.add(1, column.name, f"the column {column.name} is missing")
    return [
        (c.name, positions.get(c.name, -1), c.parse, c.required, c.default) for c in fmt.columns
    ]


def _record(line: int, values: list[str], plan: _Plan, problems: Problems) -> tuple[Record, bool]:
    """The row's typed values, and whether every cell could be read (a cell that could not is
    left out of the record, its problem reported)."""
    # The hot loop of an import read this way: runs for every cell of every row.
    record: Record = {}
    complete = True
    for name, index, parse, required, default in plan:
        raw = values[index].strip() if index >= 0 else ""
        if raw:
            try:
                record[name] = parse(raw)
            except BadValue as error:
                problems.add(line, name, error.message)
                complete = False
        elif not required:
            record[name] = default
        else:
            if index >= 0:  # a missing column was reported once, on the header
                problems.add(line, name, f"{name} is empty; every row needs one")
            complete = False
    return record, complete


def _column_of_undecodable(text: str, header: list[str]) -> str:
    """The column holding the first U+FFFD of a line decoded with replacement, when the line
    is a whole row of its own (inside a value that spans lines there is no telling)."""
    try:
        (values,) = list(csv.reader([text]))
    except (csv.Error, ValueError):
        return ""
    if len(values) != len(header):
        return ""
    for name, value in zip(header, values, strict=True):
        if "\ufffd" in value:
            return name.strip().lower()
    return ""


def _wrong_width(line: int, values: list[str], header: list[str], problems: Problems) -> None:
    count, width = len(values), len(header)
    said = f"the row has {count} value{'s' if count != 1 else ''} but the header names {width}"
    if count < width:
        first_missing = header[count].strip().lower()
        problems.add(
            line,
            first_missing,
            f"{said} columns: {first_missing} and the columns after it have no value (a cut-off "
            "row, or a missing comma?)",
        )
    else:
        problems.add(
            line,
            "",
            f"{said} columns (a comma inside an unquoted value? put such a value in quotes)",
        )


def _csv_sentence(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return (
            f"a value starting on this line is longer than {MAX_FIELD_CHARS:,} characters (a "
            "quote never closed?); the rest of the file was not checked"
        )
    if "unexpected end of data" in text:
        return "a quoted value is never closed: the file ends inside quotes"
    if "expected after" in text:
        return (
            "a closing quote is followed by more text; inside a quoted value write a quote as "
            'two quotes ("")'
        )
    if "new-line character" in text:
        return "a line break inside an unquoted value; put the value in quotes"
    if "NUL" in text:
        return "the line contains a NUL byte; is this a text file?"
    return "the line is not valid CSV"
