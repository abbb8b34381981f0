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
    """Whether the database answers and is at this code's schema (``ok``); otherwise
    ``problem`` says what is wrong and what to do about it."""

    reachable: bool
    #: The schema revision the database is at (None: no schema yet), and the one this code needs.
    revision: str | None = None
    head: str | None = None

    @property
    def ok(self) -> bool:
        return self.reachable and self.revision == self.head

    def problem(self, then: str) -> str:
        """What to do, ending with ``then``: in the app "reload this page", at the shell "run
        the command again". Shown before anyone signs in: no host, user or path."""
        if not self.reachable:
            return (
                "The database cannot be reached. Check that the server is running and that "
                "ASSURANCE_DATABASE_URL is right (the log names the address tried), then "
                f"{then}."
            )
        return (
            f"The database schema is at revision {self.revision or 'none'}, but this version "
            f"of Assurance Desk needs {self.head}. Run `assurance db upgrade`, then {then}."
        )


def database_status(engine: Engine) -> DatabaseStatus:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except SQLAlchemyError as error:
        # The driver's text may hold host names or paths: logged for whoever runs the server,
        # while the user is told what to do.
        log.warning(
            "database %s unreachable: %s", engine.url.render_as_string(hide_password=True), error
        )
        return DatabaseStatus(reachable=False)
    return DatabaseStatus(reachable=True, revision=current, head=migrate.head_revision())
