"""Chromium signs in through a real OIDC flow (a local mock provider) and lands on its pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from data_access.engine import make_engine
from tests import factories as f
from tests.e2e.conftest import screenshot, start_app_with_oidc, start_oidc_provider
from tests.factories import utc

pytestmark = pytest.mark.browser

OPS_EMAIL = "olu.ops@example.test"
STRANGER = "stranger@example.test"


@pytest.fixture
def oidc_provider(tmp_path: Path) -> Iterator[str]:
    yield from start_oidc_provider(tmp_path, [OPS_EMAIL, STRANGER])


@pytest.fixture
def app_url(tmp_path: Path, oidc_provider: str, database_url: str) -> Iterator[str]:
    """The app as deployed: OIDC sign-in, on SQLite and on PostgreSQL (already migrated)."""
    engine = make_engine(database_url)
    with Session(engine) as s:
        f.user(s, "ops_manager", email=OPS_EMAIL, display_name="Olu Ops")
        sup, buy = f.supplier(s), f.buyer(s)
        for day in range(1, 20):
            f.order(
                s,
                sup,
                buy,
                placed_at=utc(2025, 1, day),
                ship_by=date(2025, 2, day),
                shipped_at=utc(2025, 2, day + (day % 3)),
            )
        s.commit()
    engine.dispose()
    yield from start_app_with_oidc(tmp_path, oidc_provider, database_url)


def _sign_in_as(page: object, app_url: str, email: str) -> None:
    page.goto(app_url)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    # Now on the provider's own authorisation page: pick the predefined user.
    page.get_by_role("button", name=email).click()  # type: ignore[attr-defined]


def test_ops_manager_signs_in_and_sees_ops_pages(page: object, app_url: str) -> None:
    _sign_in_as(page, app_url, OPS_EMAIL)
    p = page
    p.get_by_role("heading", name="Programme overview").wait_for()  # type: ignore[attr-defined]
    p.locator(".js-plotly-plot").first.wait_for()  # type: ignore[attr-defined]
    sidebar = p.get_by_test_id("stSidebar")  # type: ignore[attr-defined]
    expect(sidebar.get_by_text("Olu Ops")).to_be_visible()
    nav = p.get_by_test_id("stSidebarNav")  # type: ignore[attr-defined]
    links = [t.strip() for t in nav.get_by_role("link").all_inner_texts()]
    assert any("Import data" in t for t in links), links
    assert not any("Users" in t for t in links), links
    screenshot(p, "oidc-ops-manager")
    # Typing the URL of a page the role may not see does not open it.
    p.goto(f"{app_url}/users")  # type: ignore[attr-defined]
    p.get_by_role("heading", name="Programme overview").wait_for()  # type: ignore[attr-defined]
    assert p.get_by_role("heading", name="Users").count() == 0  # type: ignore[attr-defined]


def test_unknown_user_is_refused_after_a_real_sign_in(page: object, app_url: str) -> None:
    _sign_in_as(page, app_url, STRANGER)
    p = page
    p.get_by_text("does not have access to Assurance Desk").wait_for()  # type: ignore[attr-defined]
    expect(p.get_by_role("button", name="Sign out")).to_be_visible()  # type: ignore[attr-defined]
    assert p.locator(".js-plotly-plot").count() == 0  # type: ignore[attr-defined]
    screenshot(p, "oidc-refused")
