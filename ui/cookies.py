"""Browser cookies of the sign-in: read from the request that opened the session, set by the page.

Streamlit lets a script read the cookies the browser sent when the session's connection opened
(``st.context.cookies``) but has no way to set one from the server. So a write is queued in the
session and a tiny script in the page (``st.html`` with JavaScript, in the main document) applies
it. The queued writes are rendered again on every run: a run cut short by a rerun or a page switch
loses none, and writing the same cookie twice changes nothing.

Names and values are limited to characters that need no quoting in a cookie or in JavaScript, so
no text from a request or the database can reach the script.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import streamlit as st

#: The session-state key of the queued writes.
WRITES = "_browser_cookie_writes"
#: Set by a write or a deletion until a run has drawn it (``settling``).
_UNSEEN = "_browser_cookie_unseen"
_NAME = re.compile(r"[A-Za-z0-9._~-]{1,100}")
_VALUE = re.compile(r"[A-Za-z0-9._~=-]{1,3000}")


def read(name: str) -> str | None:
    """The cookie ``name`` as the browser sent it when this session connected (None: absent)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else None


def write(name: str, value: str, max_age: timedelta, *, same_site: str = "Strict") -> None:
    """Have the browser keep ``name=value`` for ``max_age`` (from the next render on)."""
    if not _NAME.fullmatch(name) or not _VALUE.fullmatch(value):
        raise ValueError("cookie names and values are plain tokens")
    if same_site not in ("Strict", "Lax"):
        raise ValueError("SameSite is Strict or Lax")
    seconds = int(max_age.total_seconds())
    _queue()[name] = f"{name}={value}; Path=/; Max-Age={seconds}; SameSite={same_site}"
    st.session_state[_UNSEEN] = True


def delete(name: str) -> None:
    """Have the browser forget ``name`` (from the next render on)."""
    if not _NAME.fullmatch(name):
        raise ValueError("cookie names are plain tokens")
    _queue()[name] = f"{name}=; Path=/; Max-Age=0; SameSite=Lax"
    st.session_state[_UNSEEN] = True


def render_writes() -> None:
    """Render the queued writes as one invisible script (nothing when none are queued)."""
    writes = _queue()
    if not writes:
        return
    # json.dumps quotes each line for JavaScript; "<" is escaped so no "</script>" can appear.
    lines = json.dumps(sorted(writes.values())).replace("<", "\\u003c")
    secure = '(location.protocol === "https:" ? "; Secure" : "")'
    st.html(
        f"<script>for (const c of {lines}) {{ document.cookie = c + {secure}; }}</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def settling() -> bool:
    """Whether this run is the first to draw a write or a deletion (once per change). Such a
    run must not switch page at once: when the run after the demo sign-in went from the root
    to the first screen, the browser kept the cookie in only 1 of 4 sign-ins (Chromium, 4 Dec
    2026), though the next run drew the same script again."""
    return bool(st.session_state.pop(_UNSEEN, False))


def _queue() -> dict[str, str]:
    writes = st.session_state.get(WRITES)
    if not isinstance(writes, dict):
        writes = {}
        st.session_state[WRITES] = writes
    return writes
