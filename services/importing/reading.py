"""Stream a CSV file row by row: bytes → checked UTF-8 lines → csv records → typed records.

Reads in constant memory whatever the file's size: one physical line at a time (at most
:data:`MAX_LINE_BYTES`), so a line number is known for every problem, including a byte that is
not UTF-8. No database here; the references are checked in ``validate.py``.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from services.importing.fields import BadValue, shown
from services.importing.formats import Format, Record
from services.importing.problems import Problems

#: Longest physical line read; longer means the file is not a CSV of these formats.
MAX_LINE_BYTES = 1 << 20
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class LineReader:
    """Decoded lines of a binary stream, counting lines and bytes, stopping at the first
    line that is not UTF-8 (or is too long) with one problem that names it."""

    def __init__(self, stream: BinaryIO, problems: Problems) -> None:
        self._stream = stream
        self._problems = problems
        self.line = 0
        self.bytes_read = 0
        #: True once reading stopped early on a problem already reported.
        self.stopped = False

    def __iter__(self) -> Iterator[str]:
        readline = self._stream.readline
        while raw := readline(MAX_LINE_BYTES):
            self.line += 1
            self.bytes_read += len(raw)
            if self.line == 1:
                if raw.startswith(_UTF16_BOMS):
                    self._problems.add(
                        1, "", "the file is UTF-16 text; save it as CSV UTF-8 and import it again"
                    )
                    self.stopped = True
                    return
                raw = raw.removeprefix(_BOM)
            if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                self._problems.add(
                    self.line,
                    "",
                    f"the line is longer than {MAX_LINE_BYTES:,} bytes; "
                    "the rest of the file was not checked",
                )
                self.stopped = True
                return
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                self._problems.add(
                    self.line,
                    "",
                    f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} at position "
                    f"{error.start + 1} of this line); save it as CSV UTF-8 and import it again. "
                    "The rest of the file was not checked",
                )
                self.stopped = True
                return


class RecordReader:
    """Iterates ``(line, record)`` for each row whose every cell and row rule is fine.

    Every other row adds its problems to ``problems``. ``rows`` counts the data rows read so far
    (valid or not) and ``bytes_read`` the bytes, for progress bars.
    """

    def __init__(
        self, stream: BinaryIO, fmt: Format, problems: Problems, *, find_duplicates: bool = True
    ) -> None:
        self._lines = LineReader(stream, problems)
        self._format = fmt
        self._problems = problems
        # external id → first line: one small entry per row, the only state that grows.
        self._first_line: dict[str, int] | None = {} if find_duplicates else None
        self.rows = 0

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

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
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if len(values) != width:
                if not "".join(values).strip():
                    continue  # a blank line, or a spreadsheet's empty trailing row
                self.rows += 1
                problems.add(
                    line,
                    "",
                    f"the row has {len(values)} value{'s' if len(values) != 1 else ''} but the "
                    f"header names {width} columns (a cut-off row, or a comma inside an "
                    "unquoted value?)",
                )
                continue
            if not any(values):
                continue
            self.rows += 1
            duplicate = self._duplicate(line, values[key_index]) if key_index >= 0 else False
            record = _record(line, values, plan, problems)
            if record is None or duplicate:
                continue
            bad = False
            for column, message in fmt.rule(record):
                problems.add(line, column, message)
                bad = True
            if not bad:
                yield line, record

    def _duplicate(self, line: int, cell: str) -> bool:
        if self._first_line is None:
            return False
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
    known = {c.name for c in fmt.columns}
    positions: dict[str, int] = {}
    for index, raw_name in enumerate(header):
        name = raw_name.strip().lower()
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


def _record(line: int, values: list[str], plan: _Plan, problems: Problems) -> Record | None:
    # The hot loop of an import: runs for every cell of every row, twice.
    record: Record = {}
    ok = True
    for name, index, parse, required, default in plan:
        raw = values[index].strip() if index >= 0 else ""
        if raw:
            try:
                record[name] = parse(raw)
            except BadValue as error:
                problems.add(line, name, error.message)
                ok = False
        elif not required:
            record[name] = default
        else:
            if index >= 0:  # a missing column was reported once, on the header
                problems.add(line, name, f"{name} is empty; every row needs one")
            ok = False
    return record if ok else None


def _csv_sentence(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"a value is longer than {csv.field_size_limit():,} characters"
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
    return f"the line is not valid CSV ({text})"
