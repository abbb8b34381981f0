"""Text from data is shown as text: escape it before it meets a markdown renderer."""

from __future__ import annotations

import re

# Everything CommonMark (and Streamlit's extensions: $math$, :emoji:, ~~strike~~) treats as syntax.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def plain(text: str) -> str:
    """``text`` escaped so st.markdown, captions and labels render it literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
