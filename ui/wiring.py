"""The one place the app reads settings and caches the engine; never a Session."""

from __future__ import annotations

import gc
import sys
from datetime import date, datetime

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from data_access.engine import make_engine, make_session_factory
from data_access.settings import Settings, get_settings
from services import clock
from services.arrow_memory import use_system_allocator
from services.health import database_status
from ui.gate import show_only

#: How many modules were loaded when the heap was last settled (``settle_heap``).
_settled_at_modules = 0


def settle_heap() -> None:
    """After a run that imported modules (a page's first visit): collect, then freeze what is
    alive, so that the collector's full collections walk only what later runs build.

    Modules, Streamlit's runtime and the app's helpers live as long as the server; left in
    the collector's sight, each full collection walks them all (0.17 s at 220,000 objects, one
    every few cold page runs at a million orders). Collecting first leaves no garbage frozen;
    it happens once per new set of modules, so a few times per server, never per visit.
    """
    global _settled_at_modules
    if len(sys.modules) == _settled_at_modules:
        return
    gc.collect()
    gc.freeze()
    _settled_at_modules = len(sys.modules)


def configure_process() -> None:
    """The server's process-wide settings, at the start of every run (each is idempotent):
    Arrow's buffers from the C library's allocator (``services.arrow_memory``)."""
    use_system_allocator()


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
            st.error(status.problem("reload this page"), icon=":material/database_off:")

        show_only(database_problem, "Database unavailable", ":material/database_off:")
