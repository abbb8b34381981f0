"""Chromium and a real OIDC sign-in: open the queue, open a claim, approve, the claim is gone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from data_access import migrate
from data_access.engine import make_engine
from rules import bundled_policy
from services.auth import Actor
from services.claims.deadlines import refresh_due
from services.claims.recommendations import recommend_claims
from services.demo.seed import seed_demo
from tests import factories as f
from tests.conftest import FROZEN_NOW
from tests.e2e.conftest import screenshot, start_app_with_oidc, start_oidc_provider

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REVIEWER = "reviewer1@demo.assurance.test"  # Rita Reviewer of the demo data
CLAIM = "CLM-9000001"


@pytest.fixture
def reviewer_oidc(tmp_path: Path) -> Iterator[str]:
    yield from start_oidc_provider(tmp_path, [REVIEWER])


def _database(path: Path) -> str:
    """Demo data (2,000 orders) plus one overdue claim recommended for a partial refund."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    now = FROZEN_NOW  # the app's clock in the browser tests
    seed_demo(engine, orders=2_000, seed=3, today=now.date())
    policy = bundled_policy("v1")
    with Session(engine) as s:
        sup = f.supplier(s, external_id="SUP-9000001", name="Qingdao Harbour Tools Co., Ltd.")
        buy = f.buyer(s, external_id="BUY-9000001", name="Lindqvist Handel AB", country="SE")
        order = f.order(
            s,
            sup,
            buy,
            external_id="ORD-9000001",
            placed_at=now - timedelta(days=60),
            ship_by=(now - timedelta(days=40)).date(),
            shipped_at=now - timedelta(days=33),  # 7 days late: 7% of the cap
            order_amount_cents=4_200_00,
            covered_amount_cents=4_200_00,
            paid_amount_cents=4_200_00,
            status="shipped",
        )
        claim = f.claim(
            s,
            order,
            external_id=CLAIM,
            filed_at=now - timedelta(days=25),  # long escalated: the most overdue claim
            claimed_amount_cents=4_200_00,
            description="Shipped a week late <b>again</b>; **please** refund as agreed.",
        )
        recommend_claims(s, [claim.id], policy, now=now, actor=Actor.system("e2e"))
        refresh_due(s, None, policy, now)
        s.commit()
    engine.dispose()
    return url


@pytest.fixture
def reviewer_app(tmp_path: Path, reviewer_oidc: str) -> Iterator[str]:
    yield from start_app_with_oidc(tmp_path, reviewer_oidc, _database(tmp_path / "reviewer.db"))


def _queue_refs(page: Any) -> list[str]:
    """The claim references of the queue's rows, top to bottom."""
    rows = page.locator("[class*='st-key-queue_row_']")
    rows.first.wait_for()
    return [
        rows.nth(n).get_by_test_id("stPageLink").inner_text().strip() for n in range(rows.count())
    ]


def _full_page(page: Any, name: str) -> None:
    """Screenshot the whole page: Streamlit scrolls inside the app, so grow the window first."""
    page.set_viewport_size({"width": 1400, "height": 2300})
    page.wait_for_timeout(500)
    screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_open_queue_open_claim_approve_and_it_leaves_the_queue(
    page: Any, reviewer_app: str
) -> None:
    p = page
    p.goto(reviewer_app)
    p.get_by_role("button", name="Sign in").click()
    p.get_by_role("button", name=REVIEWER).click()  # the provider's own page

    # The queue: the reviewer's home, most overdue claim first.
    p.get_by_role("heading", name="Claim queue").wait_for()
    assert _queue_refs(p)[0] == CLAIM
    first_row = p.locator("[class*='st-key-queue_row_']").first
    assert first_row.inner_text().startswith("Overdue")
    screenshot(p, "reviewer-queue")

    # Open the claim by its link.
    first_row.get_by_role("link", name=CLAIM).click()
    p.get_by_role("heading", name=f"Claim {CLAIM}").wait_for()
    assert f"claim={CLAIM}" in p.url  # deep-linkable
    # The description is plain text: its markup shows literally, nothing is rendered.
    # wait_for, not is_visible: the page may still be finishing its run (elements go stale).
    p.get_by_text("Shipped a week late <b>again</b>; **please** refund as agreed.").wait_for()
    assert p.locator("b", has_text="again").count() == 0
    p.get_by_text("Shipped on").first.wait_for()  # the recommendation's reasons
    _full_page(p, "reviewer-claim")

    # Approve at the recommended amount: 7% of USD 4,200.00.
    p.get_by_role("button", name="Approve USD 294.00").click()
    p.get_by_text(f"{CLAIM} approved USD 294.00.").wait_for()
    expect(p.get_by_text("a decided claim is not decided again")).to_be_visible()
    _full_page(p, "reviewer-claim-approved")

    # Back to the queue: the claim is gone.
    p.get_by_role("button", name="Claim queue").click()
    p.get_by_role("heading", name="Claim queue").wait_for()
    p.wait_for_timeout(500)
    assert CLAIM not in _queue_refs(p)
    assert p.get_by_test_id("stException").count() == 0
    screenshot(p, "reviewer-queue-after")
