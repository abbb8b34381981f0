"""GiST indexes on the claims' spans from filing to decision and to withdrawal (PostgreSQL)

The claims open at an instant include those filed before it and decided (or withdrawn) at or
after it. PostgreSQL's planner judges the two times independent, so for an instant some months
back it read every claim filed before it by the filing-time index (146,000 to keep 5,700 at
ten million orders, 30–70 ms; the exposure page asks at thirteen instants) or scanned them
all. A range index on ``(filed_at, closed]`` answers "holds the instant" directly (2 ms there).
SQLite has no range type and finds these claims by the index on the closing time
(``data_access.sql.span_holds``).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 03:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLOSED = ("decided_at", "withdrawn_at")


def _name(closed: str) -> str:
    return f"ix_claims_{closed.removesuffix('_at')}_span"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for closed in _CLOSED:
        op.create_index(
            _name(closed),
            "claims",
            [sa.text(f"tstzrange(filed_at, GREATEST(filed_at, {closed}), '(]')")],
            postgresql_using="gist",
            postgresql_where=sa.text(f"{closed} IS NOT NULL"),
        )
    op.execute("ANALYZE claims")  # the expressions' statistics, for the planner's estimates


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for closed in _CLOSED:
        op.drop_index(_name(closed), table_name="claims")
