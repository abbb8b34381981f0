"""Each claim's order's reference and buyer copied onto the claim, for Find a claim

A search for a text matches a claim's reference, its order's and its buyer's reference and
name. It read each claim's order by its key to test the order's reference and buyer: at ten
million orders, 261,727 claims, one search took 1–3 s. With the copies it reads the claims and
the buyers only. Filled here from the orders; kept in step since by every writer of claims and
of an order's buyer (``data_access.claim_copies``).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_external_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("buyer_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE claims SET"
        " order_external_id = (SELECT external_id FROM orders WHERE orders.id = claims.order_id),"
        " buyer_id = (SELECT buyer_id FROM orders WHERE orders.id = claims.order_id)"
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.alter_column("order_external_id", nullable=False)
        batch_op.alter_column("buyer_id", nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_claims_buyer_id_buyers"), "buyers", ["buyer_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_claims_buyer_id_buyers"), type_="foreignkey")
        batch_op.drop_column("buyer_id")
        batch_op.drop_column("order_external_id")
