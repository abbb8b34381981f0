"""Issue 10's cases, each on its own: files read the way a bank would read them.

Wrong encodings recognised and named, never echoed; rows counted as the CSV reader sees them;
the wrong kind of file recognised by its header; every problem of a row in one pass; dates that
do not exist called so; digits other than 0-9 refused; control characters escaped wherever a
message goes; the problems CSV made inert like every export.
"""

from __future__ import annotations

import csv
import io

import pytest

from services.importing import FORMATS, problems_csv
from services.importing.fields import BadValue, amount, calendar_date, percent, timestamp
from services.importing.problems import Problem, Problems, printable
from services.importing.reading import RecordReader
from tests.unit.test_import_validation import (
    ORDER_HEADER,
    SUPPLIER_HEADER,
    SUPPLIER_ROW,
    order_with,
    read,
)

CLAIM_HEADER = "external_id,order_external_id,kind,filed_at,claimed_amount,currency,description"


# --- text that spans lines -----------------------------------------------------------------------


def test_a_crlf_inside_a_quoted_description_is_kept() -> None:
    """A description typed on Windows spans lines with CR LF: accepted, kept as it was."""
    content = (
        f"{CLAIM_HEADER}\r\n"
        'CLM-1,ORD-1,quality,2025-04-01T00:00:00Z,10.00,USD,"Rust on arrival.\r\nSee photos."\r\n'
        "CLM-2,ORD-1,quality,2025-04-01T00:00:00Z,10.00,USD,one line\r\n"
    )
    records, problems = read("claims", content.encode())
    assert problems == []
    assert [(line, r["description"]) for line, r in records] == [
        (2, "Rust on arrival.\r\nSee photos."),
        (4, "one line"),
    ]


def test_a_line_break_is_still_refused_in_a_one_line_value() -> None:
    content = f'{SUPPLIER_HEADER}\nSUP-1,"Two\r\nlines",CN,Hardware,gold,1,USD\n'
    ((line, column, message),) = [
        (p.line, p.column, p.message) for p in read("suppliers", content)[1]
    ]
    assert (line, column) == (2, "name")
    assert message == "'Two\\r\\nlines' contains a control character"


# --- every problem of a row, in one pass ---------------------------------------------------------


def test_a_bad_cell_does_not_hide_the_rules_across_the_row() -> None:
    """A bad date and a covered amount above the order amount: both, on one row."""
    content = order_with(placed_at="2025-02-30T10:00:00Z", covered_amount="200.00")
    records, problems = read("orders", content)
    assert records == []
    assert [(p.line, p.column) for p in problems] == [(2, "placed_at"), (2, "covered_amount")]
    # A rule that needs the bad cell is not run on a guess.
    content = order_with(placed_at="soon", shipped_at="2025-01-01T00:00:00Z", status="shipped")
    assert [(p.line, p.column) for p in read("orders", content)[1]] == [(2, "placed_at")]


def test_every_bad_cell_of_a_row_is_reported() -> None:
    content = order_with(order_amount="١٠٠", buyer_country="UK", ship_by="2025-02-29", status="x")
    columns = [p.column for p in read("orders", content)[1]]
    assert columns == ["buyer_country", "order_amount", "ship_by", "status"]


# --- dates and times that do not exist ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2025-02-30T10:00:00Z", "the date does not exist (February 2025 has 28 days)"),
        ("2024-02-30T10:00:00Z", "the date does not exist (February 2024 has 29 days)"),
        ("2025-04-31T00:00:00+08:00", "the date does not exist (April 2025 has 30 days)"),
        ("2025-13-01T00:00:00Z", "the date does not exist (there is no month 13)"),
        ("2025-03-01T24:30:00Z", "that time of day does not exist"),
        ("2025-03-01T10:75:00Z", "that time of day does not exist"),
        ("２０２５-03-01T10:00:00Z", "digits other than 0-9"),
        ("01/03/2025 10:00", "not an ISO 8601 time"),
    ],
)
def test_a_time_that_does_not_exist_says_so(value: str, says: str) -> None:
    with pytest.raises(BadValue) as refused:
        timestamp(value)
    assert says in refused.value.message
    assert timestamp("2024-02-29T23:59:59Z").day == 29


def test_a_day_that_does_not_exist_says_so() -> None:
    with pytest.raises(BadValue, match=r"the date does not exist \(June 2025 has 30 days\)"):
        calendar_date("2025-06-31")
    with pytest.raises(BadValue, match="not an ISO 8601 date"):
        calendar_date("31.06.2025")


# --- digits other than 0-9 -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["١٠٠", "１００", "१००", "1٠0", "１００.00"])
def test_amounts_and_percentages_take_ascii_digits_only(value: str) -> None:
    for parse in (amount, percent):
        with pytest.raises(BadValue) as refused:
            parse(value)
        # Words first: a grid lays a sentence out right to left when it opens with Arabic digits.
        assert refused.value.message.startswith(f"digits other than 0-9 in '{value}'")
    assert amount("100") == 100_00 and percent("100") == 100_00


# --- encodings ----------------------------------------------------------------------------------


def _suppliers(encoding: str) -> bytes:
    return f"{SUPPLIER_HEADER}\n{SUPPLIER_ROW}\n".encode(encoding)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_suppliers("utf-16-le"), "this file is not UTF-8 text (it looks like UTF-16)"),
        (_suppliers("utf-16-be"), "this file is not UTF-8 text (it looks like UTF-16)"),
        (_suppliers("utf-16"), "this file is not UTF-8 text (it is UTF-16)"),
        (_suppliers("utf-32-le"), "this file is not UTF-8 text (it looks like UTF-32)"),
        (_suppliers("utf-32"), "this file is not UTF-8 text (it is UTF-32)"),
        (b"\x00" * 5000, "only NUL bytes"),
        (b"\x00", "only NUL bytes"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "Excel workbook"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)), "compressed"),
        (_suppliers("utf-8").replace(b"\n", b"\r"), "carriage return alone"),
    ],
)
def test_a_file_that_is_not_utf8_text_is_named_not_echoed(data: bytes, says: str) -> None:
    records, problems = read("suppliers", data)
    assert records == []
    ((line, column, message),) = [(p.line, p.column, p.message) for p in problems]
    assert (line, column) == (1, "") and says in message
    assert message.isprintable() and message.isascii()  # no raw byte of the file in it


def test_a_stray_nul_in_a_cell_is_that_cells_problem_shown_escaped() -> None:
    content = f"{SUPPLIER_HEADER}\nSUP-1,Ningbo\x00Tools,CN,Hardware,gold,1,USD\n"
    ((problem),) = read("suppliers", content)[1]
    assert (problem.line, problem.column) == (2, "name")
    assert "'Ningbo\\x00Tools' contains a control character" in problem.message


# --- rows counted as the CSV reader counts them ------------------------------------------------


def test_a_ten_megabyte_value_is_one_row_of_three() -> None:
    """A quoted 10 MB description spanning many lines is one value that is too long, not
    thousands of rows, and the rows after it are read as rows."""
    huge = ("x" * 999 + "\n") * 10_500
    content = (
        f"{CLAIM_HEADER}\n"
        "CLM-1,ORD-1,quality,2025-04-01T00:00:00Z,10.00,USD,short\n"
        f'CLM-2,ORD-1,quality,2025-04-01T00:00:00Z,10.00,USD,"{huge}"\n'
        "CLM-3,ORD-1,quality,2025-04-01T00:00:00Z,1O.00,USD,short\n"
    )
    found = Problems()
    reader = RecordReader(io.BytesIO(content.encode()), FORMATS["claims"], found)
    records = list(reader)
    problems_ = list(found.shown)
    assert reader.rows == 3 and [line for line, _ in records] == [2]
    assert [(p.line, p.column) for p in problems_] == [
        (3, "description"),
        (10_504, "claimed_amount"),
    ]
    assert f"is {len(huge.strip()):,} characters long; at most 10,000 fit" in problems_[0].message


def test_a_ten_megabyte_line_is_one_row() -> None:
    second = SUPPLIER_ROW.replace("SUP-1", "SUP-2")
    content = f"{SUPPLIER_HEADER}\nSUP-1,{'n' * 10_000_000},CN,Hardware,gold,1,USD\n{second}\n"
    records, problems = read("suppliers", content)
    assert [line for line, _ in records] == [3]
    assert [(p.line, p.column) for p in problems] == [(2, "name")]


# --- the wrong file, or the wrong separator ----------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "header", "says"),
    [
        ("claims", SUPPLIER_HEADER, "this looks like a suppliers file, not a claims file"),
        ("orders", SUPPLIER_HEADER, "this looks like a suppliers file, not an orders file"),
        ("suppliers", ORDER_HEADER, "this looks like an orders file, not a suppliers file"),
        ("orders", CLAIM_HEADER, "this looks like a claims file, not an orders file"),
    ],
)
def test_the_wrong_kind_of_file_is_one_sentence(chosen: str, header: str, says: str) -> None:
    values = ",".join("x" for _ in header.split(","))
    records, problems = read(chosen, f"{header}\n{values}\n")  # type: ignore[arg-type]
    assert records == []
    assert [(p.line, p.column) for p in problems] == [(1, "")]
    assert problems[0].message.startswith(says)


def test_a_misspelt_column_is_still_a_column_problem() -> None:
    header = SUPPLIER_HEADER.replace("limit", "limt")
    problems = read("suppliers", f"{header}\n{SUPPLIER_ROW}\n")[1]
    assert [(p.line, p.column) for p in problems] == [(1, "limt"), (1, "limit")]


@pytest.mark.parametrize(("separator", "called"), [(";", "semicolons"), ("\t", "tabs")])
def test_another_separator_is_named(separator: str, called: str) -> None:
    content = f"{SUPPLIER_HEADER}\n{SUPPLIER_ROW}\n".replace(",", separator)
    ((problem),) = read("suppliers", content)[1]
    assert (problem.line, problem.column) == (1, "")
    assert f"separated by {called}, not commas" in problem.message


# --- control characters in messages; the problems CSV ---------------------------------------------


def test_header_names_with_control_characters_are_escaped() -> None:
    header = SUPPLIER_HEADER + ",\x1b[2j\x1b[31mred,nul\x00name"
    problems = read("suppliers", f"{header}\n{SUPPLIER_ROW},a,b\n")[1]
    assert [(p.line, p.column) for p in problems] == [
        (1, "\\x1b[2j\\x1b[31mred"),
        (1, "nul\\x00name"),
    ]
    assert "'\\x1b[2j\\x1b[31mred' is not a column" in problems[0].message
    for problem in problems:
        assert problem.column.isprintable() and problem.message.isprintable()


def test_printable_escapes_what_a_terminal_would_obey() -> None:
    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("\x00\x07\x7f\x9b") == "\\x00\\x07\\x7f\\x9b"
    assert printable("r\u202eevil\u2066") == "r\\u202eevil\\u2066"
    assert printable("line\r\nnext\ttab") == "line\\r\\nnext\\ttab"
    assert printable("Müller, 北京 — fine") == "Müller, 北京 — fine"


def test_the_problems_csv_runs_through_the_exports_formula_guard() -> None:
    """A header cell ``=HYPERLINK(…)`` is the column of its problem: inert in the download."""
    header = SUPPLIER_HEADER + ',"=hyperlink(""http://x.test"",""click"")",@SUM(A1),+1,-1'
    problems = read("suppliers", f"{header}\n{SUPPLIER_ROW},a,b,c,d\n")[1]
    text = problems_csv(problems).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["line", "column", "message"]
    columns = [row[1] for row in rows[1:]]
    assert columns == ['\'=hyperlink("http://x.test","click")', "'@sum(a1)", "'+1", "'-1"]
    for row in rows[1:]:
        assert not row[1].startswith(("=", "+", "-", "@")) and not row[2].startswith(
            ("=", "+", "-", "@")
        )
    raw = problems_csv([Problem(2, "\tname", "=cmd|' /C calc'!A0\x1b")]).decode("utf-8-sig")
    assert raw.splitlines()[1] == "2,\\tname,'=cmd|' /C calc'!A0\\x1b"
