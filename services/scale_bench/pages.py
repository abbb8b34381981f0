"""What the page timings need from the database, and what they report.

The timing itself runs the app (Streamlit's AppTest) and so lives on the UI side
(``ui.bench_pages``); this side picks the people and the records the pages open: a user of each
role, the supplier with the most orders (its page is the heaviest), the latest-filed claim
still waiting for a decision, and that claim's buyer's name, which Find a claim searches for
(a buyer on the phone gives their name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from data_access.models import UNDECIDED_CLAIM_STATUSES, Buyer, Claim, Order, Supplier
from services.auth import Role
from services.users import list_users

__all__ = ["PageSubjects", "PageTimer", "PageTiming", "page_subjects"]


@dataclass(frozen=True, slots=True)
class PageSubjects:
    database_url: str
    #: The instant the app's clock is frozen at while the pages run (cold and warm alike).
    now: datetime
    #: An active user's email per role.
    emails: dict[Role, str]
    supplier: str
    claim: str
    #: What Find a claim is opened searching for: the claim's buyer's name.
    search: str


@dataclass(frozen=True, slots=True)
class PageTiming:
    page: str
    role: Role
    #: Server time: with empty data caches, then again with them filled (each the median of
    #: ``runs`` runs).
    cold_s: float
    warm_s: float
    runs: int = 1


PageTimer = Callable[[PageSubjects], list[PageTiming]]


def page_subjects(engine: Engine, database_url: str, now: datetime) -> PageSubjects:
    emails: dict[Role, str] = {}
    for user in list_users(engine):
        if user.is_active:
            emails.setdefault(user.role, user.email)
    with engine.connect() as conn:
        busiest = (
            select(Order.supplier_id)
            .group_by(Order.supplier_id)
            .order_by(func.count().desc(), Order.supplier_id)
            .limit(1)
            .scalar_subquery()
        )
        supplier = conn.execute(
            select(Supplier.external_id).where(Supplier.id == busiest)
        ).scalar_one_or_none()
        latest = conn.execute(
            select(Claim.external_id, Buyer.name)
            .join(Buyer, Buyer.id == Claim.buyer_id)
            .where(Claim.status.in_(UNDECIDED_CLAIM_STATUSES))
            .order_by(Claim.filed_at.desc(), Claim.id.desc())
            .limit(1)
        ).one_or_none()
    if supplier is None or latest is None:
        raise RuntimeError("the bench database needs orders and an undecided claim")
    claim, buyer = latest
    return PageSubjects(database_url, now, emails, supplier, claim, buyer)
