"""The one place the app reads settings and caches the engine; never a Session."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from data_access.engine import make_engine, make_session_factory
from data_access.settings import Settings, get_settings
from services import clock
from services.health import database_status
from ui.gate import show_only


def settings() -> Settings:
    # Read per run, not cached: a deployment changes it by restarting, tests by env var.
    return get_settings()


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    return _engine_for(settings().database_url)


@st.cache_resource(show_spinner=False)
def _session_factory_for(url: str) -> sessionmaker[Session]:
    return make_session_factory(_engine_for(url))


def session_factory() -> sessionmaker[Session]:
    """The cached factory; each user action opens its own session from it."""
    return _session_factory_for(settings().database_url)


def now() -> datetime:
    """The current instant (UTC), from the one clock (``services.clock``)."""
    return clock.now(settings())


def today() -> date:
    """Today in the programme's time zone, the calendar every figure is counted in."""
    return clock.today(settings())


def require_database() -> None:
    """Stop the app with a clear message when the database cannot serve it."""
    status = database_status(engine())
    if not status.ok:

        def database_problem() -> None:
            st.title("Assurance Desk")
            st.error(status.problem, icon=":material/database_off:")

        show_only(database_problem, "Database unavailable", ":material/database_off:")
