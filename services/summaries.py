"""Use case: rebuild the daily summary tables (``assurance db rebuild-summaries``), and the one
call every writer makes to keep them in step (DESIGN.md §6 "Scale").

The summaries are kept for the programme's time zone (the setting); ``ensure_built`` builds
them when they are missing or were built for another zone, so a changed setting never reads
days of the old zone (figures in a zone without summaries count from the base tables).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session

from data_access import summaries
from data_access.claim_facts import Executor
from data_access.models import Base
from data_access.settings import get_settings
from services import audit
from services.auth import Actor, Permission, require

__all__ = ["ensure_built", "programme_zone", "rebuild_summaries", "summary_tables"]


def summary_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name.startswith("summary_")]


def programme_zone() -> str:
    return get_settings().programme_timezone


def rebuild_summaries(
    engine: Engine, *, now: datetime, zone: str | None = None, actor: Actor | None = None
) -> list[str]:
    """Empty the summaries and build them from the base tables for ``zone`` (default: the
    programme's), in one transaction; returns the zones built."""
    actor = actor or Actor.system()
    require(actor, Permission.SEED_DEMO)  # the operator at the shell, as for a seed
    zones = [zone or programme_zone()]
    with engine.begin() as connection:
        summaries.rebuild(connection, zones, now)
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
    """Build the summaries for the programme's zone unless that is exactly what is kept;
    True when it built them."""
    zone = programme_zone()
    if summaries.built_zones(executor) == [zone]:
        return False
    summaries.rebuild(executor, [zone], now)
    return True
