"""index for the queue's "assigned to me" filter

Without it SQLite reads every undecided claim to find a reviewer's own (286 ms at 100k
undecided claims; 3 ms with it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 05:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_claims_assignee_status", "claims", ["assignee_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claims_assignee_status", table_name="claims")
