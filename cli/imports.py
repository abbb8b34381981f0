"""`assurance import …`: suppliers, orders and claims from CSV files (docs/import-format.md)."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from cli.common import checked_engine, debug_log, default_debug_log, fail
from services import clock

app = typer.Typer(
    help="Load suppliers, orders or claims from a CSV file (formats: docs/import-format.md). "
    "The whole file is checked first; a file with any problem writes nothing."
)

_ImportFile = Annotated[str, typer.Argument(help="The CSV file (UTF-8).", metavar="FILE")]
_DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check the file, count what would change, write nothing.")
]
_DebugLog = Annotated[
    str | None,
    typer.Option(
        "--debug-log",
        metavar="LOG",
        help="Where the details of a failure go (default: assurance-import-USER.log in the "
        "temporary directory).",
    ),
]


@app.command("suppliers")
def suppliers(file: _ImportFile, dry_run: _DryRun = False, debug_log: _DebugLog = None) -> None:
    """Suppliers with their Trade Assurance limits; a changed limit enters the limit history."""
    _run_import("suppliers", file, dry_run, debug_log)


@app.command("orders")
def orders(file: _ImportFile, dry_run: _DryRun = False, debug_log: _DebugLog = None) -> None:
    """Orders (suppliers must exist); buyers are created or updated from the order rows."""
    _run_import("orders", file, dry_run, debug_log)


@app.command("claims")
def claims(file: _ImportFile, dry_run: _DryRun = False, debug_log: _DebugLog = None) -> None:
    """Claims with their evidence and supplier responses (orders must exist)."""
    _run_import("claims", file, dry_run, debug_log)


def _run_import(entity: str, file: str, dry_run: bool, log: str | None) -> None:
    from data_access.engine import make_session_factory
    from services.auth import Actor
    from services.importing import ENTITIES, ImportFailed, import_file, printable

    path = Path(file)
    name = printable(path.name)  # a file name may hold ESC or a line break too
    if not path.is_file():
        fail(f"{printable(file)} is not a file.")
    kind = next(e for e in ENTITIES if e == entity)
    log_path = Path(log) if log else default_debug_log("import")
    details = f"give an administrator the details in {printable(str(log_path))}"
    started = time.perf_counter()
    engine = checked_engine()
    try:
        # The service reads the file once, checking and writing each chunk of rows: the bar
        # counts rows, and learns how many the file holds (its lines) from the first report.
        with (
            debug_log(log_path) as logged,
            typer.progressbar(length=1, label="Checking and importing") as bar,
        ):
            if not logged:
                details = f"the details could not be logged ({printable(str(log_path))})"

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            try:
                result = import_file(
                    make_session_factory(engine),
                    Actor.system(),
                    kind,
                    path,
                    file_name=path.name,
                    now=clock.now(),
                    dry_run=dry_run,
                    progress=progress,
                )
            except ImportFailed as error:
                message = (
                    f"Error: the database could not complete the import of {name} "
                    f"({error.cause}), so nothing was written; try again, and if it keeps "
                    f"failing {details}."
                )
            except OSError as error:
                message = f"Error: cannot read {name} ({error.strerror or 'read error'})."
            except Exception:  # a fault of ours: one sentence here, the traceback in the log
                logging.getLogger("services.importing").debug(
                    "import of %r (%s) failed", path.name, entity, exc_info=True
                )
                message = (
                    f"Error: the import of {name} failed unexpectedly, so nothing was written; "
                    f"{details}."
                )
            else:
                message = ""
            finally:
                engine.dispose()  # closing a dead connection may log: still inside the log
    finally:
        engine.dispose()
    if message:
        typer.echo("\n" + message, err=True)
        raise typer.Exit(1)
    elapsed = time.perf_counter() - started
    sys.stdout.flush()  # the bar's last line before the problems on stderr
    if not result.ok:
        for problem in result.problems:
            where = f"line {problem.line}" if problem.line else "file"
            column = f", {problem.column}" if problem.column else ""
            typer.echo(f"{where}{column}: {problem.message}", err=True)
        hidden = result.problem_count - len(result.problems)
        if hidden:
            typer.echo(f"… and {hidden:,} more problems.", err=True)
        typer.echo(
            f"{result.problem_count:,} problem{'s' if result.problem_count != 1 else ''} in "
            f"{name} ({result.rows_read}); nothing was written.",
            err=True,
        )
        raise typer.Exit(1)
    verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
    rate = f", {result.rows / elapsed:,.0f} rows/s" if elapsed >= 1 else ""
    typer.echo(
        f"{verb} {result.rows_read} from {name} in {elapsed:.1f} s{rate}: "
        f"{result.inserted:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged."
    )
    for note in result.notes:
        typer.echo(f"  {printable(note)}")
