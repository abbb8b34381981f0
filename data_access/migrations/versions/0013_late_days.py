"""late orders by days late, per ship-by day (issue 14, the exposure page at ten million orders)

The exposure page's "late shipments double" figure weighs the late orders of the last 90 days
by how late they were: counted from the orders, that read every order of the window (0.4–0.8 s
at ten million orders). ``summary_late_days`` holds the late orders per ship-by day and days
late (never shipped: -1), kept in step by every write like the other daily summaries.

It starts empty, so ``summary_state`` is emptied too: every figure counts from the base tables
until ``assurance db upgrade`` (or ``assurance db rebuild-summaries``) builds them all again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "summary_late_days",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("zone", "day", "days_late", name=op.f("pk_summary_late_days")),
        sqlite_with_rowid=False,
    )
    op.execute(sa.text("DELETE FROM summary_state"))


def downgrade() -> None:
    op.drop_table("summary_late_days")
    op.execute(sa.text("DELETE FROM summary_state"))
