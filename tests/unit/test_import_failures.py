"""What an import that the database gave up on tells its user: one sentence, the cause in a few
words, never the driver's text."""

from __future__ import annotations

import sqlite3

import psycopg.errors
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from services.importing.service import ImportFailed, _cause


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (psycopg.errors.DeadlockDetected("deadlock detected"), "another change to the same rows"),
        (psycopg.errors.SerializationFailure("could not serialize"), "another change to the same"),
        (psycopg.errors.AdminShutdown("terminating connection"), "the connection to the database"),
        (sqlite3.OperationalError("disk I/O error"), "the connection to the database was lost"),
    ],
)
def test_the_cause_says_whether_to_retry_or_to_look_at_the_connection(
    error: Exception, cause: str
) -> None:
    failure = ImportFailed("orders.csv", _cause(OperationalError("UPDATE orders …", {}, error)))
    assert cause in str(failure)
    assert "orders.csv" in str(failure) and "nothing was written" in str(failure)
    assert str(error) not in str(failure)


def test_a_refusal_is_the_database_reporting_an_error() -> None:
    refused = IntegrityError("INSERT …", {}, psycopg.errors.UniqueViolation("duplicate key"))
    assert _cause(refused) == "the database reported an error"
