"""``summary_events.SupplierDaySums``: the sums per day and supplier of every event added,
whatever the chunks, as pandas' group-by gives them, one row a key in order of day and
supplier; nothing added gives no rows with the same columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.summary_events import BY_SUPPLIER, SupplierDaySums, summed_by

SUMS = ("due", "live_covered_cents")


def _events(rows: list[tuple[int, int, int, int]]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    return pd.DataFrame(
        {
            "supplier_id": np.array(columns[0], dtype=np.int64),
            "day": np.array(columns[1], dtype=np.int64).astype("datetime64[D]"),
            "due": np.array(columns[2], dtype=np.int64),
            "live_covered_cents": np.array(columns[3], dtype=np.int64),
            "category": ["Textiles"] * len(rows),  # another column of the events: not summed
        }
    )


# Days either side of 1970 and far ahead (an open end), suppliers few or far apart, sums
# that cancel out, as the live sums' starts and ends do.
_row = st.tuples(
    st.sampled_from([1, 2, 7, 2**31 - 1]),
    st.sampled_from([-400, -1, 0, 1, 20_000, 2_932_896]),
    st.integers(-3, 3),
    st.integers(-(10**12), 10**12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_row, max_size=15), max_size=6))
def test_the_sums_are_pandas_group_by_of_every_event_in_day_and_supplier_order(
    chunks: list[list[tuple[int, int, int, int]]],
) -> None:
    sums = SupplierDaySums(SUMS)
    for rows in chunks:
        sums.add(_events(rows))
    total = sums.total()

    every = _events([row for rows in chunks for row in rows])
    expected = summed_by(every, BY_SUPPLIER, SUMS).sort_values(BY_SUPPLIER, ignore_index=True)
    pd.testing.assert_frame_equal(total[[*BY_SUPPLIER, *SUMS]], expected[[*BY_SUPPLIER, *SUMS]])
    assert list(total.columns) == ["day", "supplier_id", *SUMS]
    assert all(total[column].dtype == np.int64 for column in ["supplier_id", *SUMS])


def test_nothing_added_gives_no_rows_with_every_column_and_its_type() -> None:
    total = SupplierDaySums(SUMS).total()
    assert total.empty
    assert list(total.columns) == ["day", "supplier_id", *SUMS]
    assert total["day"].dtype.kind == "M"
    assert all(total[column].dtype == np.int64 for column in ["supplier_id", *SUMS])


def test_after_its_total_it_starts_again_from_nothing() -> None:
    sums = SupplierDaySums(SUMS)
    sums.add(_events([(1, 3, 1, 5), (1, 3, 1, 5), (2, 1, 0, 7)]))
    first = sums.total()
    assert first[list(SUMS)].to_numpy().tolist() == [[0, 7], [2, 10]]  # day 1 first
    sums.add(_events([(1, 3, 1, 1)]))
    assert sums.total()[list(SUMS)].to_numpy().tolist() == [[1, 1]]
