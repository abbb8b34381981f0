"""Cached read queries for pages; every write clears them (``clear_read_caches``)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from services.claims.queue import QueueOptions, queue_options
from services.overview import OpsOverview, ops_overview
from ui import wiring

READ_TTL_SECONDS = 300


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner="Counting orders and claims…")
def cached_ops_overview(database_url: str, today: date, months: int) -> OpsOverview:
    # The URL is part of the cache key so two databases never share figures.
    del database_url
    return ops_overview(wiring.engine(), today, months)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def cached_queue_options(database_url: str) -> QueueOptions:
    """The queue's supplier and country choices; the queue itself is always read fresh."""
    del database_url
    return queue_options(wiring.engine())


def clear_read_caches() -> None:
    cached_ops_overview.clear()
    cached_queue_options.clear()
