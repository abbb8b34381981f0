"""A typed text found anywhere in a column, any case, its wildcards taken literally, on both
databases: the match every search of the app uses (``data_access.text_match``)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import Buyer
from data_access.text_match import contains_text
from tests import factories as f

NAMES = ("Anna Svensson AB", "100%_OFF Trading", "a/b Imports", "Åkesson Ärzte GmbH", "t.o Ltd")


@pytest.fixture
def named(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        for name in NAMES:
            f.buyer(s, name=name)


def _found(engine: Engine, text: str) -> list[str]:
    with engine.connect() as conn:
        query = select(Buyer.name).where(contains_text(Buyer.name, text)).order_by(Buyer.name)
        return list(conn.execute(query).scalars())


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("svensson", ["Anna Svensson AB"]),
        ("ANNA S", ["Anna Svensson AB"]),
        ("a", ["100%_OFF Trading", "Anna Svensson AB", "a/b Imports"]),  # any case, anywhere
        ("100%", ["100%_OFF Trading"]),
        ("%", ["100%_OFF Trading"]),  # the text's % is a percent sign, not "anything"
        ("_", ["100%_OFF Trading"]),
        ("t_o", []),  # ... and its _ an underscore: "t.o" is not matched
        ("t.o", ["t.o Ltd"]),
        ("a/b", ["a/b Imports"]),  # the escape character itself
        ("/", ["a/b Imports"]),
        ("ärzte", ["Åkesson Ärzte GmbH"]),
        ("nobody", []),
    ],
)
def test_a_text_matches_itself_anywhere_in_any_case(
    engine: Engine, named: None, text: str, names: list[str]
) -> None:
    if text == "ärzte" and engine.dialect.name == "sqlite":
        # SQLite folds ASCII letters only: an accented capital matches as written.
        assert _found(engine, text) == []
        assert _found(engine, "Ärzte") == ["Åkesson Ärzte GmbH"]
        return
    assert _found(engine, text) == names
