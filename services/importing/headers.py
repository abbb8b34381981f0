"""Recognise a file by its header: the wrong kind of file, or the wrong separator.

A suppliers file imported as claims would otherwise get a problem for each of its columns; one
sentence saying what the file looks like is what the person needs.
"""

from __future__ import annotations

from services.importing.formats import ENTITIES, FORMATS, Entity

_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def looks_like(names: list[str], chosen: Entity) -> str | None:
    """A sentence when the header ``names`` (stripped, lower case) belong to another kind of
    file than ``chosen``, or are joined by another separator than the comma; else None."""
    separated = _other_separator(names, chosen)
    if separated is not None:
        return separated
    fits = {entity: _known(names, entity) for entity in ENTITIES}
    best = max(ENTITIES, key=lambda entity: fits[entity])
    if best != chosen and fits[best] > fits[chosen] and 2 * fits[best] > len(names):
        return (
            f"this looks like {_a(best)} file, not {_a(chosen)} file: its header names the "
            f"{best} columns ({_listed(names, best)}); choose {best}, or import the "
            f"{chosen} file"
        )
    return None


def _a(entity: Entity) -> str:
    return f"{'an' if entity[0] in 'aeiou' else 'a'} {entity}"


def _known(names: list[str], entity: Entity) -> int:
    columns = {column.name for column in FORMATS[entity].columns}
    return sum(1 for name in set(names) if name in columns)


def _listed(names: list[str], entity: Entity) -> str:
    columns = {column.name for column in FORMATS[entity].columns}
    mine = [name for name in names if name in columns]
    return ", ".join(mine[:4]) + (", …" if len(mine) > 4 else "")


def _other_separator(names: list[str], chosen: Entity) -> str | None:
    if len(names) != 1:
        return None
    columns = {column.name for column in FORMATS[chosen].columns}
    for separator, called in _SEPARATORS.items():
        parts = [part.strip().strip('"') for part in names[0].split(separator)]
        if len(parts) > 1 and sum(1 for part in parts if part in columns) >= 2:
            return (
                f"the columns are separated by {called}, not commas; save the file as CSV "
                "(comma-separated) UTF-8 and import it again"
            )
    return None
