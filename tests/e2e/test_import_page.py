"""Chromium: an ops manager uploads an orders file on the Import data page. A file with a
problem names its line and column and writes nothing; the same file mended is imported, its
counts shown; the screen holds at 1400 and 900 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from data_access.engine import make_engine
from data_access.models import Order, Supplier
from data_access.settings import EMBEDDED_DATABASE_PATH
from tests.e2e import test_overview as overview
from tests.e2e.test_overview import WIDTHS, _check, _open, _sign_in

pytestmark = pytest.mark.browser

# The overview's module fixtures, for a demo app of this module's own.
demo_home = overview.demo_home
demo_app_url = overview.demo_app_url

HEADER = (
    "external_id,supplier_external_id,buyer_external_id,buyer_name,buyer_country,category,"
    "payment_method,currency,order_amount,covered_amount,paid_amount,placed_at,ship_by,"
    "shipped_at,delivered_at,cancelled_at,status\n"
)


def _orders(home: Path, tag: str, rows: int, *, unknown_on_line: int | None) -> tuple[Path, int]:
    """A file of new orders for the demo's first supplier (one line naming a supplier nobody
    knows, if asked), and the orders the database holds now."""
    engine = make_engine(f"sqlite:///{home / EMBEDDED_DATABASE_PATH}")
    with engine.connect() as conn:
        supplier = conn.scalar(select(Supplier.external_id).order_by(Supplier.id).limit(1))
        held = int(conn.scalar(select(func.count()).select_from(Order)) or 0)
    engine.dispose()
    lines = []
    for i in range(rows):
        who = "SUP-NOBODY" if unknown_on_line == i + 2 else supplier
        lines.append(
            f"ORD-E2E-{tag}-{i:04d},{who},BUY-E2E-{i % 7},Buyer {i % 7} Ltd,DE,Machinery,tt,USD,"
            f"250.00,250.00,250.00,2025-03-0{1 + i % 9}T09:30:00Z,2025-03-20,,,,placed\n"
        )
    path = home / f"orders-{tag}.csv"
    path.write_text(HEADER + "".join(lines))
    return path, held


@pytest.mark.parametrize("width", WIDTHS)
def test_an_orders_file_is_refused_with_its_line_then_imported_mended(
    page: Page, demo_app_url: str, demo_home: Path, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    _sign_in(page, demo_app_url, "ops manager", "Programme overview")
    _open(page, "Import data", "Import data")
    # Every kind has rows in the demo: the page offers orders, the daily file.
    expect(page.get_by_text("The orders file format")).to_be_visible()

    spoiled, held = _orders(demo_home, f"{width}", 30, unknown_on_line=17)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(spoiled))
    page.get_by_text(spoiled.name).first.wait_for()
    # The run that sees the upload enables the button; a click before it would be lost.
    importing = page.get_by_role("button", name="Import", exact=True)
    expect(importing).to_be_enabled()
    overview._settle(page)
    importing.click()
    alert = page.get_by_text("1 problem in 30 order rows from")
    alert.wait_for()
    expect(page.get_by_text("nothing was written").first).to_be_visible()
    overview._settle(page)
    # The problems table is canvas-drawn: its CSV download holds the same rows.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the problems (CSV)").click()
    problems = Path(download.value.path()).read_text()
    assert "17,supplier_external_id," in problems and "SUP-NOBODY" in problems
    assert _orders(demo_home, "count", 0, unknown_on_line=None)[1] == held
    # The sentence is read in the table itself, at either width: no column runs past its edge.
    sideways = page.locator('[data-testid="stDataFrame"] .dvn-scroller').evaluate(
        "e => e.scrollWidth - e.clientWidth"
    )
    assert sideways <= 0, f"the problems table scrolls sideways by {sideways} px"
    _check(page, f"import-refused-{width}", errors_shown=1)

    mended, _ = _orders(demo_home, f"{width}m", 30, unknown_on_line=None)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(mended))
    page.get_by_text(mended.name).first.wait_for()
    # The run that sees the new file hides the old file's result (kept beside its file only).
    expect(page.get_by_text("1 problem in 30 order rows from")).to_be_hidden()
    expect(importing).to_be_enabled()
    overview._settle(page)
    importing.click()
    page.get_by_text(f"Imported 30 order rows from {mended.name}.").wait_for()
    overview._settle(page)
    assert _orders(demo_home, "count", 0, unknown_on_line=None)[1] == held + 30
    _check(page, f"import-written-{width}")
