"""New orders' facts counted from the columns a large load writes, not read back after it.

A first import of a million orders counts the summaries again over the tables after it
(``data_access.summaries.refresh_all``), and reading each order's facts back
(:func:`~data_access.summary_rows.order_facts`) cost 4 s of its 7.6 s recount on SQLite
(0.8 s of SQL; the rest is a million rows made Python tuples, then arrays). The rows it
inserted are in memory already, as arrays: :func:`facts_of` computes the same facts from them,
and :class:`NewOrders` holds them for the recount, which reads from the table only the orders
it does not hold (:meth:`NewOrders.unheld`).

:func:`facts_of` is the twin of ``order_facts``' SQL: the tests hold the two equal over random
orders in several zones and windows (``tests/integration/test_summary_facts.py``), and the
summaries exact after large imports (``test_import_recount.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import ColumnElement, Connection, func, or_, select

from data_access.models import Order
from data_access.settings import zone_named
from data_access.summary_tables import OPEN_ENDED

if TYPE_CHECKING:
    from data_access.summary_memory import HeldSums

__all__ = ["FACT_COLUMNS", "HELD_UP_TO", "NewOrders", "can_hold", "facts_of"]

#: The order columns :func:`facts_of` reads (the orders table's names).
FACT_COLUMNS = (
    "supplier_id",
    "category",
    "ship_by",
    "placed_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "covered_amount_cents",
    "paid_amount_cents",
)
#: New orders whose facts are held, at about 50 bytes each a zone (100 MB at the most): a
#: larger load has the rest read back from the table, as before.
HELD_UP_TO = 2_000_000

_OPEN_ENDED = np.datetime64(OPEN_ENDED, "D")


def facts_of(columns: Mapping[str, Any], zone: str, claim_window_days: int) -> pd.DataFrame:
    """The facts ``order_facts(zone, claim_window_days, …)`` gives these orders, as
    ``summary_memory`` reads them: ``supplier_id``, ``category`` (a categorical), the days
    ``ship_by``, ``placed_day`` and ``end_day`` (``datetime64[D]``), ``due`` and ``late``
    (0 or 1), ``covered`` and ``cap`` (cents).

    ``columns``: :data:`FACT_COLUMNS` as ``data_access.bulk`` writes them: times
    ``datetime64`` in UTC (``NaT``: none), ``ship_by`` ``datetime64[D]``, numbers as integers."""
    ship_by = np.asarray(columns["ship_by"]).astype("datetime64[D]")
    shipped = _local_days(columns["shipped_at"], zone)
    delivered = _local_days(columns["delivered_at"], zone)
    cancelled = _local_days(columns["cancelled_at"], zone)
    # NaT compares false with every day: "not cancelled" is said outright, as the SQL says it.
    due = np.isnat(cancelled) | (cancelled >= ship_by)
    late = due & (np.isnat(shipped) | (shipped > ship_by))
    window_ends = delivered + np.timedelta64(claim_window_days + 1, "D")
    end_day = np.where(
        np.isnat(delivered),
        np.where(np.isnat(cancelled), _OPEN_ENDED, cancelled),
        np.where(np.isnat(cancelled), window_ends, np.minimum(cancelled, window_ends)),
    )
    covered = np.asarray(columns["covered_amount_cents"], dtype=np.int64)
    paid = np.asarray(columns["paid_amount_cents"], dtype=np.int64)
    return pd.DataFrame(
        {
            "supplier_id": np.asarray(columns["supplier_id"], dtype=np.int64),
            "category": pd.Categorical(np.asarray(columns["category"], dtype=object)),
            "ship_by": ship_by,
            "placed_day": _local_days(columns["placed_at"], zone),
            "end_day": end_day.astype("datetime64[D]"),
            "due": due.astype(np.int8),  # 0 or 1: 14 of an order's 65 bytes as int64
            "late": late.astype(np.int8),
            "covered": covered,
            "cap": np.minimum(covered, paid),
        }
    )


def can_hold(dialect: str, zones: Mapping[str, int]) -> bool:
    """Whether :func:`facts_of` gives these zones' days as the database's SQL does. SQLite's
    ``local_day`` is Python's ``zoneinfo`` (``data_access.sql.sqlite_local_day``), as here:
    always. PostgreSQL's ``AT TIME ZONE`` reads the server's own time-zone data, which may be
    another release than Python's (a country that moved its clocks since, a date centuries
    ahead): only UTC, where there is nothing to read, is sure to agree; other zones' facts
    are read back."""
    return dialect == "sqlite" or all(zone_named(zone) is UTC for zone in zones)


def _local_days(moments: Any, zone: str) -> npt.NDArray[np.datetime64]:
    """The days in ``zone`` of UTC times (``NaT`` stays ``NaT``), as ``local_day`` counts
    them: the zone's rules from the same ``zoneinfo`` (``data_access.settings.zone_named``)."""
    utc = pd.DatetimeIndex(np.asarray(moments).astype("datetime64[us]"), tz="UTC")
    local = utc.tz_convert(zone_named(zone)).tz_localize(None)
    return np.asarray(local.to_numpy().astype("datetime64[D]"))


@dataclass
class NewOrders:
    """The facts of the orders a large load inserts, held for the recount after it, per zone
    kept (zone → claim window). The load owns the orders table (SQLite's write lock; a first
    load on PostgreSQL takes it), so every order numbered above :attr:`after` is one of its
    own, and they come numbered in the order :meth:`add` is told of them.

    Held up to :data:`HELD_UP_TO` orders: the rest (numbered above :attr:`through`) are read
    back from the table like the orders it held before."""

    zones: dict[str, int]
    #: The highest order id before the load.
    after: int
    #: The highest id held, once the load went past what is held (``None``: all are held).
    through: int | None = None
    rows: int = 0
    #: The new orders told of, held or not.
    told: int = 0
    facts: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    #: Per zone, the held facts' sums being counted (``summary_memory.count_ahead``).
    ahead: dict[str, Future[HeldSums | None]] = field(default_factory=dict)

    @classmethod
    def start(cls, connection: Connection, zones: dict[str, int]) -> NewOrders:
        return cls(dict(zones), _highest_id(connection))

    def add(self, connection: Connection, columns: Mapping[str, Any]) -> None:
        """Told of new orders (:data:`FACT_COLUMNS`, more may be given) before they are
        inserted, in the order they will be."""
        count = len(columns["supplier_id"])
        self.told += count
        if self.through is not None or not count:
            return
        if self.rows + count > HELD_UP_TO:
            # From here on, read back: the orders inserted so far are those held.
            self.through = _highest_id(connection)
            return
        for zone, window in self.zones.items():
            self.facts.setdefault(zone, []).append(facts_of(columns, zone, window))
        self.rows += count

    def check_numbering(self, connection: Connection) -> None:
        """After the load: hold nothing unless the orders numbered above :attr:`after` are
        exactly those told of. SQLite numbers new rows at random once an id has reached the
        64-bit limit, some then at or below :attr:`after`, which the recount reads back: held
        too, they would count twice."""
        above = select(func.count()).select_from(Order).where(Order.id > self.after)
        if connection.execute(above).scalar_one() != self.told:
            self.facts.clear()
            self.rows, self.through = 0, self.after

    def unheld(self) -> ColumnElement[bool]:
        """The orders whose facts are not held: those before the load, and those after what
        is held."""
        before = Order.id <= self.after
        return before if self.through is None else or_(before, Order.id > self.through)


def _highest_id(connection: Connection) -> int:
    return int(connection.execute(select(func.max(Order.id))).scalar() or 0)
