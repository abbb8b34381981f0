"""The permission table, spelled out by hand: a changed grant must change this test too."""

from __future__ import annotations

import pytest

from services.auth import Actor, NotAllowed, Permission, Role, may, require

EXPECTED = {
    Role.EXEC: set(),
    Role.OPS_MANAGER: {
        Permission.IMPORT_DATA,
        Permission.CHANGE_LIMIT,
        Permission.RECOMPUTE_RECOMMENDATIONS,
        Permission.EXPORT_CLAIMS,
        Permission.MANAGE_POLICY,
    },
    Role.CLAIM_REVIEWER: {Permission.DECIDE_CLAIM, Permission.EXPORT_CLAIMS},
    Role.ADMIN: {Permission.MANAGE_USERS},
    Role.SYSTEM: {
        Permission.IMPORT_DATA,
        Permission.CHANGE_LIMIT,
        Permission.RECOMPUTE_RECOMMENDATIONS,
        Permission.MANAGE_USERS,
        Permission.SEED_DEMO,
        Permission.EXPORT_CLAIMS,
    },
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_grants(role: Role, permission: Permission) -> None:
    actor = Actor(1, "a@example.test", "Ann Example", role)
    allowed = permission in EXPECTED[role]
    assert may(actor, permission) is allowed
    if allowed:
        require(actor, permission)
    else:
        with pytest.raises(NotAllowed, match="Ann Example is signed in as"):
            require(actor, permission)


def test_system_actor_is_named_after_the_operator() -> None:
    actor = Actor.system("dana")
    assert actor.role is Role.SYSTEM
    assert actor.user_id is None
    assert actor.label == "cli:dana"
