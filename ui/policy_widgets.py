"""The policy page's pieces: the parameter form, the simulation run and its results."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from rules import Policy, PolicyError, format_day, format_money
from services.policy.parameters import PARAMETERS, Parameter, value_of, with_values
from services.policy.report import (
    LOSS_RATIO_DEFINITION,
    changed_claims_csv,
    comparison_rows,
)
from services.policy.simulate import Simulation, simulate_period
from services.policy.versions import VersionInfo, list_versions
from ui import figure_widgets as w
from ui import format, wiring
from ui.figure_widgets import delta_args, money_change, points
from ui.labels import ACTION_LABELS, KIND_LABELS, STATUS_LABELS, label
from ui.text import plain

_UNIT_SUFFIX = {"days": "days", "working days": "working days", "count": "count",
                "rate": "%", "money": "USD"}  # fmt: skip


def _input(parameter: Parameter, policy: Policy) -> int:
    """One parameter's input in the unit people think in; returns the policy's integer."""
    value = value_of(policy, parameter.path)
    label = f"{parameter.label} ({_UNIT_SUFFIX[parameter.unit]})"
    key = f"policy_{policy.version}_{parameter.path}"  # a new active version resets the form
    if parameter.unit == "rate":
        shown = st.number_input(label, 0.0, 100.0, value / 100, 0.01, format="%.2f",
                                help=parameter.meaning, key=key)  # fmt: skip
        return round(shown * 100)
    if parameter.unit == "money":
        shown = st.number_input(label, 0.0, None, value / 100, 100.0, format="%.2f",
                                help=parameter.meaning, key=key)  # fmt: skip
        return round(shown * 100)
    number = st.number_input(label, parameter.low, parameter.high, value, 1,
                             help=parameter.meaning, key=key)  # fmt: skip
    return int(number)


def parameter_form(policy: Policy) -> dict[str, int]:
    """Every parameter, grouped, two columns; the values as the policy's integers."""
    values: dict[str, int] = {}
    groups: dict[str, list[Parameter]] = {}
    for parameter in PARAMETERS:
        groups.setdefault(parameter.group, []).append(parameter)
    for group, members in groups.items():
        st.markdown(f"**{plain(group)}**")
        left, right = st.columns(2)
        for i, parameter in enumerate(members):
            with left if i % 2 == 0 else right:
                values[parameter.path] = _input(parameter, policy)
    return values


def edited_policy(active: Policy, values: dict[str, int]) -> Policy | None:
    """The draft the form describes, or None after showing why it is not a valid policy."""
    try:
        return with_values(active, values, version="draft")
    except PolicyError as error:
        st.error(plain(f"Not a valid policy: {error.field or ''} {error.reason}".strip()),
                 icon=":material/error:")  # fmt: skip
        return None


def run_simulation(draft: Policy, active: Policy, first: date, last: date) -> Simulation:
    """Simulate with a progress bar that advances chunk by chunk."""
    bar = st.progress(0.0, text="Simulating…")

    def progress(done: int, total: int) -> None:
        bar.progress(
            done / total if total else 1.0, text=f"Simulating… {done:,} of {total:,} claims"
        )

    settings = wiring.settings()
    result = simulate_period(
        wiring.engine(), draft, active, first, last, today=wiring.today(),
        zone=settings.programme_timezone, progress=progress,
    )  # fmt: skip
    bar.empty()
    return result


def _span(sim: Simulation) -> str:
    if sim.first is None or sim.last is None:
        return "on any day"
    return f"{format_day(sim.first)} to {format_day(sim.last)}"


def results(sim: Simulation) -> None:
    st.subheader("Draft against the active policy")
    st.caption(plain(f"{format.count(sim.total.current.claims, 'claim filed', 'claims filed')} "
                     f"{_span(sim)}, recommended under both policies as of "
                     f"{format_day(sim.today)}."))  # fmt: skip
    now, new = sim.total.current, sim.total.simulated
    # Tiles as wide as their values, side by side where they fit and stacked where they do
    # not: a period's refunds run to ten figures, which two equal columns cut at 900 px.
    tiles = st.container(horizontal=True)
    # Signed with ASCII "-": Streamlit shows a delta starting with anything else as a rise.
    tiles.metric("Refunds, draft", format_money(new.refunds_cents), border=True, width="content",
                 **delta_args(money_change(new.refunds_cents, now.refunds_cents)))  # fmt: skip
    before, after = sim.loss_ratio(simulated=False), sim.loss_ratio(simulated=True)
    ratio_change = None if after is None or before is None else points(after - before)
    tiles.metric("Loss ratio, draft", "n/a" if after is None else f"{after:.2%}", border=True,
                 help=LOSS_RATIO_DEFINITION, width="content",
                 **delta_args(ratio_change))  # fmt: skip
    st.markdown(f"**{format.count(len(sim.changed), 'claim')}** would change action or amount.")
    st.caption(plain(LOSS_RATIO_DEFINITION))
    rows = comparison_rows(sim)
    # A static table: it wraps in a narrow window where a grid cut the cents off its amounts.
    w.table(
        pd.DataFrame(rows, columns=["Measure", f"Active {sim.active_version}", "Draft", "Change"])
    )
    st.markdown("**By claim kind and supplier tier**")
    st.caption("Counts read active → draft.")
    # Eight columns do not fit a narrow window: a grid that scrolls sideways, its amounts in
    # columns wide enough for every cent (fitted to the window, they lost theirs).
    groups = group_table(sim)
    money = {
        c: st.column_config.TextColumn(width=150, alignment="right")
        for c in groups.columns
        if c.startswith("Refunds")
    }
    st.dataframe(
        groups,
        hide_index=True,
        column_config={"Claim kind": st.column_config.TextColumn(pinned=True), **money},
    )
    st.markdown("**Claims whose action or amount would change**")
    st.dataframe(changed_table(sim), hide_index=True, width="stretch")
    st.download_button("Download changed claims (CSV)", changed_claims_csv(sim).encode(),
                       file_name=f"policy-what-if-{sim.first}-{sim.last}.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore")  # fmt: skip


def versions() -> list[VersionInfo]:
    with wiring.engine().connect() as conn:
        return list_versions(conn)


def group_table(sim: Simulation) -> pd.DataFrame:
    """One row per claim kind and supplier tier: counts as active → draft, refunds side by side."""
    rows = []
    for (kind, tier), group in sorted(sim.groups.items()):
        now, new = group.current, group.simulated
        rows.append(
            {
                "Claim kind": label(KIND_LABELS, kind),
                "Supplier tier": label({}, tier),
                "Claims": f"{now.claims:,}",
                "Approvals": f"{now.approvals:,} → {new.approvals:,}",
                "Rejections": f"{now.rejections:,} → {new.rejections:,}",
                "Evidence requests": f"{now.evidence_requests:,} → {new.evidence_requests:,}",
                f"Refunds, active {sim.active_version}": format_money(now.refunds_cents),
                "Refunds, draft": format_money(new.refunds_cents),
            }
        )
    return pd.DataFrame(rows)


def changed_table(sim: Simulation) -> pd.DataFrame:
    """The claims whose action or amount would change, in words."""
    return pd.DataFrame(
        {
            "Claim": [c.external_id for c in sim.changed],
            "Kind": [label(KIND_LABELS, c.kind) for c in sim.changed],
            "Status": [label(STATUS_LABELS, c.status) for c in sim.changed],
            f"Active {sim.active_version}": [
                f"{label(ACTION_LABELS, c.current_action.value)}, {format_money(c.current_cents)}"
                for c in sim.changed
            ],
            "Draft": [
                f"{label(ACTION_LABELS, c.simulated_action.value)}, "
                f"{format_money(c.simulated_cents)}"
                for c in sim.changed
            ],
        }
    )
