"""``assurance export claims``: one CSV row per claim, for reviewers' spreadsheets and audits.

Format (stable column names; see :data:`COLUMNS`):

* UTF-8, comma separated, ``\\r\\n`` line ends (RFC 4180); quoted only where needed. ``bom=True``
  adds a byte-order mark so Excel on Windows reads non-ASCII names correctly.
* Money: decimal text in major units with two decimals and no grouping (``1234.50``), in the
  order's ``currency``; exact, from integer cents.
* Instants: ISO 8601 in UTC to the second with a ``Z`` (``2025-02-01T12:00:00Z``); dates
  ``YYYY-MM-DD``; flags ``true``/``false``; a missing value is an empty cell.
* Recommendation: the claim's latest stored one (see ``data_access.claim_facts``), its reason
  codes joined with ``;``. Deadlines are the dispute clock under the given policy, only for
  undecided claims (a decided claim has none); ``next_deadline_*`` is the one governing the
  claim's current stage at ``now``, and lies in the past when the claim is overdue.
* Decisions (``rules.lifecycle``): ``decision_*``/``decided_*`` describe the claim's latest
  decision — the final one (``decision_kind`` ``sole``, or ``confirmation`` when a second
  reviewer agreed under four-eyes) or a ``proposal`` (pending while the status is
  ``awaiting_second_approval``, lapsed otherwise). For a confirmation, ``proposed_by`` and
  ``proposed_at`` name the proposal it confirmed. ``decisions`` counts the claim's decisions.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return) as a formula, so text that comes from imported data — external ids,
supplier and buyer names, reviewer emails — gets a leading apostrophe when it starts with one of
those (OWASP "CSV injection"). Numbers, dates and codes are generated here and never start so
(money is never negative). Claim descriptions and decision notes are not exported.
"""

from __future__ import annotations

import csv
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from data_access.claim_facts import DEFAULT_CHUNK_SIZE, StoredRecommendation
from data_access.queries.claims_export import ClaimExportRow, claim_export_chunks
from rules import UNDECIDED, Policy, claim_deadlines
from services import clock
from services.auth import Actor, Permission, authorize
from services.csv_export import (
    day_cell,
    flag_cell,
    instant_cell,
    money_cell,
    read_snapshot,
    spreadsheet_safe,
    write_whole,
)

__all__ = ["COLUMNS", "export_claims"]

COLUMNS = (
    "claim_external_id",
    "order_external_id",
    "supplier_external_id",
    "supplier_name",
    "buyer_name",
    "kind",
    "status",
    "filed_at",
    "claimed_amount",
    "currency",
    "order_amount",
    "covered_amount",
    "paid_amount",
    "ship_by",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "supplier_response",
    "recommendation_action",
    "recommendation_amount",
    "recommendation_cap",
    "recommendation_reason_codes",
    "policy_version",
    "four_eyes_required",
    "recommended_at",
    "supplier_response_due",
    "auto_escalation_at",
    "pickup_due",
    "decision_due",
    "next_deadline_label",
    "next_deadline_at",
    "decision_kind",
    "decision_verdict",
    "decision_amount",
    "decided_by",
    "decided_at",
    "proposed_by",
    "proposed_at",
    "decisions",
)

_UNDECIDED = frozenset(UNDECIDED)


def _deadline_cells(row: ClaimExportRow, policy: Policy, now: datetime, zone: tzinfo) -> list[str]:
    if row.status not in _UNDECIDED:
        return [""] * 6
    deadlines = claim_deadlines(row.filed_at, row.escalated_at, row.picked_up_at, policy, zone)
    label, when = deadlines.next_deadline(now, supplier_responded=row.supplier_response != "none")
    return [
        instant_cell(deadlines.supplier_response_due),
        instant_cell(deadlines.auto_escalation_at),
        instant_cell(deadlines.pickup_due),
        instant_cell(deadlines.decision_due),
        label,
        instant_cell(when),
    ]


def _cells(
    row: ClaimExportRow,
    rec: StoredRecommendation | None,
    policy: Policy,
    now: datetime,
    zone: tzinfo,
) -> list[str]:
    if rec is None:
        rec_cells = [""] * 7
    else:
        rec_cells = [
            rec.action,
            money_cell(rec.amount_cents),
            money_cell(rec.cap_cents),
            ";".join(reason["code"] for reason in rec.reasons),
            rec.policy_version,
            flag_cell(rec.four_eyes_required),
            instant_cell(rec.created_at),
        ]
    return [
        spreadsheet_safe(row.claim_external_id),
        spreadsheet_safe(row.order_external_id),
        spreadsheet_safe(row.supplier_external_id),
        spreadsheet_safe(row.supplier_name),
        spreadsheet_safe(row.buyer_name),
        row.kind,
        row.status,
        instant_cell(row.filed_at),
        money_cell(row.claimed_amount_cents),
        row.currency,
        money_cell(row.order_amount_cents),
        money_cell(row.covered_amount_cents),
        money_cell(row.paid_amount_cents),
        day_cell(row.ship_by),
        instant_cell(row.shipped_at),
        instant_cell(row.delivered_at),
        instant_cell(row.cancelled_at),
        row.supplier_response,
        *rec_cells,
        *_deadline_cells(row, policy, now, zone),
        row.decision_kind or "",
        row.decision_verdict or "",
        money_cell(row.decision_amount_cents),
        spreadsheet_safe(row.decision_reviewer_email),
        instant_cell(row.decided_at),
        spreadsheet_safe(row.proposer_email),
        instant_cell(row.proposed_at),
        str(row.decision_count),
    ]


def _write(engine: Engine, stream: TextIO, policy: Policy, now: datetime, chunk_size: int) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    written = 0
    zone = clock.zone()
    with read_snapshot(engine) as conn:
        for chunk in claim_export_chunks(conn, chunk_size):
            writer.writerows(_cells(row, rec, policy, now, zone) for row, rec in chunk)
            written += len(chunk)
    return written


def export_claims(
    engine: Engine,
    out: Path | TextIO,
    *,
    actor: Actor,
    policy: Policy,
    now: datetime,
    bom: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Write every claim as CSV to ``out`` (a path, or an open text stream); rows written.

    A path is replaced only once the export is complete (see :func:`write_whole`). Raises
    ``NotAllowed`` for a user who may not take claims out of the console.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    with engine.connect() as conn:
        authorize(conn, actor, Permission.EXPORT_CLAIMS)
    return write_whole(out, lambda stream: _write(engine, stream, policy, now, chunk_size), bom=bom)
