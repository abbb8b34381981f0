"""One claim (deep link: ?claim=CLM-…): the facts, the recommendation, and the decision."""

import pandas as pd
import streamlit as st

from services.auth import NotAllowed
from services.claims.decide import (
    AlreadyDecided,
    DecisionError,
    RecommendationChanged,
    decide_claim,
)
from services.claims.recommendations import active_policy
from services.claims.take import assign_claim
from services.claims.view import ClaimView, Turn, load_claim, preview_verdict
from ui import auth, definitions, format, wiring
from ui import claim_widgets as w
from ui.data import clear_read_caches
from ui.text import plain

actor = auth.require_screen(w.CLAIM_PAGE)
engine = wiring.engine()
policy = active_policy()
now = wiring.now()
zone = w.reader_zone()
_FLASH = "claim_page_flash"
_APPROVALS = ("approve_full", "approve_partial")

if st.button("Claim queue", icon=":material/arrow_back:", type="tertiary"):
    w.back_to_queue()

ref = (st.query_params.get("claim") or "").strip()
if not ref:
    st.title("Claim")
    with st.form("find_claim"):
        wanted = st.text_input("Claim reference", placeholder="CLM-000123")
        if st.form_submit_button("Open", type="primary"):
            st.query_params["claim"] = wanted.strip().upper()
            st.rerun()
    st.caption("Or pick a claim from the queue.")
    st.stop()

view = load_claim(engine, ref, actor.user_id, policy=policy, now=now)
if view is None:
    st.title("Claim")
    st.warning(f"There is no claim {plain(ref)}.", icon=":material/search_off:")
    st.stop()
assert view is not None


def _flash(kind: str, message: str) -> None:
    st.session_state[_FLASH] = (kind, message)


def _show_flash() -> None:
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        kind, message = flash
        show = {"success": st.success, "warning": st.warning}.get(kind, st.info)
        show(plain(message))


def _yes_no(value: bool | None, unknown: str = "not stated") -> str:
    return unknown if value is None else ("yes" if value else "no")


def _facts(pairs: list[tuple[str, str]]) -> None:
    """Label–value pairs as a quiet two-column table; every value is shown as plain text."""
    st.dataframe(
        pd.DataFrame(pairs, columns=["Fact", "Value"]),
        hide_index=True,
        column_config={"Fact": st.column_config.TextColumn(width="medium")},
    )


def _header(view: ClaimView) -> None:
    st.title(f"Claim {plain(view.claim_external_id)}")
    status = w.STATUS_LABELS.get(view.status, view.status)
    st.caption(
        " · ".join(
            plain(part)
            for part in (
                w.KIND_LABELS.get(view.kind, view.kind),
                status,
                f"filed {w.local_time(view.filed_at, zone)}",
                f"order {view.order_external_id}",
                f"supplier {view.supplier_name} ({view.supplier_country})",
                f"buyer {view.buyer_name} ({view.buyer_country})",
            )
        )
    )


def _description(view: ClaimView) -> None:
    st.subheader("Buyer's description")
    with st.container(border=True):
        if view.description.strip():
            # Plain text: markup in a description shows literally; line breaks are kept.
            st.markdown(plain(view.description).replace("\n", "  \n"))
        else:
            st.caption("No description given.")


def _evidence(view: ClaimView) -> None:
    st.subheader("Evidence")
    defect = "–" if view.defect_rate_bp is None else f"{view.defect_rate_bp / 100:g}%"
    _facts(
        [
            ("Claimed amount", format.money(view.claimed_amount_cents)),
            ("Inspection report", _yes_no(view.inspection_report)),
            ("Goods conform", _yes_no(view.conforming) if view.inspection_report else "–"),
            ("Defect rate", defect),
            ("Inspection fee", format.money(view.inspection_fee_cents)),
            ("Supplier response", w.RESPONSE_LABELS.get(view.supplier_response, "–")),
        ]
    )


def _timeline(view: ClaimView) -> None:
    st.subheader("Timeline")
    rows = []
    for entry in view.timeline:
        when = (
            w.calendar_day(entry.at, view.programme_zone)
            if entry.day_only
            else w.local_time(entry.at, zone)
        )
        if entry.deadline:
            due = w.urgency(entry.at, now, zone)
            state = f"next deadline: {due.text}" if entry.is_next else "deadline"
            detail = state if entry.is_next or entry.at > now else "deadline (passed)"
        else:
            detail = entry.detail
        rows.append({"When": when, "Event": entry.event, "Detail": detail})
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(
        f"Times in {w.zone_name(zone)}; the ship-by date is a calendar day of the programme "
        f"({w.zone_name(view.programme_zone)})."
    )


def _recommendation(view: ClaimView) -> None:
    st.subheader("Recommendation")
    rec = view.recommendation
    if rec is None:
        st.info(
            "No recommendation is stored for this claim yet; deciding computes one first.",
            icon=":material/hourglass_empty:",
        )
        return
    st.metric(w.ACTION_LABELS.get(rec.action, rec.action), format.money(rec.amount_cents))
    four_eyes = " · above the four-eyes threshold" if rec.four_eyes_required else ""
    st.markdown(f"Cap that applied: **{format.money(rec.cap_cents)}**{four_eyes}")
    st.markdown("\n".join(f"- {plain(message)}" for _, message in rec.reasons))
    codes = ", ".join(code for code, _ in rec.reasons)
    st.caption(
        f"Policy {plain(rec.policy_version)}, computed {w.local_time(rec.created_at, zone)} · "
        f"reasons {plain(codes)}"
        + (
            f" · {view.recommendation_count} recommendations stored, the latest shown"
            if view.recommendation_count > 1
            else ""
        )
    )


def _take(view: ClaimView) -> None:
    mine = view.assignee_id == actor.user_id
    who = "you" if mine else (view.assignee_name or "nobody")
    cols = st.columns([1, 1], vertical_alignment="center")
    cols[0].caption(f"Assigned to {plain(who)}")
    if view.undecided and not mine and cols[1].button("Take it", icon=":material/pan_tool:"):
        try:
            message = assign_claim(
                wiring.session_factory(),
                actor,
                view.claim_id,
                now=wiring.now(),
                policy=policy,
            )
        except NotAllowed as error:
            auth.show_not_allowed(error)
        except DecisionError as error:
            st.error(plain(str(error)))
        else:
            clear_read_caches()
            _flash("success", message)
            st.rerun()


def _verdict_options(view: ClaimView) -> dict[str, str]:
    """The verdicts the viewer may record, worded for where the claim stands."""
    rec = view.recommendation
    pending = view.pending_proposal
    can_approve = rec is None or rec.cap_cents > 0
    if view.turn is Turn.CONFIRM_OR_PROPOSE and pending is not None:
        if pending.verdict == "approve":
            options = {
                "confirm": f"Confirm: approve {format.money(pending.amount_cents)}",
                "amount": "Propose a different amount",
                "reject": "Propose to reject instead",
            }
        else:
            options = {"confirm": "Confirm: reject", "amount": "Propose an amount instead"}
        if not can_approve:
            options.pop("amount", None)
        return options
    if rec is not None and rec.action in _APPROVALS:
        return {
            "follow": f"Approve {format.money(rec.amount_cents)} (recommended)",
            "amount": "Approve a different amount",
            "reject": "Reject",
        }
    recommended = rec is not None and rec.action == "reject"
    options = {"reject": "Reject (recommended)" if recommended else "Reject"}
    if can_approve:
        options["amount"] = "Approve an amount"
    return options


def _proposal_note(view: ClaimView) -> None:
    pending, lapsed = view.pending_proposal, view.lapsed_proposal
    if pending is not None:
        verdict = (
            f"approve {format.money(pending.amount_cents)}"
            if pending.verdict == "approve"
            else "reject"
        )
        st.markdown(
            f"**{plain(pending.reviewer_name)}** proposed to {verdict} on "
            f"{w.local_time(pending.decided_at, zone)}. Four-eyes: it becomes final only when a "
            "second, different reviewer confirms the same verdict and amount; a different "
            "verdict becomes a new proposal."
        )
        if pending.note:
            with st.container(border=True):
                st.markdown(plain(pending.note).replace("\n", "  \n"))
    elif lapsed is not None:
        verdict = (
            f"approve {format.money(lapsed.amount_cents)}"
            if lapsed.verdict == "approve"
            else "reject"
        )
        st.warning(
            f"{plain(lapsed.reviewer_name)}'s proposal ({verdict}) lapsed: the recommendation it "
            "answered has changed. Decide afresh on the recommendation above.",
            icon=":material/history:",
        )


def _decide(view: ClaimView) -> None:
    st.subheader("Decision")
    if view.turn is None:
        st.info(plain(view.standing.blocked), icon=":material/lock:")
        return
    rec = view.recommendation
    pending = view.pending_proposal
    _proposal_note(view)
    options = _verdict_options(view)
    key = f"{view.claim_id}_{view.turn.value}_{len(view.decisions)}"
    choice = st.radio("Verdict", list(options), format_func=options.__getitem__, key=f"v_{key}")
    approve = choice in ("follow", "amount") or (
        choice == "confirm" and pending is not None and pending.verdict == "approve"
    )
    amount = 0
    if choice == "follow" and rec is not None:
        amount = rec.amount_cents
    elif choice == "confirm" and pending is not None:
        amount = pending.amount_cents
    elif choice == "amount":
        cap = rec.cap_cents if rec is not None else view.claimed_amount_cents
        start = rec.amount_cents if rec is not None and rec.amount_cents > 0 else cap
        # Text, not a float input: money is parsed exactly, to the cent.
        typed = st.text_input(
            f"Amount in USD (at most the cap, {format.money(cap)})",
            value=f"{start // 100}.{start % 100:02d}",
            key=f"a_{key}",
        )
        parsed = w.parse_amount(typed)
        if parsed is None:
            st.error("Type the amount in dollars and cents, for example 1234.50.")
            return
        amount = parsed
    preview = preview_verdict(view, actor.user_id or 0, approve, amount, policy)
    note = st.text_area(
        "Note (required)" if preview.note_required else "Note (optional)",
        key=f"n_{key}",
        placeholder="Why this verdict — the next reviewer and the audit read it.",
        height=90,
    )
    if preview.problem:
        st.error(plain(preview.problem))
        return
    if preview.note_required:
        st.caption(f"A note is required: {plain(preview.note_reason)}.")
    if preview.waits_for_second:
        st.caption(
            "This verdict is a proposal: it waits for a second, different reviewer (it departs "
            "from the recommendation, exceeds the four-eyes threshold, or differs from the "
            "pending proposal)."
        )
    elif preview.confirms:
        st.caption("Confirming makes the claim final: two reviewers then agree on it.")
    verb = f"approve {format.money(amount)}" if approve else "reject"
    if preview.waits_for_second:
        label = f"Propose: {verb}"
    elif preview.confirms:
        label = f"Confirm: {verb}"
    else:
        label = verb[:1].upper() + verb[1:]
    if st.button(label, type="primary", key=f"d_{key}", icon=":material/gavel:"):
        try:
            outcome = decide_claim(
                wiring.session_factory(),
                actor,
                view.claim_id,
                approve=approve,
                amount_cents=amount if approve else None,
                note=note,
                policy=policy,
                now=wiring.now(),
                expected_turn=view.turn,
                shown_recommendation_id=None if rec is None else rec.id,
                shown_last_seq=max((d.seq for d in view.decisions), default=0),
            )
        except NotAllowed as error:
            auth.show_not_allowed(error)
        except (AlreadyDecided, RecommendationChanged) as error:
            # The claim moved under the reviewer: show its new state with the reason.
            clear_read_caches()
            _flash("warning", str(error))
            st.rerun()
        except DecisionError as error:
            st.error(plain(str(error)))
        else:
            clear_read_caches()
            _flash("success", outcome.message)
            st.rerun()


def _rate(numerator: int, denominator: int) -> str:
    return "–" if denominator == 0 else f"{numerator / denominator:.1%}"


def _supplier_record(view: ClaimView) -> None:
    record = view.supplier_record
    days = record.window_days
    st.subheader(f"Supplier record — {plain(view.supplier_name)}")
    rates = st.columns(3)
    rates[0].metric(f"Late-shipment rate, {days} d", _rate(record.orders_late, record.orders_due))
    rates[0].caption(f"late {record.orders_late:,} · orders due {record.orders_due:,}")
    rates[1].metric(f"Dispute rate, {days} d", _rate(record.claims_filed, record.orders_placed))
    rates[1].caption(f"claims {record.claims_filed:,} · orders placed {record.orders_placed:,}")
    rates[2].metric("Monitoring tier", record.tier.value if record.tier is not None else "none")
    rates[2].caption(
        f"supplier tier {plain(view.supplier_tier)} · {plain(view.supplier_external_id)}"
    )
    money = st.columns(3)
    money[0].metric("Trade Assurance limit", format.money(record.limit_cents))
    money[1].metric("Exposure", format.money(record.exposure_cents))
    money[2].metric("Headroom", format.money(record.headroom_cents))
    st.page_link(
        "pages/supplier.py",
        label="The supplier's page: rates over time, claims, limit history",
        icon=":material/storefront:",
        query_params={"supplier": view.supplier_external_id},
    )
    # The same definitions as every figure screen (ui.definitions); the period: the last days.
    st.caption(
        definitions.block(
            ["late_shipment", "dispute", "exposure", "headroom", "monitoring_tier"],
            wiring.settings().programme_timezone,
            policy,
        )
    )


_PAYMENT_LABELS = {
    "tt": "T/T (bank transfer)",
    "card": "Card",
    "letter_of_credit": "Letter of credit",
    "other": "Other",
}


def _order(view: ClaimView) -> None:
    st.subheader("Order")
    _facts(
        [
            ("Order", view.order_external_id),
            ("Category", view.category),
            ("Payment", _PAYMENT_LABELS.get(view.payment_method, view.payment_method)),
            ("Order amount", format.money(view.order_amount_cents)),
            ("Covered (Trade Assurance)", format.money(view.covered_amount_cents)),
            ("Paid", format.money(view.paid_amount_cents)),
        ]
    )


def _history(view: ClaimView) -> None:
    st.subheader("History")
    decisions, audit = st.tabs([f"Decisions ({len(view.decisions)})", f"Audit ({len(view.audit)})"])
    with decisions:
        if not view.decisions:
            st.caption("No decision yet.")
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        "When": [w.local_time(d.decided_at, zone) for d in view.decisions],
                        "Step": [w.decision_label(d.kind, d.lapsed) for d in view.decisions],
                        "Reviewer": [d.reviewer_name for d in view.decisions],
                        "Verdict": [d.verdict for d in view.decisions],
                        "Amount": [format.money(d.amount_cents) for d in view.decisions],
                        "Cap": [format.money(d.cap_cents) for d in view.decisions],
                        "Note": [d.note for d in view.decisions],
                    }
                ),
                hide_index=True,
            )
    with audit:
        if not view.audit:
            st.caption("No audit events about this claim yet.")
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        "When": [w.local_time(a.at, zone) for a in view.audit],
                        "Who": [a.who for a in view.audit],
                        "What": [a.action.replace("_", " ") for a in view.audit],
                        "Change": [a.summary for a in view.audit],
                    }
                ),
                hide_index=True,
            )


_header(view)
_show_flash()
left, right = st.columns([3, 2], gap="large")
with left:
    _description(view)
    _timeline(view)
    _evidence(view)
    _order(view)
with right:
    _recommendation(view)
    _take(view)
    _decide(view)
_supplier_record(view)
_history(view)
