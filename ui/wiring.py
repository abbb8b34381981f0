"""The one place the app reads settings and caches the engine; never a Session."""

from __future__ import annotations

from datetime import UTC, date, datetime

import streamlit as st
from sqlalchemy import Engine

from data_access.engine import make_engine
from data_access.settings import Settings, get_settings
from services.health import database_status


def settings() -> Settings:
    # Read per run, not cached: a deployment changes it by restarting, tests by env var.
    return get_settings()


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    return _engine_for(settings().database_url)


def today() -> date:
    """Today's date in UTC, the calendar every figure is counted in."""
    return datetime.now(UTC).date()


def require_database() -> None:
    """Stop the page with a clear message when the database cannot serve it."""
    status = database_status(engine())
    if not status.ok:
        st.error(status.problem, icon=":material/database_off:")
        st.stop()
