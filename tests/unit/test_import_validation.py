"""Import files: every kind of problem with its line and column; junk never crashes or writes."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.engine import make_engine, make_session_factory
from data_access.models import AuditEvent, Buyer, Claim, Order, Supplier
from services.auth import Actor
from services.importing import FORMATS, import_file, problems_csv
from services.importing.fields import BadValue, amount, percent, timestamp
from services.importing.formats import Entity, Record
from services.importing.problems import Problem, Problems
from services.importing.reading import RecordReader
from tests import factories as f
from tests.conftest import FROZEN_NOW

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

SUPPLIER_HEADER = "external_id,name,country,main_category,tier,limit,currency"
SUPPLIER_ROW = "SUP-1,Ningbo Tools,CN,Hardware,gold,1000.00,USD"
ORDER_HEADER = (
    "external_id,supplier_external_id,buyer_external_id,buyer_name,buyer_country,category,"
    "payment_method,currency,order_amount,covered_amount,paid_amount,placed_at,ship_by,"
    "shipped_at,delivered_at,cancelled_at,status"
)
ORDER_ROW = (
    "ORD-1,SUP-1,BUY-1,Hansa GmbH,DE,Hardware,tt,USD,100.00,100.00,0,"
    "2025-03-01T09:00:00Z,2025-03-20,,,,placed"
)


def read(entity: Entity, content: str | bytes) -> tuple[list[tuple[int, Record]], list[Problem]]:
    data = content.encode() if isinstance(content, str) else content
    problems = Problems()
    records = list(RecordReader(io.BytesIO(data), FORMATS[entity], problems))
    return records, list(problems.shown)


def problems_of(entity: Entity, content: str | bytes) -> list[tuple[int, str]]:
    """(line, column) of each problem."""
    return [(p.line, p.column) for p in read(entity, content)[1]]


def order_with(**cells: str) -> str:
    names = ORDER_HEADER.split(",")
    values = dict(zip(names, ORDER_ROW.split(","), strict=True)) | cells
    return ORDER_HEADER + "\n" + ",".join(values[n] for n in names) + "\n"


# --- cells -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [("0", 0), ("1234.5", 123450), ("1234.50", 123450), ("0.01", 1), ("19.99", 1999),
     ("999999999999.99", 99999999999999)],
)  # fmt: skip
def test_amounts_are_exact_cents(text: str, cents: int) -> None:
    assert amount(text) == cents


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("12.345", "more than 2 decimals"),
        ("-5.00", "negative"),
        ("1,234.50", "no thousands separator"),
        ("1e3", "not an amount"),
        ("NaN", "not an amount"),
        (".5", "not an amount"),
        ("12.", "not an amount"),
        ("99999999999999", "larger than any amount"),
    ],
)
def test_bad_amounts_say_why(text: str, says: str) -> None:
    with pytest.raises(BadValue, match=says):
        amount(text)


def test_percentages_become_basis_points() -> None:
    assert [percent(t) for t in ("12.5", "0", "100", "7.25%", "33.33")] == [
        1250,
        0,
        10000,
        725,
        3333,
    ]
    for bad in ("100.01", "12.345", "-1", "0.5x"):
        with pytest.raises(BadValue):
            percent(bad)


def test_timestamps_need_an_offset_and_become_utc() -> None:
    assert timestamp("2025-03-28T06:00:00+08:00") == datetime(2025, 3, 27, 22, tzinfo=UTC)
    assert timestamp("2025-03-01T09:30:00Z") == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    with pytest.raises(BadValue, match="no time zone"):
        timestamp("2025-03-01T09:30:00")
    with pytest.raises(BadValue, match="ISO 8601"):
        timestamp("01/03/2025 09:30")


# --- each problem, with its line and column ----------------------------------------------------


def test_a_good_file_gives_records() -> None:
    records, problems = read("orders", order_with())
    assert problems == []
    ((line, record),) = records
    assert line == 2
    assert record["order_amount"] == 10000 and record["ship_by"] == date(2025, 3, 20)
    assert record["shipped_at"] is None and record["status"] == "placed"


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({"placed_at": "2025-02-30T10:00:00Z"}, "placed_at", "the date does not exist"),
        ({"placed_at": "2025-03-01 09:00"}, "placed_at", "no time zone"),
        ({"ship_by": "20.03.2025"}, "ship_by", "not an ISO 8601 date"),
        ({"covered_amount": "100.01"}, "covered_amount", "above the order amount"),
        ({"order_amount": "-1"}, "order_amount", "negative"),
        ({"currency": "EUR"}, "currency", "must be in USD"),
        ({"status": "lost"}, "status", "not one of placed, shipped, delivered, cancelled"),
        ({"buyer_country": "UK"}, "buyer_country", "ISO 3166"),
        ({"payment_method": "paypal"}, "payment_method", "not one of"),
        ({"external_id": "X" * 65}, "external_id", "at most 64"),
        ({"buyer_name": ""}, "buyer_name", "empty"),
        ({"status": "shipped"}, "shipped_at", "needs the time it was shipped"),
        (
            {"status": "delivered", "shipped_at": "2025-03-05T00:00:00Z",
             "delivered_at": "2025-03-04T00:00:00Z"},
            "delivered_at",
            "delivered before it was shipped",
        ),
        (
            {"shipped_at": "2025-02-01T00:00:00Z", "status": "shipped"},
            "shipped_at",
            "before it was placed",
        ),
        ({"status": "cancelled"}, "cancelled_at", "needs the time it was cancelled"),
        ({"cancelled_at": "2025-03-02T00:00:00Z"}, "status", "status is placed"),
        ({"category": "Tools\x07"}, "category", "control character"),
    ],
)  # fmt: skip
def test_each_order_problem_names_line_and_column(
    cells: dict[str, str], column: str, says: str
) -> None:
    records, problems = read("orders", order_with(**cells))
    assert records == []
    assert [(p.line, p.column) for p in problems] == [(2, column)], problems
    assert says in problems[0].message


def test_claim_rules() -> None:
    header = "external_id,order_external_id,kind,filed_at,claimed_amount,currency"
    base = "CLM-1,ORD-1,quality,2025-04-01T00:00:00Z,10.00,USD"
    assert read("claims", f"{header}\n{base}\n")[0][0][1]["status"] == "open"
    cases = {
        ",defect_rate\n{},12.5": "defect_rate",
        ",supplier_response\n{},accepted": "supplier_responded_at",
        ",supplier_response,supplier_responded_at\n{},disputed,2025-03-01T00:00:00Z": (
            "supplier_responded_at"
        ),
        ",status\n{},approved": "status",
        ",inspection_report\n{},yes": "inspection_report",
    }
    for extra, column in cases.items():
        head, row = extra.split("\n")
        assert problems_of("claims", f"{header}{head}\n{row.format(base)}\n") == [(2, column)]


def test_header_problems() -> None:
    no_status = ORDER_HEADER.replace(",status", "")
    row = ORDER_ROW.rsplit(",", 1)[0]
    assert problems_of("orders", f"{no_status}\n{row}\n") == [(1, "status")]
    typo = SUPPLIER_HEADER + ",limt"
    (problem,) = read("suppliers", f"{typo}\n{SUPPLIER_ROW},x\n")[1]
    assert (problem.line, problem.column) == (
        1,
        "limt",
    ) and "did you mean limit?" in problem.message
    twice = SUPPLIER_HEADER + ",tier"
    assert problems_of("suppliers", f"{twice}\n{SUPPLIER_ROW},gold\n") == [(1, "tier")]
    assert problems_of("suppliers", "") == [(1, "")]
    assert problems_of("suppliers", "a,b,c\n1,2,3\n")[0] == (1, "a")


def test_optional_columns_may_be_left_out() -> None:
    header = ORDER_HEADER.replace(",shipped_at,delivered_at,cancelled_at", "")
    row = ORDER_ROW.replace(",,,,placed", ",placed")
    records, problems = read("orders", f"{header}\n{row}\n")
    assert problems == [] and records[0][1]["delivered_at"] is None


def test_duplicate_ids_in_a_file() -> None:
    content = f"{SUPPLIER_HEADER}\n{SUPPLIER_ROW}\nSUP-2,B,CN,c,new,1,USD\n{SUPPLIER_ROW}\n"
    records, problems = read("suppliers", content)
    assert [line for line, _ in records] == [2, 3]
    assert [(p.line, p.column) for p in problems] == [(4, "external_id")]
    assert "also on line 2" in problems[0].message


def test_rows_of_the_wrong_width_and_blank_lines() -> None:
    content = (
        f"{SUPPLIER_HEADER}\n\n{SUPPLIER_ROW}\nSUP-2,B,CN\n,,,,,,\nSUP-3,C,CN,c,new,1,USD,extra\n"
    )
    problems = read("suppliers", content)[1]
    assert [(p.line, p.column) for p in problems] == [(4, "main_category"), (6, "")]
    assert "has 3 values but the header names 7 columns" in problems[0].message
    assert "main_category and the columns after it have no value" in problems[0].message


def test_quotes_and_line_numbers_after_a_multiline_value() -> None:
    content = (
        f'{SUPPLIER_HEADER}\nSUP-1,"Tools, ""Best"" Ltd.",CN,Hardware,gold,1,USD\n'
        'SUP-2,"Two\nline name",CN,Hardware,gold,1,USD\n'
        "SUP-3,C,CN,Hardware,silver,1,USD\n"
    )
    records, problems = read("suppliers", content)
    assert records[0][1]["name"] == 'Tools, "Best" Ltd.'
    assert [(p.line, p.column) for p in problems] == [(3, "name"), (5, "tier")]


def test_bad_quoting() -> None:
    assert problems_of("suppliers", f'{SUPPLIER_HEADER}\nSUP-1,"A"B,CN,c,gold,1,USD\n') == [(2, "")]
    unclosed = f'{SUPPLIER_HEADER}\nSUP-1,"A,CN,c,gold,1,USD\nSUP-2,B,CN,c,gold,1,USD\n'
    (problem,) = read("suppliers", unclosed)[1]
    assert problem.line == 2 and "never closed" in problem.message


def test_a_bom_is_fine_and_utf16_is_refused() -> None:
    with_bom = b"\xef\xbb\xbf" + f"{SUPPLIER_HEADER}\n{SUPPLIER_ROW}\n".encode()
    assert read("suppliers", with_bom)[1] == []
    utf16 = f"{SUPPLIER_HEADER}\n{SUPPLIER_ROW}\n".encode("utf-16")
    (problem,) = read("suppliers", utf16)[1]
    assert problem.line == 1 and "UTF-16" in problem.message


def test_wrong_encoding_is_one_problem_with_its_line() -> None:
    content = f"{SUPPLIER_HEADER}\n{SUPPLIER_ROW}\nSUP-2,Müller AG,DE,c,gold,1,USD\n"
    latin1 = content.encode("latin-1") + "SUP-3,Café,FR,c,gold,1,USD\n".encode("latin-1")
    (problem,) = read("suppliers", latin1)[1]
    assert problem.line == 3 and "not UTF-8" in problem.message and "0xfc" in problem.message


def test_huge_fields_are_refused() -> None:
    one_mb = "x" * 1_000_000
    for content in (
        f"{SUPPLIER_HEADER}\nSUP-1,{one_mb},CN,c,gold,1,USD\n",
        f'{SUPPLIER_HEADER}\nSUP-1,"{one_mb}\n",CN,c,gold,1,USD\n',
        f"{SUPPLIER_HEADER}\nSUP-1,{'y' * 150_000},CN,c,gold,1,USD\n",
        f"{SUPPLIER_HEADER}\n{one_mb * 2}\n",
    ):
        records, problems = read("suppliers", content)
        assert records == [] and problems and problems[0].line == 2
        assert all(len(p.message) < 300 for p in problems)


def test_problems_are_capped_but_counted() -> None:
    content = SUPPLIER_HEADER + "\n" + "SUP-{},A,XX,c,gold,1,USD\n" * 1
    rows = "".join(f"SUP-{i},A,XX,c,gold,1,USD\n" for i in range(1500))
    problems = Problems()
    list(RecordReader(io.BytesIO((content + rows).encode()), FORMATS["suppliers"], problems))
    assert problems.count == 1501 and len(problems.shown) == 1000


def test_problems_download_is_csv_and_defuses_formulas() -> None:
    data = problems_csv([Problem(2, "name", "=HYPERLINK(1)"), Problem(3, "", "plain")])
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["line,column,message", "2,name,'=HYPERLINK(1)", "3,,plain"]


def test_truncated_at_any_byte_a_row_cut_short_is_a_problem() -> None:
    """Cut the example orders file at every byte inside a data row: always a problem there."""
    data = (EXAMPLES / "orders.csv").read_bytes()
    header_end = data.index(b"\n") + 1
    line_ends = {i for i, byte in enumerate(data) if byte == ord("\n")}
    for cut in range(header_end + 1, len(data)):
        if cut in line_ends or cut - 1 in line_ends:
            continue  # at a line boundary the file is whole, just shorter
        line = data[:cut].count(b"\n") + 1
        problems = read("orders", data[:cut])[1]
        assert problems and problems[-1].line == line, (cut, problems)


def test_the_examples_are_valid() -> None:
    for entity in FORMATS:
        records, problems = read(entity, (EXAMPLES / f"{entity}.csv").read_bytes())
        assert problems == [] and records, entity


def test_the_documentation_lists_every_column() -> None:
    doc = (ROOT / "docs" / "import-format.md").read_text()
    for entity, fmt in FORMATS.items():
        section = doc.split(f"## {entity.capitalize()}", 1)[1].split("\n## ", 1)[0]
        for column in fmt.columns:
            required = "yes" if column.required else "no"
            assert f"| `{column.name}` | {required} |" in section, (entity, column.name)


# --- junk through the whole service: problems, never an exception, never a write ---------------


@pytest.fixture
def junk_target(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sessionmaker[Session], Engine]]:
    """A SQLite database with a few rows, shared by every example of a hypothesis test."""
    path = tmp_path_factory.mktemp("junk") / "junk.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    with factory() as s:
        sup, buy = f.supplier(s, external_id="SUP-1"), f.buyer(s)
        f.claim(s, f.order(s, sup, buy, external_id="ORD-1"), external_id="CLM-1")
        s.commit()
    yield factory, engine
    engine.dispose()


def _counts(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Supplier, Buyer, Order, Claim, AuditEvent)
        )


def _refused(factory: sessionmaker[Session], entity: Entity, data: bytes) -> None:
    result = import_file(
        factory,
        Actor.system("test"),
        entity,
        io.BytesIO(data),
        file_name="junk.csv",
        now=FROZEN_NOW,
    )
    assert not result.written
    assert result.problem_count > 0 and result.problems
    assert all(isinstance(p.line, int) and p.message for p in result.problems)


JUNK_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@JUNK_SETTINGS
@given(data=st.binary(max_size=2_000), entity=st.sampled_from(list(FORMATS)))
def test_random_bytes(
    junk_target: tuple[sessionmaker[Session], Engine], data: bytes, entity: Entity
) -> None:
    factory, engine = junk_target
    before = _counts(engine)
    _refused(factory, entity, data)
    assert _counts(engine) == before


_CELL = st.text(alphabet=st.sampled_from(list('ab1.-,"\n\r:TZ \ufeff\x00é')), max_size=12)


@JUNK_SETTINGS
@given(
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=9), min_size=1, max_size=6),
    entity=st.sampled_from(list(FORMATS)),
    bom=st.booleans(),
)
def test_random_csv_text_under_a_real_header(
    junk_target: tuple[sessionmaker[Session], Engine],
    rows: list[list[str]],
    entity: Entity,
    bom: bool,
) -> None:
    factory, engine = junk_target
    header = ",".join(c.name for c in FORMATS[entity].columns)
    body = "\n".join(",".join(row) for row in rows)
    data = ("\ufeff" if bom else "").encode() + f"{header}\n{body}\n".encode()
    before = _counts(engine)
    result = import_file(
        factory,
        Actor.system("test"),
        entity,
        io.BytesIO(data),
        file_name="junk.csv",
        now=FROZEN_NOW,
    )
    # Letters for a valid tier, status or kind are not in the alphabet: every row that is not
    # blank has a problem. A file of blank rows only is an empty import.
    assert result.problem_count > 0 or result.rows == 0
    assert result.problem_count == 0 or not result.written
    if result.problem_count:
        assert _counts(engine) == before
    else:
        assert _counts(engine)[:4] == before[:4]  # an empty import writes only its audit event


@JUNK_SETTINGS
@given(cut=st.integers(min_value=1, max_value=10_000), seed=st.integers(0, 3))
def test_truncated_claims_file(
    junk_target: tuple[sessionmaker[Session], Engine], cut: int, seed: int
) -> None:
    """A claims file about known rows, cut mid-row: a problem, no write."""
    factory, engine = junk_target
    # The last column is required, so no prefix of the row is a whole row by accident.
    header = "external_id,order_external_id,kind,filed_at,claimed_amount,description,currency"
    row = f'CLM-{seed},ORD-1,quality,2025-04-01T00:00:00Z,10.00,"rusty, ""very""",USD'
    data = f"{header}\n{row}\n".encode()
    cut = len(header) + 1 + cut % (len(row) - 1) + 1  # strictly inside the row
    before = _counts(engine)
    _refused(factory, "claims", data[:cut])
    assert _counts(engine) == before


def test_a_huge_field_through_the_service(
    junk_target: tuple[sessionmaker[Session], Engine],
) -> None:
    factory, engine = junk_target
    before = _counts(engine)
    header = "external_id,order_external_id,kind,filed_at,claimed_amount,currency,description"
    huge = "d" * 1_048_576
    data = f'{header}\nCLM-9,ORD-1,quality,2025-04-01T00:00:00Z,1,USD,"{huge}"\n'.encode()
    _refused(factory, "claims", data)
    assert _counts(engine) == before
