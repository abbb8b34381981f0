"""Shared fixtures: a migrated, empty database per test on SQLite or on a real PostgreSQL.

The same tests run on both: SQLite by default, PostgreSQL when ``TEST_DATABASE_URL`` is set
(CI sets it). Each pytest worker migrates its own database once; each test then starts empty.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from data_access import migrate
from data_access.engine import make_engine, make_session_factory
from data_access.models import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REALDATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "olist-sample"


#: The instant the application's clock shows in every test unless a test sets its own: no test
#: reads the wall clock (tests/unit/test_architecture.py checks), so none depends on the day.
FROZEN_NOW = datetime(2025, 6, 4, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Freeze ``services.clock`` (``ASSURANCE_CLOCK``) and start in the default UTC calendar."""
    monkeypatch.setenv("ASSURANCE_CLOCK", FROZEN_NOW.isoformat())
    monkeypatch.delenv("ASSURANCE_PROGRAMME_TIMEZONE", raising=False)
    return FROZEN_NOW


@pytest.fixture(autouse=True)
def fresh_read_caches() -> Iterator[None]:
    """Every test starts without cached reads: on PostgreSQL the tests of a worker share one
    database URL, the caches' key, so a page's figures would outlive the test that cached them."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing — unless CI demands every test run."""
    if os.environ.get("ASSURANCE_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: migrating once keeps the suite fast."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this worker's own; skipped without a server."""
    if not TEST_DATABASE_URL:
        skip_or_fail("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    admin_url = make_url(TEST_DATABASE_URL)
    # The process id keeps two suites run at once on one server out of each other's way.
    name = f"assurance_test_{_worker()}_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A URL to an empty, migrated database; parametrised over SQLite and PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "assurance.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)
