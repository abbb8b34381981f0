"""`assurance recommend` and `assurance export …`: the claims' recommendations and the files
for reviewers' spreadsheets and audits."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import checked_engine, fail
from services import clock

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from rules import Policy

export_app = typer.Typer(help="Files for reviewers' spreadsheets and audits.")

_Out = Annotated[str, typer.Option("--out", help="The CSV file to write (replaced if present).")]
_Bom = Annotated[
    bool, typer.Option(help="Start with a UTF-8 byte-order mark (for Excel on Windows).")
]


def _policy(engine: Engine, version: str | None) -> Policy:
    from rules import PolicyError
    from services.claims.recommendations import active_policy

    try:
        return active_policy(engine, version)
    except PolicyError as error:
        fail(error)


def recommend(
    policy: Annotated[
        str | None, typer.Option(help="Policy version (default: the active one, e.g. v1).")
    ] = None,
) -> None:
    """Recompute recommendations of every undecided claim; store only those that changed.

    Run it daily: clock-driven rules (a claim becoming late, a non-delivery established) move
    only when it runs. A pending four-eyes proposal whose recommendation changes lapses.
    """
    from data_access.engine import make_session_factory
    from services.auth import Actor
    from services.claims.recommendations import recompute_recommendations

    engine = checked_engine()  # checked once: each call checks the database again
    active = _policy(engine, policy)
    report = recompute_recommendations(
        make_session_factory(engine), Actor.system(), active, now=clock.now()
    )
    typer.echo(str(report))


@export_app.command("claims")
def export_claims(
    out: _Out,
    policy: Annotated[
        str | None, typer.Option(help="Policy for the deadlines (default: the active one).")
    ] = None,
    bom: _Bom = False,
) -> None:
    """Every claim with its order, latest recommendation, deadlines and decisions, as CSV."""
    from services.auth import Actor
    from services.claims.export_claims import export_claims

    engine = checked_engine()
    active = _policy(engine, policy)
    path = Path(out)
    try:
        written = export_claims(
            engine, path, actor=Actor.system(), policy=active, now=clock.now(), bom=bom
        )
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")
    typer.echo(f"Wrote {written} claims to {path}.")


@export_app.command("decisions")
def export_decisions(out: _Out, bom: _Bom = False) -> None:
    """Every reviewer decision with its claim and the recommendation it answered, as CSV."""
    from services.auth import Actor
    from services.claims.export_decisions import export_decisions

    path = Path(out)
    try:
        written = export_decisions(checked_engine(), path, actor=Actor.system(), bom=bom)
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")
    typer.echo(f"Wrote {written} decisions to {path}.")
