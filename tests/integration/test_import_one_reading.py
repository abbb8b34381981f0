"""An import reads its file once: each chunk is checked, then written while the file has shown
no problem; the first problem rolls the writing back and lets other writers in, the rest is only
checked. A file the fast reader declines midway is written again, whole, by the scalar reader.
Both databases; chunks made small so that a file of a few dozen rows spans many."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from data_access import bulk, summaries
from data_access.models import AuditEvent, Order
from services.importing import fast_reading
from services.importing import service as service_module
from services.importing import write_orders as write_orders_module
from services.importing.service import ImportFailed
from services.importing.validate import OrderChecker
from services.importing.write_orders import OrderWriter
from tests.factories import utc
from tests.integration.test_import import run, snapshot, write_orders, write_suppliers

ZONES = {"UTC": 30, "Asia/Shanghai": 30}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(service_module, "CHUNK_ROWS", 5)
    return 5


@pytest.fixture
def written_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every chunk the orders writer was handed, in order."""
    seen: list[int] = []
    original = OrderWriter.write

    def spy(self: OrderWriter, chunk: Any) -> None:
        seen.append(len(chunk))
        original(self, chunk)

    monkeypatch.setattr(OrderWriter, "write", spy)
    return seen


def _with_summaries(factory: sessionmaker[Session], tmp_path: Path) -> None:
    """Suppliers, a few orders and the summaries kept for two zones."""
    run(factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    assert run(factory, "orders", write_orders(tmp_path / "old.csv", 4, prefix="OLD")).written
    with factory.begin() as session:
        summaries.rebuild(session.connection(), ZONES, utc(2025, 6, 4))


def _summaries_exact(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        for zone in ZONES:
            for table in summaries.TABLES:
                stored = summaries.stored_rows(session, table, zone)
                assert stored == summaries.aggregated_rows(session, table, zone), (table, zone)


def _spoiled(path: Path, changes: dict[int, tuple[str, str]]) -> Path:
    """The file with, on each given line, one text replaced by another."""
    lines = path.read_text().splitlines(keepends=True)
    for line, (old, new) in changes.items():
        assert old in lines[line - 1]
        lines[line - 1] = lines[line - 1].replace(old, new)
    path.write_text("".join(lines))
    return path


def test_a_problem_after_written_chunks_writes_nothing_and_every_problem_is_named(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    small_chunks: int,
    written_chunks: list[int],
) -> None:
    _with_summaries(session_factory, tmp_path)
    written_chunks.clear()
    before = snapshot(session_factory.kw["bind"])
    path = _spoiled(
        write_orders(tmp_path / "new.csv", 30),
        {18: (",SUP-B001,", ",SUP-NOPE,"), 27: ("2024-01-01T00:25:00Z", "2024-01-01T25:00:00Z")},
    )
    result = run(session_factory, "orders", path)
    assert not result.written and result.rows == 30
    assert [(p.line, p.column) for p in result.problems] == [
        (18, "supplier_external_id"),
        (27, "placed_at"),
    ]
    # Lines 2–16 were written (three chunks) before line 18's chunk showed a problem.
    assert [size for size in written_chunks if size] == [5, 5, 5]
    assert snapshot(session_factory.kw["bind"]) == before


def test_the_write_lock_is_let_go_at_the_first_problem(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    small_chunks: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the rest of a refused file is checked, another writer writes at once, even a row
    the import had written (a short lock wait: SQLite's busy timeout, PostgreSQL's
    lock_timeout)."""
    _with_summaries(session_factory, tmp_path)
    path = _spoiled(write_orders(tmp_path / "new.csv", 30), {8: (",SUP-B001,", ",SUP-NOPE,")})
    original = OrderChecker.check
    meanwhile: list[int] = []

    def check_and_write_beside(self: OrderChecker, chunk: Any) -> None:
        original(self, chunk)
        if len(chunk) and int(chunk.lines[0]) == 22:  # three chunks after the problem
            with session_factory.begin() as other:
                if other.get_bind().dialect.name == "sqlite":
                    other.execute(text("PRAGMA busy_timeout = 200"))
                else:
                    other.execute(text("SET LOCAL lock_timeout = '200ms'"))
                # The buyer the import's first chunk wrote: PostgreSQL would wait on its key.
                other.execute(
                    text(
                        "INSERT INTO buyers (external_id, name, country) "
                        "VALUES ('BUY-B00004', 'Buyer 4 GmbH', 'DE')"
                    )
                )
                meanwhile.append(int(chunk.lines[0]))

    monkeypatch.setattr(OrderChecker, "check", check_and_write_beside)
    result = run(session_factory, "orders", path)
    assert not result.written and [p.line for p in result.problems] == [8]
    assert meanwhile == [22]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 4


def test_a_file_the_fast_reader_declines_midway_is_written_once_whole(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    small_chunks: int,
    written_chunks: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A blank line on line 25 (which the scalar reader skips, and the fast one declines): the
    chunks written before it roll back, and the scalar reader writes the file from its start,
    counted once, audited once, the summaries exact; the progress never goes back."""
    monkeypatch.setattr(fast_reading, "SEGMENT_BYTES", 1_000)  # about six rows a segment
    _with_summaries(session_factory, tmp_path)
    written_chunks.clear()
    path = write_orders(tmp_path / "new.csv", 30)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:24], "\n", *lines[24:]]))
    seen: list[tuple[int, int]] = []
    result = run(session_factory, "orders", path, progress=lambda d, t: seen.append((d, t)))
    assert result.written and (result.rows, result.inserted, result.problem_count) == (30, 30, 0)
    assert result.notes == ("buyers: 26 new, 0 updated",)  # four were the old orders'
    # The fast reader's chunks were written, then undone; then the scalar reader's 30 rows.
    sizes = [size for size in written_chunks if size]
    assert sum(sizes) > 30 and sizes[-6:] == [5, 5, 5, 5, 5, 5]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 34
        imports = select(func.count()).where(AuditEvent.action == "import")
        assert session.scalar(imports) == 3  # suppliers, the old orders, this file
    _summaries_exact(session_factory)
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1] == (31, 31)  # the file's lines less the header


def test_every_connection_goes_back_to_the_pool_with_its_own_page_cache(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    small_chunks: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite: the import's larger page cache is given back however its reading ends: written,
    stopped at a problem, or declined by the fast reader midway (read again the scalar way)."""
    engine = session_factory.kw["bind"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's settings end with the transaction")
    _with_summaries(session_factory, tmp_path)
    with engine.connect() as conn:
        own = conn.execute(text("PRAGMA cache_size")).scalar_one()
    returned: list[int] = []

    def on_checkin(dbapi_connection: Any, _record: Any) -> None:
        returned.append(dbapi_connection.execute("PRAGMA cache_size").fetchone()[0])

    event.listen(engine, "checkin", on_checkin)
    try:
        monkeypatch.setattr(fast_reading, "SEGMENT_BYTES", 1_000)
        clean = write_orders(tmp_path / "clean.csv", 12)
        spoiled = _spoiled(
            write_orders(tmp_path / "spoiled.csv", 12, prefix="SPOIL"),
            {9: (",SUP-B002,", ",SUP-NOPE,")},
        )
        blank = write_orders(tmp_path / "blank.csv", 30, prefix="BLANK")
        lines = blank.read_text().splitlines(keepends=True)
        blank.write_text("".join([*lines[:24], "\n", *lines[24:]]))
        assert run(session_factory, "orders", clean).written
        assert [p.line for p in run(session_factory, "orders", spoiled).problems] == [9]
        assert run(session_factory, "orders", blank).written
    finally:
        event.remove(engine, "checkin", on_checkin)
    assert returned and set(returned) == {own}


def test_a_chunk_the_database_refuses_writes_nothing_and_the_rest_is_still_checked(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    small_chunks: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database refuses the second chunk (a key it already holds, as a constraint the
    checks do not know would): one sentence for that, every problem of the rest of the file
    still named, the whole file counted, nothing written."""
    _with_summaries(session_factory, tmp_path)
    before = snapshot(session_factory.kw["bind"])
    original = OrderWriter.write

    def refused_second(self: OrderWriter, chunk: Any) -> None:
        if len(chunk) and int(chunk.lines[0]) == 7:
            taken = (
                "INSERT INTO buyers (external_id, name, country) VALUES ('BUY-B00000', 'x', 'DE')"
            )
            self.session.execute(text(taken))
        original(self, chunk)

    monkeypatch.setattr(OrderWriter, "write", refused_second)
    path = _spoiled(write_orders(tmp_path / "new.csv", 30), {25: (",SUP-B003,", ",SUP-NOPE,")})
    result = run(session_factory, "orders", path)
    assert not result.written and result.rows == 30
    assert [(p.line, p.column) for p in result.problems] == [(0, ""), (25, "supplier_external_id")]
    assert result.problems[0].message.startswith("the database refused the file")
    assert snapshot(session_factory.kw["bind"]) == before


def test_a_row_the_database_checks_refuse_after_the_file_checks_writes_nothing(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    small_chunks: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A covered amount above the order amount on line 8, as if the file's checks had let it
    through: the database's own CHECK refuses it (on SQLite tested once over each chunk's new
    rows after their insert), the import says which check in one sentence, the rest of the
    file is still checked, nothing is written, and the summaries stay exact."""
    _with_summaries(session_factory, tmp_path)
    before = snapshot(session_factory.kw["bind"])
    original = bulk.upsert_columns

    def slipped_through(connection: Any, table: Any, columns: dict[str, Any], **kw: Any) -> int:
        keys = list(columns["external_id"])
        if "ORD-B00000006" in keys:
            row = keys.index("ORD-B00000006")
            columns["covered_amount_cents"] = columns["covered_amount_cents"].copy()
            columns["covered_amount_cents"][row] = columns["order_amount_cents"][row] + 1
        return original(connection, table, columns, **kw)

    monkeypatch.setattr(write_orders_module, "upsert_columns", slipped_through)
    path = _spoiled(write_orders(tmp_path / "new.csv", 30), {25: (",SUP-B003,", ",SUP-NOPE,")})
    result = run(session_factory, "orders", path)
    assert not result.written and result.rows == 30
    assert [(p.line, p.column) for p in result.problems] == [(0, ""), (25, "supplier_external_id")]
    refusal = result.problems[0].message
    assert refusal.startswith("the database refused the file, so nothing was written")
    assert "covered_within_order_amount" in refusal
    assert snapshot(session_factory.kw["bind"]) == before
    _summaries_exact(session_factory)


def test_a_write_failing_midway_leaves_no_parsing_thread_behind(
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    small_chunks: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The connection lost on the third chunk: the import fails with one sentence, and the
    thread parsing ahead is stopped and joined before it does, though the failure's traceback
    still holds the reader (a thread left parsing when the interpreter exits aborts it: CI saw
    the CLI print its sentence, then die of SIGABRT)."""
    run(session_factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    path = write_orders(tmp_path / "orders.csv", 12 * small_chunks)
    written: list[int] = []
    original = OrderWriter.write

    def lost(self: OrderWriter, chunk: Any) -> None:
        if len(written) == 2:
            raise OperationalError("INSERT …", {}, Exception("server closed the connection"))
        original(self, chunk)
        written.append(len(chunk))

    monkeypatch.setattr(OrderWriter, "write", lost)

    with pytest.raises(ImportFailed, match="connection") as failed:
        run(session_factory, "orders", path)

    assert written == [small_chunks] * 2
    assert failed.traceback  # held, as a caller reporting the failure holds it
    assert [t.name for t in threading.enumerate() if t.name == "import-read-ahead"] == []
