"""CSV imports on SQLite and PostgreSQL: idempotent, atomic, audited, streamed, role-checked."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from data_access.bulk_load import indexes_built_after
from data_access.engine import make_engine, make_session_factory
from data_access.models import (
    AuditEvent,
    Base,
    Buyer,
    Claim,
    Order,
    Supplier,
    SupplierLimitChange,
)
from data_access.upsert import ids_by_key
from rules import Policy, bundled_policy
from services.auth import Actor, NotAllowed, Role
from services.importing import ENTITIES, Entity, ImportFailed, ImportResult, import_file
from services.importing import write as write_module
from services.importing import write_orders as write_orders_module
from services.importing.columnar import ColumnChunk
from services.importing.validate import CHUNK_ROWS
from tests import factories as f
from tests.factories import utc

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SYSTEM = Actor.system("test")
NOW = utc(2025, 6, 4, 10)
ORDER_HEADER = (
    "external_id,supplier_external_id,buyer_external_id,buyer_name,buyer_country,category,"
    "payment_method,currency,order_amount,covered_amount,paid_amount,placed_at,ship_by,"
    "shipped_at,delivered_at,cancelled_at,status\n"
)


def run(
    factory: sessionmaker[Session],
    entity: Entity,
    source: Path | bytes,
    *,
    actor: Actor = SYSTEM,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    now: datetime = NOW,
    policy: Policy | None = None,
) -> ImportResult:
    stream: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    name = "upload.csv" if isinstance(source, bytes) else source.name
    return import_file(
        factory,
        actor,
        entity,
        stream,
        file_name=name,
        now=now,
        dry_run=dry_run,
        progress=progress,
        policy=policy,
    )


def import_examples(factory: sessionmaker[Session], now: datetime = NOW) -> list[ImportResult]:
    return [run(factory, e, EXAMPLES / f"{e}.csv", now=now) for e in ENTITIES]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove a failed import left no trace."""
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def write_orders(path: Path, count: int, *, suppliers: int = 5, prefix: str = "ORD-B") -> Path:
    """A synthetic orders file: a third unshipped, every seventh shipped late."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", newline="") as out:
        out.write(ORDER_HEADER)
        for i in range(count):
            placed = start + timedelta(minutes=i)
            ship_by = (placed + timedelta(days=20)).date()
            if i % 3 == 0:
                tail = f"{ship_by},,,,placed"
            else:
                shipped = placed + timedelta(days=19 + 5 * (i % 7 == 0))
                tail = f"{ship_by},{shipped:%Y-%m-%dT%H:%M:%SZ},,,shipped"
            buyer = i % 997
            out.write(
                f"{prefix}{i:08d},SUP-B{i % suppliers:03d},BUY-B{buyer:05d},Buyer {buyer} GmbH,DE,"
                f"Machinery,tt,USD,{1000 + i % 89}.50,{1000 + i % 89}.50,100.00,"
                f"{placed:%Y-%m-%dT%H:%M:%SZ},{tail}\n"
            )
    return path


def write_suppliers(path: Path, count: int = 5) -> Path:
    rows = "".join(
        f"SUP-B{i:03d},Supplier {i},CN,Machinery,verified,90000,USD\n" for i in range(count)
    )
    path.write_text("external_id,name,country,main_category,tier,limit,currency\n" + rows)
    return path


# --- the examples, twice -----------------------------------------------------------------------


def test_examples_import_then_reimport_changes_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    first = import_examples(session_factory)
    assert [(r.rows, r.inserted, r.updated, r.unchanged) for r in first] == [
        (4, 4, 0, 0), (6, 6, 0, 0), (3, 3, 0, 0)
    ]  # fmt: skip
    assert all(r.ok and r.written and not r.dry_run for r in first)
    assert first[1].notes == ("buyers: 4 new, 0 updated",)
    engine = session_factory.kw["bind"]
    before = snapshot(engine)
    again = import_examples(session_factory)
    assert [(r.inserted, r.updated, r.unchanged) for r in again] == [
        (0, 0, 4),
        (0, 0, 6),
        (0, 0, 3),
    ]
    after = snapshot(engine)
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }
    assert len(after["audit_events"]) == 6


def test_values_are_stored_exactly(session_factory: sessionmaker[Session]) -> None:
    import_examples(session_factory)
    with session_factory() as s:
        cancelled = s.scalars(select(Order).where(Order.external_id == "ORD-EX-0005")).one()
        assert (cancelled.order_amount_cents, cancelled.paid_amount_cents) == (915050, 274515)
        assert cancelled.cancelled_at == utc(2025, 3, 22, 9) and cancelled.status == "cancelled"
        first = s.scalars(select(Order).where(Order.external_id == "ORD-EX-0001")).one()
        assert first.shipped_at == utc(2025, 3, 27, 22)  # 06:00 at +08:00
        assert first.ship_by == date(2025, 3, 31)
        lc = s.scalars(select(Order).where(Order.external_id == "ORD-EX-0004")).one()
        assert lc.placed_at == utc(2025, 2, 12, 21, 45)  # 16:45 at -05:00
        assert lc.covered_amount_cents == 50_000_00
        supplier = s.scalars(select(Supplier).where(Supplier.external_id == "SUP-EX-02")).one()
        assert (
            supplier.name == "Shenzhen Lumen Electronics Co., Ltd."
            and supplier.limit_cents == 120_000_00
        )
        claim = s.scalars(select(Claim).where(Claim.external_id == "CLM-EX-01")).one()
        assert claim.defect_rate_bp == 1850 and claim.conforming is False
        assert claim.inspection_report is True and claim.inspection_fee_cents == 35000
        assert claim.supplier_response == "disputed" and claim.status == "open"
        assert claim.order_id == first.id
        quiet = s.scalars(select(Claim).where(Claim.external_id == "CLM-EX-03")).one()
        assert quiet.defect_rate_bp is None and quiet.conforming is None
        assert quiet.supplier_response == "none" and quiet.status == "open"
        hansa = s.scalars(select(Buyer).where(Buyer.external_id == "BUY-EX-01")).one()
        assert (hansa.name, hansa.country) == ("Hansa Maschinen GmbH", "DE")


def test_a_changed_row_updates_its_record(session_factory: sessionmaker[Session]) -> None:
    import_examples(session_factory)
    content = (
        (EXAMPLES / "orders.csv")
        .read_text()
        .replace("2025-03-25,,,,placed", "2025-03-25,2025-03-24T10:00:00Z,,,shipped")
    )
    result = run(session_factory, "orders", content.encode())
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 5)
    with session_factory() as s:
        order = s.scalars(select(Order).where(Order.external_id == "ORD-EX-0003")).one()
        assert order.status == "shipped" and order.shipped_at == utc(2025, 3, 24, 10)


def test_buyers_are_created_and_updated_from_order_rows(
    session_factory: sessionmaker[Session],
) -> None:
    import_examples(session_factory)
    renamed = (EXAMPLES / "orders.csv").read_text().replace("Maison Lin SARL", "Maison Lin SAS")
    result = run(session_factory, "orders", renamed.encode())
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 6)
    assert result.notes == ("buyers: 0 new, 1 updated",)
    with session_factory() as s:
        buyer = s.scalars(select(Buyer).where(Buyer.external_id == "BUY-EX-04")).one()
        assert buyer.name == "Maison Lin SAS"


def test_a_changed_limit_enters_the_limit_history(session_factory: sessionmaker[Session]) -> None:
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    changed = (EXAMPLES / "suppliers.csv").read_text().replace("40000.00", "45000.50")
    changed = changed.replace("Hanoi Bamboo Crafts JSC", "Hanoi Bamboo Crafts")
    result = run(session_factory, "suppliers", changed.encode())
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 2)
    assert result.notes == ("1 supplier limit changed (recorded in the limit history)",)
    with session_factory() as s:
        (change,) = s.scalars(select(SupplierLimitChange)).all()
        supplier = s.get(Supplier, change.supplier_id)
        assert supplier is not None and supplier.external_id == "SUP-EX-03"
        assert (change.old_limit_cents, change.new_limit_cents) == (40_000_00, 45_000_50)
        assert change.reason == "Imported from upload.csv" and change.changed_by_id is None


def test_each_import_writes_one_audit_event(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        ops = f.user(s, "ops_manager")
        s.commit()
        actor = Actor(ops.id, ops.email, ops.display_name, Role.OPS_MANAGER)
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv", actor=actor)
    with session_factory() as s:
        (event,) = s.scalars(select(AuditEvent)).all()
    assert (event.actor_id, event.actor_label) == (ops.id, ops.email)
    assert (event.action, event.entity_type, event.entity_id) == ("import", "import", "suppliers")
    assert event.after == {
        "file": "suppliers.csv", "entity": "suppliers", "rows": 4, "inserted": 4,
        "updated": 0, "unchanged": 0, "notes": [],
    }  # fmt: skip


@pytest.mark.parametrize("role", [Role.EXEC, Role.CLAIM_REVIEWER, Role.ADMIN])
def test_roles_that_may_not_import(session_factory: sessionmaker[Session], role: Role) -> None:
    actor = Actor(None, "someone@example.test", "Someone", role)
    with pytest.raises(NotAllowed, match="may not import data"):
        # Refused before the file is even opened.
        run(session_factory, "suppliers", ROOT / "no-such-file.csv", actor=actor)


def test_dry_run_counts_and_writes_nothing(session_factory: sessionmaker[Session]) -> None:
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    engine = session_factory.kw["bind"]
    before = snapshot(engine)
    result = run(session_factory, "orders", EXAMPLES / "orders.csv", dry_run=True)
    assert (result.inserted, result.updated, result.unchanged) == (6, 0, 0)
    assert result.dry_run and not result.written and result.ok
    assert snapshot(engine) == before


# --- references and problems that need the database --------------------------------------------


def test_references_to_rows_already_in_the_database(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        f.supplier(s, external_id="SUP-EX-01")  # made in the app, not imported
        s.commit()
    rows = [r for r in (EXAMPLES / "orders.csv").read_text().splitlines() if "SUP-EX-01" in r]
    result = run(
        session_factory, "orders", ("\n".join([ORDER_HEADER.strip(), *rows]) + "\n").encode()
    )
    assert result.ok and result.inserted == 2


def test_a_buyer_described_two_ways_is_named_at_every_row_that_differs_across_chunks(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three rows a chunk: a buyer's first description holds for the rest of the file, and
    every later row describing it otherwise is named, in its chunk or a later one."""
    monkeypatch.setattr("services.importing.service.CHUNK_ROWS", 3)
    run(session_factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    lines = write_orders(tmp_path / "orders.csv", 12).read_text().splitlines()
    described = {  # data row: (buyer, name, country)
        1: ("BUY-X", "Xa", "DE"), 4: ("BUY-X", "Xb", "DE"), 5: ("BUY-X", "Xa", "DE"),
        7: ("BUY-X", "Xb", "DE"), 2: ("BUY-Z", "Za", "DE"), 3: ("BUY-Z", "Za", "FR"),
        9: ("BUY-Y", "Ya", "DE"), 10: ("BUY-Y", "Yb", "DE"), 11: ("BUY-Y", "Yb", "DE"),
    }  # fmt: skip
    for row, description in described.items():
        cells = lines[row + 1].split(",")
        cells[2:5] = description
        lines[row + 1] = ",".join(cells)
    result = run(session_factory, "orders", ("\n".join(lines) + "\n").encode())
    assert not result.written
    assert [(p.line, p.column, p.message.split("; ")[0]) for p in result.problems] == [
        (5, "buyer_country", "buyer 'BUY-Z' is described differently on line 4"),
        (6, "buyer_name", "buyer 'BUY-X' is described differently on line 3"),
        (9, "buyer_name", "buyer 'BUY-X' is described differently on line 3"),
        (12, "buyer_name", "buyer 'BUY-Y' is described differently on line 11"),
        (13, "buyer_name", "buyer 'BUY-Y' is described differently on line 11"),
    ]


def test_problems_that_need_the_database_write_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    engine = session_factory.kw["bind"]
    before = snapshot(engine)
    lines = (EXAMPLES / "orders.csv").read_text().splitlines()
    lines[2] = lines[2].replace("SUP-EX-01", "SUP-NOPE")
    lines[6] = lines[6].replace("Great Lakes Lighting Inc.", "Great Lakes Lighting")
    result = run(session_factory, "orders", ("\n".join(lines) + "\n").encode())
    assert not result.written and result.inserted == 0
    assert [(p.line, p.column) for p in result.problems] == [
        (3, "supplier_external_id"), (7, "buyer_name")
    ]  # fmt: skip
    assert "unknown supplier 'SUP-NOPE'" in result.problems[0].message
    assert "described differently on line 5" in result.problems[1].message
    claims = (EXAMPLES / "claims.csv").read_bytes()
    result = run(session_factory, "claims", claims)
    assert {p.column for p in result.problems} == {"order_external_id"}
    assert snapshot(engine) == before


def test_a_supplier_gone_between_the_check_and_the_write_is_named_and_nothing_written(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks read what is committed; the writer looks the suppliers up again in its own
    transaction. A supplier missing there (deleted meanwhile) refuses the file at each of its
    rows, not at the first only and not at its other suppliers' rows."""
    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    engine = session_factory.kw["bind"]
    before = snapshot(engine)

    def without_sup_ex_01(session: Session, table: Any, *args: Any) -> dict[str, int]:
        ids = ids_by_key(session, table, *args)
        return (
            {k: v for k, v in ids.items() if k != "SUP-EX-01"} if table.name == "suppliers" else ids
        )

    monkeypatch.setattr(write_orders_module, "ids_by_key", without_sup_ex_01)
    result = run(session_factory, "orders", EXAMPLES / "orders.csv")
    lines = (EXAMPLES / "orders.csv").read_text().splitlines()
    of_sup_ex_01 = [n for n, line in enumerate(lines, 1) if ",SUP-EX-01," in line]
    assert len(of_sup_ex_01) >= 2 and len(of_sup_ex_01) < len(lines) - 1
    assert not result.written and result.inserted == 0
    assert [(p.line, p.column, p.message) for p in result.problems] == [
        (line, "supplier_external_id", "the supplier no longer exists") for line in of_sup_ex_01
    ]
    assert snapshot(engine) == before


def test_claims_status_belongs_to_the_review_workflow(
    session_factory: sessionmaker[Session],
) -> None:
    results = import_examples(session_factory)
    with session_factory() as s:
        ids = dict(s.execute(select(Claim.external_id, Claim.id)).tuples().all())
        assert sorted(results[2].inserted_claim_ids) == sorted(ids.values())
        s.get_one(Claim, ids["CLM-EX-01"]).status = "in_review"
        s.get_one(Claim, ids["CLM-EX-02"]).status = "approved"
        s.commit()
    changed = (EXAMPLES / "claims.csv").read_text().replace("SGS report", "SGS report (v2)")
    result = run(session_factory, "claims", changed.encode())
    assert result.updated == 1 and result.inserted_claim_ids == ()
    with session_factory() as s:
        claim = s.get_one(Claim, ids["CLM-EX-01"])
        assert claim.status == "in_review" and "(v2)" in claim.description
    decided = changed.replace("Shipped five days", "Shipped six days")
    result = run(session_factory, "claims", decided.encode())
    assert [(p.line, p.column) for p in result.problems] == [(3, "external_id")]
    assert "already decided (approved)" in result.problems[0].message


def test_a_one_way_stream_is_spooled(session_factory: sessionmaker[Session]) -> None:
    class OneWay(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self._inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    stream = io.BufferedReader(OneWay((EXAMPLES / "suppliers.csv").read_bytes()))
    assert not stream.seekable()
    result = import_file(
        session_factory, SYSTEM, "suppliers", stream, file_name="pipe.csv", now=NOW
    )
    assert result.inserted == 4


# --- atomicity: a failure midway leaves the database as it was ---------------------------------


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("services.importing.service.CHUNK_ROWS", 10)
    return 10


def _fail_after(
    monkeypatch: pytest.MonkeyPatch, chunks: int, fail: Callable[[Session], None]
) -> list[int]:
    """Make the writer run ``fail`` once ``chunks`` chunks were written (flushed, uncommitted)."""
    original = write_module.Writer.write
    written: list[int] = []

    def write(self: write_module.Writer, chunk: ColumnChunk) -> None:
        if len(written) == chunks:
            fail(self.session)
        original(self, chunk)
        written.append(len(chunk))

    monkeypatch.setattr(write_module.Writer, "write", write)
    return written


def _prepared(factory: sessionmaker[Session], tmp_path: Path) -> Path:
    """The examples imported, and a 60-row file that updates one of them and adds the rest."""
    import_examples(factory)
    run(factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    path = write_orders(tmp_path / "orders.csv", 59)
    changed = (
        (EXAMPLES / "orders.csv")
        .read_text()
        .splitlines()[3]
        .replace("2025-03-25,,,,placed", "2025-03-25,2025-03-24T10:00:00Z,,,shipped")
    )
    with path.open("a") as out:
        out.write(changed + "\n")
    return path


@pytest.mark.usefixtures("small_chunks")
def test_an_error_midway_leaves_the_database_as_before(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _prepared(session_factory, tmp_path)
    engine = session_factory.kw["bind"]
    before = snapshot(engine)

    def boom(_session: Session) -> None:
        raise RuntimeError("simulated crash")

    written = _fail_after(monkeypatch, 3, boom)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run(session_factory, "orders", path)
    assert written == [10, 10, 10]
    assert snapshot(engine) == before


@pytest.mark.usefixtures("small_chunks")
def test_a_dropped_connection_midway_leaves_the_database_as_before(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    path = _prepared(factory, tmp_path)
    before = snapshot(engine)
    admin = make_engine(database_url)

    def drop(session: Session) -> None:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            connection.connection.dbapi_connection.close()  # type: ignore[union-attr]

    written = _fail_after(monkeypatch, 2, drop)
    with pytest.raises(ImportFailed, match="nothing was written") as failure:
        run(factory, "orders", path)
    assert isinstance(failure.value.__cause__, DBAPIError)  # the real cause is kept for the log
    assert written == [10, 10]
    engine.dispose()
    fresh = make_engine(database_url)
    assert snapshot(fresh) == before
    fresh.dispose()
    admin.dispose()


_CHILD = """
import sys, time
import services.importing.write as w
original = w.Writer.write
done = []
def write(self, chunk):
    original(self, chunk)
    done.append(1)
    if len(done) == 2:
        print("\\nFLUSHED", flush=True)
        time.sleep(300)
w.Writer.write = write
import cli
sys.argv = ["assurance", "import", "orders", sys.argv[1]]
cli.app()
"""


def test_a_killed_process_midway_leaves_the_database_as_before(
    database_url: str, tmp_path: Path
) -> None:
    """`assurance import orders` is SIGKILLed after two chunks of 10,000 rows were written."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    run(factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    path = write_orders(tmp_path / "orders.csv", 30_000)
    before = snapshot(engine)
    env = {**os.environ, "ASSURANCE_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    watchdog = threading.Timer(120, child.kill)
    watchdog.start()
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if "FLUSHED" in line:
                break
        else:
            errors = child.stderr.read() if child.stderr else ""
            pytest.fail(f"the import ended before it was killed: {errors}")
        if engine.dialect.name == "postgresql":
            # Proof the kill lands mid-transaction: the child holds uncommitted writes to orders.
            with engine.connect() as conn:
                holding = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE relation = 'orders'::regclass "
                        "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()"
                    )
                ).scalar()
            assert holding
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        watchdog.cancel()
        child.kill()
        if child.stdout:
            child.stdout.close()
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    engine.dispose()
    fresh = make_engine(database_url)
    assert snapshot(fresh) == before
    fresh.dispose()


# --- big files ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_large_file_streams_with_progress(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """100,000 orders: counted exactly, progress reported to the end; rows/s printed."""
    run(session_factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    path = write_orders(tmp_path / "orders.csv", 100_000)
    seen: list[tuple[int, int]] = []
    started = time.perf_counter()
    result = run(session_factory, "orders", path, progress=lambda d, t: seen.append((d, t)))
    elapsed = time.perf_counter() - started
    dialect = session_factory.kw["bind"].dialect.name
    print(f"\n100,000 orders on {dialect}: {100_000 / elapsed:,.0f} rows/s")
    assert (result.rows, result.inserted, result.problem_count) == (100_000, 100_000, 0)
    assert result.notes == ("buyers: 997 new, 0 updated",)
    # In rows, a chunk at a time (each checked, then written), out of the file's lines less
    # its header.
    assert all(t == 100_000 for _, t in seen)
    assert [d for d, _ in seen] == [*range(CHUNK_ROWS, 100_001, CHUNK_ROWS)]
    with session_factory() as s:
        late = s.scalar(select(Order.id).where(Order.external_id == "ORD-B00000007"))
        assert late is not None


# --- the page ------------------------------------------------------------------------------------


def test_the_import_page(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ops manager uploads a file, sees the counts; a bad file gives a downloadable table."""
    from tests.ui.conftest import open_app

    engine = make_engine(database_url)
    with Session(engine) as s:
        f.user(s, "ops_manager", email="ops@example.test")
        s.commit()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    at = open_app("ops@example.test", "pages/import_data.py")
    assert [t.value for t in at.title] == ["Import data"]
    at.button_group[0].set_value("suppliers").run()
    at.file_uploader[0].upload(
        "suppliers.csv", (EXAMPLES / "suppliers.csv").read_bytes(), "text/csv"
    )
    at.run()
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Imported 4 supplier rows" in at.success[0].value
    assert {m.label: m.value for m in at.metric} == {
        "Rows": "4", "New": "4", "Updated": "0", "Unchanged": "0"
    }  # fmt: skip
    bad = (EXAMPLES / "suppliers.csv").read_bytes().replace(b"gold", b"platinum")
    at.file_uploader[0].upload("bad suppliers.csv", bad, "text/csv").run()
    at.button[0].click().run()
    assert "1 problem in 4 supplier rows from bad suppliers.csv" in at.error[0].value.replace(
        "\\", ""
    )
    table = at.dataframe[-1].value  # the first is the format table
    assert table.to_dict("records") == [
        {
            "Line": 2,
            "Column": "tier",
            "Problem": "'platinum' is not one of gold, verified, standard, new",
        }
    ]
    assert at.get("download_button")
    # Another kind of file chosen: the result of the last file is not shown beside it.
    at.button_group[0].set_value("orders").run()
    assert not at.error and not at.metric
    # Clicking the selected kind again keeps it (the browser is told the choice is required):
    # it cleared the choice and hid the uploader.
    assert at.button_group[0].proto.required
    assert at.button_group[0].value == "orders" and at.file_uploader
    # A suppliers file offered as claims is refused at its header: no "in 0 claim rows".
    at.button_group[0].set_value("claims").run()
    at.file_uploader[0].upload("suppliers again.csv", bad, "text/csv").run()
    at.button[0].click().run()
    refusal = at.error[0].value.replace("\\", "")
    assert " in suppliers again.csv: nothing was written" in refusal, refusal
    assert "0 claim rows" not in refusal
    engine.dispose()
    # The app opened on the overview, cached by URL (one URL per worker on PostgreSQL).
    import streamlit as st

    st.cache_data.clear()


# --- recommendations follow the data ----------------------------------------------------------


def test_imported_claims_get_recommendations_that_follow_later_order_data(
    session_factory: sessionmaker[Session],
) -> None:
    from data_access.models import Recommendation

    import_examples(session_factory)
    with session_factory() as s:
        claim = s.scalars(select(Claim).where(Claim.external_id == "CLM-EX-03")).one()
        recs = s.scalars(select(Recommendation).where(Recommendation.claim_id == claim.id)).all()
        assert len(recs) == 1 and recs[0].policy_version == "v1"
        assert recs[0].action == "approve_full"  # never shipped, long past its ship-by date
        assert claim.due_at is not None and claim.due_label  # the queue can sort it
        every_claim = s.scalars(select(Claim.id)).all()
        with_recs = set(s.scalars(select(Recommendation.claim_id)).all())
        assert set(every_claim) == with_recs
    # The ship date arrives in a later orders file: shipped 5 days after its ship-by date.
    rows = (EXAMPLES / "orders.csv").read_text().splitlines()
    changed = [
        row.replace("2025-03-25,,,,placed", "2025-03-25,2025-03-30T10:00:00Z,,,shipped")
        for row in rows
    ]
    assert changed != rows
    result = run(session_factory, "orders", ("\n".join(changed) + "\n").encode())
    assert result.ok and result.updated == 1
    with session_factory() as s:
        recs = s.scalars(
            select(Recommendation)
            .where(Recommendation.claim_id == claim.id)
            .order_by(Recommendation.id)
        ).all()
    assert [r.action for r in recs] == ["approve_full", "approve_partial"]
    assert recs[1].amount_cents == 100_00  # 5 days x 1% of the USD 2,000.00 covered


def test_an_unrelated_import_changes_no_claims_recommendation(
    session_factory: sessionmaker[Session],
) -> None:
    """Issue 9 (3): only claims whose own row or order an import changes are re-evaluated; the
    clock-driven changes of the others are the daily recompute's business (and lapse pending
    proposals only then, when they truly moved)."""
    from data_access.models import Recommendation
    from services.claims.recommendations import recommend_claims

    import_examples(session_factory, now=utc(2025, 4, 30, 9))
    with session_factory.begin() as s:
        # Filed early: on 2025-04-30 its order (ship-by 2025-05-10) is not late yet -> reject;
        # by 2025-05-20 it is, and the daily recompute would say so.
        order = f.order(s, f.supplier(s), f.buyer(s), ship_by=date(2025, 5, 10))
        early = f.claim(s, order, filed_at=utc(2025, 4, 29, 9))
        recommend_claims(s, [early.id], bundled_policy("v1"), now=utc(2025, 4, 30, 9), actor=SYSTEM)
        before = s.execute(select(Recommendation.claim_id, Recommendation.id)).all()
    # Weeks later, an orders file about another order entirely (its ship date arriving).
    rows = (EXAMPLES / "orders.csv").read_text().splitlines()
    changed = [
        row.replace("2025-04-20,2025-04-19T23:00:00Z,,,shipped",
                    "2025-04-20,2025-04-19T23:00:00Z,2025-05-02T10:00:00Z,,delivered")
        for row in rows
    ]  # fmt: skip
    assert changed != rows
    result = run(
        session_factory, "orders", ("\n".join(changed) + "\n").encode(), now=utc(2025, 5, 20, 9)
    )
    assert result.ok and result.updated == 1
    with session_factory() as s:
        after = s.execute(select(Recommendation.claim_id, Recommendation.id)).all()
    assert sorted(after) == sorted(before)
    # The early claim's outcome did move with the calendar: the daily run records it.
    from services.claims.recommendations import recompute_recommendations

    daily = recompute_recommendations(
        session_factory, SYSTEM, bundled_policy("v1"), now=utc(2025, 5, 20, 9)
    )
    assert daily.changed == 1


def test_a_reimport_may_not_leave_refunds_above_what_the_order_can_refund(
    session_factory: sessionmaker[Session],
) -> None:
    """Issue 9 (4): USD 480.00 approved on ORD-EX-0002 (paid 1,440.00); a re-import lowering
    the paid amount to 100.00 is refused, naming the line and column; 480.00 is accepted."""
    from services.claims.decide import decide_claim

    import_examples(session_factory)
    with session_factory.begin() as s:
        user = f.user(s, "claim_reviewer", display_name="Rita")
        rita = Actor(user.id, user.email, "Rita", Role.CLAIM_REVIEWER)
        claim_id = s.scalars(select(Claim.id).where(Claim.external_id == "CLM-EX-02")).one()
    outcome = decide_claim(
        session_factory, rita, claim_id, approve=True, amount_cents=None, note="",
        policy=bundled_policy("v1"), now=NOW,
    )  # fmt: skip
    assert (outcome.status, outcome.amount_cents) == ("approved", 480_00)
    text_ = (EXAMPLES / "orders.csv").read_text()
    lowered = text_.replace("USD,4800.00,4800.00,1440.00,", "USD,4800.00,4800.00,100.00,")
    assert lowered != text_
    for dry_run in (True, False):
        result = run(session_factory, "orders", lowered.encode(), dry_run=dry_run)
        assert not result.ok and not result.written
        (problem,) = result.problems
        assert (problem.line, problem.column) == (3, "paid_amount")
        assert "USD 480.00 has already been approved as refunds on order ORD-EX-0002" in (
            problem.message
        )
    with session_factory() as s:
        paid = s.scalars(select(Order.paid_amount_cents).where(Order.external_id == "ORD-EX-0002"))
        assert paid.one() == 1_440_00
    covered = text_.replace("USD,4800.00,4800.00,1440.00,", "USD,4800.00,479.99,1440.00,")
    result = run(session_factory, "orders", covered.encode())
    assert [(p.line, p.column) for p in result.problems] == [(3, "covered_amount")]
    exact = text_.replace("USD,4800.00,4800.00,1440.00,", "USD,4800.00,4800.00,480.00,")
    assert run(session_factory, "orders", exact.encode()).updated == 1


@pytest.mark.parametrize(("longest", "accepted"), [(90, False), (91, True)])
def test_the_longest_shipping_time_is_the_policys(
    session_factory: sessionmaker[Session], longest: int, accepted: bool
) -> None:
    """DESIGN.md §2: shipping time with every extension never exceeds 90 days (a policy
    parameter: ``max_shipping_days``). Placed 2025-03-01 with ship-by 91 days later."""
    import dataclasses

    run(session_factory, "suppliers", EXAMPLES / "suppliers.csv")
    row = (
        "ORD-LONG,SUP-EX-01,BUY-L,Long Wait Ltd,GB,Hardware,tt,USD,100.00,100.00,100.00,"
        "2025-03-01T09:00:00Z,2025-05-31,,,,placed\n"
    )
    policy = dataclasses.replace(bundled_policy("v1"), max_shipping_days=longest)
    result = run(session_factory, "orders", (ORDER_HEADER + row).encode(), policy=policy)
    assert result.ok is accepted
    if not accepted:
        (problem,) = result.problems
        assert (problem.line, problem.column) == (2, "ship_by")
        assert "91 days after the order was placed" in problem.message
        assert "at most 90 days" in problem.message


def test_a_claim_decided_while_the_file_is_imported_is_not_changed(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer decides between a chunk's check and its write: the import refuses, writes
    nothing. (PostgreSQL: on SQLite the import holds the write lock from its first chunk, so no
    decision can come between.)"""
    from services.importing.validate import ClaimChecker

    if session_factory.kw["bind"].dialect.name == "sqlite":
        pytest.skip("SQLite: the import holds the write lock, no decision can come meanwhile")
    import_examples(session_factory)
    original = ClaimChecker.check

    def check_then_a_reviewer_decides(self: ClaimChecker, chunk: Any) -> None:
        original(self, chunk)
        with session_factory.begin() as s:
            s.execute(text("UPDATE claims SET status = 'approved' WHERE external_id = 'CLM-EX-02'"))

    monkeypatch.setattr(ClaimChecker, "check", check_then_a_reviewer_decides)
    changed = (
        (EXAMPLES / "claims.csv")
        .read_text()
        .replace(
            "CLM-EX-02,ORD-EX-0002,late_shipment,2025-04-10T12:00:00Z,480.00",
            "CLM-EX-02,ORD-EX-0002,late_shipment,2025-04-10T12:00:00Z,999.00",
        )
    )
    result = run(session_factory, "claims", changed.encode())
    assert not result.written
    assert "was decided (approved) while the file was imported" in result.problems[0].message
    with session_factory() as s:
        claim = s.scalars(select(Claim).where(Claim.external_id == "CLM-EX-02")).one()
        assert claim.claimed_amount_cents == 480_00


@pytest.mark.parametrize(
    ("held", "on_sqlite", "on_postgresql"),
    [(0, True, True), (1, True, False), (6, True, False), (7, False, False)],
)
def test_a_load_as_large_as_the_orders_table_builds_its_indexes_once_after(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    held: int,
    on_sqlite: bool,
    on_postgresql: bool,
) -> None:
    """A file of at least ``BULK_ROWS`` orders is written with the orders' indexes dropped and
    built after: on SQLite when the table holds at most as many orders as the file (counted
    only as far as the file's size), on PostgreSQL when it holds at most a tenth of them (the
    table is taken for the import then). Six new orders, ``BULK_ROWS`` lowered to five; every
    order is there after, indexed as before."""
    run(session_factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    if held:
        run(session_factory, "orders", write_orders(tmp_path / "held.csv", held, prefix="OLD"))
    monkeypatch.setattr(write_orders_module, "BULK_ROWS", 5)
    loads: list[list[str]] = []

    def spy(connection: Any, tables: Any) -> Any:
        loads.append([table.name for table in tables])
        return indexes_built_after(connection, tables)

    monkeypatch.setattr(write_orders_module, "indexes_built_after", spy)
    result = run(session_factory, "orders", write_orders(tmp_path / "new.csv", 6))
    assert result.written and result.inserted == 6, result.problems
    with session_factory() as s:
        dialect = s.get_bind().dialect.name
        assert s.scalar(select(func.count()).select_from(Order)) == held + 6
        indexes = {index.name for index in Base.metadata.tables["orders"].indexes}
        stored = s.execute(
            text("SELECT name FROM sqlite_master WHERE tbl_name = 'orders' AND type = 'index'")
            if dialect == "sqlite"
            else text("SELECT indexname FROM pg_indexes WHERE tablename = 'orders'")
        ).scalars()
        assert indexes <= set(stored)
    rebuilds_indexes = on_sqlite if dialect == "sqlite" else on_postgresql
    assert loads == ([["orders"]] if rebuilds_indexes else [])
