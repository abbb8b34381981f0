"""Arrow's buffers come from the C library's allocator in every process the entry points start,
unless the deployment names a pool (``services.arrow_memory``)."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from cli import app
from services.arrow_memory import POOL_VARIABLE, use_system_allocator
from ui import wiring


@pytest.fixture
def bundled_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Arrow's bundled allocator as the default, as in a process nobody configured; the pool
    in use before is put back afterwards."""
    monkeypatch.delenv(POOL_VARIABLE, raising=False)
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    assert pa.default_memory_pool().backend_name == "mimalloc"
    yield
    pa.set_memory_pool(before)


@pytest.mark.usefixtures("bundled_pool")
def test_the_system_allocator_becomes_the_default() -> None:
    use_system_allocator()
    assert pa.default_memory_pool().backend_name == "system"
    use_system_allocator()  # again: nothing changes
    assert pa.default_memory_pool().backend_name == "system"


@pytest.mark.usefixtures("bundled_pool")
def test_a_pool_the_environment_names_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(POOL_VARIABLE, "mimalloc")
    use_system_allocator()
    assert pa.default_memory_pool().backend_name == "mimalloc"


@pytest.mark.usefixtures("bundled_pool")
def test_every_cli_command_starts_with_it() -> None:
    # The top-level callback runs before the command's own arguments are read.
    result = CliRunner().invoke(app, ["db", "--help"])
    assert result.exit_code == 0, result.output
    assert pa.default_memory_pool().backend_name == "system"


@pytest.mark.usefixtures("bundled_pool")
def test_the_servers_process_settings_set_it() -> None:
    wiring.configure_process()
    assert pa.default_memory_pool().backend_name == "system"
