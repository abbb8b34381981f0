"""Claim queue: undecided claims, nearest deadline first; filters and page live in the URL."""

from dataclasses import replace

import streamlit as st

from services.claims.bulk import preview_bulk
from services.claims.export_decisions import decisions_csv
from services.claims.queue import (
    CLAIM_KINDS,
    QUEUE_STATUSES,
    QueueFilters,
    count_by_status,
    load_queue,
)
from ui import auth, bulk_decision, format, paging, queue_list, wiring
from ui import claim_widgets as w
from ui.data import cached_queue_options
from ui.policy_data import active_policy
from ui.text import plain

actor = auth.require_screen(w.QUEUE_PAGE)
engine = wiring.engine()
policy = active_policy()
now = wiring.now()
zone = w.reader_zone()
options = cached_queue_options(wiring.settings().database_url)
suppliers = {s.external_id: s for s in options.suppliers}

with st.container(horizontal=True, vertical_alignment="bottom"):
    st.title("Claim queue", width="stretch")
    st.download_button(
        "Decisions (CSV)",
        # Built only when clicked, on a thread of its own; the engine is captured, not looked up.
        data=lambda: decisions_csv(engine, actor),
        file_name=f"decisions-{now:%Y-%m-%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="Every decision recorded so far, one row per decision "
        "(also: assurance export decisions).",
    )

bulk_decision.show_flash()

# Filters are bound to the URL; a bound widget's URL value is its label, so labels are stable
# (no counts in them) and a supplier's label carries its unique id. Any change goes back to
# page 1 (ui.paging). Widgets have fixed widths in a wrapping row: side by side on a wide
# screen, stacked on a narrow one, never squeezed until their labels break.
search = st.text_input(
    "Search",
    placeholder="Claim, order or buyer reference, or buyer name",
    icon=":material/search:",
    max_chars=100,
    key="q",
    bind="query-params",
    on_change=paging.first_page,
)
statuses = st.pills(
    "Status",
    QUEUE_STATUSES,
    selection_mode="multi",
    format_func=lambda s: w.STATUS_LABELS[s],
    help="Pick none to see every undecided claim.",
    key="status",
    bind="query-params",
    on_change=paging.first_page,
)
counts_slot = st.empty()
kinds = st.pills(
    "Kind",
    CLAIM_KINDS,
    selection_mode="multi",
    format_func=lambda k: w.KIND_LABELS[k],
    key="kind",
    bind="query-params",
    on_change=paging.first_page,
)
with st.container(horizontal=True, vertical_alignment="bottom"):
    supplier = st.selectbox(
        "Supplier",
        list(suppliers),
        index=None,
        format_func=lambda s: f"{suppliers[s].name} ({suppliers[s].country}) · {s}",
        placeholder="Any supplier",
        key="supplier",
        bind="query-params",
        on_change=paging.first_page,
        width=300,
    )
    country = st.selectbox(
        "Supplier country",
        options.countries,
        index=None,
        placeholder="Any",
        key="country",
        bind="query-params",
        on_change=paging.first_page,
        width=140,
    )
    low = st.number_input(
        "Claimed from (USD)",
        min_value=0.0,
        value=None,
        step=100.0,
        format="%.2f",
        key="min",
        bind="query-params",
        on_change=paging.first_page,
        width=170,
    )
    high = st.number_input(
        "Claimed up to (USD)",
        min_value=0.0,
        value=None,
        step=100.0,
        format="%.2f",
        key="max",
        bind="query-params",
        on_change=paging.first_page,
        width=170,
    )
with st.container(horizontal=True):
    mine = st.toggle("Assigned to me", key="mine", bind="query-params", on_change=paging.first_page)
    second = st.toggle(
        "Needs my second approval",
        key="second",
        bind="query-params",
        on_change=paging.first_page,
    )

others = QueueFilters(
    kinds=tuple(kinds or ()),
    supplier_external_id=supplier,
    country=country,
    min_claimed_cents=None if low is None else w.cents_from_major(low),
    max_claimed_cents=None if high is None else w.cents_from_major(high),
    assigned_to_me=bool(mine),
    needs_my_second_approval=bool(second),
    search=(search or "").strip(),
)
# Counts per status under every other filter: one GROUP BY, and the total comes with it.
counts = count_by_status(engine, others, actor.user_id)
counts_slot.caption(" · ".join(f"{w.STATUS_LABELS[s]} **{counts[s]:,}**" for s in QUEUE_STATUSES))
filters = replace(others, statuses=tuple(statuses or ()))
total = sum(counts[s] for s in (statuses or QUEUE_STATUSES))

queue = load_queue(
    engine,
    filters,
    actor.user_id,
    page=paging.url_page(),
    policy=policy,
    now=now,
    total=total,
)
page = paging.current_page(queue.pages)
w.remember_queue_url()

if not queue.items:
    wrong_way = low is not None and high is not None and low > high
    st.info(
        "“Claimed from” is above “Claimed up to”, so no claim can match: swap the two "
        "amounts or clear one."
        if wrong_way
        else "No undecided claims match these filters.",
        icon=":material/task_alt:",
    )
    st.stop()

last = queue.first_position + len(queue.items) - 1
with st.container(horizontal=True, vertical_alignment="center"):
    st.caption(
        f"{queue.first_position:,}–{last:,} of {format.count(queue.total, 'undecided claim')}, "
        f"nearest deadline first. Times in {plain(w.zone_name(zone))}. Open a claim by its "
        "reference.",
        width="stretch",
    )
    bulk = st.toggle(
        "Decide several at once",
        key="bulk_mode",
        help="Tick claims and decide each as recommended in one action, after a confirmation "
        "that names how many and for how much. Only claims whose recommendation is to reject, "
        "or to approve within the four-eyes threshold, can be ticked; each gets its own "
        "decision and audit event.",
    )
selection_slot = st.container()
ticked = queue_list.rows(queue.items, now, zone, bulk=bulk)
paging.pager(queue.pages, page)

if bulk:
    with selection_slot:
        bulk_decision.selection_bar(preview_bulk(engine, ticked), policy)
