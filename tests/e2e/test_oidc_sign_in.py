"""Chromium signs in through a real OIDC flow (a local mock provider) and lands on its pages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from data_access.engine import make_engine
from tests import factories as f
from tests.e2e.conftest import (
    copy_streamlit_config,
    free_port,
    screenshot,
    start_streamlit,
    stop,
    wait_for,
)
from tests.factories import utc

pytestmark = pytest.mark.browser

OPS_EMAIL = "olu.ops@example.test"
STRANGER = "stranger@example.test"


@pytest.fixture
def oidc_provider(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable, "-m", "oidc_provider_mock", "--port", str(port),
        "--user", OPS_EMAIL, "--user", STRANGER,
    ]  # fmt: skip
    log = (tmp_path / "oidc.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/.well-known/openid-configuration", process)
        yield url
    finally:
        stop(process)
        log.close()


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
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "e2e-only-cookie-secret-0123456789"\n'
        'client_id = "assurance-desk-e2e"\n'
        'client_secret = "e2e-only-client-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n'
    )
    copy_streamlit_config(tmp_path)
    yield from start_streamlit(
        tmp_path,
        {"ASSURANCE_DATABASE_URL": database_url},
        ["--secrets.files", str(secrets)],
        port=port,
    )


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
