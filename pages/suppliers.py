"""Suppliers: ranked by monitoring tier (or any figure), searchable; a row opens the supplier."""

import zlib

import streamlit as st

from rules import format_day
from services.figures.suppliers import SORT_LABELS, SuppliersPage
from ui import auth, paging, wiring
from ui import definitions as defs
from ui import figure_data as fd
from ui import figure_widgets as w
from ui import supplier_tables as t
from ui.labels import TIER_LABELS, label
from ui.overview_sections import today_and_now
from ui.policy_data import active_policy

auth.require_screen("pages/suppliers.py")
w.page_style()
settings = wiring.settings()
url, zone = settings.database_url, settings.programme_timezone
policy = active_policy()
today, _ = today_and_now()
#: Each ranking's natural direction: the worst first.
ASCENDING = {"headroom", "name"}
SHOW = {"all": "All", "tiered": "In a monitoring tier", "over_limit": "Over their limit"}


st.title("Suppliers")
summary = st.container()
search = st.text_input(
    "Search",
    placeholder="Name, id or country",
    key="q",
    bind="query-params",
    on_change=paging.first_page,
)
controls = st.columns(2, vertical_alignment="bottom")
show = (
    controls[0].selectbox(
        "Show",
        list(SHOW),
        format_func=SHOW.__getitem__,
        key="show",
        bind="query-params",
        on_change=paging.first_page,
    )
    or "all"
)
sort = (
    controls[1].selectbox(
        "Rank by",
        list(SORT_LABELS),
        format_func=SORT_LABELS.__getitem__,
        key="sort",
        bind="query-params",
        on_change=paging.first_page,
    )
    or "tier"
)
descending = sort not in ASCENDING


def _page(number: int, size: int = t.PAGE_SIZE) -> SuppliersPage:
    return fd.suppliers_page(
        url, today, zone, policy.version, search or "", show, sort, descending, number, size
    )


# The URL's page read at once, with the count of all matches (a page of fifty thousand
# suppliers' figures costs as much as any other: 0.6 s at ten million orders, read twice when
# page 1 was read first for the count); read again only when it lies past the last page.
asked = paging.url_page()
result = _page(asked)
pages = paging.page_count(result.total, t.PAGE_SIZE)
number = paging.current_page(pages)  # the URL's page, within the pages there are now
if number != asked:
    result = _page(number)
table_slot = st.container()
paging.pager(pages, number, name="suppliers_page")

with summary:
    window = result.window
    st.caption(
        f"Rates and tiers over the {window.days} days {window.label()}; open claims, limits and "
        f"exposure as of today, {format_day(today)}. Calendar days in {zone}."
    )
    row = w.tile_row()
    for tier in t.TIER_ORDER:
        row.container(border=True, width=w.TILE_WIDTH).metric(
            f"Tier: {label(TIER_LABELS, tier)}",
            f"{result.counts.get(tier, 0):,}",
            help=defs.text("monitoring_tier", zone, policy),
        )
    row.container(border=True, width=w.TILE_WIDTH).metric(
        "Over their limit",
        f"{result.counts.get('over_limit', 0):,}",
        help=defs.text("headroom", zone, policy),
    )

with table_slot:
    if result.frame.empty:
        st.info("No supplier matches.", icon=":material/search_off:")
    else:
        first = (number - 1) * t.PAGE_SIZE + 1
        st.caption(
            f"{first:,}–{first + len(result.frame) - 1:,} of {result.total:,} suppliers, "
            f"ranked by {SORT_LABELS[sort].lower()}. Over-limit suppliers are tinted. Select a "
            "row to open it."
        )
        shown, styled = t.suppliers_table(result.frame)
        fingerprint = zlib.crc32(",".join(result.frame["supplier"]).encode())
        event = st.dataframe(
            styled,
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            key=f"suppliers_{fingerprint:08x}",
            column_config=t.SUPPLIERS_COLUMNS,
            height=t.table_height(len(shown)),
        )
        if event.selection.rows:
            chosen = result.frame.iloc[event.selection.rows[0]]["supplier"]
            st.switch_page(t.SUPPLIER_PAGE, query_params={"supplier": str(chosen)})
st.download_button(
    "Suppliers (CSV)",
    data=lambda: w.csv_bytes(_page(1, 0).frame, t.SUPPLIERS_CSV),
    file_name=f"suppliers-{today}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    help="Every supplier matching the search, in this order (not just this page).",
)
st.caption(defs.block(["monitoring_tier", "exposure", "utilisation", "headroom"], zone, policy))
