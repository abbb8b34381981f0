"""End-to-end fixtures: a real Streamlit server, a real OIDC provider, Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FROZEN_NOW, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium on a closed network keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "screenshots"

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_streamlit(
    cwd: Path,
    env: dict[str, str | None],
    extra_args: list[str] | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """Serve the app from ``cwd``, logging to ``cwd/streamlit.log``; None unsets a variable.

    The app's clock is frozen at ``FROZEN_NOW`` unless ``env`` sets ``ASSURANCE_CLOCK``: what
    a browser test sees never depends on the day it runs.
    """
    port = port or free_port()
    env = {"ASSURANCE_CLOCK": FROZEN_NOW.isoformat(), **env}
    environment = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
    for name in [k for k, v in env.items() if v is None]:
        environment.pop(name, None)
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.port", str(port), "--server.headless", "true",
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--client.showErrorDetails", "none", "--server.fileWatcherType", "none",
        *(extra_args or []),
    ]  # fmt: skip
    log = (cwd / "streamlit.log").open("wb")
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", process)
        yield f"http://localhost:{port}"
    finally:
        stop(process)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        skip_or_fail("browser tests need Debian's Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[object]:
    report = yield None
    setattr(item, f"report_{report.when}", report)  # type: ignore[attr-defined]
    return report


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()


def screenshot(page: object, name: str) -> Path:
    """Keep what the browser saw, for a person to look at (screenshots/ is git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def copy_streamlit_config(cwd: Path) -> None:
    (cwd / ".streamlit").mkdir(exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", cwd / ".streamlit" / "config.toml")


def start_oidc_provider(log_dir: Path, users: list[str]) -> Iterator[str]:
    """A real OpenID Connect provider on loopback (oidc-provider-mock) knowing ``users``."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)]
    for user in users:
        command += ["--user", user]
    log = (log_dir / "oidc.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/.well-known/openid-configuration", process)
        yield url
    finally:
        stop(process)
        log.close()


def start_app_with_oidc(home: Path, oidc_url: str, database_url: str) -> Iterator[str]:
    """The app as deployed: signing in through ``oidc_url``, on ``database_url``."""
    port = free_port()
    secrets = home / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "e2e-only-cookie-secret-0123456789"\n'
        'client_id = "assurance-desk-e2e"\n'
        'client_secret = "e2e-only-client-secret"\n'
        f'server_metadata_url = "{oidc_url}/.well-known/openid-configuration"\n'
    )
    copy_streamlit_config(home)
    yield from start_streamlit(
        home, {"ASSURANCE_DATABASE_URL": database_url}, ["--secrets.files", str(secrets)], port=port
    )


def cookie_names(page: Any) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def wait_for_cookie(page: Any, name: str, present: bool = True) -> None:
    """Until the browser holds (or no longer holds) the cookie ``name``: the app writes and
    deletes cookies by a script in the page, which runs after the page's text has shown."""
    for _ in range(300):  # up to 30 s: a loaded CI machine is slow, never wrong
        if (name in cookie_names(page)) == present:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"cookie {name} {'never set' if present else 'still set'}")
