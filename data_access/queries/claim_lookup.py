"""Finding claims by what people call them: the claim's reference, its order's, its buyer's, or
the buyer's name.

A case-insensitive substring match in SQL (``text_match.contains_text``), with the LIKE
wildcards of the typed text escaped, so ``50%`` or ``a_b`` match themselves. (SQLite folds ASCII
letters only, so a buyer name with accented capitals matches its exact case there; PostgreSQL
folds them all.) The match reads the claims and the buyers only: each claim carries copies of
its order's reference and buyer (``data_access.claim_copies``). On SQLite the buyers that match
are found by one scan of the buyers; PostgreSQL looks a text of three letters or more up in
trigram indexes (:func:`_matched`). Its cost follows the number of claims and of buyers (on
PostgreSQL, mostly of the matches), never that of orders. (Each claim's order looked up to test
it took 1.9–2.0 s cold on PostgreSQL and 0.9–1.2 s on SQLite for one buyer's name at ten
million orders, 261,727 claims; each claim's buyer looked up as well, 3.0–4.3 s and 1.4–1.5 s.)
Claims whose own reference equals the text come first, then the most recently filed; paging
is in SQL, and only the page's rows are joined to their order and supplier.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, CompoundSelect, Select, case, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from data_access.claim_facts import Executor, connection_of
from data_access.models import Buyer, Claim, Order, Supplier
from data_access.text_match import contains_text

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


def _buyer_matches(text: str) -> ColumnElement[bool]:
    """A condition on ``buyers``: the buyer's reference or name contains ``text``."""
    return or_(contains_text(Buyer.external_id, text), contains_text(Buyer.name, text))


#: The shortest text PostgreSQL's trigram indexes can look up (one piece of three letters).
TRIGRAM = 3


def _matched(text: str, dialect: str) -> Select[Any] | CompoundSelect[Any]:
    """The claims whose reference, order reference, buyer reference or buyer name holds
    ``text``: (claim_id, exact, filed_at), ``exact`` 0 where the claim's reference is ``text``.

    * SQLite: the claims once, each tested against the set of matching buyers (found by one
      scan of the buyers): 0.15 s at ten million orders.
    * PostgreSQL, a text of three letters or more: two parts its indexes answer (migration
      0021's trigram indexes; ``ix_claims_buyer_id``): the claims matching by their own
      columns, and those matching by their buyer only, so that no claim is found twice and
      none has to be sorted out. One buyer's name at ten million orders (261,727 claims,
      500,000 buyers) 0.03–0.04 s, where one pass read them all in 0.26–0.28 s; "and" (72,932
      matches) 0.20–0.25 s, "ORD-" (every claim) 0.40 s.
    * PostgreSQL, a shorter text (no trigram to look up): the claims once, each joined to its
      buyer by one hash join, 0.29 s ("zz"). Not as SQLite does it: PostgreSQL hashes the
      matching buyers for that test only where it expects them to fit its ``work_mem``, and
      expecting all 500,000 for one letter it read them again for every claim ("a" at ten
      million orders: no answer after 20 s; this way 0.61 s).
    """
    exact = case((func.lower(Claim.external_id) == text.lower(), 0), else_=1).label("exact")
    found = select(Claim.id.label("claim_id"), exact, Claim.filed_at)
    own = or_(contains_text(Claim.external_id, text), contains_text(Claim.order_external_id, text))
    if dialect != "postgresql":
        return found.where(
            or_(own, Claim.buyer_id.in_(select(Buyer.id).where(_buyer_matches(text))))
        )
    if len(text) < TRIGRAM:
        return found.outerjoin(Buyer, Buyer.id == Claim.buyer_id).where(
            or_(own, _buyer_matches(text))
        )
    by_buyer_only = (
        select(Claim.id, literal(1), Claim.filed_at)
        .join(Buyer, Buyer.id == Claim.buyer_id)
        .where(_buyer_matches(text), ~own)
    )
    return found.where(own).union_all(by_buyer_only)


def claim_search_condition(text: str) -> ColumnElement[bool]:
    """A condition on ``claims`` alone: the claim, its order or its buyer matches ``text``.

    For the queue, which pages a few thousand undecided claims: the claim's buyer is read by
    its key, claim by claim, and its reference and name tested. That costs less than one scan
    of every buyer, as :func:`_matched` reads them on SQLite and for a short text (0.5 s
    instead of 0.1 at ten million orders on PostgreSQL). Written as a value read per claim,
    not as an EXISTS: PostgreSQL turns an EXISTS on the key into a test against a hashed scan
    of every buyer.
    """

    def buyers(column: InstrumentedAttribute[str]) -> ColumnElement[str]:
        return select(column).where(Buyer.id == Claim.buyer_id).scalar_subquery()

    return or_(
        contains_text(Claim.external_id, text),
        contains_text(Claim.order_external_id, text),
        contains_text(buyers(Buyer.external_id), text),
        contains_text(buyers(Buyer.name), text),
    )


def claim_lookup_rows(
    executor: Executor, text: str, *, limit: int, offset: int = 0
) -> list[LookupRow]:
    """One page of the claims matching ``text``: an exact claim reference first, then newest.

    Each row carries the number of matches in all, so a page costs one scan; a page past the
    end has no rows, and :func:`claim_lookup_total` counts. The claims are matched and paged
    by themselves; only the page's rows are joined to their order, buyer and supplier.
    """
    if limit <= 0 or offset < 0:
        raise ValueError("limit must be positive and offset not negative")
    dialect = connection_of(executor).dialect.name
    matched = _matched(text, dialect).cte("matched")
    if dialect == "postgresql":
        # The matches found before they are sorted: PostgreSQL, expecting most claims to match
        # a short text, sorted all 261,727 at ten million orders and then tested them one by
        # one against their buyer (1.0 s for 790 matches; found first, 0.3 s).
        matched = matched.prefix_with("MATERIALIZED")
    order = (matched.c.exact, matched.c.filed_at.desc(), matched.c.claim_id.desc())
    page = (
        select(matched, func.count().over().label("total"))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    query = (
        select(
            Claim.id,
            Claim.external_id,
            Claim.order_external_id,
            Buyer.external_id,
            Buyer.name,
            Buyer.country,
            Supplier.name,
            Supplier.country,
            Claim.kind,
            Claim.status,
            Claim.filed_at,
            Claim.claimed_amount_cents,
            page.c.total,
        )
        .join(Claim, Claim.id == page.c.claim_id)
        .join(Buyer, Buyer.id == Claim.buyer_id)
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .order_by(page.c.exact, page.c.filed_at.desc(), page.c.claim_id.desc())
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
