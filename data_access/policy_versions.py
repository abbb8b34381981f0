"""Stored policy versions (``policy_versions``): plain rows, parsed by the services."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from data_access.claim_facts import Executor
from data_access.models import PolicyVersion

__all__ = ["PolicyVersionRow", "active_version", "policy_versions", "version_named"]


class PolicyVersionRow(NamedTuple):
    id: int
    version: str
    toml: str
    status: str
    note: str
    created_by_id: int | None
    created_by_label: str
    created_at: datetime
    activated_by_id: int | None
    activated_by_label: str | None
    activated_at: datetime | None


_COLUMNS = tuple(getattr(PolicyVersion, name) for name in PolicyVersionRow._fields)


def policy_versions(executor: Executor) -> list[PolicyVersionRow]:
    """Every stored version, oldest first."""
    rows = executor.execute(select(*_COLUMNS).order_by(PolicyVersion.id)).all()
    return [PolicyVersionRow._make(row) for row in rows]


def version_named(executor: Executor, version: str) -> PolicyVersionRow | None:
    row = executor.execute(select(*_COLUMNS).where(PolicyVersion.version == version)).one_or_none()
    return None if row is None else PolicyVersionRow._make(row)


def active_version(executor: Executor) -> PolicyVersionRow | None:
    """The active version, or None while none is stored (a new or emptied database)."""
    row = executor.execute(select(*_COLUMNS).where(PolicyVersion.status == "active")).one_or_none()
    return None if row is None else PolicyVersionRow._make(row)
