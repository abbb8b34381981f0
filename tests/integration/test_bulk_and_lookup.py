"""Bulk decisions answer their confirmation; claims are found by claim, order or buyer."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import Claim, Decision
from data_access.queries import claim_lookup
from data_access.queries.claim_queue import QueueFilters
from services.auth import Actor
from services.claims import lookup
from services.claims.bulk import bulk_decide, preview_bulk
from services.claims.lookup import claim_reference, find_claims
from services.claims.queue import load_queue
from services.importing.service import import_file
from tests import factories as f
from tests.claim_copies_oracle import claims_out_of_step
from tests.factories import utc
from tests.integration.test_decisions import (
    LATE_5_DAYS,
    NOW,
    POLICY,
    big_claim,
    decide,
    decisions_of,
    make_claim,
    reviewer,
    set_order,
    status_of,
)


def test_the_preview_counts_what_bulk_decide_will_do(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        partial = make_claim(s)  # approve USD 50.00
        on_time = make_claim(s, order={"shipped_at": utc(2025, 1, 19)})  # reject
        big = big_claim(s)  # four-eyes
        partial_too = make_claim(s)
    preview = preview_bulk(engine, [partial, on_time, big, partial_too, partial])
    assert [c.claim_id for c in preview.eligible] == [partial, on_time, partial_too]
    assert (preview.count, preview.approve_count, preview.reject_count) == (3, 2, 1)
    assert preview.approve_total_cents == 100_00
    assert [(r.claim_id, r.reason) for r in preview.refused] == [
        (big, "above the four-eyes threshold")
    ]
    outcomes = bulk_decide(
        session_factory, rita, [c.claim_id for c in preview.eligible], POLICY, NOW,
        shown=preview.shown,
    )  # fmt: skip
    # What was decided is exactly what the preview counted.
    assert [o.ok for o in outcomes] == [True, True, True]
    assert sum(o.amount_cents for o in outcomes) == preview.approve_total_cents
    with session_factory() as s:
        assert [status_of(s, i) for i in (partial, on_time, big, partial_too)] == [
            "approved", "rejected", "open", "approved",
        ]  # fmt: skip


def test_a_recommendation_changed_after_the_confirmation_is_refused_not_decided(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        moved = make_claim(s)
        steady = make_claim(s)
    preview = preview_bulk(engine, [moved, steady])
    assert preview.approve_total_cents == 100_00
    # Between the confirmation and the click, the ship date is corrected: 10 days late, not 5.
    set_order(session_factory, moved, shipped_at=utc(2025, 1, 30, 8))
    outcomes = bulk_decide(session_factory, rita, [moved, steady], POLICY, NOW, shown=preview.shown)
    assert [o.ok for o in outcomes] == [False, True]
    assert "changed since it was shown" in outcomes[0].message
    with session_factory() as s:
        assert decisions_of(s, moved) == []
        assert status_of(s, moved) == "open" and status_of(s, steady) == "approved"


def test_a_claim_outside_the_confirmed_selection_is_never_decided(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        shown, extra = make_claim(s), make_claim(s)
    preview = preview_bulk(engine, [shown])
    outcomes = bulk_decide(session_factory, rita, [shown, extra], POLICY, NOW, shown=preview.shown)
    assert [o.ok for o in outcomes] == [True, False]
    assert "not in the confirmed selection" in outcomes[1].message
    with session_factory() as s:
        assert decisions_of(s, extra) == []


def test_a_claim_decided_meanwhile_leaves_the_preview(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    decide(session_factory, rita, claim_id)
    preview = preview_bulk(engine, [claim_id])
    assert preview.count == 0
    assert [r.reason for r in preview.refused] == ["already approved"]
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 1


def _lookup_world(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory.begin() as s:
        sup = f.supplier(s, name="Ningbo Pumps")
        anna = f.buyer(s, external_id="BUY-ANNA", name="Anna Svensson AB", country="SE")
        odd = f.buyer(s, external_id="BUY-100%_OFF", name="Percent_Off GmbH", country="DE")
        ids = {}
        for n, buyer in enumerate((anna, anna, odd)):
            order = f.order(s, sup, buyer, external_id=f"ORD-77{n}", **LATE_5_DAYS)
            ids[f"CLM-L{n}"] = f.claim(
                s, order, external_id=f"CLM-L{n}", filed_at=utc(2025, 2, 1 + n)
            ).id
        decided = f.order(s, sup, anna, external_id="ORD-DONE", **LATE_5_DAYS)
        ids["CLM-L10"] = f.claim(
            s, decided, external_id="CLM-L10", status="approved", filed_at=utc(2025, 1, 5),
            decided_at=utc(2025, 1, 9),
        ).id  # fmt: skip
    return ids


def test_claims_are_found_by_claim_order_buyer_or_buyer_name_in_any_case(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    _lookup_world(session_factory)

    def found(text: str) -> list[tuple[str, str]]:
        return [(c.claim_external_id, c.matched) for c in find_claims(engine, text).items]

    # An exact claim reference first, then the rest newest first; decided claims too.
    assert found("clm-l1") == [("CLM-L1", "claim"), ("CLM-L10", "claim")]
    assert found("ord-771") == [("CLM-L1", "order")]
    assert found("buy-anna") == [("CLM-L1", "buyer"), ("CLM-L0", "buyer"), ("CLM-L10", "buyer")]
    assert found("SVENSSON") == [
        ("CLM-L1", "buyer name"), ("CLM-L0", "buyer name"), ("CLM-L10", "buyer name"),
    ]  # fmt: skip
    # LIKE's wildcards in the text match themselves, not any character.
    assert found("100%_") == [("CLM-L2", "buyer")]
    assert found("t_o") == [("CLM-L2", "buyer name")]
    assert found("t%o") == []
    assert found("   ") == []
    page = find_claims(engine, "clm-l10")
    assert page.exact is not None and page.exact.claim_external_id == "CLM-L10"
    assert find_claims(engine, "CLM-L").exact is None
    # A reference typed in full, as typed or in lower case, is found through the index.
    assert claim_reference(engine, " clm-l2 ") == "CLM-L2"
    assert claim_reference(engine, "CLM-L") is None
    assert claim_reference(engine, "") is None


def test_the_lookup_pages_in_sql(engine: Engine, session_factory: sessionmaker[Session]) -> None:
    _lookup_world(session_factory)
    first = find_claims(engine, "clm", page=1, page_size=3)
    second = find_claims(engine, "clm", page=2, page_size=3)
    assert (first.total, first.pages, second.page) == (4, 2, 2)
    assert [c.claim_external_id for c in first.items + second.items] == [
        "CLM-L2", "CLM-L1", "CLM-L0", "CLM-L10",
    ]  # fmt: skip
    assert find_claims(engine, "clm", page=9, page_size=3).page == 2  # clamped


def test_a_search_matching_nothing_scans_the_claims_once(
    engine: Engine, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every claim is tested once, whatever the page asks: an empty first page means no match
    (at ten million orders each scan of the claims took seconds); a page past the end counts
    the matches, as the first page would."""
    _lookup_world(session_factory)
    scans: list[int] = []
    rows = claim_lookup.claim_lookup_rows

    def counted(*args: Any, **kwargs: Any) -> Any:
        scans.append(kwargs.get("offset", 0))
        return rows(*args, **kwargs)

    monkeypatch.setattr(claim_lookup, "claim_lookup_rows", counted)
    monkeypatch.setattr(lookup, "claim_lookup_rows", counted)
    nothing = find_claims(engine, "no such buyer", page=1, page_size=3)
    assert (nothing.total, nothing.pages, nothing.items) == (0, 1, ())
    assert scans == [0]
    scans.clear()
    past = find_claims(engine, "svensson", page=5, page_size=2)
    assert (past.total, past.page) == (3, 2)
    assert [c.claim_external_id for c in past.items] == ["CLM-L10"]
    assert scans == [8, 0, 2]  # the page asked, the count from the first, the last page


def test_the_queue_search_narrows_undecided_claims(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    ids = _lookup_world(session_factory)
    with session_factory() as s:
        assert s.get(Claim, ids["CLM-L10"]) is not None

    def queued(text: str) -> list[str]:
        page = load_queue(engine, QueueFilters(search=text), None, page=1, policy=POLICY, now=NOW)
        return sorted(i.claim_external_id for i in page.items)

    assert queued("anna svensson") == ["CLM-L0", "CLM-L1"]  # the decided one is not queued
    assert queued("ORD-772") == ["CLM-L2"]
    assert queued("100%") == ["CLM-L2"]
    assert queued("nobody") == []
    assert queued("") == ["CLM-L0", "CLM-L1", "CLM-L2"]


ORDERS_HEADER = (
    "external_id,supplier_external_id,buyer_external_id,buyer_name,buyer_country,category,"
    "payment_method,currency,order_amount,covered_amount,paid_amount,placed_at,ship_by,"
    "shipped_at,delivered_at,cancelled_at,status\n"
)
CLAIMS_HEADER = "external_id,order_external_id,kind,filed_at,claimed_amount,currency\n"


def _imported(session_factory: sessionmaker[Session], entity: str, body: str) -> None:
    result = import_file(
        session_factory, Actor.system("test"), entity,  # type: ignore[arg-type]
        io.BytesIO(body.encode()), file_name=f"{entity}.csv", now=NOW,
    )  # fmt: skip
    assert result.written, result.problems


def _order_line(order: str, buyer: str, name: str) -> str:
    return (
        f"{order},SUP-SEQ,{buyer},{name},DE,Machinery,tt,USD,100.00,100.00,100.00,"
        "2025-01-02T09:00:00Z,2025-01-10,,,,placed\n"
    )


def test_a_search_follows_an_orders_new_buyer_and_a_claims_new_order(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """The search reads the claim's copies of its order's reference and buyer: after an orders
    file moves the order to another buyer, and a claims file moves the claim to another order,
    the claim is found by the new ones only, in Find a claim and in the queue."""
    with session_factory.begin() as s:
        f.supplier(s, external_id="SUP-SEQ")
    _imported(
        session_factory,
        "orders",
        ORDERS_HEADER
        + _order_line("ORD-S1", "BUY-ANNA", "Anna Svensson AB")
        + _order_line("ORD-S2", "BUY-BO", "Bo Lindqvist KB"),
    )
    _imported(
        session_factory,
        "claims",
        CLAIMS_HEADER + "CLM-S1,ORD-S1,late_shipment,2025-01-20T09:00:00Z,50.00,USD\n",
    )

    def found(text: str) -> list[tuple[str, str, str]]:
        items = find_claims(engine, text).items
        return [(c.claim_external_id, c.order_external_id, c.buyer_external_id) for c in items]

    def queued(text: str) -> list[str]:
        page = load_queue(engine, QueueFilters(search=text), None, page=1, policy=POLICY, now=NOW)
        return [i.claim_external_id for i in page.items]

    assert found("anna") == [("CLM-S1", "ORD-S1", "BUY-ANNA")]
    assert (found("lindqvist"), queued("anna")) == ([], ["CLM-S1"])
    # The order now placed by Bo: the claim follows, in both searches.
    _imported(
        session_factory,
        "orders",
        ORDERS_HEADER + _order_line("ORD-S1", "BUY-BO", "Bo Lindqvist KB"),
    )
    assert (found("anna"), queued("anna")) == ([], [])
    assert found("lindqvist") == [("CLM-S1", "ORD-S1", "BUY-BO")]
    assert queued("buy-bo") == ["CLM-S1"]
    # The claim moved to the other order: found by its reference, no longer by the first's.
    _imported(
        session_factory,
        "claims",
        CLAIMS_HEADER + "CLM-S1,ORD-S2,late_shipment,2025-01-20T09:00:00Z,50.00,USD\n",
    )
    assert (found("ord-s1"), queued("ord-s1")) == ([], [])
    assert found("ord-s2") == [("CLM-S1", "ORD-S2", "BUY-BO")]
    assert queued("ORD-S2") == ["CLM-S1"]
    with engine.connect() as conn:
        assert claims_out_of_step(conn) == []
