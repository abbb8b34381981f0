"""cancelled orders in the cohorts' summary (issue 14, the exposure page at ten million orders)

The loss ratio leaves out of each monthly cohort the orders cancelled by the day it is read
as of: read from the orders, every cancelled order of twelve months (at ten million orders,
a quarter of a million: SQLite 0.17 s, PostgreSQL 0.37 s a page). ``summary_refund_days``
now counts them beside the refunds, each on the later of its cancelled and placed days, so
the cohorts' losses are one read of that summary.

The summary is emptied and so is ``summary_state``: every figure counts from the base tables
until ``assurance db upgrade`` (or ``assurance db rebuild-summaries``) builds them all again.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("cancelled_orders", "cancelled_covered_cents")


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM summary_refund_days"))
    for name in _COLUMNS:
        # A plain ADD COLUMN (as 0008): the table is empty and writers always give the column.
        op.add_column(
            "summary_refund_days",
            sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"),
        )
    op.execute(sa.text("DELETE FROM summary_state"))


def downgrade() -> None:
    # The refunds' rows stay; a day only cancellations touched then sums to zero refunds.
    for name in _COLUMNS:
        op.drop_column("summary_refund_days", name)
    op.execute(sa.text("DELETE FROM summary_state"))
