"""Programme overview: the programme's monthly late-shipment and dispute rates."""

import streamlit as st

from ui import auth, charts, definitions, format, wiring
from ui.data import cached_ops_overview

auth.require_screen("pages/overview.py")
st.title("Programme overview")
months = st.segmented_control(
    "Window", options=[6, 12, 24], default=24, format_func=lambda m: f"{m} months"
)
overview = cached_ops_overview(wiring.settings().database_url, wiring.today(), months or 24)
st.caption(
    f"{overview.start:%B %Y} to {overview.today:%d %B %Y}, counted in UTC calendar days and "
    f"months; {overview.today:%B} is still running, so its figures are partial."
)

late_col, dispute_col = st.columns(2)
with late_col:
    total = overview.late_total
    st.metric("Late-shipment rate", format.rate_with_counts(total.numerator, total.denominator))
    st.plotly_chart(charts.late_shipment_chart(overview.late_shipment), key="late_chart")
    st.caption(definitions.LATE_SHIPMENT_RATE)
with dispute_col:
    total = overview.dispute_total
    st.metric("Dispute rate", format.rate_with_counts(total.numerator, total.denominator))
    st.plotly_chart(charts.dispute_rate_chart(overview.disputes), key="dispute_chart")
    st.caption(definitions.DISPUTE_RATE)

with st.expander("Monthly figures"):
    table = overview.late_shipment.merge(overview.disputes, on="month", how="outer")
    # Percent with two decimals everywhere, so months compare at a glance.
    table[["late_rate", "dispute_rate"]] = table[["late_rate", "dispute_rate"]] * 100
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "month": "Month",
            "due": st.column_config.NumberColumn("Orders due", format="localized"),
            "late": st.column_config.NumberColumn("Late", format="localized"),
            "late_rate": st.column_config.NumberColumn("Late-shipment rate", format="%.2f%%"),
            "orders": st.column_config.NumberColumn("Orders placed", format="localized"),
            "claims": st.column_config.NumberColumn("Claims filed", format="localized"),
            "dispute_rate": st.column_config.NumberColumn("Dispute rate", format="%.2f%%"),
        },
    )
