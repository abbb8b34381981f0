"""One supplier (deep link ?supplier=SUP-…): its standing, limit ledger, rates over time against
the programme's, and its claims; ops managers change its limit here."""

import streamlit as st

from rules import format_day
from services.auth import NotAllowed
from services.figures.periods import period_for
from services.suppliers.limits import LimitError, change_limit, parse_money
from ui import auth, charts, format, supplier_page, wiring
from ui import definitions as defs
from ui import figure_data as fd
from ui import figure_widgets as w
from ui import supplier_tables as t
from ui.chart_cache import built
from ui.claim_widgets import reader_zone
from ui.labels import label
from ui.overview_sections import today_and_now
from ui.policy_data import active_policy
from ui.supplier_record import tier_label
from ui.text import plain

actor = auth.require_screen(t.SUPPLIER_PAGE)
w.page_style()
settings = wiring.settings()
url, zone = settings.database_url, settings.programme_timezone
policy = active_policy()
today, _ = today_and_now()
_FLASH = "supplier_page_flash"
_REF = "supplier_page_ref"

# Back to the list, for the roles that see it (a reviewer comes here from a claim instead).
if supplier_page.may_open_suppliers(actor) and st.button(
    "Suppliers", icon=":material/arrow_back:", type="tertiary"
):
    st.switch_page(t.SUPPLIERS_PAGE)

# The deep link (?supplier=SUP-…) opens a supplier; the page remembers it for its own reruns,
# because another page's bound widget of the same name may take the parameter off the URL.
ref = (st.query_params.get("supplier") or "").strip()
if ref:
    if ref != st.session_state.get(_REF):
        supplier_page.forget_search()
    st.session_state[_REF] = ref
else:
    ref = st.session_state.get(_REF, "")
supplier_page.picker(url, ref)
if not ref:
    st.title("Supplier")
    st.caption(
        "Type part of a supplier's name, its id (SUP-…) or its country in the box above, then "
        "pick it from the list to see its standing, limit, rates and claims."
    )
    st.stop()

detail = fd.supplier_detail(url, ref, today, zone, policy.version)
if detail is None:
    st.title("Supplier")
    st.warning(f"There is no supplier {plain(ref)}.", icon=":material/search_off:")
    st.stop()
assert detail is not None
standing = detail.standing

st.title(plain(detail.name))
st.caption(
    " · ".join(
        plain(part)
        for part in (
            detail.external_id,
            detail.country,
            detail.main_category,
            f"supplier tier {label({}, detail.tier)}",
            (
                "no monitoring tier"
                if standing.tier is None
                else f"monitoring tier {tier_label(standing.tier)}"
            ),
        )
    )
)
flash = st.session_state.pop(_FLASH, None)
if flash:
    st.success(plain(flash))

st.subheader("Limit ledger")
supplier_page.ledger(standing, zone, policy)
if supplier_page.may_change_limit(actor):
    with st.form("limit_form", clear_on_submit=False):
        cols = st.columns([1, 2], vertical_alignment="top")
        amount = cols[0].text_input(
            "New limit (USD)", placeholder=format.money(standing.limit_cents, None), key="new_limit"
        )
        reason = cols[1].text_area("Reason (kept in the history)", key="limit_reason", height=80)
        if st.form_submit_button("Change the limit", type="primary"):
            try:
                change = change_limit(
                    wiring.session_factory(),
                    actor,
                    detail.external_id,
                    parse_money(amount),
                    reason,
                    wiring.now(),
                )
            except NotAllowed as error:
                auth.show_not_allowed(error)
            except LimitError as error:
                st.error(plain(str(error)), icon=":material/error:")
            else:
                fd.clear_after_limit_change()
                st.session_state[_FLASH] = change.message
                st.rerun()
else:
    st.caption("Only ops managers change limits.")
history = detail.limit_history
changes = f"{len(history):,} change{'' if len(history) == 1 else 's'}"
with st.expander(f"Limit history ({changes})", expanded=not history.empty):
    if history.empty:
        st.caption("The limit has not changed since the supplier was added.")
    else:
        w.table(t.history_table(history, reader_zone()))
        w.download(
            "Limit history (CSV)", history, t.HISTORY_CSV, f"limit-history-{detail.external_id}.csv"
        )

st.subheader("Rates over time")
period = period_for("data_12m", today, fd.extent(url, zone))
trend = fd.supplier_trend(url, detail.external_id, period, "month", today, zone)
st.plotly_chart(
    built(
        charts.comparison_chart,
        trend,
        rate="late_rate",
        programme_rate="programme_late_rate",
        title="Late-shipment rate by month of ship-by day",
        own=detail.name,
    ),
    key="supplier_late",
)
st.plotly_chart(
    built(
        charts.comparison_chart,
        trend,
        rate="dispute_rate",
        programme_rate="programme_dispute_rate",
        title="Dispute rate by month of filing",
        own=detail.name,
    ),
    key="supplier_dispute",
)
st.caption(
    f"{period.label()}; hollow points are partial months (cut by the range or still running)."
)
supplier_page.trend_table(trend, detail.external_id)

st.subheader("Claims")
supplier_page.claims(url, detail.external_id, link=supplier_page.may_open_claims(actor))
st.caption(
    defs.block(["late_shipment", "dispute", "exposure", "monitoring_tier"], zone, policy)
    + f"\n\n{format.money(standing.limit_cents)} limit as of {format_day(today)}."
)
