"""Policy versions: save a draft, activate it with a second ops manager, list them.

Four eyes: the ops manager who activates a draft must not be the one who saved it (both are
user accounts; the shell operator has no role here). Activation, in one transaction, retires
the previous active version, re-evaluates every undecided claim under the new one (a row is
added only where the recommendation changes in substance, and a pending four-eyes proposal on
a changed recommendation lapses — ``services.claims.recommendations``), refreshes the claims'
deadlines (the dispute clock is policy too) and writes the audit event. Decided claims keep the
recommendation they were decided on: they are not re-evaluated.

The bundled files seed the table: the first policy write stores each bundled version, the
default one (``ASSURANCE_POLICY_VERSION``) as active unless a version is active already.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from data_access.claim_facts import Executor
from data_access.engine import write_session
from data_access.models import PolicyVersion, User
from data_access.policy_versions import active_version, policy_versions, version_named
from data_access.settings import get_settings
from rules import (
    Policy,
    PolicyError,
    available_versions,
    bundled_policy,
    parse_policy,
    policy_toml,
)
from services import audit
from services.auth import Actor, Permission, authorize
from services.claims.deadlines import refresh_due
from services.claims.recommendations import refresh_recommendations
from services.policy.active import policy_from_row
from services.policy.parameters import changed_parameters
from services.summaries import ensure_built

__all__ = [
    "MAX_NOTE_LENGTH",
    "Activation",
    "PolicyVersionError",
    "VersionInfo",
    "activate_version",
    "list_versions",
    "next_version_name",
    "save_draft",
]

MAX_NOTE_LENGTH = 2_000
_NUMBERED = re.compile(r"v(\d+)")
Progress = Callable[[int, int], None]


class PolicyVersionError(ValueError):
    """The request cannot be carried out; the message says why and is safe to show."""


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: str
    status: str  # draft / active / retired; "bundled" for a file not stored yet
    note: str
    created_by: str
    created_at: datetime | None
    activated_by: str | None
    activated_at: datetime | None
    #: The accounts' display names, for a screen (the labels above are emails, as in the audit).
    created_by_name: str | None = None
    activated_by_name: str | None = None


@dataclass(frozen=True, slots=True)
class Activation:
    version: str
    previous: str
    evaluated: int
    changed: int
    lapsed: int

    def __str__(self) -> str:
        lapsed = f"; {self.lapsed} pending proposals lapsed" if self.lapsed else ""
        return (
            f"Policy {self.version} is active (was {self.previous}). Re-evaluated "
            f"{self.evaluated} undecided claims: {self.changed} recommendations changed"
            f"{lapsed}; decided claims keep theirs."
        )


def list_versions(executor: Executor) -> list[VersionInfo]:
    """Stored versions oldest first, then bundled files not stored yet; while none is active
    the bundled default is listed as active (it is the one in force)."""
    rows = policy_versions(executor)
    stored = {row.version for row in rows}
    has_active = any(row.status == "active" for row in rows)
    default = get_settings().policy_version
    # People by name too, for the page (the limit history names them so).
    ids = {i for row in rows for i in (row.created_by_id, row.activated_by_id) if i is not None}
    names: dict[int, str] = {
        user_id: name
        for user_id, name in executor.execute(
            select(User.id, User.display_name).where(User.id.in_(ids))
        )
    }
    infos = [
        VersionInfo(
            row.version,
            row.status,
            row.note,
            row.created_by_label,
            row.created_at,
            row.activated_by_label,
            row.activated_at,
            None if row.created_by_id is None else names.get(row.created_by_id),
            None if row.activated_by_id is None else names.get(row.activated_by_id),
        )
        for row in rows
    ]
    for name in available_versions():
        if name not in stored:
            status = "active" if name == default and not has_active else "bundled"
            infos.append(VersionInfo(name, status, "", f"bundled file {name}.toml", None, None,
                                     None))  # fmt: skip
    return infos


def next_version_name(executor: Executor) -> str:
    """``v<N+1>`` after the highest numbered version stored or bundled."""
    names = [row.version for row in policy_versions(executor)] + available_versions()
    numbers = [int(m.group(1)) for n in names if (m := _NUMBERED.fullmatch(n))]
    return f"v{max(numbers, default=0) + 1}"


def _seed_bundled(session: Session, now: datetime) -> None:
    stored = {row.version for row in policy_versions(session)}
    has_active = active_version(session) is not None
    default = get_settings().policy_version
    for name in available_versions():
        if name in stored:
            continue
        active = name == default and not has_active
        session.add(
            PolicyVersion(
                version=name,
                toml=policy_toml(bundled_policy(name), header=f"Bundled file {name}.toml."),
                status="active" if active else "retired",
                note="",
                created_by_id=None,
                created_by_label=f"bundled file {name}.toml",
                created_at=now,
                activated_by_id=None,
                activated_by_label="bundled default" if active else None,
                activated_at=now if active else None,
            )
        )
    session.flush()


def _same_parameters(a: Policy, b: Policy) -> bool:
    """Whether two policies differ in nothing but their version's name."""
    return dataclasses.replace(a, version=b.version) == b


def save_draft(
    factory: sessionmaker[Session],
    actor: Actor,
    policy: Policy,
    *,
    now: datetime,
    version: str | None = None,
    note: str = "",
) -> VersionInfo:
    """Store ``policy`` as a draft named ``version`` (default: the next ``vN``)."""
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise PolicyVersionError(f"The note is longer than {MAX_NOTE_LENGTH} characters.")
    with write_session(factory) as session:
        actor = authorize(session, actor, Permission.MANAGE_POLICY)
        _seed_bundled(session, now)
        name = (version or "").strip() or next_version_name(session)
        try:
            draft = dataclasses.replace(policy, version=name)
        except PolicyError as error:
            raise PolicyVersionError(f"{name!r} cannot name a version: {error.reason}") from None
        if version_named(session, name) is not None:
            raise PolicyVersionError(f"A version named {name} exists already; choose another.")
        active_row = active_version(session)
        active = policy_from_row(active_row) if active_row is not None else bundled_policy()
        changes = changed_parameters(active, draft)
        if _same_parameters(draft, active):
            raise PolicyVersionError(
                f"This draft changes nothing: every parameter is the active policy "
                f"{active.version}'s. Change a parameter before saving it."
            )
        session.add(
            PolicyVersion(
                version=name,
                toml=policy_toml(draft),
                status="draft",
                note=note,
                created_by_id=actor.user_id,
                created_by_label=actor.label,
                created_at=now,
            )
        )
        session.flush()
        audit.record(
            session, actor, "policy_draft_saved", "policy", name,
            after={"version": name, "compared_with": active.version, "changes": changes,
                   "note": note},
            at=now,
        )  # fmt: skip
    return VersionInfo(name, "draft", note, actor.label, now, None, None)


def activate_version(
    factory: sessionmaker[Session],
    actor: Actor,
    version: str,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> Activation:
    """Make draft ``version`` the active policy (see the module docstring)."""
    with write_session(factory) as session:
        actor = authorize(session, actor, Permission.MANAGE_POLICY)
        _seed_bundled(session, now)
        # Lock the draft: of two ops managers activating it at once, one waits and then sees
        # it active (on SQLite the write transaction already serialises them).
        row = session.execute(
            select(PolicyVersion).where(PolicyVersion.version == version).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise PolicyVersionError(f"There is no policy version {version}.")
        if row.status != "draft":
            raise PolicyVersionError(
                f"Version {version} is {row.status}, not a draft; only a draft can be "
                "activated (to return to an older version, save it again as a new draft)."
            )
        if row.created_by_id is not None and row.created_by_id == actor.user_id:
            raise PolicyVersionError(
                f"You saved draft {version}; a second, different ops manager must activate it."
            )
        policy = parse_policy(row.toml, source=f"stored version {version}")
        previous = active_version(session)
        previous_name = previous.version if previous is not None else "none"
        if previous is not None and _same_parameters(policy, policy_from_row(previous)):
            # Saved against an older policy, it now equals the active one (another draft with
            # the same change was activated meanwhile): a version that changes nothing.
            raise PolicyVersionError(
                f"Draft {version} is the active policy {previous_name} in every parameter: "
                "activating it would change nothing."
            )
        session.execute(
            update(PolicyVersion).where(PolicyVersion.status == "active").values(status="retired")
        )
        session.flush()  # the one-active index must not see two active rows
        row.status = "active"
        row.activated_by_id = actor.user_id
        row.activated_by_label = actor.label
        row.activated_at = now
        session.flush()
        evaluated, changed, lapsed = refresh_recommendations(
            session, policy, now=now, actor=actor, progress=progress
        )
        refresh_due(session, None, policy, now)
        # The exposure summaries count an order live for the claim window after delivery: a
        # new window rebuilds them here, in the activation's transaction.
        ensure_built(session, now)
        report = Activation(version, previous_name, evaluated, changed, lapsed)
        audit.record(
            session, actor, "policy_activated", "policy", version,
            before={"active": previous_name},
            after={"active": version, "drafted_by": row.created_by_label,
                   "evaluated": evaluated, "changed": changed, "lapsed": lapsed},
            at=now,
        )  # fmt: skip
    return report
