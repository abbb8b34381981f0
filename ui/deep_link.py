"""Deep links through the sign-in: the page and query parameters a visitor asked for.

Before sign-in, every screen's URL shows the sign-in screen (not "Page not found") and keeps its
query parameters, and the request is remembered in the session. The demo sign-in happens in that
session; the OIDC sign-in leaves the app for the provider and comes back to its root in a new
session, so the request also travels in a short-lived cookie. After sign-in the person lands on
what they asked for when their role may open it, and on their first screen with a note if not.

Nothing from a URL or a cookie is trusted beyond a page path listed in ``ui.navigation`` and
query parameters kept as plain strings.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn
from urllib.parse import parse_qsl, urlencode

import streamlit as st

from services.auth import Actor
from ui import cookies, navigation
from ui.labels import ROLE_LABELS, label

NEXT_COOKIE = "assurance_next"
#: Long enough to sign in at the provider, short enough not to surprise a later visit.
NEXT_LIFETIME = timedelta(minutes=10)
MAX_PARAMS = 20
MAX_TEXT = 200
_PAGE_KEY = "_page"
_TARGET = "_sign_in_target"
_NEXT_READ = "_sign_in_next_cookie_read"
_NOTE = "_sign_in_not_for_role"
_ARMED = "_sign_in_switch_armed"
#: Long enough for the browser to run a cookie script drawn in the same run.
_SWITCH_DELAY = timedelta(milliseconds=300)
#: Streamlit's own parameters: it keeps them through a page switch itself.
_STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})


@dataclass(frozen=True, slots=True)
class Target:
    """A screen (its path in ``ui.navigation``; "" for the role's first screen) and parameters."""

    path: str
    params: tuple[tuple[str, str], ...]


def target(path: str, params: Iterable[tuple[str, str]]) -> Target | None:
    """The request if it names a known screen (or none) with plain parameters; None otherwise."""
    if path and path not in {s.path for s in navigation.SCREENS}:
        return None
    kept: list[tuple[str, str]] = []
    for name, value in params:
        if not isinstance(name, str) or not isinstance(value, str):
            return None
        if name in _STREAMLIT_PARAMS or name == _PAGE_KEY:
            continue
        if not name or len(name) > MAX_TEXT or len(value) > MAX_TEXT or len(kept) >= MAX_PARAMS:
            return None
        kept.append((name, value))
    if not path and not kept:
        return None  # the root and nothing else: nothing to remember
    return Target(path, tuple(kept))


def encode(wanted: Target) -> str:
    """The target as a cookie-safe token."""
    query = urlencode([(_PAGE_KEY, wanted.path), *wanted.params])
    return base64.urlsafe_b64encode(query.encode()).decode()


def decode(token: str | None) -> Target | None:
    """The target a token names, re-checked as if it came from a URL; None for anything else."""
    if not token or len(token) > 8 * MAX_PARAMS * MAX_TEXT:
        return None
    try:
        pairs = parse_qsl(
            base64.urlsafe_b64decode(token.encode()).decode(),
            keep_blank_values=True,
            strict_parsing=True,
            max_num_fields=MAX_PARAMS + 1,
        )
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not pairs or pairs[0][0] != _PAGE_KEY:
        return None
    return target(pairs[0][1], pairs[1:])


def url_path(screen_path: str) -> str:
    """The URL path Streamlit gives the screen's page (``pages/claim.py`` → ``claim``)."""
    return st.Page(screen_path).url_path


def show_sign_in(render: Callable[[], None]) -> NoReturn:
    """The sign-in screen at the app's root and at the URL of every screen, remembering which.

    A URL of a screen that is not registered makes Streamlit say "Page not found" and fall back
    to the root without its parameters; a hidden stand-in per screen keeps both.
    """
    title, icon = "Sign in", ":material/login:"
    root = st.Page(render, title=title, icon=icon, default=True)
    stand_ins = {url_path(s.path): s.path for s in navigation.SCREENS}
    pages = [root] + [st.Page(render, title=title, icon=icon, url_path=path) for path in stand_ins]
    shown = st.navigation(pages, position="hidden")
    st.session_state[_TARGET] = target(stand_ins.get(shown.url_path, ""), _query_params())
    shown.run()
    cookies.render_writes()
    st.stop()
    raise AssertionError("st.stop() raises")


def remembered() -> Target | None:
    """What the visitor on the sign-in screen asked for (None: just the app)."""
    wanted = st.session_state.get(_TARGET)
    return wanted if isinstance(wanted, Target) else None


def asked_at(path: str) -> bool:
    """Whether the visitor on the sign-in screen asked for the screen at ``path``: the demo
    sign-in's run is then at that screen's URL."""
    wanted = remembered()
    return wanted is not None and wanted.path == path


def carry_through_provider() -> None:
    """Keep the request across the identity provider's round trip, which returns to the root."""
    wanted = remembered()
    if wanted is None:
        cookies.delete(NEXT_COOKIE)
    else:
        cookies.write(NEXT_COOKIE, encode(wanted), NEXT_LIFETIME, same_site="Lax")


def home(first: st.Page) -> st.Page:
    """The app's root once signed in: a hidden page that opens the role's first screen at its
    own URL, with the root's query parameters.

    Streamlit serves its default page at the root only. Were the first screen the default, its
    own URL (``/overview`` bookmarked, or shared by someone whose first screen is another) would
    say "Page not found" over it; with this stand-in as the default, every screen answers at its
    URL, the first one too.
    """

    def open_first_screen() -> None:
        st.switch_page(first, query_params=_as_query_params(_query_params()))

    return st.Page(
        open_first_screen,
        title=first.title,
        icon=first.icon,
        url_path="home",
        default=True,
        visibility="hidden",
    )


def elsewhere(actor: Actor, first: st.Page, *, settling: bool) -> list[st.Page]:
    """Hidden pages at the URLs of the screens the role may not open.

    Opening one (a link shared by someone of another role) lands on the role's first screen
    with a note, where Streamlit would say "Page not found". They run no screen's code. On a
    run that draws a cookie write (``settling``: the demo sign-in at such a link) the switch
    waits until the page has been drawn, see :func:`_switch_once_drawn`.
    """

    def note_and_go_home(path: str) -> Callable[[], None]:
        def run() -> None:
            st.session_state[_NOTE] = path
            if settling:
                _switch_once_drawn(first)
            else:
                st.switch_page(first)

        return run

    return [
        st.Page(
            note_and_go_home(s.path),
            title=s.title,
            icon=s.icon,
            url_path=url_path(s.path),
            visibility="hidden",
        )
        for s in navigation.SCREENS
        if actor.role not in s.roles
    ]


def _switch_once_drawn(page: st.Page) -> None:
    """Switch to ``page`` from a fragment's own rerun a moment after this run has been drawn.

    A switch in the run that first draws a cookie write cuts the run short before the browser
    runs the cookie script, and the next run's identical script is not run again: signed out
    at a link the exec role may not open, the demo sign-in lost its cookie in 4 of 6 Chromium
    runs (4 Dec 2026). The fragment first runs inside this run and only arms itself; its timed
    rerun, after the browser has drawn the page, switches.
    """
    st.caption("Opening your first screen…")
    st.session_state.pop(_ARMED, None)  # armed in this run, never by an earlier one

    @st.fragment(run_every=_SWITCH_DELAY)
    def switch_when_armed() -> None:
        if st.session_state.pop(_ARMED, False):
            st.switch_page(page)
        st.session_state[_ARMED] = True

    switch_when_armed()


def follow(
    actor: Actor, shown: st.Page, pages: Mapping[str, st.Page], *, through_provider: bool
) -> None:
    """Right after sign-in, go where the person asked to (once).

    ``shown`` is the page st.navigation chose for this run, ``pages`` the role's pages by screen
    path, its first screen first. Switching pages stops this run. On one of the role's pages,
    says why the person is not where their link pointed, if that is the case.
    """
    wanted = st.session_state.pop(_TARGET, None)
    if not isinstance(wanted, Target) and through_provider:
        wanted = _from_provider_round_trip()
    if isinstance(wanted, Target):
        if wanted.path and wanted.path not in pages:
            st.session_state[_NOTE] = wanted.path
            if shown not in pages.values():  # the stand-in of that page: it goes home itself
                return
        else:
            page = pages[wanted.path] if wanted.path else next(iter(pages.values()))
            if page is not shown or sorted(_query_params()) != sorted(wanted.params):
                st.switch_page(page, query_params=_as_query_params(wanted.params))
            # Already there: the demo sign-in reruns on the URL it was asked on.
    if shown in pages.values():
        _say_why_not_there(actor)


def _say_why_not_there(actor: Actor) -> None:
    path = st.session_state.pop(_NOTE, None)
    if not isinstance(path, str) or path not in {s.path for s in navigation.SCREENS}:
        return
    role = label(ROLE_LABELS, actor.role.value)
    st.info(
        f"The link was to the {navigation.screen(path).title} page, which the {role} role "
        "does not open, so here is your first screen.",
        icon=":material/info:",
    )


def _from_provider_round_trip() -> Target | None:
    """The request the OIDC sign-in screen left in a cookie: read once a session, then cleared."""
    if st.session_state.get(_NEXT_READ):
        return None
    st.session_state[_NEXT_READ] = True
    token = cookies.read(NEXT_COOKIE)
    if token is None:
        return None
    cookies.delete(NEXT_COOKIE)
    return decode(token)


def _query_params() -> list[tuple[str, str]]:
    return [(name, value) for name in st.query_params for value in st.query_params.get_all(name)]


def _as_query_params(params: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in params:
        grouped.setdefault(name, []).append(value)
    return grouped
