"""Which policy is in force: the database's active version, else the bundled default.

The policy lives in ``policy_versions`` (``services.policy.versions`` saves and activates
versions). While that table holds no active version — a database created before this table, or
one a test emptied — the bundled file named by ``ASSURANCE_POLICY_VERSION`` (default ``v1``) is in
force, and the first policy write stores the bundled files as versions. So the setting only
chooses the starting policy of a database; after an activation the database decides, and a
deployment cannot silently override a version two ops managers activated.
"""

from __future__ import annotations

from sqlalchemy import Engine

from data_access.claim_facts import Executor
from data_access.policy_versions import PolicyVersionRow, active_version, version_named
from data_access.settings import get_settings
from rules import Policy, bundled_policy, parse_policy

__all__ = ["active_policy", "default_policy", "policy_from_row", "stored_or_bundled"]


def default_policy() -> Policy:
    """The bundled policy in force while no version is active in the database."""
    return bundled_policy(get_settings().policy_version)


def policy_from_row(row: PolicyVersionRow) -> Policy:
    return parse_policy(row.toml, source=f"stored version {row.version}", expected_version=None)


def stored_or_bundled(executor: Executor, version: str) -> Policy:
    """Version ``version`` as stored, else the bundled file of that name; ``PolicyError`` if
    neither exists."""
    row = version_named(executor, version)
    return policy_from_row(row) if row is not None else bundled_policy(version)


def _active(executor: Executor, version: str | None) -> Policy:
    if version:
        return stored_or_bundled(executor, version)
    row = active_version(executor)
    return default_policy() if row is None else policy_from_row(row)


def active_policy(executor: Executor | Engine, version: str | None = None) -> Policy:
    """The policy in force (see the module docstring), or version ``version`` when given.

    Raises ``rules.PolicyError`` for a version neither stored nor bundled.
    """
    if isinstance(executor, Engine):
        with executor.connect() as conn:
            return _active(conn, version)
    return _active(executor, version)
