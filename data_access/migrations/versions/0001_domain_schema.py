"""domain schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 04:16:58.205865
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "buyers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyers")),
        sa.UniqueConstraint("external_id", name=op.f("uq_buyers_external_id")),
    )
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("main_category", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "tier IN ('gold', 'verified', 'standard', 'new')", name=op.f("ck_suppliers_tier_known")
        ),
        sa.CheckConstraint("limit_cents >= 0", name=op.f("ck_suppliers_limit_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("external_id", name=op.f("uq_suppliers_external_id")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('exec', 'ops_manager', 'claim_reviewer', 'admin')",
            name=op.f("ck_users_role_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_events_entity", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("payment_method", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("covered_amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ship_by", sa.Date(), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint("currency = 'USD'", name=op.f("ck_orders_currency_usd")),
        sa.CheckConstraint(
            "payment_method IN ('tt', 'card', 'letter_of_credit', 'other')",
            name=op.f("ck_orders_payment_method_known"),
        ),
        sa.CheckConstraint(
            "status IN ('placed', 'shipped', 'delivered', 'cancelled')",
            name=op.f("ck_orders_status_known"),
        ),
        sa.CheckConstraint(
            "covered_amount_cents <= order_amount_cents",
            name=op.f("ck_orders_covered_within_order_amount"),
        ),
        sa.CheckConstraint(
            "covered_amount_cents >= 0", name=op.f("ck_orders_covered_amount_not_negative")
        ),
        sa.CheckConstraint(
            "order_amount_cents >= 0", name=op.f("ck_orders_order_amount_not_negative")
        ),
        sa.CheckConstraint(
            "paid_amount_cents >= 0", name=op.f("ck_orders_paid_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["buyers.id"], name=op.f("fk_orders_buyer_id_buyers")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_orders_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("external_id", name=op.f("uq_orders_external_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_placed_at", ["placed_at"], unique=False)
        batch_op.create_index("ix_orders_ship_by", ["ship_by"], unique=False)
        batch_op.create_index(
            "ix_orders_supplier_placed_at", ["supplier_id", "placed_at"], unique=False
        )
        batch_op.create_index(
            "ix_orders_supplier_ship_by", ["supplier_id", "ship_by"], unique=False
        )

    op.create_table(
        "supplier_limit_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("old_limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("new_limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "old_limit_cents >= 0 AND new_limit_cents >= 0",
            name=op.f("ck_supplier_limit_changes_limits_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_supplier_limit_changes_changed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_supplier_limit_changes_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_limit_changes")),
    )
    with op.batch_alter_table("supplier_limit_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supplier_limit_changes_supplier_at", ["supplier_id", "changed_at"], unique=False
        )

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("inspection_report", sa.Boolean(), nullable=False),
        sa.Column("defect_rate_bp", sa.Integer(), nullable=True),
        sa.Column("conforming", sa.Boolean(), nullable=True),
        sa.Column("inspection_fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("supplier_response", sa.String(length=16), nullable=False),
        sa.Column("supplier_responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("picked_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('late_shipment', 'quality', 'non_delivery')",
            name=op.f("ck_claims_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'escalated', 'in_review', 'awaiting_second_approval', 'approved', 'rejected', 'withdrawn')",
            name=op.f("ck_claims_status_known"),
        ),
        sa.CheckConstraint(
            "supplier_response IN ('accepted', 'disputed', 'none')",
            name=op.f("ck_claims_response_known"),
        ),
        sa.CheckConstraint(
            "claimed_amount_cents >= 0", name=op.f("ck_claims_claimed_amount_not_negative")
        ),
        sa.CheckConstraint(
            "defect_rate_bp IS NULL OR (defect_rate_bp >= 0 AND defect_rate_bp <= 10000)",
            name=op.f("ck_claims_defect_rate_in_range"),
        ),
        sa.CheckConstraint(
            "inspection_fee_cents >= 0", name=op.f("ck_claims_inspection_fee_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_claims_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_claims_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("external_id", name=op.f("uq_claims_external_id")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_filed_at", ["filed_at"], unique=False)
        batch_op.create_index("ix_claims_order_id", ["order_id"], unique=False)
        batch_op.create_index("ix_claims_status_filed_at", ["status", "filed_at"], unique=False)

    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("cap_cents", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("four_eyes_required", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('approve_full', 'approve_partial', 'reject', 'request_evidence')",
            name=op.f("ck_recommendations_action_known"),
        ),
        sa.CheckConstraint(
            "amount_cents <= cap_cents", name=op.f("ck_recommendations_amount_within_cap")
        ),
        sa.CheckConstraint(
            "amount_cents >= 0", name=op.f("ck_recommendations_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_recommendations_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendations_claim_created", ["claim_id", "created_at"], unique=False
        )

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("cap_cents", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stage IN ('first', 'second')", name=op.f("ck_decisions_stage_known")),
        sa.CheckConstraint(
            "verdict IN ('approve', 'reject')", name=op.f("ck_decisions_verdict_known")
        ),
        sa.CheckConstraint(
            "amount_cents <= cap_cents", name=op.f("ck_decisions_amount_within_cap")
        ),
        sa.CheckConstraint("amount_cents >= 0", name=op.f("ck_decisions_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_decisions_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_decisions_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_decisions_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("claim_id", "stage", name="uq_decisions_claim_stage"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_decisions_reviewer_decided", ["reviewer_id", "decided_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_reviewer_decided")

    op.drop_table("decisions")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_claim_created")

    op.drop_table("recommendations")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_status_filed_at")
        batch_op.drop_index("ix_claims_order_id")
        batch_op.drop_index("ix_claims_filed_at")

    op.drop_table("claims")
    with op.batch_alter_table("supplier_limit_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_supplier_limit_changes_supplier_at")

    op.drop_table("supplier_limit_changes")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_supplier_ship_by")
        batch_op.drop_index("ix_orders_supplier_placed_at")
        batch_op.drop_index("ix_orders_ship_by")
        batch_op.drop_index("ix_orders_placed_at")

    op.drop_table("orders")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_entity")
        batch_op.drop_index("ix_audit_events_at")

    op.drop_table("audit_events")
    op.drop_table("users")
    op.drop_table("suppliers")
    op.drop_table("buyers")
