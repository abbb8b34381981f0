"""Imports at once: two files that change what the same summaries count keep them exact.

An import subtracts what the rows it changes contribute to the daily summaries, writes them, and
adds what they contribute after. A second import counting the same rows meanwhile (a claim
filed on an order the first one moves to another supplier) must either have committed before
the first one's subtraction or wait for its commit; otherwise the claim is counted under both
suppliers. And a claims import must lock a claim before its order, as a decision does, or the
two deadlock. Each test holds the first import at that point (after its subtraction, after
locking a chunk's claims and orders) while the second write runs; on SQLite the second waits
for the database's write lock, on PostgreSQL for the row locks.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries
from data_access.models import Buyer, Claim
from rules import Turn, bundled_policy
from services.auth import Actor
from services.claims.decide import DecisionError, decide_claim
from services.importing import follow_up, write, write_orders
from services.importing.service import ImportResult, import_file
from tests import factories as f
from tests.claim_copies_oracle import claims_out_of_step
from tests.factories import utc
from tests.integration.test_decisions import reviewer
from tests.integration.test_import_recount import recounts_spied

NOW = utc(2025, 6, 4, 10)
ZONES = {"UTC": 30}
ORDERS = (
    "external_id,supplier_external_id,buyer_external_id,buyer_name,buyer_country,category,"
    "payment_method,currency,order_amount,covered_amount,paid_amount,placed_at,ship_by,"
    "shipped_at,delivered_at,cancelled_at,status\n"
)
CLAIMS = "external_id,order_external_id,kind,filed_at,claimed_amount,currency\n"
SUPPLIERS = "external_id,name,country,main_category,tier,limit,currency\n"
SUPPLIER_A_IN_GERMANY = "SUP-A,Supplier A,DE,Machinery,gold,1000.00,USD\n"
#: Waits are counted in short sleeps, never given as timeouts: the suite also runs under
#: faketime, whose clock is days ahead, and a wait with a timeout (an absolute deadline by that
#: clock) would never time out.
TICK_S = 0.05
#: Long enough for the second import to finish if nothing holds it back (3 s).
SECOND_IMPORT_TICKS = 60
#: Anything else the test waits for (30 s): only a defect takes that long.
PATIENCE_TICKS = 600


def _until(done: Callable[[], bool], ticks: int = PATIENCE_TICKS) -> bool:
    for _ in range(ticks):
        if done():
            return True
        time.sleep(TICK_S)
    return done()


def _order(supplier: str, buyer: str = "BUY-1,Buyer One,DE") -> str:
    return (
        f"ORD-1,{supplier},{buyer},Machinery,tt,USD,100.00,80.00,80.00,"
        "2025-05-01T10:00:00Z,2025-05-10,2025-05-12T10:00:00Z,,,shipped\n"
    )


#: ORD-1 of its supplier, now placed by another buyer.
FOR_BUYER_TWO = _order("SUP-A", "BUY-2,Buyer Two,FR")


def _claim(kind: str) -> str:
    return f"CLM-1,ORD-1,{kind},2025-05-20T09:00:00Z,10.00,USD\n"


def _import(factory: sessionmaker[Session], entity: str, body: str) -> ImportResult:
    return import_file(
        factory,
        Actor.system("test"),
        entity,  # type: ignore[arg-type]
        io.BytesIO(body.encode()),
        file_name=f"{entity}.csv",
        now=NOW,
    )


@pytest.fixture
def world(engine: Engine, session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Two suppliers in different countries, order ORD-1 of the first, summaries built."""
    with session_factory() as s:
        f.supplier(s, external_id="SUP-A", country="CN", tier="gold")
        f.supplier(s, external_id="SUP-B", country="VN", tier="new")
        s.commit()
    assert _import(session_factory, "orders", ORDERS + _order("SUP-A")).written
    with engine.begin() as conn:
        summaries.rebuild(conn, ZONES, NOW)
    return session_factory


class _Hold:
    """Where the first write waits (``reached``) until the test lets it go on (``release``)."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()


def _hold_after(
    monkeypatch: pytest.MonkeyPatch,
    owner: Any,
    name: str,
    when: Callable[[Any], bool] = lambda _: True,
) -> _Hold:
    """The first write held just after ``owner.name`` returns (for an ``owner`` ``when``
    allows), until the test lets it go on."""
    hold = _Hold()
    original = getattr(owner, name)

    def held(this: Any, *args: Any) -> Any:
        result = original(this, *args)
        if threading.current_thread().name == "first" and when(this):
            hold.reached.set()
            assert _until(hold.release.is_set), "the test never let the first write go on"
        return result

    monkeypatch.setattr(owner, name, held)
    return hold


@pytest.fixture
def held_after_subtracting(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Hold]:
    """The first import held once it has taken away what the rows it changes counted."""
    hold = _hold_after(monkeypatch, follow_up.SummaryStep, "before")
    yield hold
    hold.release.set()


@pytest.fixture
def held_after_locking_claims(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Hold]:
    """The claims import held once it has read (and locked) a chunk's claims and orders."""
    hold = _hold_after(monkeypatch, write.ClaimWriter, "rows", lambda writer: not writer.dry_run)
    yield hold
    hold.release.set()


@pytest.fixture
def held_after_first_chunk(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Hold]:
    """The orders import held once it has written its first chunk (not yet counted)."""
    hold = _hold_after(monkeypatch, write_orders.OrderWriter, "write_columns")
    yield hold
    hold.release.set()


@pytest.fixture
def held_after_counting_orders(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Hold]:
    """The orders import held once it has counted the orders held, to choose how to write."""
    hold = _hold_after(monkeypatch, write_orders.OrderWriter, "_orders_held")
    yield hold
    hold.release.set()


def _in_step(engine: Engine) -> None:
    with engine.connect() as conn:
        for table in summaries.TABLES:
            stored = summaries.stored_rows(conn, table, "UTC")
            assert stored == summaries.aggregated_rows(conn, table, "UTC"), table


def _race(hold: _Hold, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    results: dict[str, Any] = {}

    def run(name: str, work: Callable[[], Any]) -> None:
        try:
            results[name] = work()
        except Exception as error:  # told below, in the test's thread
            results[name] = error

    one = threading.Thread(target=run, args=("first", first), name="first")
    one.start()
    assert _until(hold.reached.is_set), "the first import never got there"
    two = threading.Thread(target=run, args=("second", second), name="second")
    two.start()
    # Done by now unless the first import's locks hold it.
    _until(lambda: not two.is_alive(), SECOND_IMPORT_TICKS)
    hold.release.set()
    assert _until(lambda: not one.is_alive() and not two.is_alive()), "a write never finished"
    for name in ("first", "second"):
        if isinstance(results.get(name), Exception):
            raise AssertionError(f"the {name} write failed: {results[name]}")
    return results["first"], results["second"]


def test_a_claim_filed_while_its_order_moves_supplier_is_counted_once(
    engine: Engine, world: sessionmaker[Session], held_after_subtracting: _Hold
) -> None:
    moved, filed = _race(
        held_after_subtracting,
        lambda: _import(world, "orders", ORDERS + _order("SUP-B")),
        lambda: _import(world, "claims", CLAIMS + _claim("quality")),
    )
    assert moved.written and moved.updated == 1, moved.problems
    assert filed.written and filed.inserted == 1, filed.problems
    _in_step(engine)


def test_a_claim_changed_while_its_order_moves_supplier_is_counted_once(
    engine: Engine, world: sessionmaker[Session], held_after_subtracting: _Hold
) -> None:
    assert _import(world, "claims", CLAIMS + _claim("quality")).written
    moved, changed = _race(
        held_after_subtracting,
        lambda: _import(world, "orders", ORDERS + _order("SUP-B")),
        lambda: _import(world, "claims", CLAIMS + _claim("late_shipment")),
    )
    assert moved.written and moved.updated == 1, moved.problems
    assert changed.written and changed.updated == 1, changed.problems
    _in_step(engine)


def test_a_claim_filed_while_its_supplier_changes_country_is_counted_once(
    engine: Engine, world: sessionmaker[Session], held_after_subtracting: _Hold
) -> None:
    moved, filed = _race(
        held_after_subtracting,
        lambda: _import(world, "suppliers", SUPPLIERS + SUPPLIER_A_IN_GERMANY),
        lambda: _import(world, "claims", CLAIMS + _claim("quality")),
    )
    assert moved.written and moved.updated == 1, moved.problems
    assert filed.written and filed.inserted == 1, filed.problems
    _in_step(engine)


def _decision_on_claim_one(
    world: sessionmaker[Session], note: str
) -> tuple[Callable[[], None], list[str]]:
    """CLM-1 filed by a claims file, and a reviewer's rejection of it to race an import with;
    the list tells, after the race, whether it was saved or which rule refused it."""
    assert _import(world, "claims", CLAIMS + _claim("quality")).written
    with world() as s:
        rita = reviewer(s)
        s.commit()
        claim_id = s.scalars(select(Claim.id).where(Claim.external_id == "CLM-1")).one()
    decided: list[str] = []

    def decide() -> None:
        try:
            decide_claim(
                world, rita, claim_id, approve=False, amount_cents=None, note=note,
                policy=bundled_policy("v1"), now=NOW, expected_turn=Turn.DECIDE,
            )  # fmt: skip
            decided.append("saved")
        except DecisionError as error:  # a rule's refusal is fine; a lost transaction is not
            decided.append(type(error).__name__)

    return decide, decided


def test_a_claims_import_and_a_decision_on_the_same_claim_do_not_deadlock(
    engine: Engine, world: sessionmaker[Session], held_after_locking_claims: _Hold
) -> None:
    """A decision locks its claim, then its order; the import must take them in that order
    too, or each would wait for the other (PostgreSQL would cancel one of them)."""
    decide, decided = _decision_on_claim_one(world, "Decided while a claims file was imported")
    changed, _ = _race(
        held_after_locking_claims,
        lambda: _import(world, "claims", CLAIMS + _claim("late_shipment")),
        decide,
    )
    assert changed.written and changed.updated == 1, changed.problems
    assert decided and decided[0] != "DecisionNotSaved", decided
    _in_step(engine)


def _copies_in_step(engine: Engine, buyer: str) -> None:
    with engine.connect() as conn:
        assert claims_out_of_step(conn) == []
        held = conn.execute(
            select(Buyer.external_id).join(Claim, Claim.buyer_id == Buyer.id)
        ).scalars()
        assert list(held) == [buyer]


def test_a_claim_filed_while_its_order_moves_buyer_copies_the_new_buyer(
    engine: Engine, world: sessionmaker[Session], held_after_subtracting: _Hold
) -> None:
    """The claims import reads the order's buyer under a lock the orders import holds until
    its commit: the claim is written after, with the new buyer, or before, and follows it."""
    moved, filed = _race(
        held_after_subtracting,
        lambda: _import(world, "orders", ORDERS + FOR_BUYER_TWO),
        lambda: _import(world, "claims", CLAIMS + _claim("quality")),
    )
    assert moved.written and moved.updated == 1, moved.problems
    assert filed.written and filed.inserted == 1, filed.problems
    _copies_in_step(engine, "BUY-2")


def test_a_decision_while_its_order_moves_buyer_does_not_deadlock(
    engine: Engine, world: sessionmaker[Session], held_after_subtracting: _Hold
) -> None:
    """The orders import writes the claims' copies of the buyer after the orders: it locks
    those claims before the orders, as a decision locks its claim and then its order, or each
    would wait for the other (PostgreSQL would cancel one of them)."""
    decide, decided = _decision_on_claim_one(world, "Decided while its order changed buyer")
    moved, _ = _race(
        held_after_subtracting, lambda: _import(world, "orders", ORDERS + FOR_BUYER_TWO), decide
    )
    assert moved.written and moved.updated == 1, moved.problems
    assert decided and decided[0] != "DecisionNotSaved", decided
    _copies_in_step(engine, "BUY-2")
    _in_step(engine)


def test_a_refund_approved_during_a_first_load_waits_and_counts_once(
    engine: Engine,
    world: sessionmaker[Session],
    held_after_first_chunk: _Hold,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file of ten times the orders held counts the summaries again after it rather than
    adding its delta, so no other writer of them may commit meanwhile: a refund approved then
    waits for the import (SQLite's write lock; on PostgreSQL the orders and the summaries the
    import took), and adds its delta to the new counts."""
    assert _import(world, "claims", CLAIMS + _claim("late_shipment")).written
    monkeypatch.setattr(write_orders, "BULK_ROWS", 5)
    counted = recounts_spied(monkeypatch)
    with world() as s:
        rita = reviewer(s)
        s.commit()
        claim_id = s.scalars(select(Claim.id).where(Claim.external_id == "CLM-1")).one()
    new_orders = "".join(
        _order("SUP-B").replace("ORD-1,", f"ORD-N{i},").replace("BUY-1,", f"BUY-N{i},")
        for i in range(10)
    )
    waited: list[bool] = []

    def approve() -> str:
        outcome = decide_claim(
            world,
            rita,
            claim_id,
            approve=True,
            amount_cents=None,
            note="Approved while a first load ran",
            policy=bundled_policy("v1"),
            now=NOW,
            expected_turn=Turn.DECIDE,
        )
        waited.append(held_after_first_chunk.release.is_set())
        return str(outcome)

    loaded, _ = _race(
        held_after_first_chunk, lambda: _import(world, "orders", ORDERS + new_orders), approve
    )

    assert loaded.written and loaded.inserted == 10, loaded.problems
    [held] = counted
    assert held is not None and held.rows == 10  # counted from what it wrote
    assert waited == [True], "the approval committed while the import was counting"
    with world() as s:
        assert s.get(Claim, claim_id).status == "approved"  # type: ignore[union-attr]
    _in_step(engine)
    with engine.connect() as conn:
        refunds = summaries.stored_rows(conn, "summary_refund_days", "UTC")
        assert sum(row[3] for row in refunds) == 1, refunds


def test_two_large_orders_imports_at_once_take_turns(
    engine: Engine,
    world: sessionmaker[Session],
    held_after_counting_orders: _Hold,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each large import decides how to write from the orders the table holds. The first is
    held just after counting them; the second, started then, must not count them too (both
    would find the table small, both ask for it alone, each holding what the other waits
    for, and PostgreSQL would give one of them up): it waits, then finds the first's orders
    and writes as into a table of their size. Both files are written."""
    monkeypatch.setattr(write_orders, "BULK_ROWS", 5)

    def orders(prefix: str) -> str:
        return ORDERS + "".join(
            _order("SUP-A").replace("ORD-1,", f"ORD-{prefix}{i},") for i in range(10)
        )

    first, second = _race(
        held_after_counting_orders,
        lambda: _import(world, "orders", orders("F")),
        lambda: _import(world, "orders", orders("S")),
    )

    assert first.written and first.inserted == 10, first.problems
    assert second.written and second.inserted == 10, second.problems
    _in_step(engine)
