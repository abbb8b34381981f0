"""What every `assurance` command shares: the checked database, one way to fail, day options
and the log that keeps tracebacks off the terminal."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn

import typer
from sqlalchemy import Engine

from data_access.engine import make_engine
from data_access.settings import get_settings
from services.health import database_status


def fail(message: object, code: int = 1) -> NoReturn:
    """Print ``Error: message`` on stderr and stop the command with ``code``."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def checked_engine(*, any_schema: bool = False) -> Engine:
    """The configured database, checked first: one that cannot be reached, or (unless
    ``any_schema``) is not at this version's schema, stops the command with what to do rather
    than the driver's traceback halfway through it."""
    engine = make_engine(get_settings().database_url)
    status = database_status(engine)
    if not status.reachable or not (status.ok or any_schema):
        engine.dispose()
        fail(status.problem("run the command again"))
    return engine


def day_option(value: str | None, name: str) -> date | None:
    """A ``--from``, ``--to`` or ``--as-of`` value as a date, or typer's error naming it."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date like 2025-03-31", param_hint=name
        ) from None


def default_debug_log(kind: str) -> Path:
    """``assurance-KIND-USER.log`` in the temporary directory."""
    import getpass
    import tempfile

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        user = "user"
    return Path(tempfile.gettempdir()) / f"assurance-{kind}-{user}.log"


@contextmanager
def debug_log(path: Path) -> Iterator[bool]:
    """Send the command's debug details, and every warning from the libraries beneath it, to
    ``path`` rather than the terminal; yields whether the log could be opened.

    Only the ``services`` loggers go down to debug: turning the root logger down would make
    SQLAlchemy log every statement of a million-row file.
    """
    try:
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8", delay=False)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        opened = True
    except OSError:
        handler, opened = logging.NullHandler(), False  # still keeps tracebacks off stderr
    handler.setLevel(logging.DEBUG)
    root, ours = logging.getLogger(), logging.getLogger("services")
    level = ours.level
    root.addHandler(handler)
    ours.setLevel(logging.DEBUG)
    try:
        yield opened
    finally:
        ours.setLevel(level)
        root.removeHandler(handler)
        handler.close()
