"""The what-if simulation equals the rules module run claim by claim, under any two policies."""

from __future__ import annotations

import random
from datetime import UTC, date

from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.queries.simulation import ClaimLabel
from rules import Action, Policy, bundled_policy, recommend
from rules.bench import generate_cases
from services.policy.simulate import Simulation, Tally, simulate_claims
from tests.policies import policies

TIERS = ("gold", "verified", "standard", "new")
STATUSES = ("open", "in_review", "approved", "rejected")


def _tally(recs: list[tuple[Action, int, bool]]) -> Tally:
    tally = Tally()
    for action, amount, four_eyes in recs:
        tally.claims += 1
        tally.approvals += action in (Action.APPROVE_FULL, Action.APPROVE_PARTIAL)
        tally.rejections += action is Action.REJECT
        tally.evidence_requests += action is Action.REQUEST_EVIDENCE
        tally.four_eyes += four_eyes
        tally.refunds_cents += amount
    return tally


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(0, 80),
    draft=policies("v2"),
    active=st.one_of(st.just(bundled_policy("v1")), policies("v1")),
    today=st.dates(date(2024, 6, 1), date(2026, 6, 1)),
)
def test_simulation_equals_recommend_claim_by_claim(
    seed: int, n: int, draft: Policy, active: Policy, today: date
) -> None:
    rng = random.Random(seed)
    cases = generate_cases(n, rng)
    facts = [
        (ClaimLabel(i, f"CLM-{i}", rng.choice(TIERS), rng.choice(STATUSES)), str(c.kind), c, o)
        for i, (c, o, _day) in enumerate(cases, start=1)
    ]
    result = Simulation(active.version, draft.version, today)
    # In two calls, as the service feeds it chunk by chunk.
    simulate_claims(facts[: n // 2], active, draft, today, UTC, result)
    simulate_claims(facts[n // 2 :], active, draft, today, UTC, result)

    expected_changed = []
    by_group: dict[tuple[str, str], tuple[list, list]] = {}  # type: ignore[type-arg]
    for label, kind, claim, order in facts:
        a = recommend(claim, order, active, today)
        b = recommend(claim, order, draft, today)
        group = by_group.setdefault((kind, label.supplier_tier), ([], []))
        group[0].append((a.action, a.amount_cents, a.four_eyes_required))
        group[1].append((b.action, b.amount_cents, b.four_eyes_required))
        if (a.action, a.amount_cents) != (b.action, b.amount_cents):
            expected_changed.append(
                (label.claim_id, a.action, a.amount_cents, b.action, b.amount_cents)
            )
    assert [
        (c.claim_id, c.current_action, c.current_cents, c.simulated_action, c.simulated_cents)
        for c in result.changed
    ] == expected_changed
    assert set(result.groups) == set(by_group)
    for key, (current, simulated) in by_group.items():
        assert result.groups[key].current == _tally(current)
        assert result.groups[key].simulated == _tally(simulated)
    every = [r for current, _ in by_group.values() for r in current]
    assert result.total.current == _tally(every)
    assert result.total.simulated == _tally([r for _, sim in by_group.values() for r in sim])


def test_the_loss_ratio_divides_refunds_by_the_cohorts_covered_amount() -> None:
    result = Simulation("v1", "v2", date(2025, 6, 4))
    assert result.loss_ratio(simulated=True) is None  # nothing placed: no ratio
    result.cohort_covered_cents = 1_000_000
    result.total.current.refunds_cents = 20_000
    result.total.simulated.refunds_cents = 35_000
    assert result.loss_ratio(simulated=False) == 0.02
    assert result.loss_ratio(simulated=True) == 0.035
