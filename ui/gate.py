"""Show one screen instead of the console, through st.navigation.

Going through st.navigation even for a sign-in or error screen matters: a run that stops without
it makes Streamlit fall back to listing the ``pages/`` folder in the sidebar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import streamlit as st


def show_only(render: Callable[[], None], title: str, icon: str) -> NoReturn:
    st.navigation([st.Page(render, title=title, icon=icon)], position="hidden").run()
    st.stop()
    raise AssertionError("st.stop() raises")
