"""`assurance suppliers set-limit`: a supplier's Trade Assurance limit."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import checked_engine, fail
from services import clock

app = typer.Typer(help="Suppliers and their Trade Assurance limits.")


@app.command("set-limit")
def set_limit(
    supplier: Annotated[str, typer.Argument(help="The supplier's id, e.g. SUP-000123.")],
    amount: Annotated[
        str,
        typer.Argument(help="The new limit in US dollars, e.g. 250000.00 (2 decimals at most)."),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the limit history).")],
) -> None:
    """Change a supplier's Trade Assurance limit; the change and an audit event are recorded."""
    from data_access.engine import make_session_factory
    from services.auth import Actor
    from services.suppliers.limits import LimitError, change_limit, parse_money

    try:
        cents = parse_money(amount)
        change = change_limit(
            make_session_factory(checked_engine()), Actor.system(), supplier, cents, reason,
            clock.now(),
        )  # fmt: skip
    except LimitError as error:
        fail(error)
    typer.echo(change.message)
