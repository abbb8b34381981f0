"""The one place the application reads the time: the app and the CLI ask here, services are
handed ``now``/``today`` by their callers, and tests never read the wall clock (they freeze it
with ``ASSURANCE_CLOCK`` or pass instants in). Also how an instant or a day is written for a
reader, so a service's message and a screen write it alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from data_access.settings import Settings, get_settings
from rules import format_day


def now(settings: Settings | None = None) -> datetime:
    """The current instant in UTC, or the frozen one when ``ASSURANCE_CLOCK`` is set."""
    frozen = (settings or get_settings()).clock
    return frozen if frozen is not None else datetime.now(UTC)


def today(settings: Settings | None = None) -> date:
    """Today in the programme's time zone: the calendar every figure and rule counts in."""
    settings = settings or get_settings()
    return now(settings).astimezone(settings.zone).date()


def zone(settings: Settings | None = None) -> tzinfo:
    """The programme's time zone (``ASSURANCE_PROGRAMME_TIMEZONE``, UTC by default)."""
    return (settings or get_settings()).zone


def day_of(moment: datetime, settings: Settings | None = None) -> date:
    """The programme's calendar day of an instant."""
    return moment.astimezone(zone(settings)).date()


def written(moment: datetime, zone: tzinfo) -> str:
    """An instant as a reader sees it, in their ``zone``: ``3 Mar 2025, 14:05``."""
    local = moment.astimezone(zone)
    return f"{format_day(local)}, {local:%H:%M}"
