"""`assurance policy …`: versions listed, a draft simulated on past claims, saved, activated.
Saving and activating name ops-manager accounts (--as); activation needs a second one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import checked_engine, day_option, fail
from data_access.settings import get_settings
from services import clock

if TYPE_CHECKING:
    from rules import Policy
    from services.auth import Actor

app = typer.Typer(
    help="Policy versions: list, simulate a draft on past claims, save it, activate it. "
    "Saving and activating name ops-manager accounts (--as); activation needs a second one."
)

_PolicyFile = Annotated[
    str,
    typer.Argument(
        help="A policy TOML file (format: rules/policies/v1.toml).", metavar="FILE.toml"
    ),
]
_As = Annotated[str, typer.Option("--as", help="The ops manager's email (their account acts).")]


def _read_policy_file(file: str) -> Policy:
    from rules import PolicyError, parse_policy

    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    try:
        return parse_policy(text, source=path.name)
    except PolicyError as error:
        fail(error)


def _ops_manager(email: str) -> Actor:
    from services.users import sign_in

    result = sign_in(checked_engine(), email)
    if result.actor is None:
        fail(result.refusal)
    return result.actor


@app.command("list")
def list_versions() -> None:
    """Every version with its status (draft / active / retired), author and activator."""
    from services.policy.versions import list_versions

    with checked_engine().connect() as conn:
        versions = list_versions(conn)
    for v in versions:
        activated = (
            f", activated by {v.activated_by} {v.activated_at:%Y-%m-%d %H:%M} UTC"
            if v.activated_at
            else ""
        )
        created = f" {v.created_at:%Y-%m-%d %H:%M} UTC" if v.created_at else ""
        typer.echo(f"{v.version:<10} {v.status:<8} by {v.created_by}{created}{activated}")


@app.command("simulate")
def simulate(
    file: _PolicyFile,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First filing day, YYYY-MM-DD (default: 90 days before --to)."),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last filing day, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Recommend the claims filed in a period under FILE.toml and under the active policy."""
    from datetime import timedelta

    from services.policy.active import active_policy
    from services.policy.report import format_simulation
    from services.policy.simulate import simulate_period

    draft = _read_policy_file(file)
    settings = get_settings()
    today = clock.today(settings)
    end = day_option(last, "--to") or today
    start = day_option(first, "--from") or end - timedelta(days=89)
    if end < start:
        fail(f"--to {end} is before --from {start}.")
    engine = checked_engine()
    sim = simulate_period(
        engine,
        draft,
        active_policy(engine),
        start,
        end,
        today=today,
        zone=settings.programme_timezone,
    )
    typer.echo(format_simulation(sim))


@app.command("draft")
def draft(
    file: _PolicyFile,
    as_email: _As,
    name: Annotated[
        str | None, typer.Option("--name", help="The new version's name (default: the next vN).")
    ] = None,
    note: Annotated[
        str, typer.Option(help="Why (kept with the version and in the audit trail).")
    ] = "",
) -> None:
    """Save FILE.toml as a draft version; another ops manager activates it."""
    from data_access.engine import make_session_factory
    from services.auth import NotAllowed
    from services.policy.versions import PolicyVersionError, save_draft

    policy = _read_policy_file(file)
    actor = _ops_manager(as_email)
    try:
        info = save_draft(
            make_session_factory(checked_engine()), actor, policy, now=clock.now(), version=name,
            note=note,
        )  # fmt: skip
    except (PolicyVersionError, NotAllowed) as error:
        fail(error)
    typer.echo(
        f"Saved draft {info.version} by {info.created_by}; a second ops manager activates it "
        f"with: assurance policy activate {info.version} --as EMAIL"
    )


@app.command("activate")
def activate(
    version: Annotated[str, typer.Argument(help="The draft to activate, e.g. v2.")],
    as_email: _As,
) -> None:
    """Activate a draft (a different ops manager from its author) and re-evaluate open claims."""
    from data_access.engine import make_session_factory
    from services.auth import NotAllowed
    from services.policy.versions import PolicyVersionError, activate_version

    actor = _ops_manager(as_email)
    try:
        report = activate_version(
            make_session_factory(checked_engine()), actor, version, now=clock.now()
        )
    except (PolicyVersionError, NotAllowed) as error:
        fail(error)
    typer.echo(str(report))
