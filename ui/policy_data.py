"""The policy in force, as the pages read it: cached briefly, cleared by a policy write."""

from __future__ import annotations

import streamlit as st

from rules import Policy
from services.policy.active import active_policy as _stored_active_policy
from ui import wiring

#: Another server's activation reaches this one within this many seconds (this server's own
#: activation clears the cache at once).
TTL_SECONDS = 60


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _active(database_url: str) -> Policy:
    del database_url  # the cache key: two databases never share a policy
    return _stored_active_policy(wiring.engine())


def active_policy() -> Policy:
    """The database's active policy version, else the bundled default (services.policy)."""
    return _active(wiring.settings().database_url)


def forget_active_policy() -> None:
    _active.clear()
