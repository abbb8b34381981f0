"""The command line on a database it cannot use: what to do, in one sentence, and nothing done.

Every command but ``db upgrade`` checks that the configured database answers and is at this
version's schema before it starts; a fault none of them foresees reaches the terminal as one
sentence naming the log that holds its traceback (``cli.main``, the installed entry point).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

import cli
from data_access import migrate
from data_access.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]
#: Nothing listens on port 1 of this machine: the connection is refused at once.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/assurance"


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.app, args)
    return result.exit_code, result.stdout, result.stderr


def test_a_database_without_the_schema_is_left_untouched_and_the_upgrade_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.db"
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", f"sqlite:///{path}")
    code, out, err = _run(["demo", "seed", "--orders", "20"])
    assert code == 1 and out == ""
    assert err.startswith("Error: The database schema is at revision none, but this version")
    assert "Run `assurance db upgrade`, then run the command again." in err
    assert "Traceback" not in err
    engine = make_engine(f"sqlite:///{path}")
    assert inspect(engine).get_table_names() == []
    engine.dispose()
    # The remedy named works: upgraded, the same command seeds.
    assert _run(["db", "upgrade"])[0] == 0
    code, out, err = _run(["demo", "seed", "--orders", "20"])
    assert code == 0, err
    assert out.splitlines()[-1].startswith("Seeded 5 users")


def test_an_older_schema_names_both_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    head = migrate.head_revision()
    assert head is not None
    previous = f"{int(head) - 1:04d}"
    migrate.upgrade(engine, previous)
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", url)
    code, _, err = _run(["policy", "list"])
    assert code == 1
    assert f"at revision {previous}, but this version of Assurance Desk needs {head}" in err


@pytest.mark.parametrize(
    "args", [["db", "upgrade"], ["policy", "list"], ["recommend"], ["figures", "--json"]]
)
def test_an_unreachable_database_says_so_in_one_sentence(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", UNREACHABLE)
    code, out, err = _run(args)
    assert code == 1 and out == ""
    assert err.startswith("Error: The database cannot be reached. Check that the server is ")
    assert err.endswith("then run the command again.\n")
    assert "Traceback" not in err


def test_an_unforeseen_fault_is_one_sentence_and_its_traceback_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise RuntimeError("an invariant of ours broke")

    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    [log] = list(tmp_path.glob("assurance-command-*.log"))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"Error: the command failed unexpectedly (the details are in {log}).\n")
    logged = log.read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError: an invariant of ours broke" in logged


def test_the_installed_entry_point_is_the_guarded_one(tmp_path: Path) -> None:
    """``assurance`` runs ``cli.main``: on a database without the schema, no traceback."""
    environment = {"ASSURANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "demo", "seed", "--orders", "5"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: The database schema is at revision none")
    assert "Traceback" not in done.stderr
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["assurance"] == "cli:main"
