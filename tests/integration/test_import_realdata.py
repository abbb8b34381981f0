"""The import on real data nobody here made: the Olist sample (DESIGN.md §8).

Import files are built from the Olist CSVs in ``tmp_path``:

* sellers → suppliers: country BR, tier ``standard``, a limit of 100,000, the seller's most
  frequent (English) product category as main category;
* orders → orders, with these rules:
  - supplier: the seller of the order's first item (163 of the 15,000 orders have several
    sellers); orders without items (115, all cancelled or unavailable) have no supplier and no
    ship-by date, so they are left out;
  - ship-by date: the UTC day of the latest ``order_items.shipping_limit_date`` of the order;
  - placed / shipped / delivered: ``order_purchase_timestamp`` / ``order_delivered_carrier_date``
    (hand-over to the carrier) / ``order_delivered_customer_date``;
  - Olist times have no offset (they are Brazilian local times); the files write them as UTC
    (``Z``) and the pandas side reads them the same way, so both count the same calendar days;
  - ``canceled`` and ``unavailable`` are cancelled, at the order's latest known time (Olist
    gives no cancellation time); otherwise the status follows the times;
  - amounts: items' price + freight as the order and covered amount, payments as the paid
    amount; Olist's BRL values are treated as USD, since only USD is accepted (the figure
    checked here counts orders, not money); ``boleto`` (a bank slip paid before shipping) maps
    to ``tt``, cards to ``card``, vouchers to ``other``;
  - buyer: ``customer_unique_id``, country BR.

The import refuses the rows whose times contradict each other (handed to the carrier before
the purchase; delivered before the hand-over); the test first proves it finds exactly those,
then imports the rest and compares the late-shipment rate the app computes in SQL with one
computed here with pandas straight from the CSVs, using DESIGN.md §5's definition.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session, sessionmaker

from data_access.queries.rates import DayWindow, late_shipment_counts
from services.auth import Actor
from services.importing import import_file
from tests.conftest import REALDATA_DIR

SYSTEM = Actor.system("realdata")
TODAY = date(2030, 1, 1)  # after all the data: every ship-by day is past
NOW = datetime(2030, 1, 1, 9, tzinfo=UTC)
ORDER_COLUMNS = [
    "external_id", "supplier_external_id", "buyer_external_id", "buyer_name", "buyer_country",
    "category", "payment_method", "currency", "order_amount", "covered_amount", "paid_amount",
    "placed_at", "ship_by", "shipped_at", "delivered_at", "cancelled_at", "status",
]  # fmt: skip
PAYMENT_METHODS = {"credit_card": "card", "debit_card": "card", "boleto": "tt"}
CANCELLED = {"canceled", "unavailable"}
TIMES = [
    "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date",
    "order_delivered_customer_date",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not REALDATA_DIR.is_dir(), reason=f"the Olist sample is not at {REALDATA_DIR}"
)


def _csv(name: str) -> list[dict[str, str]]:
    with (REALDATA_DIR / name).open(newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source))


def _utc(olist_time: str) -> str:
    return olist_time.replace(" ", "T") + "Z" if olist_time else ""


@dataclass(frozen=True)
class Files:
    suppliers: Path
    orders: Path
    #: Order ids whose times contradict each other, as found by plain string comparisons.
    contradictory: frozenset[str]


def build_files(directory: Path, *, leave_out: frozenset[str] = frozenset()) -> Files:
    """The import files, built with plain Python from the Olist CSVs."""
    categories = {r["product_category_name"]: r["product_category_name_english"]
                  for r in _csv("product_category_name_translation.csv")}  # fmt: skip
    product_category = {
        r["product_id"]: categories.get(r["product_category_name"], "unknown")
        for r in _csv("olist_products_dataset.csv")
    }
    customers = {
        r["customer_id"]: r["customer_unique_id"] for r in _csv("olist_customers_dataset.csv")
    }
    items: dict[str, list[dict[str, str]]] = {}
    for item in _csv("olist_order_items_dataset.csv"):
        items.setdefault(item["order_id"], []).append(item)
    payments: dict[str, list[dict[str, str]]] = {}
    for payment in _csv("olist_order_payments_dataset.csv"):
        payments.setdefault(payment["order_id"], []).append(payment)

    seller_categories: dict[str, Counter[str]] = {}
    for order_items in items.values():
        for item in order_items:
            seller_categories.setdefault(item["seller_id"], Counter())[
                product_category.get(item["product_id"], "unknown")
            ] += 1
    suppliers = directory / "suppliers.csv"
    with suppliers.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["external_id", "name", "country", "main_category", "tier", "limit", "currency"]
        )
        for seller in _csv("olist_sellers_dataset.csv"):
            counts = seller_categories.get(seller["seller_id"])
            main = counts.most_common(1)[0][0] if counts else "unknown"
            place = f"{seller['seller_city']}, {seller['seller_state']}"
            name = f"Olist seller {seller['seller_id'][:8]} ({place})"[:200]
            writer.writerow(
                [seller["seller_id"], name, "BR", main[:64], "standard", "100000.00", "USD"]
            )

    contradictory = set()
    orders = directory / "orders.csv"
    with orders.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ORDER_COLUMNS)
        for order in _csv("olist_orders_dataset.csv"):
            order_items = sorted(
                items.get(order["order_id"], []), key=lambda i: int(i["order_item_id"])
            )
            if not order_items:
                continue
            placed = order["order_purchase_timestamp"]
            carrier = order["order_delivered_carrier_date"]
            delivered = order["order_delivered_customer_date"]
            ship_by = max(i["shipping_limit_date"] for i in order_items)[:10]
            shipping_days = (date.fromisoformat(ship_by) - date.fromisoformat(placed[:10])).days
            if (
                (carrier and carrier < placed)
                or (delivered and (not carrier or delivered < carrier))
                or ship_by < placed[:10]
                # Beyond the programme's longest shipping time (90 days; two Olist orders
                # carry a shipping limit years after the purchase).
                or shipping_days > 90
            ):
                contradictory.add(order["order_id"])
            if order["order_id"] in leave_out:
                continue
            if order["order_status"] in CANCELLED:
                status = "cancelled"
                cancelled = max(order[k] for k in TIMES if order[k])
            else:
                status = "delivered" if delivered else "shipped" if carrier else "placed"
                cancelled = ""
            amount = sum(
                (Decimal(i["price"]) + Decimal(i["freight_value"]) for i in order_items), Decimal(0)
            )
            order_payments = sorted(
                payments.get(order["order_id"], []), key=lambda p: int(p["payment_sequential"])
            )
            paid = sum((Decimal(p["payment_value"]) for p in order_payments), Decimal(0))
            method = (
                PAYMENT_METHODS.get(order_payments[0]["payment_type"], "other")
                if order_payments
                else "other"
            )
            buyer = customers[order["customer_id"]]
            category = product_category.get(order_items[0]["product_id"], "unknown")[:64]
            writer.writerow([
                order["order_id"], order_items[0]["seller_id"],
                buyer, f"Olist customer {buyer[:8]}", "BR", category, method, "USD",
                f"{amount:.2f}", f"{amount:.2f}", f"{paid:.2f}",
                _utc(placed), ship_by, _utc(carrier), _utc(delivered), _utc(cancelled), status,
            ])  # fmt: skip
    return Files(suppliers, orders, frozenset(contradictory))


def late_shipment_with_pandas(leave_out: frozenset[str]) -> pd.DataFrame:
    """Due and late orders per ship-by month, from the Olist CSVs with pandas (DESIGN.md §5)."""
    orders = pd.read_csv(
        REALDATA_DIR / "olist_orders_dataset.csv",
        parse_dates=[
            "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date",
            "order_delivered_customer_date",
        ],
    )  # fmt: skip
    items = pd.read_csv(
        REALDATA_DIR / "olist_order_items_dataset.csv", parse_dates=["shipping_limit_date"]
    )
    ship_by = (
        items.groupby("order_id")["shipping_limit_date"].max().dt.normalize().rename("ship_by")
    )
    frame = orders.join(ship_by, on="order_id", how="inner")  # no items: not imported
    frame = frame[~frame["order_id"].isin(leave_out)]
    cancelled_day = (
        frame[TIMES].max(axis=1).dt.normalize().where(frame["order_status"].isin(CANCELLED))
    )
    today = pd.Timestamp(TODAY)
    # Due: ship-by day past, and not cancelled before it. Late: shipped on a later day, or never.
    due = frame[(frame["ship_by"] < today) & ~(cancelled_day < frame["ship_by"])]
    shipped_day = due["order_delivered_carrier_date"].dt.normalize()
    late = shipped_day.isna() | (shipped_day > due["ship_by"])
    result = pd.DataFrame(
        {"month": due["ship_by"].dt.strftime("%Y-%m"), "due": 1, "late": late.astype("int64")}
    )
    return result.groupby("month", as_index=False)[["due", "late"]].sum()


@pytest.fixture(scope="module")
def olist_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Files, Files]:
    """The files as built from Olist, and again without the contradictory orders."""
    files = build_files(tmp_path_factory.mktemp("olist"))
    clean = build_files(tmp_path_factory.mktemp("olist-clean"), leave_out=files.contradictory)
    return files, clean


def test_olist_import_and_late_shipment_rate(
    session_factory: sessionmaker[Session], olist_files: tuple[Files, Files]
) -> None:
    files, clean = olist_files
    suppliers = import_file(
        session_factory, SYSTEM, "suppliers", files.suppliers, file_name="sellers.csv", now=NOW
    )
    assert suppliers.ok and suppliers.inserted == 1_904

    # 1. The real data's contradictions are found, each on its line, and nothing is written.
    refused = import_file(
        session_factory, SYSTEM, "orders", files.orders, file_name="orders.csv", now=NOW
    )
    assert not refused.written and refused.inserted == 0
    ids = [row["external_id"] for row in csv.DictReader(files.orders.open(newline=""))]
    flagged = {ids[p.line - 2] for p in refused.problems}
    assert flagged == files.contradictory and len(flagged) == 35
    assert {p.column for p in refused.problems} == {"shipped_at", "delivered_at", "ship_by"}

    # 2. Without them, every order imports; a second import changes nothing.
    result = import_file(
        session_factory, SYSTEM, "orders", clean.orders, file_name="orders.csv", now=NOW
    )
    assert result.ok, result.problems[:5]
    assert result.inserted == 15_000 - 115 - 35
    again = import_file(
        session_factory, SYSTEM, "orders", clean.orders, file_name="orders.csv", now=NOW
    )
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, result.inserted)

    # 3. The app's late-shipment rate equals the one computed straight from the CSVs.
    engine = session_factory.kw["bind"]
    with engine.connect() as conn:
        window = DayWindow(date(2010, 1, 1), TODAY)
        app = late_shipment_counts(conn, window, TODAY, "UTC", ["period"])
    app["month"] = [f"{period:%Y-%m}" for period in app["period"]]
    expected = late_shipment_with_pandas(files.contradictory)  # built from the CSVs, not the files
    assert app["month"].tolist() == expected["month"].tolist()
    assert app["due"].tolist() == expected["due"].tolist()
    assert app["late"].tolist() == expected["late"].tolist()
    due, late = int(app["due"].sum()), int(app["late"].sum())
    assert (due, late) == (int(expected["due"].sum()), int(expected["late"].sum()))
    assert 0.03 < late / due < 0.3, (late, due)  # a real marketplace's rate, not 0 or 1
    print(f"\nOlist late-shipment rate: {late / due:.2%} ({late:,} of {due:,} orders due)")
