"""Use case: rebuild the daily summary tables (``assurance db rebuild-summaries``), and what
every writer needs to keep them in step (DESIGN.md §6 "Scale").

The summaries are kept for the programme's time zone (the setting) and the active policy's
claim window; ``ensure_built`` builds them when they are missing or were built for another zone
or window, so a changed setting never reads days of the old zone (figures asked in a zone
without summaries count from the base tables).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session

from data_access import reviewer_summaries, summaries
from data_access.bulk_load import bulk_tuning
from data_access.claim_facts import Executor
from data_access.models import Base
from data_access.settings import get_settings
from rules import Policy, PolicyError, same_dispute_clock
from services import audit
from services.auth import Actor, Permission, require
from services.claims.recommendations import active_policy
from services.figures import reviewer_days

__all__ = [
    "ensure_built",
    "kept_zones",
    "programme_zone",
    "rebuild_reviewer_days",
    "rebuild_summaries",
    "summary_tables",
]


def summary_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name.startswith("summary_")]


def programme_zone() -> str:
    return get_settings().programme_timezone


def kept_zones(executor: Executor | Engine) -> dict[str, int]:
    """What the summaries are kept for: the programme's zone, with the active claim window."""
    return {programme_zone(): active_policy(executor).claim_window_days}


def rebuild_summaries(
    engine: Engine, *, now: datetime, actor: Actor | None = None
) -> dict[str, int]:
    """Empty the summaries and build them from the base tables, in one transaction; returns
    the zones built with their claim window."""
    actor = actor or Actor.system()
    require(actor, Permission.SEED_DEMO)  # the operator at the shell, as for a seed
    with engine.begin() as connection, bulk_tuning(connection):
        zones = kept_zones(connection)
        summaries.rebuild(connection, zones, now)
        rebuild_reviewer_days(connection, now)
        with Session(bind=connection) as session:
            audit.record(
                session,
                actor,
                "summaries.rebuild",
                "database",
                before=None,
                after={"zones": zones},
                at=now,
            )
            session.flush()
    return zones


def ensure_built(executor: Executor, now: datetime) -> bool:
    """Build the summaries unless exactly what ``kept_zones`` asks is kept, and the reviewer
    summaries unless kept for the programme's zone and the active policy's version (its
    deadlines judge lateness); True when either was built (or relabelled).

    Reviewer days kept under a version whose deadlines are the active one's are relabelled,
    not counted again: a policy that changes a refund rate judges no decision late that the
    old one did not (a rebuild counts every decided claim: about 1.5 s at a million orders).
    """
    zones = kept_zones(executor)
    built = False
    if summaries.built_zones(executor) != zones:
        summaries.rebuild(executor, zones, now)
        built = True
    zone, active = programme_zone(), active_policy(executor)
    kept = reviewer_summaries.kept(executor)
    if kept != {zone: active.version}:
        if kept.keys() == {zone} and _same_deadlines(executor, kept[zone], active):
            reviewer_summaries.relabel(executor, zone, active.version)
        else:
            rebuild_reviewer_days(executor, now)
        built = True
    return built


def _same_deadlines(executor: Executor, version: str, policy: Policy) -> bool:
    """Whether stored or bundled ``version`` sets every claim ``policy``'s deadlines."""
    try:
        judged_by = active_policy(executor, version)
    except PolicyError:  # a version no longer stored nor bundled: count again
        return False
    return same_dispute_clock(judged_by, policy)


def rebuild_reviewer_days(executor: Executor, now: datetime) -> None:
    """Count the reviewer summaries again for the programme's zone, lateness judged by the
    active policy's deadlines."""
    reviewer_days.rebuild(executor, programme_zone(), active_policy(executor), now)
