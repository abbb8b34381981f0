"""Ops manager: load suppliers, orders or claims from a CSV file (docs/import-format.md)."""

from pathlib import PurePath

import pandas as pd
import streamlit as st

from services.auth import NotAllowed
from services.importing import (
    ENTITIES,
    FORMATS,
    ImportFailed,
    ImportResult,
    first_empty_kind,
    import_file,
    printable,
    problems_csv,
)
from ui import auth, data, format, wiring
from ui.text import plain

#: Four lines of a problem's sentence: at 900 px the longest common ones ("the row has 18
#: values but the header names 17 columns (a comma inside …)") take four.
PROBLEM_ROW_PX = 88
#: The problems shown before the table scrolls, below its header row.
PROBLEM_ROWS_SHOWN = 6
HEADER_PX = 40

actor = auth.require_screen("pages/import_data.py")
st.title("Import data")
st.caption(
    "Load your marketplace's suppliers, orders and claims from CSV files. The whole file is "
    "checked: a file with any problem writes nothing. Importing the same file again "
    "changes nothing; a changed row updates its record."
)

# Suppliers come first, then orders, then claims: offer the first kind with nothing imported
# yet (orders, the daily file, once every kind has rows). The key keeps a choice made on this
# page when the default moves after an import.
default = first_empty_kind(wiring.session_factory()) or "orders"
chosen = st.segmented_control(
    "What the file holds",
    ENTITIES,
    default=default,
    format_func=str.capitalize,
    key="import_kind",
    required=True,  # a click on the chosen kind keeps it (it cleared it, hiding the uploader)
)
entity = chosen or default
with st.expander(f"The {entity} file format"):
    st.dataframe(
        pd.DataFrame(
            {
                "Column": [c.name for c in FORMATS[entity].columns],
                "Required": ["yes" if c.required else "no" for c in FORMATS[entity].columns],
                "Meaning": [c.meaning for c in FORMATS[entity].columns],
                "Example": [c.example for c in FORMATS[entity].columns],
            }
        ),
        hide_index=True,
    )
    st.caption(
        "UTF-8, comma-separated, a header line first. Amounts in US dollars as decimal text "
        "(1234.50). Times in ISO 8601 with Z or an offset (2025-03-01T09:30:00Z); dates as "
        "2025-03-01. Suppliers before their orders, orders before their claims."
    )

upload = st.file_uploader("CSV file", type=["csv"])
dry_run = st.toggle("Dry run: check the file and count the changes, write nothing")
if (
    st.button("Check file" if dry_run else "Import", type="primary", disabled=upload is None)
    and upload is not None
):
    # The file is read once: each part checked, then written (or its changes counted).
    stage = "Checking and counting the changes…" if dry_run else "Checking and writing…"
    bar = st.progress(0.0, text=stage)

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0), text=stage)

    try:
        result = import_file(
            wiring.session_factory(),
            actor,
            entity,
            upload,
            file_name=upload.name,
            now=wiring.now(),
            dry_run=dry_run,
            progress=progress,
        )
    except NotAllowed as error:
        bar.empty()
        auth.show_not_allowed(error)
        st.stop()
    except ImportFailed as error:
        bar.empty()
        st.error(plain(str(error)))
        st.stop()
    bar.empty()
    if result.written:
        data.clear_read_caches()
    # Kept for the reruns a download click causes, so the problem table stays on screen.
    st.session_state["import_result"] = (entity, upload.file_id, result)

# Kept across the reruns a download click causes, but only beside the file it belongs to.
kept = st.session_state.get("import_result")
shown: ImportResult | None = None
if kept is not None and upload is not None and kept[:2] == (entity, upload.file_id):
    shown = kept[2]
if shown is not None:
    source = plain(printable(shown.file_name))
    # A file refused at its header has no rows read: "1 problem in x.csv", not "in 0 rows".
    what = f"{shown.rows_read} from {source}" if shown.rows else source
    if not shown.ok:
        st.error(
            f"{format.count(shown.problem_count, 'problem')} in {what}: nothing was written. "
            "Fix the file and import it again.",
            icon=":material/error:",
        )
    elif shown.dry_run:
        st.info(f"Checked {what}: no problems. Nothing was written (dry run).")
    else:
        st.success(f"Imported {what}.")
    if shown.ok:
        rows, new, updated, unchanged = st.columns(4)
        rows.metric("Rows", f"{shown.rows:,}")
        new.metric("New" if shown.written else "Would be new", f"{shown.inserted:,}")
        updated.metric("Updated" if shown.written else "Would change", f"{shown.updated:,}")
        unchanged.metric("Unchanged", f"{shown.unchanged:,}")
        for note in shown.notes:
            st.caption(plain(note.capitalize()))
    else:
        if shown.problem_count > len(shown.problems):
            st.caption(f"The first {format.count(len(shown.problems), 'problem')}, by line:")
        st.dataframe(
            pd.DataFrame(
                {
                    "Line": [p.line for p in shown.problems],
                    "Column": [p.column for p in shown.problems],
                    "Problem": [p.message for p in shown.problems],
                }
            ),
            hide_index=True,
            # The sentence is what people read: it alone grows into the page's width (pinned
            # columns keep theirs), from what fits beside the others in a 900 px window, and
            # wraps over four lines (Streamlit wraps a cell's text only in rows taller than
            # 4rem), so no window needs a sideways scroll to read it.
            column_config={
                "Line": st.column_config.NumberColumn(format="%d", width=56, pinned=True),
                "Column": st.column_config.TextColumn(width=150, pinned=True),
                "Problem": st.column_config.TextColumn(width=230),
            },
            row_height=PROBLEM_ROW_PX,
            height=HEADER_PX + min(len(shown.problems), PROBLEM_ROWS_SHOWN) * PROBLEM_ROW_PX,
        )
        st.download_button(
            "Download the problems (CSV)",
            problems_csv(shown.problems),
            file_name=f"{printable(PurePath(shown.file_name).stem)}-problems.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",  # a download changes nothing on the screen: no rerun
        )
