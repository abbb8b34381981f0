"""The daily summary tables stay exactly in step with the orders through imports, and the
figures read from them equal the figures counted from the orders, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import itertools
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, literal_column, select
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries, summary_delta, summary_memory
from data_access.engine import make_engine
from data_access.models import SummaryState, Supplier
from data_access.queries import suppliers as supplier_queries
from rules import bundled_policy
from services.auth import Actor
from services.figures import exposure, rates, stress, suppliers
from services.figures.periods import Period
from services.figures.rates import Scope
from services.figures.suppliers import supplier_window
from services.importing.service import import_file
from tests import factories as f
from tests.claim_copies_oracle import claims_out_of_step
from tests.factories import utc
from tests.figures_world import TODAY, ZONES, build_world, insert_world

ZONES_KEPT = ("UTC", "Asia/Shanghai")
NOW = utc(2025, 6, 4, 10)
HEADER = (
    "external_id,supplier_external_id,buyer_external_id,buyer_name,buyer_country,category,"
    "payment_method,currency,order_amount,covered_amount,paid_amount,placed_at,ship_by,"
    "shipped_at,delivered_at,cancelled_at,status\n"
)
SUPPLIERS = (("SUP-A", "CN", "gold"), ("SUP-B", "VN", "new"), ("SUP-C", "CN", "new"))
TABLES = tuple(summaries.TABLES)


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@st.composite
def order_rows(draw: st.DrawFn) -> str:
    key = draw(st.integers(1, 8))  # a small pool: later batches update earlier orders
    supplier = draw(st.sampled_from(["SUP-A", "SUP-B", "SUP-C"]))
    category = draw(st.sampled_from(["Machinery", "Textiles"]))
    placed = utc(2025, 3, 1) + timedelta(
        days=draw(st.integers(0, 20)), hours=draw(st.integers(0, 23))
    )
    ship_by = placed.date() + timedelta(days=draw(st.integers(0, 6)))
    # Two buyers: a later batch moves an order to the other, and its claims' copies follow.
    buyer = draw(st.sampled_from(["BUY-1,Buyer One,DE", "BUY-2,Buyer Two,FR"]))
    fate = draw(st.sampled_from(["placed", "shipped", "delivered", "cancelled"]))
    shipped = delivered = cancelled = None
    if fate in ("shipped", "delivered"):
        # Around midnight of the ship-by day: late or not depends on the zone.
        shipped = datetime.combine(ship_by, datetime.min.time(), tzinfo=placed.tzinfo) + timedelta(
            hours=draw(st.integers(-30, 30))
        )
        shipped = max(shipped, placed)
    if fate == "delivered":
        assert shipped is not None
        delivered = shipped + timedelta(days=draw(st.integers(1, 5)))
    if fate == "cancelled":
        cancelled = placed + timedelta(hours=draw(st.integers(1, 24 * 8)))
    return (
        f"ORD-{key},{supplier},{buyer},{category},tt,USD,100.00,80.00,50.00,"
        f"{_stamp(placed)},{ship_by.isoformat()},{_stamp(shipped)},{_stamp(delivered)},"
        f"{_stamp(cancelled)},{fate}"
    )


def _suppliers(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        for key, country, tier in (
            ("SUP-A", "CN", "gold"),
            ("SUP-B", "VN", "new"),
            ("SUP-C", "CN", "new"),
        ):
            f.supplier(s, external_id=key, country=country, tier=tier)
        s.commit()


def _in_step(engine: Engine) -> None:
    with engine.connect() as conn:
        for zone in ZONES_KEPT:
            for table in TABLES:
                assert summaries.stored_rows(conn, table, zone) == summaries.aggregated_rows(
                    conn, table, zone
                ), (table, zone)
        # And the claims' copies of their order's reference and buyer, which Find a claim reads.
        assert claims_out_of_step(conn) == []


@st.composite
def claim_rows(draw: st.DrawFn) -> str:
    key, order = draw(st.integers(1, 5)), draw(st.integers(1, 8))
    kind = draw(st.sampled_from(["late_shipment", "quality", "non_delivery"]))
    filed = utc(2025, 3, 10) + timedelta(hours=draw(st.integers(0, 24 * 30)))
    return f"CLM-{key},ORD-{order},{kind},{_stamp(filed)},10.00,USD"


@st.composite
def supplier_rows(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(["SUP-A", "SUP-B", "SUP-C"]))
    country = draw(st.sampled_from(["CN", "VN"]))
    tier = draw(st.sampled_from(["gold", "new", "verified"]))
    return f"{key},Supplier {key},{country},Machinery,{tier},1000.00,USD"


HEADERS = {
    "orders": HEADER,
    "claims": "external_id,order_external_id,kind,filed_at,claimed_amount,currency\n",
    "suppliers": "external_id,name,country,main_category,tier,limit,currency\n",
}
#: A file: its entity and rows (orders update earlier ones: cancel, ship, move days).
FILES = st.one_of(
    st.tuples(st.just("orders"), st.lists(order_rows(), min_size=1, max_size=6)),
    st.tuples(st.just("claims"), st.lists(claim_rows(), min_size=1, max_size=4)),
    st.tuples(st.just("suppliers"), st.lists(supplier_rows(), min_size=1, max_size=3)),
)


@pytest.fixture(params=["sql", "memory"])
def counting(
    request: pytest.FixtureRequest, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> str:
    """How a write's delta is counted: in SQL, or (SQLite's large deltas) in memory, here for
    every delta."""
    if request.param == "memory":
        if engine.dialect.name != "sqlite":
            pytest.skip("only SQLite counts deltas in memory")
        monkeypatch.setattr(summary_delta, "IN_MEMORY_FROM_ROWS", 0)
        # Two orders a chunk: a file's supplier days reach the delta in parts, keys repeating.
        monkeypatch.setattr(summary_memory, "PARTS_FACTS_CHUNK", 2)
    return str(request.param)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(FILES, min_size=1, max_size=5))
def test_imports_keep_every_summary_equal_to_the_base_tables(
    engine: Engine,
    session_factory: sessionmaker[Session],
    counting: str,
    files: list[tuple[str, list[str]]],
) -> None:
    with session_factory() as s:  # the database lives across examples: suppliers once
        needed = s.scalar(select(func.count()).select_from(Supplier)) == 0
    if needed:
        _suppliers(session_factory)
    with engine.begin() as conn:
        summaries.rebuild(conn, dict.fromkeys(ZONES_KEPT, 30), NOW)
    for entity, rows in files:
        # One row per external id in a file: the last drawn row wins.
        latest = {row.split(",", 1)[0]: row for row in rows}
        body = (HEADERS[entity] + "\n".join(latest.values()) + "\n").encode()
        result = import_file(
            session_factory,
            Actor.system("test"),
            entity,  # type: ignore[arg-type]
            io.BytesIO(body),
            file_name=f"{entity}.csv",
            now=NOW,
        )
        # A claim on an order not imported yet is refused as a whole: nothing written.
        assert result.written or entity == "claims", result.problems
        _in_step(engine)


@pytest.mark.parametrize("zone", ZONES)
def test_rates_from_the_summaries_equal_the_rates_from_the_orders(
    engine: Engine, session_factory: sessionmaker[Session], zone: str
) -> None:
    world = build_world()
    with session_factory() as s:
        insert_world(s, world)
    periods = [Period(date(2024, 11, 1), TODAY), Period(date(2025, 2, 10), date(2025, 3, 9))]

    def figures() -> list[object]:
        out: list[object] = []
        for p in periods:
            late = rates.late_shipment_rate(engine, p, TODAY, zone)
            dispute = rates.dispute_rate(engine, p, zone)
            out += [(late.count, late.total), (dispute.count, dispute.total)]
            for grain in ("week", "month"):
                out.append(rates.late_shipment_trend(engine, p, grain, TODAY, zone).to_dict("list"))
                out.append(rates.dispute_trend(engine, p, grain, TODAY, zone).to_dict("list"))
            for dimension in rates.DIMENSIONS:
                out.append(rates.breakdown(engine, p, TODAY, zone, dimension).to_dict("list"))
            out.append(rates.activity_extent(engine, zone))
            # The suppliers behind a figure, narrowed as the overview's drill-down narrows.
            for scope in (
                Scope(),
                Scope(supplier_country="CN"),
                Scope(supplier_tier="gold"),
                Scope(category="Machinery"),
                Scope(claim_kind="quality"),
            ):
                out.append(rates.suppliers_behind(engine, p, TODAY, zone, scope).to_dict("list"))
            for key in sorted(world.suppliers):
                out.append(
                    suppliers.supplier_trend(engine, key, p, "month", TODAY, zone).to_dict("list")
                )
        return out

    counted = figures()  # no summaries yet: from the orders
    with engine.begin() as conn:
        summaries.rebuild(conn, {zone: 30}, NOW)
        assert summaries.is_ready(conn, zone)
    _in_step_zone(engine, zone)
    for read, expected in zip(figures(), counted, strict=True):
        assert repr(read) == repr(expected)
    with engine.begin() as conn:
        conn.execute(delete(SummaryState))


def _in_step_zone(engine: Engine, zone: str) -> None:
    with engine.connect() as conn:
        for table in TABLES:
            assert summaries.stored_rows(conn, table, zone) == summaries.aggregated_rows(
                conn, table, zone
            )
            assert summaries.stored_rows(conn, table, zone)


def _same(left: list[object], right: list[object]) -> bool:
    return repr(left) == repr(right)


@pytest.mark.parametrize("zone", ZONES)
def test_exposure_from_the_summaries_equals_exposure_from_the_orders(
    engine: Engine, session_factory: sessionmaker[Session], zone: str
) -> None:
    """Exposure, its breakdowns, trend and stress inputs on days around the world's deliveries,
    cancellations and open claims (the claim window's edge included)."""
    with session_factory() as s:
        insert_world(s, build_world())
    policy = bundled_policy("v1")
    days = [TODAY, TODAY - timedelta(days=20), TODAY - timedelta(days=45), date(2025, 1, 31)]

    def figures() -> list[str]:
        out = []
        for day in days:
            view = exposure.exposure_view(engine, day, zone, policy)
            out += [repr(view), repr(view.suppliers.to_dict("list"))]
            refundable = stress.refundable_of(view.suppliers)
            out.append(repr(refundable.to_dict("list")))
            total = int(refundable["refundable_cents"].sum())
            doubled = stress.late_shipments_double(engine, day, zone, policy, total)
            out += [repr(doubled), repr(doubled.late_days.to_dict("list"))]
        return out

    counted = figures()
    with engine.begin() as conn:
        summaries.rebuild(conn, {zone: policy.claim_window_days}, NOW)
    read = figures()
    assert "exposure_cents=0" not in counted[0]  # the world has exposure to compare
    spread = counted[4]  # TODAY's late orders by days late: shipped late, and never shipped
    assert "'days_late': [1" in spread and "None], 'orders'" in spread, spread
    for got, expected in zip(read, counted, strict=True):
        assert got == expected


_ASKED_PAGES: list[dict[str, Any]] = [
    {"search": "berliner"},
    {"show": "over_limit"},
    {"show": "tiered", "sort": "name", "descending": False, "page": 2, "page_size": 2},
    {"search": "e", "sort": "headroom", "descending": False, "page": 2, "page_size": 2},
    {"page": 99, "page_size": 2},
]


@pytest.mark.parametrize("zone", ZONES)
def test_supplier_figures_from_the_summaries_equal_those_from_the_orders(
    engine: Engine, session_factory: sessionmaker[Session], zone: str
) -> None:
    world = build_world()
    with session_factory() as s:
        insert_world(s, world)
    policy = bundled_policy("v1")

    def figures() -> list[str]:
        out = []
        for today in (TODAY, TODAY - timedelta(days=40)):
            page = suppliers.suppliers_page(engine, today, zone, policy, page_size=0)
            out += [repr(page.frame.to_dict("list")), repr(page.counts), repr(page.total)]
            # Searched, narrowed, paged and past the last page: on SQLite the summaries' table
            # is ranked from rows read beside each other and counted apart, not by windows.
            for asked in _ASKED_PAGES:
                page = suppliers.suppliers_page(engine, today, zone, policy, **asked)
                out += [repr(page.frame.to_dict("list")), repr(page.counts), repr(page.total)]
            for key in sorted(world.suppliers):
                out.append(repr(suppliers.supplier_detail(engine, key, today, zone, policy)))
        return out

    counted = figures()
    assert sum(x.startswith("SupplierDetail(") for x in counted) == 2 * len(world.suppliers)
    with engine.begin() as conn:
        summaries.rebuild(conn, {zone: policy.claim_window_days}, NOW)
    for got, expected in zip(figures(), counted, strict=True):
        assert got == expected


def test_the_suppliers_table_read_beside_equals_the_one_query(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """A caller whose connection only reads lets SQLite read the table's two groupings on two
    connections and count the tiers apart; any other caller (or PostgreSQL) gets the one
    query with window sums. Both give the same page, matches and counts."""
    with session_factory() as s:
        insert_world(s, build_world())
    policy = bundled_policy("v1")
    with engine.begin() as conn:
        summaries.rebuild(conn, {"UTC": policy.claim_window_days}, NOW)
    w = supplier_window(TODAY, "UTC", policy)
    asked: list[dict[str, Any]] = [
        {},
        {"search": "e", "sort": "headroom", "descending": False, "limit": 2, "offset": 2},
        {"show": "tiered", "limit": 2},
        {"limit": 2, "offset": 200},
    ]
    with engine.connect() as conn:
        for kwargs in asked:
            one_query = supplier_queries.supplier_table(conn, w, **kwargs)
            beside = supplier_queries.supplier_table(conn, w, **kwargs, reads_only=True)
            assert repr(beside) == repr(one_query), kwargs
        assert supplier_queries.supplier_table(conn, w)[1] == len(build_world().suppliers)


def _order_line(key: int, supplier: str, day: int, fate: str) -> str:
    placed = utc(2025, 3, day, 22)  # late evening UTC: the next day in Shanghai
    ship_by = (placed + timedelta(days=6)).date()
    shipped = placed + timedelta(days=3) if fate in ("shipped", "delivered") else None
    delivered = placed + timedelta(days=9) if fate == "delivered" else None
    cancelled = placed + timedelta(days=8) if fate == "cancelled" else None
    return (
        f"ORD-{key},{supplier},BUY-1,Buyer One,DE,Machinery,tt,USD,100.00,80.00,50.00,"
        f"{_stamp(placed)},{ship_by.isoformat()},{_stamp(shipped)},{_stamp(delivered)},"
        f"{_stamp(cancelled)},{fate}"
    )


def test_an_import_written_in_many_chunks_keeps_the_summaries_in_step(
    engine: Engine,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    counting: str,
) -> None:
    """The delta's temporary tables are filled chunk by chunk (what existing rows counted
    before, taken away before each chunk is written) and once more at the end: a file of new
    orders, then one that changes some of them (another supplier, another fate) among new
    ones, then a suppliers file that moves two suppliers' orders to another country and tier,
    each written three rows at a time."""
    import services.importing.service as service

    monkeypatch.setattr(service, "CHUNK_ROWS", 3)
    _suppliers(session_factory)
    with engine.begin() as conn:
        summaries.rebuild(conn, dict.fromkeys(ZONES_KEPT, 30), NOW)
    fates = ("placed", "shipped", "delivered", "cancelled")
    first = [_order_line(k, "SUP-A", 1 + k, fates[k % 4]) for k in range(8)]
    second = [_order_line(k, "SUP-B", 2 + k, fates[(k + 1) % 4]) for k in range(4, 12)]
    files = [
        ("orders", HEADER, first),
        ("orders", HEADER, second),
        ("suppliers", HEADERS["suppliers"], [
            "SUP-A,Supplier SUP-A,VN,Machinery,verified,1000.00,USD",
            "SUP-B,Supplier SUP-B,CN,Machinery,gold,1000.00,USD",
        ]),
    ]  # fmt: skip
    for entity, header, rows in files:
        result = import_file(
            session_factory,
            Actor.system("test"),
            entity,  # type: ignore[arg-type]
            io.BytesIO((header + "\n".join(rows) + "\n").encode()),
            file_name=f"{entity}.csv",
            now=NOW,
        )
        assert result.written, result.problems
        _in_step(engine)
    with engine.connect() as conn:  # the summaries count something: the check is not vacuous
        assert summaries.stored_rows(conn, "summary_supplier_days", "UTC")


def test_a_re_import_of_an_unchanged_file_counts_nothing(
    engine: Engine, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only rows an import changes are taken away and counted again: a marketplace sending the
    same orders again (most rows of a daily export) costs no summary work, and a file changing
    a few of them counts those few."""
    _suppliers(session_factory)
    with engine.begin() as conn:
        summaries.rebuild(conn, dict.fromkeys(ZONES_KEPT, 30), NOW)
    rows = [_order_line(k, "SUP-A", 1 + k, ("placed", "shipped")[k % 2]) for k in range(6)]
    changed = [*rows[:5], _order_line(5, "SUP-B", 3, "cancelled")]
    counted: list[tuple[int, list[str]]] = []
    real = summaries.Delta._count

    def spy(self: summaries.Delta, executor: Any, sign: int, entity: str, ids: Any) -> None:
        counted.append((sign, sorted(ids)))
        real(self, executor, sign, entity, ids)

    monkeypatch.setattr(summaries.Delta, "_count", spy)

    def imported(lines: list[str]) -> list[tuple[int, list[str]]]:
        counted.clear()
        result = import_file(
            session_factory,
            Actor.system("test"),
            "orders",
            io.BytesIO((HEADER + "\n".join(lines) + "\n").encode()),
            file_name="orders.csv",
            now=NOW,
        )
        assert result.written, result.problems
        _in_step(engine)
        return [(sign, ids) for sign, ids in counted if ids]

    every = [f"ORD-{k}" for k in range(6)]
    assert imported(rows) == [(1, every)]  # new orders: counted once written
    assert imported(rows) == []  # the same file again: nothing to count
    assert imported(changed) == [(-1, ["ORD-5"]), (1, ["ORD-5"])]  # one changed order


def test_a_rebuild_on_postgresql_writes_each_summary_in_key_order(postgres_url: str) -> None:
    """A day's rows for every supplier on neighbouring pages, not one page each: a figure
    reading two days besides its months read half a second of pages at ten million orders.
    The rows in their physical order (ctid) follow the key's order but for a few that filled
    the space left at the end of a page. (SQLite stores its summaries in key order whatever
    the order of writing: nothing to check there.)"""
    engine = make_engine(postgres_url)
    f.empty_database(engine)
    with Session(engine) as s:
        insert_world(s, build_world(orders=400))
        s.commit()
    with engine.begin() as conn:
        summaries.rebuild(conn, {"UTC": 30, "Asia/Shanghai": 30}, NOW)
        for name, (table, key, _) in summaries.TABLES.items():
            in_key_order = func.row_number().over(order_by=[table.c[k] for k in key])
            ranked = select(
                in_key_order.label("rank"), literal_column("ctid").label("at")
            ).subquery()
            ranks = list(conn.execute(select(ranked.c.rank).order_by(ranked.c.at)).scalars())
            out_of_order = sum(1 for a, b in itertools.pairwise(ranks) if a > b)
            assert len(ranks) > 20, name  # the years are fewest: two zones, a few years
            assert out_of_order <= len(ranks) // 50, (name, out_of_order, len(ranks))
    engine.dispose()


@pytest.mark.parametrize("zone", ZONES)
def test_the_supplier_days_a_row_per_event_sum_by_key_to_the_grouped_rows(
    engine: Engine, session_factory: sessionmaker[Session], zone: str
) -> None:
    """A delta counts the supplier days ungrouped (its apply sums them by key): summed by key,
    they are the grouped rows, of everything and of some orders (refunds, claims and all)."""
    world = build_world()
    with session_factory() as s:
        insert_world(s, world)
    some = sorted(world.orders)[::3]
    for orders in (None, some):
        grouped = summaries.aggregate("summary_supplier_days", zone, 30, orders=orders)
        events = summaries.aggregate("summary_supplier_days", zone, 30, orders=orders, by_key=False)
        assert grouped is not None and events is not None
        with engine.connect() as conn:
            expected = {tuple(r[:3]): tuple(r[3:]) for r in conn.execute(grouped)}
            summed: dict[tuple[Any, ...], list[int]] = {}
            rows = conn.execute(events).all()
        for row in rows:
            sums = summed.setdefault(tuple(row[:3]), [0] * (len(row) - 3))
            for i, value in enumerate(row[3:]):
                sums[i] += int(value)
        assert len(rows) > len(expected)  # keys do repeat: this is not the grouped query
        assert {k: tuple(v) for k, v in summed.items() if any(v)} == expected
