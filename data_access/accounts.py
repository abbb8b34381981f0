"""The acting user's account as the database holds it now (for the services' role checks)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from data_access.claim_facts import Executor
from data_access.models import User


class AccountRow(NamedTuple):
    id: int
    email: str
    display_name: str
    role: str
    is_active: bool


def account(executor: Executor, user_id: int) -> AccountRow | None:
    """The user ``user_id``, or None when there is no such user."""
    row = executor.execute(
        select(User.id, User.email, User.display_name, User.role, User.is_active).where(
            User.id == user_id
        )
    ).one_or_none()
    return None if row is None else AccountRow._make(row)
