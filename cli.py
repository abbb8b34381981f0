"""`assurance` command line: database upgrades and demo data (more commands join per use case)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

import typer

from data_access import migrate
from data_access.engine import make_engine
from data_access.settings import get_settings

app = typer.Typer(help="Assurance Desk: the buyer-protection programme's operations console.")
db_app = typer.Typer(help="Database schema.")
demo_app = typer.Typer(help="Demo data for the embedded database or a scratch server.")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")


def _engine():  # type: ignore[no-untyped-def]
    return make_engine(get_settings().database_url)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database at ASSURANCE_DATABASE_URL to the latest schema."""
    engine = _engine()
    migrate.upgrade(engine)
    typer.echo(f"Database at revision {migrate.current_revision(engine)}.")


@demo_app.command("seed")
def demo_seed(
    orders: Annotated[int, typer.Option(min=1, help="How many orders to generate.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    reset: Annotated[bool, typer.Option(help="Delete every row first.")] = False,
    if_empty: Annotated[
        bool, typer.Option(help="Do nothing (and succeed) when the database already has data.")
    ] = False,
) -> None:
    """Fill the database with realistic demo data: suppliers, orders, claims, decisions, users."""
    from services.demo_seed import DatabaseNotEmpty, seed_demo

    engine = _engine()
    today = datetime.now(UTC).date()
    bars: dict[str, typer.progressbar] = {}  # type: ignore[valid-type]

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = typer.progressbar(length=total, label=f"{stage:<12}")
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    started = time.perf_counter()
    try:
        report = seed_demo(engine, orders=orders, seed=seed, today=today, reset=reset,
                           progress=progress)
    except DatabaseNotEmpty as error:
        if if_empty:
            typer.echo("The database already has data; leaving it as it is.")
            return
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    elapsed = time.perf_counter() - started
    typer.echo(f"Seeded {report} in {elapsed:.1f} s.")


if __name__ == "__main__":
    app()
