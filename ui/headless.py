"""The app run headless (Streamlit's AppTest), signed in through OIDC as a given user.

AppTest never talks to an identity provider: it seeds ``st.user`` itself, as a provider's
verified sign-in would. The test suite and ``assurance bench`` open the app this way; the
[auth] values below only make the app take its OIDC path and are never sent anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from streamlit.testing.v1 import AppTest

__all__ = ["APP", "OIDC_SECRETS", "ROOT", "open_app", "open_link"]

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")

#: An OIDC provider as configured in production; AppTest never talks to it, it seeds st.user.
OIDC_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret",
    "client_id": "assurance-desk",
    "client_secret": "test-only-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def open_app(
    email: str | None, page: str | None = None, *, oidc: bool = True, timeout: float = 30
) -> AppTest:
    """Run the app signed in through OIDC as ``email`` (None: not signed in)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if oidc:
        at.secrets["auth"] = OIDC_SECRETS
    at.user = (
        {"is_logged_in": email is not None, "email": email} if email else {"is_logged_in": False}
    )
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def open_link(
    email: str, page: str, params: Mapping[str, str] | None = None, *, timeout: float = 30
) -> AppTest:
    """The app as a signed-in user's browser opens a link to ``page`` with ``params``: ready
    for its one run (not run yet, so the caller can time it)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": email}
    at.query_params.update(params or {})
    at.switch_page(page)
    return at
