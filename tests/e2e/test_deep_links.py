"""Chromium: a shared claim link survives the sign-in (demo and OIDC); the demo sign-in survives
a reload and a new tab on the embedded demo database, and nowhere else.

Each test starts its own server, so the deep link is the first visit a fresh server sees.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from data_access import migrate
from data_access.engine import make_engine, make_session_factory
from data_access.models import Claim
from data_access.settings import EMBEDDED_DATABASE_PATH, EMBEDDED_DATABASE_URL
from services.demo.seed import seed_demo
from tests.e2e.conftest import (
    copy_streamlit_config,
    screenshot,
    start_app_with_oidc,
    start_oidc_provider,
    start_streamlit,
    wait_for_cookie,
)
from ui import deep_link, demo_session

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
REVIEWER = "reviewer1@demo.assurance.test"  # Rita Reviewer of the demo data
DEMO_ENV: dict[str, str | None] = {
    "ASSURANCE_DATABASE_URL": None,
    "ASSURANCE_CLOCK": NOW.isoformat(),
}
serve = contextmanager(start_streamlit)
serve_with_oidc = contextmanager(start_app_with_oidc)
provider_for = contextmanager(start_oidc_provider)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database (3,000 orders, seed 3, as of NOW), copied into each test's folder."""
    path = tmp_path_factory.mktemp("deep-links") / "seeded.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    seed_demo(engine, orders=3_000, seed=3, today=NOW.date())
    engine.dispose()
    return path


@pytest.fixture
def demo_home(tmp_path: Path, seeded: Path) -> Path:
    """A folder whose data/assurance.db is the embedded default of a server started in it."""
    (tmp_path / EMBEDDED_DATABASE_PATH.parent).mkdir()
    shutil.copy(seeded, tmp_path / EMBEDDED_DATABASE_PATH)
    copy_streamlit_config(tmp_path)
    return tmp_path


@pytest.fixture
def claim_ref(seeded: Path) -> str:
    """An undecided claim of the demo data."""
    engine = make_engine(f"sqlite:///{seeded}")
    with make_session_factory(engine)() as s:
        ref = s.scalar(
            select(Claim.external_id)
            .where(Claim.status.in_(["open", "escalated"]))
            .order_by(Claim.id)
            .limit(1)
        )
    engine.dispose()
    assert ref is not None
    return ref


def _settled(page: Any) -> None:
    """Wait until the page has finished drawing (no loading placeholders left)."""
    # expect()'s 5 s default is too short for a first page view on a loaded machine.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30_000)
    page.wait_for_timeout(700)


def _sign_in_screen_of_the_demo(page: Any) -> None:
    page.get_by_text("embedded demo database").first.wait_for()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    # Before sign-in the sidebar lists no page of the console.
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


def test_demo_deep_link_lands_on_the_claim_and_stays_signed_in_across_reloads(
    page: Any, demo_home: Path, claim_ref: str
) -> None:
    with serve(demo_home, DEMO_ENV) as url:
        _demo_round(page, url, claim_ref)


def _demo_round(p: Any, url: str, claim_ref: str) -> None:
    p.goto(f"{url}/claim?claim={claim_ref}")  # the server's first visit
    _sign_in_screen_of_the_demo(p)
    assert p.url.endswith(f"/claim?claim={claim_ref}")
    p.get_by_text("Rita Reviewer").wait_for()
    _settled(p)
    screenshot(p, "deep-link-demo-sign-in")

    p.get_by_text("Rita Reviewer").click()
    p.get_by_role("button", name="Sign in").click()
    p.get_by_role("heading", name=f"Claim {claim_ref}").wait_for()
    assert p.url.endswith(f"/claim?claim={claim_ref}")
    wait_for_cookie(p, demo_session.COOKIE)
    _settled(p)
    screenshot(p, "deep-link-demo-claim")

    p.reload()
    p.get_by_role("heading", name=f"Claim {claim_ref}").wait_for()
    expect(p.get_by_test_id("stSidebar").get_by_text("Rita Reviewer")).to_be_visible()
    assert p.url.endswith(f"/claim?claim={claim_ref}")
    _settled(p)
    screenshot(p, "deep-link-demo-claim-reloaded")

    tab = p.context.new_page()
    tab.goto(url)
    tab.get_by_role("heading", name="Claim queue").wait_for()  # signed in there too
    expect(tab.get_by_test_id("stSidebar").get_by_text("Rita Reviewer")).to_be_visible()
    _settled(tab)
    screenshot(tab, "deep-link-demo-new-tab")
    tab.close()

    p.get_by_role("button", name="Switch demo user").click()
    p.get_by_text("Pick a demo user").wait_for()
    wait_for_cookie(p, demo_session.COOKIE, present=False)
    p.reload()
    _sign_in_screen_of_the_demo(p)
    expect(p.get_by_role("heading", name=f"Claim {claim_ref}")).to_have_count(0)
    assert p.get_by_test_id("stException").count() == 0


def test_the_first_screen_answers_at_its_own_url(page: Any, demo_home: Path) -> None:
    """A bookmark of one's first screen, with its filters, opens it: not Streamlit's "Page not
    found" (its default page answers at the root only), and the demo sign-in, written in the
    run that opens the first screen from the root, is kept."""
    with serve(demo_home, DEMO_ENV) as url:
        page.goto(url)
        page.get_by_text("Rita Reviewer").click()
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Claim queue").wait_for()
        wait_for_cookie(page, demo_session.COOKIE)
        page.goto(f"{url}/claim_queue?kind=Quality")
        page.get_by_role("heading", name="Claim queue").wait_for()
        _settled(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.get_by_test_id("stSidebar").get_by_text("Rita Reviewer")).to_be_visible()
        assert page.url.endswith("/claim_queue?kind=Quality")
        screenshot(page, "deep-link-first-screen")


def test_the_first_screen_asked_for_signed_out_opens_after_the_sign_in(
    page: Any, demo_home: Path
) -> None:
    """Signed out, a bookmark of one's first screen shows the sign-in there; signing in opens
    the screen with its filters, without "Page not found" on the run that writes the demo
    sign-in's cookie, and the cookie is kept."""
    with serve(demo_home, DEMO_ENV) as url:
        page.goto(f"{url}/claim_queue?kind=Quality")
        page.get_by_text("Rita Reviewer").click()
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Claim queue").wait_for()
        wait_for_cookie(page, demo_session.COOKIE)
        _settled(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        assert page.evaluate("window.location.href").endswith("/claim_queue?kind=Quality")
        screenshot(page, "deep-link-first-screen-signed-out")


def test_a_screen_the_role_may_not_open_asked_for_signed_out_keeps_the_sign_in(
    page: Any, demo_home: Path
) -> None:
    """Signed out at a screen the chosen demo user's role may not open, the sign-in lands on
    the role's first screen with a note, and the demo cookie written on that run is kept (a
    page switch in the run that draws it lost it in 4 of 6 runs)."""
    with serve(demo_home, DEMO_ENV) as url:
        page.goto(f"{url}/claim_queue?kind=Quality")
        page.get_by_text("Erin Exec").click()
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Programme exposure").wait_for()
        page.get_by_text("The link was to the Claim queue page").wait_for()
        wait_for_cookie(page, demo_session.COOKIE)
        _settled(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        assert page.get_by_test_id("stException").count() == 0
        screenshot(page, "deep-link-not-for-the-role-signed-out")
        page.reload()
        page.get_by_role("heading", name="Programme exposure").wait_for()
        expect(page.get_by_test_id("stSidebar").get_by_text("Erin Exec")).to_be_visible()


def test_the_demo_cookie_opens_nothing_but_the_embedded_demo_database(
    page: Any, demo_home: Path, claim_ref: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A genuine token of this installation (same folder, same key, same file) signs in on the
    embedded demo database, and on nothing else: not on the same file by another URL, not when
    an [auth] section is configured. Cookies do not depend on the port: the browser sends the
    token to every server here."""
    token = demo_session.issue(REVIEWER, NOW, demo_home / demo_session.KEY_PATH)
    p = page
    p.context.add_cookies(
        [{"name": demo_session.COOKIE, "value": token, "domain": "localhost", "path": "/"}]
    )
    deep = f"/claim?claim={claim_ref}"

    with serve(demo_home, DEMO_ENV) as url:
        p.goto(url + deep)
        p.get_by_role("heading", name=f"Claim {claim_ref}").wait_for()  # the token is genuine

    same_file = f"sqlite:///{demo_home / EMBEDDED_DATABASE_PATH}"
    with serve(demo_home, {**DEMO_ENV, "ASSURANCE_DATABASE_URL": same_file}) as url:
        p.goto(url + deep)
        p.get_by_text("Sign-in is not configured").wait_for()
        expect(p.get_by_role("heading", name=f"Claim {claim_ref}")).to_have_count(0)
        expect(p.get_by_text("Rita Reviewer")).to_have_count(0)
        screenshot(p, "demo-cookie-other-database")

    with (
        provider_for(tmp_path_factory.mktemp("provider"), [REVIEWER]) as provider,
        serve_with_oidc(demo_home, provider, EMBEDDED_DATABASE_URL) as url,
    ):
        p.goto(url + deep)
        p.get_by_text("Sign in with your company account").wait_for()
        expect(p.get_by_role("heading", name=f"Claim {claim_ref}")).to_have_count(0)


@pytest.fixture
def oidc_app(tmp_path: Path, seeded: Path) -> Iterator[str]:
    """The app as deployed: the demo data on a database of its own, OIDC sign-in."""
    database = tmp_path / "deployed.db"
    shutil.copy(seeded, database)
    with provider_for(tmp_path, [REVIEWER]) as provider:
        yield from start_app_with_oidc(tmp_path, provider, f"sqlite:///{database}")


def test_oidc_deep_link_lands_on_the_claim_after_the_provider_round_trip(
    page: Any, oidc_app: str, claim_ref: str
) -> None:
    p = page
    p.goto(f"{oidc_app}/claim?claim={claim_ref}")  # the server's first visit
    p.get_by_text("Sign in with your company account").wait_for()
    expect(p.get_by_text("Page not found")).to_have_count(0)
    wait_for_cookie(p, deep_link.NEXT_COOKIE)
    screenshot(p, "deep-link-oidc-sign-in")

    p.get_by_role("button", name="Sign in").click()
    p.get_by_role("button", name=REVIEWER).click()  # the provider's own page
    p.get_by_role("heading", name=f"Claim {claim_ref}").wait_for()
    assert p.url.endswith(f"/claim?claim={claim_ref}")
    wait_for_cookie(p, deep_link.NEXT_COOKIE, present=False)  # used once
    _settled(p)
    screenshot(p, "deep-link-oidc-claim")

    p.reload()
    p.get_by_role("heading", name=f"Claim {claim_ref}").wait_for()
    p.goto(oidc_app)  # a later visit to the root is not sent to the old link
    p.get_by_role("heading", name="Claim queue").wait_for()
    assert p.get_by_test_id("stException").count() == 0
