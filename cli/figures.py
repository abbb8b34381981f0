"""`assurance figures --json`: the overview's and the exposure page's figures for scripts."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import checked_engine, day_option, fail
from data_access.settings import get_settings
from services import clock


def figures(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the only format).")] = False,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day, YYYY-MM-DD (default: 12 months of data)."),
    ] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Exposure as of this day (default: today).")
    ] = None,
) -> None:
    """Headline and exposure figures, as the overview and exposure pages show them.

    Days are calendar days in the programme's time zone (ASSURANCE_PROGRAMME_TIMEZONE); money
    is in integer cents, rates are fractions with their counts beside them.
    """
    import json

    from services.claims.recommendations import active_policy
    from services.figures.periods import Period, period_for
    from services.figures.rates import activity_extent
    from services.figures.report import figures_report

    del as_json  # JSON is the one output; the flag keeps scripts explicit
    settings = get_settings()
    zone, today, now = settings.programme_timezone, clock.today(settings), clock.now(settings)
    engine = checked_engine()
    default = period_for("data_12m", today, activity_extent(engine, zone))
    start = day_option(first, "--from") or default.first
    end = day_option(last, "--to") or (default.last if first is None else today)
    if end < start:
        fail(f"--to {end} is before --from {start}.")
    report = figures_report(
        engine,
        Period(start, end),
        today=today,
        now=now,
        zone=zone,
        policy=active_policy(engine),
        as_of=day_option(as_of, "--as-of") or today,
    )
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
