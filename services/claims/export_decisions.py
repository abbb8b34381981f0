"""``assurance export decisions`` and the queue's download: one CSV row per decision.

Format (stable column names; see :data:`COLUMNS`), the conventions of ``assurance export
claims``: UTF-8, comma separated, ``\\r\\n`` line ends, quoted only where needed; money as
decimal text in major units (``1234.50``); instants ISO 8601 UTC with ``Z``; flags
``true``/``false``; a missing value is an empty cell. Rows are in the order decisions were stored.

* ``seq`` numbers the claim's decisions; ``decision_kind`` is ``sole`` (final alone), ``proposal``
  (awaiting a second, different reviewer; lapsed if the claim is undecided and not
  ``awaiting_second_approval``) or ``confirmation`` (a second reviewer agreed: final);
  ``claim_status`` is the claim's status now (``rules.lifecycle``).
* ``recommendation_*`` is the recommendation the decision answered; ``follows_recommendation``
  is false when the verdict departed from it (``rules.departs_from``).
* ``note`` is the reviewer's own justification: an audit needs it. Like every text from people
  or imports (ids, names, emails), it is made inert for spreadsheets (a leading ``=``, ``+``,
  ``-``, ``@``, tab or carriage return gets an apostrophe; OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from data_access.claim_facts import DEFAULT_CHUNK_SIZE
from data_access.queries.decisions_export import DecisionExportRow, decision_export_chunks
from rules import Action, Recommendation, departs_from
from services.auth import Actor, Permission, authorize
from services.csv_export import (
    instant_cell,
    money_cell,
    read_snapshot,
    spreadsheet_safe,
    write_whole,
)

__all__ = ["COLUMNS", "decisions_csv", "export_decisions"]

COLUMNS = (
    "claim_external_id",
    "order_external_id",
    "supplier_external_id",
    "supplier_name",
    "kind",
    "claim_status",
    "seq",
    "decision_kind",
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
        row.claim_kind,
        row.claim_status,
        str(row.seq),
        row.decision_kind,
        row.verdict,
        money_cell(row.amount_cents),
        money_cell(row.cap_cents),
        row.currency,
        row.recommendation_action or "",
        money_cell(row.recommendation_amount_cents),
        row.policy_version or "",
        _follows(row),
        spreadsheet_safe(row.reviewer_email),
        spreadsheet_safe(row.reviewer_name),
        instant_cell(row.decided_at),
        spreadsheet_safe(row.note),
    ]


def _write(engine: Engine, stream: TextIO, chunk_size: int) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    written = 0
    with read_snapshot(engine) as conn:
        for chunk in decision_export_chunks(conn, chunk_size):
            writer.writerows(_cells(row) for row in chunk)
            written += len(chunk)
    return written


def export_decisions(
    engine: Engine,
    out: Path | TextIO,
    *,
    actor: Actor,
    bom: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Write every decision as CSV to ``out`` (a path, or an open text stream); rows written.

    A path is replaced only once the export is complete (see :func:`write_whole`). Raises
    ``NotAllowed`` for a user who may not take decisions out of the console.
    """
    with engine.connect() as conn:
        authorize(conn, actor, Permission.EXPORT_CLAIMS)
    return write_whole(out, lambda stream: _write(engine, stream, chunk_size), bom=bom)


def decisions_csv(engine: Engine, actor: Actor) -> bytes:
    """The whole export in memory, UTF-8 with a byte-order mark (for a browser download)."""
    stream = io.StringIO()
    export_decisions(engine, stream, actor=actor)
    return ("\ufeff" + stream.getvalue()).encode("utf-8")
