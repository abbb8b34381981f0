"""Admin: who may sign in, and with which role."""

import pandas as pd
import streamlit as st

from services.auth import NotAllowed, Role
from services.users import ASSIGNABLE_ROLES, UserError, add_user, change_user, list_users
from ui import auth, wiring
from ui.labels import ROLE_LABELS, label
from ui.text import plain

actor = auth.require_screen("pages/users.py")
st.title("Users")
st.caption("People sign in with the company identity provider; this list decides their role.")

# A message set before st.rerun() is shown once on the run after it. It is markdown made with
# ``plain``, which shows an e-mail address as text: never turned into a mailto: link.
if flash := st.session_state.pop("users_flash", None):
    st.success(flash, icon=":material/check_circle:")


#: Each form's width: an e-mail address and a role fit on a line.
FORM_WIDTH = 380


def _role_label(role: Role) -> str:
    return label(ROLE_LABELS, role.value)


users = list_users(wiring.engine())
st.dataframe(
    pd.DataFrame(
        {
            "Email": [u.email for u in users],
            "Name": [u.display_name for u in users],
            "Role": [_role_label(u.role) for u in users],
            "Active": [u.is_active for u in users],
        }
    ),
    hide_index=True,
    column_config={"Active": st.column_config.CheckboxColumn(width=60)},
)

# Side by side where they fit, one above the other in a narrow window (two columns squeezed
# both forms to 200 px at 900 px with the sidebar open).
forms = st.container(horizontal=True, gap="medium")
add_col, change_col = forms.container(width=FORM_WIDTH), forms.container(width=FORM_WIDTH)
with add_col, st.form("add_user", clear_on_submit=True):
    st.subheader("Add a user")
    email = st.text_input("Email", key="new_user_email")
    name = st.text_input("Display name", key="new_user_name")
    role = st.selectbox("Role", ASSIGNABLE_ROLES, format_func=_role_label, key="new_user_role")
    if st.form_submit_button("Add user", type="primary"):
        try:
            added = add_user(wiring.session_factory(), actor, email, role, name, now=wiring.now())
        except (UserError, NotAllowed) as error:
            st.error(plain(str(error)))
        else:
            st.session_state["users_flash"] = (
                f"Added {plain(added.email)} as {_role_label(added.role).lower()}."
            )
            st.rerun()

with change_col, st.container(border=True):
    st.subheader("Change a user")
    by_id = {u.id: u for u in users}
    user_id = st.selectbox(
        "User",
        list(by_id),
        # Select options are plain text, not markdown: shown as they are.
        # The name first: a narrow box cuts the end, and the address is the longer part.
        format_func=lambda i: f"{by_id[i].display_name} ({by_id[i].email})",
        key="change_user_id",
    )
    current = by_id[user_id]
    # Keyed by user so the form opens on that user's current role and state, never a default.
    with st.form(f"change_user_{user_id}", border=False):
        new_role = st.selectbox(
            "Role",
            ASSIGNABLE_ROLES,
            index=ASSIGNABLE_ROLES.index(current.role),
            format_func=_role_label,
            key=f"change_user_role_{user_id}",
        )
        active = st.toggle("Active", value=current.is_active, key=f"change_user_active_{user_id}")
        if st.form_submit_button("Save"):
            try:
                changed = change_user(
                    wiring.session_factory(),
                    actor,
                    user_id,
                    role=new_role,
                    is_active=active,
                    now=wiring.now(),
                )
            except (UserError, NotAllowed) as error:
                st.error(plain(str(error)))
            else:
                st.session_state["users_flash"] = f"Saved {plain(changed.email)}."
                st.rerun()
