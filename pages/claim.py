"""One claim (deep link: ?claim=CLM-…): the facts, the recommendation, and the decision."""

import streamlit as st

from services.auth import NotAllowed
from services.claims.decide import (
    AlreadyDecided,
    DecisionError,
    RecommendationChanged,
    decide_claim,
)
from services.claims.take import assign_claim
from services.claims.view import ClaimView, Turn, load_claim, preview_verdict
from ui import auth, format, labels, wiring
from ui import claim_sections as sections
from ui import claim_widgets as w
from ui.data import clear_after_claim_change
from ui.policy_data import active_policy
from ui.text import plain

actor = auth.require_screen(w.CLAIM_PAGE)
engine = wiring.engine()
policy = active_policy()
now = wiring.now()
zone = w.reader_zone()
_FLASH = "claim_page_flash"
_APPROVALS = ("approve_full", "approve_partial")
#: The decision panel's width: its amounts and its longest button label fit on one line.
_PANEL_WIDTH = 400

if st.button("Claim queue", icon=":material/arrow_back:", type="tertiary"):
    w.back_to_queue()

ref = (st.query_params.get("claim") or "").strip()
if not ref:
    # No claim named: finding one is the lookup's job.
    st.switch_page(w.LOOKUP_PAGE)

view = load_claim(engine, ref, actor.user_id, policy=policy, now=now)
if view is None:
    st.title("Claim")
    st.warning(f"There is no claim {plain(ref)}.", icon=":material/search_off:")
    st.page_link(w.LOOKUP_PAGE, label="Find a claim", icon=":material/search:")
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
    codes = ", ".join(labels.label(labels.REASON_LABELS, code) for code, _ in rec.reasons)
    # A new version that answers this claim alike leaves its recommendation standing.
    alike = (
        f" (policy {plain(policy.version)}, active now, recommends the same)"
        if view.undecided and rec.policy_version != policy.version
        else ""
    )
    st.caption(
        f"Policy {plain(rec.policy_version)}{alike}, computed "
        f"{w.local_time(rec.created_at, zone)} · "
        f"reasons: {plain(codes)}"
        + (
            f" · {view.recommendation_count} recommendations stored, the latest shown"
            if view.recommendation_count > 1
            else ""
        )
    )


def _take(view: ClaimView) -> None:
    mine = view.assignee_id == actor.user_id
    who = "you" if mine else (view.assignee_name or "nobody")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Assigned to {plain(who)}", width="stretch")
        take = view.undecided and not mine and st.button("Take it", icon=":material/pan_tool:")
    if take:
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
            clear_after_claim_change()
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
                st.text(pending.note)
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
            clear_after_claim_change()
            _flash("warning", error.told(zone) if isinstance(error, AlreadyDecided) else str(error))
            st.rerun()
        except DecisionError as error:
            st.error(plain(str(error)))
        else:
            clear_after_claim_change()
            _flash("success", outcome.message)
            st.rerun()


sections.header(view, zone)
_show_flash()
# The facts and the decision side by side on a wide screen; on a narrow one the decision panel
# wraps below the facts at its full width instead of squeezing amounts and buttons.
with st.container(horizontal=True, gap="large"):
    with st.container(width="stretch", key="claim_facts"):
        sections.description(view)
        sections.timeline(view, now, zone)
        sections.evidence(view)
        sections.order(view)
    with st.container(width=_PANEL_WIDTH, key="claim_decision"):
        _recommendation(view)
        _take(view)
        _decide(view)
sections.supplier_record(view, policy)
sections.history(view, zone)
