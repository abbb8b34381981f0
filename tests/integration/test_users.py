"""Users service: only admins (or the CLI operator) manage users; every change is audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from data_access.engine import make_engine
from data_access.models import AuditEvent, User
from services.auth import Actor, NotAllowed, Role
from services.users import UserError, add_user, change_user, list_users, sign_in
from tests.conftest import FROZEN_NOW

NOW = FROZEN_NOW
SYSTEM = Actor.system("t")


def add(
    factory: sessionmaker[Session], actor: Actor, email: str, role: Role, name: str = ""
) -> Any:
    return add_user(factory, actor, email, role, name, now=NOW)


def change(factory: sessionmaker[Session], actor: Actor, user_id: int, **kwargs: Any) -> Any:
    return change_user(factory, actor, user_id, now=NOW, **kwargs)


def _actor(factory: sessionmaker[Session], role: Role) -> Actor:
    """A signed-in person with an account of ``role``."""
    view = add(factory, SYSTEM, f"{role.value}-{len(list_users(factory.kw['bind']))}@x.test", role)
    return Actor(view.id, view.email, f"Some {role.value}", role)


@pytest.mark.parametrize("role", [Role.EXEC, Role.OPS_MANAGER, Role.CLAIM_REVIEWER])
def test_only_admins_add_users(session_factory: sessionmaker[Session], role: Role) -> None:
    actor = _actor(session_factory, role)
    with pytest.raises(NotAllowed):
        add(session_factory, actor, "new@example.test", Role.EXEC)
    engine: Engine = session_factory.kw["bind"]
    assert [u.email for u in list_users(engine)] == [actor.email]
    with Session(engine) as s:
        assert [e.actor_label for e in s.scalars(select(AuditEvent)).all()] == ["cli:t"]


def test_an_admin_disabled_or_demoted_since_signing_in_changes_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    """Issue 9 (7): the acting user is re-read inside the transaction."""
    admin, other = _actor(session_factory, Role.ADMIN), _actor(session_factory, Role.ADMIN)
    target = _actor(session_factory, Role.EXEC)
    change(session_factory, other, admin.user_id or 0, is_active=False)
    with pytest.raises(NotAllowed, match="disabled"):
        add(session_factory, admin, "new@example.test", Role.EXEC)
    with pytest.raises(NotAllowed, match="disabled"):
        change(session_factory, admin, target.user_id or 0, role=Role.ADMIN)
    change(session_factory, other, admin.user_id or 0, is_active=True, role=Role.EXEC)
    with pytest.raises(NotAllowed, match="signed in as exec"):
        add(session_factory, admin, "new@example.test", Role.EXEC)
    ghost = Actor(424_242, "ghost@example.test", "Ghost", Role.ADMIN)
    with pytest.raises(NotAllowed, match="no longer exists"):
        add(session_factory, ghost, "new@example.test", Role.EXEC)
    assert "new@example.test" not in [u.email for u in list_users(session_factory.kw["bind"])]


def test_admin_adds_and_changes_a_user_with_audit(session_factory: sessionmaker[Session]) -> None:
    admin = _actor(session_factory, Role.ADMIN)
    added = add(session_factory, admin, "  Rita@Example.TEST ", Role.CLAIM_REVIEWER, "Rita")
    assert (added.email, added.role, added.is_active) == (
        "rita@example.test",
        Role.CLAIM_REVIEWER,
        True,
    )
    changed = change(session_factory, admin, added.id, role=Role.OPS_MANAGER, is_active=False)
    assert (changed.role, changed.is_active) == (Role.OPS_MANAGER, False)
    with session_factory() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[1:]
    assert [e.action for e in events] == ["user_added", "user_changed"]
    assert events[0].actor_label == admin.email
    assert events[0].at == NOW
    assert events[1].before == {"role": "claim_reviewer", "is_active": True}
    assert events[1].after == {"role": "ops_manager", "is_active": False}


def test_duplicate_and_malformed_emails_are_refused(session_factory: sessionmaker[Session]) -> None:
    admin = _actor(session_factory, Role.ADMIN)
    add(session_factory, admin, "a@example.test", Role.EXEC)
    with pytest.raises(UserError, match="already a user"):
        add(session_factory, admin, "A@example.test", Role.ADMIN)
    for malformed in ("not-an-email", "<b>olga</b>@demo.test", "a b@example.test", "a@b..test"):
        with pytest.raises(UserError, match="not an email"):
            add(session_factory, admin, malformed, Role.EXEC)
    with pytest.raises(UserError, match=r"^Enter an email address"):
        add(session_factory, admin, "  ", Role.EXEC)
    for unusual in ("o'brien+claims@example.test", "x@sub-domain.example.test"):
        add(session_factory, admin, unusual, Role.EXEC)
    with pytest.raises(UserError, match="not a role"):
        add(session_factory, admin, "b@example.test", Role.SYSTEM)


def test_the_last_admin_cannot_be_removed(session_factory: sessionmaker[Session]) -> None:
    only = add(session_factory, SYSTEM, "root@example.test", Role.ADMIN)
    with pytest.raises(UserError, match="last active admin"):
        change(session_factory, SYSTEM, only.id, is_active=False)
    second = add(session_factory, SYSTEM, "two@example.test", Role.ADMIN)
    as_second = Actor(second.id, second.email, "Two", Role.ADMIN)
    change(session_factory, as_second, only.id, role=Role.EXEC)
    with pytest.raises(UserError, match="last active admin"):
        change(session_factory, SYSTEM, second.id, role=Role.EXEC)


def test_sign_in(session_factory: sessionmaker[Session]) -> None:
    engine: Engine = session_factory.kw["bind"]
    user = add(session_factory, SYSTEM, "ops@example.test", Role.OPS_MANAGER, "Olu")
    result = sign_in(engine, "OPS@example.test")
    assert result.actor is not None
    assert (result.actor.user_id, result.actor.role) == (user.id, Role.OPS_MANAGER)
    assert "does not have access" in sign_in(engine, "stranger@example.test").refusal
    assert sign_in(engine, None).actor is None
    with session_factory.begin() as s:
        s.execute(update(User).values(is_active=False))
    disabled = sign_in(engine, "ops@example.test")
    assert disabled.actor is None and "disabled" in disabled.refusal


def test_cli_users_add(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli import app

    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    runner = CliRunner()
    ok = runner.invoke(app, ["users", "add", "Ana@Example.com", "--role", "admin", "--name", "Ana"])
    assert ok.exit_code == 0, ok.output
    assert "Added ana@example.com (Ana) as admin." in ok.output
    again = runner.invoke(app, ["users", "add", "ana@example.com", "--role", "exec"])
    assert again.exit_code == 1 and "already a user" in again.output
    bad_role = runner.invoke(app, ["users", "add", "b@example.com", "--role", "boss"])
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output
    engine = make_engine(database_url)
    with Session(engine) as s:
        events = s.scalars(select(AuditEvent)).all()
    engine.dispose()
    assert [(e.action, e.actor_label.startswith("cli:")) for e in events] == [("user_added", True)]
