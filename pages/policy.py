"""Ops managers: the active policy's parameters, a what-if on past claims, drafts and activation."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from services.auth import NotAllowed
from services.policy.versions import (
    PolicyVersionError,
    activate_version,
    save_draft,
)
from ui import auth, wiring
from ui import policy_widgets as pw
from ui.labels import POLICY_STATUS_LABELS, label
from ui.policy_data import active_policy, forget_active_policy
from ui.text import plain

actor = auth.require_screen("pages/policy.py")
st.title("Policy")
active = active_policy()
st.caption(
    plain(
        f"Active policy: {active.version}. Edit the parameters, simulate the change on past "
        "claims, save it as a draft; a second ops manager activates it."
    )
)
if flash := st.session_state.pop("policy_flash", None):
    st.success(plain(flash), icon=":material/check_circle:")

with st.form("policy_form", border=True):
    values = pw.parameter_form(active)
    today = wiring.today()
    first_col, last_col = st.columns(2)
    first = first_col.date_input(
        "Claims filed from", today - timedelta(days=89), format="YYYY-MM-DD"
    )
    last = last_col.date_input("to", today, format="YYYY-MM-DD")
    name_col, note_col = st.columns([1, 2])
    name = name_col.text_input("Draft name", placeholder="next vN", max_chars=32)
    note = note_col.text_input("Why (kept with the draft)", max_chars=2_000)
    simulate_col, save_col = st.columns(2)
    simulate = simulate_col.form_submit_button(
        "Simulate", type="primary", icon=":material/science:"
    )
    save = save_col.form_submit_button("Save as draft", icon=":material/save:")

if simulate and first > last:
    # A period the wrong way round holds no claim: say so rather than simulate nothing.
    st.error(
        "The period ends before it starts: choose a “to” day on or after the “from” day.",
        icon=":material/error:",
    )
    simulate = False
if simulate or save:
    draft = pw.edited_policy(active, values)
    if draft is not None and simulate:
        st.session_state["policy_simulation"] = pw.run_simulation(draft, active, first, last)
    elif draft is not None and save:
        try:
            info = save_draft(wiring.session_factory(), actor, draft, now=wiring.now(),
                              version=name or None, note=note)  # fmt: skip
        except (PolicyVersionError, NotAllowed) as error:
            st.error(plain(str(error)), icon=":material/error:")
        else:
            st.session_state["policy_flash"] = f"Saved draft {info.version}."
            st.rerun()

if (simulation := st.session_state.get("policy_simulation")) is not None:
    pw.results(simulation)

st.subheader("Versions")
versions = pw.versions()
st.dataframe(
    pd.DataFrame({
        "Version": [v.version for v in versions],
        "Status": [label(POLICY_STATUS_LABELS, v.status) for v in versions],
        "Saved by": [v.created_by_name or v.created_by for v in versions],
        "Activated by": [v.activated_by_name or v.activated_by or "" for v in versions],
        "Note": [v.note for v in versions],
    }),
    hide_index=True, width="stretch",
)  # fmt: skip
drafts = [v.version for v in versions if v.status == "draft"]
if drafts:
    chosen_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
    chosen = chosen_col.selectbox("Draft to activate", drafts)
    if button_col.button("Activate", icon=":material/verified:"):
        with st.spinner("Activating and re-evaluating open claims…"):
            try:
                report = activate_version(wiring.session_factory(), actor, chosen, now=wiring.now())
            except (PolicyVersionError, NotAllowed) as error:
                st.error(plain(str(error)), icon=":material/error:")
            else:
                forget_active_policy()
                st.cache_data.clear()  # every figure and queue read the recommendations
                st.session_state["policy_flash"] = str(report)
                st.rerun()
    st.caption("Activation needs a second ops manager: not the one who saved the draft.")
