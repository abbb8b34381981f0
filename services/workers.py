"""Work that runs beside this process in child processes, with their progress and results.

The rules module is pure Python, so one process uses one core: the policy simulator splits a
period's claims and hands a share to each child while this process works on its own share.

Children are forked. From a process with other threads running (a Streamlit server) they are
forked from multiprocessing's fork server instead, which is single-threaded: forking a
multi-threaded process copies locks other threads may hold, and a child could then wait on
one forever. The fork server starts once per process (about a second, importing the modules
the work needs) and is reused; like every process multiprocessing starts that way, it imports
the main script, so a main script must guard what it runs (app.py does). A child reports
progress and its result through a queue; a child that fails or dies is reported as
``WorkerFailed`` and the others are stopped.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Generic, TypeVar

__all__ = ["ChildProcesses", "Report", "WorkerFailed", "process_context"]

Job = TypeVar("Job")
Result = TypeVar("Result")
#: What a child calls to report progress: (work done, work in total) of its own share.
Report = Callable[[int, int], None]

#: Modules the fork server imports once, so that a child forked from it starts at once. With
#: ``__main__`` the server imports this process's main script (as ``__mp_main__``, which is why
#: app.py draws nothing unless it runs as ``__main__``) and its children need not.
_PRELOAD = ["__main__", "services.policy.simulate"]
#: How long to wait for a message before checking that the children are still alive.
_POLL_SECONDS = 0.2


class WorkerFailed(RuntimeError):
    """A child process raised, or exited without a result."""


def process_context() -> BaseContext:
    """``fork`` when this process runs one thread (the CLI, the bench), else ``forkserver``."""
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


class ChildProcesses(Generic[Job, Result]):
    """``target(job, report)`` run for each job, one child process per job.

    Use as a context manager: leaving the block stops any child still running (after an error
    in this process, say). ``poll()`` takes in the children's progress without waiting;
    ``results()`` waits for every child's result, in the order of ``jobs``.
    """

    def __init__(self, target: Callable[[Job, Report], Result], jobs: list[Job]) -> None:
        self._target, self._jobs = target, jobs
        self._context = process_context()
        # No jobs, no queue: under the fork server a queue's lock alone starts multiprocessing's
        # resource tracker process.
        self._messages: Any = self._context.Queue() if jobs else None
        self._processes: list[BaseProcess] = []
        self._results: dict[int, Result] = {}
        #: index -> (done, total) as last reported by that child.
        self.progress: dict[int, tuple[int, int]] = {}

    def __enter__(self) -> ChildProcesses[Job, Result]:
        for index, job in enumerate(self._jobs):
            process = self._context.Process(  # type: ignore[attr-defined]
                target=_child, args=(self._target, index, job, self._messages), daemon=True
            )
            process.start()
            self._processes.append(process)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
            process.join()
        if self._messages is not None:
            self._messages.close()

    def poll(self) -> None:
        """Take in every message waiting, without blocking."""
        while self._messages is not None:
            try:
                message = self._messages.get_nowait()
            except queue.Empty:
                return
            self._take(message)

    def results(self, on_progress: Callable[[], None] | None = None) -> list[Result]:
        """Wait for every child's result; ``on_progress`` runs after each progress message."""
        while len(self._results) < len(self._jobs):
            try:
                message = self._messages.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                self._check_alive()
                continue
            self._take(message)
            if on_progress is not None and message[0] == "progress":
                on_progress()
        return [self._results[index] for index in range(len(self._jobs))]

    def _take(self, message: tuple[Any, ...]) -> None:
        kind, index, *rest = message
        if kind == "progress":
            self.progress[index] = (rest[0], rest[1])
        elif kind == "done":
            self._results[index] = rest[0]
        else:
            raise WorkerFailed(f"a worker process failed: {rest[0]}")

    def _check_alive(self) -> None:
        for index, process in enumerate(self._processes):
            if index not in self._results and not process.is_alive():
                # Its last messages may have arrived since the timeout: take them first.
                self.poll()
                if index not in self._results:
                    raise WorkerFailed(
                        f"a worker process exited (code {process.exitcode}) without a result"
                    )


def _child(target: Callable[[Job, Report], Result], index: int, job: Job, messages: Any) -> None:
    def report(done: int, total: int) -> None:
        messages.put(("progress", index, done, total))

    try:
        result = target(job, report)
    except Exception as error:  # the parent raises it as WorkerFailed
        messages.put(("failed", index, f"{type(error).__name__}: {error}"))
    else:
        messages.put(("done", index, result))
    finally:
        # Let the queue's feeder thread hand every message over before the process exits.
        messages.close()
        messages.join_thread()
