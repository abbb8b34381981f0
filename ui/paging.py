"""Paging kept in the URL (``?page=3``), so a page of results can be bookmarked and shared, or,
for a list that is part of a screen (the overview's drill-down), kept in Session State.

The URL is the one place the page number lives. The pagination widget is drawn afresh from it
on every run — its key names the page it shows — and a click writes the URL in the widget's
callback. A filter's ``on_change`` drops the parameter to go back to page 1. So no code ever
assigns a widget's value through Session State, which Streamlit warns about for a widget that
also has a default ("The widget with key 'page' was created with a default value but also had
its value set via the Session State API"): that warning came from binding the widget to the URL
*and* resetting it from a filter's callback.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial

import streamlit as st

PAGE_PARAM = "page"


def page_count(total: int, size: int) -> int:
    """Pages of ``size`` rows that ``total`` rows fill (one page when there are none)."""
    return max(1, -(-total // size))


def url_page() -> int:
    """The page the URL asks for (1 when it names none or nonsense)."""
    raw = st.query_params.get(PAGE_PARAM)
    try:
        page = int(raw) if raw is not None else 1
    except ValueError:
        return 1
    return max(1, page)


def first_page() -> None:
    """Back to page 1: for the ``on_change`` of anything that changes what is listed."""
    if PAGE_PARAM in st.query_params:
        del st.query_params[PAGE_PARAM]


def _set_url_page(page: int) -> None:
    if page <= 1:
        first_page()
    else:
        st.query_params[PAGE_PARAM] = str(page)


def current_page(pages: int) -> int:
    """The URL's page within ``1..pages``; a page past the end (the list shrank) becomes the
    last one, in the URL too."""
    page = min(url_page(), max(1, pages))
    if page != url_page() or (page == 1 and PAGE_PARAM in st.query_params):
        _set_url_page(page)
    return page


def pager(pages: int, page: int, *, name: str = "pager") -> None:
    """The page buttons for ``pages`` pages, showing ``page`` (the URL's); a turn goes to the
    URL. Nothing when there is one page."""
    _buttons(pages, page, name, _set_url_page)


def kept_pager(name: str, listing: Hashable, pages: int) -> int:
    """The page buttons of a list kept in Session State, and the page to show, within
    ``1..pages``: page 1 when what it lists (``listing``: the period and the value picked,
    say) is not what it listed when a page was turned. The page lives under a key of its own,
    never the widget's (whose value is only ever set by a click)."""
    kept = st.session_state.get(_kept_key(name))
    page = kept[1] if isinstance(kept, tuple) and kept[0] == listing else 1
    page = min(max(1, page), max(1, pages))
    _keep(name, listing, page)
    _buttons(pages, page, name, partial(_keep, name, listing))
    return page


def _kept_key(name: str) -> str:
    return f"{name}__kept"


def _keep(name: str, listing: Hashable, page: int) -> None:
    st.session_state[_kept_key(name)] = (listing, page)


def _buttons(pages: int, page: int, name: str, keep: Callable[[int], None]) -> None:
    if pages <= 1:
        return
    # Keyed by what it shows: a widget drawn afresh whenever the page or the page count
    # changes, from its default, so its value never has to be set from outside.
    key = f"{name}_{page}_of_{pages}"
    st.pagination(pages, default=page, key=key, on_change=_turned, args=(key, keep))


def _turned(key: str, keep: Callable[[int], None]) -> None:
    keep(int(st.session_state[key]))
