"""The import's column upsert: new rows inserted, changed rows updated, unchanged rows left, on
both databases; the rows the caller found absent go in by a plain insert (SQLite) or a COPY
straight into the table (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    select,
)
from sqlalchemy.exc import IntegrityError

from data_access import bulk_wire
from data_access.bulk import insert_columns, upsert_columns
from data_access.bulk_load import sync_id_sequences
from data_access.models import Base, Buyer
from data_access.types import UTCDateTime

BUYERS = Base.metadata.tables["buyers"]


def _stored(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Buyer.external_id, Buyer.name, Buyer.country).order_by(Buyer.external_id)
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _three_buyers(engine: Engine) -> None:
    with engine.begin() as conn:
        insert_columns(
            conn,
            BUYERS,
            {
                "id": np.arange(1, 4),
                "external_id": ["B-1", "B-2", "B-3"],
                "name": ["One", "Two", "Three"],
                "country": ["DE", "FR", "US"],
            },
        )
        sync_id_sequences(conn, [BUYERS])


@pytest.mark.parametrize("marked", [True, False])
def test_upsert_inserts_new_rows_updates_changed_ones_and_keeps_the_rest(
    engine: Engine, marked: bool
) -> None:
    _three_buyers(engine)
    keys = ["B-2", "B-5", "B-3", "B-4"]
    with engine.begin() as conn:
        written = upsert_columns(
            conn,
            BUYERS,
            {
                "external_id": keys,
                "name": ["Two, renamed", "Five", "Three", "Four"],
                "country": ["FR", "JP", "US", "BR"],
            },
            update_columns=["name", "country"],
            absent=np.array([key in ("B-4", "B-5") for key in keys]) if marked else None,
        )
    assert written == 4
    assert _stored(engine) == [
        ("B-1", "One", "DE"),
        ("B-2", "Two, renamed", "FR"),
        ("B-3", "Three", "US"),
        ("B-4", "Four", "BR"),
        ("B-5", "Five", "JP"),
    ]


def test_a_row_marked_absent_is_inserted_and_the_unique_key_refuses_it_if_it_exists(
    engine: Engine,
) -> None:
    """The mark is taken at its word (the caller vouches that no other writer can add a key:
    SQLite's write lock, or a table taken for a load on PostgreSQL): a plain insert, or a
    COPY straight into the table, which the unique key refuses; nothing is kept."""
    _three_buyers(engine)
    given = {"external_id": ["B-1"], "name": ["One, renamed"], "country": ["DE"]}
    absent = np.array([True])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        upsert_columns(conn, BUYERS, given, update_columns=["name"], absent=absent)
    assert _stored(engine)[0] == ("B-1", "One", "DE")


def test_the_marks_must_cover_every_row(engine: Engine) -> None:
    given = {"external_id": ["B-1", "B-2"], "name": ["One", "Two"], "country": ["DE", "FR"]}
    with pytest.raises(ValueError, match="absent marks 1 rows of 2"), engine.begin() as conn:
        upsert_columns(conn, BUYERS, given, update_columns=["name"], absent=np.array([True]))


def test_texts_nulls_and_numbers_in_object_columns_arrive_as_given(engine: Engine) -> None:
    """COPY's CSV (PostgreSQL) quotes every text and leaves NULL unquoted and empty: a value
    reading "None", "\\N" or nothing stays text, None is NULL, and a NumPy integer in an object
    column arrives as its number. SQLite's writer takes the same columns."""
    probe = Table(
        "copy_texts_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("note", Text, nullable=True),
        Column("amount", BigInteger, nullable=True),
    )
    notes = ["tab\there", "line\nbreak", "back\\slash", "car\rriage", "None", "\\N", None, ""]
    notes += ["\\."]  # alone on a line, it would end COPY's data were it not quoted
    amounts: list[Any] = [np.int64(5), 7, None, 2**40, np.int64(-3), 0, 1, 2, 3]
    probe.create(engine)
    try:
        with engine.begin() as conn:
            insert_columns(
                conn,
                probe,
                {
                    "id": np.arange(1, 10),
                    "note": np.array(notes, dtype=object),
                    "amount": np.array(amounts, dtype=object),
                },
            )
        with engine.connect() as conn:
            rows = conn.execute(select(probe.c.note, probe.c.amount).order_by(probe.c.id)).all()
        assert [tuple(row) for row in rows] == [
            (note, None if amount is None else int(amount))
            for note, amount in zip(notes, amounts, strict=True)
        ]
    finally:
        probe.drop(engine)


@pytest.mark.parametrize("rows", [6, 7, 8, 15])
def test_rows_copied_a_block_at_a_time_keep_their_values_and_order(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    """PostgreSQL's COPY takes a chunk's rows a block at a time (seven here): around the
    blocks' edges, whether copied straight in (marked absent) or staged and upserted, every row
    keeps its own values, in order, and a bad row in a later block refuses them all."""
    monkeypatch.setattr(bulk_wire, "COPY_BLOCK_ROWS", 7)
    keys = [f"K-{i:02d}" for i in range(rows)]
    given = {
        "external_id": keys,
        "name": [f"Buyer {i}\tü" for i in range(rows)],
        "country": ["DE", "FR", "US"] * (rows // 3) + ["JP"] * (rows % 3),
    }
    with engine.begin() as conn:
        upsert_columns(
            conn,
            BUYERS,
            given,
            update_columns=["name", "country"],
            absent=np.array([i % 2 == 0 for i in range(rows)]),
        )
    expected = list(zip(keys, given["name"], given["country"], strict=True))
    assert _stored(engine) == expected
    with engine.connect() as conn:
        ids = conn.execute(select(Buyer.external_id).order_by(Buyer.id)).scalars().all()
    assert ids == [key for i, key in enumerate(keys) if i % 2 == 0] + [
        key for i, key in enumerate(keys) if i % 2
    ]
    later: dict[str, list[str | None]] = {
        "external_id": [f"L-{i:02d}" for i in range(rows)],
        "name": ["Later"] * rows,
        "country": ["DE"] * (rows - 1) + [None],  # a country is required; in the last block
    }
    with pytest.raises(IntegrityError), engine.begin() as conn:
        upsert_columns(
            conn, BUYERS, later, update_columns=["name"], absent=np.ones(rows, dtype=bool)
        )
    assert _stored(engine) == expected


_PROBE = Table(
    "copy_values_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("note", Text, nullable=True),
    Column("amount", BigInteger, nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("day", Date, nullable=True),
    Column("moment", UTCDateTime, nullable=True),
)
_ROWS = st.lists(
    st.tuples(
        st.none() | st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"])),
        st.none() | st.integers(-(2**63), 2**63 - 1),
        st.none() | st.booleans(),
        st.none() | st.dates(date(1, 1, 1), date(9999, 12, 31)),
        st.none() | st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.just(UTC)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_ROWS, as_arrays=st.booleans())
def test_any_values_written_in_bulk_read_back_as_given(
    engine: Engine, rows: list[tuple[Any, ...]], as_arrays: bool
) -> None:
    """Texts with quotes, commas, line breaks, backslashes or nothing at all; integers to 64
    bits; booleans, days and instants from year 1 to 9999; each of them missing or not: as
    Python's values in lists, or (``as_arrays``) the way the import hands them over, NumPy
    arrays where a column has no gap. PostgreSQL reads them from the CSV Arrow writes."""
    notes, amounts, flags, days, moments = (list(column) for column in zip(*rows, strict=True))
    columns: dict[str, Any] = {"id": np.arange(1, len(rows) + 1), "note": notes}
    columns |= {"amount": amounts, "flag": flags, "day": days, "moment": moments}
    if as_arrays:
        if None not in amounts:
            columns["amount"] = np.array(amounts, dtype=np.int64)
        if None not in flags:
            columns["flag"] = np.array(flags, dtype=np.bool_)
        columns["day"] = np.array(["NaT" if d is None else d.isoformat() for d in days], "M8[D]")
        columns["moment"] = np.array(
            ["NaT" if m is None else m.replace(tzinfo=None).isoformat() for m in moments], "M8[us]"
        )
    _PROBE.create(engine, checkfirst=True)
    try:
        with engine.begin() as conn:
            insert_columns(conn, _PROBE, columns)
        with engine.connect() as conn:
            stored = conn.execute(select(*_PROBE.c[1:]).order_by(_PROBE.c.id)).all()
        assert [tuple(row) for row in stored] == rows
    finally:
        _PROBE.drop(engine)
