"""Find a claim by its reference, its order's or its buyer's, or the buyer's name (?q=…)."""

import streamlit as st

from services.claims.lookup import claim_reference, find_claims
from ui import auth, lookup_list, paging, wiring
from ui import claim_widgets as w
from ui.text import plain

actor = auth.require_screen(w.LOOKUP_PAGE)
engine = wiring.engine()
zone = w.reader_zone()
_SUBMITTED = "find_claim_submitted"


def _submitted() -> None:
    paging.first_page()
    # Typed and sent just now (not come back to through the browser's history): an exact
    # claim reference then opens that claim at once.
    st.session_state[_SUBMITTED] = True


st.title("Find a claim")
text = st.text_input(
    "Claim, order or buyer",
    placeholder="CLM-0000107, ORD-…, BUY-… or part of a buyer's name",
    icon=":material/search:",
    max_chars=100,
    key="q",
    bind="query-params",
    on_change=_submitted,
    help="Any part of the reference, in any case. An exact claim reference opens the claim.",
)
text = (text or "").strip()
just_sent = st.session_state.pop(_SUBMITTED, False)
if not text:
    st.caption(
        "Type a claim, order or buyer reference, or part of a buyer's name. Every claim is "
        "searched, decided or not; the undecided ones are also in the claim queue."
    )
    st.stop()

if just_sent:
    # A reference typed in full opens its claim through the index, before any search.
    exact = claim_reference(engine, text)
    if exact is not None:
        w.open_claim(exact)
found = find_claims(engine, text, page=paging.url_page())
page = paging.current_page(found.pages)
if just_sent and found.exact is not None:
    w.open_claim(found.exact.claim_external_id)
if not found.items:
    st.info(f"No claim, order or buyer matches {plain(text)}.", icon=":material/search_off:")
    st.stop()

last = (page - 1) * found.page_size + len(found.items)
noun = "claim matches" if found.total == 1 else "claims match"
st.caption(
    f"{(page - 1) * found.page_size + 1:,}–{last:,} of {found.total:,} {noun}; an exact "
    f"claim reference first, then the most recently filed. Times in {plain(w.zone_name(zone))}."
)
lookup_list.rows(found.items, zone)
paging.pager(found.pages, page)
