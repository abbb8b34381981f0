"""``assurance bench``: throughput figures, each with a baseline measured in the same process.

A figure alone depends on the machine; its ratio to a baseline doing the bare minimum of the same
work on the same data does not (much), so the ratios are what to compare between runs:

* ``recommend()`` in memory against a loop that only computes the cap (``rules.bench``); the
  issue's target is at least 100,000 claims per second on one core.
* Recomputing stored recommendations on a scratch SQLite database of synthetic claims, first
  with every claim new (one row inserted each) and then with nothing changed, against only
  reading the same claims' facts.
* The claims CSV export against only reading its rows.

Nothing here touches the configured database.
"""

from __future__ import annotations

import io
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from data_access import migrate
from data_access.claim_facts import undecided_claim_facts
from data_access.engine import make_engine, make_session_factory
from data_access.models import Buyer, Claim, Order, Supplier
from data_access.queries.claims_export import claim_export_chunks
from rules import Policy, bundled_policy
from rules.bench import bench_recommend, generate_cases
from services.auth import Actor
from services.claims.export_claims import export_claims
from services.claims.recommendations import recompute_recommendations

__all__ = ["RECOMMEND_TARGET_PER_S", "BenchFigure", "format_figures", "run_benchmarks"]

#: The issue's target for ``recommend()`` on one core.
RECOMMEND_TARGET_PER_S = 100_000.0


@dataclass(frozen=True, slots=True)
class BenchFigure:
    name: str
    n: int
    seconds: float
    baseline_name: str
    baseline_seconds: float
    unit: str = "claims/s"
    target_per_s: float | None = None

    @property
    def per_s(self) -> float:
        return self.n / self.seconds

    @property
    def baseline_per_s(self) -> float:
        return self.n / self.baseline_seconds

    @property
    def ratio(self) -> float:
        """How many times longer than the baseline the work took."""
        return self.seconds / self.baseline_seconds

    @property
    def meets_target(self) -> bool | None:
        return None if self.target_per_s is None else self.per_s >= self.target_per_s


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _seed(engine: Engine, n: int, seed: int) -> date:
    """``n`` undecided claims, one per order, from ``rules.bench``'s mix; returns a ``today``."""
    cases = generate_cases(n, random.Random(seed))
    created = datetime(2024, 1, 1, tzinfo=UTC)
    orders: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for i, (claim, order, _today) in enumerate(cases, start=1):
        status = "delivered" if order.delivered_at else "shipped" if order.shipped_at else "placed"
        orders.append(
            {
                "id": i,
                "external_id": f"ORD-B{i:07d}",
                "supplier_id": 1 + i % 50,
                "buyer_id": 1 + i % 200,
                "category": "Machinery",
                "payment_method": "tt",
                "currency": "USD",
                "order_amount_cents": order.covered_amount_cents,
                "covered_amount_cents": order.covered_amount_cents,
                "paid_amount_cents": order.paid_amount_cents,
                "placed_at": datetime.combine(order.ship_by, datetime.min.time(), tzinfo=UTC)
                - timedelta(days=30),
                "ship_by": order.ship_by,
                "shipped_at": order.shipped_at,
                "delivered_at": order.delivered_at,
                "status": status,
            }
        )
        claims.append(
            {
                "id": i,
                "external_id": f"CLM-B{i:07d}",
                "order_id": i,
                "order_external_id": orders[-1]["external_id"],
                "buyer_id": orders[-1]["buyer_id"],
                "kind": str(claim.kind),
                "filed_at": claim.filed_at,
                "claimed_amount_cents": claim.claimed_amount_cents,
                "description": "",
                "inspection_report": claim.inspection_report,
                "defect_rate_bp": claim.defect_rate_bp,
                "conforming": claim.conforming,
                "inspection_fee_cents": claim.inspection_fee_cents,
                "supplier_response": str(claim.supplier_response),
                "status": ("open", "escalated", "in_review")[i % 3],
            }
        )
    with Session(engine) as session, session.begin():
        session.execute(
            insert(Supplier),
            [
                {
                    "id": s,
                    "external_id": f"SUP-B{s:03d}",
                    "name": f"Bench Supplier {s}",
                    "country": "CN",
                    "main_category": "Machinery",
                    "tier": "verified",
                    "limit_cents": 10**10,
                    "created_at": created,
                }
                for s in range(1, 51)
            ],
        )
        session.execute(
            insert(Buyer),
            [
                {"id": b, "external_id": f"BUY-B{b:03d}", "name": f"Buyer {b}", "country": "DE"}
                for b in range(1, 201)
            ],
        )
        session.execute(insert(Order), orders)
        session.execute(insert(Claim), claims)
    return max(c[0].filed_at.date() for c in cases) + timedelta(days=1)


def _bench_database(n: int, policy: Policy) -> list[BenchFigure]:
    with tempfile.TemporaryDirectory(prefix="assurance-bench-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            migrate.upgrade(engine)
            today = _seed(engine, n, seed=1)
            now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
            factory = make_session_factory(engine)
            actor = Actor.system("bench")

            def read_facts() -> None:
                with Session(engine) as session:
                    for _chunk in undecided_claim_facts(session):
                        pass

            def recompute() -> None:
                recompute_recommendations(factory, actor, policy, now=now)

            def read_export() -> None:
                with engine.connect() as conn:
                    for _chunk in claim_export_chunks(conn):
                        pass

            def export() -> None:
                export_claims(engine, io.StringIO(), actor=actor, policy=policy, now=now)

            read_facts()  # warm the page cache before any measurement
            first = _timed(recompute)
            baseline = _timed(read_facts)
            unchanged = _timed(recompute)
            export_baseline = _timed(read_export)
            export_seconds = _timed(export)
        finally:
            engine.dispose()
    where = f"SQLite, {n:,} undecided claims"
    return [
        BenchFigure(f"recompute, all new ({where})", n, first, "read facts only", baseline),
        BenchFigure(
            f"recompute, none changed ({where})", n, unchanged, "read facts only", baseline
        ),
        BenchFigure(
            f"export claims CSV ({where})",
            n,
            export_seconds,
            "read export rows only",
            export_baseline,
            unit="rows/s",
        ),
    ]


#: The what-if figure simulates this many times the database claims: the default 20,000 make
#: the policy issue's 100,000 claims, whose target is 2 s.
SIMULATION_FACTOR = 5


def _bench_simulation(n: int, policy: Policy) -> BenchFigure:
    """``services.policy.simulate_period`` over ``n`` claims of a scratch SQLite database (a
    draft refunding late shipments at twice the rate), in its default two processes where the
    machine has two cores, against only reading their facts in one."""
    import dataclasses

    from data_access.queries.simulation import claims_filed_between
    from services.collector import collector_paused
    from services.policy.simulate import simulate_period

    draft = dataclasses.replace(policy, version="draft", late_rate_per_day_bp=200)
    with tempfile.TemporaryDirectory(prefix="assurance-bench-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            migrate.upgrade(engine)
            today = _seed(engine, n, seed=2)
            first, last = date(2000, 1, 1), today

            def read_facts() -> None:  # as the simulator does, with the collector paused
                with collector_paused(), engine.connect() as conn:
                    claims_filed_between(conn, datetime.min.replace(tzinfo=UTC),
                                         datetime.max.replace(tzinfo=UTC))  # fmt: skip

            def simulate() -> None:
                simulate_period(engine, draft, policy, first, last, today=today, zone="UTC")

            read_facts()  # warm the page cache before any measurement
            # One day first: a running server has started the simulator's worker processes'
            # fork server (services.workers) before anyone simulates a period.
            simulate_period(engine, draft, policy, today, today, today=today, zone="UTC")
            baseline = _timed(read_facts)
            seconds = _timed(simulate)
        finally:
            engine.dispose()
    return BenchFigure(
        f"policy what-if, both policies (SQLite, {n:,} claims)", n, seconds,
        "read facts only", baseline, target_per_s=n / 2.0,
    )  # fmt: skip


def run_benchmarks(
    recommend_n: int = 200_000, database_claims: int = 20_000, policy: Policy | None = None
) -> list[BenchFigure]:
    """All figures; ``database_claims=0`` skips the database ones."""
    policy = policy or bundled_policy()
    rules = bench_recommend(recommend_n, policy)
    figures = [
        BenchFigure(
            "recommend() in memory, one core",
            rules["n"],
            rules["seconds"],
            "cap only",
            rules["baseline_seconds"],
            target_per_s=RECOMMEND_TARGET_PER_S,
        )
    ]
    if database_claims > 0:
        figures += _bench_database(database_claims, policy)
        figures.append(_bench_simulation(SIMULATION_FACTOR * database_claims, policy))
    return figures


def format_figures(figures: list[BenchFigure]) -> str:
    """A plain-text table: throughput, baseline throughput, time ratio, target verdict."""
    header = ("figure", "throughput", "baseline", "baseline throughput", "ratio", "target")
    rows = [header]
    for f in figures:
        if f.target_per_s is None:
            target = ""
        else:
            verdict = "met" if f.meets_target else "MISSED"
            target = f">= {f.target_per_s:,.0f} {f.unit}: {verdict}"
        rows.append(
            (
                f.name,
                f"{f.per_s:,.0f} {f.unit}",
                f.baseline_name,
                f"{f.baseline_per_s:,.0f} {f.unit}",
                f"x{f.ratio:.2f}",
                target,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
