"""The figures' definitions (``services.figures.definitions``), ready to show beside numbers."""

from __future__ import annotations

from rules import Policy
from services.figures.definitions import definitions
from ui.text import plain


def markdown(key: str, zone: str, policy: Policy) -> str:
    """``**Name**: text`` for a caption; the text is escaped, so it reads exactly as written."""
    item = definitions(zone, policy)[key]
    return f"**{plain(item.name)}**: {plain(item.text)}"


def text(key: str, zone: str, policy: Policy) -> str:
    """The definition as plain text (for ``help=`` tooltips)."""
    item = definitions(zone, policy)[key]
    return f"{item.name}: {item.text}"


def block(keys: list[str], zone: str, policy: Policy) -> str:
    """Several definitions, one paragraph each."""
    return "\n\n".join(markdown(key, zone, policy) for key in keys)
