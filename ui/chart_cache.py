"""Charts built once per distinct data, for every visitor.

Building a Plotly figure validates every property it is given: 14 ms a chart, a third of the
overview's run once its figures are cached. The chart functions (``ui.charts``,
``ui.exposure_charts``) are pure, so the same arguments give the same figure: it is kept in
Streamlit's resource cache (not copied: a copy of a figure is validated again) and handed to
``st.plotly_chart``, which only reads it (it serialises a dictionary of it). So a figure from
here is shared: nothing may change it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

__all__ = ["built", "clear"]

#: Distinct charts kept (a few per page, per range and breakdown a user picks).
KEPT = 256


def built(build: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """``build(*args, **kwargs)``, made once for the same function and arguments (data frames
    compared by their content). ``build`` is a module's function: it is known by its name, which
    a lambda or a nested function shares with others."""
    name = f"{build.__module__}.{build.__qualname__}"
    if "<" in name:
        raise ValueError(f"a chart is built by a module's function, not {name}")
    return _kept(name, build, args, kwargs)


@st.cache_resource(max_entries=KEPT, show_spinner=False)
def _kept(
    name: str, _build: Callable[..., go.Figure], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> go.Figure:
    # Keyed by the function's name (Streamlit cannot hash a function) and the arguments.
    return _build(*args, **kwargs)


def clear() -> None:
    """Forget every kept chart (the bench's cold runs start without them)."""
    _kept.clear()
