"""The import's fast path against its definition, the scalar parsers and the scalar reader.

Property tests: whatever cell the vectorised parsers accept, the scalar parser (and so, for
amounts, ``rules.parse_money``, the one money parser) accepts too with the same value; whatever
the scalar parser refuses, the fast path leaves to it. And whole files: the fast reader (which
falls back to the scalar reader on anything it cannot vouch for) yields the same records and
the same problems, in the same order, as the scalar reader — for every file of the fuzz corpus
and for generated files with problems scattered through them.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import MoneyError, parse_money
from services.importing import FORMATS, fields
from services.importing.columnar import python_values
from services.importing.fast_reading import ChunkReader
from services.importing.formats import Entity
from services.importing.problems import Problems
from services.importing.reading import RecordReader
from services.importing.vectorised import SPACES, edge_space, fast_parser
from tests.hostile_files import hostile_files, rows_of, to_csv

FAST_KINDS = ["amount", "timestamp", "date", "country", "currency", "boolean"]


def _scalar(parse: Callable[[str], Any], cell: str) -> tuple[bool, Any]:
    try:
        return True, parse(cell)
    except fields.BadValue:
        return False, None


def _fast(parse: Callable[[str], Any], cells: list[str]) -> list[tuple[bool, Any]]:
    fast = fast_parser(fields.KINDS[parse])
    assert fast is not None
    raw = pa.array(cells, type=pa.string())
    values, ok = fast(raw)
    ok = ok & ~edge_space(raw)
    return [(bool(good), python_values(values[i : i + 1])[0]) for i, good in enumerate(ok)]


def _agree(parse: Callable[[str], Any], cells: list[str]) -> int:
    """Every cell the fast path takes, the scalar parser reads the same; returns how many."""
    taken = 0
    for cell, (good, value) in zip(cells, _fast(parse, cells), strict=True):
        if good:
            taken += 1
            assert _scalar(parse, cell) == (True, value), cell
    return taken


def test_the_white_space_list_is_pythons() -> None:
    assert {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()} == set(SPACES)


_digits = st.text("0123456789", min_size=0, max_size=15)
_amounts = st.one_of(
    st.builds(lambda w, f: w + f, _digits, st.sampled_from(["", ".", ".5", ".50", ".505", ".x"])),
    st.text(st.sampled_from("0123456789.,- +e١１\u00a0"), max_size=16),
    st.text(max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_amounts, min_size=1, max_size=30))
def test_fast_amounts_are_the_money_parsers_cents_refusals_included(cells: list[str]) -> None:
    for cell, (good, cents) in zip(cells, _fast(fields.amount, cells), strict=True):
        try:
            expected: int | None = parse_money(cell)
        except MoneyError:
            expected = None
        if good:
            assert cents == expected == fields.amount(cell), cell
        if expected is None or expected > fields.MAX_AMOUNT_CENTS:
            assert not good, cell  # a refusal is always the scalar parser's to word


_two = st.integers(0, 99).map(lambda n: f"{n:02d}")
_times = st.builds(
    lambda year, month, day, sep, hour, minute, second, fraction, zone: (
        f"{year}-{month}-{day}{sep}{hour}:{minute}:{second}{fraction}{zone}"
    ),
    st.sampled_from(["1899", "1900", "2024", "2025", "2100", "2999", "3000", "0000"]),
    st.sampled_from(["00", "01", "02", "12", "13"]),
    st.sampled_from(["00", "01", "28", "29", "30", "31", "32"]),
    st.sampled_from(["T", " ", "t", "_"]),
    st.sampled_from(["00", "09", "23", "24"]),
    _two,
    _two,
    st.sampled_from(["", ".", ".1", ".123", ".123456", ".1234567", ",5"]),
    st.one_of(
        st.sampled_from(["Z", "z", "", "+00:00", "-00:00", "+08:00", "-05:30", "+0800"]),
        st.builds(lambda s, h, m: f"{s}{h}:{m}", st.sampled_from("+-"), _two, _two),
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_times, st.text(max_size=25)), min_size=1, max_size=20))
def test_fast_timestamps_are_fromisoformats(cells: list[str]) -> None:
    _agree(fields.timestamp, cells)


_dates = st.builds(
    lambda y, m, d: f"{y}-{m}-{d}",
    st.sampled_from(["1899", "1900", "2000", "2023", "2024", "2100", "2999", "3000"]),
    _two,
    _two,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_dates, st.text(max_size=12)), min_size=1, max_size=20))
def test_fast_dates_are_fromisoformats(cells: list[str]) -> None:
    _agree(fields.calendar_date, cells)


_words = st.one_of(
    st.sampled_from(["DE", "de", "Cn", "UK", "XX", "usd", "USD", "Usd", "EUR", "true", "FALSE"]),
    st.sampled_from(["yes", "tt", "TT", "Card", "other", " tt", "tt ", "ＤＥ", "İT", "ı"]),
    st.text(max_size=6),
)


@pytest.mark.parametrize(
    "parse",
    [
        fields.country,
        fields.currency,
        fields.boolean,
        FORMATS["orders"].column("payment_method").parse,
        FORMATS["claims"].column("status").parse,
        FORMATS["orders"].column("buyer_name").parse,
        FORMATS["claims"].column("description").parse,
    ],
)
@settings(max_examples=150, deadline=None)
@given(cells=st.lists(_words, min_size=1, max_size=20))
def test_fast_words_and_texts_are_the_scalar_parsers(
    parse: Callable[[str], Any], cells: list[str]
) -> None:
    _agree(parse, cells)


def test_the_fast_path_takes_the_plain_shapes() -> None:
    """Not a tautology of an empty fast path: the usual cells never reach the scalar parser."""
    assert _agree(fields.amount, ["0", "12.5", "1234.50", "999999999999.99"]) == 4
    plain_times = [
        "2025-03-01T09:30:00Z",
        "2025-03-01 09:30:00.5+08:00",
        "2024-02-29T23:59:59-05:30",
    ]
    assert _agree(fields.timestamp, plain_times) == 3
    assert _agree(fields.calendar_date, ["2024-02-29", "1900-01-01", "2999-12-31"]) == 3
    assert _agree(fields.country, ["DE", "cn"]) == 2
    assert _agree(FORMATS["orders"].column("buyer_name").parse, ["Hansa Maschinen GmbH"]) == 1


# --- whole files: the fast reader gives what the scalar reader gives -------------------------


def _scalar_read(entity: Entity, data: bytes) -> tuple[list[Any], Problems, int]:
    problems = Problems()
    reader = RecordReader(io.BytesIO(data), FORMATS[entity], problems, partial=True)
    records = list(reader)
    return records, problems, reader.rows


def _fast_read(entity: Entity, data: bytes, size: int = 4) -> tuple[list[Any], Problems, int, bool]:
    """As the import reads: the fast reader, or the scalar one from the start if it declines."""
    from services.importing.fast_reading import Declined

    problems = Problems()
    reader = ChunkReader(io.BytesIO(data), FORMATS[entity], problems)
    try:
        records = [item for chunk in reader.chunks(size) for item in chunk.records()]
    except Declined:
        problems = Problems()
        reader = ChunkReader(io.BytesIO(data), FORMATS[entity], problems, fast=False)
        records = [item for chunk in reader.chunks(size) for item in chunk.records()]
    return records, problems, reader.rows, reader.fast


def _same(entity: Entity, data: bytes) -> bool:
    records, problems, rows = _scalar_read(entity, data)
    fast_records, fast_problems, fast_rows, fast = _fast_read(entity, data)
    assert fast_records == records
    assert fast_problems.shown == problems.shown
    assert fast_problems.count == problems.count
    assert fast_rows == rows
    return fast


def test_every_file_of_the_fuzz_corpus_reads_the_same_on_both_paths() -> None:
    fast = [case.name for case in hostile_files() if _same(case.entity, case.data)]
    # The cells' and rules' cases keep a sound structure: the fast reader must take those.
    assert len(fast) >= 150, len(fast)


_BAD_CELLS = {
    "order_amount": ["abc", "-1", "1,000.00", "12.345", "١٠٠", " 12.50 ", ""],
    "covered_amount": ["99999999999999", "1e3", "100000.00"],
    "placed_at": ["2025-02-30T10:00:00Z", "2025-03-01T10:00:00", "yesterday", "2025-03-01T25:00Z"],
    "ship_by": ["2025-13-01", "01/03/2025", "20250301", " 2025-03-31"],
    "shipped_at": ["2025-02-01T00:00:00Z", "garbage", "\x1b[31m"],
    "status": ["SHIPPED", "lost", "cancelled", "delivered"],
    "buyer_country": ["UK", "de", "ＤＥ"],
    "currency": ["EUR", "usd"],
    "external_id": ["ORD-FZ-1", "x" * 70, ""],
    "buyer_name": ["A\x00B", "Ünïcødé GmbH", "x" * 201],
}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 11), st.sampled_from(sorted(_BAD_CELLS)), st.integers(0, 99)),
        max_size=8,
    )
)
def test_generated_orders_files_read_the_same_on_both_paths(
    breaks: list[tuple[int, str, int]],
) -> None:
    rows = rows_of("orders", 12)
    header = list(rows[0])
    for row, column, pick in breaks:
        choices = _BAD_CELLS[column]
        rows[row][column] = choices[pick % len(choices)]
    data = to_csv(header, [[row[name] for name in header] for row in rows]).encode()
    _same("orders", data)


def test_duplicate_ids_within_and_across_chunks_read_as_the_scalar_reader_reads_them() -> None:
    """Chunks of four rows: an id again in its own chunk, in a later chunk, three times, padded
    with spaces (the same id once stripped), and empty ids (a missing value, no duplicate)."""
    rows = rows_of("orders", 14)
    rows[2]["external_id"] = rows[1]["external_id"]  # same chunk
    rows[6]["external_id"] = rows[0]["external_id"]  # next chunk
    rows[12]["external_id"] = rows[0]["external_id"]  # a third time, two chunks on
    rows[9]["external_id"] = f"  {rows[4]['external_id']} "  # padded
    rows[10]["external_id"] = rows[11]["external_id"] = ""
    data = to_csv(list(rows[0]), [list(r.values()) for r in rows]).encode()
    assert _same("orders", data)
    _, problems, _, _ = _fast_read("orders", data)
    duplicates = [(p.line, p.message) for p in problems.shown if "also on line" in p.message]
    assert duplicates == [
        (4, "'ORD-FZ-2' is also on line 3; each id may appear once in a file"),
        (8, "'ORD-FZ-1' is also on line 2; each id may appear once in a file"),
        (11, "'ORD-FZ-5' is also on line 6; each id may appear once in a file"),
        (14, "'ORD-FZ-1' is also on line 2; each id may appear once in a file"),
    ]
