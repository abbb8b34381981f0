"""The "largest exposures fail" stress test ranks as a full sort would, ties and all."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from services.figures.stress import largest_exposures_fail

_SUPPLIERS = st.lists(
    st.tuples(
        st.integers(0, 5),  # few values: many ties at the boundary of the n largest
        st.integers(0, 10_000),
    ),
    max_size=40,
)


def _frame(rows: list[tuple[int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "supplier": [f"SUP-{i:03d}" for i in range(len(rows))][::-1],
            "supplier_name": [f"Supplier {i}" for i in range(len(rows))],
            "live_orders": [1] * len(rows),
            "exposure_cents": [exposure * 100 for exposure, _ in rows],
            "refundable_cents": [refundable for _, refundable in rows],
        }
    ).astype({"live_orders": "int64", "exposure_cents": "int64", "refundable_cents": "int64"})


@given(rows=_SUPPLIERS, n=st.integers(0, 45))
def test_the_failing_suppliers_are_the_first_n_of_the_full_ranking(
    rows: list[tuple[int, int]], n: int
) -> None:
    frame = _frame(rows)
    ranked = frame.sort_values(
        ["exposure_cents", "supplier"], ascending=[False, True], ignore_index=True
    ).head(n)
    result = largest_exposures_fail(frame, n)
    assert list(result.suppliers["supplier"]) == list(ranked["supplier"])
    assert result.payout_cents == int(ranked["refundable_cents"].sum())
    assert result.exposure_cents == int(ranked["exposure_cents"].sum())
    assert result.programme_exposure_cents == int(frame["exposure_cents"].sum())
