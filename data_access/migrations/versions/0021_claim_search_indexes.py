"""indexes for Find a claim: claims by buyer; trigram indexes on PostgreSQL

Find a claim matches a text anywhere in a claim's reference, its order's (copied onto the claim
by 0020) and its buyer's reference and name. Without an index that can answer "contains", each
search reads every claim and every buyer: at ten million orders (261,727 claims, 500,000
buyers) 0.30 s on PostgreSQL, every time, as the page reads fresh.

PostgreSQL's ``pg_trgm`` indexes the three-letter pieces of a text, so a search of three
letters or more reads only the rows holding its pieces. Indexed here: the lower-cased
columns the search tests (``lower(column) LIKE lower(pattern)``, ``data_access.text_match``),
and the claims by buyer, to reach the claims of the buyers found. The extension is created if
the server has it and this role may (a trusted extension: the database's owner may); where it
cannot be, the trigram indexes are left out and the searches read every row, as before.

SQLite has no such index (its LIKE reads every row, 0.15 s at ten million orders): it gets the
claims' buyer index only. The trigram indexes are outside the models, which cannot state an
operator class on an expression; Alembic's comparison leaves them be (``migrations/env.py``).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 21:30:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

#: Index name (ending ``_trigrams``, the suffix env.py leaves out of comparisons) → table, column.
TRIGRAM_INDEXES = {
    "ix_claims_external_id_trigrams": ("claims", "external_id"),
    "ix_claims_order_external_id_trigrams": ("claims", "order_external_id"),
    "ix_buyers_external_id_trigrams": ("buyers", "external_id"),
    "ix_buyers_name_trigrams": ("buyers", "name"),
}


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_buyer_id"), ["buyer_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql" and _has_trigrams():
        for name, (table, column) in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin (lower({column}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_buyer_id"))


def _has_trigrams() -> bool:
    """``pg_trgm`` is installed, or is installed now; False where the server lacks it or this
    role may not create it (the upgrade goes on without the trigram indexes)."""
    connection = op.get_bind()
    installed = sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if connection.execute(installed).first() is not None:
        return True
    available = sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if connection.execute(available).first() is None:
        log.warning("pg_trgm is not available on this server: Find a claim will read every row")
        return False
    try:
        with connection.begin_nested():  # a refusal must not end the migration's transaction
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as refused:
        log.warning(
            "pg_trgm could not be created (%s): Find a claim will read every row", refused.orig
        )
        return False
    return True
