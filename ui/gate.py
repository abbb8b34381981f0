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


def through_navigation_only() -> None:
    """Send a page that Streamlit ran on its own through app.py's st.navigation instead.

    Streamlit treats an entry script with a ``pages/`` folder beside it as a legacy multipage app
    until some session of the server calls st.navigation. So on a freshly started server the
    first visit to a deep link such as ``/claim?claim=…`` runs ``pages/claim.py`` on its own,
    with every file of the folder listed in the sidebar and no sign-in around it. Every page
    calls this first (through ``ui.auth.require_screen``): it switches Streamlit to
    st.navigation's mode, as the first run of app.py would, and reruns on the same URL.
    """
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
