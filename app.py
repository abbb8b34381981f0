"""Assurance Desk entry point: page config, sign-in, the role's pages via st.navigation."""

import streamlit as st

from ui import auth, cookies, deep_link, navigation, wiring
from ui.gate import entered_through_app, show_only


def main() -> None:
    st.set_page_config(
        page_title="Assurance Desk", page_icon=":material/verified_user:", layout="wide"
    )
    entered_through_app()
    wiring.configure_process()
    wiring.require_database()

    actor = auth.signed_in_actor()
    if actor is None:
        # The sign-in screen alone, at any screen's URL: no page of the console is reachable,
        # and the page and parameters asked for are kept for after the sign-in.
        deep_link.show_sign_in(auth.sign_in_screen)
    auth.show_session_bar(actor)

    screens = navigation.screens_for(actor.role)
    if not screens:
        show_only(auth.no_screens, "Assurance Desk", ":material/info:")
    # The first screen is the default page (the root) only on a run that lands a cookie (the
    # demo sign-in's) at the root: otherwise a hidden home page is, so that every screen, the
    # first too, also answers at its own URL (deep_link.home). A sign-in at the first screen's
    # URL runs it there (as the default, the address fell back to the root).
    settling = cookies.settling() and not deep_link.asked_at(screens[0].path)
    pages = {
        screen.path: st.Page(
            screen.path,
            title=screen.title,
            icon=screen.icon,
            default=settling and index == 0,
            visibility="hidden" if screen.hidden else "visible",
        )
        for index, screen in enumerate(screens)
    }
    sections: dict[str, list[st.Page]] = {}
    for screen in screens:
        sections.setdefault(screen.section, []).append(pages[screen.path])
    first = pages[screens[0].path]
    home = [] if settling else [deep_link.home(first)]
    sections[screens[0].section] += [*home, *deep_link.elsewhere(actor, first, settling=settling)]
    shown = st.navigation(sections)
    deep_link.follow(actor, shown, pages, through_provider=auth.oidc_configured())
    try:
        shown.run()
    finally:  # also when the page stops or reruns the script
        wiring.settle_heap()


# Streamlit runs this script as "__main__". The policy simulator's worker processes
# (services.workers) import it as "__mp_main__", as multiprocessing does with a main module:
# there it must define, not draw.
if __name__ == "__main__":
    main()
