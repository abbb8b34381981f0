"""A read started ahead in a thread is computed once: the page's own call finds it or waits."""

from __future__ import annotations

import threading

import pytest
import streamlit as st

from ui import prefetch


def test_the_page_waits_for_the_read_ahead_and_it_runs_once() -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    @st.cache_data(show_spinner=False)
    def slow(value: int) -> int:
        calls.append(value)
        started.set()
        release.wait(5)
        return value * 2

    thread = prefetch.ahead(slow, 21)
    assert started.wait(5), "the read ahead started"
    answer: list[int] = []
    page = threading.Thread(target=lambda: answer.append(slow(21)))
    page.start()
    page.join(0.2)
    assert page.is_alive(), "the page's call waits for the value being read"
    release.set()
    page.join(5)
    thread.join(5)
    assert answer == [42]
    assert calls == [21], "computed once"
    slow.clear()


def test_a_failed_read_ahead_is_left_to_the_page_which_raises_it() -> None:
    calls: list[str] = []

    @st.cache_data(show_spinner=False)
    def failing(name: str) -> str:
        calls.append(name)
        raise RuntimeError(f"no {name}")

    prefetch.ahead(failing, "figures").join(5)
    with pytest.raises(RuntimeError, match="no figures"):
        failing("figures")
    assert calls == ["figures", "figures"], "a failure is not cached: the page tries again"
