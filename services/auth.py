"""Who is acting, and what each role may write. Checked inside every writing service.

Hiding a button is not a check: each use case calls :func:`require` before it writes, so the
rule holds for the app, the CLI and any future caller alike.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    EXEC = "exec"
    OPS_MANAGER = "ops_manager"
    CLAIM_REVIEWER = "claim_reviewer"
    ADMIN = "admin"
    #: The operator at the server's shell (`assurance …`): trusted like the database credentials
    #: they already hold, but named in every audit event.
    SYSTEM = "system"


class Permission(StrEnum):
    IMPORT_DATA = "import_data"
    CHANGE_LIMIT = "change_limit"
    DECIDE_CLAIM = "decide_claim"
    RECOMPUTE_RECOMMENDATIONS = "recompute_recommendations"
    MANAGE_USERS = "manage_users"
    SEED_DEMO = "seed_demo"


GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.IMPORT_DATA: frozenset({Role.OPS_MANAGER, Role.SYSTEM}),
    Permission.CHANGE_LIMIT: frozenset({Role.OPS_MANAGER, Role.SYSTEM}),
    Permission.DECIDE_CLAIM: frozenset({Role.CLAIM_REVIEWER}),
    Permission.RECOMPUTE_RECOMMENDATIONS: frozenset({Role.OPS_MANAGER, Role.SYSTEM}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN, Role.SYSTEM}),
    Permission.SEED_DEMO: frozenset({Role.SYSTEM}),
}

_ACTION_WORDS = {
    Permission.IMPORT_DATA: "import data",
    Permission.CHANGE_LIMIT: "change supplier limits",
    Permission.DECIDE_CLAIM: "decide claims",
    Permission.RECOMPUTE_RECOMMENDATIONS: "recompute recommendations",
    Permission.MANAGE_USERS: "manage users",
    Permission.SEED_DEMO: "seed demo data",
}


class NotAllowed(PermissionError):
    """The acting user's role may not do this; the message is safe to show them."""


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    email: str
    display_name: str
    role: Role

    @classmethod
    def system(cls, who: str | None = None) -> Actor:
        name = who or getpass.getuser()
        return cls(
            user_id=None, email=f"cli:{name}", display_name=f"{name} (CLI)", role=Role.SYSTEM
        )

    @property
    def label(self) -> str:
        """How the actor is named in audit events."""
        return self.email


def may(actor: Actor, permission: Permission) -> bool:
    return actor.role in GRANTS[permission]


def require(actor: Actor, permission: Permission) -> None:
    if not may(actor, permission):
        raise NotAllowed(
            f"{actor.display_name} is signed in as {actor.role.value.replace('_', ' ')}, "
            f"a role that may not {_ACTION_WORDS[permission]}."
        )
