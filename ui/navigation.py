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
    #: Roles for whom this screen comes first (their landing page), ahead of the table order.
    lead: frozenset[Role] = frozenset()
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
        "pages/suppliers.py",
        "Suppliers",
        ":material/factory:",
        "Suppliers",
        frozenset({_EXEC, _OPS}),
    ),
    # Reviewers open it read-only from a claim's supplier record; only ops may change a limit.
    Screen(
        "pages/supplier.py",
        "Supplier",
        ":material/storefront:",
        "Suppliers",
        frozenset({_EXEC, _OPS, _REVIEWER}),
    ),
    Screen(
        "pages/exposure.py",
        "Exposure",
        ":material/account_balance:",
        "Programme",
        frozenset({_EXEC, _OPS}),
        lead=frozenset({_EXEC}),
    ),
    Screen(
        "pages/import_data.py",
        "Import data",
        ":material/upload_file:",
        "Operations",
        frozenset({_OPS}),
    ),
    Screen(
        "pages/policy.py",
        "Policy",
        ":material/policy:",
        "Operations",
        frozenset({_OPS}),
    ),
    Screen(
        "pages/claim_queue.py",
        "Claim queue",
        ":material/inbox:",
        "Claims",
        frozenset({_REVIEWER}),
        lead=frozenset({_REVIEWER}),
    ),
    Screen(
        "pages/find_claim.py",
        "Find a claim",
        ":material/search:",
        "Claims",
        frozenset({_REVIEWER}),
        lead=frozenset({_REVIEWER}),
    ),
    Screen(
        "pages/claim.py",
        "Claim",
        ":material/gavel:",
        "Claims",
        frozenset({_REVIEWER}),
        lead=frozenset({_REVIEWER}),
        hidden=True,
    ),
    Screen("pages/users.py", "Users", ":material/group:", "Administration", frozenset({_ADMIN})),
)


def screens_for(role: Role) -> list[Screen]:
    """The role's screens, its landing screen first."""
    mine = [s for s in SCREENS if role in s.roles]
    return sorted(mine, key=lambda s: role not in s.lead)


def screen(path: str) -> Screen:
    return next(s for s in SCREENS if s.path == path)
