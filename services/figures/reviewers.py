"""Reviewer service figures for a period, so ops can calibrate both reviewers and rules.

* **Claims decided**: claims approved or rejected in the period (their final decision time).
* **Median time to decision**: filing to decision, over those claims.
* **Decided after the deadline**: decided after the rules module's ``decision_due`` (dispute
  clock from filing, escalation and pick-up).
* **Override rate**: of the verdicts recorded in the period that answered a recommendation, the
  share departing from it (``rules.departs_from``: approving a rejection or a request for
  evidence, rejecting an approval or a request for evidence, approving another amount) — by
  reviewer, and by each reason code of the recommendation answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

import pandas as pd
from sqlalchemy import Engine

from data_access.queries import reviewers as q
from rules import Action, Policy, Recommendation, decision_due, departs_from
from services.collector import collector_paused
from services.figures.rates import ratio

__all__ = ["ReviewerFigures", "overridden", "reviewer_figures"]


@dataclass(frozen=True, slots=True)
class ReviewerFigures:
    claims_decided: int
    median_time_to_decision: timedelta | None
    decided_after_deadline: int
    #: Verdicts recorded in the period, and those that answered a recommendation.
    verdicts: int
    answered: int
    overridden: int
    #: ``reviewer, verdicts, answered, overridden, override_rate, approved, rejected``.
    by_reviewer: pd.DataFrame
    #: ``reason_code, answered, overridden, override_rate``.
    by_reason: pd.DataFrame

    @property
    def override_rate(self) -> float | None:
        return self.overridden / self.answered if self.answered else None


def overridden(
    action: str | None, recommended: int | None, cap: int | None, verdict: str, amount: int
) -> bool | None:
    """Whether a verdict departs from the recommendation it answered, None if it answered none
    (the recommendation's action, amount and cap; the verdict and its amount)."""
    if action is None or recommended is None or cap is None:
        return None
    rec = Recommendation(Action(action), recommended, cap, (), "", False)
    approve = verdict == "approve"
    try:
        return departs_from(rec, approve, amount if approve else 0)
    except ValueError:
        return True  # e.g. an approval above the cap shown: certainly a departure


@dataclass(slots=True)
class _Tally:
    verdicts: int = 0
    answered: int = 0
    overridden: int = 0
    approved: int = 0
    rejected: int = 0


def reviewer_figures(
    engine: Engine, start: datetime, end: datetime, policy: Policy
) -> ReviewerFigures:
    """The figures for decisions made in ``[start, end)``.

    A year holds tens of thousands of claims and verdicts: they are read as plain tuples and
    counted in one pass with the cycle collector paused (none of them is cyclic garbage, and
    collections walking them cost more than the counting)."""
    with collector_paused():
        with engine.connect() as conn:
            decided = q.decided_claims(conn, start, end)
            decisions = q.decision_rows(conn, start, end)
        durations: list[float] = []
        late = 0
        for filed_at, decided_time, escalated, picked in decided:
            durations.append((decided_time - filed_at).total_seconds())
            late += decided_time > decision_due(filed_at, escalated, picked, policy)
        reviewers: dict[str, _Tally] = {}
        reasons: dict[str, _Tally] = {}
        for reviewer, verdict, amount, action, recommended, cap, codes in decisions:
            tally = reviewers.get(reviewer)
            if tally is None:
                tally = reviewers[reviewer] = _Tally()
            tally.verdicts += 1
            tally.approved += verdict == "approve"
            tally.rejected += verdict == "reject"
            departs = overridden(action, recommended, cap, verdict, amount)
            if departs is None:
                continue
            tally.answered += 1
            tally.overridden += departs
            for code in sorted({c for c in codes or () if c}):
                by_code = reasons.get(code)
                if by_code is None:
                    by_code = reasons[code] = _Tally()
                by_code.answered += 1
                by_code.overridden += departs
        median_s = median(durations) if durations else None
    by_reviewer = pd.DataFrame(
        [
            (name, t.verdicts, t.answered, t.overridden, t.approved, t.rejected)
            for name, t in reviewers.items()
        ],
        columns=["reviewer", "verdicts", "answered", "overridden", "approved", "rejected"],
    ).astype({c: "int64" for c in ["verdicts", "answered", "overridden", "approved", "rejected"]})
    by_reviewer["override_rate"] = ratio(by_reviewer["overridden"], by_reviewer["answered"])
    by_reviewer = by_reviewer[
        ["reviewer", "verdicts", "answered", "overridden", "override_rate", "approved", "rejected"]
    ].sort_values(["verdicts", "reviewer"], ascending=[False, True], ignore_index=True)
    by_reason = pd.DataFrame(
        [(code, t.answered, t.overridden) for code, t in reasons.items()],
        columns=["reason_code", "answered", "overridden"],
    ).astype({"answered": "int64", "overridden": "int64"})
    by_reason["override_rate"] = ratio(by_reason["overridden"], by_reason["answered"])
    by_reason = by_reason.sort_values(
        ["override_rate", "answered"], ascending=[False, False], ignore_index=True
    )
    answered = sum(t.answered for t in reviewers.values())
    return ReviewerFigures(
        claims_decided=len(decided),
        median_time_to_decision=None if median_s is None else timedelta(seconds=median_s),
        decided_after_deadline=late,
        verdicts=len(decisions),
        answered=answered,
        overridden=sum(t.overridden for t in reviewers.values()),
        by_reviewer=by_reviewer,
        by_reason=by_reason,
    )
