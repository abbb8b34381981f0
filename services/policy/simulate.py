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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from sqlalchemy import Engine

from data_access.claim_facts import DEFAULT_CHUNK_SIZE
from data_access.queries.simulation import ClaimLabel, claims_filed_between, cohort_covered
from data_access.settings import zone_named
from data_access.sql import day_start
from rules import Action, ClaimFacts, OrderFacts, Policy, recommend
from services.claims.recommendations import facts_of

__all__ = [
    "ClaimOutcome",
    "GroupTally",
    "Simulation",
    "Tally",
    "simulate_claims",
    "simulate_period",
]

Progress = Callable[[int, int], None]
_APPROVALS = (Action.APPROVE_FULL, Action.APPROVE_PARTIAL)


@dataclass(slots=True)
class Tally:
    """Counts and refunds of one policy over a group of claims."""

    claims: int = 0
    approvals: int = 0
    rejections: int = 0
    evidence_requests: int = 0
    four_eyes: int = 0
    refunds_cents: int = 0

    def add(self, action: Action, amount: int, four_eyes: bool) -> None:
        self.claims += 1
        if action is Action.REJECT:
            self.rejections += 1
        elif action is Action.REQUEST_EVIDENCE:
            self.evidence_requests += 1
        else:
            self.approvals += 1
            self.refunds_cents += amount
        if four_eyes:
            self.four_eyes += 1


@dataclass(slots=True)
class GroupTally:
    current: Tally = field(default_factory=Tally)
    simulated: Tally = field(default_factory=Tally)


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
    groups = into.groups
    total = into.total
    changed = into.changed
    for label, kind, claim, order in facts:
        now_rec = recommend(claim, order, active, today, zone, explain=False)
        sim_rec = recommend(claim, order, draft, today, zone, explain=False)
        key = (kind, label.supplier_tier)
        group = groups.get(key)
        if group is None:
            group = groups[key] = GroupTally()
        a, a_cents, a_four = now_rec.action, now_rec.amount_cents, now_rec.four_eyes_required
        b, b_cents, b_four = sim_rec.action, sim_rec.amount_cents, sim_rec.four_eyes_required
        group.current.add(a, a_cents, a_four)
        group.simulated.add(b, b_cents, b_four)
        total.current.add(a, a_cents, a_four)
        total.simulated.add(b, b_cents, b_four)
        if a is not b or a_cents != b_cents:
            changed.append(
                ClaimOutcome(label.claim_id, label.external_id, kind, label.supplier_tier,
                             label.status, a, a_cents, b, b_cents)
            )  # fmt: skip


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
) -> Simulation:
    """Simulate the claims filed from ``first`` to ``last`` (programme days in ``zone``)."""
    start, end = day_start(first, zone), day_start(last + timedelta(days=1), zone)
    zone_info = zone_named(zone)
    result = Simulation(active.version, draft.version, today, first, last)
    with engine.connect() as conn:
        rows = claims_filed_between(conn, start, end)
        result.cohort_orders, result.cohort_covered_cents = cohort_covered(conn, start, end)
    total = len(rows)
    if progress is not None:
        progress(0, total)
    for at in range(0, total, chunk_size):
        facts = [(label, row.kind, *facts_of(row)) for label, row in rows[at : at + chunk_size]]
        simulate_claims(facts, active, draft, today, zone_info, result)
        if progress is not None:
            progress(min(at + chunk_size, total), total)
    return result
