"""Start a page's slow cached read early, in a thread, so the database works on it while the
page draws what comes before it.

A script runs top to bottom: on the overview at ten million orders the reviewers' figures (the
median time to decision sorts a year's decided claims: 0.37 s on SQLite) waited for the
tiles, the trends and the drill-down above them, on a machine with a second core idle. The
thread calls the same ``st.cache_data`` function with the same arguments the page calls it with
later; Streamlit lets one caller compute a value and makes any other wait for it, so the page
either finds the value or waits for the rest of it, and it is computed once either way.

Only for functions that draw nothing and show no spinner (``show_spinner=False``): the thread
carries the run's context (Streamlit logs a warning for a thread without one), and an element
drawn from it would land wherever the script happens to be.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

__all__ = ["ahead"]


def ahead(cached: Callable[..., Any], *args: Any) -> threading.Thread:
    """Call ``cached(*args)`` in a daemon thread; the page calls it again where it needs the
    value. A failure is left to that call, which raises it where the page can show it."""

    def read() -> None:
        # Not cached, a failure is met again by the page's own call, which shows it.
        with contextlib.suppress(Exception):
            cached(*args)

    thread = threading.Thread(target=read, name=f"prefetch-{cached.__name__}", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx(suppress_warning=True))
    thread.start()
    return thread
