"""`assurance export claims`: one CSV row per claim, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from data_access.models import Claim, User
from rules import bundled_policy
from services.auth import Actor, NotAllowed, Role
from services.claims.export_claims import COLUMNS, export_claims
from services.claims.recommendations import recommend_claims
from services.csv_export import spreadsheet_safe
from tests import factories as f
from tests.factories import utc

POLICY = bundled_policy("v1")
NOW = utc(2025, 2, 3, 10)
SYSTEM = Actor.system("test")


def _decide(
    s: Session, claim: Claim, reviewer: User, kind: str, amount: int, at: tuple[int, ...]
) -> None:
    f.decision(
        s, claim, reviewer, kind=kind, amount_cents=amount, note="private reviewer note",
        decided_at=utc(*at),
    )  # fmt: skip


def _seed(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        sup = f.supplier(s, external_id="SUP-1", name='=HYPERLINK("http://evil.example","x")')
        minus = f.buyer(s, name="-Minus Trading")
        plain = f.buyer(s, name="Müller, Kälte & Co. GmbH")
        late = f.order(
            s, sup, minus, external_id="ORD-1", order_amount_cents=1_234_50,
            covered_amount_cents=1_000_00, paid_amount_cents=1_234_50,
        )  # fmt: skip
        open_claim = f.claim(
            s, late, external_id="CLM-1", filed_at=utc(2025, 2, 1, 12), description="=cmd|x"
        )
        recommend_claims(s, [open_claim.id], POLICY, now=utc(2025, 2, 3, 9), actor=SYSTEM)
        delivered = f.order(
            s, sup, plain, external_id="@ORD-2", ship_by=date(2025, 1, 10),
            shipped_at=utc(2025, 1, 9, 7, 30), delivered_at=utc(2025, 1, 30, 16, 5, 9),
            status="delivered",
        )  # fmt: skip
        approved = f.claim(
            s, delivered, external_id="CLM-2", kind="quality", claimed_amount_cents=400_00,
            status="approved", supplier_response="disputed",
            supplier_responded_at=utc(2025, 2, 2), decided_at=utc(2025, 2, 7, 11),
        )  # fmt: skip
        first = f.user(s, email="first@example.test")
        second = f.user(s, email="+second@example.test")
        _decide(s, approved, first, "proposal", 400_00, (2025, 2, 6, 15))
        _decide(s, approved, second, "confirmation", 400_00, (2025, 2, 7, 11))
        f.claim(
            s, delivered, external_id="CLM-3", kind="non_delivery", status="escalated",
            filed_at=utc(2025, 1, 31, 23, 59), escalated_at=utc(2025, 2, 3, 9, 15),
        )  # fmt: skip


def _export(engine: Engine, chunk_size: int = 5_000) -> tuple[int, str]:
    out = io.StringIO()
    written = export_claims(
        engine, out, actor=SYSTEM, policy=POLICY, now=NOW, chunk_size=chunk_size
    )
    return written, out.getvalue()


@pytest.mark.parametrize("chunk_size", [1, 2, 5_000])
def test_every_claim_with_its_order_recommendation_and_decisions(
    engine: Engine, chunk_size: int
) -> None:
    _seed(engine)
    written, text = _export(engine, chunk_size=chunk_size)
    assert written == 3
    lines = text.split("\r\n")
    assert lines[0] == ",".join(COLUMNS)
    assert lines[-1] == ""  # every row ends with CRLF
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["claim_external_id"] for r in rows] == ["CLM-1", "CLM-2", "CLM-3"]
    first, approved, escalated = rows

    assert first == {
        "claim_external_id": "CLM-1",
        "order_external_id": "ORD-1",
        "supplier_external_id": "SUP-1",
        "supplier_name": '\'=HYPERLINK("http://evil.example","x")',
        "buyer_name": "'-Minus Trading",
        "kind": "late_shipment",
        "status": "open",
        "filed_at": "2025-02-01T12:00:00Z",
        "claimed_amount": "500.00",
        "currency": "USD",
        "order_amount": "1234.50",
        "covered_amount": "1000.00",
        "paid_amount": "1234.50",
        "ship_by": "2025-01-20",
        "shipped_at": "",
        "delivered_at": "",
        "cancelled_at": "",
        "supplier_response": "none",
        "recommendation_action": "approve_full",
        "recommendation_amount": "500.00",
        "recommendation_cap": "500.00",
        "recommendation_reason_codes": "NOT_SHIPPED;CAP_CLAIMED_AMOUNT",
        "policy_version": "v1",
        "four_eyes_required": "false",
        "recommended_at": "2025-02-03T09:00:00Z",
        # Filed on Saturday 2025-02-01 (day 0): supplier until the end of day 3, automatic
        # escalation on day 8 (a Sunday), then 2 + 2 working days from Monday 00:00.
        "supplier_response_due": "2025-02-05T00:00:00Z",
        "auto_escalation_at": "2025-02-09T00:00:00Z",
        "pickup_due": "2025-02-12T00:00:00Z",
        "decision_due": "2025-02-14T00:00:00Z",
        "next_deadline_label": "supplier_response_due",
        "next_deadline_at": "2025-02-05T00:00:00Z",
        "decision_kind": "",
        "decision_verdict": "",
        "decision_amount": "",
        "decided_by": "",
        "decided_at": "",
        "proposed_by": "",
        "proposed_at": "",
        "decisions": "0",
    }

    # Decided under four-eyes: no deadlines, the confirmation and the proposal it confirmed;
    # it never had a stored recommendation.
    assert approved["order_external_id"] == "'@ORD-2"
    assert approved["buyer_name"] == "Müller, Kälte & Co. GmbH"
    assert (approved["shipped_at"], approved["delivered_at"]) == (
        "2025-01-09T07:30:00Z",
        "2025-01-30T16:05:09Z",
    )
    assert approved["supplier_response"] == "disputed"
    assert all(approved[c] == "" for c in COLUMNS if c.startswith("recommend"))
    assert approved["policy_version"] == approved["four_eyes_required"] == ""
    assert all(
        approved[c] == ""
        for c in ("supplier_response_due", "pickup_due", "decision_due", "next_deadline_label")
    )
    assert [approved[c] for c in COLUMNS[-8:]] == [
        "confirmation",
        "approve",
        "400.00",
        "'+second@example.test",
        "2025-02-07T11:00:00Z",
        "first@example.test",
        "2025-02-06T15:00:00Z",
        "2",
    ]

    # Escalated by hand on Monday 09:15: the dispute team must pick it up within 2 working days.
    assert escalated["next_deadline_label"] == "pickup_due"
    assert escalated["pickup_due"] == escalated["next_deadline_at"] == "2025-02-05T09:15:00Z"
    assert escalated["decision_due"] == "2025-02-07T09:15:00Z"
    # Descriptions and notes (free text) are never exported.
    assert "cmd" not in text and "private" not in text


def test_an_empty_database_exports_the_header_only(engine: Engine) -> None:
    assert _export(engine) == (0, ",".join(COLUMNS) + "\r\n")


@pytest.mark.parametrize(("role", "allowed"), [("claim_reviewer", True), ("ops_manager", True),
                                               ("exec", False), ("admin", False)])  # fmt: skip
def test_only_those_who_work_claims_export_them(engine: Engine, role: str, allowed: bool) -> None:
    """Issue 9 (7): exports check a permission too, against the account as stored now."""
    with Session(engine) as s, s.begin():
        user = f.user(s, role)
        gone = f.user(s, "claim_reviewer", is_active=False)
        actor = Actor(user.id, user.email, "Someone", Role(role))
        disabled = Actor(gone.id, gone.email, "Gone", Role.CLAIM_REVIEWER)
    if allowed:
        assert export_claims(engine, io.StringIO(), actor=actor, policy=POLICY, now=NOW) == 0
    else:
        with pytest.raises(NotAllowed):
            export_claims(engine, io.StringIO(), actor=actor, policy=POLICY, now=NOW)
    with pytest.raises(NotAllowed, match="disabled"):
        export_claims(engine, io.StringIO(), actor=disabled, policy=POLICY, now=NOW)


def test_a_file_is_written_whole(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "claims.csv"
    out.write_text("stale", encoding="utf-8")
    assert export_claims(engine, out, actor=SYSTEM, policy=POLICY, now=NOW, bom=True) == 3
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfclaim_external_id,")
    assert data.count(b"\r\n") == 4
    assert list(out.parent.iterdir()) == [out]  # no .part file left behind
    with pytest.raises(ValueError, match="timezone-aware"):
        export_claims(engine, out, actor=SYSTEM, policy=POLICY, now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+31 20 555", "'+31 20 555"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Acme = best", "Acme = best"),
        ("", ""),
        (None, ""),
    ],
)
def test_spreadsheet_safe(text: str | None, safe: str) -> None:
    assert spreadsheet_safe(text) == safe


def test_cli_export_claims(
    database_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli import app

    _seed(engine)
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    out = tmp_path / "export" / "claims.csv"
    out.parent.mkdir()
    result = CliRunner().invoke(app, ["export", "claims", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 3 claims to {out}.\n"
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["claim_external_id"] for r in rows] == ["CLM-1", "CLM-2", "CLM-3"]
    result = CliRunner().invoke(app, ["export", "claims", "--out", str(out), "--policy", "v0"])
    assert result.exit_code == 1
    assert "no bundled policy 'v0'" in result.output
    result = CliRunner().invoke(app, ["export", "claims", "--out", str(tmp_path / "no" / "x.csv")])
    assert result.exit_code == 1
    assert "cannot write" in result.output
