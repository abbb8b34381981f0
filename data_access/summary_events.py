"""What orders' facts add to the daily sums, summed in memory by pandas (which hashes where
SQLite sorts): the events of :data:`~data_access.summary_tables.ORDER_EVENTS` as frames, their
sums per key, and the suppliers' places they count under. ``data_access.summary_memory`` counts
with them, from facts read from the table or held by a load (``data_access.summary_facts``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, select

from data_access.models import Supplier
from data_access.summary_tables import ORDER_EVENTS, ORDER_SUMS, TABLES, Term

__all__ = [
    "BREAKDOWN",
    "BY_BREAKDOWN",
    "BY_SUPPLIER",
    "SUPPLIER_ORDER_SUMS",
    "Places",
    "Running",
    "SupplierDaySums",
    "events_of",
    "summed_by",
]

BREAKDOWN = ["supplier_country", "supplier_tier", "category"]
BY_BREAKDOWN = ["day", *BREAKDOWN]
BY_SUPPLIER = ["day", "supplier_id"]
#: What the orders' events add to the supplier days.
SUPPLIER_ORDER_SUMS = tuple(c for c in TABLES["summary_supplier_days"][2] if c in ORDER_SUMS)


@dataclass(frozen=True, slots=True)
class Places:
    """Every supplier's country and tier, as codes by supplier id: the facts' rows carry the
    supplier's id only (two texts an order were a Python string each, read a million times)."""

    country: pd.Categorical
    tier: pd.Categorical

    @classmethod
    def read(cls, connection: Connection) -> Places:
        rows = connection.execute(select(Supplier.id, Supplier.country, Supplier.tier)).all()
        ids = [row[0] for row in rows]
        places = {}
        for position, name in ((1, "country"), (2, "tier")):
            by_id = np.full(1 + max(ids, default=0), None, dtype=object)
            by_id[ids] = [row[position] for row in rows]
            places[name] = pd.Categorical(by_id)
        return cls(**places)

    def of(self, supplier_ids: npt.NDArray[np.int64]) -> tuple[pd.Categorical, pd.Categorical]:
        return self.country.take(supplier_ids), self.tier.take(supplier_ids)


class Running:
    """Sums per key of the frames added so far. Folded whenever the frames waiting are as many
    rows as the sums (and a few chunks' worth): all the chunks' partial sums at once were as
    many rows again as the events, gigabytes at ten million orders; folding at every chunk
    summed the same rows again and again. ``fold_from``: rows waiting before the first fold."""

    def __init__(self, by: list[str], summed: tuple[str, ...], *, fold_from: int) -> None:
        self.by, self.summed, self.fold_from = by, summed, fold_from
        self.frames: list[pd.DataFrame] = []
        self.waiting = self.folded = 0

    def add(self, frame: pd.DataFrame, *, summed: bool = False) -> None:
        """``summed``: the frame has one row a key already (sums held, or counted by SQL). Put
        in an empty running sum, it becomes the sums as it is: a first import's 1.8 million
        supplier days, held summed, were summed twice more here (with the rest of its
        recount's copies, 1.3 s of 22.8 s). An empty frame adds nothing."""
        if not self._counts():
            if summed or frame.empty:
                self.frames, self.waiting, self.folded = [frame], 0, len(frame)
                return
        elif frame.empty:
            return
        self.frames.append(frame)
        self.waiting += len(frame)
        if self.waiting > max(self.folded, self.fold_from):
            self._fold()

    def _counts(self) -> bool:
        """Whether any row was added yet (an empty frame keeps only the columns)."""
        return any(not frame.empty for frame in self.frames)

    def total(self) -> pd.DataFrame:
        if self.waiting or len(self.frames) != 1:
            self._fold()
        return self.frames[0]

    def _fold(self) -> None:
        sums = summed_by(pd.concat(self.frames, ignore_index=True), self.by, self.summed)
        self.frames, self.waiting, self.folded = [sums], 0, len(sums)


class SupplierDaySums:
    """Sums per day and supplier of the events added, a chunk at a time: their columns kept as
    arrays and summed once, in order of day and supplier, by sorting (NumPy) instead of
    hashing (pandas' group-by, :class:`Running`).

    Over many suppliers the events hardly repeat a supplier day (random facts of a million
    orders over 50,000 suppliers: 2.9 million events, 2.2 million supplier days), so summing
    each chunk saves no rows and every fold hashes copies of nearly all of them. Those facts'
    supplier days summed so in 2.51 s instead of 4.75 s, peaking at 233 MB instead of 392
    (134 and 168 MB of it the sums; tracemalloc, 7 Dec 2026): a first import's, in the
    thread that sums them while the orders' indexes are built. Over few suppliers, where the
    events repeat supplier days, the folds kept fewer rows: 5,000 suppliers' first import
    peaks ~15 MB higher so."""

    def __init__(self, summed: tuple[str, ...]) -> None:
        self.summed = summed
        self.days: list[npt.NDArray[np.datetime64]] = []
        self.suppliers: list[npt.NDArray[np.int64]] = []
        self.sums: dict[str, list[npt.NDArray[np.int64]]] = {column: [] for column in summed}

    def add(self, events: pd.DataFrame) -> None:
        """Events with a ``day``, a ``supplier_id`` and the summed columns."""
        self.days.append(events["day"].to_numpy().astype("datetime64[D]"))
        self.suppliers.append(events["supplier_id"].to_numpy(np.int64))
        for column in self.summed:
            self.sums[column].append(events[column].to_numpy(np.int64))

    def total(self) -> pd.DataFrame:
        """The sums, one row a day and supplier, in that order; the events are let go."""
        days = np.concatenate(self.days) if self.days else np.array([], "datetime64[D]")
        suppliers = np.concatenate(self.suppliers) if self.suppliers else np.array([], np.int64)
        self.days, self.suppliers = [], []
        order = np.lexsort((suppliers, days))
        days, suppliers = days[order], suppliers[order]
        starts = np.ones(len(order), dtype=bool)
        starts[1:] = (days[1:] != days[:-1]) | (suppliers[1:] != suppliers[:-1])
        first = np.flatnonzero(starts)
        frame: dict[str, Any] = {"day": days[first], "supplier_id": suppliers[first]}
        del days, suppliers, starts
        for column in self.summed:  # a column at a time: one sorted copy alive at once
            parts = self.sums.pop(column)
            values = np.concatenate(parts) if parts else np.array([], np.int64)
            frame[column] = np.add.reduceat(values[order], first) if len(first) else values
        self.sums = {column: [] for column in self.summed}
        return pd.DataFrame(frame, copy=False)  # the arrays as they are: no block of copies


def events_of(facts: pd.DataFrame) -> pd.DataFrame:
    """Every order's events: its supplier and breakdown values, the day, what it adds."""
    spans = facts["end_day"].to_numpy() > facts["placed_day"].to_numpy()
    every = np.ones(len(facts), dtype=bool)
    parts = []
    for event in ORDER_EVENTS:
        chosen = spans if event.spanning else every
        part: dict[str, Any] = {
            key: facts[key].to_numpy()[chosen] for key in ["supplier_id", *BREAKDOWN]
        }
        part["day"] = facts[event.day].to_numpy()[chosen]
        for column in ORDER_SUMS:
            part[column] = _term(event.sums.get(column), facts, spans)[chosen]
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def _term(term: Term | None, facts: pd.DataFrame, spans: npt.NDArray[np.bool_]) -> Any:
    if term is None:
        return np.zeros(len(facts), dtype=np.int64)
    counted = (
        np.ones(len(facts), dtype=np.int64)
        if term.fact is None
        else facts[term.fact].to_numpy(np.int64)
    )
    signed = -counted if term.sign < 0 else counted
    return np.where(spans, signed, 0) if term.spanning else signed


def summed_by(frame: pd.DataFrame, by: list[str], summed: tuple[str, ...]) -> pd.DataFrame:
    grouped = frame.groupby(by, sort=False, as_index=False, observed=True)
    return grouped[list(summed)].sum()
