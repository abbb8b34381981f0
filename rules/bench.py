"""Throughput of ``recommend()`` on a deterministic, realistic mix of claims (stdlib only).

The baseline runs the same loop over the same inputs with a function that only computes the cap,
so the ratio shows what the rules themselves cost, independent of the machine's speed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import cycle, islice
from typing import TypedDict

from rules.facts import ClaimFacts, ClaimKind, OrderFacts, Recommendation, SupplierResponse
from rules.policy import Policy, bundled_policy
from rules.recommend import recommend

__all__ = ["BenchResult", "bench_recommend", "generate_cases"]

# Distinct inputs are generated once and cycled: 200,000 frozen claims would measure the
# allocator and the memory bus rather than the rules.
_POOL_SIZE = 5_000

Case = tuple[ClaimFacts, OrderFacts, date]


class BenchResult(TypedDict):
    n: int
    seconds: float
    claims_per_s: float
    baseline_seconds: float
    baseline_per_s: float
    ratio: float  # recommend() time / baseline time: how many times slower than the cap alone


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
        seconds=rng.randrange(86_400)
    )


def generate_cases(count: int, rng: random.Random) -> list[Case]:
    """A mix like the demo data: mostly late shipments and quality claims, some edge cases."""
    epoch = date(2025, 1, 1)
    cases: list[Case] = []
    for _ in range(count):
        covered = rng.randrange(10_000, 5_000_000)
        paid = covered if rng.random() < 0.8 else rng.randrange(0, covered * 2)
        refunded = 0 if rng.random() < 0.9 else rng.randrange(0, covered)
        ship_by = epoch + timedelta(days=rng.randrange(300))
        shipped = None if rng.random() < 0.15 else ship_by + timedelta(rng.randrange(-10, 30))
        delivered = None
        if shipped is not None and rng.random() < 0.7:
            delivered = shipped + timedelta(days=rng.randrange(5, 60))
        order = OrderFacts(
            covered_amount_cents=covered,
            paid_amount_cents=paid,
            already_refunded_cents=refunded,
            ship_by=ship_by,
            shipped_at=None if shipped is None else _at(shipped, rng),
            delivered_at=None if delivered is None else _at(delivered, rng),
        )
        kind = rng.choices(list(ClaimKind), weights=(45, 40, 15))[0]
        filed = (delivered or ship_by) + timedelta(days=rng.randrange(0, 40))
        report = rng.random() < 0.8
        conforming = None if not report else rng.random() < 0.25
        claim = ClaimFacts(
            kind=kind,
            filed_at=_at(filed, rng),
            claimed_amount_cents=covered if rng.random() < 0.7 else rng.randrange(1, covered + 1),
            supplier_response=rng.choices(list(SupplierResponse), weights=(15, 60, 25))[0],
            inspection_report=report,
            defect_rate_bp=rng.randrange(0, 10_001) if report else None,
            conforming=conforming,
            inspection_fee_cents=rng.choice((0, 25_000, 60_000)),
        )
        today = filed + timedelta(days=rng.randrange(0, 90))
        cases.append((claim, order, today))
    return cases


def _cap_only(claim: ClaimFacts, order: OrderFacts, policy: Policy, today: date) -> int:
    covered = order.covered_amount_cents
    paid = order.paid_amount_cents
    base = max(0, min(covered, paid) - order.already_refunded_cents)
    return min(base, claim.claimed_amount_cents)


def _time(
    fn: Callable[[ClaimFacts, OrderFacts, Policy, date], Recommendation | int],
    cases: list[Case],
    policy: Policy,
    n: int,
) -> float:
    start = time.perf_counter()
    for claim, order, today in islice(cycle(cases), n):
        fn(claim, order, policy, today)
    return time.perf_counter() - start


def bench_recommend(n: int = 200_000, policy: Policy | None = None) -> BenchResult:
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    policy = policy or bundled_policy()
    cases = generate_cases(min(n, _POOL_SIZE), random.Random(0))
    _time(recommend, cases, policy, min(n, 10_000))  # warm caches before measuring
    seconds = _time(recommend, cases, policy, n)
    baseline = _time(_cap_only, cases, policy, n)
    return BenchResult(
        n=n,
        seconds=seconds,
        claims_per_s=n / seconds,
        baseline_seconds=baseline,
        baseline_per_s=n / baseline,
        ratio=seconds / baseline,
    )
