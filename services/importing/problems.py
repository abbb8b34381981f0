"""A problem found in an import file, and the capped list that collects them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from services.csv_export import spreadsheet_safe

#: Problems kept for display; beyond this only the count grows (a broken 1M-row file would
#: otherwise make a million-row error table nobody reads).
MAX_PROBLEMS_SHOWN = 1_000


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
        self.count += 1
        if len(self._kept) < self._limit:
            self._kept.append(Problem(line, column, message))

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
        # A message may quote a cell: made inert like every exported text.
        writer.writerow([problem.line, problem.column, spreadsheet_safe(problem.message)])
    return buffer.getvalue().encode("utf-8-sig")
