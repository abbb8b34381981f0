"""Claim queue: undecided claims, nearest deadline first; every filter lives in the URL."""

from dataclasses import replace

import streamlit as st

from services.auth import NotAllowed
from services.claims.bulk import bulk_decide
from services.claims.export_decisions import decisions_csv
from services.claims.queue import (
    CLAIM_KINDS,
    DEFAULT_PAGE_SIZE,
    QUEUE_STATUSES,
    QueueFilters,
    count_by_status,
    load_queue,
)
from services.claims.recommendations import active_policy
from ui import auth, wiring
from ui import claim_widgets as w
from ui.data import cached_queue_options, clear_read_caches
from ui.text import plain

actor = auth.require_screen(w.QUEUE_PAGE)
engine = wiring.engine()
policy = active_policy()
now = wiring.now()
zone = w.reader_zone()
options = cached_queue_options(wiring.settings().database_url)
suppliers = {s.external_id: s for s in options.suppliers}
_FLASH = "claim_queue_flash"


def _first_page() -> None:
    # Filters are bound to the URL (bind="query-params"); a change goes back to page 1.
    st.session_state["page"] = 1


head, download = st.columns([4, 1], vertical_alignment="bottom")
head.title("Claim queue")
download.download_button(
    "Decisions (CSV)",
    # Built only when clicked, on a thread of its own; the engine is captured, not looked up.
    data=lambda: decisions_csv(engine, actor),
    file_name=f"decisions-{now:%Y-%m-%d}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    help="Every decision recorded so far, one row per decision (also: assurance export decisions).",
    width="stretch",
)

flash = st.session_state.pop(_FLASH, None)
if flash:
    kind, lines = flash
    (st.success if kind == "success" else st.warning)("  \n".join(plain(x) for x in lines))

# Filters are bound to the URL; a bound widget's URL value is its label, so labels are stable
# (no counts in them) and a supplier's label carries its unique id.
top = st.columns([3, 2], vertical_alignment="top")
with top[0]:
    statuses = st.pills(
        "Status",
        QUEUE_STATUSES,
        selection_mode="multi",
        format_func=lambda s: w.STATUS_LABELS[s],
        help="Pick none to see every undecided claim.",
        key="status",
        bind="query-params",
        on_change=_first_page,
    )
    counts_slot = st.empty()
kinds = top[1].pills(
    "Kind",
    CLAIM_KINDS,
    selection_mode="multi",
    format_func=lambda k: w.KIND_LABELS[k],
    key="kind",
    bind="query-params",
    on_change=_first_page,
)
row = st.columns([1.6, 0.8, 1.1, 1.1, 1.4], vertical_alignment="bottom")
supplier = row[0].selectbox(
    "Supplier",
    list(suppliers),
    index=None,
    format_func=lambda s: f"{suppliers[s].name} ({suppliers[s].country}) · {s}",
    placeholder="Any supplier",
    key="supplier",
    bind="query-params",
    on_change=_first_page,
)
country = row[1].selectbox(
    "Supplier country",
    options.countries,
    index=None,
    placeholder="Any",
    key="country",
    bind="query-params",
    on_change=_first_page,
)
low = row[2].number_input(
    "Claimed from (USD)",
    min_value=0.0,
    value=None,
    step=100.0,
    format="%.2f",
    key="min",
    bind="query-params",
    on_change=_first_page,
)
high = row[3].number_input(
    "Claimed up to (USD)",
    min_value=0.0,
    value=None,
    step=100.0,
    format="%.2f",
    key="max",
    bind="query-params",
    on_change=_first_page,
)
with row[4]:
    mine = st.toggle("Assigned to me", key="mine", bind="query-params", on_change=_first_page)
    second = st.toggle(
        "Needs my second approval", key="second", bind="query-params", on_change=_first_page
    )

others = QueueFilters(
    kinds=tuple(kinds or ()),
    supplier_external_id=supplier,
    country=country,
    min_claimed_cents=None if low is None else w.cents_from_major(low),
    max_claimed_cents=None if high is None else w.cents_from_major(high),
    assigned_to_me=bool(mine),
    needs_my_second_approval=bool(second),
)
# Counts per status under every other filter: one GROUP BY, and the total comes with it.
counts = count_by_status(engine, others, actor.user_id)
counts_slot.caption(" · ".join(f"{w.STATUS_LABELS[s]} **{counts[s]:,}**" for s in QUEUE_STATUSES))
filters = replace(others, statuses=tuple(statuses or ()))
total = sum(counts[s] for s in (statuses or QUEUE_STATUSES))

pages = max(1, -(-total // DEFAULT_PAGE_SIZE))
if st.session_state.get("page", 1) > pages:
    st.session_state["page"] = pages
table_slot = st.container()
page_number = st.pagination(pages, key="page", bind="query-params") if pages > 1 else 1
queue = load_queue(
    engine, filters, actor.user_id, page=page_number, policy=policy, now=now, total=total
)
w.remember_queue_url()

with table_slot:
    if not queue.items:
        st.info("No undecided claims match these filters.", icon=":material/task_alt:")
    else:
        last = queue.first_position + len(queue.items) - 1
        caption = st.columns([4, 1.3], vertical_alignment="center")
        caption[0].caption(
            f"{queue.first_position:,}–{last:,} of {queue.total:,} undecided claims, nearest "
            f"deadline first. Times in {w.zone_name(zone)}. Select a row to open the claim."
        )
        bulk = caption[1].toggle(
            "Decide several at once",
            key="bulk_mode",
            help="Select claims and decide each as recommended in one action. Only claims whose "
            "recommendation is to approve below the four-eyes threshold, or to reject, are "
            "decided; each gets its own decision and audit event.",
        )
        frame, styled = w.queue_table(queue.items, now, zone, bulk=bulk)
        event = st.dataframe(
            styled,
            hide_index=True,
            on_select="rerun",
            selection_mode="multi-row" if bulk else "single-row",
            # A selection is of row positions: once the rows change (a decision, another
            # reviewer's, a new page), a fresh key drops it, so it never lands on other claims.
            key=f"queue_table_{'bulk' if bulk else 'open'}_{w.rows_key(queue.items)}",
            # Long supplier names are cut short (the full name shows on hover and on the claim).
            column_config={"Supplier": st.column_config.TextColumn(width=200)},
        )
        chosen = [queue.items[i] for i in event.selection.rows]
        if not bulk and chosen:
            w.open_claim(chosen[0].claim_external_id)
        if bulk:
            label = f"Decide {len(chosen)} selected as recommended"
            if st.button(label, type="primary", disabled=not chosen, icon=":material/done_all:"):
                try:
                    outcomes = bulk_decide(
                        wiring.session_factory(),
                        actor,
                        [item.claim_id for item in chosen],
                        policy,
                        wiring.now(),
                    )
                except NotAllowed as error:
                    auth.show_not_allowed(error)
                else:
                    clear_read_caches()
                    done = [o for o in outcomes if o.ok]
                    refused = [o for o in outcomes if not o.ok]
                    lines = [f"Decided {len(done)} of {len(outcomes)} claims as recommended."]
                    lines += [o.message for o in refused]
                    st.session_state[_FLASH] = ("warning" if refused else "success", lines)
                    st.rerun()
