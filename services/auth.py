"""Who is acting, and what each role may do. Checked inside every writing service.

Hiding a button is not a check: each use case calls :func:`authorize` inside its transaction
before it writes, so the rule holds for the app, the CLI and any future caller alike. An
:class:`Actor` is only a claim made when the person signed in; :func:`authorize` re-reads the
account, so a user disabled or demoted since (or an id nobody has) is refused at once.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum

from data_access.accounts import account
from data_access.claim_facts import Executor


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
    EXPORT_CLAIMS = "export_claims"
    MANAGE_POLICY = "manage_policy"


GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.IMPORT_DATA: frozenset({Role.OPS_MANAGER, Role.SYSTEM}),
    Permission.CHANGE_LIMIT: frozenset({Role.OPS_MANAGER, Role.SYSTEM}),
    Permission.DECIDE_CLAIM: frozenset({Role.CLAIM_REVIEWER}),
    Permission.RECOMPUTE_RECOMMENDATIONS: frozenset({Role.OPS_MANAGER, Role.SYSTEM}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN, Role.SYSTEM}),
    Permission.SEED_DEMO: frozenset({Role.SYSTEM}),
    # Claims and decisions leave the console in these files: the people who work them, and audit.
    Permission.EXPORT_CLAIMS: frozenset({Role.CLAIM_REVIEWER, Role.OPS_MANAGER, Role.SYSTEM}),
    # Drafting and activating a policy version: named ops managers only, never the anonymous
    # operator, because activation is held to four eyes (two different ops-manager accounts);
    # the CLI acts as the account it is given (`assurance policy … --as EMAIL`).
    Permission.MANAGE_POLICY: frozenset({Role.OPS_MANAGER}),
}

_ACTION_WORDS = {
    Permission.IMPORT_DATA: "import data",
    Permission.CHANGE_LIMIT: "change supplier limits",
    Permission.DECIDE_CLAIM: "decide claims",
    Permission.RECOMPUTE_RECOMMENDATIONS: "recompute recommendations",
    Permission.MANAGE_USERS: "manage users",
    Permission.SEED_DEMO: "seed demo data",
    Permission.EXPORT_CLAIMS: "export claims or decisions",
    Permission.MANAGE_POLICY: "draft or activate policy versions",
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


def authorize(executor: Executor, actor: Actor, permission: Permission) -> Actor:
    """Check ``permission`` for the acting user as the database knows them *now*.

    Call it inside the use case's transaction, before anything is written: the account is read
    there, so a user disabled, demoted or deleted since signing in is refused, and an unknown id
    gets a sentence instead of a foreign-key error. Returns the actor with the stored name and
    role. The operator at the shell (``Role.SYSTEM``) has no account and is trusted like the
    database credentials they hold.
    """
    require(actor, permission)
    if actor.role is Role.SYSTEM:
        return actor
    if actor.user_id is None:
        raise NotAllowed(f"{actor.display_name} has no user account, so may not do this.")
    row = account(executor, actor.user_id)
    if row is None:
        raise NotAllowed(
            f"The account of {actor.display_name} no longer exists; sign in again or ask an "
            "administrator."
        )
    if not row.is_active:
        raise NotAllowed(
            f"The account {row.email} is disabled, so it may not "
            f"{_ACTION_WORDS[permission]}. Ask an administrator to enable it."
        )
    current = Actor(row.id, row.email, row.display_name, Role(row.role))
    require(current, permission)
    return current
