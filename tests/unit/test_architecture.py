"""The dependency rule of DESIGN.md §6, checked on every import statement in the tree.

pages → ui → services → (rules, data_access); rules imports only the standard library;
neither services nor data_access import Streamlit; pages hold no SQL.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("pages", "ui", "services", "rules", "data_access")

FORBIDDEN: dict[str, set[str]] = {
    "rules": {"pages", "ui", "services", "data_access", "streamlit", "sqlalchemy", "pandas"},
    "data_access": {"pages", "ui", "services", "rules", "streamlit"},
    "services": {"pages", "ui", "streamlit"},
    "ui": {"pages", "data_access.models", "data_access.queries"},
    "pages": {"data_access", "sqlalchemy"},
    # The command line calls the use cases (and the bench's page timer in ui/), never a screen.
    "cli": {"pages", "streamlit"},
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", [*LAYERS, "cli"])
def test_layer_respects_the_dependency_rule(layer: str) -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files(layer)
        for name in _imports(path)
        for banned in FORBIDDEN[layer]
        if name == banned or name.startswith(banned + ".")
    ]
    assert offences == []


def test_rules_imports_only_the_standard_library() -> None:
    outside = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files("rules")
        for name in _imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "rules"
    ]
    assert outside == []


#: DESIGN.md §6: "no module over ~400 lines". The bound leaves the "~" its room; a module that
#: grows past it is split by what it does (as ``summary_rows``, ``claims.decide``,
#: ``rules.recommend`` and ``models`` were). Migrations are history, written once: not counted.
MODULE_LINES_AT_MOST = 450


def test_no_module_grows_past_the_bound() -> None:
    sizes = {
        path: len(path.read_text().splitlines())
        for layer in ("cli", *LAYERS)
        for path in _files(layer)
        if "migrations" not in path.parts
    }
    over = [
        f"{p.relative_to(ROOT)}: {n} lines" for p, n in sizes.items() if n > MODULE_LINES_AT_MOST
    ]
    assert over == []
    assert max(sizes.values()) > MODULE_LINES_AT_MOST * 0.8  # the checker counts real modules


def test_the_checker_sees_imports() -> None:
    """Guard against a checker that passes because it reads nothing."""
    assert "streamlit" in _imports(ROOT / "app.py")
    assert any("sqlalchemy" in n for p in _files("data_access") for n in _imports(p))


_WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def _wall_clock_reads(path: Path) -> list[str]:
    """Calls like ``datetime.now(…)``, ``date.today()`` or ``time.time()`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, node.func.attr) in _WALL_CLOCK:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}.{node.func.attr}()")
    return found


def test_only_the_clock_reads_the_wall_clock() -> None:
    """Tests never read the wall clock (a suite that passes on Thursday and fails on Monday is a
    red CI waiting to happen), and the application reads it in one place, ``services.clock``,
    which tests freeze with ``ASSURANCE_CLOCK``."""
    allowed = {ROOT / "services" / "clock.py"}
    files = [ROOT / "app.py", *(p for d in ("cli", *LAYERS, "tests") for p in _files(d))]
    reads = [hit for path in files if path not in allowed for hit in _wall_clock_reads(path)]
    assert reads == []
    assert _wall_clock_reads(ROOT / "services" / "clock.py")  # the checker sees a real read


def _downloads_that_rerun(source: str, name: str) -> list[str]:
    """``st.download_button(…)`` calls in ``source`` without ``on_click="ignore"``."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "download_button"
        ):
            ignored = any(
                k.arg == "on_click"
                and isinstance(k.value, ast.Constant)
                and k.value.value == "ignore"
                for k in node.keywords
            )
            if not ignored:
                found.append(f"{name}:{node.lineno}")
    return found


def test_a_download_never_reruns_the_screen() -> None:
    """A download changes nothing on the screen, so it must not run the script again: the run
    costs the figures' reads, and while it runs Streamlit shows the old and the new elements
    side by side (the import page briefly showed its refusal twice)."""
    files = [p for d in ("pages", "ui") for p in _files(d)]
    reruns = [
        hit for p in files for hit in _downloads_that_rerun(p.read_text(), str(p.relative_to(ROOT)))
    ]
    assert reruns == []
    assert any("download_button" in p.read_text() for p in files)  # there are downloads to check
    # The checker sees a download that reruns, and one that does not.
    assert _downloads_that_rerun('st.download_button("CSV", b"")', "a") == ["a:1"]
    assert _downloads_that_rerun('st.download_button("CSV", b"", on_click="ignore")', "b") == []
