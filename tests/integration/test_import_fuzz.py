"""The fuzz corpus (tests/hostile_files.py) through `assurance import`, on SQLite and PostgreSQL.

Every hostile file: exit code 1, its problem printed with the line and column the generator
broke, no traceback, nothing but printable text on the terminal, and not one row written —
every table is compared with a snapshot taken before.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

import cli
from data_access.engine import make_engine, make_session_factory
from data_access.models import Base
from services.importing import ENTITIES
from tests.hostile_files import Hostile, hostile_files, valid_file
from tests.integration.test_import import EXAMPLES, run, snapshot

CASES = hostile_files()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Engine]]:
    """A database holding examples/, shared by every case of a module on one backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    factory = make_session_factory(engine)
    for entity in ENTITIES:
        assert run(factory, entity, EXAMPLES / f"{entity}.csv").ok
    yield url, engine
    engine.dispose()


def _import(url: str, case: Hostile, folder: Path, *, dry_run: bool = False) -> object:
    path = folder / f"{case.entity}.csv"
    path.write_bytes(case.data)
    args = ["import", case.entity, str(path), "--debug-log", str(folder / "debug.log")]
    return CliRunner().invoke(
        cli.app, [*args, "--dry-run"] if dry_run else args, env={"ASSURANCE_DATABASE_URL": url}
    )


@pytest.mark.parametrize("entity", ENTITIES)
def test_the_files_the_corpus_breaks_are_valid(
    seeded: tuple[str, Engine], tmp_path: Path, entity: str
) -> None:
    """The control: unbroken, each base file passes, so every refusal below is the break's."""
    url, _ = seeded
    case = Hostile("valid", entity, valid_file(entity), 0, "")  # type: ignore[arg-type]
    result = _import(url, case, tmp_path, dry_run=True)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "3 new" in result.stdout  # type: ignore[attr-defined]


def test_the_corpus_is_large_and_covers_every_column() -> None:
    from services.importing import FORMATS

    assert len(CASES) >= 300
    for entity, fmt in FORMATS.items():
        broken = {c.column for c in CASES if c.entity == entity and c.line >= 2}
        assert {c.name for c in fmt.columns} <= broken, entity


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_file_is_refused_with_its_line_and_column_and_writes_nothing(
    seeded: tuple[str, Engine], tmp_path: Path, case: Hostile
) -> None:
    url, engine = seeded
    before = snapshot(engine)
    result = _import(url, case, tmp_path)
    stderr: str = result.stderr  # type: ignore[attr-defined]
    output: str = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert isinstance(result.exception, SystemExit), result.exception  # type: ignore[attr-defined]
    assert "Traceback" not in output
    assert all(ch.isprintable() or ch == "\n" for ch in output), repr(output[:500])
    where = f"line {case.line}, {case.column}: " if case.column else f"line {case.line}: "
    named = [line for line in stderr.splitlines() if line.startswith(where)]
    assert named, f"no problem at {where!r}:\n{stderr[:2000]}"
    assert any(case.says in line for line in named), f"{case.says!r} not in {named}"
    assert stderr.rstrip().endswith("nothing was written.")
    assert snapshot(engine) == before
