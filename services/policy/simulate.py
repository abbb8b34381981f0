"""What-if: the claims of a filing period recommended under a draft and under the active policy.

Both sides run the shared rules function (``rules.recommend``) on the same facts on the same
programme day ``today``, so every difference comes from the policy alone; the stored
recommendations (computed on other days, some under older versions) are not the comparison.
Sentences are skipped (``explain=False``): only actions and amounts are compared, which keeps
100,000 claims within a couple of seconds (``assurance bench``).

*Loss ratio effect*: recommended refunds on the period's claims ÷ the covered amount of the
orders placed in the same period and not cancelled by its end (the period's order cohort,
DESIGN.md §5), under each policy. The denominator is the same on both sides, so the change is
the change in refunds over the cohort's covered amount.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import Engine

from data_access.claim_facts import DEFAULT_CHUNK_SIZE
from data_access.engine import make_engine
from data_access.queries.simulation import ClaimLabel, claims_filed_between, cohort_covered
from data_access.settings import zone_named
from data_access.sql import day_start
from rules import Action, ClaimFacts, OrderFacts, Policy, recommend
from services.claims.recommendations import facts_of
from services.collector import collector_paused
from services.workers import ChildProcesses

__all__ = [
    "ClaimOutcome",
    "GroupTally",
    "Simulation",
    "Tally",
    "simulate_claims",
    "simulate_period",
]

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Tally:
    """Counts and refunds of one policy over a group of claims."""

    claims: int = 0
    approvals: int = 0
    rejections: int = 0
    evidence_requests: int = 0
    four_eyes: int = 0
    refunds_cents: int = 0

    def add(self, action: Action, amount: int, four_eyes: bool, claims: int = 1) -> None:
        """Count ``claims`` claims recommended ``action``, refunding ``amount`` in all."""
        self.claims += claims
        if action is Action.REJECT:
            self.rejections += claims
        elif action is Action.REQUEST_EVIDENCE:
            self.evidence_requests += claims
        else:
            self.approvals += claims
            self.refunds_cents += amount
        if four_eyes:
            self.four_eyes += claims

    def merge(self, other: Tally) -> None:
        self.claims += other.claims
        self.approvals += other.approvals
        self.rejections += other.rejections
        self.evidence_requests += other.evidence_requests
        self.four_eyes += other.four_eyes
        self.refunds_cents += other.refunds_cents


@dataclass(slots=True)
class GroupTally:
    current: Tally = field(default_factory=Tally)
    simulated: Tally = field(default_factory=Tally)

    def merge(self, other: GroupTally) -> None:
        self.current.merge(other.current)
        self.simulated.merge(other.simulated)


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """One claim's recommendation under both policies (the claims whose action or amount
    would change are kept)."""

    claim_id: int
    external_id: str
    kind: str
    supplier_tier: str
    status: str
    current_action: Action
    current_cents: int
    simulated_action: Action
    simulated_cents: int

    @property
    def change_cents(self) -> int:
        return self.simulated_cents - self.current_cents


@dataclass(slots=True)
class Simulation:
    active_version: str
    draft_version: str
    today: date
    first: date | None = None
    last: date | None = None
    #: (claim kind, supplier tier) -> tallies under the active policy and the draft.
    groups: dict[tuple[str, str], GroupTally] = field(default_factory=dict)
    total: GroupTally = field(default_factory=GroupTally)
    changed: list[ClaimOutcome] = field(default_factory=list)
    cohort_orders: int = 0
    cohort_covered_cents: int = 0

    def loss_ratio(self, simulated: bool) -> float | None:
        """Recommended refunds ÷ the cohort's covered amount (module docstring); None if the
        period placed no covered amount."""
        if self.cohort_covered_cents <= 0:
            return None
        tally = self.total.simulated if simulated else self.total.current
        return tally.refunds_cents / self.cohort_covered_cents

    def merge(self, part: Simulation) -> None:
        """Add the tallies and changed claims of another share of the same period's claims."""
        for key, tallies in part.groups.items():
            self.groups.setdefault(key, GroupTally()).merge(tallies)
        self.total.merge(part.total)
        self.changed += part.changed


Fact = tuple[ClaimLabel, str, ClaimFacts, OrderFacts]


def simulate_claims(
    facts: Sequence[Fact],
    active: Policy,
    draft: Policy,
    today: date,
    zone: tzinfo,
    into: Simulation,
) -> None:
    """Add ``facts`` (label, kind, claim facts, order facts) to ``into``: the pure core."""
    # Claims are counted by their outcome under both policies first, then the few distinct
    # outcomes are added to the tallies: one dictionary update per claim instead of four.
    outcomes: dict[tuple[str, str, Action, bool, Action, bool], list[int]] = {}
    changed = into.changed
    for label, kind, claim, order in facts:
        now_rec = recommend(claim, order, active, today, zone, explain=False)
        sim_rec = recommend(claim, order, draft, today, zone, explain=False)
        a, a_cents = now_rec.action, now_rec.amount_cents
        b, b_cents = sim_rec.action, sim_rec.amount_cents
        key = (kind, label.supplier_tier, a, now_rec.four_eyes_required, b,
               sim_rec.four_eyes_required)  # fmt: skip
        seen = outcomes.get(key)
        if seen is None:
            outcomes[key] = [1, a_cents, b_cents]
        else:
            seen[0] += 1
            seen[1] += a_cents
            seen[2] += b_cents
        if a is not b or a_cents != b_cents:
            changed.append(
                ClaimOutcome(label.claim_id, label.external_id, kind, label.supplier_tier,
                             label.status, a, a_cents, b, b_cents)
            )  # fmt: skip
    groups, total = into.groups, into.total
    for (kind, tier, a, a_four, b, b_four), (claims, a_cents, b_cents) in outcomes.items():
        group = groups.get((kind, tier))
        if group is None:
            group = groups[kind, tier] = GroupTally()
        for tallies in (group, total):
            tallies.current.add(a, a_cents, a_four, claims)
            tallies.simulated.add(b, b_cents, b_four, claims)


@dataclass(frozen=True, slots=True)
class _Share:
    """One share of a period's claims to simulate: those whose id % ``shares`` is ``index``
    (everything a worker process needs, picklable)."""

    url: str
    draft: Policy
    active: Policy
    start: datetime
    end: datetime
    today: date
    zone: str
    index: int
    shares: int
    chunk_size: int


def simulate_period(
    engine: Engine,
    draft: Policy,
    active: Policy,
    first: date,
    last: date,
    *,
    today: date,
    zone: str,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int | None = None,
) -> Simulation:
    """Simulate the claims filed from ``first`` to ``last`` (programme days in ``zone``).

    The claims are split by id over ``workers`` processes (default: two where the machine has
    two cores and the database is a server or a file; ``services.workers``): this one
    simulates the first share, and reads the period's order cohort, while child processes
    simulate the others. ``workers=1`` runs everything here.
    """
    start, end = day_start(first, zone), day_start(last + timedelta(days=1), zone)
    shares = workers if workers is not None else _default_workers(engine)
    url = engine.url.render_as_string(hide_password=False)
    jobs = [_Share(url, draft, active, start, end, today, zone, index, shares, chunk_size)
            for index in range(shares)]  # fmt: skip
    result = Simulation(active.version, draft.version, today, first, last)
    with ChildProcesses(_simulate_share, jobs[1:]) as children:
        own: tuple[int, int] = (0, 0)
        told: tuple[int, int] | None = None

        def report() -> None:
            nonlocal told
            reports = [own, *children.progress.values()]
            now = (sum(done for done, _ in reports), sum(total for _, total in reports))
            if progress is not None and now != told:
                progress(*now)
                told = now

        def report_own(done: int, total: int) -> None:
            nonlocal own
            own = (done, total)
            children.poll()
            report()

        result.merge(_simulate_in(engine, jobs[0], report_own))
        with engine.connect() as conn:
            result.cohort_orders, result.cohort_covered_cents = cohort_covered(conn, start, end)
        for share in children.results(on_progress=report):
            result.merge(share)
        report()  # the whole period, whichever message came last
    result.changed.sort(key=_claim_id)
    return result


def _default_workers(engine: Engine) -> int:
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and (not database or database == ":memory:"):
        return 1  # another process cannot open this process's in-memory database
    return min(2, os.cpu_count() or 1)


def _simulate_share(share: _Share, report: Progress) -> Simulation:
    """A worker process's share: its own engine (connections are never shared across forks)."""
    engine = make_engine(share.url)
    try:
        return _simulate_in(engine, share, report)
    finally:
        engine.dispose()


def _simulate_in(engine: Engine, share: _Share, report: Progress) -> Simulation:
    with collector_paused():
        # The facts die when _simulated returns, before the collector resumes: its first
        # collection then has only the results to walk.
        return _simulated(engine, share, report)


def _simulated(engine: Engine, share: _Share, report: Progress) -> Simulation:
    zone_info = zone_named(share.zone)
    result = Simulation(share.active.version, share.draft.version, share.today)
    with engine.connect() as conn:
        rows = claims_filed_between(conn, share.start, share.end, share=(share.index, share.shares))
    total = len(rows)
    report(0, total)
    for at in range(0, total, share.chunk_size):
        chunk = rows[at : at + share.chunk_size]
        facts = [(label, row.kind, *facts_of(row)) for label, row in chunk]
        simulate_claims(facts, share.active, share.draft, share.today, zone_info, result)
        report(min(at + share.chunk_size, total), total)
    return result


def _claim_id(outcome: ClaimOutcome) -> int:
    return outcome.claim_id
