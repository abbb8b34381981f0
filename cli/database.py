"""`assurance db …`: the schema and the daily summaries."""

from __future__ import annotations

import typer

from cli.common import checked_engine, fail
from data_access import migrate
from services import clock
from services.summaries import ensure_built, programme_zone, rebuild_summaries

app = typer.Typer(help="Database schema.")


@app.command("upgrade")
def upgrade() -> None:
    """Migrate the database at ASSURANCE_DATABASE_URL to the latest schema."""
    engine = checked_engine(any_schema=True)
    try:
        migrate.upgrade(engine)
    except migrate.BrokenReferences as refused:
        fail(f"The database was not upgraded: {refused}. `PRAGMA foreign_key_check` lists them.")
    typer.echo(f"Database at revision {migrate.current_revision(engine)}.")
    with engine.begin() as connection:
        # Missing, or kept for another zone than the setting: build them (seconds at 1M orders).
        if ensure_built(connection, clock.now()):
            typer.echo(f"Daily summaries built for {programme_zone()}.")


@app.command("rebuild-summaries")
def rebuild() -> None:
    """Rebuild the dashboards' daily summary tables from the orders and claims."""
    zones = rebuild_summaries(checked_engine(), now=clock.now())
    typer.echo(f"Daily summaries rebuilt for {', '.join(zones)}.")
