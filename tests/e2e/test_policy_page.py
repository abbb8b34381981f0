"""Chromium: an ops manager edits the policy and simulates it on the demo's claims, at 1400 and
900 px wide; the results appear, nothing is cut short, screenshots land in screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from data_access import migrate
from data_access.engine import make_engine
from data_access.settings import EMBEDDED_DATABASE_PATH
from services.demo.seed import seed_demo
from tests.e2e.conftest import copy_streamlit_config, start_streamlit
from tests.e2e.test_overview import CLOCK, TODAY, WIDTHS, _check, _settle, _sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def policy_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("policy-home")
    engine = make_engine(f"sqlite:///{home / EMBEDDED_DATABASE_PATH}")
    migrate.upgrade(engine)
    seed_demo(engine, orders=2_000, seed=5, today=TODAY)
    engine.dispose()
    copy_streamlit_config(home)
    return home


@pytest.fixture(scope="module")
def policy_app_url(policy_home: Path) -> Iterator[str]:
    yield from start_streamlit(
        policy_home, {"ASSURANCE_DATABASE_URL": None, "ASSURANCE_CLOCK": CLOCK}
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_simulate_a_policy_change(page: Page, policy_app_url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    _sign_in(page, policy_app_url, "ops manager", "Programme overview")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Policy").click()
    page.get_by_role("heading", name="Policy", exact=True).wait_for()
    _settle(page)
    rate = page.locator('input[aria-label="Late-shipment rate per day (%)"]')
    rate.fill("3.00")
    rate.press("Tab")
    page.get_by_role("button", name="Simulate").click()
    page.get_by_text("Draft against the active policy").wait_for(timeout=90_000)
    _settle(page)
    expect(page.get_by_test_id("stMetricLabel").get_by_text("Refunds, draft")).to_be_visible()
    changed = page.get_by_text("would change action or amount").inner_text()
    assert int(changed.split()[0].replace(",", "")) > 0, changed  # tripling the rate changes some
    expect(page.get_by_role("button", name="Download changed claims (CSV)")).to_be_visible()
    _check(page, f"policy-{width}")
