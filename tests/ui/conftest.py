"""AppTest helpers: a database with one user per role, and the app opened as one of them."""

from __future__ import annotations

import re
from datetime import date

import pytest
import streamlit as st
from sqlalchemy.orm import Session

from data_access.engine import make_engine
from tests import factories as f
from tests.factories import utc
from ui.headless import APP, OIDC_SECRETS, ROOT, open_app

__all__ = ["APP", "EMAILS", "OIDC_SECRETS", "ROOT", "open_app", "unescape"]

EMAILS = {
    "exec": "exec@example.test",
    "ops_manager": "ops@example.test",
    "claim_reviewer": "reviewer@example.test",
    "admin": "admin@example.test",
}


@pytest.fixture
def app_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    engine = make_engine(database_url)
    with Session(engine) as s:
        for role, email in EMAILS.items():
            f.user(s, role, email=email, display_name=f"The {role.replace('_', ' ')}")
        f.user(s, "exec", email="gone@example.test", is_active=False)
        sup, buy = f.supplier(s), f.buyer(s)
        late = f.order(s, sup, buy, placed_at=utc(2025, 1, 2), ship_by=date(2025, 1, 20))
        f.order(
            s,
            sup,
            buy,
            placed_at=utc(2025, 1, 3),
            ship_by=date(2025, 1, 20),
            shipped_at=utc(2025, 1, 19),
        )
        f.claim(s, late, filed_at=utc(2025, 1, 25))
        s.commit()
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    # Cached reads are keyed by the database URL, and a PostgreSQL test database keeps its URL
    # from one test to the next: start every test with nothing cached.
    st.cache_data.clear()
    return database_url


#: A code span: a run of backticks, its content, and the same run again (not escaped).
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def unescape(markdown: str) -> str:
    """The text a reader sees of markdown escaped by ui.text.plain: backslash escapes
    resolved, and code spans (``ui.text.literal``, for addresses) shown as their content."""
    shown, position = [], 0
    for span in _CODE_SPAN.finditer(markdown):
        shown.append(_unescaped(markdown[position : span.start()]))
        inner = span.group(2)
        if len(inner) > 2 and inner.startswith(" ") and inner.endswith(" "):
            inner = inner[1:-1]
        shown.append(inner)
        position = span.end()
    shown.append(_unescaped(markdown[position:]))
    return "".join(shown)
