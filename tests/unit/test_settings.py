"""The settings read from ``ASSURANCE_*`` variables and a ``.env`` file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from data_access.settings import Settings


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_clock_variable_leaves_the_clock_running(
    monkeypatch: pytest.MonkeyPatch, empty: str
) -> None:
    monkeypatch.setenv("ASSURANCE_CLOCK", empty)
    assert Settings(_env_file=None).clock is None


def test_an_empty_clock_line_in_a_dotenv_file_leaves_the_clock_running(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A variable wins over the file: none may be set for the file to be read.
    for name in ("ASSURANCE_CLOCK", "ASSURANCE_PROGRAMME_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    dotenv = tmp_path / ".env"
    dotenv.write_text("ASSURANCE_CLOCK=\nASSURANCE_PROGRAMME_TIMEZONE=Asia/Shanghai\n")
    settings = Settings(_env_file=dotenv)
    assert settings.clock is None
    assert settings.programme_timezone == "Asia/Shanghai"


def test_a_clock_with_a_zone_is_frozen_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSURANCE_CLOCK", "2026-12-06T09:30:00+08:00")
    assert Settings(_env_file=None).clock == datetime(2026, 12, 6, 1, 30, tzinfo=UTC)


def test_a_clock_without_a_zone_is_refused_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSURANCE_CLOCK", "2026-12-06T09:30:00")
    with pytest.raises(ValidationError, match="needs a time zone"):
        Settings(_env_file=None)
