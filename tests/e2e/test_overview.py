"""Chromium on the embedded demo database: demo sign-in, then the overview's two charts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from data_access import migrate
from data_access.engine import make_engine
from data_access.settings import EMBEDDED_DATABASE_PATH
from services.demo.seed import seed_demo
from tests.conftest import FROZEN_NOW
from tests.e2e.conftest import copy_streamlit_config, screenshot, start_streamlit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The embedded default is a path relative to where the app starts: start it in a fresh folder.
    home = tmp_path_factory.mktemp("demo-home")
    engine = make_engine(f"sqlite:///{home / EMBEDDED_DATABASE_PATH}")
    migrate.upgrade(engine)
    seed_demo(engine, orders=4_000, seed=3, today=FROZEN_NOW.date())
    engine.dispose()
    copy_streamlit_config(home)
    return home


@pytest.fixture(scope="module")
def demo_app_url(demo_home: Path) -> Iterator[str]:
    yield from start_streamlit(demo_home, {"ASSURANCE_DATABASE_URL": None})


def test_demo_sign_in_opens_the_overview_with_charts(page: object, demo_app_url: str) -> None:
    p = page
    p.goto(demo_app_url)  # type: ignore[attr-defined]
    p.get_by_text("embedded demo database").first.wait_for()  # type: ignore[attr-defined]
    p.get_by_text("ops manager", exact=False).first.click()  # type: ignore[attr-defined]
    p.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    p.get_by_role("heading", name="Programme overview").wait_for()  # type: ignore[attr-defined]
    charts = p.locator(".js-plotly-plot")  # type: ignore[attr-defined]
    charts.nth(1).wait_for()
    assert charts.count() == 2
    expect(p.get_by_text("Demo mode")).to_be_visible()  # type: ignore[attr-defined]
    expect(p.get_by_text("Late-shipment rate (by ship-by date)")).to_be_visible()  # type: ignore[attr-defined]
    assert p.get_by_text("Traceback").count() == 0  # type: ignore[attr-defined]
    screenshot(p, "overview-demo")


def test_server_log_has_no_warnings(demo_app_url: str, demo_home: Path, page: object) -> None:
    """Runs after the sign-in test on the same server: no pages/-folder or other warning logged."""
    page.goto(demo_app_url)  # type: ignore[attr-defined]
    page.get_by_text("embedded demo database").first.wait_for()  # type: ignore[attr-defined]
    log = (demo_home / "streamlit.log").read_text()
    assert "You can now view your Streamlit app" in log
    lowered = log.lower()
    assert "warning" not in lowered, log
    assert "pages" not in lowered, log
