"""Each figure's definition (DESIGN.md §5), written once and shown beside its number.

The sentences name the programme's time zone and the policy's numbers, so what people read is
what was counted. Plain text: the UI decides how to emphasise the name.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules import Policy, format_rate
from services.figures.tiers import describe_thresholds

__all__ = ["Definition", "definitions"]


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    text: str


def _days(zone: str) -> str:
    return f"calendar days in the programme's time zone ({zone})"


def definitions(zone: str, policy: Policy) -> dict[str, Definition]:
    """Every figure's definition by key, for time zone ``zone`` and ``policy``."""
    window = policy.claim_window_days
    items = [
        Definition(
            "Late-shipment rate",
            "by ship-by date: of the orders whose ship-by day falls in the period and has "
            "already passed, not cancelled before that day, the share shipped on a later "
            f"calendar day than the ship-by day, or not shipped at all; {_days(zone)}.",
        ),
        Definition(
            "Dispute rate",
            "card-network style: claims filed in the period ÷ orders placed in the period, "
            f"with both counts; per claim kind, that kind's claims ÷ all orders; {_days(zone)}.",
        ),
        Definition(
            "Open claims",
            "claims filed and not yet decided or withdrawn at the end of the period (now, "
            "while the period is running).",
        ),
        Definition(
            "Overdue claims",
            "open claims whose governing deadline of the dispute clock (pick-up, or decision "
            "once picked up) had passed by then; the clock counts days and working days in the "
            f"programme's time zone ({zone}), as the claim queue shows each deadline.",
        ),
        Definition(
            "Refunds approved",
            "the final decision's amount of each claim approved in the period (claims recorded "
            "as approved without a decision, such as imported history, have no amount).",
        ),
        Definition(
            "Pending liability",
            "the latest recommended amount of every claim open at the end of the period.",
        ),
        Definition(
            "Exposure",
            "covered (Trade Assurance) amounts of live orders: not cancelled, and not yet "
            f"delivered, or delivered within the {window}-day claim window, or with an open "
            f"claim; as of the end of the day, {_days(zone)}.",
        ),
        Definition(
            "Utilisation",
            "a supplier's exposure ÷ its Trade Assurance limit (the limit in force on the day).",
        ),
        Definition("Headroom", "a supplier's limit − its exposure; negative when over the limit."),
        Definition(
            "Monitoring tier",
            f"over the {policy.monitoring_window_days} whole days before today, the worse of "
            "the late-shipment tier and the dispute tier; a tier applies when both the rate and "
            f"the count reach it ({describe_thresholds(policy)}; policy {policy.version}).",
        ),
        Definition(
            "Loss ratio",
            "refunds approved so far ÷ covered amount of the orders placed in the month (the "
            "cohort), cancelled orders left out.",
        ),
        Definition(
            "Concentration",
            "top-10 share = the 10 largest suppliers' exposure ÷ all exposure. "
            "Herfindahl–Hirschman index (HHI) = the sum over suppliers of their share of "
            "exposure in percent, squared: 10,000 when one supplier holds it all; under 1,500 "
            "is usually read as unconcentrated, over 2,500 as highly concentrated.",
        ),
        Definition(
            "Reviewer figures",
            "claims decided in the period; median time from filing to decision; share decided "
            "after the dispute clock's decision deadline; override rate = verdicts departing "
            "from the recommendation they answered (approving a rejection or a request for "
            "evidence, rejecting an approval or a request for evidence, approving another "
            "amount) ÷ verdicts that answered one.",
        ),
        Definition(
            "Stress: largest exposures fail",
            "the N suppliers with the largest exposure fail at once: each of their live orders "
            "is refunded in full, capped per order as the policy caps a refund — the lower of "
            "covered and paid, less refunds already approved on the order.",
        ),
        Definition(
            "Stress: late shipments double",
            f"the late-shipment rate of the {policy.monitoring_window_days} days before the "
            "as-of day doubles (at most 100%); that share of what live orders could still pay "
            "out is refunded on the policy's late-shipment terms "
            f"({format_rate(policy.late_rate_per_day_bp)} of the cap per day late, at most "
            f"{format_rate(policy.late_rate_max_bp)}; in full when never shipped), late orders "
            "being as late as in that window.",
        ),
    ]
    keys = [
        "late_shipment",
        "dispute",
        "open_claims",
        "overdue_claims",
        "refunds_approved",
        "pending_liability",
        "exposure",
        "utilisation",
        "headroom",
        "monitoring_tier",
        "loss_ratio",
        "concentration",
        "reviewers",
        "stress_largest",
        "stress_late",
    ]
    return dict(zip(keys, items, strict=True))
