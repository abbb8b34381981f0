"""per-supplier yearly summary (issue 14, the pages at ten million orders)

The dashboards' default period is the latest twelve calendar months that hold orders: eleven
whole months and a few days, so every supplier's eleven month rows were summed on each cold
Overview, Suppliers and supplier page (at ten million orders, 550,000 rows: 0.4–0.5 s on
SQLite and PostgreSQL alike). ``summary_supplier_years`` holds the same sums per calendar
year; a span covering most of a year reads its year row less the months outside the span.
Filled here from the months already stored (so no rebuild is needed), and kept in step from
then on by rolling up each write's delta of the months (``data_access.summaries.ROLLUPS``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUMS = (
    "due",
    "late",
    "placed",
    "claims",
    "live_orders",
    "live_covered_cents",
    "live_cap_cents",
    "live_taken_cents",
)


def upgrade() -> None:
    op.create_table(
        "summary_supplier_years",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Date(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in _SUMS],
        sa.PrimaryKeyConstraint(
            "zone", "year", "supplier_id", name=op.f("pk_summary_supplier_years")
        ),
        sqlite_with_rowid=False,
    )
    year = (
        "date(month, 'start of year')"
        if op.get_bind().dialect.name == "sqlite"
        else "CAST(date_trunc('year', month) AS DATE)"
    )
    sums = ", ".join(f"sum({name})" for name in _SUMS)
    nonzero = " OR ".join(f"sum({name}) <> 0" for name in _SUMS)
    op.execute(
        sa.text(
            f"INSERT INTO summary_supplier_years (zone, year, supplier_id, {', '.join(_SUMS)}) "  # noqa: S608  (fixed names above)
            f"SELECT zone, {year}, supplier_id, {sums} FROM summary_supplier_months "
            f"GROUP BY zone, {year}, supplier_id HAVING {nonzero}"
        )
    )
    op.create_index(
        "ix_summary_supplier_years_zone_supplier_year",
        "summary_supplier_years",
        ["zone", "supplier_id", "year"],
    )
    if op.get_bind().dialect.name == "postgresql":
        # Planned for its real size at once, not at autovacuum's leisure.
        op.execute(sa.text("ANALYZE summary_supplier_years"))


def downgrade() -> None:
    op.drop_table("summary_supplier_years")
