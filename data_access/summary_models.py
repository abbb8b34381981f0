"""The daily summary tables (DESIGN.md §6): derived rows every dashboard figure reads, kept
exactly in step with the base tables of ``data_access.models`` inside each write's transaction
(``data_access.summaries``); what each holds is defined once in ``data_access.summary_rows``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from data_access.model_base import Base, Money

# Daily summary tables (DESIGN.md §6 "Scale"): what the dashboards read instead of grouping every
# order. Counts per calendar day of one programme time zone (``zone``): per value of one
# breakdown dimension (``dimension`` = "all" with value "", "supplier_country", "supplier_tier"
# or "category"; a few dozen rows a day however many orders it has), and per supplier. Kept
# exactly in step by data_access.summaries inside the transaction of every write that changes
# them; ``assurance db rebuild-summaries`` rebuilds them from the base tables.
#
# Exposure inputs (``live_*``): an order is live — without an open claim — on the days from its
# placed day up to, not including, its end (its cancelled day, or its delivered day + the claim
# window + 1). It adds its amounts on its end day (``OPEN_ENDED`` while it has none) and takes
# them away on its placed day, so the exposure at the end of day D is the sum over the days
# after D: a read of the last weeks' rows, not of all history.


class SummaryState(Base):
    """The zones the summaries are kept for and the claim window their exposure inputs use;
    a figure asked in another zone (or window) counts from the base tables instead."""

    __tablename__ = "summary_state"

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    claim_window_days: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime]


class SummaryOrderDay(Base):
    """Per day and dimension value: orders with that ship-by day (``shipping``), of those the
    due (not cancelled before it; ``ship_by < today`` is applied when read) and the late ones,
    orders placed that day, and the exposure inputs."""

    __tablename__ = "summary_order_days"
    # Clustered by (zone, day) on SQLite too: a period is one range of the table, not a lookup
    # per row (PostgreSQL reads the few pages of a day range through the primary key).
    __table_args__ = ({"sqlite_with_rowid": False},)

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    shipping: Mapped[int] = mapped_column(BigInteger)
    due: Mapped[int] = mapped_column(BigInteger)
    late: Mapped[int] = mapped_column(BigInteger)
    placed: Mapped[int] = mapped_column(BigInteger)
    live_orders: Mapped[int] = mapped_column(BigInteger)
    live_covered_cents: Mapped[int] = mapped_column(Money)
    live_cap_cents: Mapped[int] = mapped_column(Money)
    #: Covered amount of the orders placed that day (the loss ratio's cohorts).
    placed_covered_cents: Mapped[int] = mapped_column(Money, server_default="0")


class SummaryClaimDay(Base):
    """Per filed day, dimension value and claim kind: the claims filed."""

    __tablename__ = "summary_claim_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    claims: Mapped[int] = mapped_column(BigInteger)


class SummaryLateDay(Base):
    """Per ship-by day and days late: the late orders (due, and shipped after their ship-by
    day or not at all: ``days_late`` is then ``UNSHIPPED``), for the stress figure's spread."""

    __tablename__ = "summary_late_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    days_late: Mapped[int] = mapped_column(Integer, primary_key=True)
    orders: Mapped[int] = mapped_column(BigInteger)


class SummaryRefundDay(Base):
    """What an order cohort (the month its orders were placed, in the zone) loses, per day it
    changes: the refunds approved (final decisions of approved claims: how many, their amounts)
    and the orders cancelled (how many, their covered amounts), which a cohort leaves out. A
    refund is added on the later of its decided day and its order's placed day, and taken away
    on the day its order was cancelled if later; a cancelled order is added on the later of its
    cancelled and placed days. The rows up to a day sum to what a loss ratio as of that day's
    end counts."""

    __tablename__ = "summary_refund_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    cohort: Mapped[date] = mapped_column(Date, primary_key=True)
    refunds: Mapped[int] = mapped_column(BigInteger)
    refunded_cents: Mapped[int] = mapped_column(Money)
    cancelled_orders: Mapped[int] = mapped_column(BigInteger)
    cancelled_covered_cents: Mapped[int] = mapped_column(Money)


class _SupplierSums:
    """The sums kept per supplier, by day and by month: order counts (``due``/``late`` by
    ship-by day, ``placed``), claims filed, and the exposure inputs."""

    due: Mapped[int] = mapped_column(BigInteger)
    late: Mapped[int] = mapped_column(BigInteger)
    placed: Mapped[int] = mapped_column(BigInteger)
    claims: Mapped[int] = mapped_column(BigInteger)
    live_orders: Mapped[int] = mapped_column(BigInteger)
    live_covered_cents: Mapped[int] = mapped_column(Money)
    live_cap_cents: Mapped[int] = mapped_column(Money)
    #: The refunds approved by a day, as far as they take from live orders' caps (an order's
    #: refunds beyond its cap take nothing more): what it can no longer pay out.
    live_taken_cents: Mapped[int] = mapped_column(Money)


class SummarySupplierDay(_SupplierSums, Base):
    """Per supplier and day: the same order counts, claims filed, and exposure inputs.

    On PostgreSQL the supplier summaries' pages are written part empty (days 80%, months and
    years 50%; migration 0018), so that an import's delta updates their rows in place."""

    __tablename__ = "summary_supplier_days"
    __table_args__ = (
        Index("ix_summary_supplier_days_zone_supplier_day", "zone", "supplier_id", "day"),
        {"sqlite_with_rowid": False},
    )

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class SummarySupplierMonth(_SupplierSums, Base):
    """``summary_supplier_days`` summed per calendar month (``month``: its first day): a
    year of every supplier is a dozen rows each, where its days are hundreds. Derived from the
    days alone (a delta of the days rolls up into one of the months), so the two always agree."""

    __tablename__ = "summary_supplier_months"
    __table_args__ = (
        Index("ix_summary_supplier_months_zone_supplier_month", "zone", "supplier_id", "month"),
        {"sqlite_with_rowid": False},
    )

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class SummarySupplierYear(_SupplierSums, Base):
    """``summary_supplier_months`` summed per calendar year (``year``: its first day): a span
    of most of a year is its year row less the few months outside the span, two or three rows
    a supplier where its months are a dozen. Rolled up from the months as they are from the
    days, so all three always agree."""

    __tablename__ = "summary_supplier_years"
    __table_args__ = (
        Index("ix_summary_supplier_years_zone_supplier_year", "zone", "supplier_id", "year"),
        {"sqlite_with_rowid": False},
    )

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[date] = mapped_column(Date, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class SummaryReviewerState(Base):
    """The zone the reviewer summaries are kept for, and the policy version whose deadlines
    judged which decisions came late (another zone or version counts from the base tables)."""

    __tablename__ = "summary_reviewer_state"

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    policy_version: Mapped[str] = mapped_column(String(32))
    built_at: Mapped[datetime]


class SummaryDecidedDay(Base):
    """Per day of decision: the claims decided (approved or rejected), of those the ones
    decided after the dispute clock's decision deadline, and the refunds approved (final
    approvals: how many, and their amounts)."""

    __tablename__ = "summary_decided_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    decided: Mapped[int] = mapped_column(BigInteger)
    decided_late: Mapped[int] = mapped_column(BigInteger)
    refunds: Mapped[int] = mapped_column(BigInteger)
    refunded_cents: Mapped[int] = mapped_column(Money)


class SummaryReviewerDay(Base):
    """Per day and reviewer: the verdicts recorded, those that answered a recommendation and
    of those the ones departing from it, and the approvals and rejections."""

    __tablename__ = "summary_reviewer_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verdicts: Mapped[int] = mapped_column(BigInteger)
    answered: Mapped[int] = mapped_column(BigInteger)
    overridden: Mapped[int] = mapped_column(BigInteger)
    approved: Mapped[int] = mapped_column(BigInteger)
    rejected: Mapped[int] = mapped_column(BigInteger)


class SummaryReasonDay(Base):
    """Per day and reason code of the recommendation answered: the verdicts that answered one
    with that reason, and of those the ones departing from it."""

    __tablename__ = "summary_reason_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    answered: Mapped[int] = mapped_column(BigInteger)
    overridden: Mapped[int] = mapped_column(BigInteger)
