"""Whether the configured database can serve the app, in words a user can act on."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from data_access import migrate

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    ok: bool
    problem: str = ""


def database_status(engine: Engine) -> DatabaseStatus:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except SQLAlchemyError as error:
        # The driver's text may hold host names or paths: log it, show the user what to do.
        log.warning(
            "database %s unreachable: %s", engine.url.render_as_string(hide_password=True), error
        )
        # Shown before anyone signs in: no host, user or path, only what to do.
        return DatabaseStatus(
            ok=False,
            problem=(
                "The database cannot be reached. Check that the server is running and that "
                "ASSURANCE_DATABASE_URL is right (the server log names the address tried), "
                "then reload this page."
            ),
        )
    head = migrate.head_revision()
    if current != head:
        return DatabaseStatus(
            ok=False,
            problem=(
                f"The database schema is at revision {current or 'none'}, but this version of "
                f"Assurance Desk needs {head}. Run `assurance db upgrade`, then reload this page."
            ),
        )
    return DatabaseStatus(ok=True)
