"""indexes for the claims open at an instant (issue 14, the pages at ten million orders)

The exposure and supplier figures first read the orders with a claim open at the instant they
show. Tested row by row that scanned every claim filed before it (0.6 s a time at a quarter of a
million claims, four times on the exposure page); read as the undecided claims (by status) and
those decided or withdrawn since (by these partial indexes) it reads the few thousand it keeps.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (("ix_claims_decided_at", "decided_at"), ("ix_claims_withdrawn_at", "withdrawn_at"))


def upgrade() -> None:
    for name, column in _INDEXES:
        present = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "claims", [column], sqlite_where=present, postgresql_where=present)


def downgrade() -> None:
    for name, column in _INDEXES:
        present = sa.text(f"{column} IS NOT NULL")
        op.drop_index(name, "claims", sqlite_where=present, postgresql_where=present)
