"""Find a claim by the reference someone has at hand: the claim's, the order's or the buyer's,
or the buyer's name — every claim, decided or not, one page at a time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from data_access.queries.claim_lookup import (
    claim_by_reference,
    claim_lookup_rows,
    claim_lookup_total,
)

__all__ = [
    "LOOKUP_PAGE_SIZE",
    "MAX_LOOKUP_TEXT",
    "FoundClaim",
    "LookupPage",
    "claim_reference",
    "find_claims",
]

LOOKUP_PAGE_SIZE = 25
#: Longer text is no reference anybody types; it is cut, not refused.
MAX_LOOKUP_TEXT = 100


@dataclass(frozen=True, slots=True)
class FoundClaim:
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
    #: What the text was found in: "claim", "order", "buyer" (its reference) or "buyer name".
    matched: str


@dataclass(frozen=True, slots=True)
class LookupPage:
    text: str
    items: tuple[FoundClaim, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def exact(self) -> FoundClaim | None:
        """The claim whose own reference is the text (case aside), if there is one."""
        first = self.items[0] if self.items else None
        if first is not None and first.claim_external_id.casefold() == self.text.casefold():
            return first
        return None


def _matched(text: str, claim: str, order: str, buyer: str, name: str) -> str:
    wanted = text.casefold()
    for field, value in (("claim", claim), ("order", order), ("buyer", buyer)):
        if wanted in value.casefold():
            return field
    return "buyer name" if wanted in name.casefold() else "claim"


def claim_reference(engine: Engine, text: str) -> str | None:
    """The reference of the claim called ``text`` (as typed, or in capitals), or None: an index
    lookup, for opening a claim typed in full without searching every claim."""
    text = text.strip()[:MAX_LOOKUP_TEXT]
    if not text:
        return None
    with engine.connect() as conn:
        return claim_by_reference(conn, text)


def find_claims(
    engine: Engine, text: str, *, page: int = 1, page_size: int = LOOKUP_PAGE_SIZE
) -> LookupPage:
    """Claims whose reference, order reference, buyer reference or buyer name contains
    ``text`` (any case); page ``page`` (1-based, clamped to the last one). Empty text finds
    nothing rather than everything."""
    if page_size <= 0:
        raise ValueError("page_size must be positive")
    text = text.strip()[:MAX_LOOKUP_TEXT]
    if not text:
        return LookupPage(text, (), 0, 1, page_size)
    page = max(1, page)
    with engine.connect() as conn:
        rows = claim_lookup_rows(conn, text, limit=page_size, offset=(page - 1) * page_size)
        # No row on the first page: nothing matches, no second scan to count it.
        total = rows[0].total if rows else (0 if page == 1 else claim_lookup_total(conn, text))
        pages = max(1, math.ceil(total / page_size))
        if page > pages:  # past the end (the matches shrank): the last page instead
            page = pages
            rows = claim_lookup_rows(conn, text, limit=page_size, offset=(page - 1) * page_size)
    items = tuple(
        FoundClaim(
            claim_external_id=r.claim_external_id,
            order_external_id=r.order_external_id,
            buyer_external_id=r.buyer_external_id,
            buyer_name=r.buyer_name,
            buyer_country=r.buyer_country,
            supplier_name=r.supplier_name,
            supplier_country=r.supplier_country,
            kind=r.kind,
            status=r.status,
            filed_at=r.filed_at,
            claimed_amount_cents=r.claimed_amount_cents,
            matched=_matched(
                text, r.claim_external_id, r.order_external_id, r.buyer_external_id, r.buyer_name
            ),
        )
        for r in rows
    )
    return LookupPage(text, items, total, page, page_size)
