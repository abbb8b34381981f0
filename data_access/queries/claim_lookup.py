"""Finding claims by what people call them: the claim's reference, its order's, its buyer's, or
the buyer's name.

A case-insensitive substring match in SQL: ``lower(column) LIKE lower(text)`` on both databases,
with the LIKE wildcards of the typed text escaped, so ``50%`` or ``a_b`` match themselves. (SQLite's
``lower()`` folds ASCII letters only, so a buyer name with accented capitals matches its exact case
there; PostgreSQL folds them all.) The scan starts from the claims and reaches each claim's order
by primary key: its cost follows the number of claims, never that of orders. The buyers that match
are found by one scan of the buyers, and a claim's order's buyer id tested against them; a buyer's
row is read for the page's columns, not to test it. (Every claim's buyer looked up to test its
name took as long as the orders: at ten million orders, 261,727 claims, a search for
one buyer's name took 3.0–4.3 s cold on PostgreSQL and 1.4–1.5 s on SQLite, now 1.9–2.0 s and
0.9–1.2 s; a text that every claim matches costs the one scan of the buyers more, 0.2–0.4 s.)
Claims whose own reference equals the text come first, then the most recently filed; paging is in
SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, case, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from data_access.claim_facts import Executor
from data_access.models import Buyer, Claim, Order, Supplier

__all__ = [
    "LookupRow",
    "claim_by_reference",
    "claim_lookup_rows",
    "claim_lookup_total",
    "claim_search_condition",
]


class LookupRow(NamedTuple):
    claim_id: int
    claim_external_id: str
    order_external_id: str
    buyer_external_id: str
    buyer_name: str
    buyer_country: str
    supplier_name: str
    supplier_country: str
    kind: str
    status: str
    filed_at: datetime
    claimed_amount_cents: int
    #: How many claims match in all (the same on every row: one scan yields page and count).
    total: int


def _contains(
    column: ColumnElement[str] | InstrumentedAttribute[str], text: str
) -> ColumnElement[bool]:
    # autoescape: the text's own % and _ are literal, not wildcards.
    return column.icontains(text, autoescape=True)


def _buyer_matches(text: str) -> ColumnElement[bool]:
    """A condition on ``buyers``: the buyer's reference or name contains ``text``."""
    return or_(_contains(Buyer.external_id, text), _contains(Buyer.name, text))


def _matches_joined(text: str) -> ColumnElement[bool]:
    """The match on a query that already joins the claim's order: the buyers that match read
    by one scan of the buyers, not the claim's buyer looked up to be tested."""
    return or_(
        _contains(Claim.external_id, text),
        _contains(Order.external_id, text),
        Order.buyer_id.in_(select(Buyer.id).where(_buyer_matches(text))),
    )


def claim_search_condition(text: str) -> ColumnElement[bool]:
    """A condition on ``claims`` alone: the claim, its order or its buyer matches ``text``.

    For queries that select from ``claims`` without joining (the queue pages claim ids first):
    the order and buyer are probed per claim through a correlated EXISTS on their primary keys.
    The queue's few thousand undecided claims cost less so than one scan of every buyer (as
    :func:`_matches_joined` reads them, its search took 0.9 s instead of 0.4 at ten million
    orders on PostgreSQL).
    """
    related = (
        exists()
        .where(Order.id == Claim.order_id, Buyer.id == Order.buyer_id)
        .where(or_(_contains(Order.external_id, text), _buyer_matches(text)))
    )
    return or_(_contains(Claim.external_id, text), related)


def claim_lookup_rows(
    executor: Executor, text: str, *, limit: int, offset: int = 0
) -> list[LookupRow]:
    """One page of the claims matching ``text``: an exact claim reference first, then newest.

    Each row carries the number of matches in all, so a page costs one scan; a page past the
    end has no rows, and :func:`claim_lookup_total` counts.
    """
    if limit <= 0 or offset < 0:
        raise ValueError("limit must be positive and offset not negative")
    exact = case((func.lower(Claim.external_id) == text.lower(), 0), else_=1)
    query = (
        select(
            Claim.id,
            Claim.external_id,
            Order.external_id,
            Buyer.external_id,
            Buyer.name,
            Buyer.country,
            Supplier.name,
            Supplier.country,
            Claim.kind,
            Claim.status,
            Claim.filed_at,
            Claim.claimed_amount_cents,
            func.count().over(),
        )
        .join(Order, Order.id == Claim.order_id)
        .join(Buyer, Buyer.id == Order.buyer_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .where(_matches_joined(text))
        .order_by(exact, Claim.filed_at.desc(), Claim.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [LookupRow._make(row) for row in executor.execute(query).all()]


def claim_by_reference(executor: Executor, text: str) -> str | None:
    """The claim whose reference is ``text`` as typed or in capitals, through the unique index
    on ``claims.external_id`` (no scan): a reference typed in full opens at once."""
    candidates = list(dict.fromkeys((text, text.upper())))
    query = select(Claim.external_id).where(Claim.external_id.in_(candidates)).limit(1)
    found = executor.execute(query).scalar()
    return None if found is None else str(found)


def claim_lookup_total(executor: Executor, text: str) -> int:
    """How many claims match ``text``: as the first page counts them (a count of its own let
    PostgreSQL hash all ten million orders against the claims, 4.4 s, where the page's scan
    reaches each claim's order by its key)."""
    first = claim_lookup_rows(executor, text, limit=1)
    return first[0].total if first else 0
