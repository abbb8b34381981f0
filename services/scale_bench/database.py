"""The throwaway database a bench run fills and then removes; never the configured one.

Default: a SQLite file in a new temporary directory. With a PostgreSQL server URL: a new
database ``bench_<random>`` created on that server (the URL's own database is only connected to
for ``CREATE DATABASE``) and dropped afterwards, even when the run fails.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from data_access import migrate
from data_access.engine import make_engine

__all__ = ["BenchDatabaseError", "throwaway_database"]


class BenchDatabaseError(ValueError):
    """The URL cannot host a throwaway database; the message says what to pass instead."""


@contextmanager
def throwaway_database(server_url: str | None = None) -> Iterator[str]:
    """Yield the URL of a new, migrated, empty database; remove it on the way out."""
    if server_url is None:
        with tempfile.TemporaryDirectory(prefix="assurance-bench-") as directory:
            url = f"sqlite:///{Path(directory) / 'bench.db'}"
            _migrate(url)
            yield url
        return
    try:
        server = make_url(server_url)
    except Exception as error:  # SQLAlchemy's ArgumentError, or a bad port
        raise BenchDatabaseError(f"not a database URL: {error}") from None
    if server.get_backend_name() != "postgresql":
        raise BenchDatabaseError(
            "--database takes a PostgreSQL server URL (postgresql+psycopg://user@host/db), on "
            "which a throwaway database is created and dropped; leave it out for a temporary "
            "SQLite file."
        )
    name = f"bench_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = server.set(database=name).render_as_string(hide_password=False)
            _migrate(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
