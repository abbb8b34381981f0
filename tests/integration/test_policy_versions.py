"""Policy versions at the service level, on SQLite and PostgreSQL: drafts, four-eyes
activation, the audit trail, recomputation of undecided claims and only those."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries
from data_access.claim_facts import latest_recommendations
from data_access.models import AuditEvent, Claim, PolicyVersion, Recommendation, User
from rules import bundled_policy
from services.auth import Actor, NotAllowed, Role
from services.claims.decide import decide_claim
from services.claims.recommendations import active_policy, recommend_claims
from services.policy.versions import (
    PolicyVersionError,
    activate_version,
    list_versions,
    save_draft,
)
from tests import factories as f
from tests.factories import utc

V1 = bundled_policy("v1")
NOW = utc(2025, 2, 5, 9)
LATER = utc(2025, 2, 6, 9)
# Late shipments are refunded at 2% a day instead of 1%: a shipment 3 days late moves.
V2 = dataclasses.replace(V1, late_rate_per_day_bp=200)


def _actor(user: User) -> Actor:
    return Actor(user.id, user.email, user.display_name, Role(user.role))


def _managers(factory: sessionmaker[Session]) -> tuple[Actor, Actor]:
    with factory.begin() as s:
        return _actor(f.user(s, "ops_manager")), _actor(f.user(s, "ops_manager"))


def test_an_empty_table_means_the_bundled_default(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        assert active_policy(s) == V1
        assert [(v.version, v.status) for v in list_versions(s)] == [("v1", "active")]


def test_a_draft_is_saved_with_the_next_name_and_an_audit_event(
    session_factory: sessionmaker[Session],
) -> None:
    author, _ = _managers(session_factory)
    info = save_draft(session_factory, author, V2, now=NOW, note="2% a day")
    assert (info.version, info.status, info.created_by) == ("v2", "draft", author.email)
    with session_factory() as s:
        assert active_policy(s) == V1  # a draft changes nothing
        assert active_policy(s, "v2") == dataclasses.replace(V2, version="v2")
        listed = list_versions(s)
        stored = {v.version: v.status for v in listed}
        assert stored == {"v1": "active", "v2": "draft"}  # the bundled file seeded the table
        # Named for a screen as the limit history names people; a bundled file has no name.
        saved_by = {v.version: (v.created_by, v.created_by_name) for v in listed}
        assert saved_by == {
            "v1": ("bundled file v1.toml", None),
            "v2": (author.email, author.display_name),
        }
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "policy_draft_saved")).one()
    assert event.actor_id == author.user_id and event.entity_id == "v2"
    assert event.after is not None
    assert event.after["changes"] == {"late_rate_per_day_bp": ["1%", "2%"]}
    assert save_draft(session_factory, author, V2, now=NOW).version == "v3"
    with pytest.raises(PolicyVersionError, match="exists already"):
        save_draft(session_factory, author, V2, now=NOW, version="v2")
    with pytest.raises(PolicyVersionError, match="cannot name a version"):
        save_draft(session_factory, author, V2, now=NOW, version="no spaces please")


def test_only_ops_managers_draft_or_activate(session_factory: sessionmaker[Session]) -> None:
    author, _ = _managers(session_factory)
    with session_factory.begin() as s:
        reviewer = _actor(f.user(s, "claim_reviewer"))
    for actor in (reviewer, Actor.system("ops")):
        with pytest.raises(NotAllowed):
            save_draft(session_factory, actor, V2, now=NOW)
    save_draft(session_factory, author, V2, now=NOW)
    for actor in (reviewer, Actor.system("ops")):
        with pytest.raises(NotAllowed):
            activate_version(session_factory, actor, "v2", now=NOW)


def test_the_author_cannot_activate_their_own_draft(
    session_factory: sessionmaker[Session],
) -> None:
    author, _ = _managers(session_factory)
    save_draft(session_factory, author, V2, now=NOW)
    with pytest.raises(PolicyVersionError, match="second, different ops manager"):
        activate_version(session_factory, author, "v2", now=LATER)
    with session_factory() as s:
        assert active_policy(s) == V1
        assert (
            s.scalars(select(AuditEvent).where(AuditEvent.action == "policy_activated")).all() == []
        )


def test_activation_recomputes_undecided_claims_and_leaves_decided_ones(
    session_factory: sessionmaker[Session],
) -> None:
    author, second = _managers(session_factory)
    with session_factory.begin() as s:
        reviewer, other = f.user(s), f.user(s)

        def late_claim(**fields: object) -> Claim:
            # Due 2025-01-20, shipped 3 days late: 3% of USD 1,000.00 under v1, 6% under v2.
            order = f.order(s, f.supplier(s), f.buyer(s), shipped_at=utc(2025, 1, 23, 8),
                            status="shipped")  # fmt: skip
            return f.claim(s, order, **fields)

        open_ = late_claim()
        pending = late_claim(status="awaiting_second_approval")
        decided = late_claim(status="approved")
        ids = [open_.id, pending.id, decided.id]
        recommend_claims(s, ids, V1, now=NOW, actor=Actor.system("t"))
        recs = latest_recommendations(s, ids)
        f.decision(s, pending, reviewer, kind="proposal", amount_cents=30_00,
                   recommendation_id=recs[pending.id].id)  # fmt: skip
        f.decision(s, decided, other, kind="sole", amount_cents=30_00,
                   recommendation_id=recs[decided.id].id)  # fmt: skip
        before = {c: r.id for c, r in recs.items()}
    save_draft(session_factory, author, V2, now=NOW)

    report = activate_version(session_factory, second, "v2", now=LATER)

    assert (report.version, report.previous) == ("v2", "v1")
    assert (report.evaluated, report.changed, report.lapsed) == (2, 2, 1)
    with session_factory() as s:
        assert active_policy(s).late_rate_per_day_bp == 200
        assert active_policy(s).version == "v2"
        statuses = {v.version: v.status for v in s.scalars(select(PolicyVersion))}
        assert statuses == {"v1": "retired", "v2": "active"}
        row = s.scalars(select(PolicyVersion).where(PolicyVersion.version == "v2")).one()
        assert (row.activated_by_id, row.activated_at) == (second.user_id, LATER)
        latest = latest_recommendations(s, ids)
        assert (latest[open_.id].policy_version, latest[open_.id].amount_cents) == ("v2", 60_00)
        assert latest[pending.id].policy_version == "v2"
        # The decided claim keeps the recommendation it was decided on.
        assert latest[decided.id].id == before[decided.id]
        assert latest[decided.id].policy_version == "v1"
        assert s.get(Claim, decided.id).status == "approved"  # type: ignore[union-attr]
        # The pending proposal answered a recommendation that no longer stands: it lapsed.
        assert s.get(Claim, pending.id).status != "awaiting_second_approval"  # type: ignore[union-attr]
        assert len(s.scalars(select(Recommendation)).all()) == 5
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "policy_activated"))
    assert event.actor_id == second.user_id and event.entity_id == "v2"
    assert event.before == {"active": "v1"}
    assert event.after is not None
    assert (event.after["active"], event.after["changed"], event.after["lapsed"]) == ("v2", 2, 1)
    assert event.after["drafted_by"] == author.email


def test_a_draft_that_changes_nothing_is_not_saved(
    session_factory: sessionmaker[Session],
) -> None:
    author, _ = _managers(session_factory)
    with pytest.raises(PolicyVersionError, match="changes nothing: every parameter is the active"):
        save_draft(session_factory, author, dataclasses.replace(V1, version="v7"), now=NOW)
    with session_factory() as s:
        assert not s.scalars(select(PolicyVersion).where(PolicyVersion.status == "draft")).all()
        assert not s.scalars(
            select(AuditEvent).where(AuditEvent.action == "policy_draft_saved")
        ).all()
    # A holiday is a change.
    holiday = dataclasses.replace(V1, holidays=(*V1.holidays, utc(2025, 12, 26).date()))
    assert save_draft(session_factory, author, holiday, now=NOW).version == "v2"


def test_a_draft_that_became_the_active_policy_is_not_activated(
    session_factory: sessionmaker[Session],
) -> None:
    """Two ops managers drafted the same change; once one draft is active, the other would
    be a version that changes nothing. It is refused, and nothing moves."""
    author, second = _managers(session_factory)
    with session_factory.begin() as s:
        order = f.order(s, f.supplier(s), f.buyer(s), shipped_at=utc(2025, 1, 23, 8),
                        status="shipped")  # fmt: skip
        pending = f.claim(s, order, status="awaiting_second_approval")
        recommend_claims(s, [pending.id], V1, now=NOW, actor=Actor.system("t"))
    save_draft(session_factory, author, V2, now=NOW)
    save_draft(session_factory, author, V2, now=NOW, note="the same, drafted again")
    activate_version(session_factory, second, "v2", now=NOW)
    with session_factory.begin() as s:
        rec = latest_recommendations(s, [pending.id])[pending.id]
        claim = s.get(Claim, pending.id)
        assert claim is not None
        f.decision(s, claim, f.user(s), kind="proposal",
                   amount_cents=rec.amount_cents, recommendation_id=rec.id)  # fmt: skip
        recs_before = len(s.scalars(select(Recommendation)).all())

    with pytest.raises(PolicyVersionError, match="v3 is the active policy v2 in every parameter:"):
        activate_version(session_factory, second, "v3", now=LATER)

    with session_factory() as s:
        statuses = {v.version: v.status for v in s.scalars(select(PolicyVersion))}
        assert statuses == {"v1": "retired", "v2": "active", "v3": "draft"}
        assert s.get(Claim, pending.id).status == "awaiting_second_approval"  # type: ignore[union-attr]
        assert len(s.scalars(select(Recommendation)).all()) == recs_before
        activations = s.scalars(select(AuditEvent).where(AuditEvent.action == "policy_activated"))
        assert [e.entity_id for e in activations] == ["v2"]


def test_a_claim_the_new_version_answers_alike_keeps_its_recommendation_and_proposal(
    session_factory: sessionmaker[Session],
) -> None:
    """v2 changes the late-shipment rate only. A quality claim's recommendation (a full refund
    on a 60% defect rate) is the same under v2: it keeps its v1 row, the proposal on it stays
    pending (it lapsed before, sending the claim back to the queue), and a second reviewer
    confirms it under v2."""
    author, second = _managers(session_factory)
    with session_factory.begin() as s:
        proposer, confirmer = f.user(s), f.user(s)
        order = f.order(s, f.supplier(s), f.buyer(s), shipped_at=utc(2025, 1, 18, 8),
                        delivered_at=utc(2025, 1, 25, 8), status="delivered")  # fmt: skip
        quality = f.claim(s, order, kind="quality", inspection_report=True, defect_rate_bp=6_000,
                          conforming=False, status="awaiting_second_approval")  # fmt: skip
        recommend_claims(s, [quality.id], V1, now=NOW, actor=Actor.system("t"))
        rec = latest_recommendations(s, [quality.id])[quality.id]
        assert rec.action == "approve_full"
        f.decision(s, quality, proposer, kind="proposal", amount_cents=rec.amount_cents,
                   cap_cents=rec.cap_cents, recommendation_id=rec.id,
                   decided_at=NOW)  # fmt: skip
        quality_id, rec_id, amount = quality.id, rec.id, rec.amount_cents
    save_draft(session_factory, author, V2, now=NOW)

    report = activate_version(session_factory, second, "v2", now=LATER)

    assert (report.evaluated, report.changed, report.lapsed) == (1, 0, 0)
    with session_factory() as s:
        latest = latest_recommendations(s, [quality_id])[quality_id]
        assert (latest.id, latest.policy_version) == (rec_id, "v1")
        assert s.get(Claim, quality_id).status == "awaiting_second_approval"  # type: ignore[union-attr]
        confirmer_actor = _actor(s.get(User, confirmer.id))  # type: ignore[arg-type]
    done = decide_claim(session_factory, confirmer_actor, quality_id, approve=True,
                        amount_cents=amount, note="", policy=V2, now=LATER)  # fmt: skip
    assert (done.kind, done.final, done.amount_cents) == ("confirmation", True, amount)


def test_only_a_draft_can_be_activated(session_factory: sessionmaker[Session]) -> None:
    author, second = _managers(session_factory)
    save_draft(session_factory, author, V2, now=NOW)
    activate_version(session_factory, second, "v2", now=LATER)
    with pytest.raises(PolicyVersionError, match="is active, not a draft"):
        activate_version(session_factory, author, "v2", now=LATER)
    with pytest.raises(PolicyVersionError, match="is retired, not a draft"):
        activate_version(session_factory, author, "v1", now=LATER)
    with pytest.raises(PolicyVersionError, match="no policy version v9"):
        activate_version(session_factory, author, "v9", now=LATER)


def test_a_new_claim_window_keeps_the_exposure_summaries_in_step(
    session_factory: sessionmaker[Session],
) -> None:
    # An order delivered 40 days before the as-of day is live under a 45-day window, not a
    # 30-day one: the summaries built for v1's window must follow the activated one.
    author, second = _managers(session_factory)
    with session_factory.begin() as s:
        order = f.order(s, f.supplier(s), f.buyer(s), shipped_at=utc(2024, 12, 20, 8),
                        status="delivered")  # fmt: skip
        order.delivered_at = utc(2024, 12, 27, 8)
        summaries.rebuild(s, {"UTC": V1.claim_window_days}, NOW)
    save_draft(session_factory, author, dataclasses.replace(V1, claim_window_days=45), now=NOW)

    activate_version(session_factory, second, "v2", now=LATER)

    with session_factory() as s:
        assert summaries.built_zones(s) == {"UTC": 45}
        for table in summaries.TABLES:
            stored = summaries.stored_rows(s, table, "UTC")
            assert stored == summaries.aggregated_rows(s, table, "UTC"), table
