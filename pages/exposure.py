"""Programme exposure (read-only): what the programme could have to pay, where it sits, and what
a bad month would cost, as of a chosen day."""

import streamlit as st

from rules import format_day
from ui import auth, wiring
from ui import definitions as defs
from ui import exposure_sections as sections
from ui import figure_data as fd
from ui import figure_widgets as w
from ui.overview_sections import today_and_now
from ui.policy_data import active_policy

auth.require_screen("pages/exposure.py")
w.page_style()
settings = wiring.settings()
url, zone = settings.database_url, settings.programme_timezone
policy = active_policy()
today, _ = today_and_now()

st.title("Programme exposure")
day = st.date_input(
    "As of",
    value=today,
    max_value=today,
    key="as_of",
    bind="query-params",
    format="YYYY-MM-DD",
    width=200,
)
day = min(day or today, today)
st.caption(
    f"As of the end of {day.day} {day:%B %Y}, calendar days in the programme's time zone "
    f"({zone}); money in US dollars."
)
view = fd.exposure_view(url, day, zone, policy.version)
sections.headline(view, zone, policy)
if view.live_orders == 0:
    st.info(
        f"No order was live at the end of {format_day(day)}: the programme had nothing "
        "exposed that day. Choose a later day to see exposure.",
        icon=":material/event_busy:",
    )
st.subheader("Exposure over time")
sections.trend(view)
st.subheader("Limit utilisation")
sections.utilisation(view)
st.subheader("Concentration")
sections.concentration(view, zone, policy)
st.subheader("Loss ratio by order cohort")
sections.loss_ratio(view, zone, policy)
st.subheader("Stress tests")
refundable = fd.refundable(view)
total = int(refundable["refundable_cents"].sum())
doubling = fd.late_shipments_double(url, day, zone, policy.version, total)
st.markdown("**If the largest exposures fail**")
sections.largest_fail(refundable, view, zone, policy)
st.markdown("**If late-shipment rates double**")
sections.late_doubling(doubling, zone, policy)
with st.expander("Definitions"):
    st.markdown(
        defs.block(
            ["exposure", "utilisation", "headroom", "pending_liability", "refunds_approved"],
            zone,
            policy,
        )
    )
