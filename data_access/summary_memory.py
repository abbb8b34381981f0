"""The orders' daily sums counted in memory, for SQLite's builds and large deltas.

SQLite groups rows by sorting them, at 2–3 µs a row on this machine, and a million orders make
three million events for each of ``summary_order_days`` and ``summary_supplier_days``: their
``INSERT … SELECT`` of :func:`~data_access.summary_rows.aggregate` took 19 s and 30 s at a
million demo orders, most of a seed's or a large import's time. Here SQLite computes only the
orders' facts (:func:`~data_access.summary_rows.order_facts`, one pass, one row an order, read
as numbers) and pandas, which hashes, sums their events
(:data:`~data_access.summary_tables.ORDER_EVENTS`, the same data the SQL is built from). The
rest of the supplier days, the claims filed and what refunds take from live orders, few rows,
is still counted by that SQL and added. The rows are those of ``aggregate`` (the property tests
compare the stored rows with it after every sequence).

PostgreSQL hashes its groups itself and keeps the SQL.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.sql import Select

from data_access.models import Order
from data_access.sql import day_number
from data_access.summary_events import (
    BY_BREAKDOWN,
    BY_SUPPLIER,
    SUPPLIER_ORDER_SUMS,
    Places,
    Running,
    SupplierDaySums,
    events_of,
    summed_by,
)
from data_access.summary_rows import aggregate, order_facts
from data_access.summary_tables import (
    ALL_DIMENSION,
    DIMENSIONS,
    ORDER_SUMS,
    ROLLUPS,
    TABLES,
)
from data_access.summary_terms import Ids

if TYPE_CHECKING:
    from data_access.summary_facts import NewOrders

__all__ = ["IN_MEMORY", "HeldSums", "Write", "count", "count_ahead", "rolled_up"]

#: The summaries counted here on SQLite; the others are few rows a build and stay in SQL.
IN_MEMORY = ("summary_order_days", "summary_supplier_days")

#: Called with a table's name and rows to store (``insert_columns``' columns).
Write = Callable[[str, dict[str, Any]], None]
#: Orders' facts read and summed at a time: their rows as Python objects take ~500 bytes each
#: (30 MB). Each chunk's grouping costs the same few milliseconds besides its rows: at a million
#: orders 60,000 a chunk counted in 6.1–6.3 s, 20,000 in 6.7–6.9 s, the process's peak the same.
FACTS_CHUNK = 60_000
#: The same for a delta's parts (``count(parts=True)``), whose memory is its chunk's: counting
#: 100,000 imported orders' summaries in ten million peaked 60 MB lower 20,000 at a time, in
#: 0.78 s instead of 0.73 (two runs each); an import's process serves the pages too.
PARTS_FACTS_CHUNK = 20_000
#: Orders up to which a delta's supplier days come in parts. Beyond, keys repeat from chunk to
#: chunk and summing them here pays: a file of a million new orders into a million (5,000
#: suppliers) handed SQLite 2.4 million supplier days to sum by key instead
#: of 480,000, and its import took 48.9–50.5 s instead of 41.4–41.8 (runs alternating).
PARTS_UP_TO = 250_000
#: Orders whose supplier days are summed in memory at once (a share of the suppliers).
ORDERS_PER_SHARE = 500_000


def count(
    connection: Connection,
    zone: str,
    claim_window_days: int,
    write: Write,
    *,
    orders: Ids | None = None,
    suppliers: Ids | None = None,
    parts: bool = False,
    new_orders: NewOrders | None = None,
) -> None:
    """Hand ``write`` the rows of each table of :data:`IN_MEMORY` that ``aggregate(table, zone,
    claim_window_days, orders=…, suppliers=…)`` gives, as columns for
    ``data_access.bulk.insert_columns`` (``zone``, the key, the sums; days as
    ``datetime64[D]``): the supplier days a share of the suppliers at a time, then the days by
    breakdown. The orders' facts are read once for both tables, a chunk at a time.

    Memory is bounded by a share: the supplier days of ten million orders, held at once, would
    take gigabytes. Each share reads the orders again (``supplier_id % shares``); its rows are
    complete when written, as no other share has their suppliers.

    ``parts``: the supplier days may come in parts whose keys repeat, for a caller that sums
    what it is handed by key anyway (a delta, ``data_access.summaries.Delta``). Up to
    :data:`PARTS_UP_TO` orders, each chunk's are written as they are counted, never held and
    summed together (an import's 100,000 orders into ten million are 260,000 supplier days,
    nearly one an order's event, so summing them together saved no rows and took 65 MB at
    its peak).

    ``new_orders``: a large load's new orders, whose facts it computed from what it wrote
    (``data_access.summary_facts``); only the others are read from the table."""
    name = "summary_supplier_days"
    summed = TABLES[name][2]
    query = order_facts(zone, claim_window_days, orders, suppliers)
    if new_orders is not None:
        query = query.where(new_orders.unheld())
    counted = _rows(connection, query) + (0 if new_orders is None else new_orders.rows)
    in_parts = parts and counted <= PARTS_UP_TO
    shares = 1 if in_parts else _share_count(counted)
    others = aggregate(
        name, zone, claim_window_days, orders=orders, suppliers=suppliers, order_events=False
    )
    assert others is not None
    claimed_and_taken = _fetched(connection, others)[[*BY_SUPPLIER, *summed]]
    claimed_and_taken = claimed_and_taken.astype({c: np.int64 for c in ["supplier_id", *summed]})
    claimed_and_taken["day"] = _days(claimed_and_taken["day"].to_numpy())
    breakdowns = Running(BY_BREAKDOWN, ORDER_SUMS, fold_from=4 * FACTS_CHUNK)
    places = Places.read(connection)
    held = None if new_orders is None else _held_sums(new_orders, zone, places, shares)
    if held is not None:
        breakdowns.add(held.breakdowns)
    for share in range(shares):
        mine = query if shares == 1 else query.where(Order.supplier_id % shares == share)
        supplier_days = Running(BY_SUPPLIER, summed, fold_from=4 * FACTS_CHUNK)
        if held is not None:  # first: the sums as they are, when nothing else counts yet
            supplier_days.add(_every_column(held.supplier_days[share], summed), summed=True)
        mine_claimed = claimed_and_taken[claimed_and_taken["supplier_id"] % shares == share]
        supplier_days.add(mine_claimed, summed=True)
        with _cycles_uncollected():
            chunk = PARTS_FACTS_CHUNK if in_parts else FACTS_CHUNK
            for facts in _fact_frames(connection, mine, places, chunk):
                events = events_of(facts)
                del facts
                breakdowns.add(summed_by(events, BY_BREAKDOWN, ORDER_SUMS))
                part = summed_by(events, BY_SUPPLIER, SUPPLIER_ORDER_SUMS)
                del events
                part = _every_column(part, summed)
                if in_parts:
                    write(name, _columns(name, zone, part))
                else:
                    supplier_days.add(part)
                del part
        write(name, _columns(name, zone, supplier_days.total()))
    order_days = _by_dimension(breakdowns.total())
    write("summary_order_days", _columns("summary_order_days", zone, order_days))


def _every_column(sums: pd.DataFrame, summed: tuple[str, ...]) -> pd.DataFrame:
    """``sums`` given each of ``summed`` it lacks, as zeros (to be summed with frames that
    have them: a column missing from one would make the total's floats). In place: the held
    sums and each chunk's part are this count's alone, and a copy would be one more of them."""
    for column in summed:
        if column not in sums:
            sums[column] = np.zeros(len(sums), dtype=np.int64)
    return sums


def rolled_up(name: str, zone: str, source: dict[str, Any]) -> dict[str, Any]:
    """The rows of ``name`` (a table of :data:`~data_access.summary_tables.ROLLUPS`) from rows of
    its source as :func:`count` writes them, summed as
    :func:`~data_access.summary_rows.rolled_up` sums them in SQL: per period (dated its first
    day) and the rest of the key. Complete when ``source`` holds all its suppliers' rows, as a
    share of :func:`count` does: a rebuild rolls the supplier days up without storing and
    reading them again (1.8 s of SQLite's sorting at a million orders)."""
    key, summed = TABLES[name][1:]
    grain = "Y" if key[1] == "year" else "M"
    source_day = TABLES[ROLLUPS[name]][1][1]
    rest = list(key[2:])
    frame = pd.DataFrame({c: source[c] for c in [*rest, *summed]})
    period = np.asarray(source[source_day], dtype="datetime64[D]").astype(f"datetime64[{grain}]")
    frame[key[1]] = period.astype("datetime64[D]")
    return _columns(name, zone, summed_by(frame, [key[1], *rest], summed))


@contextmanager
def _cycles_uncollected() -> Iterator[None]:
    """Python's cycle collector paused while the facts are read and summed: every row the
    driver hands over is a tuple the collector tracks, 60,000 a chunk, and its collections,
    each walking every tuple alive, cost 2 s of a million orders' 8.3 s count (6.3 s paused).
    Nothing read here makes a cycle; the collector runs again, as it was, when the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rows(connection: Connection, query: Select[Any]) -> int:
    counted = select(func.count()).select_from(query.subquery("counted_facts"))
    return int(connection.execute(counted).scalar_one())


def _columns(name: str, zone: str, rows: pd.DataFrame) -> dict[str, Any]:
    """The rows counting something (as ``aggregate``'s ``HAVING``), as columns."""
    key, summed = TABLES[name][1:]
    counting = np.zeros(len(rows), dtype=bool)
    for column in summed:
        counting |= rows[column].to_numpy() != 0
    # In key order: SQLite's summary tables are stored in it (WITHOUT ROWID), so each row
    # lands after the last instead of in a random page (the supplier days of a million orders:
    # 4.3 → 3.9 s to write). One index for both the order and the rows kept, taken a column
    # at a time: the frame filtered, then sorted, was two copies of it at once.
    order = np.lexsort([rows[column].to_numpy() for column in reversed(key[1:])])
    order = order[counting[order]]
    columns: dict[str, Any] = {"zone": [zone] * len(order)}
    for column in key[1:]:
        columns[column] = rows[column].to_numpy()[order]
    for column in summed:
        columns[column] = rows[column].to_numpy(np.int64)[order]
    return columns


def _fetched(connection: Connection, query: Select[Any]) -> pd.DataFrame:
    """The query's rows as the driver gives them (dates as ISO text). SQLAlchemy's own rows,
    each value through its type's processor, cost more than the query at a million rows."""
    result = connection.execute(query)
    try:
        names = list(result.keys())
        return pd.DataFrame.from_records(result.cursor.fetchall(), columns=names)
    finally:
        result.close()


#: The facts' days, read as day numbers (:func:`~data_access.sql.day_number`).
_FACT_DAYS = ("ship_by", "placed_day", "end_day")


def _fact_frames(
    connection: Connection, query: Select[Any], places: Places, chunk: int
) -> Iterator[pd.DataFrame]:
    """The rows of ``order_facts`` (``query``), ``chunk`` at a time (at least one frame, even
    empty), with days as ``datetime64[D]`` and the breakdown values as categories.

    Read as numbers, built column by column: SQLite hands Python a string object for every
    text value (an ISO day, a country), and a frame of mixed rows is built through an object
    array; at a million orders the facts took 4.1 s to read that way, as numbers ~2 s."""
    facts = query.subquery("facts")
    numbered = select(
        facts.c.supplier_id,
        facts.c.category,
        *[day_number(facts.c[day]).label(day) for day in _FACT_DAYS],
        *[facts.c[name] for name in ("due", "late", "covered", "cap")],
    )
    result = connection.execute(numbered)
    try:
        names = list(result.keys())
        cursor = result.cursor
        first = True
        while (rows := cursor.fetchmany(chunk)) or first:
            first = False
            values = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
            frame: dict[str, Any] = {}
            for name in names:
                column = values.get(name, ())
                if name == "category":
                    frame[name] = pd.Categorical(np.array(column, dtype=object))
                elif name in _FACT_DAYS:
                    frame[name] = np.array(column, dtype=np.int64).astype("datetime64[D]")
                else:
                    frame[name] = np.array(column, dtype=np.int64)
            frame["supplier_country"], frame["supplier_tier"] = places.of(frame["supplier_id"])
            del rows, values  # not held while the caller sums the frame: half a chunk's memory
            yield pd.DataFrame(frame)
    finally:
        result.close()


@dataclass(frozen=True, slots=True)
class HeldSums:
    """What held orders' events add: per supplier and day (a frame for each share of the
    suppliers, as :func:`count` shares them), and per day and breakdown."""

    shares: int
    supplier_days: tuple[pd.DataFrame, ...]
    breakdowns: pd.DataFrame


def count_ahead(connection: Connection, new_orders: NewOrders) -> None:
    """Sum the held new orders' events in a thread while the caller goes on (a load's
    indexes built: SQLite and PostgreSQL's server leave the interpreter free meanwhile);
    :func:`count` waits for the sums. The facts are the thread's from here: memory for the
    sums alone once it ends. A share of the suppliers at a time, as :func:`count` would:
    all the supplier days of a million orders summed at once took the import's process
    from 780 MB to 995 MB at its peak."""
    new_orders.check_numbering(connection)
    places = Places.read(connection)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summaries-ahead")
    for zone, window in sorted(new_orders.zones.items()):  # in the order rebuild counts them
        unheld = _rows(connection, order_facts(zone, window, None).where(new_orders.unheld()))
        shares = _share_count(unheld + new_orders.rows)
        facts = new_orders.facts.pop(zone, [])
        new_orders.ahead[zone] = pool.submit(_summed_events, facts, places, shares)
    pool.shutdown(wait=False)  # the thread ends with its last sums


def _share_count(orders: int) -> int:
    return 1 + orders // ORDERS_PER_SHARE


def _held_sums(new_orders: NewOrders, zone: str, places: Places, shares: int) -> HeldSums | None:
    ahead = new_orders.ahead.get(zone)
    if ahead is None:
        return _summed_events(new_orders.facts.get(zone, []), places, shares)
    held = ahead.result()
    if held is not None and held.shares != shares:  # the same orders counted as count counts
        raise AssertionError(f"held sums in {held.shares} shares, not {shares}")
    return held


def _summed_events(held: list[pd.DataFrame], places: Places, shares: int) -> HeldSums | None:
    """The events of the held facts (``summary_facts.facts_of``, a frame a chunk), summed;
    None for none. The supplier days carry the orders' columns only (:func:`count` adds the
    others, zero, a share at a time: 35 MB fewer held at a million orders)."""
    if not held:
        return None
    breakdowns = Running(BY_BREAKDOWN, ORDER_SUMS, fold_from=4 * FACTS_CHUNK)
    supplier_days = []
    for share in range(shares):
        days = SupplierDaySums(SUPPLIER_ORDER_SUMS)
        for facts in held:
            if shares > 1:
                facts = facts[facts["supplier_id"].to_numpy() % shares == share]
            country, tier = places.of(facts["supplier_id"].to_numpy())
            events = events_of(facts.assign(supplier_country=country, supplier_tier=tier))
            breakdowns.add(summed_by(events, BY_BREAKDOWN, ORDER_SUMS))
            days.add(events)
            del events
        supplier_days.append(days.total())
    return HeldSums(shares, tuple(supplier_days), breakdowns.total())


def _by_dimension(grouped: pd.DataFrame) -> pd.DataFrame:
    """``summary_order_days``' rows from the sums per day and breakdown: each day's sums in
    all, and per value of each dimension."""
    parts = []
    for dimension in (ALL_DIMENSION, *DIMENSIONS):
        by = ["day"] if dimension == ALL_DIMENSION else ["day", dimension]
        part = summed_by(grouped, by, ORDER_SUMS)
        part["value"] = "" if dimension == ALL_DIMENSION else part.pop(dimension).astype(str)
        part["dimension"] = dimension
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _days(values: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """ISO day texts (as SQLite gives them) as ``datetime64[D]``; each distinct day parsed
    once."""
    codes, distinct = pd.factorize(values)
    return np.array(list(distinct), dtype="datetime64[D]")[codes]
