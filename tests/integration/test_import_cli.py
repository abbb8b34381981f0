"""`assurance import` as a person at a terminal sees it: one sentence when the database fails
(details in the debug log, never a traceback or SQL on the screen), and no control character
from a file reaching the terminal raw."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from data_access.engine import make_engine, make_session_factory
from tests.integration.test_import import (
    EXAMPLES,
    ROOT,
    run,
    snapshot,
    write_orders,
    write_suppliers,
)

SUPPLIER_HEADER = "external_id,name,country,main_category,tier,limit,currency"


def _cli(database_url: str, *args: str) -> object:
    return CliRunner().invoke(cli.app, list(args), env={"ASSURANCE_DATABASE_URL": database_url})


def test_control_characters_in_header_and_file_names_reach_the_terminal_escaped(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad\x1b[31mname.csv"
    path.write_bytes(
        f"{SUPPLIER_HEADER},\x1b[2j\x1b[31mred,nul\x00name\nSUP-1,A,CN,c,gold,1,USD,x,y\n".encode()
    )
    result = _cli(
        database_url, "import", "suppliers", str(path), "--debug-log", str(tmp_path / "l")
    )
    output: str = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "\x1b" not in output and "\x00" not in output
    assert result.stderr.splitlines() == [  # type: ignore[attr-defined]
        "line 1, \\x1b[2j\\x1b[31mred: '\\x1b[2j\\x1b[31mred' is not a column of the suppliers "
        "format",
        "line 1, nul\\x00name: 'nul\\x00name' is not a column of the suppliers format; did "
        "you mean name?",
        "2 problems in bad\\x1b[31mname.csv (1 supplier row); nothing was written.",
    ]


def test_a_file_that_is_not_there_is_one_sentence(database_url: str, tmp_path: Path) -> None:
    result = _cli(database_url, "import", "orders", str(tmp_path / "no\x07such.csv"))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr == f"Error: {tmp_path}/no\\x07such.csv is not a file.\n"  # type: ignore[attr-defined]


def test_an_unexpected_fault_is_one_sentence_and_a_traceback_in_the_log(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug of ours, SELECT secret FROM somewhere")

    monkeypatch.setattr("services.importing.validate.Checker.check", broken)
    log = tmp_path / "debug.log"
    result = _cli(
        database_url,
        "import",
        "suppliers",
        str(EXAMPLES / "suppliers.csv"),
        "--debug-log",
        str(log),
    )
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.strip().splitlines() == [  # type: ignore[attr-defined]
        "Error: the import of suppliers.csv failed unexpectedly, so nothing was written; give "
        f"an administrator the details in {log}."
    ]
    assert "SELECT" not in result.output  # type: ignore[attr-defined]
    logged = log.read_text()
    assert "Traceback" in logged and "RuntimeError: a bug of ours" in logged


# A child process, so what reaches the real terminal (stderr included) is what is checked: the
# import's writer has the database connection killed under it after two chunks were written.
_CHILD = """
import sys
path, url, log = sys.argv[1:4]
from sqlalchemy import create_engine, text
import services.importing.service as service
import services.importing.write as w
service.CHUNK_ROWS = 10
original = w.Writer.write
written = []
def write(self, chunk):
    if len(written) == 2:
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            admin = create_engine(url)
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.dispose()
        else:
            connection.connection.dbapi_connection.close()
    original(self, chunk)
    written.append(len(chunk))
w.Writer.write = write
import cli
sys.argv = ["assurance", "import", "orders", path, "--debug-log", log]
cli.app()
"""


def test_a_connection_lost_mid_import_is_one_sentence_and_the_details_go_to_the_log(
    database_url: str, tmp_path: Path
) -> None:
    """PostgreSQL: the backend is terminated (pg_terminate_backend) mid-import; SQLite: the
    connection closed. The person sees one sentence; the log has the traceback and the SQL."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    run(factory, "suppliers", write_suppliers(tmp_path / "suppliers.csv"))
    path = write_orders(tmp_path / "orders.csv", 60)
    before = snapshot(engine)
    log = tmp_path / "debug.log"
    env = {**os.environ, "ASSURANCE_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), database_url, str(log)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert child.returncode == 1, child.stderr
    assert child.stderr.strip().splitlines() == [
        "Error: the database could not complete the import of orders.csv (the connection to the "
        "database was lost), so nothing was written; try again, and if it keeps failing give an "
        f"administrator the details in {log}."
    ]
    screen = child.stdout + child.stderr
    for word in ("Traceback", "SELECT", "INSERT", "sqlalchemy", "psycopg", "sqlite3"):
        assert word not in screen, screen
    logged = log.read_text()
    assert "DEBUG services.importing.service: import of 'orders.csv' (orders) failed" in logged
    assert "Traceback" in logged and "[SQL: " in logged  # the statement that failed
    engine.dispose()
    fresh = make_engine(database_url)
    assert snapshot(fresh) == before
    fresh.dispose()
