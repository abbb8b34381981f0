"""The one place settings are read from, for the app, the CLI and Alembic alike."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The embedded demo database: a SQLite file under ``data/`` of the directory the app starts in.
EMBEDDED_DATABASE_PATH = Path("data") / "assurance.db"
EMBEDDED_DATABASE_URL = f"sqlite:///{EMBEDDED_DATABASE_PATH.as_posix()}"


def zone_named(name: str) -> tzinfo:
    """The IANA time zone ``name`` (``UTC`` is the exact :data:`datetime.UTC`)."""
    if name.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not an IANA time zone name (for example UTC or Asia/Shanghai)"
        ) from None


class Settings(BaseSettings):
    """Read from ``ASSURANCE_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="ASSURANCE_", env_file=".env", extra="ignore")

    database_url: str = EMBEDDED_DATABASE_URL
    #: The bundled policy (rules/policies/) in force while the database holds no active
    #: version; after an activation the database decides (services.policy.active).
    policy_version: str = "v1"
    #: The programme's calendar: the zone whose days decide whether a shipment is late, how many
    #: days late, and which day, week or month an order or claim counts in (DESIGN.md §4).
    programme_timezone: str = "UTC"
    #: Freeze the app's clock at this instant (ISO 8601 with a zone). For demos recorded on a
    #: fixed day and for tests, which never read the wall clock; empty in production.
    clock: datetime | None = None

    @field_validator("programme_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone_named(value)
        return value

    @field_validator("clock", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # "Leave it empty in production": ``ASSURANCE_CLOCK=`` (a .env line, a compose file's
        # unset variable) means no frozen clock, not a malformed instant.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("clock")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("ASSURANCE_CLOCK needs a time zone, e.g. 2025-03-05T09:30:00Z")
        return None if value is None else value.astimezone(UTC)

    @property
    def is_embedded_demo(self) -> bool:
        """True only for the embedded SQLite default, the one database a demo sign-in may open."""
        return self.database_url == EMBEDDED_DATABASE_URL

    @property
    def zone(self) -> tzinfo:
        """The programme's time zone (see ``programme_timezone``)."""
        return zone_named(self.programme_timezone)


def get_settings() -> Settings:
    return Settings()
