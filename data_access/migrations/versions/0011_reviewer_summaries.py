"""daily reviewer summaries (issue 14, the overview at ten million orders)

The overview's reviewer service figures judged every verdict and every decided claim of the
period row by row (a year at ten million orders: 150,000 verdicts, over four seconds), and the
refunds approved were summed from every approved claim's final decision. Verdicts
are append-only and a claim is decided once, so each day's counts are fixed when the day's
decisions are recorded: these tables keep them per day, reviewer and reason code, added to in
the decision's own transaction. They start empty and without a ``summary_reviewer_state`` row:
until built (``assurance db upgrade`` builds them, as do a demo seed and
``assurance db rebuild-summaries``) the figures count from the base tables.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _counts(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "summary_reviewer_state",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("zone", name=op.f("pk_summary_reviewer_state")),
    )
    op.create_table(
        "summary_decided_days",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_counts("decided", "decided_late", "refunds", "refunded_cents"),
        sa.PrimaryKeyConstraint("zone", "day", name=op.f("pk_summary_decided_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "summary_reviewer_days",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        *_counts("verdicts", "answered", "overridden", "approved", "rejected"),
        sa.PrimaryKeyConstraint(
            "zone", "day", "reviewer_id", name=op.f("pk_summary_reviewer_days")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "summary_reason_days",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        *_counts("answered", "overridden"),
        sa.PrimaryKeyConstraint("zone", "day", "reason_code", name=op.f("pk_summary_reason_days")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for name in (
        "summary_reason_days",
        "summary_reviewer_days",
        "summary_decided_days",
        "summary_reviewer_state",
    ):
        op.drop_table(name)
