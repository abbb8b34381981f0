"""decisions as a numbered chain (sole / proposal / confirmation); latest recommendation by id

The four-eyes rule becomes "final only when two different reviewers agree": a reviewer who
disagrees with a pending proposal records a new proposal instead of overriding it, so a claim
can hold any number of decisions. ``stage`` ('first'/'second', unique per claim) gives way to
``seq`` (1, 2, … unique per claim: of two reviewers racing for the same step one loses cleanly)
and ``kind``; a partial unique index allows one final decision (sole or confirmation) per claim.

Existing rows: a first decision followed by a second one, or still awaiting it, was a proposal;
alone it was a sole decision; a second decision was the confirmation. (Before this revision a
second reviewer could also override the first with a note; such history is kept as it happened
and reads as a confirmation.)

"The latest recommendation" of a claim is the one with the greatest id: a server whose clock
runs behind must not make an older row look newer. The index follows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FINAL = "kind IN ('sole', 'confirmation')"


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
    op.execute("UPDATE decisions SET seq = CASE WHEN stage = 'first' THEN 1 ELSE 2 END")
    op.execute(
        "UPDATE decisions SET kind = CASE "
        "WHEN stage = 'second' THEN 'confirmation' "
        "WHEN EXISTS (SELECT 1 FROM decisions AS later WHERE later.claim_id = decisions.claim_id "
        "AND later.stage = 'second') THEN 'proposal' "
        "WHEN EXISTS (SELECT 1 FROM claims WHERE claims.id = decisions.claim_id "
        "AND claims.status = 'awaiting_second_approval') THEN 'proposal' "
        "ELSE 'sole' END"
    )
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint(op.f("uq_decisions_claim_stage"), type_="unique")
        batch.drop_constraint(op.f("ck_decisions_stage_known"), type_="check")
        batch.drop_column("stage")
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("kind", existing_type=sa.String(length=16), nullable=False)
        batch.create_unique_constraint(op.f("uq_decisions_claim_seq"), ["claim_id", "seq"])
        batch.create_check_constraint(op.f("ck_decisions_seq_positive"), "seq >= 1")
        batch.create_check_constraint(
            op.f("ck_decisions_kind_known"), "kind IN ('sole', 'proposal', 'confirmation')"
        )
    op.create_index(
        "uq_decisions_one_final_per_claim",
        "decisions",
        ["claim_id"],
        unique=True,
        sqlite_where=sa.text(_FINAL),
        postgresql_where=sa.text(_FINAL),
    )
    op.drop_index("ix_recommendations_claim_created", table_name="recommendations")
    op.create_index("ix_recommendations_claim_id_id", "recommendations", ["claim_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_recommendations_claim_id_id", table_name="recommendations")
    op.create_index(
        "ix_recommendations_claim_created", "recommendations", ["claim_id", "created_at"]
    )
    op.drop_index("uq_decisions_one_final_per_claim", table_name="decisions")
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("stage", sa.String(length=8), nullable=True))
    # Only chains of at most two decisions can be told as first/second; longer ones cannot.
    op.execute("UPDATE decisions SET stage = CASE WHEN seq = 1 THEN 'first' ELSE 'second' END")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint(op.f("uq_decisions_claim_seq"), type_="unique")
        batch.drop_constraint(op.f("ck_decisions_seq_positive"), type_="check")
        batch.drop_constraint(op.f("ck_decisions_kind_known"), type_="check")
        batch.drop_column("seq")
        batch.drop_column("kind")
        batch.alter_column("stage", existing_type=sa.String(length=8), nullable=False)
        batch.create_unique_constraint(op.f("uq_decisions_claim_stage"), ["claim_id", "stage"])
        batch.create_check_constraint(
            op.f("ck_decisions_stage_known"), "stage IN ('first', 'second')"
        )
