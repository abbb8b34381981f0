"""refunds in the summaries (issue 14, the exposure page at ten million orders)

The exposure page joined every approved refund with its order twice: for the loss ratio (each
monthly order cohort's refunds) and for what live orders could still pay out (their caps less
the refunds already taken from them): PostgreSQL at a million orders 0.22 s and 0.16 s, at ten
million 1.7 s each. ``summary_refund_days`` holds the refunds per cohort and per day their count
changes; the per-supplier summaries gain ``live_taken_cents``, the refunds taken from live
orders' caps, dated like their other exposure inputs. Both are kept in step by imports like the
other daily summaries and by each final approval in its own transaction.

The summaries are emptied and so is ``summary_state``: every figure counts from the base tables
until ``assurance db upgrade`` (or ``assurance db rebuild-summaries``) builds them all again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_SUPPLIER_SUMS = ("summary_supplier_days", "summary_supplier_months")


def upgrade() -> None:
    for table in _SUPPLIER_SUMS:
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608  (fixed names above)
        # A plain ADD COLUMN (as 0008): the table is empty and writers always give the column.
        op.add_column(
            table,
            sa.Column("live_taken_cents", sa.BigInteger(), nullable=False, server_default="0"),
        )
    op.create_table(
        "summary_refund_days",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cohort", sa.Date(), nullable=False),
        sa.Column("refunds", sa.BigInteger(), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("zone", "day", "cohort", name=op.f("pk_summary_refund_days")),
        sqlite_with_rowid=False,
    )
    op.execute(sa.text("DELETE FROM summary_state"))


def downgrade() -> None:
    op.drop_table("summary_refund_days")
    for table in _SUPPLIER_SUMS:
        # Their other sums stay as they were (a day only the refunds touched sums to zero).
        op.drop_column(table, "live_taken_cents")
    op.execute(sa.text("DELETE FROM summary_state"))
