"""Engine and session factory; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from data_access.sql import SQLITE_LOCAL_DAY, sqlite_local_day

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Execution option marking a transaction that will write (see :func:`write_session`).
WRITE_OPTION = "assurance_write"


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached; the message is safe to show a user."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    # Pin the session time zone so any server-side date arithmetic happens in UTC. No JIT: the
    # figures' queries run in a fraction of a second, and PostgreSQL compiling them (on its
    # cost estimates for tens of thousands of rows) took longer than running them: 0.25 s a
    # time for the pending liability at ten million orders.
    connect_args = {"options": "-c timezone=UTC -c jit=off", "connect_timeout": 5}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling starts transactions late and deferred; take control
    # (SQLAlchemy's documented recipe) so a writer can start with BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # Calendar days in the programme's time zone (data_access.sql.local_day): SQLite has no
    # time-zone database of its own. Deterministic, so SQLite may reuse a result in a statement.
    dbapi_connection.create_function(SQLITE_LOCAL_DAY, 2, sqlite_local_day, deterministic=True)


def _begin_sqlite(connection: Connection) -> None:
    # A writer that reads first and writes later must hold the write lock from the start: in WAL
    # mode a deferred transaction whose snapshot went stale cannot upgrade and fails at once.
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction for a use case that writes: committed on success, rolled back whole.

    On SQLite it takes the write lock up front, so concurrent writers queue (busy timeout)
    instead of failing; on PostgreSQL rows are locked explicitly where it matters.
    """
    with factory.begin() as session:
        session.connection(execution_options={WRITE_OPTION: True})
        yield session
