"""Deciding the ticked queue rows as recommended: the selection's count and total, then a
confirmation naming both before anything is written.

The preview comes from the service (``services.claims.bulk.preview_bulk``), so the page says
exactly what ``bulk_decide`` will do; the confirmation hands the service the recommendations it
showed, and a claim whose recommendation changed in between is refused rather than decided on
figures nobody confirmed.
"""

from __future__ import annotations

import streamlit as st

from rules import Policy
from services.auth import NotAllowed
from services.claims.bulk import BulkPreview, bulk_decide
from ui import auth, format, wiring
from ui import claim_widgets as w
from ui.data import clear_after_claim_change
from ui.text import plain

_PENDING = "bulk_decision_pending"
_FLASH = "bulk_decision_flash"


def show_flash() -> None:
    """What the last bulk decision did, once, on the run after it."""
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        kind, lines = flash
        (st.success if kind == "success" else st.warning)("  \n".join(plain(x) for x in lines))


def summary(preview: BulkPreview) -> str:
    """``3 claims: approve 2 for USD 1,234.00 in total, reject 1`` (markdown-safe)."""
    parts = []
    if preview.approve_count:
        parts.append(
            f"approve {preview.approve_count} for "
            f"**{format.money(preview.approve_total_cents)}** in total"
        )
    if preview.reject_count:
        parts.append(f"reject {preview.reject_count}")
    noun = "claim" if preview.count == 1 else "claims"
    return f"**{preview.count}** {noun}: " + ", ".join(parts)


def selection_bar(preview: BulkPreview, policy: Policy) -> None:
    """The ticked claims' count and total, and the button that asks for confirmation."""
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        if preview.count:
            st.markdown(f"Selected {summary(preview)}.", width="stretch")
        else:
            st.markdown(
                "Tick the claims to decide as recommended. Claims marked *not in bulk* need a "
                "look of their own.",
                width="stretch",
            )
        if st.button(
            f"Decide {preview.count} selected…",
            type="primary",
            disabled=not preview.count,
            icon=":material/done_all:",
            key="bulk_decide_ask",
        ):
            st.session_state[_PENDING] = preview
    for refused in preview.refused:
        # Ticked on the page drawn a moment ago, since taken or re-recommended elsewhere.
        st.caption(f"{plain(refused.claim_external_id)} is left out: {plain(refused.reason)}.")
    pending = st.session_state.get(_PENDING)
    if isinstance(pending, BulkPreview):
        st.dialog("Decide as recommended?", on_dismiss=_forget)(_confirm)(pending, policy)


def _forget() -> None:
    st.session_state.pop(_PENDING, None)


def _confirm(preview: BulkPreview, policy: Policy) -> None:
    st.markdown(
        f"You are about to decide {summary(preview)}. Each claim gets its own decision and "
        "audit event, exactly as recommended. **Nothing has been written yet.**"
    )
    st.markdown(
        "\n".join(
            f"- {plain(c.claim_external_id)}: "
            + (f"approve {format.money(c.amount_cents)}" if c.approve else "reject")
            for c in preview.eligible
        )
    )
    noun = "claim" if preview.count == 1 else "claims"
    with st.container(horizontal=True):
        confirmed = st.button(
            f"Confirm: decide {preview.count} {noun}", type="primary", key="bulk_decide_confirm"
        )
        if st.button("Cancel", key="bulk_decide_cancel"):
            _forget()
            st.rerun()
    if not confirmed:
        return
    try:
        outcomes = bulk_decide(
            wiring.session_factory(),
            auth.current_actor(),
            [c.claim_id for c in preview.eligible],
            policy,
            wiring.now(),
            shown=preview.shown,
            reader_zone=w.reader_zone(),
        )
    except NotAllowed as error:
        _forget()
        auth.show_not_allowed(error)
        return
    _forget()
    clear_after_claim_change()
    done = [o for o in outcomes if o.ok]
    refused = [o for o in outcomes if not o.ok]
    approved = sum(o.amount_cents for o in done)
    lines = [
        f"Decided {len(done)} of {len(outcomes)} claims as recommended "
        f"({format.money(approved)} approved)."
    ]
    lines += [o.message for o in refused]
    st.session_state[_FLASH] = ("warning" if refused else "success", lines)
    st.rerun()
