"""What an ops manager has already imported: the kind of file to offer first."""

from __future__ import annotations

from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import Claim, Order, Supplier
from services.importing.formats import ENTITIES, Entity

_TABLES = {"suppliers": Supplier, "orders": Order, "claims": Claim}


def first_empty_kind(session_factory: sessionmaker[Session] | Engine) -> Entity | None:
    """The first of suppliers, orders and claims (the order to import them in) with no row
    yet, or None when each has some. One ``EXISTS`` per kind: cheap on any size."""
    with (
        Session(session_factory) if isinstance(session_factory, Engine) else session_factory()
    ) as session:
        for entity in ENTITIES:
            if not session.scalar(select(exists().select_from(_TABLES[entity]))):
                return entity
    return None
