"""per-supplier monthly summary (issue 14, the pages at ten million orders)

``summary_supplier_days`` grows with the orders (a supplier day per few orders): at ten million
orders a year of every supplier's days is millions of rows, summed on every cold dashboard.
``summary_supplier_months`` holds the same sums per calendar month; the figures read whole
months from it and only the ragged ends of a period from the days. Filled here from the days
already stored (so no rebuild is needed), and kept in step from then on by rolling up each
write's delta of the days (``data_access.summaries.ROLLUPS``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUMS = ("due", "late", "placed", "claims", "live_orders", "live_covered_cents", "live_cap_cents")


def upgrade() -> None:
    op.create_table(
        "summary_supplier_months",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in _SUMS],
        sa.PrimaryKeyConstraint(
            "zone", "month", "supplier_id", name=op.f("pk_summary_supplier_months")
        ),
        sqlite_with_rowid=False,
    )
    month = (
        "date(day, 'start of month')"
        if op.get_bind().dialect.name == "sqlite"
        else "CAST(date_trunc('month', day) AS DATE)"
    )
    sums = ", ".join(f"sum({name})" for name in _SUMS)
    nonzero = " OR ".join(f"sum({name}) <> 0" for name in _SUMS)
    op.execute(
        sa.text(
            f"INSERT INTO summary_supplier_months (zone, month, supplier_id, {', '.join(_SUMS)}) "  # noqa: S608  (fixed names above)
            f"SELECT zone, {month}, supplier_id, {sums} FROM summary_supplier_days "
            f"GROUP BY zone, {month}, supplier_id HAVING {nonzero}"
        )
    )
    op.create_index(
        "ix_summary_supplier_months_zone_supplier_month",
        "summary_supplier_months",
        ["zone", "supplier_id", "month"],
    )


def downgrade() -> None:
    op.drop_table("summary_supplier_months")
