"""Chromium on the embedded demo database: every dashboard screen at 1400 and 900 px wide, no
error element, no text cut short; screenshots land in screenshots/ for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from data_access import migrate
from data_access.engine import make_engine
from data_access.settings import EMBEDDED_DATABASE_PATH
from services.demo.seed import seed_demo
from tests.e2e.conftest import copy_streamlit_config, screenshot, start_streamlit

pytestmark = pytest.mark.browser

TODAY = date(2025, 3, 15)
CLOCK = datetime(2025, 3, 15, 10, 30, tzinfo=UTC).isoformat()
WIDTHS = (1400, 900)
# Text that must never be cut: metric values and labels, buttons, captions, markdown, labels,
# the chosen value of a select box. (Tables are canvas-drawn; their columns are sized instead.)
TRUNCATION_CHECK = """
() => {
  const selectors = ['[data-testid="stMetricValue"] p', '[data-testid="stMetricLabel"] p',
    '[data-testid="stMetricDelta"] div', 'button p', '[data-testid="stCaptionContainer"] p',
    '[data-testid="stMarkdownContainer"] p', '[data-testid="stWidgetLabel"] p',
    '.stSelectbox input[role=combobox]', '[data-testid="stSidebarNav"] span',
    // Streamlit ellipsises a metric's value on this wrapper; the <p> inside measures 0 wide.
    '.stMarkdownEllipsis'];
  const cut = [];
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      if (el.offsetParent === null) continue;  // hidden (a closed expander, say)
      if (el.scrollWidth > el.clientWidth + 1) cut.push(selector + ': ' + el.innerText);
    }
  }
  return cut;
}
"""


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The embedded default is a path relative to where the app starts: start it in a fresh folder.
    home = tmp_path_factory.mktemp("demo-home")
    engine = make_engine(f"sqlite:///{home / EMBEDDED_DATABASE_PATH}")
    migrate.upgrade(engine)
    seed_demo(engine, orders=4_000, seed=3, today=TODAY)
    engine.dispose()
    copy_streamlit_config(home)
    return home


@pytest.fixture(scope="module")
def demo_app_url(demo_home: Path) -> Iterator[str]:
    yield from start_streamlit(
        demo_home, {"ASSURANCE_DATABASE_URL": None, "ASSURANCE_CLOCK": CLOCK}
    )


_IDLE = """
() => !document.querySelector('[data-testid=stStatusWidget], [data-testid=stSkeleton]')
  && [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
       .every(c => c.querySelector('.main-svg'))
"""


def _settle(page: Page) -> None:
    """Wait until the run is over and every chart drawn, twice, a moment apart."""
    for _ in range(2):
        page.wait_for_timeout(700)
        page.wait_for_function(_IDLE, timeout=90_000)


def _sign_in(page: Page, url: str, who: str, landing: str) -> None:
    page.goto(url)
    page.get_by_text("embedded demo database").first.wait_for()
    page.get_by_text(who, exact=False).first.click()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=landing).wait_for()
    _settle(page)


def _open(page: Page, title: str, heading: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=heading, exact=True).wait_for()
    _settle(page)


def _check(page: Page, name: str, *, errors_shown: int = 0) -> None:
    """No exception, no st.error (but the ``errors_shown`` a screen means to show), nothing cut
    short; then keep a screenshot of all of it."""
    assert page.locator('[data-testid="stException"]').count() == 0, name
    errors = page.locator('[data-testid="stAlertContentError"]')
    shown = [errors.nth(i).inner_text() for i in range(errors.count())]
    assert len(shown) == errors_shown, shown
    assert page.get_by_text("Traceback").count() == 0
    assert page.evaluate(TRUNCATION_CHECK) == [], name
    # The app scrolls inside its own container: make the window as tall as the content.
    height = page.evaluate(
        "() => document.querySelector('[data-testid=stMain]')?.scrollHeight || 1000"
    )
    width = page.viewport_size["width"] if page.viewport_size else 1400
    page.set_viewport_size({"width": width, "height": min(int(height) + 100, 12_000)})
    page.wait_for_timeout(600)
    screenshot(page, name)
    page.set_viewport_size({"width": width, "height": 1000})


@pytest.mark.parametrize("width", WIDTHS)
def test_ops_manager_screens(page: Page, demo_app_url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    _sign_in(page, demo_app_url, "ops manager", "Programme overview")
    expect(page.get_by_role("heading", name="Programme overview")).to_be_visible()
    expect(page.get_by_text("Demo mode")).to_be_visible()
    assert page.locator(".js-plotly-plot").count() >= 5
    _check(page, f"overview-{width}")
    if width == 1400:
        # A click on a month of the trend drills into it (plotly selection -> drill-down).
        chart = page.locator("[data-testid=stPlotlyChart]").first
        chart.scroll_into_view_if_needed()
        box = chart.locator(".bars .point path").nth(3).bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
        period = page.locator('.stSelectbox input[aria-label="Period"]')
        expect(period).to_have_value("Jul 2024", timeout=60_000)
        _settle(page)
        expect(page.get_by_text("1 Jul 2024 – 31 Jul 2024").first).to_be_visible()
        # The grain (like the range) is written to the URL, so the view can be shared.
        page.get_by_role("radio", name="Week", exact=True).click()
        page.wait_for_url(re.compile(r"grain=Week"), timeout=60_000)
        _settle(page)
        expect(page.get_by_text("Figures by week")).to_be_visible()
    _open(page, "Suppliers", "Suppliers")
    expect(page.get_by_role("heading", name="Suppliers")).to_be_visible()
    _check(page, f"suppliers-{width}")
    _open(page, "Supplier", "Supplier")
    _pick_supplier(page, "SUP-0000")
    expect(page.get_by_role("button", name="Change the limit")).to_be_visible()
    _check(page, f"supplier-{width}")
    _open(page, "Exposure", "Programme exposure")
    expect(page.get_by_role("heading", name="Programme exposure")).to_be_visible()
    _check(page, f"exposure-ops-{width}")


def _pick_supplier(page: Page, search: str) -> None:
    """Type into the supplier page's search box and open the first supplier it lists."""
    box = page.get_by_placeholder("Name, id or country")
    box.fill(search)
    box.press("Enter")
    page.get_by_role("button", name=re.compile(f"· {re.escape(search)}")).first.click()
    page.wait_for_url(re.compile(r"supplier=SUP-"), timeout=60_000)
    _settle(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_exec_lands_on_a_read_only_exposure_page(page: Page, demo_app_url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    _sign_in(page, demo_app_url, "exec", "Programme exposure")
    expect(page.get_by_role("heading", name="Programme exposure")).to_be_visible()
    expect(page.get_by_text("as of 15 Mar 2025").first).to_be_visible()
    assert page.locator("input[type=text], textarea").count() <= 1  # the as-of date only
    _check(page, f"exposure-exec-{width}")
    _open(page, "Supplier", "Supplier")
    _pick_supplier(page, "SUP-0000")
    assert page.get_by_role("button", name="Change the limit").count() == 0
    _check(page, f"supplier-exec-{width}")


def test_server_log_has_no_warnings(demo_app_url: str, demo_home: Path, page: Page) -> None:
    """Runs after the screens on the same server: no pages/-folder or other warning logged."""
    page.goto(demo_app_url)
    page.get_by_text("embedded demo database").first.wait_for()
    log = (demo_home / "streamlit.log").read_text()
    assert "You can now view your Streamlit app" in log
    lowered = log.lower()
    assert "warning" not in lowered, log
    assert "pages" not in lowered, log
