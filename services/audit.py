"""Append-only audit trail: every write records who, what, when, and before/after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from data_access.models import AuditEvent
from services.auth import Actor


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str | int | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime,
) -> AuditEvent:
    """Add an event to the caller's transaction: it commits or rolls back with the write.

    ``at`` is the use case's ``now``, handed in like everywhere else (``services.clock``).
    """
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        at=at,
    )
    session.add(event)
    return event
