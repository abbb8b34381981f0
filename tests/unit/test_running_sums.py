"""``summary_events.Running``: the sums per key of every frame added, whatever the order, the
folds and the frames marked as summed already (one row a key); an empty frame adds nothing,
and sums put first in an empty running sum are taken as they are, not summed again."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.summary_events import Running, summed_by

BY = ["day", "supplier_id"]
SUMS = ("due", "late")


def _frame(rows: list[tuple[int, int, int, int]]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    return pd.DataFrame(
        {
            "day": np.array(columns[0], dtype=np.int64).astype("datetime64[D]"),
            "supplier_id": np.array(columns[1], dtype=np.int64),
            "due": np.array(columns[2], dtype=np.int64),
            "late": np.array(columns[3], dtype=np.int64),
        }
    )


def _sorted(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return sorted(map(tuple, frame[[*BY, *SUMS]].itertuples(index=False, name=None)))


_row = st.tuples(st.integers(0, 4), st.integers(1, 3), st.integers(-3, 3), st.integers(-3, 3))
# Each frame: its rows, and whether it is handed over as summed (one row a key).
_frames = st.lists(st.tuples(st.lists(_row, max_size=12), st.booleans()), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(_frames, st.integers(0, 10))
def test_the_total_is_the_sum_per_key_of_every_frame_added(
    frames: list[tuple[list[tuple[int, int, int, int]], bool]], fold_from: int
) -> None:
    running = Running(BY, SUMS, fold_from=fold_from)
    added = []
    for rows, as_summed in frames:
        frame = _frame(rows)
        if as_summed:  # what a caller may mark so: one row a key
            frame = summed_by(frame, BY, SUMS)
        running.add(frame, summed=as_summed)
        added.append(frame)
    expected = summed_by(pd.concat(added, ignore_index=True), BY, SUMS)
    assert _sorted(running.total()) == _sorted(expected)


def test_sums_put_first_are_taken_as_they_are_and_empty_frames_add_nothing() -> None:
    held = summed_by(_frame([(1, 1, 1, 0), (2, 1, 1, 1), (1, 1, 1, 1)]), BY, SUMS)
    running = Running(BY, SUMS, fold_from=0)
    running.add(_frame([]), summed=True)  # nothing claimed yet: the columns only
    running.add(held, summed=True)
    running.add(_frame([]))  # a chunk of no unheld orders
    assert running.total() is held  # not copied, not hashed again


def test_a_frame_added_to_sums_already_running_is_summed_with_them() -> None:
    running = Running(BY, SUMS, fold_from=0)
    running.add(summed_by(_frame([(1, 1, 1, 0)]), BY, SUMS), summed=True)
    running.add(summed_by(_frame([(1, 1, 2, 1), (3, 2, 1, 1)]), BY, SUMS), summed=True)
    total = running.total()
    assert _sorted(total) == [
        (np.datetime64("1970-01-02"), 1, 3, 1),
        (np.datetime64("1970-01-04"), 2, 1, 1),
    ]
