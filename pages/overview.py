"""Programme overview: headline tiles, trends, breakdowns and what lies behind each figure."""

import streamlit as st

from ui import auth, format, overview_drill, reviewer_figures, wiring
from ui import definitions as defs
from ui import figure_data as fd
from ui import figure_widgets as w
from ui import overview_sections as sections
from ui.claim_widgets import local_time, reader_zone
from ui.policy_data import active_policy

auth.require_screen("pages/overview.py")
w.page_style()
settings = wiring.settings()
url, zone = settings.database_url, settings.programme_timezone
policy = active_policy()
today, now = sections.today_and_now()

st.title("Programme overview")
extent = fd.extent(url, zone)
period, grain = w.range_controls(today, extent)
previous = period.previous()
compare = period.comparable(extent)
st.markdown(f"**{period.label()}** · {format.count(period.days, 'day')}")
changes = (
    f"Changes compare with the previous {format.count(period.days, 'day')} ({previous.label()})."
    if compare
    else "Nothing is compared: the period starts with the first data."
)
st.caption(
    f"Calendar days in the programme's time zone, {zone}. {changes} Open, overdue and pending "
    "figures are the state at the end of each period "
    f"(now: {local_time(now, reader_zone())}, your time)."
)

# The drill-down's suppliers and the reviewers' figures, below the tiles, the trends and the
# breakdowns, are read meanwhile in threads of their own (on a second core, or while the
# database works for this one).
overview_drill.read_ahead(url, period, today, zone)
reviewer_figures.read_ahead(url, period, zone, policy, now)
sections.tiles(
    fd.tiles(url, period, today, now, zone, policy.version), zone, policy, compare=compare
)
sections.trends(url, period, grain, today, zone)
st.subheader("Breakdowns")
dimension = sections.breakdowns(url, period, today, zone)
overview_drill.drill_down(url, period, grain, today, zone, dimension)
reviewer_figures.reviewers(url, period, zone, policy, now)

with st.expander("Definitions"):
    st.markdown(
        defs.block(
            [
                "late_shipment",
                "dispute",
                "open_claims",
                "overdue_claims",
                "refunds_approved",
                "pending_liability",
            ],
            zone,
            policy,
        )
    )
