"""What follows an import's rows in its transaction: the daily summaries kept in step with
them (:class:`SummaryStep`), and the claims whose facts they moved given fresh recommendations
(:func:`refresh_claims`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from data_access import summaries
from data_access.bulk_load import analyze_changed
from data_access.models import Claim
from rules import Policy
from services.auth import Actor
from services.claims.deadlines import refresh_due
from services.claims.recommendations import refresh_recommendations
from services.importing.write import Tally
from services.summaries import summary_tables

__all__ = ["SummaryStep", "refresh_claims"]


class SummaryStep:
    """Keeps the daily summaries in step with the import, inside its transaction: what the
    rows the import changes (a supplier file: its suppliers' orders and claims, which count
    under the supplier's country and tier) contributed before they were written is taken away,
    what the rows it wrote contribute after is added (``data_access.summaries.Delta``). Rows
    already up to date are neither: a re-import of an unchanged file counts nothing. A file
    that is most of what its table will hold (``Writer.recounts_summaries``) has them counted
    again over the tables after it instead (:meth:`count_again`)."""

    def __init__(self, session: Session, entity: str, now: datetime) -> None:
        self.session, self.entity, self.now = session, entity, now
        self.delta = summaries.Delta.for_database(session)
        self.recount = False

    def count_again(self) -> None:
        """Count the summaries again after the write instead of adding its delta, other
        writers of them kept off meanwhile (``summaries.keep_writers_off``)."""
        summaries.keep_writers_off(self.session)
        self.recount = True

    def before(self, changing: list[str]) -> None:
        """Called by the writer with the existing rows it is about to change."""
        if self.delta.zones and not self.recount:
            self.delta.subtract(self.session, self.entity, changing)

    def after(self, tally: Tally) -> None:
        if self.delta.zones and self.recount:
            summaries.refresh_all(self.session, self.now, tally.new_orders)
            tally.new_orders = None  # counted: their facts and sums not held to the commit
        elif self.delta.zones:
            self.delta.add(self.session, self.entity, tally.written_keys)
            self.delta.apply(self.session)
        # PostgreSQL plans from statistics autovacuum refreshes only later: those of the
        # tables this import changed by a good share are refreshed now (the orders writer
        # judges its own tables after its load).
        analyze_changed(self.session.connection(), [Claim.__table__, *summary_tables()])  # type: ignore[list-item]


def refresh_claims(
    session: Session, tally: Tally, actor: Actor, policy: Policy, now: datetime
) -> None:
    """New claims get a recommendation, and the undecided claims whose facts this import moved
    (a ship date arriving changes a late-shipment refund) a fresh one where it changed, all in
    the import's transaction; then their stored deadlines follow. Claims the file did not touch
    keep theirs: an import of unrelated orders changes no claim (their clock-driven changes are
    the daily ``assurance recommend``'s business)."""
    claim_ids = sorted(tally.touched_claim_ids | set(tally.inserted_claim_ids))
    if not claim_ids:
        return
    _, changed, lapsed = refresh_recommendations(
        session, policy, now=now, actor=actor, claim_ids=claim_ids
    )
    if changed:
        tally.notes.append(f"recommendations: {changed:,} new under policy {policy.version}")
    if lapsed:
        tally.notes.append(
            f"{lapsed:,} pending four-eyes proposal{'s' if lapsed != 1 else ''} lapsed (the "
            "recommendation changed); those claims are back in the review queue"
        )
    refresh_due(session, claim_ids, policy, now)
