"""loss ratio cohorts from the daily summaries (issue 14, the pages)

The exposure page's loss ratio divides refunds by the covered amount of each month's orders:
``summary_order_days.placed_covered_cents`` holds the covered amount of the orders placed each
day, and a partial index on the cancelled orders' placing times finds the few a cohort leaves
out, so the cohorts no longer add up a year of orders.

The summaries already stored lack the new column's sums: they are emptied here (and
``summary_state`` with them), so every figure counts from the base tables until
``assurance db upgrade`` (or ``assurance db rebuild-summaries``) builds them again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUMMARIES = ("summary_order_days", "summary_claim_days", "summary_supplier_days", "summary_state")
_CANCELLED = sa.text("cancelled_at IS NOT NULL")


def upgrade() -> None:
    for table in _SUMMARIES:
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608  (fixed names above)
    # A plain ADD COLUMN on both databases (SQLite needs the default for NOT NULL; the table
    # is empty, and writers always give the column): no rebuild of the WITHOUT ROWID table.
    op.add_column(
        "summary_order_days",
        sa.Column("placed_covered_cents", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_orders_cancelled_placed_at",
        "orders",
        ["placed_at", "cancelled_at", "covered_amount_cents"],
        sqlite_where=_CANCELLED,
        postgresql_where=_CANCELLED,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_orders_cancelled_placed_at",
        "orders",
        sqlite_where=_CANCELLED,
        postgresql_where=_CANCELLED,
    )
    for table in _SUMMARIES:
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy would lose WITHOUT ROWID.
    op.drop_column("summary_order_days", "placed_covered_cents")
