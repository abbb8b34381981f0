"""``assurance export decisions`` and the queue's download: one CSV row per decision.

Format (stable column names; see :data:`COLUMNS`), the conventions of ``assurance export
claims``: UTF-8, comma separated, ``\\r\\n`` line ends, quoted only where needed; money as
decimal text in major units (``1234.50``); instants ISO 8601 UTC with ``Z``; flags
``true``/``false``; a missing value is an empty cell. Rows are in the order decisions were stored.

* ``stage`` is ``first`` or ``second`` (the four-eyes approval); ``claim_status`` is the claim's
  status now, so a first decision of a claim still ``awaiting_second_approval`` is visible.
* ``recommendation_*`` is the recommendation the decision answered; ``follows_recommendation``
  is false when the verdict departed from it (``rules.departs_from``).
* ``note`` is the reviewer's own justification: an audit needs it. Like every text from people
  or imports (ids, names, emails), it is made inert for spreadsheets (a leading ``=``, ``+``,
  ``-``, ``@``, tab or carriage return gets an apostrophe; OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, Engine

from data_access.claim_facts import DEFAULT_CHUNK_SIZE
from data_access.queries.decisions_export import DecisionExportRow, decision_export_chunks
from rules import Action, Recommendation, departs_from
from services.claims_export import spreadsheet_safe

__all__ = ["COLUMNS", "decisions_csv", "export_decisions"]

COLUMNS = (
    "claim_external_id",
    "order_external_id",
    "supplier_external_id",
    "supplier_name",
    "kind",
    "claim_status",
    "stage",
    "verdict",
    "amount",
    "cap",
    "currency",
    "recommendation_action",
    "recommendation_amount",
    "policy_version",
    "follows_recommendation",
    "reviewer_email",
    "reviewer_name",
    "decided_at",
    "note",
)


def _money(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")[:-6] + "Z"


def _follows(row: DecisionExportRow) -> str:
    if row.recommendation_action is None or row.recommendation_amount_cents is None:
        return ""
    rec = Recommendation(
        Action(row.recommendation_action),
        row.recommendation_amount_cents,
        row.recommendation_cap_cents or 0,
        (),
        row.policy_version or "",
        False,
    )
    try:
        departs = departs_from(rec, row.verdict == "approve", row.amount_cents)
    except ValueError:  # e.g. an imported decision above the recommendation's cap
        return "false"
    return "false" if departs else "true"


def _cells(row: DecisionExportRow) -> list[str]:
    return [
        spreadsheet_safe(row.claim_external_id),
        spreadsheet_safe(row.order_external_id),
        spreadsheet_safe(row.supplier_external_id),
        spreadsheet_safe(row.supplier_name),
        row.kind,
        row.claim_status,
        row.stage,
        row.verdict,
        _money(row.amount_cents),
        _money(row.cap_cents),
        row.currency,
        row.recommendation_action or "",
        _money(row.recommendation_amount_cents),
        row.policy_version or "",
        _follows(row),
        spreadsheet_safe(row.reviewer_email),
        spreadsheet_safe(row.reviewer_name),
        _instant(row.decided_at),
        spreadsheet_safe(row.note),
    ]


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only connection; on PostgreSQL one snapshot, so every chunk sees the same data."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with conn.begin():
            yield conn


def _write(engine: Engine, stream: TextIO, chunk_size: int) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    written = 0
    with _snapshot(engine) as conn:
        for chunk in decision_export_chunks(conn, chunk_size):
            writer.writerows(_cells(row) for row in chunk)
            written += len(chunk)
    return written


def export_decisions(
    engine: Engine,
    out: Path | TextIO,
    *,
    bom: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Write every decision as CSV to ``out`` (a path, or an open text stream); rows written.

    A path is written to a ``.part`` file first and renamed when complete, so a failed export
    never leaves a truncated file that looks finished. ``bom`` applies to paths only.
    """
    if not isinstance(out, Path):
        return _write(engine, out, chunk_size)
    partial = out.with_name(out.name + ".part")
    try:
        with partial.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
            written = _write(engine, stream, chunk_size)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return written


def decisions_csv(engine: Engine) -> bytes:
    """The whole export in memory, UTF-8 with a byte-order mark (for a browser download)."""
    stream = io.StringIO()
    export_decisions(engine, stream)
    return ("\ufeff" + stream.getvalue()).encode("utf-8")
