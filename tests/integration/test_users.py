"""Users service: only admins (or the CLI operator) manage users; every change is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from data_access.engine import make_engine
from data_access.models import AuditEvent, User
from services.auth import Actor, NotAllowed, Role
from services.users import UserError, add_user, change_user, list_users, sign_in


def _actor(role: Role) -> Actor:
    return Actor(None, f"{role.value}@example.test", f"Some {role.value}", role)


@pytest.mark.parametrize("role", [Role.EXEC, Role.OPS_MANAGER, Role.CLAIM_REVIEWER])
def test_only_admins_add_users(session_factory: sessionmaker[Session], role: Role) -> None:
    with pytest.raises(NotAllowed):
        add_user(session_factory, _actor(role), "new@example.test", Role.EXEC)
    engine: Engine = session_factory.kw["bind"]
    assert list_users(engine) == []
    with Session(engine) as s:
        assert s.scalars(select(AuditEvent)).all() == []


def test_admin_adds_and_changes_a_user_with_audit(session_factory: sessionmaker[Session]) -> None:
    admin = _actor(Role.ADMIN)
    added = add_user(session_factory, admin, "  Rita@Example.TEST ", Role.CLAIM_REVIEWER, "Rita")
    assert (added.email, added.role, added.is_active) == (
        "rita@example.test",
        Role.CLAIM_REVIEWER,
        True,
    )
    changed = change_user(session_factory, admin, added.id, role=Role.OPS_MANAGER, is_active=False)
    assert (changed.role, changed.is_active) == (Role.OPS_MANAGER, False)
    with session_factory() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["user_added", "user_changed"]
    assert events[0].actor_label == "admin@example.test"
    assert events[1].before == {"role": "claim_reviewer", "is_active": True}
    assert events[1].after == {"role": "ops_manager", "is_active": False}


def test_duplicate_and_malformed_emails_are_refused(session_factory: sessionmaker[Session]) -> None:
    admin = _actor(Role.ADMIN)
    add_user(session_factory, admin, "a@example.test", Role.EXEC)
    with pytest.raises(UserError, match="already a user"):
        add_user(session_factory, admin, "A@example.test", Role.ADMIN)
    with pytest.raises(UserError, match="not an email"):
        add_user(session_factory, admin, "not-an-email", Role.EXEC)
    with pytest.raises(UserError, match="not a role"):
        add_user(session_factory, admin, "b@example.test", Role.SYSTEM)


def test_the_last_admin_cannot_be_removed(session_factory: sessionmaker[Session]) -> None:
    only = add_user(session_factory, Actor.system("t"), "root@example.test", Role.ADMIN)
    with pytest.raises(UserError, match="last active admin"):
        change_user(session_factory, _actor(Role.ADMIN), only.id, is_active=False)
    second = add_user(session_factory, Actor.system("t"), "two@example.test", Role.ADMIN)
    change_user(session_factory, _actor(Role.ADMIN), only.id, role=Role.EXEC)
    with pytest.raises(UserError, match="last active admin"):
        change_user(session_factory, _actor(Role.ADMIN), second.id, role=Role.EXEC)


def test_sign_in(session_factory: sessionmaker[Session]) -> None:
    engine: Engine = session_factory.kw["bind"]
    system = Actor.system("t")
    user = add_user(session_factory, system, "ops@example.test", Role.OPS_MANAGER, "Olu")
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
