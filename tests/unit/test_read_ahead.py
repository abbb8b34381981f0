"""read_ahead: the items in order, made in a worker; an error where it would have come; a reader
that stops early stops the worker, which closes the source."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from services.importing.read_ahead import read_ahead


class Source:
    """Numbered items, recording which thread made each and whether it was closed."""

    def __init__(self, count: int, *, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.made_in: list[str] = []
        self.closed_in: str | None = None

    def items(self) -> Iterator[int]:
        try:
            for number in range(self.count):
                if number == self.fail_at:
                    raise ValueError(f"item {number} is unreadable")
                self.made_in.append(threading.current_thread().name)
                yield number
        finally:
            self.closed_in = threading.current_thread().name


def test_every_item_in_order_made_in_the_worker() -> None:
    source = Source(50)
    assert list(read_ahead(source.items())) == list(range(50))
    assert set(source.made_in) == {"import-read-ahead"}
    assert source.closed_in == "import-read-ahead"


def test_nothing_to_read() -> None:
    assert list(read_ahead(iter([]))) == []


def test_an_error_comes_after_the_items_before_it() -> None:
    seen: list[int] = []
    with pytest.raises(ValueError, match="item 3 is unreadable"):
        for item in read_ahead(Source(10, fail_at=3).items()):
            seen.append(item)
    assert seen == [0, 1, 2]


def test_a_reader_stopping_early_stops_the_worker_and_closes_the_source() -> None:
    source = Source(1_000)
    reader = read_ahead(source.items())
    assert [next(reader), next(reader)] == [0, 1]
    reader.close()
    # The worker held one item ahead and was waiting to hand over the next, no further.
    assert len(source.made_in) <= 4
    assert source.closed_in == "import-read-ahead"
    assert not any(t.name == "import-read-ahead" for t in threading.enumerate())


def test_an_error_in_the_reader_stops_the_worker() -> None:
    source = Source(1_000)
    with pytest.raises(RuntimeError, match="the reader's own"):
        for item in read_ahead(source.items()):
            if item == 5:
                raise RuntimeError("the reader's own")
    assert source.closed_in == "import-read-ahead"
    assert len(source.made_in) <= 8
