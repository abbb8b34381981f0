"""A claim's copies of its order's reference and buyer, kept equal to the order's.

``claims.order_external_id`` and ``claims.buyer_id`` (migration 0020) let Find a claim match a
text against the claims and the buyers alone (``queries.claim_lookup``): looking each claim's
order up among ten million cost a search 1–3 s. Copies are only as good as the writers that
keep them, so every way a source can change is named here:

* a claim is written (imported, seeded, made by a test's factory): the writer writes its order's
  reference and buyer with it, read with the order it looks the claim's order up by;
* an order moves to another buyer (an orders import): :func:`follow_new_buyers`, in the same
  transaction, after the orders are written;
* an order's reference never changes: it is the key every import finds the order by.

Nothing else writes ``claims.order_id`` or ``orders.buyer_id``. The property tests compare
the copies with the orders after random sequences of imports (tests/integration/
test_summaries.py) and after a seed (test_demo_seed.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, update

from data_access.claim_facts import Executor, connection_of
from data_access.models import Claim
from data_access.upsert import table_of

__all__ = ["COPIED_COLUMNS", "follow_new_buyers"]

#: The claim's columns copied from its order.
COPIED_COLUMNS = ("order_external_id", "buyer_id")


def follow_new_buyers(executor: Executor, buyers: Mapping[int, int]) -> None:
    """Orders (by id) now placed by another buyer (by id): their claims' copies follow.

    The caller holds these orders' claims locked since before it locked the orders (the order
    a decision takes them in: claim, then order), and runs this after writing the orders, as a
    statement of its own: on PostgreSQL a claim filed on one of them by an import that
    committed meanwhile is seen, and follows too.
    """
    if not buyers:
        return
    claims = table_of(Claim)
    statement = (
        update(claims)
        .where(claims.c.order_id == bindparam("moved_order"))
        .where(claims.c.buyer_id != bindparam("new_buyer"))
        .values(buyer_id=bindparam("new_buyer"))
    )
    connection_of(executor).execute(
        statement,
        [{"moved_order": order, "new_buyer": buyer} for order, buyer in sorted(buyers.items())],
    )
