"""AppTest: every page runs without an exception; a dead database is explained, not traced."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.engine import make_engine
from tests import factories as f
from tests.factories import utc

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture
def app_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from datetime import date

    engine = make_engine(database_url)
    with Session(engine) as s:
        sup, buy = f.supplier(s), f.buyer(s)
        late = f.order(s, sup, buy, placed_at=utc(2025, 1, 2), ship_by=date(2025, 1, 20))
        f.order(s, sup, buy, placed_at=utc(2025, 1, 3), ship_by=date(2025, 1, 20),
                shipped_at=utc(2025, 1, 19))
        f.claim(s, late, filed_at=utc(2025, 1, 25))
        s.commit()
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    return database_url


def _run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("app_database")
def test_every_page_runs(page: str) -> None:
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.usefixtures("app_database")
def test_overview_shows_both_rates_with_counts() -> None:
    at = _run()
    assert at.title[0].value == "Ops overview"
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Late-shipment rate", "Dispute rate"}
    assert "(1 of 2)" in metrics["Late-shipment rate"]
    assert "(1 of 2)" in metrics["Dispute rate"]
    captions = " ".join(c.value for c in at.caption)
    assert "Late-shipment rate" in captions and "Dispute rate" in captions


def test_unreachable_database_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    monkeypatch.setenv(
        "ASSURANCE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/assurance"
    )
    at = _run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "cannot be reached" in message
    assert "ASSURANCE_DATABASE_URL" in message
    assert "Traceback" not in message


def test_unmigrated_database_says_to_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    at = _run()
    assert not at.exception
    assert "assurance db upgrade" in at.error[0].value
