"""Server time of every screen, for ``assurance bench``: the app run headless, signed in.

Each screen of ``ui.navigation`` is opened as a link by a user of a role that sees it (the
supplier and claim screens on a real supplier and claim, Find a claim searching for a real
buyer's name), after ``st.cache_data.clear()`` and ``ui.chart_cache.clear()`` (cold) and once
more by a new session (warm: the figures and charts cached, as for the next visitor), in turn
``RUNS`` times (three): each is reported as the median of its runs. The time is that of the
script's run on the server (app.py's sign-in and navigation, then the page), without AppTest's
own harness.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import median
from typing import Any

import streamlit as st
import streamlit.logger as streamlit_logger
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from services.auth import Role
from services.scale_bench.pages import PageSubjects, PageTiming
from ui import chart_cache
from ui.headless import open_link
from ui.navigation import SCREENS, Screen

__all__ = ["RUNS", "PageVisit", "time_pages", "visits"]

#: Whom to open a screen as, first that sees it: the people who use it all day.
_PREFERRED = (Role.OPS_MANAGER, Role.CLAIM_REVIEWER, Role.EXEC, Role.ADMIN)
#: A page at scale may take a while cold; AppTest's own default (3 s) is for small tests.
_TIMEOUT_S = 600.0
#: Runs of each screen, cold and warm, whose median is reported: single runs of a page at ten
#: million orders spread widely on this 2-core machine (PostgreSQL's Exposure 0.74–1.29 s in
#: 42 cold runs of the same code one evening), enough to turn a verdict either way.
RUNS = 3


@dataclass(frozen=True, slots=True)
class PageVisit:
    screen: Screen
    role: Role
    email: str
    params: Mapping[str, str]


def _params(screen: Screen, subjects: PageSubjects) -> dict[str, str]:
    if screen.path == "pages/supplier.py":
        return {"supplier": subjects.supplier}
    if screen.path == "pages/claim.py":
        return {"claim": subjects.claim}
    if screen.path == "pages/find_claim.py":
        return {"q": subjects.search}
    return {}


def visits(subjects: PageSubjects) -> list[PageVisit]:
    """Every screen, each as one role that sees it; a screen nobody present may open fails."""
    found = []
    for screen in SCREENS:
        role = next((r for r in _PREFERRED if r in screen.roles and r in subjects.emails), None)
        if role is None:
            raise RuntimeError(f"no user of a role that sees {screen.title} in the bench database")
        found.append(PageVisit(screen, role, subjects.emails[role], _params(screen, subjects)))
    return found


@contextmanager
def _app_environment(subjects: PageSubjects) -> Iterator[None]:
    """The app reads its settings per run: point it at the bench database, clock frozen."""
    wanted = {
        "ASSURANCE_DATABASE_URL": subjects.database_url,
        "ASSURANCE_CLOCK": subjects.now.isoformat(),
    }
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    # Outside a server Streamlit warns at every cache clear and script run that it runs bare.
    # Its config, parsed at the first option asked (in the first script run), sets the
    # loggers' level from it: parsed first, it leaves the level set here alone.
    st.config.get_config_options()
    level = logging.getLogger("streamlit").getEffectiveLevel()
    streamlit_logger.set_log_level(logging.ERROR)
    try:
        yield
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()  # the bench database's engine goes with it
        streamlit_logger.set_log_level(level)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _script_clock() -> Iterator[list[float]]:
    """Time the script thread itself: AppTest's own harness (scanning installed packages for
    components, polling for the end of the run) adds up to a second per run that a server
    does not spend on a visitor. Without the hook (another Streamlit), ``run()`` is timed."""
    durations: list[float] = []
    original = getattr(LocalScriptRunner, "_run_script_thread", None)
    if original is None:
        yield durations
        return

    def timed(self: LocalScriptRunner) -> None:
        started = time.perf_counter()
        try:
            original(self)
        finally:
            durations.append(time.perf_counter() - started)

    LocalScriptRunner._run_script_thread = timed  # type: ignore[method-assign]
    try:
        yield durations
    finally:
        LocalScriptRunner._run_script_thread = original  # type: ignore[method-assign]


#: AppTest scans every installed package for components once per instance (a server, once at
#: start); the bench hands the first scan on, which shortens its wall time, not what it reports.
_COMPONENTS: dict[str, Any] = {}


def _run_once(visit: PageVisit) -> float:
    at = open_link(visit.email, visit.screen.path, visit.params, timeout=_TIMEOUT_S)
    if _COMPONENTS and getattr(at, "_bidi_component_manager", 0) is None:
        at._bidi_component_manager = _COMPONENTS["manager"]
    with _script_clock() as script_runs:
        started = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - started
    if len(script_runs) == 1:
        seconds = script_runs[0]
    if getattr(at, "_bidi_component_manager", None) is not None:
        _COMPONENTS.setdefault("manager", at._bidi_component_manager)
    failures = [str(e.value) for e in (*at.exception, *at.error)]
    if failures:
        raise RuntimeError(f"{visit.screen.title} failed for the bench: {failures[0][:500]}")
    return seconds


def time_pages(subjects: PageSubjects, runs: int = RUNS) -> list[PageTiming]:
    """Cold and warm server time of every screen: the median of ``runs`` cold runs, each
    followed by a warm one.

    Every screen runs once untimed first: a running server has imported its modules (plotly,
    the pages' helpers) long before a visitor comes, and its first run should not be charged
    with them.
    """
    if runs < 1:
        raise ValueError("a screen is timed at least once")
    timings = []
    with _app_environment(subjects):
        chosen = visits(subjects)
        for visit in chosen:
            _run_once(visit)
        for visit in chosen:
            cold, warm = [], []
            for _ in range(runs):
                st.cache_data.clear()
                chart_cache.clear()  # cold: its charts built again, as after new data
                cold.append(_run_once(visit))
                warm.append(_run_once(visit))
            timings.append(
                PageTiming(visit.screen.title, visit.role, median(cold), median(warm), runs)
            )
    return timings
