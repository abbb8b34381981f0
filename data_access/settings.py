"""The one place settings are read from, for the app, the CLI and Alembic alike."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

#: The embedded demo database: a SQLite file under ``data/`` of the directory the app starts in.
EMBEDDED_DATABASE_PATH = Path("data") / "assurance.db"
EMBEDDED_DATABASE_URL = f"sqlite:///{EMBEDDED_DATABASE_PATH.as_posix()}"


class Settings(BaseSettings):
    """Read from ``ASSURANCE_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="ASSURANCE_", env_file=".env", extra="ignore")

    database_url: str = EMBEDDED_DATABASE_URL
    #: The active refund policy (a file under rules/policies/); a change is a new version.
    policy_version: str = "v1"

    @property
    def is_embedded_demo(self) -> bool:
        """True only for the embedded SQLite default, the one database a demo sign-in may open."""
        return self.database_url == EMBEDDED_DATABASE_URL


def get_settings() -> Settings:
    return Settings()
