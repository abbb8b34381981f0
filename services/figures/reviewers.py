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

import pandas as pd
from sqlalchemy import Engine

from data_access import reviewer_summaries as stored
from data_access.queries import reviewers as q
from data_access.reviewer_summaries import DayCounts
from rules import Policy
from services.collector import collector_paused
from services.figures.rates import ratio
from services.figures.reviewer_days import count, kept_days, overridden

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


def reviewer_figures(
    engine: Engine,
    start: datetime,
    end: datetime,
    policy: Policy,
    zone: str,
    *,
    from_summaries: bool = True,
) -> ReviewerFigures:
    """The figures for decisions made in ``[start, end)``, lateness judged by the dispute clock
    of the programme's ``zone``.

    The days of ``zone`` wholly inside the period come from the reviewer summaries when they
    are kept for that zone and ``policy``'s version (and ``from_summaries``); the rest (the
    ragged ends: today so far), or everything when they are not, is counted from the verdicts
    and claims themselves, with the same counting (``reviewer_days.count``). The median is the
    database's: it sorts the period's durations and returns the middle ones."""
    with collector_paused(), engine.connect() as conn:
        counts = DayCounts()
        days, ragged = kept_days(conn, start, end, zone if from_summaries else None, policy.version)
        if days is not None:
            counts.merge(stored.read(conn, *days))
        for a, b in ragged:
            claims = q.decided_claims(conn, a, b)
            verdicts = q.decision_rows(conn, a, b)
            counts.merge(count(claims, verdicts, policy, zone, by_day=False))
        median = q.median_time_to_decision(conn, start, end)
        reviewers = counts.rows["summary_reviewer_days"]
        names = q.reviewer_names(conn, [reviewer for (reviewer,) in reviewers])
    columns = ["verdicts", "answered", "overridden", "approved", "rejected"]
    by_reviewer = pd.DataFrame(
        [
            (names.get(reviewer, f"user {reviewer}"), *sums)
            for (reviewer,), sums in reviewers.items()
        ],
        columns=["reviewer", *columns],
    ).astype({c: "int64" for c in columns})
    by_reviewer["override_rate"] = ratio(by_reviewer["overridden"], by_reviewer["answered"])
    by_reviewer = by_reviewer[
        ["reviewer", "verdicts", "answered", "overridden", "override_rate", "approved", "rejected"]
    ].sort_values(["verdicts", "reviewer"], ascending=[False, True], ignore_index=True)
    by_reason = pd.DataFrame(
        [(code, *sums) for (code,), sums in counts.rows["summary_reason_days"].items()],
        columns=["reason_code", "answered", "overridden"],
    ).astype({"answered": "int64", "overridden": "int64"})
    by_reason["override_rate"] = ratio(by_reason["overridden"], by_reason["answered"])
    by_reason = by_reason.sort_values(
        ["override_rate", "answered"], ascending=[False, False], ignore_index=True
    )
    decided, late, _, _ = counts.rows["summary_decided_days"].get((), [0, 0, 0, 0])
    return ReviewerFigures(
        claims_decided=decided,
        median_time_to_decision=median,
        decided_after_deadline=late,
        verdicts=int(by_reviewer["verdicts"].sum()),
        answered=int(by_reviewer["answered"].sum()),
        overridden=int(by_reviewer["overridden"].sum()),
        by_reviewer=by_reviewer,
        by_reason=by_reason,
    )
