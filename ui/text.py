"""Text from data is shown as text: escape it before it meets a markdown renderer."""

from __future__ import annotations

import re

# Everything CommonMark (and Streamlit's extensions: $math$, :emoji:, ~~strike~~) treats as syntax.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")
# GitHub-flavoured markdown turns a bare e-mail address, http(s):// address or www. name into a
# link *after* escapes are resolved, so no backslash stops it; a word that could be one is
# shown as a code span instead, which is never linked.
_LINKABLE = re.compile(r"@|://|(?:^|[^\w])www\.", re.IGNORECASE)
_WORDS = re.compile(r"(\s+)")


def literal(text: str) -> str:
    """``text`` as a markdown code span: shown exactly, never markup and never a link."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space each side, so a span may start or end with a backtick.
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str) -> str:
    """``text`` escaped so st.markdown, captions and labels render it literally, links included."""
    return "".join(
        literal(part)
        if part.strip() and _LINKABLE.search(part)
        else _MARKDOWN_SPECIAL.sub(r"\\\1", part)
        for part in _WORDS.split(text)
    )
