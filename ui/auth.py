"""Sign-in: OIDC via st.login in production, a demo sign-in only on the embedded database.

The acting user is resolved on every run from the verified identity (``st.user``) or the demo
choice, then looked up in the users table: the role always comes from the database. The demo
choice outlives a reload through a signed cookie (``ui.demo_session``), read only on the
embedded demo database without an [auth] section.
"""

from __future__ import annotations

import streamlit as st

from services.auth import Actor, NotAllowed
from services.users import ASSIGNABLE_ROLES, list_users, sign_in
from ui import cookies, deep_link, demo_session, navigation, wiring
from ui.demo_session import DEMO_DOMAIN
from ui.gate import through_navigation_only
from ui.labels import ROLE_LABELS, label
from ui.text import plain

_DEMO_KEY = "demo_user_email"
#: Set once the demo cookie of this session's first request was looked at: a later sign-out
#: must not be undone by the cookie the browser sent when the session opened.
_DEMO_COOKIE_READ = "demo_cookie_read"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def _refuse(message: str, *, offer_sign_out: bool) -> None:
    st.title("Assurance Desk")
    st.error(plain(message), icon=":material/block:")
    if offer_sign_out:
        st.button("Sign out", on_click=st.logout)


def _demo_sign_in(email: str) -> None:
    st.session_state[_DEMO_KEY] = email
    try:
        token = demo_session.issue(email, wiring.now())
    except (OSError, ValueError):  # no usable key: the sign-in lasts this session only
        return
    cookies.write(demo_session.COOKIE, token, demo_session.LIFETIME)


def _demo_sign_out() -> None:
    st.session_state.pop(_DEMO_KEY, None)
    st.session_state[_DEMO_COOKIE_READ] = True
    cookies.delete(demo_session.COOKIE)


def _demo_choice() -> str | None:
    """The demo user chosen in this session, or named by a genuine cookie when it opened."""
    chosen = st.session_state.get(_DEMO_KEY)
    if chosen is None and not st.session_state.get(_DEMO_COOKIE_READ):
        st.session_state[_DEMO_COOKIE_READ] = True
        try:
            chosen = demo_session.verified_email(cookies.read(demo_session.COOKIE), wiring.now())
        except (OSError, ValueError):  # no usable key: nobody is let in by a cookie
            chosen = None
        if chosen is not None:
            st.session_state[_DEMO_KEY] = chosen
    return chosen if isinstance(chosen, str) else None


def signed_in_actor() -> Actor | None:
    """The signed-in user, or None; renders nothing, so app.py can decide what to show."""
    if oidc_configured():
        if not st.user.is_logged_in or not _email_trusted():
            return None
        email = st.user.get("email")
        return sign_in(wiring.engine(), str(email) if email else None).actor
    if wiring.settings().is_embedded_demo:
        chosen = _demo_choice()
        return sign_in(wiring.engine(), chosen).actor if chosen else None
    return None


def sign_in_screen() -> None:
    """What a visitor who is not (or may not be) signed in sees instead of the console."""
    if oidc_configured():
        _oidc_screen()
    elif wiring.settings().is_embedded_demo:
        _demo_screen()
    else:
        _refuse(
            "Sign-in is not configured. Add an [auth] section for your OpenID Connect provider "
            "to .streamlit/secrets.toml (see the README, 'Sign-in'); the demo sign-in only "
            "works on the embedded demo database.",
            offer_sign_out=False,
        )


def _email_trusted() -> bool:
    """Roles are looked up by email: refuse an address the provider says it has not verified,
    or anyone could claim an admin's address at a provider that lets users type one."""
    return st.user.get("email_verified") is not False


def _oidc_screen() -> None:
    if st.user.is_logged_in and not _email_trusted():
        _refuse(
            "Your identity provider has not verified your email address, so Assurance Desk "
            "cannot tell which user you are. Verify it with the provider, then sign in again.",
            offer_sign_out=True,
        )
        return
    if not st.user.is_logged_in:
        deep_link.carry_through_provider()
        st.title("Assurance Desk")
        st.write("Sign in with your company account to open the buyer-protection console.")
        st.button("Sign in", type="primary", on_click=st.login, icon=":material/login:")
        return
    email = st.user.get("email")
    _refuse(sign_in(wiring.engine(), str(email) if email else None).refusal, offer_sign_out=True)


def _demo_screen() -> None:
    _demo_sign_out()  # a stale choice (user since disabled) must not linger
    demo_users = sorted(
        (u for u in list_users(wiring.engine()) if u.email.endswith(DEMO_DOMAIN)),
        key=lambda u: (ASSIGNABLE_ROLES.index(u.role), u.email),
    )
    st.title("Assurance Desk — demo")
    st.warning(
        "This is the embedded demo database with generated data. Pick a demo user to see the "
        "console as that role; production deployments sign in with your identity provider.",
        icon=":material/science:",
    )
    if not demo_users:
        _refuse(
            "The demo database has no demo users yet. Run `make run` to seed it.",
            offer_sign_out=False,
        )
        return
    labels = {
        u.email: f"{plain(u.display_name)} — {label(ROLE_LABELS, u.role.value)}" for u in demo_users
    }
    with st.form("demo_sign_in"):
        email = st.radio("Sign in as", list(labels), format_func=labels.__getitem__)
        if st.form_submit_button("Sign in", type="primary") and email is not None:
            _demo_sign_in(email)
            st.rerun()


def current_actor() -> Actor:
    """The signed-in user for a page; app.py has already shown the sign-in screen otherwise."""
    through_navigation_only()
    actor = signed_in_actor()
    if actor is None:
        st.stop()
    assert actor is not None
    return actor


def is_demo() -> bool:
    return not oidc_configured() and wiring.settings().is_embedded_demo


def show_session_bar(actor: Actor) -> None:
    """Who is signed in, as what, and the way out; with a banner in demo mode."""
    with st.sidebar:
        role = label(ROLE_LABELS, actor.role.value)
        st.caption(f"Signed in as **{plain(actor.display_name)}** · {role}")
        if is_demo():
            st.button("Switch demo user", on_click=_demo_sign_out, icon=":material/swap_horiz:")
        else:
            st.button("Sign out", on_click=st.logout, icon=":material/logout:")
        cookies.render_writes()
    if is_demo():
        st.info("Demo mode: generated data on the embedded database.", icon=":material/science:")


def require_screen(path: str) -> Actor:
    """Refuse a page to a role that may not see it, even if its URL is typed in by hand.

    app.py registers only the role's pages, so this is the second line of defence.
    """
    actor = current_actor()
    if actor.role not in navigation.screen(path).roles:
        st.error(f"The {actor.role.value.replace('_', ' ')} role cannot open this page.")
        st.stop()
    return actor


def show_not_allowed(error: NotAllowed) -> None:
    st.error(plain(str(error)), icon=":material/block:")


def no_screens() -> None:
    st.title("Assurance Desk")
    st.info("There are no screens for your role yet.")
