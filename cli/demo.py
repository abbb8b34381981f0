"""`assurance demo seed`: realistic demo data for the embedded database or a scratch server."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from cli.common import checked_engine, fail
from data_access.settings import get_settings
from services import clock

app = typer.Typer(help="Demo data for the embedded database or a scratch server.")


@app.command("seed")
def seed(
    orders: Annotated[int, typer.Option(min=1, help="How many orders to generate.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    reset: Annotated[bool, typer.Option(help="Delete every row first.")] = False,
    if_empty: Annotated[
        bool, typer.Option(help="Do nothing (and succeed) when the database already has data.")
    ] = False,
    force: Annotated[
        bool, typer.Option(help="Allow --reset on a database other than the embedded demo.")
    ] = False,
) -> None:
    """Fill the database with realistic demo data: suppliers, orders, claims, decisions, users."""
    from services.demo.seed import DatabaseNotEmpty, seed_demo

    if reset and not force and not get_settings().is_embedded_demo:
        fail(
            "--reset deletes every row, the audit trail included. This is not the "
            "embedded demo database; add --force if that is what you mean."
        )
    engine = checked_engine()
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
        report = seed_demo(
            engine,
            orders=orders,
            seed=seed,
            today=clock.today(),
            reset=reset,
            progress=progress,
            now=clock.now(),
        )
    except DatabaseNotEmpty as error:
        if if_empty:
            typer.echo("The database already has data; leaving it as it is.")
            return
        fail(f"{error} (--reset replaces it, --if-empty keeps it).")
    elapsed = time.perf_counter() - started
    typer.echo(f"Seeded {report} in {elapsed:.1f} s.")
