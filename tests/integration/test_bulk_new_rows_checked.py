"""The column upsert's new rows (marked absent) go in by a plain insert whose CHECK constraints
SQLite tests once over those rows afterwards: what breaks a check is still refused, whichever
statement carries it, the rows already there are not what is tested, and the connection is left
checking every row again (or as an enclosing ``checks_tested_after`` block set it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from data_access.bulk import upsert_columns
from data_access.bulk_checks import CheckFailed, checks_tested_after
from data_access.engine import make_engine

PROBE = Table(
    "checked_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("external_id", String(16), unique=True, nullable=False),
    Column("amount", BigInteger, nullable=False),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
)


@pytest.fixture
def probe(engine: Engine) -> Iterator[Engine]:
    PROBE.create(engine)
    try:
        yield engine
    finally:
        PROBE.drop(engine)


@pytest.fixture
def sqlite_probe(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'probe.db'}")
    PROBE.create(engine)
    yield engine
    engine.dispose()


def _upsert(
    conn: Connection,
    amounts: dict[str, int],
    absent: list[bool] | None,
    *,
    indexes_later: bool = False,
) -> int:
    return upsert_columns(
        conn,
        PROBE,
        {"external_id": list(amounts), "amount": np.array(list(amounts.values()))},
        update_columns=["amount"],
        absent=None if absent is None else np.array(absent),
        indexes_later=indexes_later,
    )


def _stored(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(PROBE.c.external_id, PROBE.c.amount)).all()
    return {key: amount for key, amount in rows}


def _checks_every_row(conn: Connection) -> None:
    """The connection refuses a breaking row at the row itself."""
    with pytest.raises(IntegrityError, match="amount_not_negative"), conn.begin_nested():
        conn.execute(insert(PROBE).values(external_id="X-LATE", amount=-5))


def test_new_rows_that_keep_the_checks_are_written(probe: Engine) -> None:
    with probe.begin() as conn:
        _upsert(conn, {"A-1": 10, "A-2": 20}, None)
    with probe.begin() as conn:
        written = _upsert(conn, {"A-2": 25, "A-3": 30, "A-4": 0}, [False, True, True])
    assert written == 3
    assert _stored(probe) == {"A-1": 10, "A-2": 25, "A-3": 30, "A-4": 0}


@pytest.mark.parametrize("marked", [True, False])
def test_a_new_row_breaking_a_check_is_refused_and_the_connection_checks_again(
    probe: Engine, marked: bool
) -> None:
    """Marked absent, on SQLite the refusal comes from the test after the insert, naming the
    check and the count; unmarked, or on PostgreSQL, from the statement itself (the driver's
    error raised as SQLAlchemy's). Either way the transaction keeps nothing, and the same
    connection then refuses a breaking row itself."""
    refused: type[Exception] = IntegrityError
    if probe.dialect.name == "sqlite" and marked:
        refused = CheckFailed
    with probe.connect() as conn:
        with pytest.raises(refused, match="amount_not_negative") as caught, conn.begin():
            _upsert(conn, {"B-1": 5, "B-2": -1, "B-3": -2}, [True, True, True] if marked else None)
        if refused is CheckFailed:
            assert str(caught.value) == (
                "2 rows break the check amount_not_negative of table 'checked_probe'"
            )
        with conn.begin():
            _checks_every_row(conn)
    assert _stored(probe) == {}


def test_an_update_breaking_a_check_beside_new_rows_is_refused_at_its_row(probe: Engine) -> None:
    """Only the new rows' checks wait: the rows that exist are upserted with every check on."""
    with probe.begin() as conn:
        _upsert(conn, {"C-1": 10}, None)
    with (
        probe.connect() as conn,
        pytest.raises(IntegrityError, match="amount_not_negative"),
        conn.begin(),
    ):
        _upsert(conn, {"C-1": -10, "C-2": 4}, [False, True])
    assert _stored(probe) == {"C-1": 10}


def test_only_the_rows_just_inserted_are_tested(sqlite_probe: Engine) -> None:
    """A row already there that breaks a check (written with checks off) neither fails a load
    of good rows nor is counted when a new one breaks: the test is over the new ids."""
    with sqlite_probe.begin() as conn:
        conn.exec_driver_sql("PRAGMA ignore_check_constraints=ON")
        conn.execute(insert(PROBE).values(external_id="OLD", amount=-7))
        conn.exec_driver_sql("PRAGMA ignore_check_constraints=OFF")
    with sqlite_probe.begin() as conn:
        _upsert(conn, {"N-1": 1, "N-2": 2}, [True, True])
    refused = r"^1 row breaks the check amount_not_negative"
    with pytest.raises(CheckFailed, match=refused), sqlite_probe.begin() as conn:
        _upsert(conn, {"N-3": 3, "N-4": -4}, [True, True])
    assert _stored(sqlite_probe) == {"OLD": -7, "N-1": 1, "N-2": 2}


def test_inside_a_block_that_tests_after_the_block_keeps_its_setting(
    sqlite_probe: Engine,
) -> None:
    """Under ``checks_tested_after`` (the demo seed) the insert leaves the checks off as the
    block set them, and the block's own test at its end refuses the breaking row."""
    with (
        pytest.raises(CheckFailed, match=r"^2 rows break"),
        sqlite_probe.begin() as conn,
        checks_tested_after(conn, [PROBE]),
    ):
        _upsert(conn, {"S-1": -1, "S-2": 2}, [True, True])
        assert conn.exec_driver_sql("PRAGMA ignore_check_constraints").scalar() == 1
        conn.execute(insert(PROBE).values(external_id="S-3", amount=-3))  # not refused yet
    assert _stored(sqlite_probe) == {}
    with sqlite_probe.connect() as conn, conn.begin():
        _checks_every_row(conn)


def test_an_empty_table_numbers_its_first_rows_and_tests_them(sqlite_probe: Engine) -> None:
    with pytest.raises(CheckFailed), sqlite_probe.begin() as conn:
        _upsert(conn, {"E-1": -1}, [True])
    with sqlite_probe.begin() as conn:
        _upsert(conn, {"E-1": 1}, [True])
        assert conn.execute(text("SELECT id FROM checked_probe")).scalar() == 1


@pytest.mark.parametrize("breaking_at", [None, 0, 640, 999])
def test_new_rows_several_a_statement_arrive_in_order_and_are_checked(
    probe: Engine, breaking_at: int | None
) -> None:
    """``indexes_later``: 1,000 new rows of two values go in 499 a statement (two statements
    of several rows, then the last two one at a time), numbered in the file's order; a row
    breaking a check in any of them refuses the load."""
    amounts = {f"S-{i:04d}": i for i in range(1_000)}
    if breaking_at is not None:
        amounts[f"S-{breaking_at:04d}"] = -1
    with probe.connect() as conn:
        if breaking_at is not None:
            refused = CheckFailed if probe.dialect.name == "sqlite" else IntegrityError
            with pytest.raises(refused, match="amount_not_negative"), conn.begin():
                _upsert(conn, amounts, [True] * len(amounts), indexes_later=True)
            assert _stored(probe) == {}
            return
        with conn.begin():
            assert _upsert(conn, amounts, [True] * len(amounts), indexes_later=True) == 1_000
        keys = conn.execute(select(PROBE.c.external_id).order_by(PROBE.c.id)).scalars().all()
    assert keys == list(amounts)
    assert _stored(probe) == amounts
