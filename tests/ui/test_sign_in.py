"""AppTest: deep links survive the sign-in (demo and OIDC); the demo sign-in survives a reload
on the embedded demo database only.

AppTest cannot send cookies, so ``ui.cookies.read`` is replaced by a jar the test fills with what
the app asked the browser to keep (``ui.cookies.pending``), as a browser would on a reload.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import update
from sqlalchemy.orm import Session
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from data_access.engine import make_engine
from data_access.models import User
from data_access.settings import EMBEDDED_DATABASE_PATH
from tests import factories as f
from tests.factories import utc
from tests.ui.conftest import APP, EMAILS, OIDC_SECRETS, unescape
from ui import cookies, deep_link, demo_session

NOW = datetime(2025, 3, 5, 9, 30, tzinfo=UTC)
CLAIM = "CLM-0000042"
RITA = "reviewer1@demo.assurance.test"
ERIN = "exec@demo.assurance.test"
Jar = dict[str, str]


def _seed(url: str, emails: dict[str, str]) -> None:
    engine = make_engine(url)
    with Session(engine) as s:
        for role, email in emails.items():
            f.user(s, role, email=email, display_name=f"The {role.replace('_', ' ')}")
        sup, buy = f.supplier(s), f.buyer(s)
        order = f.order(s, sup, buy, placed_at=utc(2025, 1, 2), ship_by=date(2025, 1, 20))
        f.claim(s, order, external_id=CLAIM, filed_at=utc(2025, 1, 25))
        s.commit()
    engine.dispose()


class _AfterNavigation(PagesManager):
    """The page registry of a server on which app.py has called st.navigation once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every AppTest run through app.py's st.navigation, as a running server does.

    A server treats an app with a ``pages/`` folder beside its entry script as a legacy pages/
    app until its first st.navigation call; AppTest restores that mode before each run, so a
    run after the first would start the page the URL names on its own, without app.py's
    sign-in around it. (A server's first visit is covered by tests/e2e/test_deep_links.py.)
    """
    monkeypatch.setattr(app_test_module, "PagesManager", _AfterNavigation)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSURANCE_CLOCK", NOW.isoformat())


@pytest.fixture
def jar(monkeypatch: pytest.MonkeyPatch) -> Jar:
    """The cookies the browser sends when a session opens."""
    sent: Jar = {}
    monkeypatch.setattr(cookies, "read", sent.get)
    return sent


@pytest.fixture
def demo_home(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch, clock: None
) -> Iterator[Path]:
    """The embedded demo database: data/assurance.db where the app starts, no URL set."""
    database = tmp_path / EMBEDDED_DATABASE_PATH
    database.parent.mkdir()
    shutil.copy(sqlite_template, database)
    _seed(f"sqlite:///{database}", {"claim_reviewer": RITA, "exec": ERIN})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSURANCE_DATABASE_URL", raising=False)
    # The embedded URL is relative: an engine or a read cached for another test's folder
    # under the same URL would answer from that folder's database.
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def oidc_database(database_url: str, monkeypatch: pytest.MonkeyPatch, clock: None) -> str:
    _seed(database_url, EMAILS)
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    return database_url


def _visit(path: str | None, params: dict[str, str], *, oidc_email: str | None = None) -> AppTest:
    """A new browser session opening ``/path?params`` (None: the root)."""
    at = AppTest.from_file(APP, default_timeout=30)
    if oidc_email is not None:
        signed_in = {"is_logged_in": True, "email": oidc_email}
        at.user = signed_in if oidc_email else {"is_logged_in": False}
        at.secrets["auth"] = OIDC_SECRETS
    at.query_params.update(params)
    if path is not None:
        at.switch_page(path)  # before the first run: the page the URL names, as a browser does
    return at.run()


def _demo_sign_in(at: AppTest, email: str) -> AppTest:
    # Each demo user reads with the role's label ("Erin Exec — Executive", never "— exec").
    shown = [unescape(o) for o in at.radio[0].options]
    assert all(" — " in s and s.split(" — ")[1][:1].isupper() for s in shown), shown
    at.radio[0].set_value(email)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def _keep(jar: Jar, at: AppTest) -> None:
    """Apply the cookie writes the session queued, as its page's script does in a browser."""
    writes = at.session_state[cookies.WRITES] if cookies.WRITES in at.session_state else {}  # noqa: SIM401
    for name, line in writes.items():
        value = re.match(rf"{name}=([^;]*);", line)
        assert value is not None
        if "Max-Age=0" in line:
            jar.pop(name, None)
        else:
            jar[name] = value.group(1)


def _titles(at: AppTest) -> list[str]:
    return [unescape(t.value) for t in at.title]


@pytest.mark.usefixtures("demo_home")
def test_demo_deep_link_lands_on_the_claim_and_survives_a_reload(jar: Jar) -> None:
    at = _visit("pages/claim.py", {"claim": CLAIM})
    assert not at.exception
    assert _titles(at) == ["Assurance Desk — demo"]  # the sign-in screen, not "Page not found"
    assert at.query_params == {"claim": CLAIM}  # the URL keeps what was asked for

    at = _demo_sign_in(at, RITA)
    assert not at.exception
    assert f"Claim {CLAIM}" in _titles(at)
    assert at.query_params == {"claim": CLAIM}
    _keep(jar, at)
    assert demo_session.verified_email(jar[demo_session.COOKIE], NOW) == RITA

    reloaded = _visit("pages/claim.py", {"claim": CLAIM})  # a new session, with the cookie
    assert not reloaded.exception
    assert f"Claim {CLAIM}" in _titles(reloaded)
    assert any("The claim reviewer" in c.value for c in reloaded.sidebar.caption)

    new_tab = _visit(None, {})
    assert _titles(new_tab)[0] == "Claim queue"


@pytest.mark.usefixtures("demo_home")
def test_a_fresh_servers_first_visit_to_a_deep_link_goes_through_the_sign_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In the legacy pages/ mode (no st.navigation call yet) the page file would run alone."""
    monkeypatch.setattr(app_test_module, "PagesManager", PagesManager)
    at = _visit("pages/claim.py", {"claim": CLAIM})
    assert not at.exception
    assert _titles(at) == ["Assurance Desk — demo"]
    assert at.query_params == {"claim": CLAIM}


@pytest.mark.usefixtures("demo_home")
def test_switching_demo_user_forgets_the_cookie(jar: Jar) -> None:
    _keep(jar, _demo_sign_in(_visit(None, {}), RITA))
    at = _visit(None, {})
    assert _titles(at)[0] == "Claim queue"
    next(b for b in at.sidebar.button if b.label == "Switch demo user").click()
    at.run()
    # The cookie the session opened with does not sign it in again.
    assert _titles(at) == ["Assurance Desk — demo"]
    _keep(jar, at)
    assert demo_session.COOKIE not in jar
    assert _titles(_visit(None, {})) == ["Assurance Desk — demo"]


@pytest.mark.usefixtures("demo_home")
def test_a_forged_expired_or_disabled_demo_cookie_lets_nobody_in(jar: Jar) -> None:
    token = demo_session.issue(RITA, NOW)
    payload, mac = token.split(".")
    other = demo_session.issue(ERIN, NOW).split(".")[0]
    for forged in [f"{other}.{mac}", f"{payload}.{'0' * len(mac)}", f"{payload}.{mac}é", "x", ""]:
        jar[demo_session.COOKIE] = forged
        assert _titles(_visit(None, {})) == ["Assurance Desk — demo"], forged

    jar[demo_session.COOKIE] = demo_session.issue(RITA, NOW - demo_session.LIFETIME)
    assert _titles(_visit(None, {})) == ["Assurance Desk — demo"]

    jar[demo_session.COOKIE] = token
    assert _titles(_visit(None, {}))[0] == "Claim queue"
    engine = make_engine(f"sqlite:///{EMBEDDED_DATABASE_PATH}")
    with engine.begin() as conn:
        conn.execute(update(User).where(User.email == RITA).values(is_active=False))
    engine.dispose()
    at = _visit(None, {})
    assert _titles(at) == ["Assurance Desk — demo"]  # the role comes from the users table
    _keep(jar, at)
    assert demo_session.COOKIE not in jar  # and the browser is told to forget the cookie


def test_the_demo_cookie_opens_nothing_on_another_database(
    demo_home: Path, jar: Jar, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same folder, same key, same file, valid cookie: but not the embedded default URL."""
    jar[demo_session.COOKIE] = demo_session.issue(RITA, NOW)
    assert _titles(_visit(None, {}))[0] == "Claim queue"
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", f"sqlite:///{demo_home / 'data/assurance.db'}")
    at = _visit("pages/claim.py", {"claim": CLAIM})
    assert not at.exception
    assert "Sign-in is not configured" in unescape(at.error[0].value)
    assert not at.sidebar.button


@pytest.mark.usefixtures("demo_home")
def test_the_demo_cookie_is_ignored_when_oidc_is_configured(jar: Jar) -> None:
    jar[demo_session.COOKIE] = demo_session.issue(RITA, NOW)
    at = _visit(None, {}, oidc_email="")
    assert [b.label for b in at.button] == ["Sign in"]
    assert _titles(at) == ["Assurance Desk"]


@pytest.mark.usefixtures("demo_home")
def test_a_deep_link_the_role_may_not_open_lands_on_its_first_screen_with_a_note() -> None:
    at = _demo_sign_in(_visit("pages/claim.py", {"claim": CLAIM}), ERIN)
    assert not at.exception
    # The run that draws the sign-in's cookie does not switch page (the browser would lose the
    # cookie): it waits for its fragment's timed rerun, which AppTest does not run; a rerun does.
    assert "Opening your first screen…" in [c.value for c in at.caption]
    assert not _titles(at)
    at.run()
    assert not at.exception
    assert _titles(at)[0] == "Programme exposure"  # the exec role's first screen
    assert any("link was to the Claim page" in i.value for i in at.info)
    assert at.query_params == {}


@pytest.mark.usefixtures("oidc_database")
def test_a_signed_in_role_opening_another_roles_link_gets_a_note_not_page_not_found() -> None:
    at = _visit("pages/claim.py", {"claim": CLAIM}, oidc_email=EMAILS["exec"])
    assert not at.exception
    assert _titles(at)[0] == "Programme exposure"  # the exec role's first screen
    assert any("link was to the Claim page" in i.value for i in at.info)
    assert any("which the Executive role does not open" in i.value for i in at.info)  # not "exec"
    assert any(c.value.endswith("· Executive") for c in at.sidebar.caption)  # who is signed in
    assert at.query_params == {}  # the claim's parameters are not carried to another page


@pytest.mark.usefixtures("oidc_database")
def test_oidc_deep_link_survives_the_round_trip_to_the_provider(jar: Jar) -> None:
    at = _visit("pages/claim.py", {"claim": CLAIM}, oidc_email="")
    assert [b.label for b in at.button] == ["Sign in"]
    _keep(jar, at)
    wanted = deep_link.decode(jar[deep_link.NEXT_COOKIE])
    assert wanted == deep_link.Target("pages/claim.py", (("claim", CLAIM),))

    # The provider sends the browser back to the app's root, signed in, in a new session.
    back = _visit(None, {}, oidc_email=EMAILS["claim_reviewer"])
    assert not back.exception
    assert f"Claim {CLAIM}" in _titles(back)
    assert back.query_params == {"claim": CLAIM}
    _keep(jar, back)
    assert deep_link.NEXT_COOKIE not in jar  # used once
    back.run()
    assert f"Claim {CLAIM}" in _titles(back)


@pytest.mark.usefixtures("oidc_database")
def test_the_sign_in_screen_at_the_root_forgets_an_older_deep_link(jar: Jar) -> None:
    _keep(jar, _visit("pages/claim.py", {"claim": CLAIM}, oidc_email=""))
    assert deep_link.NEXT_COOKIE in jar
    _keep(jar, _visit(None, {}, oidc_email=""))
    assert deep_link.NEXT_COOKIE not in jar


@pytest.mark.usefixtures("oidc_database")
def test_queue_filters_on_the_root_url_survive_the_round_trip(jar: Jar) -> None:
    """The reviewer's first screen lives at the root: its parameters are the request.

    (A parameter the queue binds to a filter would do in a browser; AppTest does not seed bound
    widgets from the URL, so this one is a parameter the page leaves alone.)
    """
    _keep(jar, _visit(None, {"ref": "mail"}, oidc_email=""))
    back = _visit(None, {}, oidc_email=EMAILS["claim_reviewer"])
    assert not back.exception
    assert _titles(back)[0] == "Claim queue"
    assert back.query_params == {"ref": "mail"}


@pytest.mark.usefixtures("oidc_database")
def test_a_tampered_deep_link_cookie_is_ignored(jar: Jar) -> None:
    jar[deep_link.NEXT_COOKIE] = deep_link.encode(deep_link.Target("../secrets.py", ()))
    back = _visit(None, {}, oidc_email=EMAILS["claim_reviewer"])
    assert not back.exception
    assert _titles(back)[0] == "Claim queue"


# Pure parts ------------------------------------------------------------------------------------


def test_a_target_keeps_only_known_screens_and_plain_parameters() -> None:
    assert deep_link.target("pages/claim.py", [("claim", "CLM-1")]) == deep_link.Target(
        "pages/claim.py", (("claim", "CLM-1"),)
    )
    assert deep_link.target("pages/nope.py", []) is None
    assert deep_link.target("/etc/passwd", []) is None
    assert deep_link.target("", []) is None  # the bare root asks for nothing
    assert deep_link.target("", [("embed", "true")]) is None  # Streamlit's own
    many = [(f"k{i}", "v") for i in range(deep_link.MAX_PARAMS + 1)]
    assert deep_link.target("pages/claim.py", many) is None
    assert deep_link.target("pages/claim.py", [("claim", "x" * 201)]) is None


def test_a_target_round_trips_through_its_cookie_token() -> None:
    wanted = deep_link.Target("pages/claim_queue.py", (("kind", "a b;c"), ("kind", "<é>")))
    token = deep_link.encode(wanted)
    assert re.fullmatch(r"[A-Za-z0-9_=-]+", token)
    assert deep_link.decode(token) == wanted
    unknown_page = deep_link.encode(deep_link.Target("x.py", ()))
    for junk in [None, "", "%%%", "bm9wZQ==", "é", unknown_page]:
        assert deep_link.decode(junk) is None, junk


def test_a_demo_token_names_its_user_until_it_expires(tmp_path: Path) -> None:
    key = tmp_path / "data" / "demo-sign-in.key"
    token = demo_session.issue(RITA, NOW, key)
    assert key.stat().st_mode & 0o777 == 0o600
    assert demo_session.verified_email(token, NOW, key) == RITA
    later = NOW + demo_session.LIFETIME - timedelta(seconds=1)
    assert demo_session.verified_email(token, later, key) == RITA
    assert demo_session.verified_email(token, NOW + demo_session.LIFETIME, key) is None
    other_install = tmp_path / "other.key"
    assert demo_session.verified_email(token, NOW, other_install) is None
    assert demo_session.issue(RITA, NOW, key) == token  # the key is made once


def test_a_demo_token_never_names_anyone_but_a_demo_user(tmp_path: Path) -> None:
    key = tmp_path / "k.key"
    token = demo_session.issue("admin@example.test", NOW, key)
    assert demo_session.verified_email(token, NOW, key) is None


def test_cookie_writes_are_plain_tokens() -> None:
    with pytest.raises(ValueError):
        cookies.write("a", 'x"; alert(1); "', timedelta(minutes=1))
    with pytest.raises(ValueError):
        cookies.write("a;b", "x", timedelta(minutes=1))
