"""The simulation as people read it: a comparison table (CLI), rows for the page, a CSV."""

from __future__ import annotations

import csv
import io

from rules import format_money
from services.csv_export import money_cell, spreadsheet_safe
from services.policy.simulate import Simulation

__all__ = [
    "CHANGED_COLUMNS",
    "LOSS_RATIO_DEFINITION",
    "changed_claims_csv",
    "comparison_rows",
    "format_simulation",
]

LOSS_RATIO_DEFINITION = (
    "Loss ratio = recommended refunds on the period's claims ÷ covered amount of the orders "
    "placed in the same period and not cancelled by its end (the period's order cohort). Both "
    "policies are applied to the same claims on the same day, so the difference is the "
    "policy's alone."
)
CHANGED_COLUMNS = (
    "claim", "kind", "supplier_tier", "status", "current_action", "current_amount",
    "simulated_action", "simulated_amount", "change",
)  # fmt: skip

_MEASURES = (
    ("Claims", "claims"),
    ("Approvals", "approvals"),
    ("Rejections", "rejections"),
    ("Evidence requests", "evidence_requests"),
    ("Four-eyes reviews", "four_eyes"),
)


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def comparison_rows(sim: Simulation) -> list[tuple[str, str, str, str]]:
    """(measure, active policy, draft, change) for the whole period, as text."""
    now, new = sim.total.current, sim.total.simulated
    rows = [
        (label, str(getattr(now, attr)), str(getattr(new, attr)),
         f"{getattr(new, attr) - getattr(now, attr):+d}")
        for label, attr in _MEASURES
    ]  # fmt: skip
    delta = new.refunds_cents - now.refunds_cents
    sign = "+" if delta >= 0 else "−"
    rows.append(("Total refunds", format_money(now.refunds_cents), format_money(new.refunds_cents),
                 sign + format_money(abs(delta))))  # fmt: skip
    before, after = sim.loss_ratio(simulated=False), sim.loss_ratio(simulated=True)
    change = "n/a" if before is None or after is None else f"{(after - before) * 100:+.2f} pp"
    rows.append(("Loss ratio", _ratio(before), _ratio(after), change))
    return rows


def format_simulation(sim: Simulation) -> str:
    """The CLI's comparison: the headline table, then how many claims change."""
    head = ("", f"active {sim.active_version}", f"draft {sim.draft_version}", "change")
    rows = [head, *comparison_rows(sim)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        f"Claims filed {sim.first} to {sim.last}, recommended as of {sim.today}.",
        "",
        *("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows),
        "",
        f"{len(sim.changed)} claims would change action or amount.",
        LOSS_RATIO_DEFINITION,
    ]
    return "\n".join(lines)


def changed_claims_csv(sim: Simulation) -> str:
    """The claims whose action or amount would change, as CSV text (amounts in major units)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CHANGED_COLUMNS)
    for c in sim.changed:
        writer.writerow(
            (spreadsheet_safe(c.external_id), c.kind, c.supplier_tier, c.status,
             c.current_action.value, money_cell(c.current_cents), c.simulated_action.value,
             money_cell(c.simulated_cents), money_cell(c.change_cents))
        )  # fmt: skip
    return out.getvalue()
