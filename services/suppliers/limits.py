"""Change a supplier's Trade Assurance limit: one transaction, role checked on the server.

The change writes the suppliers row, a ``supplier_limit_changes`` row (old, new, reason, who,
when) and an audit event with the limit before and after — all or nothing. Ops managers (and the
operator at the shell) may do it; anyone else is refused inside the transaction, whatever a page
shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.engine import write_session
from data_access.models import Supplier, SupplierLimitChange
from rules import MoneyError, format_money
from rules import parse_money as rules_parse_money
from services import audit
from services.auth import Actor, Permission, authorize

__all__ = [
    "MAX_LIMIT_CENTS",
    "MAX_REASON_LENGTH",
    "LimitChange",
    "LimitError",
    "change_limit",
    "parse_money",
]

#: A sanity bound (USD 10 billion): a limit above it is a typo, not a decision.
MAX_LIMIT_CENTS = 1_000_000_000_000
MAX_REASON_LENGTH = 1_000


class LimitError(ValueError):
    """The change cannot be made as asked; the message says why and is safe to show."""


@dataclass(frozen=True, slots=True)
class LimitChange:
    supplier_external_id: str
    supplier_name: str
    old_limit_cents: int
    new_limit_cents: int
    reason: str
    changed_at: datetime
    changed_by: str

    @property
    def message(self) -> str:
        return (
            f"The limit of {self.supplier_name} ({self.supplier_external_id}) is now "
            f"{format_money(self.new_limit_cents)} (was {format_money(self.old_limit_cents)})."
        )


def parse_money(text: str) -> int:
    """``"250000.00"`` or ``"250,000"`` -> ``25000000`` cents, exactly; refuses what is not such
    an amount. The claim page's parser (``rules.parse_money``), so both forms take the same
    text: ASCII digits, thousands separators in the right places only (``"1,5"`` is refused,
    as it means 1.5 to half the world), at most two decimals, an optional ``USD``; never
    negative.
    """
    cleaned = text.strip()
    if not cleaned:
        raise LimitError("Enter the new limit in US dollars (for example 250,000.00).")
    if cleaned.startswith("-"):
        raise LimitError(f"{cleaned!r}: a limit cannot be negative.")
    try:
        return rules_parse_money(cleaned, grouping=True, currency="USD")
    except MoneyError:
        raise LimitError(
            f"{cleaned!r} is not an amount in US dollars with at most two decimals "
            "(for example 250000.00 or 250,000.00)."
        ) from None


def _check(new_limit_cents: int, reason: str) -> str:
    if type(new_limit_cents) is not int:
        raise LimitError("The new limit must be a whole number of cents.")
    if new_limit_cents < 0:
        raise LimitError(f"A limit cannot be negative ({format_money(new_limit_cents)}).")
    if new_limit_cents > MAX_LIMIT_CENTS:
        raise LimitError(
            f"{format_money(new_limit_cents)} is above the largest limit the console accepts "
            f"({format_money(MAX_LIMIT_CENTS)}); check the amount."
        )
    cleaned = reason.strip()
    if not cleaned:
        raise LimitError("Give a reason for the change; it is kept in the limit history.")
    if len(cleaned) > MAX_REASON_LENGTH:
        raise LimitError(f"Keep the reason under {MAX_REASON_LENGTH:,} characters.")
    return cleaned


def change_limit(
    factory: sessionmaker[Session],
    actor: Actor,
    supplier_external_id: str,
    new_limit_cents: int,
    reason: str,
    now: datetime,
) -> LimitChange:
    """Set the supplier's limit to ``new_limit_cents`` with a required ``reason``.

    Raises ``NotAllowed`` for a role that may not change limits (checked against the account as
    stored now), ``LimitError`` for an unknown supplier, a negative limit, no reason, or a limit
    equal to the current one. Nothing is written unless everything is.
    """
    cleaned = _check(new_limit_cents, reason)
    with write_session(factory) as session:
        current = authorize(session, actor, Permission.CHANGE_LIMIT)
        supplier = session.execute(
            select(Supplier)
            .where(func.upper(Supplier.external_id) == supplier_external_id.strip().upper())
            .with_for_update()
        ).scalar_one_or_none()
        if supplier is None:
            raise LimitError(f"There is no supplier {supplier_external_id.strip()}.")
        old = supplier.limit_cents
        if old == new_limit_cents:
            raise LimitError(
                f"The limit of {supplier.name} is already {format_money(old)}; nothing to change."
            )
        supplier.limit_cents = new_limit_cents
        session.add(
            SupplierLimitChange(
                supplier_id=supplier.id,
                old_limit_cents=old,
                new_limit_cents=new_limit_cents,
                reason=cleaned,
                changed_by_id=current.user_id,
                changed_at=now,
            )
        )
        audit.record(
            session,
            current,
            "change_limit",
            "supplier",
            supplier.id,
            before={"supplier": supplier.external_id, "limit_cents": old},
            after={
                "supplier": supplier.external_id,
                "limit_cents": new_limit_cents,
                "reason": cleaned,
            },
            at=now,
        )
        return LimitChange(
            supplier_external_id=supplier.external_id,
            supplier_name=supplier.name,
            old_limit_cents=old,
            new_limit_cents=new_limit_cents,
            reason=cleaned,
            changed_at=now,
            changed_by=current.display_name,
        )
