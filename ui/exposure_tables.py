"""The exposure page's supplier tables as text (money, shares, utilisation), one row each."""

from __future__ import annotations

import pandas as pd

from ui import figure_widgets as w
from ui.supplier_tables import utilisation_text

__all__ = ["largest", "limits", "who"]


def who(frame: pd.DataFrame) -> list[str]:
    """Name, id and country in one cell, so the figures keep their room on a narrow screen."""
    countries = frame["supplier_country"] if "supplier_country" in frame else [""] * len(frame)
    return [
        f"{name} · {ref}" + (f" · {country}" if country else "")
        for name, ref, country in zip(
            frame["supplier_name"], frame["supplier"], countries, strict=True
        )
    ]


def limits(frame: pd.DataFrame) -> pd.DataFrame:
    """The limit ledger of the suppliers near or over their limit."""
    return pd.DataFrame(
        {
            "Supplier": who(frame),
            "Limit": w.money_column(frame, "limit_cents"),
            "Exposure": w.money_column(frame, "exposure_cents"),
            "Headroom": w.money_column(frame, "headroom_cents"),
            "Utilisation": [utilisation_text(u) for u in frame["utilisation"]],
        }
    )


def largest(frame: pd.DataFrame) -> pd.DataFrame:
    """The largest exposures and their share of the programme's."""
    return pd.DataFrame(
        {
            "Supplier": who(frame),
            "Exposure": w.money_column(frame, "exposure_cents"),
            "Share": ["–" if pd.isna(s) else f"{s:.2%}" for s in frame["share"]],
            "Utilisation": [utilisation_text(u) for u in frame["utilisation"]],
        }
    )
