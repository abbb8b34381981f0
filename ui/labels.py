"""How the domain's stored words read on screen: one label for each kind, status, action, verdict,
response, decision step, role and audited action, used by every screen and table alike.

Services hand pages the stored values (``non_delivery``, ``awaiting_second_approval``); only this
module turns them into words, so "Non-delivery" never reads "non delivery" on another screen.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "ACTION_LABELS",
    "AUDIT_ACTION_LABELS",
    "DEADLINE_LABELS",
    "DECISION_LABELS",
    "KIND_LABELS",
    "PAYMENT_LABELS",
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
ACTION_LABELS = {
    "approve_full": "Approve in full",
    "approve_partial": "Approve in part",
    "reject": "Reject",
    "request_evidence": "Request evidence",
}
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
