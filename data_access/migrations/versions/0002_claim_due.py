"""claim due: the next deadline of each undecided claim, for the reviewers' queue

The queue sorts undecided claims by their nearest deadline and pages in SQL, so the deadline is
stored (``due_at``, ``due_label``) and indexed with the status. Existing rows start empty;
``services.claim_due.refresh_due`` (run on every write and by ``assurance recommend``) fills them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 04:50:39.334587
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("due_label", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_claims_status_due_at", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_status_due_at")
        batch_op.drop_column("due_label")
        batch_op.drop_column("due_at")
