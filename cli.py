"""`assurance` command line: database upgrades and demo data (more commands join per use case)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import Engine

from data_access import migrate
from data_access.engine import make_engine
from data_access.settings import get_settings
from services import clock
from services.arrow_memory import use_system_allocator
from services.health import database_status
from services.summaries import ensure_built, programme_zone, rebuild_summaries

if TYPE_CHECKING:
    from rules import Policy
    from services.auth import Actor

app = typer.Typer(help="Assurance Desk: the buyer-protection programme's operations console.")
db_app = typer.Typer(help="Database schema.")
demo_app = typer.Typer(help="Demo data for the embedded database or a scratch server.")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")


@app.callback()
def _process() -> None:
    """Before every command: Arrow's buffers from the C library's allocator (an import's parse,
    the bench's app process; ``services.arrow_memory``)."""
    use_system_allocator()


def _engine(*, any_schema: bool = False) -> Engine:
    """The configured database, checked first: one that cannot be reached, or (unless
    ``any_schema``) is not at this version's schema, stops the command with what to do rather
    than the driver's traceback halfway through it."""
    engine = make_engine(get_settings().database_url)
    status = database_status(engine)
    if not status.reachable or not (status.ok or any_schema):
        engine.dispose()
        typer.echo(f"Error: {status.problem('run the command again')}", err=True)
        raise typer.Exit(1)
    return engine


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database at ASSURANCE_DATABASE_URL to the latest schema."""
    engine = _engine(any_schema=True)
    migrate.upgrade(engine)
    typer.echo(f"Database at revision {migrate.current_revision(engine)}.")
    with engine.begin() as connection:
        # Missing, or kept for another zone than the setting: build them (seconds at 1M orders).
        if ensure_built(connection, clock.now()):
            typer.echo(f"Daily summaries built for {programme_zone()}.")


@db_app.command("rebuild-summaries")
def db_rebuild_summaries() -> None:
    """Rebuild the dashboards' daily summary tables from the orders and claims."""
    engine = _engine()
    zones = rebuild_summaries(engine, now=clock.now())
    typer.echo(f"Daily summaries rebuilt for {', '.join(zones)}.")


@demo_app.command("seed")
def demo_seed(
    orders: Annotated[int, typer.Option(min=1, help="How many orders to generate.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    reset: Annotated[bool, typer.Option(help="Delete every row first.")] = False,
    if_empty: Annotated[
        bool, typer.Option(help="Do nothing (and succeed) when the database already has data.")
    ] = False,
    force: Annotated[
        bool, typer.Option(help="Allow --reset on a database other than the embedded demo.")
    ] = False,
) -> None:
    """Fill the database with realistic demo data: suppliers, orders, claims, decisions, users."""
    from services.demo.seed import DatabaseNotEmpty, seed_demo

    if reset and not force and not get_settings().is_embedded_demo:
        typer.echo(
            "Error: --reset deletes every row, the audit trail included. This is not the "
            "embedded demo database; add --force if that is what you mean.",
            err=True,
        )
        raise typer.Exit(1)
    engine = _engine()
    today = clock.today()
    bars: dict[str, typer.progressbar] = {}  # type: ignore[valid-type]

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = typer.progressbar(length=total, label=f"{stage:<12}")
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    started = time.perf_counter()
    try:
        report = seed_demo(
            engine,
            orders=orders,
            seed=seed,
            today=today,
            reset=reset,
            progress=progress,
            now=clock.now(),
        )
    except DatabaseNotEmpty as error:
        if if_empty:
            typer.echo("The database already has data; leaving it as it is.")
            return
        typer.echo(f"Error: {error} (--reset replaces it, --if-empty keeps it).", err=True)
        raise typer.Exit(1) from None
    elapsed = time.perf_counter() - started
    typer.echo(f"Seeded {report} in {elapsed:.1f} s.")


users_app = typer.Typer(help="Who may sign in, and as what.")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="The address the identity provider reports.")],
    role: Annotated[str, typer.Option(help="exec, ops_manager, claim_reviewer or admin.")],
    name: Annotated[str, typer.Option(help="Display name (default: the email's local part).")] = "",
) -> None:
    """Add a user who may sign in with the given role."""
    from data_access.engine import make_session_factory
    from services.auth import Actor, Role
    from services.users import ASSIGNABLE_ROLES, UserError, add_user

    if role not in {r.value for r in ASSIGNABLE_ROLES}:
        typer.echo(
            f"Error: unknown role {role!r}; use one of "
            f"{', '.join(r.value for r in ASSIGNABLE_ROLES)}.",
            err=True,
        )
        raise typer.Exit(1)
    try:
        user = add_user(
            make_session_factory(_engine()), Actor.system(), email, Role(role), name,
            now=clock.now(),
        )  # fmt: skip
    except UserError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Added {user.email} ({user.display_name}) as {user.role.value}.")


# --- Recommendations, claims export and benchmarks (issue 4) ---------------------------------


def _policy_error(error: Exception) -> typer.Exit:
    typer.echo(f"Error: {error}", err=True)
    return typer.Exit(1)


@app.command("recommend")
def recommend_command(
    policy: Annotated[
        str | None, typer.Option(help="Policy version (default: the active one, e.g. v1).")
    ] = None,
) -> None:
    """Recompute recommendations of every undecided claim; store only those that changed.

    Run it daily: clock-driven rules (a claim becoming late, a non-delivery established) move
    only when it runs. A pending four-eyes proposal whose recommendation changes lapses.
    """
    from data_access.engine import make_session_factory
    from rules import PolicyError
    from services.auth import Actor
    from services.claims.recommendations import active_policy, recompute_recommendations

    engine = _engine()  # checked once: each call checks the database again
    try:
        active = active_policy(engine, policy)
    except PolicyError as error:
        raise _policy_error(error) from None
    report = recompute_recommendations(
        make_session_factory(engine), Actor.system(), active, now=clock.now()
    )
    typer.echo(str(report))


export_app = typer.Typer(help="Files for reviewers' spreadsheets and audits.")
app.add_typer(export_app, name="export")


@export_app.command("claims")
def export_claims_command(
    out: Annotated[str, typer.Option("--out", help="The CSV file to write (replaced if present).")],
    policy: Annotated[
        str | None, typer.Option(help="Policy for the deadlines (default: the active one).")
    ] = None,
    bom: Annotated[
        bool, typer.Option(help="Start with a UTF-8 byte-order mark (for Excel on Windows).")
    ] = False,
) -> None:
    """Every claim with its order, latest recommendation, deadlines and decisions, as CSV."""
    from pathlib import Path

    from rules import PolicyError
    from services.auth import Actor
    from services.claims.export_claims import export_claims
    from services.claims.recommendations import active_policy

    engine = _engine()
    try:
        active = active_policy(engine, policy)
    except PolicyError as error:
        raise _policy_error(error) from None
    path = Path(out)
    try:
        written = export_claims(
            engine, path, actor=Actor.system(), policy=active, now=clock.now(), bom=bom
        )
    except OSError as error:
        typer.echo(f"Error: cannot write {path}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {written} claims to {path}.")


@app.command("bench")
def bench_command(
    claims: Annotated[
        int, typer.Option(min=1, help="recommend() calls to time in memory.")
    ] = 200_000,
    database_claims: Annotated[
        int, typer.Option(min=0, help="Synthetic claims in the scratch SQLite database (0: skip).")
    ] = 20_000,
    orders: Annotated[
        int,
        typer.Option(
            min=0,
            help="Seed a throwaway database with this many orders and time the app on it: "
            "every page, the headline figures against pandas and DuckDB, the import, memory "
            "(0: only the throughput figures).",
        ),
    ] = 0,
    database: Annotated[
        str | None,
        typer.Option(
            help="A PostgreSQL server URL to create (and then drop) the throwaway database on; "
            "default: a temporary SQLite file. The configured database is never touched."
        ),
    ] = None,
) -> None:
    """Print throughput figures and their ratios against baselines run in the same process;
    with --orders N, the app timed at scale on a throwaway database."""
    from services.bench import format_figures, run_benchmarks

    if orders == 0:
        if database is not None:
            typer.echo("Error: --database needs --orders N.", err=True)
            raise typer.Exit(2)
        typer.echo(format_figures(run_benchmarks(claims, database_claims)))
        return
    _bench_at_scale(orders, database, claims, database_claims)


def _bench_at_scale(orders: int, database: str | None, claims: int, database_claims: int) -> None:
    import importlib.util

    missing = [name for name in ("duckdb", "pyarrow") if importlib.util.find_spec(name) is None]
    if missing:
        typer.echo(
            f"Error: the bench compares the app with {' and '.join(missing)}, development "
            "dependencies that are not installed here; run `make dev` (or "
            "`pip install -e '.[dev]'`) first.",
            err=True,
        )
        raise typer.Exit(1)
    from rules import bundled_policy
    from services.scale_bench.database import BenchDatabaseError
    from services.scale_bench.report import format_report
    from services.scale_bench.run import run_scale_bench
    from ui.bench_pages import time_pages

    settings = get_settings()
    now = clock.now(settings)
    try:
        report = run_scale_bench(
            orders,
            time_pages,
            server_url=database,
            today=clock.day_of(now, settings),
            now=now,
            zone=settings.programme_timezone,
            # A throwaway database has no stored version: the bundled default is in force there.
            policy=bundled_policy(settings.policy_version),
            recommend_n=claims,
            database_claims=database_claims,
            say=lambda message: typer.echo(message, err=True),
        )
    except BenchDatabaseError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(format_report(report))
    if report.disagreements:
        typer.echo("Error: the contenders disagree on the headline figures.", err=True)
        raise typer.Exit(1)


# --- Imports of suppliers, orders and claims (docs/import-format.md) -------------------------

import_app = typer.Typer(
    help="Load suppliers, orders or claims from a CSV file (formats: docs/import-format.md). "
    "The whole file is checked first; a file with any problem writes nothing."
)
app.add_typer(import_app, name="import")

_ImportFile = Annotated[str, typer.Argument(help="The CSV file (UTF-8).", metavar="FILE")]
_DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check the file, count what would change, write nothing.")
]
_DebugLog = Annotated[
    str | None,
    typer.Option(
        "--debug-log",
        metavar="LOG",
        help="Where the details of a failure go (default: assurance-import-USER.log in the "
        "temporary directory).",
    ),
]


def _default_debug_log(kind: str = "import") -> Path:
    import getpass
    import tempfile

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        user = "user"
    return Path(tempfile.gettempdir()) / f"assurance-{kind}-{user}.log"


@contextmanager
def _debug_log(path: Path) -> Iterator[bool]:
    """Send the import's debug details, and every warning from the libraries beneath it, to
    ``path`` rather than the terminal; yields whether the log could be opened.

    Only the ``services`` loggers go down to debug: turning the root logger down would make
    SQLAlchemy log every statement of a million-row file.
    """
    import logging

    try:
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8", delay=False)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        opened = True
    except OSError:
        handler, opened = logging.NullHandler(), False  # still keeps tracebacks off stderr
    handler.setLevel(logging.DEBUG)
    root, ours = logging.getLogger(), logging.getLogger("services")
    level = ours.level
    root.addHandler(handler)
    ours.setLevel(logging.DEBUG)
    try:
        yield opened
    finally:
        ours.setLevel(level)
        root.removeHandler(handler)
        handler.close()


def _run_import(entity: str, file: str, dry_run: bool, debug_log: str | None) -> None:
    import logging
    import sys

    from data_access.engine import make_session_factory
    from services.auth import Actor
    from services.importing import ENTITIES, ImportFailed, import_file, printable

    path = Path(file)
    name = printable(path.name)  # a file name may hold ESC or a line break too
    if not path.is_file():
        typer.echo(f"Error: {printable(file)} is not a file.", err=True)
        raise typer.Exit(1)
    kind = next(e for e in ENTITIES if e == entity)
    log_path = Path(debug_log) if debug_log else _default_debug_log()
    details = f"give an administrator the details in {printable(str(log_path))}"
    started = time.perf_counter()
    engine = _engine()
    try:
        # The service reads the file once, checking and writing each chunk of rows: the bar
        # counts rows, and learns how many the file holds (its lines) from the first report.
        with (
            _debug_log(log_path) as logged,
            typer.progressbar(length=1, label="Checking and importing") as bar,
        ):
            if not logged:
                details = f"the details could not be logged ({printable(str(log_path))})"

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            try:
                result = import_file(
                    make_session_factory(engine),
                    Actor.system(),
                    kind,
                    path,
                    file_name=path.name,
                    now=clock.now(),
                    dry_run=dry_run,
                    progress=progress,
                )
            except ImportFailed as error:
                message = (
                    f"Error: the database could not complete the import of {name} "
                    f"({error.cause}), so nothing was written; try again, and if it keeps "
                    f"failing {details}."
                )
            except OSError as error:
                message = f"Error: cannot read {name} ({error.strerror or 'read error'})."
            except Exception:  # a fault of ours: one sentence here, the traceback in the log
                logging.getLogger("services.importing").debug(
                    "import of %r (%s) failed", path.name, entity, exc_info=True
                )
                message = (
                    f"Error: the import of {name} failed unexpectedly, so nothing was written; "
                    f"{details}."
                )
            else:
                message = ""
            finally:
                engine.dispose()  # closing a dead connection may log: still inside the log
    finally:
        engine.dispose()
    if message:
        typer.echo("\n" + message, err=True)
        raise typer.Exit(1)
    elapsed = time.perf_counter() - started
    sys.stdout.flush()  # the bar's last line before the problems on stderr
    if not result.ok:
        for problem in result.problems:
            where = f"line {problem.line}" if problem.line else "file"
            column = f", {problem.column}" if problem.column else ""
            typer.echo(f"{where}{column}: {problem.message}", err=True)
        hidden = result.problem_count - len(result.problems)
        if hidden:
            typer.echo(f"… and {hidden:,} more problems.", err=True)
        typer.echo(
            f"{result.problem_count:,} problem{'s' if result.problem_count != 1 else ''} in "
            f"{name} ({result.rows_read}); nothing was written.",
            err=True,
        )
        raise typer.Exit(1)
    verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
    rate = f", {result.rows / elapsed:,.0f} rows/s" if elapsed >= 1 else ""
    typer.echo(
        f"{verb} {result.rows_read} from {name} in {elapsed:.1f} s{rate}: "
        f"{result.inserted:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged."
    )
    for note in result.notes:
        typer.echo(f"  {printable(note)}")


@import_app.command("suppliers")
def import_suppliers(
    file: _ImportFile, dry_run: _DryRun = False, debug_log: _DebugLog = None
) -> None:
    """Suppliers with their Trade Assurance limits; a changed limit enters the limit history."""
    _run_import("suppliers", file, dry_run, debug_log)


@import_app.command("orders")
def import_orders(file: _ImportFile, dry_run: _DryRun = False, debug_log: _DebugLog = None) -> None:
    """Orders (suppliers must exist); buyers are created or updated from the order rows."""
    _run_import("orders", file, dry_run, debug_log)


@import_app.command("claims")
def import_claims(file: _ImportFile, dry_run: _DryRun = False, debug_log: _DebugLog = None) -> None:
    """Claims with their evidence and supplier responses (orders must exist)."""
    _run_import("claims", file, dry_run, debug_log)


# --- Decisions export (issue 6) ------------------------------------------------------------


@export_app.command("decisions")
def export_decisions_command(
    out: Annotated[str, typer.Option("--out", help="The CSV file to write (replaced if present).")],
    bom: Annotated[
        bool, typer.Option(help="Start with a UTF-8 byte-order mark (for Excel on Windows).")
    ] = False,
) -> None:
    """Every reviewer decision with its claim and the recommendation it answered, as CSV."""
    from pathlib import Path

    from services.auth import Actor
    from services.claims.export_decisions import export_decisions

    path = Path(out)
    try:
        written = export_decisions(_engine(), path, actor=Actor.system(), bom=bom)
    except OSError as error:
        typer.echo(f"Error: cannot write {path}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {written} decisions to {path}.")


# --- Figures and supplier limits (issues 12 and 13) --------------------------------------------

suppliers_app = typer.Typer(help="Suppliers and their Trade Assurance limits.")
app.add_typer(suppliers_app, name="suppliers")


@suppliers_app.command("set-limit")
def suppliers_set_limit(
    supplier: Annotated[str, typer.Argument(help="The supplier's id, e.g. SUP-000123.")],
    amount: Annotated[
        str,
        typer.Argument(help="The new limit in US dollars, e.g. 250000.00 (2 decimals at most)."),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the limit history).")],
) -> None:
    """Change a supplier's Trade Assurance limit; the change and an audit event are recorded."""
    from data_access.engine import make_session_factory
    from services import clock
    from services.auth import Actor
    from services.suppliers.limits import LimitError, change_limit, parse_money

    try:
        cents = parse_money(amount)
        change = change_limit(
            make_session_factory(_engine()), Actor.system(), supplier, cents, reason, clock.now()
        )
    except LimitError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(change.message)


def _day_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date like 2025-03-31", param_hint=name
        ) from None


@app.command("figures")
def figures_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the only format).")] = False,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day, YYYY-MM-DD (default: 12 months of data)."),
    ] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Exposure as of this day (default: today).")
    ] = None,
) -> None:
    """Headline and exposure figures, as the overview and exposure pages show them.

    Days are calendar days in the programme's time zone (ASSURANCE_PROGRAMME_TIMEZONE); money
    is in integer cents, rates are fractions with their counts beside them.
    """
    import json

    from services import clock
    from services.claims.recommendations import active_policy
    from services.figures.periods import Period, period_for
    from services.figures.rates import activity_extent
    from services.figures.report import figures_report

    del as_json  # JSON is the one output; the flag keeps scripts explicit
    settings = get_settings()
    zone, today, now = settings.programme_timezone, clock.today(settings), clock.now(settings)
    engine = _engine()
    default = period_for("data_12m", today, activity_extent(engine, zone))
    start = _day_option(first, "--from") or default.first
    end = _day_option(last, "--to") or (default.last if first is None else today)
    if end < start:
        typer.echo(f"Error: --to {end} is before --from {start}.", err=True)
        raise typer.Exit(1)
    day = _day_option(as_of, "--as-of") or today
    report = figures_report(
        engine,
        Period(start, end),
        today=today,
        now=now,
        zone=zone,
        policy=active_policy(engine),
        as_of=day,
    )
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False))


# --- Policy versions and the what-if simulator (issue 15) -------------------------------------

policy_app = typer.Typer(
    help="Policy versions: list, simulate a draft on past claims, save it, activate it. "
    "Saving and activating name ops-manager accounts (--as); activation needs a second one."
)
app.add_typer(policy_app, name="policy")

_PolicyFile = Annotated[
    str,
    typer.Argument(
        help="A policy TOML file (format: rules/policies/v1.toml).", metavar="FILE.toml"
    ),
]
_As = Annotated[str, typer.Option("--as", help="The ops manager's email (their account acts).")]


def _read_policy_file(file: str) -> Policy:
    from rules import PolicyError, parse_policy

    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        typer.echo(f"Error: cannot read {file}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    try:
        return parse_policy(text, source=path.name)
    except PolicyError as error:
        raise _policy_error(error) from None


def _ops_manager(email: str) -> Actor:
    from services.users import sign_in

    result = sign_in(_engine(), email)
    if result.actor is None:
        typer.echo(f"Error: {result.refusal}", err=True)
        raise typer.Exit(1)
    return result.actor


@policy_app.command("list")
def policy_list() -> None:
    """Every version with its status (draft / active / retired), author and activator."""
    from services.policy.versions import list_versions

    with _engine().connect() as conn:
        versions = list_versions(conn)
    for v in versions:
        activated = (
            f", activated by {v.activated_by} {v.activated_at:%Y-%m-%d %H:%M} UTC"
            if v.activated_at
            else ""
        )
        created = f" {v.created_at:%Y-%m-%d %H:%M} UTC" if v.created_at else ""
        typer.echo(f"{v.version:<10} {v.status:<8} by {v.created_by}{created}{activated}")


@policy_app.command("simulate")
def policy_simulate(
    file: _PolicyFile,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First filing day, YYYY-MM-DD (default: 90 days before --to)."),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last filing day, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Recommend the claims filed in a period under FILE.toml and under the active policy."""
    from datetime import timedelta

    from services.policy.active import active_policy
    from services.policy.report import format_simulation
    from services.policy.simulate import simulate_period

    draft = _read_policy_file(file)
    settings = get_settings()
    today = clock.today(settings)
    end = _day_option(last, "--to") or today
    start = _day_option(first, "--from") or end - timedelta(days=89)
    if end < start:
        typer.echo(f"Error: --to {end} is before --from {start}.", err=True)
        raise typer.Exit(1)
    engine = _engine()
    sim = simulate_period(
        engine,
        draft,
        active_policy(engine),
        start,
        end,
        today=today,
        zone=settings.programme_timezone,
    )
    typer.echo(format_simulation(sim))


@policy_app.command("draft")
def policy_draft(
    file: _PolicyFile,
    as_email: _As,
    name: Annotated[
        str | None, typer.Option("--name", help="The new version's name (default: the next vN).")
    ] = None,
    note: Annotated[
        str, typer.Option(help="Why (kept with the version and in the audit trail).")
    ] = "",
) -> None:
    """Save FILE.toml as a draft version; another ops manager activates it."""
    from data_access.engine import make_session_factory
    from services.auth import NotAllowed
    from services.policy.versions import PolicyVersionError, save_draft

    policy = _read_policy_file(file)
    actor = _ops_manager(as_email)
    try:
        info = save_draft(
            make_session_factory(_engine()), actor, policy, now=clock.now(), version=name, note=note
        )
    except (PolicyVersionError, NotAllowed) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Saved draft {info.version} by {info.created_by}; a second ops manager activates it "
        f"with: assurance policy activate {info.version} --as EMAIL"
    )


@policy_app.command("activate")
def policy_activate(
    version: Annotated[str, typer.Argument(help="The draft to activate, e.g. v2.")],
    as_email: _As,
) -> None:
    """Activate a draft (a different ops manager from its author) and re-evaluate open claims."""
    from data_access.engine import make_session_factory
    from services.auth import NotAllowed
    from services.policy.versions import PolicyVersionError, activate_version

    actor = _ops_manager(as_email)
    try:
        report = activate_version(make_session_factory(_engine()), actor, version, now=clock.now())
    except (PolicyVersionError, NotAllowed) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(str(report))


def main() -> None:
    """The ``assurance`` command. A fault the commands do not foresee reaches the terminal as
    one sentence naming the log that holds its traceback, never as the traceback itself."""
    import logging
    import sys

    from services.importing import printable

    try:
        app()
    except Exception as error:
        log_path = _default_debug_log("command")
        with _debug_log(log_path) as logged:
            logging.getLogger("services.cli").error(
                "assurance %s failed", " ".join(sys.argv[1:]), exc_info=error
            )
        where = (
            f"the details are in {printable(str(log_path))}"
            if logged
            else "the details could not be logged"
        )
        typer.echo(f"Error: the command failed unexpectedly ({where}).", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
