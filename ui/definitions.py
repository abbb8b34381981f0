"""The figures' definitions of DESIGN.md §5, shown beside every number they define."""

LATE_SHIPMENT_RATE = (
    "**Late-shipment rate** (by ship-by date): of the orders whose ship-by day falls in the month "
    "and has already passed, not cancelled before that day, the share shipped on a later calendar "
    "day (UTC) than the ship-by day, or not shipped at all."
)
DISPUTE_RATE = (
    "**Dispute rate** (card-network style): claims filed in the month ÷ orders placed in the "
    "month, counted in UTC calendar months. Counts are shown beside every percentage."
)
