"""Child processes beside this one (services.workers): results, progress and failures, forked
directly and from the fork server (the latter is what a Streamlit server, with its threads,
uses)."""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.context import BaseContext

import pytest

from services import workers
from services.workers import ChildProcesses, Report, WorkerFailed


@pytest.fixture(params=["fork", "forkserver"])
def context(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> BaseContext:
    chosen: BaseContext = multiprocessing.get_context(request.param)
    monkeypatch.setattr(workers, "process_context", lambda: chosen)
    return chosen


def _squares(job: int, report: Report) -> int:
    for done in range(1, job + 1):
        report(done, job)
    return job * job


def _raises(job: int, report: Report) -> int:
    raise ValueError(f"bad job {job}")


def _dies(job: int, report: Report) -> int:
    report(1, 2)
    os._exit(3)


@pytest.mark.usefixtures("context")
def test_results_come_back_in_the_jobs_order_with_their_progress() -> None:
    with ChildProcesses(_squares, [3, 5, 2]) as children:
        results = children.results()
    assert results == [9, 25, 4]
    assert children.progress == {0: (3, 3), 1: (5, 5), 2: (2, 2)}


@pytest.mark.usefixtures("context")
def test_a_child_that_raises_is_reported_with_its_error() -> None:
    with (
        pytest.raises(WorkerFailed, match="ValueError: bad job 7"),
        ChildProcesses(_raises, [7]) as children,
    ):
        children.results()


@pytest.mark.usefixtures("context")
def test_a_child_that_dies_is_reported_not_waited_for() -> None:
    with (
        pytest.raises(WorkerFailed, match=r"exited \(code 3\) without a result"),
        ChildProcesses(_dies, [1]) as children,
    ):
        children.results()


def test_no_jobs_start_no_process() -> None:
    with ChildProcesses[int, int](_squares, []) as children:
        assert children.results() == []


def test_the_fork_server_is_used_while_other_threads_run() -> None:
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert workers.process_context().get_start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()
