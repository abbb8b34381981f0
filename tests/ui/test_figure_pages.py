"""AppTest: the dashboards per role, their URL state and drill-down, and the limit form —
which only ops managers get, and which the server refuses to anyone else even if shown."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.engine import make_engine
from data_access.models import AuditEvent, Supplier, SupplierLimitChange, User
from tests.figures_world import NOW, build_world, insert_world
from tests.ui.conftest import APP, EMAILS, OIDC_SECRETS, open_app, unescape
from tests.ui.rows import page_links
from ui.labels import REASON_LABELS

OVERVIEW, SUPPLIERS = "pages/overview.py", "pages/suppliers.py"
SUPPLIER, EXPOSURE = "pages/supplier.py", "pages/exposure.py"


@pytest.fixture
def figures_database(app_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The AppTest users plus the generated world; the clock frozen on the world's today."""
    engine = make_engine(app_database)
    with Session(engine) as session:
        insert_world(session, build_world(seed=4))
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_CLOCK", NOW.isoformat())
    return app_database


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _limit(url: str, external_id: str = "SUP-B") -> tuple[int, int, int]:
    engine = make_engine(url)
    with Session(engine) as s:
        limit = s.scalar(select(Supplier.limit_cents).where(Supplier.external_id == external_id))
        changes = len(s.scalars(select(SupplierLimitChange)).all())
        events = len(s.scalars(select(AuditEvent).where(AuditEvent.action == "change_limit")).all())
    engine.dispose()
    return int(limit or 0), changes, events


def _supplier_page(email: str, external_id: str = "SUP-B") -> AppTest:
    at = open_app(email, SUPPLIER)
    at.query_params["supplier"] = external_id
    at.run()
    return at


@pytest.mark.usefixtures("figures_database")
@pytest.mark.parametrize("role", ["ops_manager", "exec"])
def test_overview_tiles_charts_and_definitions(role: str) -> None:
    at = open_app(EMAILS[role], OVERVIEW)
    _ok(at)
    assert at.title[0].value == "Programme overview"
    labels = [m.label for m in at.metric]
    for tile in (
        "Late-shipment rate",
        "Dispute rate",
        "Open claims",
        "Overdue claims",
        "Refunds approved",
        "Pending liability",
    ):
        assert tile in labels
    tiles = {m.label: m for m in at.metric}
    assert tiles["Refunds approved"].value.startswith("USD ")
    assert tiles["Late-shipment rate"].value.endswith("%")
    captions = " ".join(c.value for c in at.caption)
    # The world's data starts within the default range: nothing before it to compare with
    # (test_all_history_compares_with_nothing checks a range that has).
    assert "orders due" in captions and "Nothing is compared" in captions
    assert "Asia/Shanghai" not in captions and "UTC" in captions
    assert len(at.get("plotly_chart")) >= 5  # three trends, two breakdowns
    assert any("Reviewer service" in h.value for h in at.subheader)
    # The reviewers' rates read as the overview's do: the rate as the tile's value, short
    # enough for a tile in a narrow window, its counts beneath.
    for label in ("Decided after deadline", "Override rate"):
        assert re.fullmatch(r"\d+\.\d\d%|–", tiles[label].value), tiles[label].value
    assert "verdicts that answered a recommendation" in captions
    by_reason = next(t.value for t in at.table if "Reason" in t.value.columns)
    assert len(by_reason) and {unescape(r) for r in by_reason["Reason"]} <= set(
        REASON_LABELS.values()
    )


@pytest.mark.usefixtures("figures_database")
def test_overview_reads_ahead_what_it_shows_last_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The drill-down's suppliers and the reviewers' figures, read ahead in threads, are the
    values the page then shows: each computed once (a read ahead with other arguments than the
    page's own call would compute twice)."""
    import services.figures.rates as rates
    import services.figures.reviewers as reviewers

    calls: list[str] = []
    for module, name in ((rates, "suppliers_behind"), (reviewers, "reviewer_figures")):
        original = getattr(module, name)

        def counted(
            *args: object, _name: str = name, _f: object = original, **kw: object
        ) -> object:
            calls.append(_name)
            return _f(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(module, name, counted)
    at = open_app(EMAILS["ops_manager"], OVERVIEW)
    _ok(at)
    assert sorted(calls) == ["reviewer_figures", "suppliers_behind"]
    assert any("Reviewer service" in h.value for h in at.subheader)
    assert any(tab.label.startswith("Suppliers (") for tab in at.tabs)


@pytest.mark.usefixtures("figures_database")
def test_overview_range_and_grain_come_from_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shared link opens the same view: range, custom days and grain are read from the URL
    (Streamlit's browser side writes them there as the widgets change)."""
    monkeypatch.setenv("ASSURANCE_PROGRAMME_TIMEZONE", "Asia/Shanghai")
    at = open_app(EMAILS["ops_manager"], OVERVIEW)
    _ok(at)
    assert "Asia/Shanghai" in " ".join(c.value for c in at.caption)
    assert any("1 Apr 2024 – 15 Mar 2025" in m.value for m in at.markdown)  # 12 months of data
    linked = _open_with_url(
        EMAILS["ops_manager"],
        {"range": "Custom", "dates": ["2025-01-01", "2025-02-15"], "grain": "Week"},
    )
    _ok(linked)
    assert linked.selectbox(key="range").value == "custom"
    assert linked.segmented_control(key="grain").value == "week"
    assert any("1 Jan 2025 – 15 Feb 2025" in m.value for m in linked.markdown)
    assert "Figures by week" in [e.label for e in linked.expander]
    linked = _open_with_url(EMAILS["ops_manager"], {"range": "30 days"})
    assert any("14 Feb 2025 – 15 Mar 2025" in m.value for m in linked.markdown)


def _open_with_url(email: str, params: dict[str, object], page: str | None = None) -> AppTest:
    """Open a link: the URL's parameters are there before the first run."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": email}
    at.query_params.update(params)
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.usefixtures("figures_database")
def test_drilling_into_a_month_and_a_country_adds_up() -> None:
    at = open_app(EMAILS["ops_manager"], OVERVIEW)
    at.selectbox(key="drill_period").set_value("Feb 2025")
    at.selectbox(key="drill_value").set_value("CN")
    at.run()
    _ok(at)
    summary = next(m.value for m in at.markdown if m.value.startswith("**1 Feb 2025"))
    assert "CN" in summary and "add up" in summary
    suppliers = next(d.value for d in at.dataframe if "Supplier id" in d.value.columns)
    assert set(suppliers["Supplier id"]) == {"SUP-A"}  # the only supplier in CN
    late, due = int(suppliers["Late"].sum()), int(suppliers["Orders due"].sum())
    assert f"({late:,} of {due:,} orders due)" in unescape(summary)


def _drill_pager(at: AppTest, name: str = "drill_suppliers_page") -> Any:
    return next(p for p in at.get("pagination") if str(p.key).startswith(name))


@pytest.mark.usefixtures("figures_database")
def test_the_drill_down_starts_at_page_one_for_another_pick_and_never_sets_a_pager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the last page of the suppliers, a value with one page of suppliers shows that page;
    going back to every value shows page 1, not the page turned to before. No code assigns a
    pager's value (Streamlit logs a warning with a stack trace for a widget that has a default
    and a value set through Session State)."""
    from streamlit.runtime.state import SessionStateProxy

    from ui import overview_drill

    monkeypatch.setattr(overview_drill, "SUPPLIER_ROWS", 2)
    written: list[str] = []
    assign = SessionStateProxy.__setitem__

    def spy(self: SessionStateProxy, key: str, value: Any) -> None:
        written.append(key)
        assign(self, key, value)

    monkeypatch.setattr(SessionStateProxy, "__setitem__", spy)
    at = open_app(EMAILS["ops_manager"], OVERVIEW)
    _ok(at)
    pages = _drill_pager(at).num_pages
    _drill_pager(at).set_value(pages).run()
    _ok(at)
    shown = [c.value for c in at.caption if "shown." in c.value]
    assert shown and f"{(pages - 1) * 2 + 1:,}–" in shown[0], shown
    at.selectbox(key="drill_value").set_value("CN").run()
    _ok(at)
    assert not [p for p in at.get("pagination") if str(p.key).startswith("drill_suppliers")]
    assert any(re.search(r"first; 1–[12] shown\.", c.value) for c in at.caption)
    at.selectbox(key="drill_value").set_value("All").run()
    _ok(at)
    assert _drill_pager(at).value == 1
    assert any("first; 1–2 shown." in c.value for c in at.caption)
    # The orders and claims say which rows they show as the suppliers do, not "page 1 shown".
    assert any(re.search(r"late ones first; 1–\d+ shown\.", c.value) for c in at.caption)
    assert any(re.search(r"newest first; 1–\d+ shown\.", c.value) for c in at.caption)
    pagers = {str(p.key) for p in at.get("pagination")}
    assert not [key for key in written if key.startswith("drill_") and key.endswith("_page")]
    assert not pagers & set(written)


@pytest.mark.usefixtures("figures_database")
def test_the_drill_down_pages_its_suppliers_and_the_pages_add_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui import overview_drill

    monkeypatch.setattr(overview_drill, "SUPPLIER_ROWS", 2)
    at = open_app(EMAILS["ops_manager"], OVERVIEW)
    _ok(at)
    summary = unescape(next(m.value for m in at.markdown if "add up" in m.value))
    pages = _drill_pager(at).num_pages
    assert pages >= 2, "the world needs more suppliers behind its figures than one page"
    seen = []
    for number in range(1, pages + 1):
        _drill_pager(at).set_value(number).run()
        _ok(at)
        table = next(d.value for d in at.dataframe if "Supplier id" in d.value.columns)
        assert 1 <= len(table) <= 2
        seen.append(table)
    everything = pd.concat(seen, ignore_index=True)
    assert everything["Supplier id"].is_unique
    ranked = sorted(
        zip(everything["Late"], everything["Claims"], everything["Supplier id"], strict=True),
        key=lambda r: (-r[0], -r[1], r[2]),
    )
    assert list(everything["Supplier id"]) == [r[2] for r in ranked]  # worst first, across pages
    late, due = int(everything["Late"].sum()), int(everything["Orders due"].sum())
    claims, orders = int(everything["Claims"].sum()), int(everything["Orders placed"].sum())
    assert f"({late:,} of {due:,} orders due)" in summary
    assert f"({claims:,} of {orders:,} orders placed)" in summary
    assert any(f"{len(everything):,} suppliers, most late orders" in c.value for c in at.caption)


@pytest.mark.usefixtures("figures_database")
@pytest.mark.parametrize("role", ["ops_manager", "exec"])
def test_suppliers_table_searches_and_ranks(role: str) -> None:
    at = open_app(EMAILS[role], SUPPLIERS)
    _ok(at)
    table = at.dataframe[0].value
    assert {"SUP-A", "SUP-B", "SUP-C", "SUP-D"} <= set(table["Id"])
    assert table["Headroom"].str.startswith(("USD", "-USD")).all()
    assert any(m.label == "Over their limit" for m in at.metric)
    at.text_input(key="q").input("berliner")
    at.run()
    _ok(at)
    assert list(at.dataframe[0].value["Id"]) == ["SUP-B"]
    linked = _open_with_url(EMAILS[role], {"show": "Over their limit"}, SUPPLIERS)
    _ok(linked)
    assert set(linked.dataframe[0].value["Headroom"].str[0]) == {"-"}


@pytest.mark.usefixtures("figures_database")
def test_an_ops_manager_changes_a_limit_on_the_supplier_page(figures_database: str) -> None:
    at = _supplier_page(EMAILS["ops_manager"])
    _ok(at)
    assert at.title[0].value == "Berliner Bau GmbH"
    at.text_input(key="new_limit").input("2500.50")
    at.text_area(key="limit_reason").input("Quarterly **review** <b>x</b>")
    next(b for b in at.button if b.label == "Change the limit").click()
    at.run()
    _ok(at)
    assert "USD 2,500.50" in unescape(at.success[0].value)
    assert _limit(figures_database) == (2_500_50, 1, 1)
    assert any(m.label == "Trade Assurance limit" and m.value == "USD 2,500.50" for m in at.metric)
    history = at.table[0].value
    assert unescape(history["Reason"].tolist()[0]) == "Quarterly **review** <b>x</b>"  # as text
    assert unescape(history["To"].tolist()[0]) == "USD\u00a02,500.50"  # kept on one line
    # The form offers the limit now in force as every screen writes amounts, separated.
    assert at.text_input(key="new_limit").placeholder == "2,500.50"


@pytest.mark.usefixtures("figures_database")
def test_a_bad_amount_is_refused_without_a_trace(figures_database: str) -> None:
    at = _supplier_page(EMAILS["ops_manager"])
    at.text_input(key="new_limit").input("-12")
    at.text_area(key="limit_reason").input("oops")
    next(b for b in at.button if b.label == "Change the limit").click()
    at.run()
    assert not at.exception
    assert "cannot be negative" in unescape(at.error[0].value)
    assert "Traceback" not in at.error[0].value
    assert _limit(figures_database) == (500_00, 0, 0)


@pytest.mark.usefixtures("figures_database")
@pytest.mark.parametrize("role", ["exec", "claim_reviewer"])
def test_exec_and_reviewer_see_no_limit_form(role: str) -> None:
    at = _supplier_page(EMAILS[role])
    _ok(at)
    assert not [t for t in at.text_input if t.key == "new_limit"]
    assert "Change the limit" not in [b.label for b in at.button]
    assert any("Only ops managers change limits" in c.value for c in at.caption)


@pytest.mark.usefixtures("figures_database")
@pytest.mark.parametrize("role", ["exec", "claim_reviewer"])
def test_the_server_refuses_a_limit_change_even_when_a_page_offers_it(
    role: str, figures_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page bug that shows the form to the wrong role changes nothing: the service refuses."""
    monkeypatch.setattr("ui.supplier_page.may_change_limit", lambda actor: True)
    at = _supplier_page(EMAILS[role])
    at.text_input(key="new_limit").input("999999.00")
    at.text_area(key="limit_reason").input("I should not be able to")
    next(b for b in at.button if b.label == "Change the limit").click()
    at.run()
    assert not at.exception
    assert "may not change supplier limits" in unescape(at.error[0].value)
    assert _limit(figures_database) == (500_00, 0, 0)


@pytest.mark.usefixtures("figures_database")
def test_a_manager_demoted_since_the_page_opened_is_refused(figures_database: str) -> None:
    at = _supplier_page(EMAILS["ops_manager"])
    engine = make_engine(figures_database)
    with Session(engine) as s:
        s.scalars(select(User).where(User.email == EMAILS["ops_manager"])).one().role = "exec"
        s.commit()
    engine.dispose()
    at.text_input(key="new_limit").input("1.00")
    at.text_area(key="limit_reason").input("stale page")
    next(b for b in at.button if b.label == "Change the limit").click()
    at.run()
    assert not at.exception
    assert _limit(figures_database) == (500_00, 0, 0)


@pytest.mark.usefixtures("figures_database")
def test_reviewers_get_links_to_the_claims() -> None:
    at = _supplier_page(EMAILS["claim_reviewer"], "SUP-A")
    _ok(at)
    claims = at.dataframe[-1].value
    assert claims["Claim"].str.startswith("/claim?claim=CLM-").all()
    ops = _supplier_page(EMAILS["ops_manager"], "SUP-A")
    assert ops.dataframe[-1].value["Claim"].str.startswith("CLM-").all()
    # Back to the Suppliers list only for those who see it: for a reviewer it did nothing.
    assert [b.label for b in ops.button if b.label == "Suppliers"] == ["Suppliers"]
    assert [b.label for b in at.button if b.label == "Suppliers"] == []


@pytest.mark.usefixtures("figures_database")
def test_an_unknown_supplier() -> None:
    at = _supplier_page(EMAILS["ops_manager"], "SUP-NOPE")
    assert not at.exception and "There is no supplier SUP-NOPE" in unescape(at.warning[0].value)


@pytest.mark.usefixtures("figures_database")
@pytest.mark.parametrize("role", ["exec", "ops_manager"])
def test_exposure_page_is_read_only_and_complete(role: str) -> None:
    at = open_app(EMAILS[role], EXPOSURE)
    _ok(at)
    assert at.title[0].value == "Programme exposure"
    labels = [m.label for m in at.metric]
    for tile in (
        "Exposure",
        "Pending liability",
        "Limits in force",
        "Top-10 share",
        "Concentration (HHI)",
        "Refunds if late shipments double",
    ):
        assert tile in labels
    assert not at.text_input and not at.text_area and not at.get("form")
    assert [b.label for b in at.button] == []  # downloads only, nothing that writes
    payout = next(m.value for m in at.metric if m.label.startswith("Payout if the 5"))
    at.slider(key="stress_n").set_value(1)
    at.run()
    _ok(at)
    assert next(m.value for m in at.metric if m.label.startswith("Payout if the 1")) != payout
    assert any("Assumptions" in m.value for m in at.markdown)
    cohorts = next(t.value for t in at.table if "Cohort" in t.value.columns)
    assert list(cohorts.columns) == [  # the Overview's words for a count and an amount
        "Cohort", "Orders", "Covered", "Refunded claims", "Refunds approved", "Loss ratio"
    ]  # fmt: skip
    linked = _open_with_url(EMAILS[role], {"as_of": "2025-01-31"}, EXPOSURE)
    _ok(linked)
    assert any("As of the end of 31 January 2025" in c.value for c in linked.caption)
    # A past day's stress test compares with its baseline, not with "today's rate".
    assert any(c.value.startswith("At the baseline's rate: USD") for c in linked.caption)
    assert not [c.value for c in linked.caption if "today" in c.value]


def _limit_ledger(at: AppTest) -> dict[str, str]:
    """The exposure page's suppliers above 90%: supplier id → the limit shown."""
    tables = [t.value for t in (*at.table, *at.dataframe) if "Limit" in t.value.columns]
    assert len(tables) == 1, tables
    return {
        unescape(who).split(" · ")[1]: unescape(limit).replace("\u00a0", " ")
        for who, limit in zip(tables[0]["Supplier"], tables[0]["Limit"], strict=True)
    }


@pytest.mark.usefixtures("figures_database")
def test_a_limit_change_reaches_the_exposure_ledger_at_once() -> None:
    """The ledger of suppliers above 90% is formatted once per view and cached: a limit change
    must clear it with the view, or the page would show the old limit for minutes."""
    before = open_app(EMAILS["ops_manager"], EXPOSURE)
    _ok(before)
    assert _limit_ledger(before)["SUP-B"] == "USD 500.00"
    at = _supplier_page(EMAILS["ops_manager"])
    at.text_input(key="new_limit").input("400.00")
    at.text_area(key="limit_reason").input("Tighter")
    next(b for b in at.button if b.label == "Change the limit").click()
    at.run()
    _ok(at)
    after = open_app(EMAILS["ops_manager"], EXPOSURE)
    _ok(after)
    assert _limit_ledger(after)["SUP-B"] == "USD 400.00"


def test_the_exposure_ledger_shows_the_highest_utilisations_and_links_to_all(
    figures_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``LEDGER_ROWS`` suppliers above 90% the page shows the highest and says where the
    rest are (the CSV, the Suppliers page ranked by utilisation), not a list nobody reads."""
    from services.figures.exposure import exposure_view
    from services.policy.active import active_policy
    from ui import exposure_sections, figure_widgets

    engine = make_engine(figures_database)
    above = exposure_view(engine, NOW.date(), "UTC", active_policy(engine)).above
    engine.dispose()
    assert len(above) >= 3, "the world needs a few suppliers above 90% for this test"
    # The ledger is always a static table, which wraps to a narrow window (a grid scrolls).
    assert exposure_sections.LEDGER_ROWS <= figure_widgets.STATIC_ROWS
    monkeypatch.setattr(exposure_sections, "LEDGER_ROWS", 2)
    at = open_app(EMAILS["exec"], EXPOSURE)
    _ok(at)
    assert list(_limit_ledger(at)) == list(above["supplier"].head(2))
    assert any("Limit" in t.value.columns for t in at.table), "the ledger is drawn static"
    assert any(
        f"The 2 highest utilisations are shown; all {len(above):,} are in the CSV" in c.value
        for c in at.caption
    )
    (link,) = [link for link in page_links(at) if link.proto.page == "suppliers"]
    followed = _open_with_url(EMAILS["exec"], dict(parse_qsl(link.proto.query_string)), SUPPLIERS)
    _ok(followed)
    assert followed.selectbox(key="sort").value == "utilisation"
    assert any("ranked by utilisation" in c.value for c in followed.caption)


@pytest.mark.usefixtures("figures_database")
def test_the_supplier_picker_lists_what_was_typed_for() -> None:
    at = open_app(EMAILS["ops_manager"], SUPPLIER)
    _ok(at)

    def listed() -> dict[str, Any]:
        labels = {unescape(b.label): b for b in at.button}
        return {label.split(" · ")[-1]: b for label, b in labels.items() if " · SUP-" in label}

    assert listed() == {}  # nothing listed before anything is typed
    assert any("Type part of a supplier's name" in c.value for c in at.caption)
    at.text_input(key="supplier_search").input("CAROLINA").run()
    _ok(at)
    [(ref, button)] = listed().items()  # each as its name, country and id
    assert ref == "SUP-C" and unescape(button.label).startswith("Carolina Crafts (")
    at.text_input(key="supplier_search").input("sup-").run()
    assert set(listed()) >= {"SUP-A", "SUP-B", "SUP-C", "SUP-D"}
    listed()["SUP-C"].click().run()
    _ok(at)
    assert at.title[0].value == "Carolina Crafts"
    assert at.query_params["supplier"] == "SUP-C"  # the address a reload or a link opens
    assert at.text_input(key="supplier_search").value == "" and listed() == {}
    at.text_input(key="supplier_search").input("no such supplier").run()
    _ok(at)
    assert listed() == {}
    assert any("No supplier's name, id or country holds" in c.value for c in at.caption)


@pytest.mark.usefixtures("figures_database")
def test_exec_lands_on_exposure() -> None:
    at = open_app(EMAILS["exec"])
    _ok(at)
    assert at.title[0].value == "Programme exposure"


@pytest.fixture
def empty_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Users only: no supplier, order or claim yet (a fresh deployment)."""
    import streamlit as st

    from tests import factories as f

    engine = make_engine(database_url)
    with Session(engine) as s:
        for role, email in EMAILS.items():
            f.user(s, role, email=email)
        s.commit()
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    monkeypatch.setenv("ASSURANCE_CLOCK", NOW.isoformat())
    st.cache_data.clear()


@pytest.mark.usefixtures("empty_database")
@pytest.mark.parametrize("page", [OVERVIEW, SUPPLIERS, SUPPLIER, EXPOSURE])
def test_every_figure_page_copes_with_an_empty_database(page: str) -> None:
    at = open_app(EMAILS["ops_manager"], page)
    _ok(at)
    assert at.title


@pytest.mark.usefixtures("figures_database")
def test_exposure_before_any_order_says_so_without_empty_shares() -> None:
    """As of a day before the first order: no order was live. The page says so, and shows no
    table of suppliers at 0.00% and "nan%" (it did), no share of nothing."""
    at = _open_with_url(EMAILS["exec"], {"as_of": "2020-01-31"}, EXPOSURE)
    _ok(at)
    infos = [unescape(i.value) for i in at.info]
    assert any("No order was live at the end of 31 Jan 2020" in i for i in infos), infos
    assert any("No exposure at the end of 31 Jan 2020" in i for i in infos), infos
    shown = [t.value for t in (*at.table, *at.dataframe)]
    assert not [t for t in shown if "Share" in t.columns]
    texts = [str(v) for t in shown for v in t.to_numpy().ravel()]
    texts += [m.value for m in (*at.markdown, *at.caption)] + [m.value for m in at.metric]
    assert not [t for t in texts if "nan%" in t]


@pytest.mark.usefixtures("figures_database")
def test_a_suppliers_claims_start_at_page_one_for_another_supplier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The claims' pager was one widget for every supplier: page 2 of one supplier's claims
    stayed turned on the next supplier's."""
    from ui import figure_data

    monkeypatch.setattr(figure_data, "SUPPLIER_CLAIMS_PAGE", 1)
    at = _supplier_page(EMAILS["ops_manager"], "SUP-B")
    _ok(at)
    pager = _drill_pager(at, "supplier_claims_page")  # the pager of that name
    assert pager.num_pages >= 2, "the world needs a supplier with two claims"
    first_claim = at.dataframe[-1].value.iloc[0, 0]
    pager.set_value(2).run()
    _ok(at)
    assert at.dataframe[-1].value.iloc[0, 0] != first_claim
    at.query_params["supplier"] = "SUP-A"
    at.run()
    _ok(at)
    assert not [c.value for c in at.caption if "page 2" in c.value]
    pagers: list[Any] = [
        p for p in at.get("pagination") if str(p.key).startswith("supplier_claims")
    ]
    assert all(p.value == 1 for p in pagers)
    at.query_params["supplier"] = "SUP-B"
    at.run()
    _ok(at)
    assert at.dataframe[-1].value.iloc[0, 0] == first_claim  # page 1 again


@pytest.mark.usefixtures("figures_database")
def test_tables_show_the_domains_words_as_labels_never_stored_codes() -> None:
    """The drill-down's orders and claims, the suppliers' tiers and a supplier's claims read
    "Approved", "Non-delivery", "None" as the claim page does (they read "approved", "Non
    delivery", "none"), and an order not shipped shows an empty cell, not "None"."""
    from ui import labels

    statuses, kinds = set(labels.STATUS_LABELS.values()), set(labels.KIND_LABELS.values())
    at = open_app(EMAILS["ops_manager"], OVERVIEW)
    _ok(at)
    frames = [d.value for d in at.dataframe]
    orders = next(f for f in frames if "Days late" in f.columns)
    claims = next(f for f in frames if "Status" in f.columns and "Kind" in f.columns)
    assert set(orders["Late"]) <= {"Late", "On time"}
    # No missing value the grid would write "None": words instead.
    assert not orders.isna().to_numpy().any()
    assert "Not shipped" in set(orders["Shipped"])  # the world has an order never shipped
    assert "–" in set(orders["Days late"])
    assert set(claims["Status"]) <= statuses and set(claims["Kind"]) <= kinds
    suppliers = open_app(EMAILS["ops_manager"], SUPPLIERS).dataframe[0].value
    assert set(suppliers["Tier"]) <= set(labels.TIER_LABELS.values())
    assert "None" in set(suppliers["Tier"])  # a supplier with no tier reads "None"
    page = _supplier_page(EMAILS["ops_manager"], "SUP-A")
    _ok(page)
    heading = next(unescape(c.value) for c in page.caption if "monitoring tier" in c.value)
    assert heading.split("supplier tier ")[1][:1].isupper(), heading  # "Verified"
    # "Watch", or for a supplier in no tier "no monitoring tier" (it read "monitoring tier None")
    assert "tier None" not in heading and (
        "no monitoring tier" in heading or heading.split("monitoring tier ")[1][:1].isupper()
    ), heading
    own = page.dataframe[-1].value
    assert set(own["Status"]) <= set(labels.SHORT_STATUS_LABELS.values())
    assert set(own["Kind"]) <= kinds and "Filed" in own.columns


@pytest.mark.usefixtures("figures_database")
def test_all_history_compares_with_nothing() -> None:
    """All history starts with the first data: the period before it is empty, and a change
    against it ("+40", "+USD 5,035,794.13") says nothing. The tiles show none; a range with
    data before it does."""
    whole = _open_with_url(EMAILS["ops_manager"], {"range": "All history"}, OVERVIEW)
    _ok(whole)
    assert whole.selectbox(key="range").value == "all"
    tiles = [m for m in whole.metric if m.label in ("Open claims", "Dispute rate")]
    assert len(tiles) == 2 and all(not m.proto.delta for m in tiles)
    assert not [c.value for c in whole.caption if "Previous period" in c.value]
    assert any("Nothing is compared" in c.value for c in whole.caption)
    recent = _open_with_url(EMAILS["ops_manager"], {"range": "30 days"}, OVERVIEW)
    _ok(recent)
    assert recent.selectbox(key="range").value == "last_30d"
    assert all(m.proto.delta for m in recent.metric if m.label in ("Open claims", "Dispute rate"))
    assert any("Changes compare with the previous 30 days" in c.value for c in recent.caption)


@pytest.mark.usefixtures("figures_database")
def test_a_link_to_a_later_page_of_suppliers_reads_that_page_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every page of the ranking costs as much as the first (all suppliers' figures are
    counted to rank them): a link to page 2 reads page 2 only, with the count of all matches,
    not page 1 first for the count. A page past the end is read, found empty, and the last
    page read instead."""
    import streamlit as st

    from services.figures import suppliers as supplier_figures
    from ui import supplier_tables

    monkeypatch.setattr(supplier_tables, "PAGE_SIZE", 2)
    asked: list[int] = []
    read = supplier_figures.suppliers_page

    def spy(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["page"])
        return read(*args, **kwargs)

    monkeypatch.setattr(supplier_figures, "suppliers_page", spy)
    st.cache_data.clear()
    everyone = _open_with_url(EMAILS["ops_manager"], {"sort": "Name"}, SUPPLIERS)
    _ok(everyone)
    ranked = list(everyone.dataframe[0].value["Id"])
    total = int(re.search(r"of (\d+) suppliers", _shown(everyone)).group(1))  # type: ignore[union-attr]
    assert len(ranked) == 2 and total >= 5
    asked.clear()
    st.cache_data.clear()
    second = _open_with_url(EMAILS["ops_manager"], {"sort": "Name", "page": "2"}, SUPPLIERS)
    _ok(second)
    assert asked == [2]
    assert _shown(second).startswith(f"3–4 of {total} suppliers")
    assert second.query_params["page"] == "2"
    assert not set(second.dataframe[0].value["Id"]) & set(ranked)
    asked.clear()
    st.cache_data.clear()
    last = -(-total // 2)
    past = _open_with_url(EMAILS["ops_manager"], {"sort": "Name", "page": "99"}, SUPPLIERS)
    _ok(past)
    assert asked == [99, last]
    assert past.query_params["page"] == str(last)
    assert _shown(past).startswith(f"{(last - 1) * 2 + 1}–{total} of {total} suppliers")


def _shown(at: AppTest) -> str:
    return next(c.value for c in at.caption if " suppliers, ranked by " in c.value)


@pytest.mark.usefixtures("figures_database")
def test_the_suppliers_page_number_lives_in_the_url_only() -> None:
    """A page past the end (the list shrank since the link was made) shows the last page and
    says so in the URL; a search goes back to page 1 through the URL, never by setting the
    pager's state (which Streamlit warned about, with a stack trace in the server log)."""
    at = _open_with_url(EMAILS["ops_manager"], {"page": "5"}, SUPPLIERS)
    _ok(at)
    assert "page" not in at.query_params  # one page of suppliers: page 1, the default
    assert len(at.dataframe[0].value) >= 4
    assert "page" not in at.session_state
    at.text_input(key="q").input("berliner").run()
    _ok(at)
    assert list(at.dataframe[0].value["Id"]) == ["SUP-B"]
    tiers = [m.label for m in at.metric if m.label.startswith("Tier: ")]
    assert tiers and all(label.split(": ")[1][:1].isupper() for label in tiers), tiers
