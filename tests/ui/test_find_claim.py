"""AppTest: the sidebar's "Find a claim" looks claims up by claim, order or buyer."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP, OIDC_SECRETS, open_app, unescape
from tests.ui.rows import refs, rows
from tests.ui.test_queue_page import RITA, busy_queue  # noqa: F401 (fixture)

LOOKUP = "pages/find_claim.py"


def _lookup(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": RITA}
    at.query_params.update(params)
    at.switch_page(LOOKUP)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("busy_queue")
def test_the_lookup_opens_empty_with_a_search_box() -> None:
    at = open_app(RITA, LOOKUP)
    assert at.title[0].value == "Find a claim"
    assert at.text_input(key="q").value == ""
    assert not refs(at, "lookup_row_")


@pytest.mark.usefixtures("busy_queue")
def test_a_buyer_name_finds_every_claim_a_page_at_a_time() -> None:
    at = _lookup({"q": "LINDQVIST"})
    assert "1–25 of 110 claims match" in " ".join(c.value for c in at.caption)
    shown = rows(at, "lookup_row_")
    assert len(shown) == 25
    assert shown[0].ref == "CLM-000000"  # the most recently filed first
    kind, order, buyer, claimed, filed = shown[0].cells
    assert (kind, order) == ("Quality / Open", "ORD-000000 / Ningbo Pumps")
    assert buyer == "Lindqvist Handel AB / BUY-000001 · DE"
    assert filed.startswith("filed ") and filed.endswith(" / found by buyer name")
    assert claimed == "USD 500.00 / claimed"
    (pager,) = at.get("pagination")
    pager.set_value(5).run()  # type: ignore[union-attr]
    assert "101–110 of 110 claims match" in " ".join(c.value for c in at.caption)


@pytest.mark.usefixtures("busy_queue")
def test_part_of_an_order_reference_lists_its_claims() -> None:
    at = _lookup({"q": "ord-00010"})
    assert sorted(refs(at, "lookup_row_")) == [f"CLM-{n:06d}" for n in range(100, 110)]
    assert all(r.cells[-1].endswith("found by order") for r in rows(at, "lookup_row_"))


@pytest.mark.usefixtures("busy_queue")
def test_typing_an_exact_claim_reference_opens_the_claim() -> None:
    at = open_app(RITA, LOOKUP)
    at.text_input(key="q").input("clm-000007").run()
    assert not at.exception
    assert unescape(at.title[0].value) == "Claim CLM-000007"


@pytest.mark.usefixtures("busy_queue")
def test_a_link_to_an_exact_reference_lists_it_first_without_jumping() -> None:
    """Coming back to ?q=CLM-… (the browser's Back) shows the list, not the claim again."""
    at = _lookup({"q": "CLM-000007"})
    assert at.title[0].value == "Find a claim"
    assert refs(at, "lookup_row_") == ["CLM-000007"]


@pytest.mark.usefixtures("busy_queue")
def test_a_search_that_finds_nothing_says_so_as_text() -> None:
    at = _lookup({"q": "**nobody** 100%"})
    assert [unescape(i.value) for i in at.info] == [
        "No claim, order or buyer matches **nobody** 100%."
    ]
