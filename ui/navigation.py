"""Which screens exist and which roles see them: the single source for st.navigation."""

from __future__ import annotations

from dataclasses import dataclass

from services.auth import Role


@dataclass(frozen=True, slots=True)
class Screen:
    path: str
    title: str
    icon: str
    section: str
    roles: frozenset[Role]
    #: Reached by links only (a claim opened from the queue or the lookup), not listed in the
    #: sidebar: a sidebar entry would re-open whatever it showed last.
    hidden: bool = False


_EXEC, _OPS = Role.EXEC, Role.OPS_MANAGER
_REVIEWER, _ADMIN = Role.CLAIM_REVIEWER, Role.ADMIN

SCREENS: tuple[Screen, ...] = (
    Screen(
        "pages/overview.py",
        "Overview",
        ":material/monitoring:",
        "Programme",
        frozenset({_EXEC, _OPS}),
    ),
    Screen(
        "pages/import_data.py",
        "Import data",
        ":material/upload_file:",
        "Operations",
        frozenset({_OPS}),
    ),
    Screen(
        "pages/claim_queue.py",
        "Claim queue",
        ":material/inbox:",
        "Claims",
        frozenset({_REVIEWER}),
    ),
    Screen(
        "pages/find_claim.py",
        "Find a claim",
        ":material/search:",
        "Claims",
        frozenset({_REVIEWER}),
    ),
    Screen(
        "pages/claim.py",
        "Claim",
        ":material/gavel:",
        "Claims",
        frozenset({_REVIEWER}),
        hidden=True,
    ),
    Screen("pages/users.py", "Users", ":material/group:", "Administration", frozenset({_ADMIN})),
)


def screens_for(role: Role) -> list[Screen]:
    return [s for s in SCREENS if role in s.roles]


def screen(path: str) -> Screen:
    return next(s for s in SCREENS if s.path == path)
