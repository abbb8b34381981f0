"""`assurance users add`: who may sign in, and as what."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import checked_engine, fail
from services import clock

app = typer.Typer(help="Who may sign in, and as what.")


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The address the identity provider reports.")],
    role: Annotated[str, typer.Option(help="exec, ops_manager, claim_reviewer or admin.")],
    name: Annotated[str, typer.Option(help="Display name (default: the email's local part).")] = "",
) -> None:
    """Add a user who may sign in with the given role."""
    from data_access.engine import make_session_factory
    from services.auth import Actor, Role
    from services.users import ASSIGNABLE_ROLES, UserError, add_user

    roles = [r.value for r in ASSIGNABLE_ROLES]
    if role not in roles:
        fail(f"unknown role {role!r}; use one of {', '.join(roles)}.")
    try:
        user = add_user(
            make_session_factory(checked_engine()), Actor.system(), email, Role(role), name,
            now=clock.now(),
        )  # fmt: skip
    except UserError as error:
        fail(error)
    typer.echo(f"Added {user.email} ({user.display_name}) as {user.role.value}.")
