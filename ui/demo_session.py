"""The demo sign-in kept across reloads and tabs: a cookie naming the user, signed by the server.

Only the embedded demo database uses it (``ui.auth`` never reads it elsewhere). The cookie holds
the chosen demo email and an expiry, with an HMAC-SHA256 over both under a key that this
installation generates once into ``data/`` beside the embedded database (git-ignored, mode 0600):
a browser can keep the token but cannot forge or alter one, and a token from another
installation fails the check. The token only says *who*; the role is read from the users table
on every run, so a disabled demo user is refused however valid the token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from data_access.settings import EMBEDDED_DATABASE_PATH

DEMO_DOMAIN = "@demo.assurance.test"
COOKIE = "assurance_demo"
LIFETIME = timedelta(days=30)
KEY_PATH = EMBEDDED_DATABASE_PATH.parent / "demo-sign-in.key"
_PURPOSE = b"assurance-desk demo sign-in v1\n"
_KEY_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_=-]{1,600}\.[0-9a-f]{64}")


def issue(email: str, now: datetime, key_path: Path = KEY_PATH) -> str:
    """A token naming ``email`` until ``now + LIFETIME``."""
    expires = int((now + LIFETIME).timestamp())
    payload = _b64(f"{email}\n{expires}".encode())
    return f"{payload}.{_mac(_key(key_path), payload)}"


def verified_email(token: str | None, now: datetime, key_path: Path = KEY_PATH) -> str | None:
    """The demo email a genuine, unexpired token names; None for anything else."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    payload, mac = token.split(".")
    if not hmac.compare_digest(mac, _mac(_key(key_path), payload)):
        return None
    try:
        email, expires = base64.urlsafe_b64decode(payload.encode()).decode().split("\n")
        expired = now.timestamp() >= int(expires)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return email if not expired and email.endswith(DEMO_DOMAIN) else None


def _mac(key: bytes, payload: str) -> str:
    return hmac.new(key, _PURPOSE + payload.encode(), hashlib.sha256).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _key(path: Path) -> bytes:
    """This installation's signing key, created on first use (only its owner may read it)."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_hex(_KEY_BYTES).encode() + b"\n")
    finally:
        os.close(fd)
    try:
        # Linking fails if the key exists: two first sign-ins at once agree on one key.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < _KEY_BYTES:
        raise ValueError(f"{path} holds no usable key; delete it to have a new one made")
    return key
