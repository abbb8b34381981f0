"""Cached read queries for pages; every write clears them (``clear_read_caches``)."""

from __future__ import annotations

import streamlit as st

from services.claims.queue import QueueOptions, queue_options
from ui import figure_data, wiring

READ_TTL_SECONDS = 300


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def cached_queue_options(database_url: str) -> QueueOptions:
    """The queue's supplier and country choices; the queue itself is always read fresh."""
    del database_url
    return queue_options(wiring.engine())


def clear_read_caches() -> None:
    cached_queue_options.clear()
    figure_data.clear_all()
