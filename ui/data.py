"""Cached read queries for pages; every write clears them (``clear_read_caches``)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from services.overview import OpsOverview, ops_overview
from ui import wiring

READ_TTL_SECONDS = 300


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner="Counting orders and claims…")
def cached_ops_overview(database_url: str, today: date, months: int) -> OpsOverview:
    # The URL is part of the cache key so two databases never share figures.
    del database_url
    return ops_overview(wiring.engine(), today, months)


def clear_read_caches() -> None:
    cached_ops_overview.clear()
