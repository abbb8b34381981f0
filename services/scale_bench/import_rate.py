"""Import speed: a file of new orders for the seeded suppliers, imported through the service,
into the seeded database and, as a marketplace's first import, into a new one.

The file is what a marketplace sends: every column of docs/import-format.md, orders of the
last weeks in every state (placed, shipped, delivered, cancelled), one new buyer per twenty
orders. It is written before the clock starts; the import (the file read once, each chunk
checked and written, with its audit event) is what is timed.
"""

from __future__ import annotations

import csv
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from data_access.engine import make_engine, make_session_factory
from data_access.models import Supplier
from services.auth import Actor
from services.importing import import_file
from services.summaries import ensure_built

__all__ = ["ImportSpeed", "time_first_import", "time_orders_import", "write_orders_file"]

_HEADER = (
    *("external_id", "supplier_external_id", "buyer_external_id", "buyer_name", "buyer_country"),
    *("category", "payment_method", "currency", "order_amount", "covered_amount", "paid_amount"),
    *("placed_at", "ship_by", "shipped_at", "delivered_at", "cancelled_at", "status"),
)
_CATEGORIES = ("Machinery", "Textiles", "Electronics", "Hardware", "Auto Parts")
_COUNTRIES = ("DE", "US", "FR", "BR", "JP", "GB", "ES", "IT")


@dataclass(frozen=True, slots=True)
class ImportSpeed:
    rows: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.rows / self.seconds


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _past(moment: datetime, limit: datetime) -> datetime | None:
    return moment if moment < limit else None


def write_orders_file(path: Path, rows: int, suppliers: list[str], today: date, seed: int) -> None:
    """``rows`` new orders (ids ``ORD-BENCH-…``) placed in the 60 days before ``today``."""
    rng = random.Random(seed)
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(_HEADER)
        for i in range(rows):
            placed = midnight - timedelta(seconds=rng.randrange(1, 60 * 86_400))
            ship_by = placed.date() + timedelta(days=rng.randrange(5, 45))
            amount = rng.randrange(100_00, 50_000_00)
            covered = amount if rng.random() < 0.8 else amount // 2
            shipped = delivered = cancelled = None
            fate = rng.random()
            if fate < 0.05:
                cancelled = placed + timedelta(hours=rng.randrange(1, 72))
            elif fate < 0.85:
                # Only what has happened by the start of today: nothing arrives from the future.
                shipped = _past(placed + timedelta(hours=rng.randrange(24, 40 * 24)), midnight)
                if fate < 0.55 and shipped is not None:
                    transit = timedelta(hours=rng.randrange(24, 20 * 24))
                    delivered = _past(shipped + transit, midnight)
            states = [(cancelled, "cancelled"), (delivered, "delivered"), (shipped, "shipped")]
            status = next((name for moment, name in states if moment is not None), "placed")
            buyer = i // 20
            out.writerow(
                (
                    f"ORD-BENCH-{i:08d}",
                    suppliers[rng.randrange(len(suppliers))],
                    f"BUY-BENCH-{buyer:07d}",
                    f"Bench Buyer {buyer}",
                    _COUNTRIES[buyer % len(_COUNTRIES)],
                    _CATEGORIES[rng.randrange(len(_CATEGORIES))],
                    "tt",
                    "USD",
                    _money(amount),
                    _money(covered),
                    _money(amount if shipped else amount * 3 // 10),
                    _instant(placed),
                    ship_by.isoformat(),
                    "" if shipped is None else _instant(shipped),
                    "" if delivered is None else _instant(delivered),
                    "" if cancelled is None else _instant(cancelled),
                    status,
                )
            )


def time_orders_import(
    engine: Engine, directory: Path, rows: int, *, today: date, now: datetime, seed: int = 42
) -> ImportSpeed:
    """Write the file, then time ``import_file`` on it; refuses to report a failed import."""
    with engine.connect() as conn:
        suppliers = list(conn.execute(select(Supplier.external_id).order_by(Supplier.id)).scalars())
    if not suppliers:
        raise RuntimeError("the bench database has no suppliers to import orders for")
    path = directory / "bench-orders.csv"
    write_orders_file(path, rows, suppliers, today, seed)
    return _timed(engine, path, rows, now)


def time_first_import(
    seeded: Engine,
    new_database_url: str,
    directory: Path,
    rows: int,
    *,
    today: date,
    now: datetime,
    seed: int = 42,
) -> ImportSpeed:
    """A marketplace's first import into a new installation (``new_database_url``: migrated,
    empty): its summaries built as ``assurance db upgrade`` builds them, the seeded database's
    suppliers imported from a file (not timed), then ``rows`` new orders for them (timed)."""
    engine = make_engine(new_database_url)
    try:
        with engine.begin() as connection:
            ensure_built(connection, now)
        factory = make_session_factory(engine)
        suppliers = directory / "bench-first-suppliers.csv"
        keys = _write_suppliers_file(seeded, suppliers)
        result = import_file(
            factory,
            Actor.system("bench"),
            "suppliers",
            suppliers,
            file_name=suppliers.name,
            now=now,
        )
        if not result.written:
            problems = "; ".join(p.message for p in result.problems[:3])
            raise RuntimeError(f"the bench's suppliers file did not import: {problems}")
        path = directory / "bench-first-orders.csv"
        write_orders_file(path, rows, keys, today, seed)
        return _timed(engine, path, rows, now)
    finally:
        engine.dispose()


def _write_suppliers_file(seeded: Engine, path: Path) -> list[str]:
    """The seeded database's suppliers as a suppliers file; returns their keys."""
    s = Supplier
    columns = (s.external_id, s.name, s.country, s.main_category, s.tier, s.limit_cents)
    with seeded.connect() as conn:
        suppliers = conn.execute(select(*columns).order_by(s.id)).all()
    if not suppliers:
        raise RuntimeError("the bench database has no suppliers to import orders for")
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(
            ("external_id", "name", "country", "main_category", "tier", "limit", "currency")
        )
        for key, name, country, category, tier, limit in suppliers:
            out.writerow((key, name, country, category, tier, _money(limit), "USD"))
    return [supplier.external_id for supplier in suppliers]


def _timed(engine: Engine, path: Path, rows: int, now: datetime) -> ImportSpeed:
    """Time ``import_file`` of an orders file of ``rows`` new orders; refuses to report a
    failed import."""
    factory = make_session_factory(engine)
    started = time.perf_counter()
    result = import_file(
        factory, Actor.system("bench"), "orders", path, file_name=path.name, now=now
    )
    seconds = time.perf_counter() - started
    if not result.written or result.inserted != rows:
        problems = "; ".join(p.message for p in result.problems[:3])
        raise RuntimeError(f"the bench's orders file did not import: {problems}")
    return ImportSpeed(rows, seconds)
