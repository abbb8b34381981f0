"""`assurance`, the command line: one sub-app per job (cli/<job>.py), put together here."""

from __future__ import annotations

import logging
import sys

import typer

from cli import bench, claims, database, demo, figures, imports, policy, suppliers, users
from cli.common import debug_log, default_debug_log
from services.arrow_memory import use_system_allocator

app = typer.Typer(help="Assurance Desk: the buyer-protection programme's operations console.")
app.add_typer(database.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(users.app, name="users")
app.command("recommend")(claims.recommend)
app.add_typer(claims.export_app, name="export")
app.command("bench")(bench.bench)
app.add_typer(imports.app, name="import")
app.add_typer(suppliers.app, name="suppliers")
app.command("figures")(figures.figures)
app.add_typer(policy.app, name="policy")


@app.callback()
def _process() -> None:
    """Before every command: Arrow's buffers from the C library's allocator (an import's parse,
    the bench's app process; ``services.arrow_memory``)."""
    use_system_allocator()


def main() -> None:
    """The ``assurance`` command. A fault the commands do not foresee reaches the terminal as
    one sentence naming the log that holds its traceback, never as the traceback itself."""
    from services.importing import printable

    try:
        app()
    except Exception as error:
        log_path = default_debug_log("command")
        with debug_log(log_path) as logged:
            logging.getLogger("services.cli").error(
                "assurance %s failed", " ".join(sys.argv[1:]), exc_info=error
            )
        where = (
            f"the details are in {printable(str(log_path))}"
            if logged
            else "the details could not be logged"
        )
        typer.echo(f"Error: the command failed unexpectedly ({where}).", err=True)
        raise SystemExit(1) from None
