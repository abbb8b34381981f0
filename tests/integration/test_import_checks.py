"""Issue 10 through the service and the page, on SQLite and PostgreSQL: a row's problems all in
one pass (database checks included), the ship-by day in the programme's calendar, a Windows
description kept, the page offering the first kind still empty and showing hostile header
names escaped, its problems download made inert."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from data_access.engine import make_engine
from data_access.models import Claim
from services.importing import Problem, first_empty_kind, problems_csv
from tests import factories as f
from tests.integration.test_import import EXAMPLES, ORDER_HEADER, run, snapshot


def _order(
    placed: str = "2025-03-01T09:00:00Z",
    ship_by: str = "2025-03-20",
    *,
    supplier: str = "SUP-EX-01",
    covered: str = "100.00",
) -> bytes:
    row = (
        f"ORD-1,{supplier},BUY-1,Hansa GmbH,DE,Hardware,tt,USD,100.00,{covered},0,"
        f"{placed},{ship_by},,,,placed\n"
    )
    return (ORDER_HEADER + row).encode()


def test_a_bad_date_does_not_hide_an_unknown_supplier(
    session_factory: sessionmaker[Session],
) -> None:
    """Every independent problem of a row in one pass: the cell, the rule across the row and
    the reference to the database."""
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    data = _order(placed="2025-02-30T09:00:00Z", supplier="SUP-NOPE", covered="150.00")
    result = run(session_factory, "orders", data)
    assert not result.written
    assert [(p.line, p.column) for p in result.problems] == [
        (2, "placed_at"),
        (2, "covered_amount"),
        (2, "supplier_external_id"),
    ]
    assert "the date does not exist" in result.problems[0].message
    assert "unknown supplier 'SUP-NOPE'" in result.problems[2].message


def test_a_bad_amount_does_not_hide_an_unknown_order(
    session_factory: sessionmaker[Session],
) -> None:
    header = "external_id,order_external_id,kind,filed_at,claimed_amount,currency\n"
    row = "CLM-1,ORD-NOPE,quality,2025-04-01T00:00:00Z,١٠٠,USD\n"
    result = run(session_factory, "claims", (header + row).encode())
    assert [(p.line, p.column) for p in result.problems] == [
        (2, "claimed_amount"),
        (2, "order_external_id"),
    ]
    assert "digits other than 0-9" in result.problems[0].message


@pytest.mark.parametrize(
    ("zone", "refused"),
    [
        # 20:00 UTC on 1 March is 04:00 on 2 March in Shanghai, 17:00 on 1 March in São Paulo.
        ("UTC", {"2025-03-02T01:00:00Z"}),
        ("Asia/Shanghai", {"2025-03-01T20:00:00Z", "2025-03-02T01:00:00Z"}),
        ("America/Sao_Paulo", set()),
    ],
)
def test_ship_by_is_not_before_the_programmes_day_of_placing(
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    zone: str,
    refused: set[str],
) -> None:
    """A ship-by day of 1 March for orders placed at 20:00 UTC on 1 March and at 01:00 UTC on
    2 March: which of them were placed after 1 March depends on the programme's calendar."""
    monkeypatch.setenv("ASSURANCE_PROGRAMME_TIMEZONE", zone)
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    for placed in ("2025-03-01T20:00:00Z", "2025-03-02T01:00:00Z"):
        result = run(session_factory, "orders", _order(placed, "2025-03-01"), dry_run=True)
        if placed in refused:
            day = "2025-03-02"
            assert [(p.line, p.column, p.message) for p in result.problems] == [
                (
                    2,
                    "ship_by",
                    f"the ship-by date is before the day the order was placed ({day} in the "
                    f"programme's calendar, {zone})",
                )
            ]
        else:
            assert result.ok and result.inserted == 1, (placed, result.problems)


def test_a_windows_description_is_stored_as_it_was(session_factory: sessionmaker[Session]) -> None:
    for entity in ("suppliers", "orders"):
        run(session_factory, entity, EXAMPLES / f"{entity}.csv")
    header = "external_id,order_external_id,kind,filed_at,claimed_amount,currency,description\r\n"
    row = 'CLM-W,ORD-EX-0001,quality,2025-04-28T08:00:00Z,25.00,USD,"Rusty.\r\nSee report."\r\n'
    result = run(session_factory, "claims", (header + row).encode())
    assert result.ok and result.inserted == 1, result.problems
    with session_factory() as s:
        stored = s.scalar(select(Claim.description).where(Claim.external_id == "CLM-W"))
    assert stored == "Rusty.\r\nSee report."


def test_the_first_kind_still_empty(session_factory: sessionmaker[Session]) -> None:
    assert first_empty_kind(session_factory) == "suppliers"
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    assert first_empty_kind(session_factory) == "orders"
    run(session_factory, "orders", EXAMPLES / "orders.csv")
    assert first_empty_kind(session_factory) == "claims"
    run(session_factory, "claims", EXAMPLES / "claims.csv")
    assert first_empty_kind(session_factory) is None


def test_a_refused_file_writes_nothing_whatever_its_problems(
    session_factory: sessionmaker[Session],
) -> None:
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    engine = session_factory.kw["bind"]
    before = snapshot(engine)
    bad = (EXAMPLES / "orders.csv").read_bytes().replace(b"2025-03-31", b"2025-02-31")
    result = run(session_factory, "orders", bad)
    assert [(p.line, p.column) for p in result.problems] == [(2, "ship_by")]
    assert snapshot(engine) == before


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _forget_cached_figures() -> Iterator[None]:
    """The app opens on the overview, whose figures are cached by database URL; on PostgreSQL
    every test of a worker shares one URL, so a page test must not leave its figures behind."""
    yield
    import streamlit as st

    st.cache_data.clear()


def _ops_page(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    from tests.ui.conftest import open_app

    engine = make_engine(database_url)
    with Session(engine) as s:
        f.user(s, "ops_manager", email="ops@example.test")
        s.commit()
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    return open_app("ops@example.test", "pages/import_data.py")


def test_the_page_offers_the_first_kind_still_empty(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _ops_page(database_url, monkeypatch)
    assert at.button_group[0].value == "suppliers"
    at.file_uploader[0].upload(
        "suppliers.csv", (EXAMPLES / "suppliers.csv").read_bytes(), "text/csv"
    ).run()
    at.button[0].click().run()
    assert "Imported 4 supplier rows" in at.success[0].value
    # The choice made stays while the page is in use, though orders are now the first empty kind.
    at.run()
    assert at.button_group[0].value == "suppliers"
    assert at.success
    # Coming back to the page later, orders are offered.
    again = _reopen(monkeypatch)
    assert again.button_group[0].value == "orders"


def _reopen(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    from tests.ui.conftest import open_app

    return open_app("ops@example.test", "pages/import_data.py")


def test_the_page_shows_hostile_header_names_escaped_and_downloads_them_inert(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.importing

    downloads: list[bytes] = []

    def recorded(problems: Iterable[Problem]) -> bytes:
        data = problems_csv(problems)
        downloads.append(data)
        return data

    # The page takes problems_csv from services.importing on each run.
    monkeypatch.setattr(services.importing, "problems_csv", recorded)
    at = _ops_page(database_url, monkeypatch)
    header = (EXAMPLES / "suppliers.csv").read_bytes().split(b"\n", 1)[0]
    hostile = header + b',\x1b[31mred\x00,"=HYPERLINK(""http://evil.test"",""x"")"\n'
    hostile += b"SUP-1,Ningbo Tools,CN,Hardware,gold,1000.00,USD,a,b\n"
    at.file_uploader[0].upload("hostile.csv", hostile, "text/csv").run()
    at.button[0].click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert table["Column"].tolist() == ["\\x1b[31mred\\x00", '=hyperlink("http://evil.test","x")']
    for text in [*table["Column"], *table["Problem"]]:
        assert "\x1b" not in text and "\x00" not in text
    assert at.get("download_button")
    rows = list(csv.reader(io.StringIO(downloads[-1].decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [
        "\\x1b[31mred\\x00",
        '\'=hyperlink("http://evil.test","x")',
    ]
    assert all(not row[2].startswith(("=", "+", "-", "@")) for row in rows[1:])
