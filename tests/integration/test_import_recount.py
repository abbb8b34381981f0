"""A large orders file into a table holding at most a tenth of its rows has the daily summaries
counted again over the tables after it (``Writer.recounts_summaries``) instead of as the delta of
the rows it writes, every other writer of them kept waiting meanwhile (SQLite's write lock; on
PostgreSQL the orders and the summaries taken for the import). Either way the summaries are
exact after, an order with a claim moved to another supplier included, and a refund approved
while the import runs counts once. Both databases; ``BULK_ROWS`` lowered so that a file of ten
rows is a large load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries, summary_facts, summary_memory
from data_access.summary_facts import HELD_UP_TO, NewOrders, can_hold
from data_access.summary_memory import ORDERS_PER_SHARE
from services.importing import service as service_module
from services.importing import write_orders as write_orders_module
from tests.factories import utc
from tests.integration.test_import import run, write_orders, write_suppliers

CLAIM = (
    "external_id,order_external_id,kind,filed_at,claimed_amount,currency\n"
    "CLM-R-1,ORD-B00000000,late_shipment,2024-01-25T09:00:00Z,300.00,USD\n"
)


def recounts_spied(monkeypatch: pytest.MonkeyPatch) -> list[NewOrders | None]:
    """A list that gets an entry each time the summaries are counted again: the new orders
    whose facts the import held for it."""
    counted: list[NewOrders | None] = []
    original = summaries.refresh_all

    def spy(executor: Any, now: Any, new_orders: NewOrders | None = None) -> None:
        counted.append(new_orders)
        original(executor, now, new_orders)

    monkeypatch.setattr(summaries, "refresh_all", spy)
    return counted


#: Kept in two zones, one moving its clocks, with different claim windows: held on SQLite, read
#: back on PostgreSQL (``summary_facts.can_hold``).
TWO_ZONES = {"UTC": 30, "America/New_York": 7}
#: Held on both databases.
UTC_ONLY = {"UTC": 30}


@pytest.mark.parametrize(
    ("held", "recounts", "held_up_to", "per_share", "zones", "ahead"),
    [
        (1, True, HELD_UP_TO, ORDERS_PER_SHARE, TWO_ZONES, True),
        (1, True, HELD_UP_TO, ORDERS_PER_SHARE, UTC_ONLY, True),
        (1, True, HELD_UP_TO, 4, UTC_ONLY, True),
        (1, True, HELD_UP_TO, 4, UTC_ONLY, False),
        (1, True, 4, 4, UTC_ONLY, True),
        (1, True, 0, ORDERS_PER_SHARE, UTC_ONLY, True),
        (2, False, HELD_UP_TO, ORDERS_PER_SHARE, TWO_ZONES, True),
    ],
    ids=[
        "recount, two zones",
        "recount, new orders held",
        "recount, held, suppliers in shares",
        "recount, held, summed in the recount itself",
        "recount, some held, in shares",
        "recount, none held",
        "delta",
    ],
)
def test_a_file_ten_times_the_table_recounts_the_summaries_and_they_are_exact(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    held: int,
    recounts: bool,
    held_up_to: int,
    per_share: int,
    zones: dict[str, int],
    ahead: bool,
) -> None:
    """With the new orders' facts held (the first chunk's two only, when it may hold four: the
    next chunk's three would pass it, and the rest are read back) or none held."""
    run(session_factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    assert run(session_factory, "orders", write_orders(tmp_path / "held.csv", held)).written
    assert run(session_factory, "claims", CLAIM.encode()).written
    with session_factory.begin() as session:
        summaries.rebuild(session.connection(), zones, utc(2025, 6, 4))
        holds = can_hold(session.get_bind().dialect.name, zones)
    monkeypatch.setattr(write_orders_module, "BULK_ROWS", 5)
    monkeypatch.setattr(summary_facts, "HELD_UP_TO", held_up_to)
    monkeypatch.setattr(service_module, "CHUNK_ROWS", 3)
    # Ten orders after: the suppliers in three shares (1 + 10 // 4) with four a share.
    monkeypatch.setattr(summary_memory, "ORDERS_PER_SHARE", per_share)
    if not ahead:  # the held facts' events summed by the recount, not beside the index builds
        monkeypatch.setattr(summary_memory, "count_ahead", lambda *_: None)
    counted = recounts_spied(monkeypatch)
    # Ten orders: the held ones again, the first moved (with its claim) to another supplier.
    path = write_orders(tmp_path / "new.csv", 10)
    lines = path.read_text().splitlines(keepends=True)
    assert ",SUP-B000," in lines[1]
    lines[1] = lines[1].replace(",SUP-B000,", ",SUP-B004,")
    path.write_text("".join(lines))

    result = run(session_factory, "orders", path)

    assert result.written, result.problems
    assert (result.inserted, result.updated, result.unchanged) == (10 - held, 1, held - 1)
    if recounts and holds:
        [new_orders] = counted
        assert new_orders is not None and new_orders.zones == zones
        # Three a chunk: the moved order and two new, then three, three and one new.
        assert new_orders.rows == {HELD_UP_TO: 9, 4: 2, 0: 0}[held_up_to]
        assert (new_orders.through is None) == (held_up_to == HELD_UP_TO)
    else:
        assert counted == ([None] if recounts else [])
    with session_factory() as session:
        for zone in zones:
            for table in summaries.TABLES:
                stored = summaries.stored_rows(session, table, zone)
                assert stored == summaries.aggregated_rows(session, table, zone), (table, zone)


def test_orders_numbered_at_random_are_read_back_not_held(
    tmp_path: Path, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite numbers new rows at random once an id has reached the 64-bit limit: the import
    finds its orders not numbered above the highest before it, holds none of their facts, and
    the summaries, counted from the table, are exact (held too, most would count twice)."""
    if session_factory.kw["bind"].dialect.name != "sqlite":
        pytest.skip("PostgreSQL numbers orders from a 32-bit sequence, never at random")
    run(session_factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    assert run(session_factory, "orders", write_orders(tmp_path / "held.csv", 1)).written
    with session_factory.begin() as session:
        session.execute(text("UPDATE orders SET id = 9223372036854775805"))
        summaries.rebuild(session.connection(), UTC_ONLY, utc(2025, 6, 4))
    monkeypatch.setattr(write_orders_module, "BULK_ROWS", 5)
    counted = recounts_spied(monkeypatch)

    result = run(session_factory, "orders", write_orders(tmp_path / "new.csv", 10))

    assert result.written and result.inserted == 9, result.problems
    [new_orders] = counted
    assert new_orders is not None and new_orders.told == 9
    assert (new_orders.rows, new_orders.facts) == (0, {})
    with session_factory() as session:
        ids = session.scalars(text("SELECT id FROM orders")).all()
        assert min(ids) < 9223372036854775805  # numbered at random
        for table in summaries.TABLES:
            stored = summaries.stored_rows(session, table, "UTC")
            assert stored == summaries.aggregated_rows(session, table, "UTC"), table


@pytest.mark.parametrize("held", [0, 20], ids=["first load", "into a larger table"])
def test_orders_that_refer_to_no_supplier_are_refused_whole(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    held: int,
) -> None:
    """On PostgreSQL (the tests' role may skip triggers) no trigger checks an order's keys: a
    first load's are checked once over the table at the end
    (``bulk_load.foreign_keys_checked_at_end``), other imports' before each chunk's upsert,
    their parents locked (``foreign_keys_checked_before``). An order whose supplier is gone is
    found either way, and nothing of the file is kept, its new buyers included. SQLite
    refuses it at its insert."""
    run(session_factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    if held:
        before = write_orders(tmp_path / "held.csv", held, prefix="ORD-H", suppliers=4)
        assert run(session_factory, "orders", before).written
    monkeypatch.setattr(write_orders_module, "BULK_ROWS", 5)
    monkeypatch.setattr(service_module, "CHUNK_ROWS", 3)
    settled = write_orders_module.OrderWriter.__init__

    def with_a_supplier_gone(writer: Any, *args: Any, **kwargs: Any) -> None:
        settled(writer, *args, **kwargs)
        writer.supplier_ids["SUP-B004"] = 10**6  # as if deleted between the check and the write

    monkeypatch.setattr(write_orders_module.OrderWriter, "__init__", with_a_supplier_gone)
    new = write_orders(tmp_path / "new.csv", 10)
    new.write_text(new.read_text().replace("BUY-B", "BUY-N"))  # new buyers, to be rolled back

    result = run(session_factory, "orders", new)

    assert not result.written
    [problem] = result.problems
    assert problem.message.startswith("the database refused the file, so nothing was written")
    if session_factory.kw["bind"].dialect.name == "postgresql":
        # SUP-B004's orders, counted by the set-based check: both of ten at the end of a first
        # load, the one in the chunk of three that holds it otherwise.
        refer = "2 rows refer" if not held else "1 row refers"
        assert f"({refer} to no row of table 'suppliers' (the foreign key " in problem.message
    with session_factory() as session:
        kept = session.execute(text("SELECT count(*) FROM orders")).scalar_one()
        buyers = session.execute(
            text("SELECT count(*) FROM buyers WHERE external_id LIKE 'BUY-N%'")
        ).scalar_one()
    assert (kept, buyers) == (held, 0)
