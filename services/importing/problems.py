"""A problem found in an import file, and the capped list that collects them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from services.csv_export import spreadsheet_safe

#: Problems kept for display; beyond this only the count grows (a broken 1M-row file would
#: otherwise make a million-row error table nobody reads).
MAX_PROBLEMS_SHOWN = 1_000


# C0 and C1 controls and DEL move a terminal's cursor, recolour it or end a string early (NUL);
# bidirectional overrides and line separators reorder or break what a reader sees.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (ESC → ``\\x1b``, NUL →
    ``\\x00``, a line break → ``\\n``): safe in a terminal, a table cell or a log line, and
    still saying which character it was."""
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file: where (line 1 is the header; 0 means the whole file)."""

    line: int
    column: str
    message: str


class Problems:
    """Collects problems in file order, keeping the first :data:`MAX_PROBLEMS_SHOWN`."""

    def __init__(self, limit: int = MAX_PROBLEMS_SHOWN) -> None:
        self._limit = limit
        self._kept: list[Problem] = []
        self.count = 0

    def add(self, line: int, column: str, message: str) -> None:
        """Keep a problem; its column and message are escaped here, once for every screen (a
        header name or a quoted cell may hold ESC or NUL)."""
        self.count += 1
        if len(self._kept) < self._limit:
            self._kept.append(Problem(line, printable(column), printable(message)))

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def shown(self) -> tuple[Problem, ...]:
        return tuple(sorted(self._kept, key=lambda p: p.line))


def problems_csv(problems: Iterable[Problem]) -> bytes:
    """The problems as a UTF-8 CSV (with a BOM so spreadsheet programs open it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "column", "message"])
    for problem in problems:
        # A column comes from the file's header and a message may quote a cell: both are made
        # inert by the exports' formula guard (a header cell "=HYPERLINK(…)" stays text).
        writer.writerow(
            [
                problem.line,
                spreadsheet_safe(printable(problem.column)),
                spreadsheet_safe(printable(problem.message)),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
