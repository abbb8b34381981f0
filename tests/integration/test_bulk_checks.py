"""A bulk load whose CHECK constraints are tested once afterwards refuses what the row-by-row
checks would have refused, on both databases, and leaves them tested at every row again."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from psycopg.errors import CheckViolation
from sqlalchemy import (
    CheckConstraint,
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from data_access.bulk import insert_columns
from data_access.bulk_checks import CheckFailed, checks_tested_after
from data_access.engine import make_engine
from data_access.models import Base

SUPPLIERS = Base.metadata.tables["suppliers"]


def _suppliers(limits: list[int], tiers: list[str]) -> dict[str, Any]:
    n = len(limits)
    return {
        "id": np.arange(1, n + 1),
        "external_id": [f"SUP-{i}" for i in range(n)],
        "name": [f"Works {i}" for i in range(n)],
        "country": ["CN"] * n,
        "main_category": ["Machinery"] * n,
        "tier": tiers,
        "limit_cents": np.array(limits, dtype=np.int64),
        "created_at": [datetime(2025, 1, 1, tzinfo=UTC)] * n,
    }


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_rows_that_pass_every_check_are_kept(engine: Engine) -> None:
    with engine.begin() as conn, checks_tested_after(conn, [SUPPLIERS]):
        insert_columns(conn, SUPPLIERS, _suppliers([0, 5_000_00], ["new", "gold"]))
    assert _count(engine, SUPPLIERS) == 2


@pytest.mark.parametrize(
    ("limits", "tiers", "broken"),
    [
        ([1_00, -1, -2], ["new", "new", "gold"], "2 rows break the check "
         "ck_suppliers_limit_not_negative of table 'suppliers'"),
        ([1_00, 2_00, 3_00], ["new", "platinum", "gold"], "1 row breaks the check "
         "ck_suppliers_tier_known of table 'suppliers'"),
    ],
)  # fmt: skip
def test_a_row_breaking_a_check_refuses_the_whole_load(
    engine: Engine, limits: list[int], tiers: list[str], broken: str
) -> None:
    # PostgreSQL's COPY tests each row as it goes (the driver's error, raised as SQLAlchemy's).
    refused = CheckFailed if engine.dialect.name == "sqlite" else IntegrityError
    with (
        pytest.raises(refused) as raised,
        engine.begin() as conn,
        checks_tested_after(conn, [SUPPLIERS]),
    ):
        insert_columns(conn, SUPPLIERS, _suppliers(limits, tiers))
    if engine.dialect.name == "sqlite":
        assert str(raised.value) == broken
    else:
        assert isinstance(raised.value.orig, CheckViolation)  # type: ignore[attr-defined]
    assert _count(engine, SUPPLIERS) == 0  # rolled back whole


def test_the_checks_are_tested_at_every_row_again_after_the_block(engine: Engine) -> None:
    with engine.begin() as conn:
        with checks_tested_after(conn, [SUPPLIERS]):
            insert_columns(conn, SUPPLIERS, _suppliers([1_00], ["new"]))
        with pytest.raises(IntegrityError):
            conn.execute(
                insert(SUPPLIERS).values(
                    id=2, external_id="SUP-X", name="X", country="CN", main_category="Toys",
                    tier="new", limit_cents=-1, created_at=datetime(2025, 1, 1, tzinfo=UTC),
                )
            )  # fmt: skip


def test_the_checks_are_back_on_after_a_block_that_failed(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """SQLite turns them off while the block runs (PostgreSQL never does)."""
    shutil.copy(sqlite_template, tmp_path / "a.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.connect() as conn:
        with pytest.raises(RuntimeError), checks_tested_after(conn, [SUPPLIERS]):
            raise RuntimeError("the load failed midway")
        assert conn.execute(text("PRAGMA ignore_check_constraints")).scalar_one() == 0
    engine.dispose()


@pytest.fixture
def nullable_table(engine: Engine) -> Iterator[Table]:
    table = Table(
        "bulk_check_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("amount", Integer, nullable=True),
        CheckConstraint("amount > 0", name="ck_probe_amount_positive"),
    )
    table.create(engine)
    yield table
    table.drop(engine)


def test_a_null_breaks_no_check_as_in_sql(engine: Engine, nullable_table: Table) -> None:
    with engine.begin() as conn, checks_tested_after(conn, [nullable_table]):
        insert_columns(conn, nullable_table, {"id": np.array([1, 2]), "amount": [None, 3]})
    assert _count(engine, nullable_table) == 2


def test_the_database_has_no_check_the_models_do_not_name(engine: Engine) -> None:
    """The block tests the checks the models declare: one only the database had would go
    untested while it runs."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = {
                name: set(re.findall(r"CONSTRAINT (\w+) CHECK", sql))
                for name, sql in conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                )
            }
        else:
            found = {}
            for table, name in conn.execute(
                text(
                    "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                    "WHERE contype = 'c' AND connamespace = 'public'::regnamespace"
                )
            ):
                found.setdefault(table.strip('"'), set()).add(name)
    declared = {
        table.name: {str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)}
        for table in Base.metadata.sorted_tables
    }
    assert {t: names for t, names in found.items() if names and t in declared} == {
        t: names for t, names in declared.items() if names
    }
