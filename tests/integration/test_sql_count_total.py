"""``data_access.sql.count_total``: counts summed as 32-bit values add up in 64 bits, exactly,
as plain integers, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import BigInteger, Engine, literal, select, union_all

from data_access.sql import count_total

LARGEST = 2**31 - 1


def test_counts_add_up_past_32_bits_as_plain_integers(engine: Engine) -> None:
    counts = [LARGEST, LARGEST, LARGEST, -5, 0]
    rows = union_all(*[select(literal(n, BigInteger).label("n")) for n in counts]).subquery()
    with engine.connect() as conn:
        total = conn.execute(select(count_total(rows.c.n))).scalar_one()
        empty = conn.execute(select(count_total(rows.c.n)).where(rows.c.n > LARGEST)).scalar_one()
    assert total == 3 * LARGEST - 5
    assert type(total) is int  # not a Decimal (PostgreSQL's sum of a BIGINT)
    assert empty is None  # a sum of nothing is NULL, as SUM's: callers coalesce
