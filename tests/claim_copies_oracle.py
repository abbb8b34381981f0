"""The claims whose copies of their order's reference and buyer (data_access.claim_copies)
differ from the order's, read straight from the tables: the copies' property tests' oracle."""

from __future__ import annotations

from sqlalchemy import Connection, or_, select

from data_access.models import Claim, Order


def claims_out_of_step(connection: Connection) -> list[tuple[str, str, str, int, int]]:
    """(claim, its copy of the order's reference, the order's, its copy of the buyer, the
    order's) for every claim whose copies are not its order's; empty when all are in step."""
    query = (
        select(
            Claim.external_id,
            Claim.order_external_id,
            Order.external_id,
            Claim.buyer_id,
            Order.buyer_id,
        )
        .join(Order, Order.id == Claim.order_id)
        .where(or_(Claim.order_external_id != Order.external_id, Claim.buyer_id != Order.buyer_id))
        .order_by(Claim.external_id)
    )
    return [tuple(row) for row in connection.execute(query).all()]
