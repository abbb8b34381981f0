"""Who trades in the demo: the demo users, suppliers (and their registered names) and buyers.

One supplier per ~200 orders and one buyer per ~20, their popularity long-tailed (log-normal).
Suppliers are mostly Chinese, drawn by quota so that even ten of them show the country, tier and
category mix; a few *poor* suppliers (by tier odds, scaled to take a fixed share of the orders)
are much less reliable, which is what makes the supplier figures worth looking at. Names come
from Faker in each country's locale, seeded from the run's seed and a purpose string, so
suppliers and buyers of one locale get different names and adding a country reshuffles no other.

Draw order matters: each function takes the run's one ``numpy`` generator and draws from it in
a fixed sequence, so the same seed gives the same parties.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from faker import Faker

from services.demo.catalogue import (
    CATEGORIES,
    DEMO_USERS,
    TIER_POOR_SHARE,
    TIER_POPULARITY,
    TIER_SHARE,
    TIERS,
)
from services.demo.columns import (
    BoolArray,
    Columns,
    FloatArray,
    IntArray,
    datetimes,
    external_ids,
    ids,
)
from services.demo.timeline import US_PER_DAY, US_PER_HOUR

__all__ = [
    "Buyers",
    "Suppliers",
    "category_shares",
    "draw_buyers",
    "draw_suppliers",
    "supplier_columns",
    "user_columns",
]

ORDERS_PER_SUPPLIER = 200
ORDERS_PER_BUYER = 20
POOR_SUPPLIER_SHARE = 0.07
POOR_ORDER_SHARE = 0.10  # they oversell their capacity: 7% of suppliers take 10% of orders

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
#: Faker calls cost up to ~0.2 ms; beyond this many buyers per country, names are combined
#: (at a million orders 1,000 rather than 3,000 took the generation from 5.4 to 4.2–4.7 s).
_NAME_POOL = 1_000


@dataclass(frozen=True, slots=True)
class Suppliers:
    """Suppliers as columns, index ``i`` being supplier id ``i + 1``; indexes point into the
    catalogue (``tier`` into ``TIERS``, ``category`` into ``CATEGORIES``)."""

    count: int
    country: IntArray  # index into the supplier countries
    tier: IntArray
    category: IntArray  # main category
    poor: BoolArray
    popularity: FloatArray  # relative share of orders
    late_p: FloatArray  # chance an order ships late, before the season's effect
    quality_p: FloatArray  # chance a delivered order draws a quality claim, before category
    lost_p: FloatArray  # chance a shipment is lost
    created: IntArray  # joined the programme (us)
    lunar_new_year: BoolArray  # factories close for the Lunar New Year
    names: list[str]
    country_codes: list[str]


@dataclass(frozen=True, slots=True)
class Buyers:
    count: int
    popularity: FloatArray
    columns: Columns  # the buyers table


@functools.cache
def _faker_for(locale: str) -> Faker:
    # Building a Faker loads its providers (~0.1 s each); reseeding one per locale is the same
    # stream of names for the same seed, since every use reseeds it first.
    return Faker(locale)


def _faker(seed: int, locale: str, purpose: str) -> Faker:
    faker = _faker_for(locale)
    # Derived from the seed and the purpose ("supplier CN"), so suppliers and buyers of one
    # locale get different names and adding a country never reshuffles the others.
    salt = int.from_bytes(hashlib.sha256(purpose.encode()).digest()[:4], "big")
    faker.seed_instance(seed * 2**32 + salt)
    return faker


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


def category_shares() -> FloatArray:
    """Each category's share of orders (and of suppliers' main categories)."""
    weights = np.array([c.weight for c in CATEGORIES])
    shares: FloatArray = weights / weights.sum()
    return shares


def user_columns(start_day: int) -> Columns:
    """The users table: the demo users, created 45 days before the history starts."""
    created = datetimes(np.full(len(DEMO_USERS), (start_day - 45) * US_PER_DAY + 9 * US_PER_HOUR))
    return {
        "id": ids(len(DEMO_USERS)),
        "email": [u.email for u in DEMO_USERS],
        "display_name": [u.display_name for u in DEMO_USERS],
        "role": [u.role for u in DEMO_USERS],
        "is_active": np.ones(len(DEMO_USERS), dtype=np.bool_),
        "created_at": created,
    }


def draw_suppliers(
    rng: np.random.Generator, seed: int, orders: int, cut: int, start_day: int
) -> Suppliers:
    """The suppliers for ``orders`` orders; ``cut`` is now (us), ``start_day`` the first day of
    the order history."""
    s = max(3, round(orders / ORDERS_PER_SUPPLIER))
    shares = np.array([c[1] for c in _SUPPLIER_COUNTRIES])
    # Quotas rather than independent draws, so that even 10 suppliers show the mix.
    country = _quota_draw(rng, s, shares)
    tier = _quota_draw(rng, s, np.array(TIER_SHARE))
    category = _quota_draw(rng, s, category_shares())
    # A few poor suppliers (at least one), likeliest among standard ones.
    poor_weight = np.array(TIER_POOR_SHARE)[tier]
    poor_count = max(1, round(s * POOR_SUPPLIER_SHARE))
    poor = np.zeros(s, dtype=np.bool_)
    poor[rng.choice(s, poor_count, replace=False, p=poor_weight / poor_weight.sum())] = True
    popularity = rng.lognormal(0.0, 0.9, s) * np.array(TIER_POPULARITY)[tier]
    # Scale the poor ones to a fixed share of all orders: otherwise, with a dozen suppliers,
    # chance alone decides whether the bad apple is tiny or takes a third of the orders.
    poor_total, good_total = popularity[poor].sum(), popularity[~poor].sum()
    if good_total > 0:
        scale = POOR_ORDER_SHARE / (1 - POOR_ORDER_SHARE) * good_total / poor_total
        popularity = np.where(poor, popularity * scale, popularity)
    # Reliability: good suppliers ship late ~1.5% of the time, poor ones 15-40%; quality
    # claims follow the same split.
    late_p = np.where(poor, 0.15 + 0.25 * rng.beta(2, 2, s), rng.beta(2, 130, s))
    quality_p = np.where(poor, 0.05 + 0.08 * rng.beta(2, 2, s), rng.beta(1.2, 300, s))
    lost_p = np.where(poor, 0.02, 0.003)
    new = tier == TIERS.index("new")
    history_days = cut // US_PER_DAY - start_day
    joined_days_ago = np.where(
        new, rng.integers(35, 170, s), history_days + rng.integers(30, 1_800, s)
    )
    created = (cut - joined_days_ago * US_PER_DAY + rng.integers(0, US_PER_DAY, s)).astype(np.int64)
    names = _supplier_names(rng, seed, country, category)
    codes = [_SUPPLIER_COUNTRIES[i][0] for i in country.tolist()]
    return Suppliers(
        count=s,
        country=country,
        tier=tier,
        category=category,
        poor=poor,
        popularity=popularity,
        late_p=late_p,
        quality_p=quality_p,
        lost_p=lost_p,
        created=created,
        lunar_new_year=np.isin(np.array(codes), _LUNAR_NEW_YEAR_COUNTRIES),
        names=names,
        country_codes=codes,
    )


def _supplier_names(
    rng: np.random.Generator, seed: int, country: IntArray, category: IntArray
) -> list[str]:
    s = len(country)
    names: list[str] = [""] * s
    seen: set[str] = set()
    city_pick = rng.integers(0, len(_CN_CITIES), s).tolist()
    suffix_pick = rng.integers(0, len(_VN_SUFFIXES), s).tolist()
    for country_index, (code, _share, locale) in enumerate(_SUPPLIER_COUNTRIES):
        members = np.flatnonzero(country == country_index).tolist()
        if not members:
            continue
        faker = _faker(seed, locale, f"supplier {code}")
        for i in members:
            trade = CATEGORIES[int(category[i])].trade_word
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


def supplier_columns(suppliers: Suppliers, limit: IntArray) -> Columns:
    """The suppliers table, once their limits are known (they follow order volume)."""
    s = suppliers.count
    return {
        "id": ids(s),
        "external_id": external_ids("SUP", s, 6),
        "name": suppliers.names,
        "country": suppliers.country_codes,
        "main_category": [CATEGORIES[i].name for i in suppliers.category.tolist()],
        "tier": [TIERS[i] for i in suppliers.tier.tolist()],
        "limit_cents": limit,
        "created_at": datetimes(suppliers.created),
    }


def draw_buyers(rng: np.random.Generator, seed: int, orders: int) -> Buyers:
    """The buyers for ``orders`` orders, with the buyers table."""
    b = max(5, round(orders / ORDERS_PER_BUYER))
    shares = np.array([c[1] for c in _BUYER_COUNTRIES])
    country = rng.choice(len(_BUYER_COUNTRIES), b, p=shares / shares.sum())
    popularity = rng.lognormal(0.0, 1.0, b)
    names: list[str] = [""] * b
    for country_index, (code, _share, locale) in enumerate(_BUYER_COUNTRIES):
        members = np.flatnonzero(country == country_index)
        if not len(members):
            continue
        faker = _faker(seed, locale, f"buyer {code}")
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
    columns: Columns = {
        "id": ids(b),
        "external_id": external_ids("BUY", b, 6),
        "name": names,
        "country": [_BUYER_COUNTRIES[i][0] for i in country.tolist()],
    }
    return Buyers(count=b, popularity=popularity, columns=columns)
