"""Chromium at 900 and 1,400 pixels: the reviewer's queue, bulk confirmation, claim page and
lookup show every text whole — no cell, amount or button label cut — and the queue's page of
50 claims scrolls with the page, not in a box. Reached through a deep link and a reload.

How the check works: see ``tests/e2e/layout.py``. Screenshots land in ``screenshots/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import migrate
from data_access.engine import make_engine, make_session_factory
from data_access.models import Claim, User
from rules import bundled_policy
from services.auth import Actor, Role
from services.claims.deadlines import refresh_due
from services.claims.decide import decide_claim
from services.claims.recommendations import recommend_claims
from services.demo.seed import seed_demo
from services.summaries import rebuild_summaries
from tests import factories as f
from tests.conftest import FROZEN_NOW
from tests.e2e.conftest import (
    SCREENSHOTS,
    start_app_with_oidc,
    start_oidc_provider,
    wait_for_cookie,
)
from tests.e2e.layout import canvas_grids, misfits
from ui import deep_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RITA = "reviewer1@demo.assurance.test"
WIDTHS = (900, 1400)
#: Ravi proposed approving it in full; Rita is asked to confirm USD 20,000.00.
BIG = "CLM-LAYOUT-BIG"
#: The only order of its supplier, shipped late: a rate of 1 of 1 is not a headline.
LONE = "CLM-LAYOUT-LONE"
#: Longer than a queue row shows: cut there with the whole name a hover away.
LONG_NAME = "Qingdao Harbour Heavy Industrial Precision Tools Manufacturing Co., Ltd."


def _database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    now = FROZEN_NOW
    seed_demo(engine, orders=2_000, seed=3, today=now.date())
    policy = bundled_policy("v1")
    late = {
        "placed_at": now - timedelta(days=50),
        "ship_by": (now - timedelta(days=30)).date(),
        "shipped_at": now - timedelta(days=20),
        "status": "shipped",
    }
    with Session(engine) as s:
        busy = f.supplier(s, external_id="SUP-LAYOUT-1", name=LONG_NAME, limit_cents=5_000_000_00)
        lone = f.supplier(s, external_id="SUP-LAYOUT-2", name="Lone Lantern Works")
        buyer = f.buyer(s, external_id="BUY-LAYOUT-1", name="Lindqvist Handel AB", country="SE")
        ids = []
        # 60 claims of up to USD 99,999.99: more than a page, amounts as long as they come.
        for n in range(60):
            cents = 99_999_99 if n % 7 == 0 else 1_234_56 * (n + 1)
            order = f.order(
                s, busy, buyer, external_id=f"ORD-LAYOUT-{n:03d}",
                order_amount_cents=cents, covered_amount_cents=cents, paid_amount_cents=cents,
                **late,
            )  # fmt: skip
            kind = ("late_shipment", "quality", "non_delivery")[n % 3]
            ids.append(
                f.claim(
                    s, order, external_id=f"CLM-LAYOUT-{n:03d}", kind=kind,
                    claimed_amount_cents=cents, filed_at=now - timedelta(days=n % 9, hours=n),
                ).id
            )  # fmt: skip
        big_order = f.order(
            s, busy, buyer, external_id="ORD-LAYOUT-BIG", order_amount_cents=20_000_00,
            covered_amount_cents=20_000_00, paid_amount_cents=20_000_00, **late,
        )  # fmt: skip
        big = f.claim(
            s, big_order, external_id=BIG, claimed_amount_cents=20_000_00,
            filed_at=now - timedelta(days=3), supplier_response="accepted",
            supplier_responded_at=now - timedelta(days=2),
        )  # fmt: skip
        lone_order = f.order(s, lone, buyer, external_id="ORD-LAYOUT-LONE", **late)
        lone_claim = f.claim(s, lone_order, external_id=LONE, filed_at=now - timedelta(days=5))
        ids += [big.id, lone_claim.id]
        recommend_claims(s, ids, policy, now=now, actor=Actor.system("e2e"))
        refresh_due(s, None, policy, now)
        s.commit()
        ravi = s.scalars(select(User).where(User.email == "reviewer2@demo.assurance.test")).one()
        ravi_actor = Actor(ravi.id, ravi.email, ravi.display_name, Role.CLAIM_REVIEWER)
        big_id = s.scalar(select(Claim.id).where(Claim.external_id == BIG))
    assert big_id is not None
    decide_claim(
        make_session_factory(engine), ravi_actor, big_id, approve=True, amount_cents=None,
        note="Supplier accepted in full.", policy=policy, now=now,
    )  # fmt: skip
    # The factories write orders directly, past the writers that keep the daily summaries in
    # step with the seed's: count them again, as `assurance db rebuild-summaries` would.
    rebuild_summaries(engine, now=now)
    engine.dispose()
    return url


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[str]:
    yield from start_oidc_provider(tmp_path, [RITA])


@pytest.fixture
def layout_app(tmp_path: Path, provider: str) -> Iterator[str]:
    yield from start_app_with_oidc(tmp_path, provider, _database(tmp_path / "layout.db"))


#: Generous: the machine running the suite may be busy with others.
WAIT = 30_000


def _settled(page: Any) -> None:
    """Wait until the run has finished drawing: no placeholder left, nothing greyed out."""
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=WAIT)
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=WAIT)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    page.wait_for_timeout(600)


def _shot(page: Any, name: str) -> None:
    """The whole page: Streamlit scrolls inside the app, so the window grows to its height."""
    width = page.viewport_size["width"]
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(height, 1000), 12_000)})
    _settled(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))


def _fits(page: Any, what: str) -> None:
    _settled(page)
    assert canvas_grids(page) == 0, f"{what}: a canvas grid hides its text from the check"
    problems = misfits(page)
    assert problems == [], f"{what}:\n" + "\n".join(json.dumps(p) for p in problems)


def _at(page: Any, url: str, width: int, heading: str) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(url)
    try:
        page.get_by_role("heading", name=heading).wait_for()
    except PlaywrightTimeout as error:  # say where the page went instead (a rare CI miss)
        shown = page.evaluate(
            "() => [...document.querySelectorAll('h1, h2')].map(h => h.innerText)"
        )
        raise AssertionError(f"{heading!r} not shown at {page.url}; headings: {shown}") from error
    _settled(page)


def test_reviewer_screens_fit_at_900_and_1400_pixels(page: Any, layout_app: str) -> None:
    p = page
    # A deep link through the sign-in, and a reload: still on the claim.
    p.goto(f"{layout_app}/claim?claim={BIG}")
    p.get_by_role("button", name="Sign in").click()
    p.get_by_role("button", name=RITA).click()  # the provider's own page
    p.get_by_role("heading", name=f"Claim {BIG}").wait_for()
    # The asked-for page's cookie, used once, is deleted by a script in the page that may run
    # after the heading shows; the next visit must not find it (it would lead to the claim).
    wait_for_cookie(p, deep_link.NEXT_COOKIE, present=False)
    p.reload()
    p.get_by_role("heading", name=f"Claim {BIG}").wait_for()
    assert p.url.endswith(f"/claim?claim={BIG}")

    for width in WIDTHS:
        # The queue: a page of 50 claims in the page's own scroll, every row whole.
        _at(p, layout_app, width, "Claim queue")
        rows = p.locator("[class*='st-key-queue_row_']")
        expect(rows).to_have_count(50, timeout=WAIT)
        expect(p.get_by_text("1–50 of", exact=False)).to_be_visible(timeout=WAIT)
        _fits(p, f"queue at {width}")
        _shot(p, "layout-queue")

        # Bulk mode: tick two claims; the count and total, then the confirmation.
        p.set_viewport_size({"width": width, "height": 1000})
        p.get_by_text("Decide several at once").click()
        _settled(p)
        ticks = p.locator("[class*='st-key-queue_row_'] input[type=checkbox]:not([disabled])")
        for n in range(2):
            ticks.nth(n).click(force=True)
            _settled(p)
        expect(p.get_by_text("Selected 2 claims", exact=False)).to_be_visible(timeout=WAIT)
        _fits(p, f"queue in bulk mode at {width}")
        p.get_by_role("button", name="Decide 2 selected…").click()
        dialog = p.get_by_role("dialog")
        expect(dialog.get_by_text("Nothing has been written yet.")).to_be_visible(timeout=WAIT)
        _fits(p, f"bulk confirmation at {width}")
        _shot(p, "layout-bulk-confirmation")
        dialog.get_by_role("button", name="Cancel").click()
        expect(p.get_by_role("dialog")).to_have_count(0, timeout=WAIT)

        # The claim a second reviewer confirms: its amounts and buttons whole.
        _at(p, f"{layout_app}/claim?claim={BIG}", width, f"Claim {BIG}")
        expect(p.get_by_role("button", name="Confirm: approve USD 20,000.00")).to_be_visible(
            timeout=WAIT
        )
        _fits(p, f"claim {BIG} at {width}")
        _shot(p, "layout-claim-confirm")
        p.set_viewport_size({"width": width, "height": 1000})
        p.get_by_text("Propose a different amount").click()
        amount = p.get_by_label("Amount in USD (at most the cap, USD 20,000.00)")
        amount.fill("15000.00")
        amount.press("Enter")
        expect(p.get_by_role("button", name="Propose: approve USD 15,000.00")).to_be_visible(
            timeout=WAIT
        )
        _fits(p, f"claim {BIG}, a counter-proposal, at {width}")

        # A claim decided on its own, whose supplier has one order: no headline rate.
        _at(p, f"{layout_app}/claim?claim={LONE}", width, f"Claim {LONE}")
        # Shipped 10 days late: 10% of the USD 1,000.00 claimed.
        expect(p.get_by_role("button", name="Approve USD 100.00")).to_be_visible(timeout=WAIT)
        expect(p.get_by_text("1 of 1 — too few orders to rate").first).to_be_visible(timeout=WAIT)
        _fits(p, f"claim {LONE} at {width}")
        _shot(p, "layout-claim")

        # The lookup's results.
        _at(p, f"{layout_app}/find_claim?q=lindqvist", width, "Find a claim")
        expect(p.locator("[class*='st-key-lookup_row_']")).to_have_count(25, timeout=WAIT)
        _fits(p, f"lookup at {width}")
        _shot(p, "layout-lookup")
    assert p.get_by_test_id("stException").count() == 0
