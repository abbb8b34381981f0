"""Demo buyers' names: Faker's names up to a pool per Latin-script country (or an eighth of its
buyers, if more), combined with trade suffixes; every name is still its own in its country."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pytest

from services.demo import parties


@pytest.mark.parametrize("pool", [3, 40])
def test_buyers_beyond_the_pool_get_combined_names_unique_in_their_country(
    monkeypatch: pytest.MonkeyPatch, pool: int
) -> None:
    monkeypatch.setattr(parties, "_NAME_POOL", pool)
    asked: Counter[str] = Counter()  # Faker names asked for, per purpose ("buyer US")
    real_faker = parties._faker

    class Counted:
        def __init__(self, faker: Any, purpose: str) -> None:
            self.faker, self.purpose = faker, purpose

        def company(self) -> str:
            asked[self.purpose] += 1
            return str(self.faker.company())

    monkeypatch.setattr(
        parties,
        "_faker",
        lambda seed, locale, purpose: Counted(real_faker(seed, locale, purpose), purpose),
    )
    buyers = parties.draw_buyers(np.random.default_rng(3), 3, 60_000)  # 3,000 buyers
    by_country: dict[str, list[str]] = defaultdict(list)
    for name, country in zip(buyers.columns["name"], buyers.columns["country"], strict=True):
        by_country[country].append(name)
    for country, names in by_country.items():
        assert len(set(names)) == len(names), country
    suffixes = len(parties._BUYER_SUFFIXES)
    for country, _, locale in parties._BUYER_COUNTRIES:
        count = len(by_country[country])
        if not count:
            continue
        if locale in parties._NON_LATIN_LOCALES:
            wanted = count  # no English suffix after a Japanese name: one name a buyer
        else:
            wanted = min(count, max(pool, -(-count // suffixes)))
        # Faker repeats itself now and then: a few more asked than kept, never a name a buyer.
        assert wanted <= asked[f"buyer {country}"] <= 3 * wanted, country
    us = by_country["US"]
    assert len(us) > pool * suffixes  # beyond what the pool names with every suffix
    assert asked["buyer US"] < len(us) / 4
