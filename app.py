"""Assurance Desk entry point: page config, sign-in, the role's pages via st.navigation."""

import streamlit as st

from ui import auth, navigation, wiring
from ui.gate import show_only

st.set_page_config(page_title="Assurance Desk", page_icon=":material/verified_user:", layout="wide")
wiring.require_database()

actor = auth.signed_in_actor()
if actor is None:
    # The sign-in screen alone: no page of the console is reachable, whatever the URL.
    show_only(auth.sign_in_screen, "Sign in", ":material/login:")
auth.show_session_bar(actor)

screens = navigation.screens_for(actor.role)
if not screens:
    show_only(auth.no_screens, "Assurance Desk", ":material/info:")
sections: dict[str, list[st.Page]] = {}
for index, screen in enumerate(screens):
    page = st.Page(screen.path, title=screen.title, icon=screen.icon, default=index == 0)
    sections.setdefault(screen.section, []).append(page)
st.navigation(sections).run()
