"""Import a CSV file of suppliers, orders or claims: check all of it, write all of it or nothing.

The file is read once, a chunk at a time: each chunk is checked (every problem collected, with
its line and column), then written in ONE transaction with the audit event while the file has
shown no problem. The first problem rolls the writing back, and the rest of the file is only
checked, so that every problem is reported and nothing is written. A failure anywhere (an
exception, a killed process, a dropped connection) leaves the database as it was. Memory stays
bounded by a chunk, plus one small entry per id to find duplicates.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO, cast

from sqlalchemy import Engine
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker

from data_access.bulk_checks import CheckFailed
from data_access.bulk_load import bulk_tuning
from data_access.engine import WRITE_OPTION, make_session_factory
from rules import Policy
from services import audit
from services.auth import Actor, Permission, authorize, require
from services.claims.recommendations import active_policy
from services.importing.fast_reading import ChunkReader, Declined
from services.importing.follow_up import SummaryStep, refresh_claims
from services.importing.formats import FORMATS, Entity
from services.importing.problems import Problem, Problems, printable
from services.importing.validate import CHECKERS, CHUNK_ROWS
from services.importing.write import ClaimWriter, SupplierWriter, Writer
from services.importing.write_orders import OrderWriter

#: Called with (work done, work in total) in rows, after each chunk is checked and written;
#: ``total`` is the file's lines less its header (at least its rows: a value may span lines).
Progress = Callable[[int, int], None]
Source = str | os.PathLike[str] | BinaryIO | IO[bytes]


@dataclass(frozen=True, slots=True)
class ImportResult:
    entity: Entity
    file_name: str
    #: Data rows in the file (blank lines not counted).
    rows: int
    #: Written (or, in a dry run, that would be written): new, changed, and already up to date.
    inserted: int
    updated: int
    unchanged: int
    #: The first problems (at most MAX_PROBLEMS_SHOWN), by line; ``problem_count`` has them all.
    problems: tuple[Problem, ...]
    dry_run: bool
    written: bool
    problem_count: int = 0
    #: Side effects worth telling: buyers created from order rows, limit changes recorded.
    notes: tuple[str, ...] = ()
    #: Ids of the claims this import created, for the recommendation hook.
    inserted_claim_ids: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def rows_read(self) -> str:
        """``1 supplier row``, ``30 order rows``: the file's size as the page and the CLI say it."""
        return f"{self.rows:,} {self.entity.removesuffix('s')} row{'' if self.rows == 1 else 's'}"


#: SQLite's page cache while an import writes (the seed's 256 MB buys an import nothing): into
#: a million orders, 100,000 new ones at 20,000 rows/s either way and a file of a million at
#: 28,700–28,900, with the process's peak 60 and 230 MB lower; into ten million, 100,000 at
#: 11,100–11,400 rows/s against 7,400–10,800, peak 390 MB against 560 (5 Dec 2026).
IMPORT_SQLITE_CACHE_KIB = 64 * 1024
#: PostgreSQL's planner cost of a random page read while an import writes (4 by default, for
#: spinning disks): the summaries' delta looks the imported orders up by their external ids,
#: and at 4 it read all ten million orders to find 100,000 (1.37 s a statement, five statements
#: an import) where their index took 0.15 s: 100,000 new orders into ten million 24.5–28.1 →
#: 18.2–19.9 s. At a million, where reading them all is the cheaper plan, it is still chosen
#: for new orders; 100,000 changed ones took 16.0–16.3 s instead of 24.4–24.5.
IMPORT_RANDOM_PAGE_COST = 1.1
log = logging.getLogger(__name__)
#: The writer of each kind of file.
WRITERS: dict[Entity, type[Writer]] = {
    "suppliers": SupplierWriter,
    "orders": OrderWriter,
    "claims": ClaimWriter,
}


class ImportFailed(Exception):
    """The database failed mid-import; the transaction rolled back whole.

    ``str()`` is one sentence safe to show anywhere; the database's own words (SQL, driver
    messages, the traceback) went to the log at debug level, never to a screen.
    """

    def __init__(self, file_name: str, cause: str) -> None:
        self.file_name = printable(file_name)
        #: What happened, in a few words: "the connection to the database was lost".
        self.cause = cause
        super().__init__(
            f"The database could not complete the import of {self.file_name} ({cause}), so "
            "nothing was written; try again, and if it keeps failing ask an administrator to "
            "look at the log."
        )


def _cause(error: SQLAlchemyError) -> str:
    # SQLSTATE class 40, "transaction rollback": PostgreSQL gave up one of two writers waiting
    # for each other (a deadlock) or for a snapshot (a serialization failure); a retry works.
    if str(getattr(getattr(error, "orig", None), "sqlstate", "") or "").startswith("40"):
        return "another change to the same rows was under way"
    if isinstance(error, OperationalError | DisconnectionError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return "the connection to the database was lost"
    return "the database reported an error"


def import_file(
    session_factory: sessionmaker[Session] | Engine,
    actor: Actor,
    entity: Entity,
    source: Source,
    *,
    file_name: str,
    now: datetime,
    dry_run: bool = False,
    progress: Progress | None = None,
    policy: Policy | None = None,
) -> ImportResult:
    """Check ``source`` (a path or a binary stream) and, unless ``dry_run``, write it at ``now``.

    Raises :class:`services.auth.NotAllowed` before reading anything if ``actor`` may not
    import (and again inside the writing transaction, where the account is re-read). Every
    problem with the file comes back in the result, never as an exception. ``policy`` (default:
    the active one) gives the order terms checked and the rules for recommendations.
    """
    require(actor, Permission.IMPORT_DATA)
    if policy is None:
        if isinstance(session_factory, Engine):
            policy = active_policy(session_factory)
        else:
            with session_factory() as session:
                policy = active_policy(session)
    try:
        return _import(
            session_factory, actor, entity, source, file_name, dry_run, progress, now, policy
        )
    except SQLAlchemyError as error:
        # Whatever the database refused midway, the transaction rolled back whole. The details
        # (SQL, the driver's message) are for whoever reads the log, not for the screen.
        log.debug("import of %r (%s) failed", file_name, entity, exc_info=True)
        raise ImportFailed(file_name, _cause(error)) from error


def _import(
    session_factory: sessionmaker[Session] | Engine,
    actor: Actor,
    entity: Entity,
    source: Source,
    file_name: str,
    dry_run: bool,
    progress: Progress | None,
    now: datetime,
    policy: Policy,
) -> ImportResult:
    if entity not in FORMATS:
        raise ValueError(f"unknown entity {entity!r}: choose one of {', '.join(FORMATS)}")
    factory = (
        make_session_factory(session_factory)
        if isinstance(session_factory, Engine)
        else session_factory
    )
    with _opened(source) as stream:
        at_most = _rows_at_most(stream)
        total = max(at_most, 1)
        told = 0

        def report(done: int) -> None:
            # Never backwards: a file the fast reader declines midway is read again from its
            # start by the scalar reader, and the bar waits until that reading passes it.
            nonlocal told
            if progress is not None and done > told:
                told = min(done, total)
                progress(told, total)

        job = _Job(factory, actor, entity, file_name, now, dry_run, policy, report)
        try:
            result = job.run(stream, at_most, fast=True)
        except Declined:
            # Whatever was written rolled back with its session; read it all the scalar way.
            stream.seek(0)
            result = job.run(stream, at_most, fast=False)
        report(total)
        return result


@dataclass(frozen=True, slots=True)
class _Job:
    """One reading of the file: each chunk is checked, then, while the file has no problem so
    far, written in the import's one transaction; the first problem rolls that back (no write
    lock is held while the rest is checked) and the file writes nothing. A file is read once,
    and a bad row late in a large file costs the writing done before it."""

    factory: sessionmaker[Session]
    actor: Actor
    entity: Entity
    file_name: str
    now: datetime
    dry_run: bool
    policy: Policy
    report: Callable[[int], None]

    def run(self, stream: BinaryIO, rows_at_most: int, *, fast: bool) -> ImportResult:
        """Raises :class:`Declined` when the fast reader cannot vouch for the file; the write
        transaction has rolled back then."""
        fmt, entity, dry_run = FORMATS[self.entity], self.entity, self.dry_run
        problems = Problems()
        reader = ChunkReader(stream, fmt, problems, fast=fast)
        with self.factory() as checking, self.factory() as session:
            # The checks read what is committed, as before any write: their session is not
            # the writer's, whose rows nobody else sees until the commit.
            authorize(checking, self.actor, Permission.IMPORT_DATA)
            checker = CHECKERS[entity](checking, problems, self.policy)
            # SQLite: hold the write lock from the start (see data_access.engine.write_session).
            session.connection(execution_options={WRITE_OPTION: not dry_run})
            actor = authorize(session, self.actor, Permission.IMPORT_DATA)
            # The daily summaries follow the rows the import changes, in its transaction.
            summary = SummaryStep(session, entity, self.now) if not dry_run else None
            writer = WRITERS[entity](
                session,
                actor,
                file_name=self.file_name,
                now=self.now,
                dry_run=dry_run,
                problems=problems,
                rows=rows_at_most,
                changing=None if summary is None else summary.before,
            )
            if summary is not None and writer.recounts_summaries:
                summary.count_again()
            writing = True
            chunks = reader.chunks(CHUNK_ROWS)
            try:
                with ExitStack() as tuning:
                    # SQLite: a page cache that holds the indexes being written (2 MB by
                    # default); with a million orders, 100,000 new rows otherwise cost a page
                    # miss per index per row. Put back however the block ends.
                    tuning.enter_context(
                        bulk_tuning(
                            session.connection(),
                            sqlite_cache_kib=IMPORT_SQLITE_CACHE_KIB,
                            random_page_cost=IMPORT_RANDOM_PAGE_COST,
                        )
                    )
                    for chunk in chunks:
                        checker.check(chunk)
                        if writing and problems:
                            # Nothing of this file will be written: let others write meanwhile.
                            writing = False
                            tuning.close()
                            session.rollback()
                            writer.tally.new_orders = None  # nothing to count: let them go
                        if writing:
                            writer.write(chunk)
                        self.report(reader.rows)
                    if writing and not problems:
                        writer.finish()
                        if summary is not None:
                            summary.after(writer.tally)
                        if entity in ("orders", "claims") and not dry_run:
                            refresh_claims(session, writer.tally, actor, self.policy, self.now)
            except (IntegrityError, DataError, CheckFailed) as error:
                session.rollback()
                writer.tally.new_orders = None
                log.debug("import of %r (%s) refused", self.file_name, entity, exc_info=True)
                # The driver's first line names the constraint or value; never the SQL. (A
                # check tested after a bulk insert names its constraint and table itself.)
                refusal = error if isinstance(error, CheckFailed) else error.orig
                said = str(refusal).strip().splitlines()[0][:300] if refusal else ""
                problems.add(
                    0, "", f"the database refused the file, so nothing was written ({said})"
                )
                for chunk in chunks:  # the rest is still checked, every problem reported
                    checker.check(chunk)
                    self.report(reader.rows)
            finally:
                # The parsing thread stopped and joined however this ends: a failure's traceback
                # keeps the reader alive, and a thread still parsing when the interpreter exits
                # aborts it (SIGABRT from Arrow's C++, after the error was printed).
                chunks.close()
            rows = reader.rows
            if problems:
                session.rollback()
                return ImportResult(
                    entity=entity,
                    file_name=self.file_name,
                    rows=rows,
                    inserted=0,
                    updated=0,
                    unchanged=0,
                    problems=problems.shown,
                    dry_run=dry_run,
                    written=False,
                    problem_count=problems.count,
                )
            tally = writer.tally
            result = ImportResult(
                entity=entity,
                file_name=self.file_name,
                rows=rows,
                inserted=tally.inserted,
                updated=tally.updated,
                unchanged=tally.unchanged,
                problems=(),
                dry_run=dry_run,
                written=not dry_run,
                notes=tuple(tally.notes),
                inserted_claim_ids=tuple(tally.inserted_claim_ids),
            )
            if dry_run:
                session.rollback()
            else:
                audit.record(
                    session,
                    actor,
                    "import",
                    "import",
                    entity,
                    after={
                        "file": self.file_name,
                        "entity": entity,
                        "rows": rows,
                        "inserted": tally.inserted,
                        "updated": tally.updated,
                        "unchanged": tally.unchanged,
                        "notes": list(tally.notes),
                    },
                    at=self.now,
                )
                session.commit()
            return result


def _rows_at_most(stream: BinaryIO) -> int:
    """The file's lines less its header: at least its data rows (a quoted value may span lines,
    a blank line counts none), for the orders writer's choice of a large load before the
    first row is read. A million orders' 170 MB are counted in a tenth of a second."""
    lines, ends_with_newline = 0, True
    while block := stream.read(16 << 20):
        lines += block.count(b"\n")
        ends_with_newline = block.endswith(b"\n")
    stream.seek(0)
    return max(lines + (0 if ends_with_newline else 1) - 1, 0)


@contextmanager
def _opened(source: Source) -> Iterator[BinaryIO]:
    """A seekable binary stream of ``source``, at its start; a one-way stream is spooled first."""
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as file:
            yield cast(BinaryIO, file)
        return
    stream = cast(BinaryIO, source)
    if stream.seekable():
        stream.seek(0)
        yield stream
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        yield cast(BinaryIO, spool)
