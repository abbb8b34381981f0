"""room on the supplier summaries' pages for updates in place (PostgreSQL)

Every import adds its delta to ``summary_supplier_days``, ``_months`` and ``_years`` with an
upsert, and most of the rows it touches exist already (an order's months and years nearly
always do). PostgreSQL writes an updated row as a new version: on the same page, if the page
has room, it skips every index (a "HOT" update); on a full page it inserts the new version into
the primary key and the supplier index too. The summaries are built full (fillfactor 100), so
none of those updates found room: at ten million orders, 100,000 imported orders updated
136,000 supplier days, 145,000 months and 87,000 years, each through both indexes (about 14
buffer accesses a row), in 9.0–9.6 s of a 19.5–21.9 s import.

Pages left this much empty when they are written: the days at 80 (their updates are spread
over sixteen million rows; 82% found room), the months and years at 50 (an import touches
nearly every supplier's current month and year, rows that sit side by side; at 80 only 36–39%
found room, at 50 all of them). Measured on 6 Dec 2026, 100,000 new orders imported into fresh
copies of a database without it and one with it (at ten million seeded with it, at a million
upgraded to it), three runs each, alternating: at ten million orders the three upserts took
6.1–6.5 s instead of 9.0–9.5, the import 17.2–17.6 s instead of 19.5–20.7; at a million
2.1–2.2 s instead of 2.8–3.0, the import 8.6–8.9 s instead of 9.3–9.9. The pages that read these tables ran as fast as before (at ten
million, Overview, Suppliers, Supplier and Exposure cold in 0.24–0.78 s against 0.24–0.83 s);
the tables take more space (at ten million the days 2,011 MB instead of 1,609, the months 252
instead of 125, the years 46 instead of 23), and the seed of ten million took 519 s against
534.

The upgrade writes the stored rows again under the new setting. SQLite updates a row in place
and has no such setting.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Each table's fillfactor: the percentage of a page filled when rows are written.
FILLFACTORS = {
    "summary_supplier_days": 80,
    "summary_supplier_months": 50,
    "summary_supplier_years": 50,
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, percent in FILLFACTORS.items():
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")
        # The setting governs pages written from now on: write the stored rows again, in key
        # order as a build writes them (at ten million orders 33 s for the three tables,
        # which are locked meanwhile). CLUSTER may run in the migration's transaction, VACUUM
        # FULL may not; the table is not left marked for a later bare CLUSTER.
        op.execute(f"CLUSTER {table} USING pk_{table}")
        op.execute(f"ALTER TABLE {table} SET WITHOUT CLUSTER")
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in FILLFACTORS:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
