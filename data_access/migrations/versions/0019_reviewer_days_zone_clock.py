"""The reviewer summaries counted again: lateness judged by the programme zone's dispute clock

Until this version the reviewers' "decided after the deadline" (kept per day in
``summary_decided_days``) judged each decision against the dispute clock counted in UTC's days
and working days, while the queue and the claim page show deadlines counted in the programme's
time zone. Forgetting which zones are kept makes the figures count from the decisions
themselves until the summaries are counted again, which ``assurance db upgrade`` does straight
after migrating (``services.summaries.ensure_built``), as `make run` does before the app starts.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 18:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM summary_reviewer_state")


def downgrade() -> None:
    # The older code keeps its own judgement again once it rebuilds; nothing to restore here.
    op.execute("DELETE FROM summary_reviewer_state")
