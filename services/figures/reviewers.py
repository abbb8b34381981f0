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
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from data_access.queries import reviewers as q
from rules import Action, Policy, Recommendation, decision_due, departs_from
from services.figures.rates import ratio

__all__ = ["ReviewerFigures", "overrides", "reviewer_figures"]


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


def overrides(decisions: pd.DataFrame) -> pd.Series:
    """Per verdict: True if it departs from the recommendation it answered, <NA> if none."""
    flags: list[bool | None] = []
    columns = ["recommended_action", "recommended_cents", "cap_cents", "verdict", "amount_cents"]
    rows: list[list[Any]] = decisions[columns].astype(object).values.tolist()
    for action, recommended, cap, verdict, amount in rows:
        if action is None or pd.isna(action):
            flags.append(None)
            continue
        rec = Recommendation(Action(str(action)), int(recommended), int(cap), (), "", False)
        approve = verdict == "approve"
        try:
            flags.append(departs_from(rec, approve, int(amount) if approve else 0))
        except ValueError:
            flags.append(True)  # e.g. an approval above the cap shown: certainly a departure
    return pd.Series(flags, index=decisions.index, dtype="boolean")


def _reason_codes(codes: object) -> list[str]:
    if not isinstance(codes, list):
        return []
    return sorted({str(code) for code in codes if code})


def reviewer_figures(
    engine: Engine, start: datetime, end: datetime, policy: Policy
) -> ReviewerFigures:
    """The figures for decisions made in ``[start, end)``."""
    with engine.connect() as conn:
        decided = q.decided_claims(conn, start, end)
        decisions = q.decisions_in(conn, start, end)
    durations: list[float] = []
    late = 0
    for filed_at, decided_time, escalated, picked in decided:
        durations.append((decided_time - filed_at).total_seconds())
        late += decided_time > decision_due(filed_at, escalated, picked, policy)
    decisions = decisions.assign(overridden=overrides(decisions))
    answered = decisions[decisions["overridden"].notna()]
    by_reviewer = (
        decisions.groupby("reviewer")
        .agg(
            verdicts=("verdict", "size"),
            answered=("overridden", "count"),
            overridden=("overridden", lambda s: int(s.fillna(False).sum())),
            approved=("verdict", lambda s: int((s == "approve").sum())),
            rejected=("verdict", lambda s: int((s == "reject").sum())),
        )
        .reset_index()
    )
    by_reviewer["override_rate"] = ratio(by_reviewer["overridden"], by_reviewer["answered"])
    by_reviewer = by_reviewer[
        ["reviewer", "verdicts", "answered", "overridden", "override_rate", "approved", "rejected"]
    ].sort_values(["verdicts", "reviewer"], ascending=[False, True], ignore_index=True)
    codes = answered.assign(reason_code=answered["reason_codes"].map(_reason_codes)).explode(
        "reason_code"
    )
    codes = codes[codes["reason_code"].notna()]
    by_reason = (
        codes.groupby("reason_code")
        .agg(
            answered=("overridden", "size"),
            overridden=("overridden", lambda s: int(s.astype(bool).sum())),
        )
        .reset_index()
    )
    by_reason["override_rate"] = ratio(by_reason["overridden"], by_reason["answered"])
    by_reason = by_reason.sort_values(
        ["override_rate", "answered"], ascending=[False, False], ignore_index=True
    )
    return ReviewerFigures(
        claims_decided=len(decided),
        median_time_to_decision=timedelta(seconds=median(durations)) if durations else None,
        decided_after_deadline=late,
        verdicts=len(decisions),
        answered=len(answered),
        overridden=int(answered["overridden"].astype(bool).sum()),
        by_reviewer=by_reviewer,
        by_reason=by_reason,
    )
