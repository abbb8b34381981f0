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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from rules import Policy, bundled_policy
from services.demo.catalogue import CATEGORIES, DEMO_USERS, DemoUser
from services.demo.claims import draw_claims
from services.demo.columns import Column
from services.demo.orders import draw_orders, limit_change_columns, supplier_limits
from services.demo.parties import draw_buyers, draw_suppliers, supplier_columns, user_columns
from services.demo.timeline import US_PER_DAY, epoch_day, months_before

__all__ = [
    "CATEGORIES",
    "DEMO_USERS",
    "DemoData",
    "DemoUser",
    "TableData",
    "generate",
]

#: ``progress(stage, done, total)``, called as generation advances.
Progress = Callable[[str, int, int], None]

HISTORY_MONTHS = 24
_STEPS = 5  # progress reports "generate" from 0 to this


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


def generate(
    *,
    orders: int,
    seed: int,
    today: date,
    policy: Policy | None = None,
    progress: Progress | None = None,
) -> DemoData:
    """A complete demo data set of ``orders`` orders placed in the 24 months before ``today``.

    Everything happens before 00:00 UTC on ``today``; undecided claims are computed as they stand
    then. ``policy`` defaults to the bundled v1 policy.
    """
    if orders < 1:
        raise ValueError("orders must be at least 1")
    if seed < 0:
        raise ValueError("seed must not be negative")
    policy = policy or bundled_policy("v1")

    def step(done: int) -> None:
        if progress is not None:
            progress("generate", done, _STEPS)

    rng = np.random.default_rng(seed)
    cut = epoch_day(today) * US_PER_DAY  # 00:00 UTC today: everything happens before
    start_day = epoch_day(months_before(today, HISTORY_MONTHS))
    step(0)
    users = user_columns(start_day)
    suppliers = draw_suppliers(rng, seed, orders, cut, start_day)
    step(1)
    buyers = draw_buyers(rng, seed, orders)
    step(2)
    book, suppliers = draw_orders(rng, orders, start_day, cut, suppliers, buyers)
    limit = supplier_limits(today, cut, suppliers, book)
    step(3)
    claims = draw_claims(rng, cut, today, policy, suppliers, book)
    step(4)
    result = DemoData(
        (
            TableData("users", users),
            TableData("suppliers", supplier_columns(suppliers, limit)),
            TableData("supplier_limit_changes", limit_change_columns(suppliers, limit)),
            TableData("buyers", buyers.columns),
            TableData("orders", book.columns),
            TableData("claims", claims.claims),
            TableData("recommendations", claims.recommendations),
            TableData("decisions", claims.decisions),
        )
    )
    step(5)
    return result
