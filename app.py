"""Assurance Desk entry point: page config, database check, navigation — nothing else."""

import streamlit as st

from ui import wiring

st.set_page_config(page_title="Assurance Desk", page_icon=":material/verified_user:", layout="wide")

wiring.require_database()

navigation = st.navigation(
    {
        "Operations": [
            st.Page(
                "pages/overview.py", title="Overview", icon=":material/monitoring:", default=True
            ),
        ],
    }
)
navigation.run()
