"""daily summary tables for the dashboards (issue 14)

The dashboards read daily counts kept in step with the orders and claims instead of grouping
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

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _counts(*names: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def _keys() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
    ]


_LIVE = ("live_orders", "live_covered_cents", "live_cap_cents")


def upgrade() -> None:
    op.create_table(
        "summary_state",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("claim_window_days", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("zone", name=op.f("pk_summary_state")),
    )
    op.create_table(
        "summary_order_days",
        *_keys(),
        *_counts("shipping", "due", "late", "placed", *_LIVE),
        sa.PrimaryKeyConstraint(
            "zone", "day", "dimension", "value", name=op.f("pk_summary_order_days")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "summary_claim_days",
        *_keys(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        *_counts("claims"),
        sa.PrimaryKeyConstraint(
            "zone", "day", "dimension", "value", "kind", name=op.f("pk_summary_claim_days")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "summary_supplier_days",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        *_counts("due", "late", "placed", "claims", *_LIVE),
        sa.PrimaryKeyConstraint(
            "zone", "day", "supplier_id", name=op.f("pk_summary_supplier_days")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_summary_supplier_days_zone_supplier_day",
        "summary_supplier_days",
        ["zone", "supplier_id", "day"],
    )


def downgrade() -> None:
    for table in (
        "summary_supplier_days",
        "summary_claim_days",
        "summary_order_days",
        "summary_state",
    ):
        op.drop_table(table)
