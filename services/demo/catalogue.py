"""What the demo world is made of: its people, product categories, supplier tiers and words.

Pure data, no logic and no randomness: the demo users (whose e-mails the demo sign-in and tests
look up), the product categories with their typical order size, lead time and quality record,
the supplier tiers with what a tier changes, payment methods, and the sentences buyers write in
claims and reviewers in decisions. The stages (:mod:`~services.demo.parties`,
:mod:`~services.demo.orders`, :mod:`~services.demo.claims`, :mod:`~services.demo.disputes`)
draw from these tables; keeping them apart lets one read or tune the world without reading code.
The order of every tuple matters: draws index into them, so reordering changes the data set.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "APPROVE_NOTES",
    "CATEGORIES",
    "DEMO_USERS",
    "DEPART_APPROVE_NOTE",
    "DEPART_REJECT_NOTE",
    "DEPOSIT_BP",
    "EVIDENCE_REJECT_NOTE",
    "NON_DELIVERY_DESCRIPTIONS",
    "NOT_SHIPPED_DESCRIPTIONS",
    "PAYMENT_METHODS",
    "PAYMENT_SHARE",
    "QUALITY_DESCRIPTIONS",
    "REJECT_NOTES",
    "REVIEWER_IDS",
    "SECOND_NOTE",
    "SHIPPED_LATE_DESCRIPTIONS",
    "TIERS",
    "TIER_LIMIT_MULTIPLE",
    "TIER_ORDER_SIZE",
    "TIER_POOR_SHARE",
    "TIER_POPULARITY",
    "TIER_SHARE",
    "Category",
    "DemoUser",
]


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
REVIEWER_IDS = (3, 4)  # ids follow DEMO_USERS order


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    weight: float
    median_usd: float
    lead_days: tuple[int, int]  # production lead time, placed day to ship-by day
    quality_factor: float  # how prone to quality claims
    trade_word: str  # used in supplier names


CATEGORIES: tuple[Category, ...] = (
    Category("Consumer Electronics", 0.16, 2_600, (10, 35), 1.3, "Electronics"),
    Category("Machinery", 0.09, 7_500, (20, 45), 1.0, "Machinery"),
    Category("Apparel", 0.12, 1_800, (15, 40), 1.2, "Garment"),
    Category("Home & Garden", 0.11, 1_500, (10, 30), 0.9, "Household Products"),
    Category("Packaging", 0.07, 1_200, (7, 25), 0.7, "Packaging"),
    Category("Auto Parts", 0.08, 3_200, (15, 40), 1.0, "Auto Parts"),
    Category("Beauty", 0.05, 1_100, (10, 30), 1.1, "Cosmetics"),
    Category("Lighting", 0.06, 2_000, (10, 30), 1.0, "Lighting"),
    Category("Furniture", 0.05, 4_200, (20, 45), 1.1, "Furniture"),
    Category("Sports & Outdoors", 0.05, 1_600, (10, 35), 0.9, "Sporting Goods"),
    Category("Toys", 0.04, 1_300, (10, 35), 1.2, "Toys"),
    Category("Textiles", 0.04, 2_200, (15, 35), 1.0, "Textile"),
    Category("Electrical Equipment", 0.04, 3_800, (15, 40), 1.0, "Electric"),
    Category("Tools & Hardware", 0.04, 1_900, (10, 35), 0.8, "Hardware"),
)

# Supplier tiers and, index for index, what a tier changes.
TIERS = ("gold", "verified", "standard", "new")
TIER_SHARE = (0.15, 0.35, 0.38, 0.12)
TIER_POPULARITY = (2.2, 1.4, 1.0, 0.6)
TIER_ORDER_SIZE = (1.3, 1.1, 1.0, 0.8)
# Relative odds of a supplier being poor; new suppliers have too short a record to be (yet).
TIER_POOR_SHARE = (0.02, 0.04, 0.09, 0.0)
TIER_LIMIT_MULTIPLE = (4.0, 3.5, 3.0, 2.5)  # x average monthly covered amount

PAYMENT_METHODS = ("tt", "card", "letter_of_credit", "other")
PAYMENT_SHARE = (0.82, 0.08, 0.06, 0.04)
DEPOSIT_BP = 3_000  # T/T: 30% deposit with the order, the balance before shipment

# What buyers write when they file; ``{ship_by}``, ``{shipped}``, ``{days}`` and ``{defect}``
# are filled in from the order and the claim. Markup characters (<, *) are on purpose: the app
# must show them as text.
NOT_SHIPPED_DESCRIPTIONS = (
    "Goods were due to ship by {ship_by}; still not shipped {days} later.",
    "Supplier missed the agreed ship date {ship_by} and has not shipped. Our launch slipped.",
    "Production delayed without notice; nothing shipped {days} after {ship_by}.",
    "Ship-by date {ship_by} passed {days} ago; supplier keeps promising 'next week'.",
    "Not shipped by {ship_by}. Seasonal stock will be <50% sellable at full price.",
)
SHIPPED_LATE_DESCRIPTIONS = (
    "Goods were due to ship by {ship_by} but left the factory {days} late.",
    "Shipped on {shipped}, {days} after the agreed date {ship_by}; our launch slipped.",
    "Late shipment ({days} after {ship_by}); we paid for air freight to catch up.",
    "Shipped {days} late. Seasonal stock is now <50% sellable at full price.",
)
QUALITY_DESCRIPTIONS = (
    "Defective units on arrival: {defect}.",
    "Colour and finish do not match the approved sample; {defect}.",
    "Cartons crushed and *water damage* on several pallets; {defect}.",
    "Wrong specification shipped (material grade < contract); {defect}.",
    "Units fail basic function test; {defect}.",
    "Stitching and labelling not as agreed; {defect}.",
)
NON_DELIVERY_DESCRIPTIONS = (
    "Shipped on {shipped}; tracking stopped at the port of transit and nothing arrived.",
    "Container never arrived; carrier cannot locate the B/L issued on {shipped}.",
    "No delivery {days} after shipment on {shipped}; supplier does not answer.",
    "Forwarder says the cargo shipped {shipped} was never loaded; we have received nothing.",
)

# What reviewers write with their decisions.
APPROVE_NOTES = (
    "Agree with the recommendation.",
    "Evidence supports the claim; refund as recommended.",
    "Checked order timeline and documents; approved.",
)
REJECT_NOTES = (
    "Agree with the recommendation.",
    "Claim not supported by the order record.",
    "Documents checked; rejected as recommended.",
)
EVIDENCE_REJECT_NOTE = "No inspection report supplied before the decision deadline."
DEPART_APPROVE_NOTE = "Supplier's own emails admit the fault; approving despite the rules."
DEPART_REJECT_NOTE = "Buyer changed the specification after ordering; rejecting."
SECOND_NOTE = "Second review: agree."
