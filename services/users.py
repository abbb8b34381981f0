"""Users and their roles: who may sign in, as what. Every change is an audit event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from data_access.engine import write_session
from data_access.models import User
from services import audit
from services.auth import Actor, Permission, Role, authorize, require

# Deliberately loose: the identity provider owns addresses; this only catches typing slips.
# RFC 5322's dot-atom, less its rarely seen quoted forms: no "<", ">", quotes, brackets or
# spaces, which a mail system would refuse and a screen would have to take care with.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
ASSIGNABLE_ROLES = (Role.EXEC, Role.OPS_MANAGER, Role.CLAIM_REVIEWER, Role.ADMIN)


class UserError(ValueError):
    """A user change that cannot be made; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str
    display_name: str
    role: Role
    is_active: bool


@dataclass(frozen=True, slots=True)
class SignInResult:
    actor: Actor | None
    refusal: str = ""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _view(row: User) -> UserView:
    return UserView(row.id, row.email, row.display_name, Role(row.role), row.is_active)


def _actor(row: User) -> Actor:
    return Actor(row.id, row.email, row.display_name, Role(row.role))


def sign_in(engine: Engine, email: str | None) -> SignInResult:
    """The actor for a verified email, or a polite reason why that person may not come in."""
    if not email:
        return SignInResult(None, "Your sign-in did not include an email address.")
    with Session(engine) as session:
        row = session.scalar(select(User).where(User.email == normalise_email(email)))
    if row is None:
        return SignInResult(
            None,
            f"{email} does not have access to Assurance Desk. "
            "Ask an administrator to add you with the role you need.",
        )
    if not row.is_active:
        return SignInResult(
            None, f"The account {email} is disabled. Ask an administrator to enable it."
        )
    return SignInResult(_actor(row))


def list_users(engine: Engine) -> list[UserView]:
    with Session(engine) as session:
        rows = session.scalars(select(User).order_by(User.role, User.email)).all()
        return [_view(r) for r in rows]


def add_user(
    factory: sessionmaker[Session],
    actor: Actor,
    email: str,
    role: Role,
    display_name: str = "",
    *,
    now: datetime,
) -> UserView:
    require(actor, Permission.MANAGE_USERS)
    email = normalise_email(email)
    if not email:
        raise UserError("Enter an email address.")
    if not _EMAIL.match(email):
        raise UserError(f"{email!r} is not an email address.")
    if role not in ASSIGNABLE_ROLES:
        raise UserError(f"{role} is not a role a person can have.")
    name = display_name.strip() or email.split("@", 1)[0]
    try:
        return _insert_user(factory, actor, email, role, name, now)
    except IntegrityError:  # another admin added the same address a moment ago
        raise UserError(f"{email} is already a user.") from None


def _insert_user(
    factory: sessionmaker[Session], actor: Actor, email: str, role: Role, name: str, now: datetime
) -> UserView:
    with write_session(factory) as session:
        actor = authorize(session, actor, Permission.MANAGE_USERS)
        exists = session.scalar(select(func.count()).where(User.email == email))
        if exists:
            raise UserError(f"{email} is already a user.")
        row = User(
            email=email,
            display_name=name,
            role=role.value,
            is_active=True,
            created_at=now,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "user_added",
            "user",
            row.id,
            after={"email": email, "role": role.value, "display_name": name},
            at=now,
        )
        return _view(row)


def change_user(
    factory: sessionmaker[Session],
    actor: Actor,
    user_id: int,
    *,
    role: Role | None = None,
    is_active: bool | None = None,
    now: datetime,
) -> UserView:
    """Change a user's role or enable/disable them; refuses to lock the last admin out."""
    require(actor, Permission.MANAGE_USERS)
    if role is not None and role not in ASSIGNABLE_ROLES:
        raise UserError(f"{role} is not a role a person can have.")
    with write_session(factory) as session:
        actor = authorize(session, actor, Permission.MANAGE_USERS)
        row = session.get(User, user_id, with_for_update=True)
        if row is None:
            raise UserError(f"There is no user with id {user_id}.")
        before = {"role": row.role, "is_active": row.is_active}
        new_role = role.value if role is not None else row.role
        new_active = row.is_active if is_active is None else is_active
        # Only an active admin leaving the role (or the active state) can lock everyone out.
        if row.role == Role.ADMIN and row.is_active and (new_role != Role.ADMIN or not new_active):
            # Lock every admin row first: two admins demoting each other at once must not
            # both see the other still in place.
            session.execute(select(User.id).where(User.role == Role.ADMIN.value).with_for_update())
            admins = session.scalar(
                select(func.count()).where(User.role == Role.ADMIN.value, User.is_active)
            )
            if (admins or 0) <= 1:
                raise UserError("This is the last active admin; add another admin first.")
        row.role, row.is_active = new_role, new_active
        after = {"role": row.role, "is_active": row.is_active}
        if after != before:
            audit.record(
                session, actor, "user_changed", "user", row.id, before=before, after=after, at=now
            )
        return _view(row)
