"""A read started ahead in a thread is computed once: the page's own call finds it or waits."""

from __future__ import annotations

import threading

import pytest
import streamlit as st

from ui import prefetch


def test_the_page_finds_or_waits_for_the_read_ahead_and_it_runs_once() -> None:
    """The page's call comes while the read ahead is still computing (or just after): either
    way the value is computed once and the page gets it. No timed wait here: under a faked
    clock (faketime) a timeout meant to pass never does."""
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    @st.cache_data(show_spinner=False)
    def slow(value: int) -> int:
        calls.append(value)
        started.set()
        release.wait()
        return value * 2

    thread = prefetch.ahead(slow, 21)
    started.wait()
    answer: list[int] = []
    page = threading.Thread(target=lambda: answer.append(slow(21)))
    page.start()
    release.set()
    page.join()
    thread.join()
    assert answer == [42]
    assert calls == [21], "computed once: the page's call waited for the read ahead's value"
    slow.clear()


def test_a_failed_read_ahead_is_left_to_the_page_which_raises_it() -> None:
    calls: list[str] = []

    @st.cache_data(show_spinner=False)
    def failing(name: str) -> str:
        calls.append(name)
        raise RuntimeError(f"no {name}")

    prefetch.ahead(failing, "figures").join()
    with pytest.raises(RuntimeError, match="no figures"):
        failing("figures")
    assert calls == ["figures", "figures"], "a failure is not cached: the page tries again"
