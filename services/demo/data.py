"""Demo data that looks real: suppliers, buyers, 24 months of orders, claims and their outcomes.

Deterministic for a seed: every random draw comes from one ``numpy`` generator (and Faker
instances seeded from it), in a fixed order, and nothing reads the clock — ``today`` is passed in.
Orders are generated as NumPy columns in one vectorised pass; only claims (a few percent of
orders) are walked one by one, because each needs the rules module's recommendation.

This module runs the stages in that fixed order and lays their columns out as tables; each stage
is a module of its own, named for what it makes:

* :mod:`~services.demo.catalogue` — the fixed world: demo users, categories, tiers, the words
  of claims and decisions;
* :mod:`~services.demo.parties` — the demo users, suppliers (a few of them poor) and buyers;
* :mod:`~services.demo.orders` — the order book with its seasons and late shipments, and the
  suppliers' limits;
* :mod:`~services.demo.claims` — which orders get a claim, and the claim tables;
* :mod:`~services.demo.disputes` — each claim walked through the dispute clock of
  ``rules.claim_deadlines``: where it stands on ``today`` gives its status;
* :mod:`~services.demo.timeline` and :mod:`~services.demo.columns` — the arithmetic of instants
  and days, and the column types and id columns the stages share.

All instants are UTC. Internally they are int64 microseconds since the epoch (days are int64
days since the epoch), turned into ``datetime64`` columns for :mod:`data_access.bulk` at the end.
Changing the order of any draw changes every data set: ``tests/unit/test_demo_fingerprint.py``
pins the output of a few seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

import numpy as np

from rules import Policy, bundled_policy
from services.demo.catalogue import CATEGORIES, DEMO_USERS, DemoUser
from services.demo.claims import draw_claims
from services.demo.columns import Column
from services.demo.orders import Orders, draw_orders, limit_change_columns, supplier_limits
from services.demo.parties import (
    Suppliers,
    draw_buyers,
    draw_suppliers,
    supplier_columns,
    user_columns,
)
from services.demo.timeline import epoch_day, months_before, to_us
from services.workers import ChildProcesses, Report

__all__ = [
    "CATEGORIES",
    "DEMO_USERS",
    "TABLE_NAMES",
    "DemoData",
    "DemoUser",
    "StagedDemo",
    "TableData",
    "generate",
    "generating",
]

#: ``progress(stage, done, total)``, called as generation advances.
Progress = Callable[[str, int, int], None]

HISTORY_MONTHS = 24
_STEPS = 4  # progress reports "generate" from 0 to this: three stages to the orders, the claims
_STEPS_TO_ORDERS = 3  # of which the stages up to the orders report the first


@dataclass(frozen=True, slots=True)
class TableData:
    """Rows of one table as equal-length columns, ready for :func:`data_access.bulk`."""

    name: str
    columns: dict[str, Column]

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


@dataclass(frozen=True, slots=True)
class DemoData:
    """All tables of a demo data set, in insert (foreign-key) order, with explicit ids from 1."""

    tables: tuple[TableData, ...]

    def table(self, name: str) -> TableData:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def counts(self) -> dict[str, int]:
        return {table.name: table.rows for table in self.tables}


#: The tables of a demo data set, in insert (foreign-key) order.
TABLE_NAMES = (
    "users",
    "suppliers",
    "supplier_limit_changes",
    "buyers",
    "orders",
    "claims",
    "recommendations",
    "decisions",
)


@dataclass(frozen=True, slots=True)
class StagedDemo:
    """A demo data set in two parts: the tables up to the orders, ready, and the claims'
    three, drawn meanwhile (``claims()`` waits for them)."""

    first: tuple[TableData, ...]
    claims: Callable[[], tuple[TableData, ...]]


@dataclass(frozen=True, slots=True)
class _ClaimsJob:
    """What the claims are drawn from: the generator as the orders left it, and the orders."""

    rng: np.random.Generator
    cut: int
    today: date
    policy: Policy
    zone: tzinfo
    suppliers: Suppliers
    book: Orders


def generate(
    *,
    orders: int,
    seed: int,
    today: date,
    policy: Policy | None = None,
    zone: tzinfo = UTC,
    progress: Progress | None = None,
) -> DemoData:
    """A complete demo data set of ``orders`` orders placed in the 24 months before ``today``.

    Everything happens before 00:00 on ``today`` in the programme's time zone ``zone``; undecided
    claims are computed as they stand then, their deadlines and days counted on that zone's
    calendar as the app counts them. ``policy`` defaults to the bundled v1 policy.
    """
    first, job = _up_to_orders(orders, seed, today, policy, zone, progress, _STEPS)
    claims = _draw_claims(job)
    _step(progress, _STEPS, _STEPS)
    return DemoData(first + claims)


@contextmanager
def generating(
    *,
    orders: int,
    seed: int,
    today: date,
    policy: Policy | None = None,
    zone: tzinfo = UTC,
    progress: Progress | None = None,
) -> Iterator[StagedDemo]:
    """:func:`generate`'s data set, the same rows, with its claims drawn in a child process
    while the caller writes the tables before them.

    The claims' walk is pure Python (the rules' recommendation for each claim): 2.3 s of a
    million orders' generation, which the seed spends writing the orders instead. Leaving the
    block stops the child if it still runs (after a failed write, say). ``progress`` hears of
    the generation up to the orders only (three steps): the claims are drawn meanwhile."""
    first, job = _up_to_orders(orders, seed, today, policy, zone, progress, _STEPS_TO_ORDERS)
    with ChildProcesses(_claims_in_child, [job]) as child:

        def claims() -> tuple[TableData, ...]:
            (tables,) = child.results()
            return tables

        yield StagedDemo(first, claims)


def _up_to_orders(
    orders: int,
    seed: int,
    today: date,
    policy: Policy | None,
    zone: tzinfo,
    progress: Progress | None,
    steps: int,
) -> tuple[tuple[TableData, ...], _ClaimsJob]:
    if orders < 1:
        raise ValueError("orders must be at least 1")
    if seed < 0:
        raise ValueError("seed must not be negative")
    rng = np.random.default_rng(seed)
    # 00:00 today in the programme's zone: everything happens before. (Midnight UTC would lie
    # ahead of the clock east of Greenwich in the small hours, and the claims' walk would mix
    # two calendars: the cut's day and ``today``.)
    cut = to_us(datetime.combine(today, time(0), tzinfo=zone))
    start_day = epoch_day(months_before(today, HISTORY_MONTHS))
    _step(progress, 0, steps)
    users = user_columns(start_day)
    suppliers = draw_suppliers(rng, seed, orders, cut, start_day)
    _step(progress, 1, steps)
    buyers = draw_buyers(rng, seed, orders)
    _step(progress, 2, steps)
    book, suppliers = draw_orders(rng, orders, start_day, cut, suppliers, buyers)
    limit = supplier_limits(today, cut, suppliers, book)
    _step(progress, 3, steps)
    first = (
        TableData("users", users),
        TableData("suppliers", supplier_columns(suppliers, limit)),
        TableData("supplier_limit_changes", limit_change_columns(suppliers, limit)),
        TableData("buyers", buyers.columns),
        TableData("orders", book.columns),
    )
    # Drawn last: the claims take the generator as the orders left it, wherever they run.
    job = _ClaimsJob(rng, cut, today, policy or bundled_policy("v1"), zone, suppliers, book)
    return first, job


def _draw_claims(job: _ClaimsJob) -> tuple[TableData, ...]:
    claims = draw_claims(job.rng, job.cut, job.today, job.policy, job.zone, job.suppliers, job.book)
    return (
        TableData("claims", claims.claims),
        TableData("recommendations", claims.recommendations),
        TableData("decisions", claims.decisions),
    )


def _claims_in_child(job: _ClaimsJob, report: Report) -> tuple[TableData, ...]:
    return _draw_claims(job)


def _step(progress: Progress | None, done: int, steps: int) -> None:
    if progress is not None:
        progress("generate", done, steps)
