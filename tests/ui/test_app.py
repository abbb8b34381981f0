"""AppTest: every page runs for its roles; sign-in decides what each role can open."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from services.auth import Role
from tests.ui.conftest import EMAILS, OIDC_SECRETS, ROOT, open_app, unescape
from ui.navigation import SCREENS, Screen, screens_for

PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
TITLES_BY_ROLE = {
    "exec": ["Exposure", "Overview", "Suppliers", "Supplier"],
    "ops_manager": ["Overview", "Suppliers", "Supplier", "Exposure", "Import data", "Policy"],
    "claim_reviewer": ["Claim queue", "Find a claim", "Claim", "Supplier"],
    "admin": ["Users"],
}
HEADINGS = {
    "pages/overview.py": "Programme overview",
    "pages/suppliers.py": "Suppliers",
    "pages/supplier.py": "Supplier",
    "pages/exposure.py": "Programme exposure",
    "pages/import_data.py": "Import data",
    "pages/users.py": "Users",
    "pages/policy.py": "Policy",
    "pages/claim_queue.py": "Claim queue",
    "pages/claim.py": "Claim",
    "pages/find_claim.py": "Find a claim",
}


def test_every_page_file_is_a_registered_screen() -> None:
    assert sorted(s.path for s in SCREENS) == PAGE_FILES


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.title)
@pytest.mark.usefixtures("app_database")
def test_every_page_runs_for_each_of_its_roles(screen: object) -> None:
    for role in screen.roles:  # type: ignore[attr-defined]
        at = open_app(EMAILS[role.value], screen.path)  # type: ignore[attr-defined]
        assert not at.exception, (role, [e.value for e in at.exception])
        assert not at.error, (role, [e.value for e in at.error])


@pytest.mark.parametrize("role", list(TITLES_BY_ROLE))
def test_each_role_is_given_only_its_screens(role: str) -> None:
    assert [s.title for s in screens_for(Role(role))] == TITLES_BY_ROLE[role]


@pytest.mark.parametrize("role", list(TITLES_BY_ROLE))
@pytest.mark.usefixtures("app_database")
def test_allowed_pages_open_from_the_navigation(role: str) -> None:
    at = open_app(EMAILS[role])
    assert not at.exception
    for screen in screens_for(Role(role)):
        if screen.hidden:  # reached by links, not from the navigation
            continue
        at.switch_page(screen.path)
        at.run()
        assert HEADINGS[screen.path] in [t.value for t in at.title]


@pytest.mark.parametrize(
    ("role", "screen"),
    [(r, s) for r in TITLES_BY_ROLE for s in SCREENS if s.title not in TITLES_BY_ROLE[r]],
    ids=lambda value: value if isinstance(value, str) else value.title,
)
@pytest.mark.usefixtures("app_database")
def test_a_page_refuses_a_role_even_when_run_directly(role: str, screen: Screen) -> None:
    """Second line of defence behind st.navigation: the page script checks the role itself."""
    at = AppTest.from_file(str(ROOT / screen.path), default_timeout=30)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": EMAILS[role]}
    at.run()
    assert not at.exception
    assert HEADINGS[screen.path] not in [t.value for t in at.title]
    assert "cannot open this page" in at.error[0].value


@pytest.mark.usefixtures("app_database")
def test_overview_shows_both_rates_with_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSURANCE_CLOCK", "2025-03-15T10:00:00Z")
    at = open_app(EMAILS["ops_manager"])
    assert at.title[0].value == "Programme overview"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Late-shipment rate"] == "50.00%"
    assert metrics["Dispute rate"] == "50.00%"
    captions = " ".join(c.value for c in at.caption)
    assert "1 late of 2 orders due" in captions and "1 claim of 2 orders placed" in captions
    assert (
        "calendar days in the programme's time zone (UTC)"
        in " ".join(h.value for h in at.metric if h.help)
        or "time zone, UTC" in captions
    )


@pytest.mark.usefixtures("app_database")
def test_not_signed_in_sees_only_the_sign_in_button() -> None:
    at = open_app(None)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric


@pytest.mark.parametrize(
    ("email", "expected"),
    [("stranger@example.test", "does not have access"), ("gone@example.test", "disabled")],
)
@pytest.mark.usefixtures("app_database")
def test_unknown_or_disabled_users_are_refused_politely(email: str, expected: str) -> None:
    at = open_app(email)
    assert not at.exception
    assert expected in unescape(at.error[0].value)
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.metric


@pytest.mark.usefixtures("app_database")
def test_other_database_without_oidc_refuses_to_start() -> None:
    at = open_app(EMAILS["admin"], oidc=False)
    assert not at.exception
    assert "Sign-in is not configured" in unescape(at.error[0].value)
    assert not at.metric


def test_unreachable_database_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/x")
    at = open_app(EMAILS["exec"])
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "cannot be reached" in message and "ASSURANCE_DATABASE_URL" in message
    assert "Traceback" not in message
    assert "127.0.0.1" not in message and "nobody" not in message  # no address before sign-in


def test_unmigrated_database_says_to_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    at = open_app(EMAILS["exec"])
    assert not at.exception
    assert "assurance db upgrade" in at.error[0].value


@pytest.mark.usefixtures("app_database")
def test_admin_adds_a_user_on_the_users_page() -> None:
    at = open_app(EMAILS["admin"], "pages/users.py")
    at.text_input(key="new_user_email").input("new.reviewer@example.test")
    at.text_input(key="new_user_name").input("<b>Nia</b> **New**")
    at.selectbox(key="new_user_role").set_value(Role.CLAIM_REVIEWER)
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    assert not at.exception
    added = unescape(at.success[0].value)  # feedback survives the rerun
    assert added == "Added new.reviewer@example.test as claim reviewer."
    # The address is a code span: shown as text, never turned into a mailto: link.
    assert "`new.reviewer@example.test`" in at.success[0].value
    table = at.dataframe[0].value
    row = table[table["Email"] == "new.reviewer@example.test"]
    assert row["Role"].tolist() == ["Claim reviewer"]  # the one label set (ui.labels)
    assert row["Name"].tolist() == ["<b>Nia</b> **New**"]  # data stays text


@pytest.mark.usefixtures("app_database")
def test_the_users_page_refuses_to_remove_the_last_admin() -> None:
    at = open_app(EMAILS["admin"], "pages/users.py")
    who = at.selectbox(key="change_user_id")
    labels = [unescape(o) for o in who.options]  # labels escape data for markdown
    # Name first, then the address: a narrow box cuts the address, not who it is.
    who.select_index(next(i for i, o in enumerate(labels) if o.endswith(f"({EMAILS['admin']})")))
    (role_box,) = [s for s in at.selectbox if s.key and s.key.startswith("change_user_role_")]
    assert role_box.value == Role.ADMIN  # the form opens on the user's current role
    role_box.set_value(Role.EXEC)
    next(b for b in at.button if b.label == "Save").click()
    at.run()
    assert not at.exception
    assert "last active admin" in unescape(at.error[0].value)


@pytest.mark.usefixtures("app_database")
def test_an_unverified_email_is_not_trusted() -> None:
    """Roles come by email: an address the provider has not verified opens nothing."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": EMAILS["admin"], "email_verified": False}
    at.run()
    assert not at.exception
    assert "has not verified your email" in unescape(at.error[0].value)
    assert not at.title or at.title[0].value == "Assurance Desk"
    at.user = {"is_logged_in": True, "email": EMAILS["admin"], "email_verified": True}
    at.run()
    assert at.title[0].value == "Users"


@pytest.mark.usefixtures("app_database")
def test_a_run_of_the_app_has_arrow_use_the_system_allocator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``services.arrow_memory``: the server's Arrow buffers from the C library's allocator,
    set by the app's own run (whatever the pool before)."""
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    try:
        at = open_app(EMAILS["admin"])
        assert not at.exception
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(before)
