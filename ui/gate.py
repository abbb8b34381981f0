"""Show one screen instead of the console, through st.navigation.

Going through st.navigation even for a sign-in or error screen matters: a run that stops without
it makes Streamlit fall back to listing the ``pages/`` folder in the sidebar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def show_only(render: Callable[[], None], title: str, icon: str) -> NoReturn:
    st.navigation([st.Page(render, title=title, icon=icon)], position="hidden").run()
    st.stop()
    raise AssertionError("st.stop() raises")


_THROUGH_APP = "_gate_through_app"


def entered_through_app() -> None:
    """Note that this session's runs go through app.py (called by app.py on every run)."""
    st.session_state[_THROUGH_APP] = True


def through_navigation_only() -> None:
    """Send a page that Streamlit ran on its own through app.py's st.navigation instead.

    Streamlit treats an entry script with a ``pages/`` folder beside it as a legacy multipage app
    until some session of the server calls st.navigation. So on a freshly started server the
    first visit to a deep link such as ``/claim?claim=…`` runs ``pages/claim.py`` on its own,
    with every file of the folder listed in the sidebar and no sign-in around it. Every page
    calls this first (through ``ui.auth.require_screen``): in a session that has not been
    through app.py yet, it switches Streamlit to st.navigation's mode, as app.py's first run
    would, and reruns on the same URL. (A session that has been through app.py never meets the
    legacy mode on a server; Streamlit's AppTest restores it before each run and expects the
    page to run on its own, and so it does.)
    """
    if getattr(PagesManager, "uses_pages_directory", False) and not st.session_state.get(
        _THROUGH_APP
    ):
        PagesManager.uses_pages_directory = False
        st.rerun()
