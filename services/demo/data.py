"""Demo data that looks real: suppliers, buyers, 24 months of orders, claims and their outcomes.

Deterministic for a seed: every random draw comes from one ``numpy`` generator (and Faker
instances seeded from it), in a fixed order, and nothing reads the clock — ``today`` is passed in.
Orders are generated as NumPy columns in one vectorised pass; only claims (a few percent of
orders) are walked one by one, because each needs the rules module's recommendation.

What makes it look real (the numbers are the knobs below):

* one supplier per ~200 orders and one buyer per ~20, popularity long-tailed (log-normal);
  suppliers mostly Chinese, by tier and main category; limits a multiple of recent volume;
* orders follow seasonality — an autumn peak, the Lunar New Year lull — and grow over time;
  amounts are log-normal per category, so a few orders exceed USD 10,000 (four-eyes cases);
* a few *poor* suppliers are much less reliable: they cause most late shipments, lost shipments
  and quality claims; factories closing for Lunar New Year make ship-by dates around it late;
* claims follow what happened to the order: ``late_shipment`` only on orders shipped late or
  not shipped by their ship-by date, ``non_delivery`` only on shipped orders that never arrived,
  ``quality`` on delivered orders (mostly within the 30-day window, a few outside it);
* each claim walks the dispute clock of ``rules.claim_deadlines``: supplier response, escalation,
  pick-up, first decision (and a second one where four-eyes applies); where it stands on
  ``today`` gives its status, so recent claims are open with deadlines in the coming days.

All instants are UTC. Internally they are int64 microseconds since the epoch (days are int64
days since the epoch), turned into ``datetime64`` columns for :mod:`data_access.bulk` at the end.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from faker import Faker

from rules import (
    ClaimFacts,
    ClaimKind,
    OrderFacts,
    Policy,
    Recommendation,
    SupplierResponse,
    add_working_days,
    bundled_policy,
    claim_deadlines,
    needs_second_approval,
    recommend,
    same_substance,
)

__all__ = [
    "CATEGORIES",
    "DEMO_USERS",
    "DemoData",
    "DemoUser",
    "TableData",
    "generate",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Column = npt.NDArray[Any] | list[Any]
#: ``progress(stage, done, total)``, called as generation advances.
Progress = Callable[[str, int, int], None]

US_PER_SECOND = 1_000_000
US_PER_HOUR = 3_600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR
NAT = np.iinfo(np.int64).min  # NumPy's NaT is the smallest int64

ORDERS_PER_SUPPLIER = 200
ORDERS_PER_BUYER = 20
HISTORY_MONTHS = 24
#: The reviewers' queue shows at least this many claims in each undecided status: small data
#: sets (and rare statuses at any size) get claims aimed at them, so the queue is never empty.
MIN_QUEUE: tuple[tuple[str, int], ...] = (
    ("open", 6),
    ("escalated", 4),
    ("in_review", 4),
    ("awaiting_second_approval", 3),
)
# How old (days before today) a claim aimed at a status is.
_TARGET_AGE_DAYS = {
    "open": (0.1, 6.5),
    "escalated": (5.0, 9.0),
    "in_review": (6.0, 12.0),
    "awaiting_second_approval": (7.0, 13.5),
}


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    display_name: str
    role: str


#: Stable e-mails: the demo sign-in and tests look these up.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("exec@demo.assurance.test", "Erin Exec", "exec"),
    DemoUser("ops@demo.assurance.test", "Oscar Ops", "ops_manager"),
    DemoUser("reviewer1@demo.assurance.test", "Rita Reviewer", "claim_reviewer"),
    DemoUser("reviewer2@demo.assurance.test", "Ravi Reviewer", "claim_reviewer"),
    DemoUser("admin@demo.assurance.test", "Ada Admin", "admin"),
)
_REVIEWER_IDS = (3, 4)  # ids follow DEMO_USERS order


@dataclass(frozen=True, slots=True)
class _Category:
    name: str
    weight: float
    median_usd: float
    lead_days: tuple[int, int]  # production lead time, placed day to ship-by day
    quality_factor: float  # how prone to quality claims
    trade_word: str  # used in supplier names


CATEGORIES: tuple[_Category, ...] = (
    _Category("Consumer Electronics", 0.16, 2_600, (10, 35), 1.3, "Electronics"),
    _Category("Machinery", 0.09, 7_500, (20, 45), 1.0, "Machinery"),
    _Category("Apparel", 0.12, 1_800, (15, 40), 1.2, "Garment"),
    _Category("Home & Garden", 0.11, 1_500, (10, 30), 0.9, "Household Products"),
    _Category("Packaging", 0.07, 1_200, (7, 25), 0.7, "Packaging"),
    _Category("Auto Parts", 0.08, 3_200, (15, 40), 1.0, "Auto Parts"),
    _Category("Beauty", 0.05, 1_100, (10, 30), 1.1, "Cosmetics"),
    _Category("Lighting", 0.06, 2_000, (10, 30), 1.0, "Lighting"),
    _Category("Furniture", 0.05, 4_200, (20, 45), 1.1, "Furniture"),
    _Category("Sports & Outdoors", 0.05, 1_600, (10, 35), 0.9, "Sporting Goods"),
    _Category("Toys", 0.04, 1_300, (10, 35), 1.2, "Toys"),
    _Category("Textiles", 0.04, 2_200, (15, 35), 1.0, "Textile"),
    _Category("Electrical Equipment", 0.04, 3_800, (15, 40), 1.0, "Electric"),
    _Category("Tools & Hardware", 0.04, 1_900, (10, 35), 0.8, "Hardware"),
)

_TIERS = ("gold", "verified", "standard", "new")
_TIER_SHARE = (0.15, 0.35, 0.38, 0.12)
_TIER_POPULARITY = (2.2, 1.4, 1.0, 0.6)
_TIER_ORDER_SIZE = (1.3, 1.1, 1.0, 0.8)
# Relative odds of a supplier being poor; new suppliers have too short a record to be (yet).
_TIER_POOR_SHARE = (0.02, 0.04, 0.09, 0.0)
POOR_SUPPLIER_SHARE = 0.07
POOR_ORDER_SHARE = 0.10  # they oversell their capacity: 7% of suppliers take 10% of orders
_TIER_LIMIT_MULTIPLE = (4.0, 3.5, 3.0, 2.5)  # x average monthly covered amount

# (country, share of suppliers, Faker locale for names)
_SUPPLIER_COUNTRIES: tuple[tuple[str, float, str], ...] = (
    ("CN", 0.60, "zh_CN"),
    ("VN", 0.09, "vi_VN"),
    ("IN", 0.08, "en_IN"),
    ("TR", 0.05, "tr_TR"),
    ("MX", 0.04, "es_MX"),
    ("ID", 0.03, "id_ID"),
    ("PL", 0.02, "pl_PL"),
    ("DE", 0.02, "de_DE"),
    ("IT", 0.02, "it_IT"),
    ("US", 0.02, "en_US"),
    ("PT", 0.015, "pt_PT"),
    ("ES", 0.015, "es_ES"),
)
#: Factories there close for the Lunar New Year (Tết in Viet Nam).
_LUNAR_NEW_YEAR_COUNTRIES = ("CN", "VN")
_CN_CITIES = (
    "Shenzhen", "Guangzhou", "Ningbo", "Yiwu", "Dongguan", "Xiamen", "Hangzhou", "Foshan",
    "Qingdao", "Suzhou", "Wenzhou", "Zhongshan", "Shanghai", "Tianjin", "Jinhua", "Quanzhou",
)  # fmt: skip
_VN_SUFFIXES = ("Co., Ltd.", "Joint Stock Company", "Manufacturing Co., Ltd.")

_BUYER_COUNTRIES: tuple[tuple[str, float, str], ...] = (
    ("US", 0.26, "en_US"),
    ("GB", 0.07, "en_GB"),
    ("DE", 0.07, "de_DE"),
    ("FR", 0.04, "fr_FR"),
    ("CA", 0.05, "en_CA"),
    ("AU", 0.05, "en_AU"),
    ("NL", 0.04, "nl_NL"),
    ("BR", 0.04, "pt_BR"),
    ("AE", 0.04, "en_US"),
    ("SA", 0.03, "en_US"),
    ("NG", 0.03, "en_NG"),
    ("JP", 0.03, "ja_JP"),
    ("KR", 0.02, "ko_KR"),
    ("ES", 0.03, "es_ES"),
    ("IT", 0.03, "it_IT"),
    ("PL", 0.03, "pl_PL"),
    ("MX", 0.03, "es_MX"),
    ("CL", 0.02, "es_CL"),
    ("IN", 0.03, "en_IN"),
    ("SE", 0.02, "sv_SE"),
    ("TR", 0.02, "tr_TR"),
    ("ZA", 0.02, "en_GB"),
)
_NON_LATIN_LOCALES = ("ja_JP", "ko_KR", "zh_CN")
_BUYER_SUFFIXES = (
    "", " Trading", " Imports", " Supply", " Wholesale", " Distribution", " International",
    " Sourcing",
)  # fmt: skip
#: Faker calls cost up to ~0.2 ms; beyond this many buyers per country, names are combined.
_NAME_POOL = 3_000

_PAYMENT_METHODS = ("tt", "card", "letter_of_credit", "other")
_PAYMENT_SHARE = (0.82, 0.08, 0.06, 0.04)
_DEPOSIT_BP = 3_000  # T/T: 30% deposit with the order, the balance before shipment

# Lunar New Year's day; factories close for about two weeks around it.
_LUNAR_NEW_YEAR = {
    2016: date(2016, 2, 8), 2017: date(2017, 1, 28), 2018: date(2018, 2, 16),
    2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
    2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
    2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31),
    2034: date(2034, 2, 19), 2035: date(2035, 2, 8), 2036: date(2036, 1, 28),
    2037: date(2037, 2, 15), 2038: date(2038, 2, 4), 2039: date(2039, 1, 24),
    2040: date(2040, 2, 12),
}  # fmt: skip
_LNY_LATE_WINDOW = (-10, 20)  # ship-by days around the holiday that run late
# In the window a late shipment is (base x factor + extra) likely: closed factories hit every
# supplier there, and components and freight from China delay the others too.
_LNY_LATE = {True: (2.5, 0.08), False: (1.5, 0.02)}  # by "supplier in CN/VN"
_LNY_ORDER_DIP = (-3, 10)  # placed days around the holiday with fewer orders
# Orders placed per calendar month (Jan..Dec): a pre-holiday rush in January, an autumn peak
# stocking for the western holiday season.
_MONTH_FACTOR = (1.05, 0.8, 1.05, 1.0, 1.0, 0.95, 1.05, 1.15, 1.25, 1.2, 1.05, 0.9)
_PEAK_SHIP_MONTHS = (10, 11)  # ship-by months where capacity is tight
_ANNUAL_GROWTH = 0.2

_NOT_SHIPPED_DESCRIPTIONS = (
    "Goods were due to ship by {ship_by}; still not shipped {days} later.",
    "Supplier missed the agreed ship date {ship_by} and has not shipped. Our launch slipped.",
    "Production delayed without notice; nothing shipped {days} after {ship_by}.",
    "Ship-by date {ship_by} passed {days} ago; supplier keeps promising 'next week'.",
    "Not shipped by {ship_by}. Seasonal stock will be <50% sellable at full price.",
)
_SHIPPED_LATE_DESCRIPTIONS = (
    "Goods were due to ship by {ship_by} but left the factory {days} late.",
    "Shipped on {shipped}, {days} after the agreed date {ship_by}; our launch slipped.",
    "Late shipment ({days} after {ship_by}); we paid for air freight to catch up.",
    "Shipped {days} late. Seasonal stock is now <50% sellable at full price.",
)
_QUALITY_DESCRIPTIONS = (
    "Defective units on arrival: {defect}.",
    "Colour and finish do not match the approved sample; {defect}.",
    "Cartons crushed and *water damage* on several pallets; {defect}.",
    "Wrong specification shipped (material grade < contract); {defect}.",
    "Units fail basic function test; {defect}.",
    "Stitching and labelling not as agreed; {defect}.",
)
_NON_DELIVERY_DESCRIPTIONS = (
    "Shipped on {shipped}; tracking stopped at the port of transit and nothing arrived.",
    "Container never arrived; carrier cannot locate the B/L issued on {shipped}.",
    "No delivery {days} after shipment on {shipped}; supplier does not answer.",
    "Forwarder says the cargo shipped {shipped} was never loaded; we have received nothing.",
)
_APPROVE_NOTES = (
    "Agree with the recommendation.",
    "Evidence supports the claim; refund as recommended.",
    "Checked order timeline and documents; approved.",
)
_REJECT_NOTES = (
    "Agree with the recommendation.",
    "Claim not supported by the order record.",
    "Documents checked; rejected as recommended.",
)
_EVIDENCE_REJECT_NOTE = "No inspection report supplied before the decision deadline."
_DEPART_APPROVE_NOTE = "Supplier's own emails admit the fault; approving despite the rules."
_DEPART_REJECT_NOTE = "Buyer changed the specification after ordering; rejecting."
_SECOND_NOTE = "Second review: agree."


@dataclass(frozen=True, slots=True)
class TableData:
    """Rows of one table as equal-length columns, ready for :func:`data_access.bulk`."""

    name: str
    columns: dict[str, Column]

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


@dataclass(frozen=True, slots=True)
class DemoData:
    """All tables of a demo data set, in insert (foreign-key) order, with explicit ids from 1."""

    tables: tuple[TableData, ...]

    def table(self, name: str) -> TableData:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def counts(self) -> dict[str, int]:
        return {table.name: table.rows for table in self.tables}


def generate(
    *,
    orders: int,
    seed: int,
    today: date,
    policy: Policy | None = None,
    progress: Progress | None = None,
) -> DemoData:
    """A complete demo data set of ``orders`` orders placed in the 24 months before ``today``.

    Everything happens before 00:00 UTC on ``today``; undecided claims are computed as they stand
    then. ``policy`` defaults to the bundled v1 policy.
    """
    if orders < 1:
        raise ValueError("orders must be at least 1")
    if seed < 0:
        raise ValueError("seed must not be negative")
    return _Generator(orders, seed, today, policy or bundled_policy("v1"), progress).run()


# --- helpers ---------------------------------------------------------------------------------


@functools.cache
def _faker_for(locale: str) -> Faker:
    # Building a Faker loads its providers (~0.1 s each); reseeding one per locale is the same
    # stream of names for the same seed, since every use reseeds it first.
    return Faker(locale)


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _to_datetime(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def _to_us(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _lunar_new_year(year: int) -> date:
    return _LUNAR_NEW_YEAR.get(year, date(year, 2, 5))


def _days_from_lunar_new_year(days: IntArray) -> IntArray:
    """Signed days from each epoch day to the nearest Lunar New Year."""
    years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    first, last = int(years.min()) - 1, int(years.max()) + 1
    holidays = np.array([_epoch_day(_lunar_new_year(y)) for y in range(first, last + 1)])
    position = np.searchsorted(holidays, days)
    before = holidays[np.clip(position - 1, 0, len(holidays) - 1)]
    after = holidays[np.clip(position, 0, len(holidays) - 1)]
    to_before, to_after = days - before, days - after
    nearest: IntArray = np.where(np.abs(to_before) <= np.abs(to_after), to_before, to_after)
    return nearest


def _unique_names(make: Callable[[], str], count: int) -> list[str]:
    """Up to ``count`` distinct names from ``make`` (fewer only if it keeps repeating)."""
    names: dict[str, None] = {}
    for _attempt in range(count * 3):
        names[make()] = None
        if len(names) == count:
            break
    return list(names)


def _quota_draw(rng: np.random.Generator, count: int, shares: FloatArray) -> IntArray:
    """``count`` labels in proportion to ``shares`` (largest remainders), in random order."""
    exact = shares / shares.sum() * count
    counts = np.floor(exact).astype(np.int64)
    remainder = count - int(counts.sum())
    if remainder:
        counts[np.argsort(-(exact - counts), kind="stable")[:remainder]] += 1
    labels = np.repeat(np.arange(len(shares), dtype=np.int64), counts)
    shuffled: IntArray = rng.permutation(labels)
    return shuffled


def _day_text(us: int) -> str:
    return "" if us == NAT else (date(1970, 1, 1) + timedelta(days=us // US_PER_DAY)).isoformat()


def _days_text(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _format_ids(prefix: str, count: int, width: int) -> list[str]:
    return [f"{prefix}-{i:0{width}d}" for i in range(1, count + 1)]


def _datetimes(us: IntArray) -> npt.NDArray[np.datetime64]:
    return us.astype(np.int64).view("datetime64[us]")


# --- the generator ---------------------------------------------------------------------------


class _Generator:
    def __init__(
        self, orders: int, seed: int, today: date, policy: Policy, progress: Progress | None
    ) -> None:
        self.n = orders
        self.seed = seed
        self.today = today
        self.policy = policy
        self.progress = progress
        self.rng = np.random.default_rng(seed)
        self.cut = _epoch_day(today) * US_PER_DAY  # 00:00 UTC today: everything happens before
        self.start_day = _epoch_day(_months_before(today, HISTORY_MONTHS))
        self.tables: list[TableData] = []

    def _step(self, done: int) -> None:
        if self.progress is not None:
            self.progress("generate", done, 5)

    def run(self) -> DemoData:
        self._step(0)
        self._users()
        self._suppliers()
        self._step(1)
        self._buyers()
        self._step(2)
        self._orders()
        self._limits()
        self._step(3)
        self._claims()
        self._step(4)
        order = (
            "users", "suppliers", "supplier_limit_changes", "buyers", "orders", "claims",
            "recommendations", "decisions",
        )  # fmt: skip
        by_name = {t.name: t for t in self.tables}
        result = DemoData(tuple(by_name[name] for name in order))
        self._step(5)
        return result

    def _faker(self, locale: str, purpose: str) -> Faker:
        faker = _faker_for(locale)
        # Derived from the seed and the purpose ("supplier CN"), so suppliers and buyers of one
        # locale get different names and adding a country never reshuffles the others.
        salt = int.from_bytes(hashlib.sha256(purpose.encode()).digest()[:4], "big")
        faker.seed_instance(self.seed * 2**32 + salt)
        return faker

    # --- users --------------------------------------------------------------------------

    def _users(self) -> None:
        created = _datetimes(
            np.full(len(DEMO_USERS), (self.start_day - 45) * US_PER_DAY + 9 * US_PER_HOUR)
        )
        self.tables.append(
            TableData(
                "users",
                {
                    "id": np.arange(1, len(DEMO_USERS) + 1, dtype=np.int64),
                    "email": [u.email for u in DEMO_USERS],
                    "display_name": [u.display_name for u in DEMO_USERS],
                    "role": [u.role for u in DEMO_USERS],
                    "is_active": np.ones(len(DEMO_USERS), dtype=np.bool_),
                    "created_at": created,
                },
            )
        )

    # --- suppliers ----------------------------------------------------------------------

    def _suppliers(self) -> None:
        rng = self.rng
        s = max(3, round(self.n / ORDERS_PER_SUPPLIER))
        self.s = s
        shares = np.array([c[1] for c in _SUPPLIER_COUNTRIES])
        # Quotas rather than independent draws, so that even 10 suppliers show the mix.
        self.sup_country = _quota_draw(rng, s, shares)
        self.sup_tier = _quota_draw(rng, s, np.array(_TIER_SHARE))
        cat_weights = np.array([c.weight for c in CATEGORIES])
        self.cat_p = cat_weights / cat_weights.sum()
        self.sup_category = _quota_draw(rng, s, self.cat_p)
        # A few poor suppliers (at least one), likeliest among standard ones.
        poor_weight = np.array(_TIER_POOR_SHARE)[self.sup_tier]
        poor_count = max(1, round(s * POOR_SUPPLIER_SHARE))
        self.sup_poor = np.zeros(s, dtype=np.bool_)
        self.sup_poor[
            rng.choice(s, poor_count, replace=False, p=poor_weight / poor_weight.sum())
        ] = True
        popularity = rng.lognormal(0.0, 0.9, s) * np.array(_TIER_POPULARITY)[self.sup_tier]
        # Scale the poor ones to a fixed share of all orders: otherwise, with a dozen suppliers,
        # chance alone decides whether the bad apple is tiny or takes a third of the orders.
        poor_total, good_total = popularity[self.sup_poor].sum(), popularity[~self.sup_poor].sum()
        if good_total > 0:
            scale = POOR_ORDER_SHARE / (1 - POOR_ORDER_SHARE) * good_total / poor_total
            popularity = np.where(self.sup_poor, popularity * scale, popularity)
        self.sup_popularity = popularity
        # Reliability: good suppliers ship late ~1.5% of the time, poor ones 15-40%; quality
        # claims follow the same split.
        self.sup_late_p = np.where(
            self.sup_poor, 0.15 + 0.25 * rng.beta(2, 2, s), rng.beta(2, 130, s)
        )
        self.sup_quality_p = np.where(
            self.sup_poor, 0.05 + 0.08 * rng.beta(2, 2, s), rng.beta(1.2, 300, s)
        )
        self.sup_lost_p = np.where(self.sup_poor, 0.02, 0.003)
        new = self.sup_tier == _TIERS.index("new")
        history_days = self.cut // US_PER_DAY - self.start_day
        joined_days_ago = np.where(
            new, rng.integers(35, 170, s), history_days + rng.integers(30, 1_800, s)
        )
        self.sup_created = (
            self.cut - joined_days_ago * US_PER_DAY + rng.integers(0, US_PER_DAY, s)
        ).astype(np.int64)
        names = self._supplier_names()
        countries = [_SUPPLIER_COUNTRIES[i][0] for i in self.sup_country.tolist()]
        self.sup_lny = np.isin(np.array(countries), _LUNAR_NEW_YEAR_COUNTRIES)
        self.sup_columns: dict[str, Column] = {
            "id": np.arange(1, s + 1, dtype=np.int64),
            "external_id": _format_ids("SUP", s, 6),
            "name": names,
            "country": countries,
            "main_category": [CATEGORIES[i].name for i in self.sup_category.tolist()],
            "tier": [_TIERS[i] for i in self.sup_tier.tolist()],
            # limit_cents is filled in once order volume is known
            "created_at": _datetimes(self.sup_created),
        }

    def _supplier_names(self) -> list[str]:
        names: list[str] = [""] * self.s
        seen: set[str] = set()
        city_pick = self.rng.integers(0, len(_CN_CITIES), self.s).tolist()
        suffix_pick = self.rng.integers(0, len(_VN_SUFFIXES), self.s).tolist()
        for country_index, (code, _share, locale) in enumerate(_SUPPLIER_COUNTRIES):
            members = np.flatnonzero(self.sup_country == country_index).tolist()
            if not members:
                continue
            faker = self._faker(locale, f"supplier {code}")
            for i in members:
                trade = CATEGORIES[int(self.sup_category[i])].trade_word
                for _attempt in range(20):  # a registered name is unique
                    if locale == "zh_CN":
                        brand = faker.last_romanized_name() + faker.first_romanized_name().lower()
                        name = f"{_CN_CITIES[city_pick[i]]} {brand} {trade} Co., Ltd."
                    elif locale == "vi_VN":
                        brand = f"{faker.last_name()} {faker.last_name()}"
                        name = f"{brand} {trade} {_VN_SUFFIXES[(suffix_pick[i] + _attempt) % 3]}"
                    else:
                        name = f"{faker.company()} {trade}"
                    if name not in seen:
                        break
                seen.add(name)
                names[i] = name
        return names

    # --- buyers -------------------------------------------------------------------------

    def _buyers(self) -> None:
        rng = self.rng
        b = max(5, round(self.n / ORDERS_PER_BUYER))
        self.b = b
        shares = np.array([c[1] for c in _BUYER_COUNTRIES])
        country = rng.choice(len(_BUYER_COUNTRIES), b, p=shares / shares.sum())
        self.buyer_popularity = rng.lognormal(0.0, 1.0, b)
        names: list[str] = [""] * b
        for country_index, (code, _share, locale) in enumerate(_BUYER_COUNTRIES):
            members = np.flatnonzero(country == country_index)
            if not len(members):
                continue
            faker = self._faker(locale, f"buyer {code}")
            # Faker names cost up to 0.2 ms each, so big countries combine a pool of them with
            # trade suffixes (English ones only after Latin-script names); all stay unique.
            latin = locale not in _NON_LATIN_LOCALES
            count = len(members)
            wanted = max(_NAME_POOL, -(-count // len(_BUYER_SUFFIXES))) if latin else count
            pool = _unique_names(faker.company, min(count, wanted))
            suffixes = _BUYER_SUFFIXES if latin else ("",)
            for j, i in enumerate(members.tolist()):
                round_, slot = divmod(j, len(pool))
                extra = suffixes[round_ % len(suffixes)]
                repeat = round_ // len(suffixes)
                names[i] = pool[slot] + extra + (f" {repeat + 1}" if repeat else "")
        self.tables.append(
            TableData(
                "buyers",
                {
                    "id": np.arange(1, b + 1, dtype=np.int64),
                    "external_id": _format_ids("BUY", b, 6),
                    "name": names,
                    "country": [_BUYER_COUNTRIES[i][0] for i in country.tolist()],
                },
            )
        )

    # --- orders -------------------------------------------------------------------------

    def _placement_days(self) -> IntArray:
        days = np.arange(self.start_day, self.cut // US_PER_DAY, dtype=np.int64)
        as_dates = days.astype("datetime64[D]")
        months = as_dates.astype("datetime64[M]").astype(np.int64) % 12
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
        weight = np.array(_MONTH_FACTOR)[months]
        weight *= 1.0 + _ANNUAL_GROWTH * (days - days[0]) / 365.0
        weight *= np.where(weekday == 5, 0.6, np.where(weekday == 6, 0.5, 1.0))
        to_lny = _days_from_lunar_new_year(days)
        weight *= np.where((to_lny >= _LNY_ORDER_DIP[0]) & (to_lny <= _LNY_ORDER_DIP[1]), 0.55, 1)
        picked = self.rng.choice(days, self.n, p=weight / weight.sum())
        return np.sort(picked).astype(np.int64)

    def _orders(self) -> None:
        rng, n, cut = self.rng, self.n, self.cut
        placed_day = self._placement_days()
        placed = placed_day * US_PER_DAY + rng.integers(0, US_PER_DAY // US_PER_SECOND, n) * (
            US_PER_SECOND
        )
        placed.sort()  # ids follow time, as in a real order book
        placed_day = placed // US_PER_DAY

        # Who: suppliers by popularity, but never before they joined the programme.
        weights = self.sup_popularity / self.sup_popularity.sum()
        supplier = rng.choice(self.s, n, p=weights)
        too_early = placed < self.sup_created[supplier]
        if too_early.any():
            established = np.flatnonzero(self.sup_created < self.start_day * US_PER_DAY)
            if len(established) == 0:
                established = np.array([int(np.argmin(self.sup_created))])
            w = self.sup_popularity[established]
            supplier[too_early] = rng.choice(established, int(too_early.sum()), p=w / w.sum())
            # The earliest supplier may still be too new for the oldest orders: pull it back.
            first_order = np.full(self.s, np.iinfo(np.int64).max)
            np.minimum.at(first_order, supplier, placed)
            self.sup_created = np.minimum(self.sup_created, first_order - 30 * US_PER_DAY)
            self.sup_columns["created_at"] = _datetimes(self.sup_created)
        buyer = rng.choice(self.b, n, p=self.buyer_popularity / self.buyer_popularity.sum())
        category = np.where(
            rng.random(n) < 0.85,
            self.sup_category[supplier],
            rng.choice(len(CATEGORIES), n, p=self.cat_p),
        )

        # Money: log-normal per category, bigger at gold suppliers; 60% in whole dollars.
        median = np.array([c.median_usd for c in CATEGORIES])[category]
        size = np.array(_TIER_ORDER_SIZE)[self.sup_tier[supplier]]
        usd = np.clip(median * size * rng.lognormal(0.0, 0.95, n), 60.0, 1_500_000.0)
        cents = np.where(rng.random(n) < 0.6, np.round(usd) * 100, np.round(usd * 100))
        amount = cents.astype(np.int64)
        partial_cover = rng.random(n) < 0.12  # e.g. freight and samples not covered
        covered = np.where(
            partial_cover, np.floor(amount * rng.uniform(0.5, 0.95, n)), amount
        ).astype(np.int64)
        method = rng.choice(len(_PAYMENT_METHODS), n, p=np.array(_PAYMENT_SHARE))
        method = np.where((method == 1) & (amount > 2_000_000), 0, method)  # no big card orders

        # When: production lead time per category, then shipping on or before ship-by...
        lo = np.array([c.lead_days[0] for c in CATEGORIES])[category]
        hi = np.array([c.lead_days[1] for c in CATEGORIES])[category]
        lead = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
        ship_by = placed_day + lead
        to_lny = _days_from_lunar_new_year(ship_by)
        in_lny = (to_lny >= _LNY_LATE_WINDOW[0]) & (to_lny <= _LNY_LATE_WINDOW[1])
        lny_country = self.sup_lny[supplier]
        factor = np.where(lny_country, _LNY_LATE[True][0], _LNY_LATE[False][0])
        extra = np.where(lny_country, _LNY_LATE[True][1], _LNY_LATE[False][1])
        season = np.where(in_lny, factor, 1.0)
        ship_month = ship_by.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        season = season * np.where(np.isin(ship_month + 1, _PEAK_SHIP_MONTHS), 1.25, 1.0)
        poor = self.sup_poor[supplier]
        late_p = self.sup_late_p[supplier] * season + np.where(in_lny, extra, 0.0)
        late = rng.random(n) < np.minimum(late_p, 0.95)
        # ...or late by a geometric number of days; poor suppliers and the holiday make it worse.
        delay = rng.geometric(np.where(poor, 0.07, 0.15), n).astype(np.int64)
        delay += np.where(in_lny & lny_country, rng.integers(0, 15, n), 0)
        early = np.floor(rng.random(n) * np.minimum(lead, 7)).astype(np.int64)
        ship_day = np.where(late, ship_by + delay, ship_by - early)
        ship_at = ship_day * US_PER_DAY + rng.integers(US_PER_HOUR, 12 * US_PER_HOUR, n)
        never_ships = late & (rng.random(n) < np.where(poor, 0.12, 0.05))

        # Cancellations: some early (buyer changes plans), and most orders that never ship.
        cancel_early = rng.random(n) < 0.025
        early_cancel_at = placed + (
            (0.5 + rng.random(n) * np.maximum(lead * 0.6 - 0.5, 0.1)) * US_PER_DAY
        ).astype(np.int64)
        late_cancel_at = (ship_by + rng.integers(3, 40, n)) * US_PER_DAY + rng.integers(
            0, US_PER_DAY, n
        )
        cancelled_at = np.where(
            cancel_early,
            early_cancel_at,
            np.where(never_ships & (rng.random(n) < 0.7), late_cancel_at, NAT),
        )
        cancelled_at = np.where(cancelled_at >= cut, NAT, cancelled_at)
        cancelled = cancelled_at != NAT
        shipped = ~cancel_early & ~never_ships & (ship_at < cut)
        shipped_at = np.where(shipped, ship_at, NAT)

        # Delivery: sea freight (3-6 weeks) or air/express (4-10 days); a few shipments are lost.
        sea = rng.random(n) < 0.6
        transit = np.where(sea, rng.uniform(18, 40, n), rng.uniform(4, 10, n)) * US_PER_DAY
        lost = rng.random(n) < self.sup_lost_p[supplier]
        deliver_at = ship_at + transit.astype(np.int64)
        delivered = shipped & ~lost & (deliver_at < cut)
        delivered_at = np.where(delivered, deliver_at, NAT)

        status = np.where(
            cancelled, 3, np.where(delivered, 2, np.where(shipped, 1, 0))
        )  # placed/shipped/delivered/cancelled
        # Paid: T/T orders carry a 30% deposit until the balance is due before shipment; letters
        # of credit pay out on the shipping documents.
        deposit = np.round(amount * (_DEPOSIT_BP / 10_000)).astype(np.int64)
        not_shipped_yet = ~shipped
        tt = method == 0
        deposit_only = tt & np.where(not_shipped_yet, rng.random(n) < 0.8, rng.random(n) < 0.05)
        paid = np.where(deposit_only, deposit, amount)
        paid = np.where((method == 2) & not_shipped_yet, 0, paid)

        self.o_placed = placed
        self.o_supplier = supplier
        self.o_category = category
        self.o_amount = amount
        self.o_covered = covered
        self.o_paid = paid
        self.o_ship_by = ship_by
        self.o_shipped_at = shipped_at
        self.o_delivered_at = delivered_at
        self.o_cancelled_at = cancelled_at
        self.o_lost = shipped & lost
        self.o_status = status

        self.tables.append(
            TableData(
                "orders",
                {
                    "id": np.arange(1, n + 1, dtype=np.int64),
                    "external_id": _format_ids("ORD", n, 8),
                    "supplier_id": supplier.astype(np.int64) + 1,
                    "buyer_id": buyer.astype(np.int64) + 1,
                    "category": np.array([c.name for c in CATEGORIES], dtype=object)[category],
                    "payment_method": np.array(_PAYMENT_METHODS, dtype=object)[method],
                    "currency": np.full(n, "USD", dtype=object),
                    "order_amount_cents": amount,
                    "covered_amount_cents": covered,
                    "paid_amount_cents": paid.astype(np.int64),
                    "placed_at": _datetimes(placed),
                    "ship_by": ship_by.astype("datetime64[D]"),
                    "shipped_at": _datetimes(shipped_at),
                    "delivered_at": _datetimes(delivered_at),
                    "cancelled_at": _datetimes(cancelled_at),
                    "status": np.array(
                        ("placed", "shipped", "delivered", "cancelled"), dtype=object
                    )[status],
                },
            )
        )

    # --- limits -------------------------------------------------------------------------

    def _limits(self) -> None:
        """Limit = tier multiple x average monthly covered amount of the last 6 months."""
        window_start = _epoch_day(_months_before(self.today, 6)) * US_PER_DAY
        recent = (self.o_placed >= window_start) & (self.o_status != 3)
        volume = np.bincount(
            self.o_supplier[recent], weights=self.o_covered[recent], minlength=self.s
        )
        active_from = np.maximum(self.sup_created, window_start)
        months = np.clip((self.cut - active_from) / (30.4 * US_PER_DAY), 1.0, 6.0)
        monthly = volume / months
        multiple = np.array(_TIER_LIMIT_MULTIPLE)[self.sup_tier]
        usd = np.ceil(monthly * multiple / 100 / 1_000) * 1_000
        limit = (np.maximum(usd, 5_000) * 100).astype(np.int64)
        columns = dict(self.sup_columns)
        created = columns.pop("created_at")
        columns["limit_cents"] = limit
        columns["created_at"] = created
        self.tables.append(TableData("suppliers", columns))
        self.tables.append(
            TableData(
                "supplier_limit_changes",
                {
                    "id": np.arange(1, self.s + 1, dtype=np.int64),
                    "supplier_id": np.arange(1, self.s + 1, dtype=np.int64),
                    "old_limit_cents": np.zeros(self.s, dtype=np.int64),
                    "new_limit_cents": limit,
                    "reason": ["Initial limit from qualification and 6-month volume"] * self.s,
                    "changed_by_id": [None] * self.s,
                    "changed_at": _datetimes(self.sup_created + US_PER_HOUR),
                },
            )
        )

    # --- claims -------------------------------------------------------------------------

    def _claim_candidates(self) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]:
        """Every (order, kind) a claim could be filed for, with the window it could be filed in.

        Returns order index, kind (0 late, 1 quality, 2 non-delivery), earliest and latest filing
        instant, and the chance a buyer actually files one.
        """
        n, cut = self.n, self.cut
        rng = self.rng
        shipped = self.o_shipped_at != NAT
        delivered = self.o_delivered_at != NAT
        cancelled = self.o_cancelled_at != NAT
        ship_by_end = (self.o_ship_by + 1) * US_PER_DAY  # the ship-by day is over
        supplier = self.o_supplier
        cap_end = np.where(cancelled, self.o_cancelled_at, cut)

        # Late: shipped on a later day than ship-by, or still not shipped (and not cancelled
        # before) after it. The buyer files after ship-by, before or soon after shipment.
        shipped_late = shipped & (self.o_shipped_at >= ship_by_end)
        unshipped_late = ~shipped & (cap_end > ship_by_end + US_PER_HOUR)
        late = shipped_late | unshipped_late
        late_days = np.where(shipped, (self.o_shipped_at - ship_by_end) // US_PER_DAY + 1, 25)
        late_lo = ship_by_end
        late_hi = np.where(
            shipped,
            np.minimum(self.o_shipped_at + 10 * US_PER_DAY, ship_by_end + 25 * US_PER_DAY),
            np.where(
                cancelled,
                np.minimum(self.o_cancelled_at, ship_by_end + 25 * US_PER_DAY),
                ship_by_end + 25 * US_PER_DAY,
            ),
        )
        late_p = np.where(shipped, np.minimum(0.05 + 0.02 * late_days, 0.35), 0.45)

        # Quality: delivered goods; filed within the 30-day window (a few late filers).
        kind_factor = np.array([c.quality_factor for c in CATEGORIES])
        quality_p = np.minimum(self.sup_quality_p[supplier] * kind_factor[self.o_category], 0.5)
        out_of_window = rng.random(n) < 0.05
        quality_lo = np.where(
            out_of_window,
            (self.o_delivered_at // US_PER_DAY + 31) * US_PER_DAY,
            self.o_delivered_at + 2 * US_PER_HOUR,
        )
        quality_hi = np.where(
            out_of_window,
            quality_lo + 20 * US_PER_DAY,
            (self.o_delivered_at // US_PER_DAY + 31) * US_PER_DAY - US_PER_HOUR,
        )

        # Non-delivery: shipped, lost in transit; buyers give up 6-11 weeks after shipment.
        lost = self.o_lost
        lost_lo = self.o_shipped_at + 40 * US_PER_DAY
        lost_hi = self.o_shipped_at + 80 * US_PER_DAY

        order_idx = np.concatenate(
            [np.flatnonzero(late), np.flatnonzero(delivered), np.flatnonzero(lost)]
        )
        kind = np.concatenate(
            [
                np.zeros(int(late.sum()), np.int64),
                np.ones(int(delivered.sum()), np.int64),
                np.full(int(lost.sum()), 2, np.int64),
            ]
        )
        lo = np.concatenate([late_lo[late], quality_lo[delivered], lost_lo[lost]])
        hi = np.concatenate([late_hi[late], quality_hi[delivered], lost_hi[lost]])
        chance = np.concatenate([late_p[late], quality_p[delivered], np.full(int(lost.sum()), 0.8)])
        return (
            order_idx.astype(np.int64),
            kind,
            lo.astype(np.int64),
            hi.astype(np.int64),
            chance.astype(np.float64),
        )

    def _claims(self) -> None:
        rng, cut = self.rng, self.cut
        order_idx, kind, lo, hi, chance = self._claim_candidates()
        m = len(order_idx)
        filed = lo + (rng.random(m) * np.maximum(hi - lo, 0)).astype(np.int64)
        # A filing drawn after today has simply not happened yet.
        files = (rng.random(m) < chance) & (hi > lo) & (filed < cut)
        # One claim per order at most: among an order's filed candidates keep a random one.
        priority = np.where(files, rng.random(m), -1.0)
        chosen = self._one_per_order(order_idx, priority)
        chosen = chosen[np.argsort(filed[chosen], kind="stable")]
        # Withdrawn: 5% of the claims older than ten days (at least one), drawn as a quota so
        # that small data sets show the status too.
        old = np.flatnonzero(filed[chosen] < cut - 10 * US_PER_DAY)
        withdraw = np.zeros(len(chosen), dtype=np.bool_)
        if len(old):
            withdraw[rng.choice(old, max(1, round(0.05 * len(old))), replace=False)] = True
        records = self._claim_records(
            order_idx[chosen], kind[chosen], filed[chosen], [None] * len(chosen), withdraw
        )

        # Top the reviewers' queue up so every undecided status shows (see MIN_QUEUE).
        have: dict[str, int] = {}
        for record in records:
            have[record.status] = have.get(record.status, 0) + 1
        deficits = {status: max(0, want - have.get(status, 0)) for status, want in MIN_QUEUE}
        targets: list[str] = []
        while any(deficits.values()):
            for status, _want in MIN_QUEUE:
                if deficits[status]:
                    targets.append(status)
                    deficits[status] -= 1
        if targets:
            taken = np.zeros(self.n, dtype=np.bool_)
            taken[order_idx[chosen]] = True
            extra = self._queue_top_up(order_idx, lo, np.minimum(hi, cut - 1), taken, targets)
            picks = np.array([i for i, _, _ in extra], dtype=np.int64)
            records += self._claim_records(
                order_idx[picks] if len(picks) else picks,
                kind[picks] if len(picks) else picks,
                np.array([at for _, at, _ in extra], dtype=np.int64),
                [target for _, _, target in extra],
                np.zeros(len(extra), dtype=np.bool_),
            )
        records.sort(key=lambda r: r.filed_us)  # stable: ids follow filing time
        self._claim_tables(records)

    def _one_per_order(self, order_idx: IntArray, priority: FloatArray) -> IntArray:
        candidates = np.flatnonzero(priority >= 0)
        if not len(candidates):
            return candidates.astype(np.int64)
        # Sort by (order, -priority) and keep the first row of each order.
        keys = np.lexsort((-priority[candidates], order_idx[candidates]))
        ordered = candidates[keys]
        first = np.ones(len(ordered), dtype=np.bool_)
        first[1:] = order_idx[ordered][1:] != order_idx[ordered][:-1]
        return ordered[first].astype(np.int64)

    def _queue_top_up(
        self,
        order_idx: IntArray,
        lo: IntArray,
        hi: IntArray,
        taken: BoolArray,
        targets: list[str],
    ) -> list[tuple[int, int, str]]:
        """Extra recent claims, each aimed at one undecided status: (candidate, filed, target).

        Each target needs a claim of a certain age (an escalated one is at least four days old,
        an open one less than seven); the filing instant must lie in the candidate's window.
        """
        rng, cut = self.rng, self.cut
        # Poor suppliers are the likeliest to be in the queue.
        badness = (self.sup_late_p + self.sup_quality_p)[self.o_supplier[order_idx]]
        result: list[tuple[int, int, str]] = []
        for target in targets:
            age_lo, age_hi = _TARGET_AGE_DAYS[target]
            age = age_lo + rng.random() * (age_hi - age_lo)
            moment = cut - int(age * US_PER_DAY)
            fits = np.flatnonzero((lo <= moment) & (hi >= moment) & ~taken[order_idx])
            if not len(fits):
                continue
            w = badness[fits]
            pick = int(fits[rng.choice(len(fits), p=w / w.sum())])
            taken[order_idx[pick]] = True
            result.append((pick, moment, target))
        return result

    def _claim_records(
        self,
        order_idx: IntArray,
        kind: IntArray,
        filed: IntArray,
        forced: list[str | None],
        withdraw: BoolArray,
    ) -> list[_ClaimRecord]:
        """Walk each claim through the dispute clock; ``forced`` aims it at a status."""
        rng, cut, policy = self.rng, self.cut, self.policy
        c = len(order_idx)
        draws = rng.random((c, 16))
        poor = self.sup_poor[self.o_supplier[order_idx]]
        # Quality evidence: most buyers commission an inspection; poor suppliers' goods fail more.
        defect_conforming = rng.beta(1.2, 6, c) * 250
        defect_failing = np.where(poor, rng.beta(2, 4, c), rng.beta(1.5, 8, c)) * 9_000 + 300
        fees = np.array([25_000, 30_000, 30_000, 35_000, 42_000])[rng.integers(0, 5, c)]
        kinds = ("late_shipment", "quality", "non_delivery")
        holidays = frozenset(policy.holidays)
        today = self.today

        records: list[_ClaimRecord] = []
        for i in range(c):
            u = draws[i]
            o = int(order_idx[i])
            k = int(kind[i])
            target = forced[i]
            filed_us = int(filed[i])
            filed_at = _to_datetime(filed_us)
            covered = int(self.o_covered[o])
            amount = int(self.o_amount[o])
            shipped_us = int(self.o_shipped_at[o])
            ship_by = date(1970, 1, 1) + timedelta(days=int(self.o_ship_by[o]))

            # Evidence and the amount claimed.
            report = False
            defect: int | None = None
            conforming: bool | None = None
            fee = 0
            if k == 0:
                if shipped_us == NAT or shipped_us > filed_us:
                    days_late = (filed_us // US_PER_DAY) - int(self.o_ship_by[o])
                    templates: tuple[str, ...] = _NOT_SHIPPED_DESCRIPTIONS
                    claimed = covered
                else:
                    days_late = shipped_us // US_PER_DAY - int(self.o_ship_by[o])
                    templates = _SHIPPED_LATE_DESCRIPTIONS
                    share = min(0.01 * days_late, 0.2) * (0.8 + 0.8 * u[0])
                    claimed = min(covered, max(1_000, round(covered * share)))
                text = templates[int(u[1] * len(templates))].format(
                    ship_by=ship_by.isoformat(),
                    days=_days_text(days_late),
                    shipped=_day_text(shipped_us),
                )
            elif k == 1:
                report = u[2] < 0.8
                if report:
                    conforming = bool(u[3] < (0.15 if poor[i] else 0.35))
                    value = defect_conforming[i] if conforming else defect_failing[i]
                    defect = int(min(10_000, round(value)))
                    fee = int(fees[i])
                    defect_text = f"inspection found {defect / 100:.1f}% defective"
                else:
                    defect_text = "inspection booked, report to follow"
                claimed = min(covered, max(1_000, round(covered * (0.15 + 0.85 * u[0])))) + fee
                text = _QUALITY_DESCRIPTIONS[int(u[1] * len(_QUALITY_DESCRIPTIONS))].format(
                    defect=defect_text
                )
            else:
                claimed = covered
                text = _NON_DELIVERY_DESCRIPTIONS[
                    int(u[1] * len(_NON_DELIVERY_DESCRIPTIONS))
                ].format(
                    shipped=_day_text(shipped_us),
                    days=_days_text((filed_us - shipped_us) // US_PER_DAY),
                )
            if u[4] < 0.03:
                claimed = max(claimed, amount)  # buyer claims the whole order, beyond coverage

            # The dispute clock: response, escalation, pick-up, decision(s).
            clock = claim_deadlines(filed_at, None, None, policy)
            r = u[5]
            response = "accepted" if r < 0.2 else "disputed" if r < 0.75 else "none"
            responded_us: int | None = None
            if response != "none":
                responded_us = filed_us + int((0.05 + u[6] * 2.9) * US_PER_DAY)
            if target == "open":
                response = "none" if response == "accepted" else response
            if target in ("escalated", "in_review", "awaiting_second_approval"):
                response = "disputed" if response == "accepted" else response
            may_from, auto = _to_us(clock.buyer_may_escalate_from), _to_us(clock.auto_escalation_at)
            escalated_us: int | None = None
            if response == "accepted":
                start = responded_us
            else:
                if u[7] < 0.45:
                    escalated_us = may_from + int(u[8] * (auto - may_from))
                else:
                    escalated_us = auto + int(u[8] * 20 * 60 * US_PER_SECOND)
                start = escalated_us
            assert start is not None
            pickup_due = _to_us(
                add_working_days(_to_datetime(start), policy.pickup_working_days, holidays)
            )
            picked_us = start + int(u[9] * (pickup_due - start))
            if u[10] < 0.08:  # the team sometimes misses the pick-up deadline
                picked_us = pickup_due + int(u[9] * US_PER_DAY)
            decision_due = _to_us(
                add_working_days(_to_datetime(picked_us), policy.decision_working_days, holidays)
            )
            first_us = picked_us + int((0.05 + 0.9 * u[11]) * (decision_due - picked_us))
            if target is not None:
                escalated_us, picked_us, first_us = _aim(
                    target, cut, may_from, escalated_us, picked_us, first_us, u
                )

            # The recommendation, with the order as it was known when it was computed: at the
            # filing for a claim decided since, else now (as the daily recompute would).
            has_first = first_us < cut
            evidence = _Evidence(
                ClaimKind(kinds[k]), filed_at, claimed, response, responded_us, report, defect,
                conforming, fee,
            )  # fmt: skip
            rec_us = filed_us + 2 * 60 * US_PER_SECOND if has_first else cut
            rec = self._recommend(o, evidence, rec_us, filed_at.date() if has_first else today)

            # The reviewer mostly follows the recommendation.
            approve, decided_amount, note = _verdict(rec, u[12] >= 0.07, u[13])
            four_eyes = needs_second_approval(rec, approve, decided_amount, policy)
            if target == "awaiting_second_approval" and not four_eyes:
                # Aim for a four-eyes case: a verdict that departs from the recommendation.
                approve, decided_amount, note = _verdict(rec, False, u[13])
                four_eyes = needs_second_approval(rec, approve, decided_amount, policy)
            second_us = first_us
            if four_eyes:
                second_us += int((0.05 + 1.5 * u[14]) * US_PER_DAY)
                if target == "awaiting_second_approval":
                    second_us = max(second_us, cut + US_PER_HOUR)
            withdrawn_us: int | None = None
            if target is None and withdraw[i]:
                until = min(start, first_us)
                withdrawn_us = filed_us + int((0.2 + 0.8 * u[15]) * (until - filed_us))
                if withdrawn_us >= cut:
                    withdrawn_us = None

            if withdrawn_us is not None:
                status = "withdrawn"
            elif second_us < cut:
                status = "approved" if approve else "rejected"
            elif has_first and four_eyes:
                status = "awaiting_second_approval"
            elif picked_us < cut:
                status = "in_review"
            elif escalated_us is not None and escalated_us < cut:
                status = "escalated"
            else:
                status = "open"
            # A proposal still pending must answer the recommendation as it stands now (the
            # daily recompute would store a different one and lapse it): either the order moved
            # on since (a shipment, a delivery), and the proposal lapsed — the claim is back in
            # review with both recommendations in its history — or, for a claim aimed at this
            # status, the reviewer proposed on today's figures.
            later: Recommendation | None = None
            if status == "awaiting_second_approval":
                now_rec = self._recommend(o, evidence, cut, today)
                if not same_substance(rec, now_rec):
                    if target == "awaiting_second_approval":
                        rec, rec_us = now_rec, first_us - 2 * 60 * US_PER_SECOND
                        approve, decided_amount, note = _verdict(rec, False, u[13])
                    else:
                        status, later = "in_review", now_rec
            end = withdrawn_us if withdrawn_us is not None else cut

            def seen(moment: int | None, end: int = end) -> datetime | None:
                return None if moment is None or moment >= end else _to_datetime(moment)

            reviewer = _REVIEWER_IDS[int(u[15] * 2)]
            other = _REVIEWER_IDS[1 - _REVIEWER_IDS.index(reviewer)]
            in_hands = status in ("in_review", "awaiting_second_approval", "approved", "rejected")
            shown_response = response if seen(responded_us) is not None else "none"

            decisions: list[dict[str, Any]] = []
            if status in ("approved", "rejected", "awaiting_second_approval") or later is not None:
                first_kind = "proposal" if four_eyes else "sole"
                steps = [(1, first_kind, reviewer, first_us, note)]
                if four_eyes and status in ("approved", "rejected"):
                    steps.append((2, "confirmation", other, second_us, _SECOND_NOTE))
                for seq, decision_kind, who, at, text_note in steps:
                    decisions.append(
                        {
                            "seq": seq,
                            "kind": decision_kind,
                            "reviewer_id": who,
                            "verdict": "approve" if approve else "reject",
                            "amount_cents": decided_amount,
                            "cap_cents": rec.cap_cents,
                            "note": text_note,
                            "decided_at": _to_datetime(at),
                        }
                    )
            claim = {
                "order_id": o + 1,
                "kind": kinds[k],
                "filed_at": filed_at,
                "claimed_amount_cents": claimed,
                "description": text,
                "inspection_report": report,
                "defect_rate_bp": defect,
                "conforming": conforming,
                "inspection_fee_cents": fee,
                "supplier_response": shown_response,
                "supplier_responded_at": seen(responded_us) if shown_response != "none" else None,
                "status": status,
                "escalated_at": seen(escalated_us) if status != "open" else None,
                "picked_up_at": seen(picked_us) if in_hands else None,
                "decided_at": _to_datetime(second_us)
                if status in ("approved", "rejected")
                else None,
                "withdrawn_at": seen(withdrawn_us, cut),
                "assignee_id": reviewer if in_hands else None,
            }
            recommendations = [_recommendation_row(rec, rec_us)]
            if later is not None:
                recommendations.append(_recommendation_row(later, cut))
            records.append(_ClaimRecord(filed_us, status, claim, recommendations, decisions))
        return records

    def _recommend(self, o: int, claim: _Evidence, moment: int, day: date) -> Recommendation:
        """The rules module's answer for a claim on order ``o``, with what was known before
        ``moment`` (microseconds) on the calendar ``day``."""
        shipped_us = int(self.o_shipped_at[o])
        delivered_us = int(self.o_delivered_at[o])
        cancelled_us = int(self.o_cancelled_at[o])

        def seen(value: int) -> datetime | None:
            return None if value == NAT or value > moment else _to_datetime(value)

        order = OrderFacts(
            covered_amount_cents=int(self.o_covered[o]),
            paid_amount_cents=int(self.o_paid[o]),
            already_refunded_cents=0,  # at most one claim per order
            ship_by=date(1970, 1, 1) + timedelta(days=int(self.o_ship_by[o])),
            shipped_at=seen(shipped_us),
            delivered_at=seen(delivered_us),
            cancelled_at=seen(cancelled_us),
        )
        responded = claim.responded_us
        facts = ClaimFacts(
            kind=claim.kind,
            filed_at=claim.filed_at,
            claimed_amount_cents=claim.claimed_cents,
            supplier_response=SupplierResponse(
                claim.response if responded is not None and responded < moment else "none"
            ),
            inspection_report=claim.report,
            defect_rate_bp=claim.defect_bp,
            conforming=claim.conforming,
            inspection_fee_cents=claim.fee_cents,
        )
        return recommend(facts, order, self.policy, day)

    def _claim_tables(self, records: list[_ClaimRecord]) -> None:
        c = len(records)
        claim_columns: dict[str, Column] = {
            "id": np.arange(1, c + 1, dtype=np.int64),
            "external_id": _format_ids("CLM", c, 7),
        }
        for name in _CLAIM_FIELDS:
            claim_columns[name] = [r.claim[name] for r in records]
        recs = [
            (claim_id, rec)
            for claim_id, r in enumerate(records, start=1)
            for rec in r.recommendations
        ]
        # Decisions answer a claim's first recommendation (a later one lapsed the proposal).
        first_rec_id: dict[int, int] = {}
        for rec_id, (claim_id, _) in enumerate(recs, start=1):
            first_rec_id.setdefault(claim_id, rec_id)
        rec_columns: dict[str, Column] = {
            "id": np.arange(1, len(recs) + 1, dtype=np.int64),
            "claim_id": [claim_id for claim_id, _ in recs],
        }
        for name in _RECOMMENDATION_FIELDS:
            rec_columns[name] = [rec[name] for _, rec in recs]
        rows = [
            (claim_id, decision)
            for claim_id, r in enumerate(records, start=1)
            for decision in r.decisions
        ]
        dec_columns: dict[str, Column] = {
            "id": np.arange(1, len(rows) + 1, dtype=np.int64),
            "claim_id": [claim_id for claim_id, _ in rows],
            "recommendation_id": [first_rec_id[claim_id] for claim_id, _ in rows],
        }
        for name in _DECISION_FIELDS:
            dec_columns[name] = [decision[name] for _, decision in rows]
        self.tables.append(TableData("claims", claim_columns))
        self.tables.append(TableData("recommendations", rec_columns))
        self.tables.append(TableData("decisions", dec_columns))


@dataclass(frozen=True, slots=True)
class _Evidence:
    """A claim's own facts, as the buyer filed them and the supplier answered."""

    kind: ClaimKind
    filed_at: datetime
    claimed_cents: int
    response: str
    responded_us: int | None
    report: bool
    defect_bp: int | None
    conforming: bool | None
    fee_cents: int


def _recommendation_row(rec: Recommendation, created_us: int) -> dict[str, Any]:
    return {
        "policy_version": rec.policy_version,
        "action": str(rec.action),
        "amount_cents": rec.amount_cents,
        "cap_cents": rec.cap_cents,
        "reasons": [{"code": str(x.code), "message": x.message} for x in rec.reasons],
        "four_eyes_required": rec.four_eyes_required,
        "created_at": _to_datetime(created_us),
    }


@dataclass(slots=True)
class _ClaimRecord:
    filed_us: int
    status: str
    claim: dict[str, Any]
    recommendations: list[dict[str, Any]]
    decisions: list[dict[str, Any]]


_CLAIM_FIELDS = (
    "order_id", "kind", "filed_at", "claimed_amount_cents", "description", "inspection_report",
    "defect_rate_bp", "conforming", "inspection_fee_cents", "supplier_response",
    "supplier_responded_at", "status", "escalated_at", "picked_up_at", "decided_at",
    "withdrawn_at", "assignee_id",
)  # fmt: skip
_RECOMMENDATION_FIELDS = (
    "policy_version", "action", "amount_cents", "cap_cents", "reasons", "four_eyes_required",
    "created_at",
)  # fmt: skip
_DECISION_FIELDS = (
    "seq", "kind", "reviewer_id", "verdict", "amount_cents", "cap_cents", "note", "decided_at",
)  # fmt: skip


def _aim(
    target: str,
    cut: int,
    may_from: int,
    escalated: int | None,
    picked: int,
    first: int,
    u: npt.NDArray[np.float64],
) -> tuple[int | None, int, int]:
    """Bend a top-up claim's clock so that on ``cut`` it stands in ``target``."""
    never = cut + 365 * US_PER_DAY
    if target == "open":
        return None, never, never
    # Escalated before cut: between 'may escalate' and an hour before cut.
    lo = min(may_from, cut - US_PER_HOUR)
    esc = (
        escalated
        if escalated is not None and escalated < cut - US_PER_HOUR
        else lo + int(u[8] * (cut - US_PER_HOUR - lo))
    )
    if target == "escalated":
        return esc, never, never
    pick = picked if picked < cut else esc + int(u[9] * (cut - esc))
    pick = max(pick, esc + 60 * US_PER_SECOND)
    if target == "in_review":
        return esc, min(pick, cut - 2 * 60 * US_PER_SECOND), never
    first_at = first if first < cut else pick + int(u[11] * (cut - pick))
    return (
        esc,
        min(pick, cut - 2 * 60 * US_PER_SECOND),
        min(max(first_at, pick + 30 * US_PER_SECOND), cut - 60 * US_PER_SECOND),
    )


def _verdict(rec: Recommendation, follows: bool, note_draw: float) -> tuple[bool, int, str]:
    """A reviewer's verdict: the recommendation's unless ``follows`` is False."""
    cap = rec.cap_cents
    if rec.action in ("approve_full", "approve_partial"):
        if follows:
            notes = _APPROVE_NOTES
            return True, rec.amount_cents, notes[int(note_draw * len(notes)) % len(notes)]
        return False, 0, _DEPART_REJECT_NOTE
    if follows or cap <= 0:
        if rec.action == "request_evidence":
            return False, 0, _EVIDENCE_REJECT_NOTE
        notes = _REJECT_NOTES
        return False, 0, notes[int(note_draw * len(notes)) % len(notes)]
    return True, max(1, cap // 2) if cap > 1 else cap, _DEPART_APPROVE_NOTE
