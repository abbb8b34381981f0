"""daily summary tables for the overview's rates (issue 14)

The overview reads daily counts kept in step with the orders and claims instead of grouping
every order (DESIGN.md §6 "Scale"). The tables start empty and without a ``summary_state`` row:
until they are built (``assurance db upgrade`` builds them for the programme's zone, as do a
demo seed and ``assurance db rebuild-summaries``) every figure counts from the base tables.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keys() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "summary_state",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("zone", name=op.f("pk_summary_state")),
    )
    op.create_table(
        "summary_order_days",
        *_keys(),
        sa.Column("due", sa.BigInteger(), nullable=False),
        sa.Column("late", sa.BigInteger(), nullable=False),
        sa.Column("placed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "zone", "day", "dimension", "value", name=op.f("pk_summary_order_days")
        ),
    )
    op.create_table(
        "summary_claim_days",
        *_keys(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "zone", "day", "dimension", "value", "kind", name=op.f("pk_summary_claim_days")
        ),
    )


def downgrade() -> None:
    for table in ("summary_claim_days", "summary_order_days", "summary_state"):
        op.drop_table(table)
