"""How the domain's stored words read on screen: one label for each kind, status, action, verdict,
response, decision step, role and audited action, used by every screen and table alike.

Services hand pages the stored values (``non_delivery``, ``awaiting_second_approval``); only this
module turns them into words, so "Non-delivery" never reads "non delivery" on another screen.
"""

from __future__ import annotations

from collections.abc import Mapping

from rules import Action, ReasonCode

__all__ = [
    "ACTION_LABELS",
    "AUDIT_ACTION_LABELS",
    "DEADLINE_LABELS",
    "DECISION_LABELS",
    "KIND_LABELS",
    "PAYMENT_LABELS",
    "POLICY_STATUS_LABELS",
    "REASON_LABELS",
    "RESPONSE_LABELS",
    "ROLE_LABELS",
    "SHORT_STATUS_LABELS",
    "STATUS_LABELS",
    "TIER_LABELS",
    "VERDICT_LABELS",
    "label",
]

STATUS_LABELS = {
    "open": "Open",
    "escalated": "Escalated",
    "in_review": "In review",
    "awaiting_second_approval": "Awaiting second approval",
    "approved": "Approved",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
#: Where space is short (a queue row); the filter and the claim page use the long words.
SHORT_STATUS_LABELS = {**STATUS_LABELS, "awaiting_second_approval": "2nd approval"}
KIND_LABELS = {
    "late_shipment": "Late shipment",
    "quality": "Quality",
    "non_delivery": "Non-delivery",
}
ACTION_LABELS = {action.value: action.words.capitalize() for action in Action}
VERDICT_LABELS = {"approve": "Approve", "reject": "Reject"}
RESPONSE_LABELS = {"accepted": "Accepted", "disputed": "Disputed", "none": "No response"}
#: How each kind of decision reads in a claim's history (rules.lifecycle.DecisionKind).
DECISION_LABELS = {
    "sole": "Decided",
    "proposal": "Proposed (four-eyes)",
    "confirmation": "Confirmed",
}
#: What a dispute-clock deadline is for, in a queue row's words.
DEADLINE_LABELS = {
    "supplier_response_due": "supplier reply",
    "auto_escalation_at": "escalation",
    "pickup_due": "pick-up",
    "decision_due": "decision",
}
ROLE_LABELS = {
    "exec": "Executive",
    "ops_manager": "Ops manager",
    "claim_reviewer": "Claim reviewer",
    "admin": "Admin",
}
PAYMENT_LABELS = {
    "tt": "T/T (bank transfer)",
    "card": "Card",
    "letter_of_credit": "Letter of credit",
    "other": "Other",
}
#: Supplier monitoring tiers (rules.MonitoringTier); "none" (the figures' word for no tier) too.
TIER_LABELS = {"none": "None", "watch": "Watch", "warning": "Warning", "excessive": "Excessive"}
#: Each reason code of ``rules.recommend`` in a few words (the sentence beside it says why).
REASON_LABELS: dict[str, str] = {
    ReasonCode.OUT_OF_WINDOW: "Filed after the claim window",
    ReasonCode.ORDER_CANCELLED: "Order cancelled",
    ReasonCode.NOTHING_REFUNDABLE: "Nothing left to refund",
    ReasonCode.NOTHING_CLAIMED: "Nothing claimed",
    ReasonCode.SUPPLIER_ACCEPTED: "Supplier accepted",
    ReasonCode.NOT_SHIPPED: "Not shipped by the ship-by date",
    ReasonCode.NOT_YET_LATE: "Not yet late",
    ReasonCode.SHIPPED_LATE: "Shipped late",
    ReasonCode.SHIPPED_ON_TIME: "Shipped on time",
    ReasonCode.SHIP_DATE_MISSING: "Ship date missing",
    ReasonCode.NO_INSPECTION_REPORT: "No inspection report",
    ReasonCode.INSPECTION_INCOMPLETE: "Inspection incomplete",
    ReasonCode.CONFORMING: "Goods conform",
    ReasonCode.DEFECT_RATE_FULL: "Defect rate: full refund",
    ReasonCode.DEFECT_RATE_PARTIAL: "Defect rate: refund in part",
    ReasonCode.INSPECTION_FEE_REFUNDED: "Inspection fee refunded",
    ReasonCode.INSPECTION_FEE_NOT_REFUNDED: "Inspection fee not refunded",
    ReasonCode.DELIVERED: "Delivered",
    ReasonCode.NOT_DELIVERED: "Not delivered",
    ReasonCode.NOT_YET_OVERDUE: "Delivery not yet overdue",
    ReasonCode.NEVER_SHIPPED: "Never shipped",
    ReasonCode.ZERO_AMOUNT: "Refund rounds to zero",
    ReasonCode.CAP_COVERED_AMOUNT: "Capped at the covered amount",
    ReasonCode.CAP_PAID_AMOUNT: "Capped at the amount paid",
    ReasonCode.CAP_ALREADY_REFUNDED: "Capped by refunds already approved",
    ReasonCode.CAP_CLAIMED_AMOUNT: "Capped at the amount claimed",
    ReasonCode.FOUR_EYES_REQUIRED: "Four-eyes required",
}
#: Policy versions' states (``policy_versions.status``).
POLICY_STATUS_LABELS = {"active": "Active", "draft": "Draft", "retired": "Retired"}
AUDIT_ACTION_LABELS = {
    "claim_decided": "Decided",
    "claim_assigned": "Assigned",
    "claim_proposal_lapsed": "Proposal lapsed",
    "recommendations_recomputed": "Recommendations recomputed",
    "import": "Import",
    "user_added": "User added",
    "user_changed": "User changed",
}


def label(labels: Mapping[str, str], value: str | None, missing: str = "–") -> str:
    """``value``'s label; an unknown stored word reads as itself, capitalised, never blank."""
    if value is None or value == "":
        return missing
    found = labels.get(value)
    if found is not None:
        return found
    words = value.replace("_", " ")
    return words[:1].upper() + words[1:]
