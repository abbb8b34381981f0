"""Cached read queries for pages; a write clears those it changes: an import or a seed all of
them (``clear_read_caches``), a claim's decision only the claim-dependent ones
(``clear_after_claim_change``)."""

from __future__ import annotations

import streamlit as st

from services.claims.queue import QueueOptions, queue_options
from ui import figure_data, wiring

READ_TTL_SECONDS = 300


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def cached_queue_options(database_url: str) -> QueueOptions:
    """The queue's supplier and country choices (suppliers with undecided claims); the queue
    itself is always read fresh."""
    del database_url
    return queue_options(wiring.engine())


def clear_read_caches() -> None:
    cached_queue_options.clear()
    figure_data.clear_all()


def clear_after_claim_change() -> None:
    """A decision (or any write to claims alone) changes which claims are undecided and the
    claim-dependent figures, never the order-based ones."""
    cached_queue_options.clear()
    figure_data.clear_after_claim_change()
