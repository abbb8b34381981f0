"""Find a claim's search, however the database runs it, finds what a plain reading finds.

SQLite tests each claim once; PostgreSQL looks a text of three letters or more up in its
trigram indexes (migration 0021), two parts that must neither miss nor repeat a claim, and a
shorter text in one pass joined to the buyers. Every text of one to four letters cut from the
world's own references and names is searched, on both databases, and compared with the claims
a reading in Python finds, in the page's order, page by page.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from data_access import migrate
from data_access.engine import make_engine, make_session_factory
from data_access.queries.claim_lookup import TRIGRAM, claim_lookup_rows
from tests import factories as f
from tests.conftest import TEST_DATABASE_URL
from tests.factories import utc

TRIGRAM_INDEXES = {
    "ix_claims_external_id_trigrams",
    "ix_claims_order_external_id_trigrams",
    "ix_buyers_external_id_trigrams",
    "ix_buyers_name_trigrams",
}


@dataclass(frozen=True)
class Filed:
    id: int
    reference: str
    order_reference: str
    buyer_reference: str
    buyer_name: str
    filed_at: datetime


def _world(session_factory: sessionmaker[Session]) -> list[Filed]:
    """Claims whose references and buyers overlap: a buyer named like the claims' prefix (a
    claim found by its own reference and by its buyer), two claims filed at the same instant,
    a claim whose whole reference is two letters, a buyer's name of one letter."""
    buyers = [
        ("BUY-ANNA", "Anna Svensson AB"),
        ("BUY-CLM", "Clm Traders Ltd"),
        ("BUY-ZZ", "ZZ Top Import"),
        ("BUY-Q", "q"),
    ]
    claims = [
        ("CLM-1", "ORD-A1", 0, utc(2025, 2, 1)),
        ("CLM-2", "ORD-A2", 0, utc(2025, 2, 3)),
        ("CLM-10", "ORD-C1", 1, utc(2025, 2, 3)),
        ("AB", "ORD-Z1", 2, utc(2025, 1, 9)),
        ("CLM-ZZ", "ORD-Q1", 3, utc(2025, 3, 1)),
        ("clm-11", "ORD-C2", 1, utc(2025, 3, 2)),
    ]
    filed = []
    with session_factory.begin() as s:
        supplier = f.supplier(s, name="Ningbo Pumps")
        made = [f.buyer(s, external_id=ref, name=name) for ref, name in buyers]
        for reference, order_reference, buyer, filed_at in claims:
            order = f.order(s, supplier, made[buyer], external_id=order_reference)
            claim = f.claim(s, order, external_id=reference, filed_at=filed_at)
            filed.append(
                Filed(claim.id, reference, order_reference, *buyers[buyer], filed_at=filed_at)
            )
    return filed


def _expected(world: list[Filed], typed: str) -> list[str]:
    wanted = typed.lower()
    found = [
        c
        for c in world
        if any(
            wanted in value.lower()
            for value in (c.reference, c.order_reference, c.buyer_reference, c.buyer_name)
        )
    ]
    found.sort(key=lambda c: (c.reference.lower() != wanted, -c.filed_at.timestamp(), -c.id))
    return [c.reference for c in found]


def _texts(world: list[Filed]) -> list[str]:
    """Every piece of one to four characters of the world's texts, as stored and in lower
    case, and a few that match nothing."""
    pieces = {"xq", "zzz", "nothing at all"}
    for c in world:
        for value in (c.reference, c.order_reference, c.buyer_reference, c.buyer_name):
            for size in range(1, 5):
                for start in range(len(value) - size + 1):
                    piece = value[start : start + size]
                    pieces.update({piece, piece.lower()})
    return sorted(pieces)


def test_every_text_finds_what_a_plain_reading_finds_page_by_page(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    texts = _texts(world)
    assert {len(t) for t in texts} >= {1, 2, TRIGRAM, 4}  # both of PostgreSQL's ways
    with engine.connect() as conn:
        for typed in texts:
            expected = _expected(world, typed)
            rows = claim_lookup_rows(conn, typed, limit=25)
            assert [r.claim_external_id for r in rows] == expected, typed
            assert {r.total for r in rows} <= {len(expected)}, typed
            # Paged: two claims a page, the pages in order, each counting them all.
            paged = []
            for offset in range(0, len(expected) + 1, 2):
                page = claim_lookup_rows(conn, typed, limit=2, offset=offset)
                assert {r.total for r in page} <= {len(expected)}, typed
                paged += [r.claim_external_id for r in page]
            assert paged == expected, typed


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def _statement(engine: Engine, typed: str) -> tuple[str, Any]:
    """The SQL the search of ``typed`` runs, and its parameters."""
    seen: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with engine.connect() as conn:
            claim_lookup_rows(conn, typed, limit=25)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen[-1]


def _indexes_planned(engine: Engine, typed: str) -> set[str]:
    """The indexes PostgreSQL plans the search with when every table must be read through an
    index's bitmap and joined by hashing (a table of a few rows is read whole otherwise): a
    condition a trigram index answers takes that index, any other a whole btree."""
    statement, parameters = _statement(engine, typed)
    with engine.connect() as conn:
        for reading in ("seqscan", "indexscan", "nestloop", "mergejoin"):
            conn.execute(text(f"SET LOCAL enable_{reading} = off"))
        plan = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()
    return {name for name in TRIGRAM_INDEXES | {"ix_claims_buyer_id"} if name in "\n".join(plan)}


def test_postgresql_looks_a_text_up_in_its_trigram_indexes(postgres: Engine) -> None:
    """The search tests exactly the expressions migration 0021 indexed: a ``lower()`` or
    ``ILIKE`` out of step with the indexes would read every claim and buyer at each search."""
    assert _indexes_planned(postgres, "svensson") == TRIGRAM_INDEXES | {"ix_claims_buyer_id"}
    # Two letters hold no trigram: one pass over the claims and their buyers.
    assert _indexes_planned(postgres, "sv") & TRIGRAM_INDEXES == set()


def test_migration_0021_adds_the_search_indexes_and_takes_them_away(postgres: Engine) -> None:
    def indexes() -> set[str]:
        with postgres.connect() as conn:
            names = conn.execute(text("SELECT indexname FROM pg_indexes")).scalars()
            return set(names) & (TRIGRAM_INDEXES | {"ix_claims_buyer_id"})

    assert indexes() == TRIGRAM_INDEXES | {"ix_claims_buyer_id"}
    migrate.downgrade(postgres, "0020")
    try:
        assert indexes() == set()
    finally:
        migrate.upgrade(postgres)
    assert indexes() == TRIGRAM_INDEXES | {"ix_claims_buyer_id"}
    migrate.check(postgres)  # the trigram indexes, outside the models, are no drift


@pytest.fixture
def without_extension_rights(postgres_url: str) -> Iterator[Engine]:
    """An empty database whose owner may create tables but not extensions: the database's
    ``CREATE`` privilege, which a trusted extension such as pg_trgm asks for, taken away."""
    name = f"assurance_no_ext_{os.getpid()}"
    admin = create_engine(make_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{name}"'))
        conn.execute(text(f'REVOKE CREATE ON DATABASE "{name}" FROM "{name}"'))
    url = make_url(TEST_DATABASE_URL).set(username=name, password=None, database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_where_pg_trgm_cannot_be_created_the_upgrade_goes_on_and_every_search_still_finds(
    without_extension_rights: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    engine = without_extension_rights
    with caplog.at_level(logging.WARNING, logger="alembic.runtime.migration"):
        migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert any("pg_trgm could not be created" in r.getMessage() for r in caplog.records)
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
            is None
        )
        indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
    assert "ix_claims_buyer_id" in indexes and not indexes & TRIGRAM_INDEXES
    world = _world(make_session_factory(engine))
    with engine.connect() as conn:
        for typed in ("svensson", "clm", "sv", "q", "nothing at all"):
            found = [r.claim_external_id for r in claim_lookup_rows(conn, typed, limit=25)]
            assert found == _expected(world, typed), typed
