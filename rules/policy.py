"""The programme policy as data: one frozen ``Policy`` per versioned TOML file.

A policy change is a new file (``rules/policies/v2.toml``), never an edit of an old one, because
stored recommendations name the version they were computed with. The file format is documented
in the header of ``policies/v1.toml``. Rates are held as integer basis points and money as integer
cents so that no rule ever touches a float.

Validation lives in ``Policy.__post_init__`` so a policy built in code (the what-if simulator uses
``dataclasses.replace``) is checked exactly like one read from a file.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from rules.facts import format_rate
from rules.money import MoneyError, format_money, parse_money

__all__ = [
    "MonitoringTier",
    "Policy",
    "PolicyError",
    "TierThresholds",
    "available_versions",
    "bundled_policy",
    "load_policy",
    "parse_policy",
]


class PolicyError(ValueError):
    """A policy that cannot be used; ``field`` is the TOML key (or attribute) at fault."""

    def __init__(self, field: str | None, reason: str, source: str | None = None) -> None:
        self.field = field
        self.reason = reason
        self.source = source
        where = f"policy {source}" if source else "policy"
        text = f"{where}: field '{field}': {reason}" if field else f"{where}: {reason}"
        super().__init__(text)


class MonitoringTier(StrEnum):
    WATCH = "watch"
    WARNING = "warning"
    EXCESSIVE = "excessive"


_TIER_RANK = {None: 0, MonitoringTier.WATCH: 1, MonitoringTier.WARNING: 2,
              MonitoringTier.EXCESSIVE: 3}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TierThresholds:
    """Card-network style tiers: a tier applies when rate >= its threshold AND count >= its minimum.

    The minimum counts keep one unlucky claim from tiering a supplier with a handful of orders.
    Validated as part of the ``Policy`` that holds it.
    """

    watch_bp: int
    watch_min_count: int
    warning_bp: int
    warning_min_count: int
    excessive_bp: int
    excessive_min_count: int

    def classify(self, count: int, total: int) -> MonitoringTier | None:
        """The highest tier met by ``count`` events out of ``total``; exact integer comparison."""
        if total <= 0:
            return None
        scaled = count * 10_000
        if count >= self.excessive_min_count and scaled >= self.excessive_bp * total:
            return MonitoringTier.EXCESSIVE
        if count >= self.warning_min_count and scaled >= self.warning_bp * total:
            return MonitoringTier.WARNING
        if count >= self.watch_min_count and scaled >= self.watch_bp * total:
            return MonitoringTier.WATCH
        return None


# B2B adaptation of Visa (0.65% / 0.9% / 1.8%) and Mastercard (1% / 1.5% / 3%): a supplier has
# tens of orders a quarter, not thousands, so the rates sit higher and the minimum counts lower.
_LATE_TIERS = TierThresholds(500, 3, 1000, 5, 2000, 10)
_DISPUTE_TIERS = TierThresholds(200, 2, 500, 3, 1000, 5)


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    currency: str = "USD"
    # Claims and refunds (DESIGN.md §4).
    claim_window_days: int = 30
    late_grace_days: int = 0
    late_rate_per_day_bp: int = 100
    late_rate_max_bp: int = 2000
    quality_full_refund_defect_bp: int = 5000
    #: Share of the buyer's inspection fee refunded when the goods fail inspection (the
    #: supplier is at fault); v1 refunds all of it, as the real programme does (DESIGN.md §2).
    inspection_fee_refund_bp: int = 10_000
    non_delivery_days: int = 60
    four_eyes_threshold_cents: int = 1_000_000
    # Dispute clock (DESIGN.md §2); day counting is documented in rules/deadlines.py.
    supplier_response_days: int = 3
    buyer_may_escalate_after_days: int = 3
    auto_escalate_after_days: int = 7
    pickup_working_days: int = 2
    decision_working_days: int = 2
    # Order terms (DESIGN.md §2) the import enforces: a ship-by date at most this many days after
    # the order was placed (shipping time with every extension); recommend() does not read it.
    max_shipping_days: int = 90
    # Supplier monitoring (DESIGN.md §5).
    monitoring_window_days: int = 90
    late_shipment_tiers: TierThresholds = _LATE_TIERS
    dispute_tiers: TierThresholds = _DISPUTE_TIERS
    holidays: tuple[date, ...] = field(default=())

    def __post_init__(self) -> None:
        _validate(self)

    def monitoring_tier(
        self, *, late_count: int, late_total: int, dispute_count: int, dispute_total: int
    ) -> MonitoringTier | None:
        """The worse of the late-shipment tier and the dispute tier (None = no tier)."""
        late = self.late_shipment_tiers.classify(late_count, late_total)
        dispute = self.dispute_tiers.classify(dispute_count, dispute_total)
        return late if _TIER_RANK[late] >= _TIER_RANK[dispute] else dispute


# --- validation --------------------------------------------------------------------------------

_Kind = Literal["days", "count", "rate", "money"]


@dataclass(frozen=True, slots=True)
class _Spec:
    attr: str
    kind: _Kind
    low: int
    high: int | None

    @property
    def key(self) -> str:
        """The TOML key: units live in the value ("1%", "10000.00"), not in the name."""
        return self.attr.removesuffix("_bp").removesuffix("_cents")


_POLICY_SPECS = (
    _Spec("claim_window_days", "days", 1, 365),
    _Spec("late_grace_days", "days", 0, 90),
    _Spec("late_rate_per_day_bp", "rate", 0, 10_000),
    _Spec("late_rate_max_bp", "rate", 0, 10_000),
    _Spec("quality_full_refund_defect_bp", "rate", 0, 10_000),
    _Spec("inspection_fee_refund_bp", "rate", 0, 10_000),
    _Spec("non_delivery_days", "days", 1, 365),
    _Spec("four_eyes_threshold_cents", "money", 0, None),
    _Spec("supplier_response_days", "days", 1, 60),
    _Spec("buyer_may_escalate_after_days", "days", 1, 60),
    _Spec("auto_escalate_after_days", "days", 1, 90),
    _Spec("pickup_working_days", "days", 0, 30),
    _Spec("decision_working_days", "days", 0, 30),
    _Spec("max_shipping_days", "days", 1, 365),
)
_MONITORING_WINDOW = _Spec("monitoring_window_days", "days", 1, 365)
_TIER_SPECS = tuple(
    spec
    for level in ("watch", "warning", "excessive")
    for spec in (
        _Spec(f"{level}_bp", "rate", 0, 10_000),
        _Spec(f"{level}_min_count", "count", 0, None),
    )
)
# Policy attribute -> TOML table name for the nested tier tables.
_TIER_TABLES = {"late_shipment_tiers": "late_shipment", "dispute_tiers": "dispute"}

_VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")


def _range_text(spec: _Spec) -> str:
    if spec.kind == "rate":
        return f"must be between {format_rate(spec.low)} and {format_rate(spec.high or 0)}"
    if spec.kind == "money":
        return f"must not be negative (at least {format_money(spec.low)})"
    unit = " days" if spec.kind == "days" else ""
    if spec.high is None:
        return f"must be at least {spec.low}{unit}"
    return f"must be between {spec.low} and {spec.high}{unit}"


def _check_int(name: str, spec: _Spec, value: object) -> None:
    if type(value) is not int:
        raise PolicyError(name, f"must be an integer, got {type(value).__name__}")
    if value < spec.low or (spec.high is not None and value > spec.high):
        if spec.kind == "rate":
            shown = format_rate(value)
        elif spec.kind == "money":
            shown = format_money(value)
        else:
            shown = str(value)
        raise PolicyError(name, f"{_range_text(spec)}, got {shown}")


def _validate(p: Policy) -> None:
    if not isinstance(p.version, str) or not _VERSION_RE.fullmatch(p.version):
        raise PolicyError("version", "must be a name like 'v1' (letters, digits, '.', '_', '-')")
    if not isinstance(p.currency, str) or not _CURRENCY_RE.fullmatch(p.currency):
        raise PolicyError("currency", "must be a three-letter ISO 4217 code like 'USD'")
    for spec in (*_POLICY_SPECS, _MONITORING_WINDOW):
        _check_int(spec.attr, spec, getattr(p, spec.attr))
    if p.buyer_may_escalate_after_days < p.supplier_response_days:
        raise PolicyError(
            "buyer_may_escalate_after_days",
            f"must not be before the supplier's response time ({p.supplier_response_days} days)",
        )
    if p.auto_escalate_after_days < p.buyer_may_escalate_after_days:
        raise PolicyError(
            "auto_escalate_after_days",
            f"must not be before the buyer may escalate ({p.buyer_may_escalate_after_days} days)",
        )
    for attr in _TIER_TABLES:
        tiers = getattr(p, attr)
        if not isinstance(tiers, TierThresholds):
            raise PolicyError(attr, "must be a TierThresholds")
        for spec in _TIER_SPECS:
            _check_int(f"{attr}.{spec.attr}", spec, getattr(tiers, spec.attr))
        for lower, higher in (("watch", "warning"), ("warning", "excessive")):
            for suffix in ("_bp", "_min_count"):
                if getattr(tiers, higher + suffix) < getattr(tiers, lower + suffix):
                    raise PolicyError(
                        f"{attr}.{higher}{suffix}", f"must not be below the {lower} level"
                    )
    if not isinstance(p.holidays, tuple):
        raise PolicyError("holidays", "must be a tuple of dates")
    for day in p.holidays:
        if type(day) is not date:
            raise PolicyError("holidays", f"must hold dates only, got {day!r}")
    # Sorted and unique so two policies with the same holidays compare equal.
    object.__setattr__(p, "holidays", tuple(sorted(set(p.holidays))))


# --- TOML loading ------------------------------------------------------------------------------

_RATE_RE = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*%")


def _attr_to_key() -> dict[str, str]:
    mapping = {spec.attr: spec.key for spec in _POLICY_SPECS}
    mapping["monitoring_window_days"] = "monitoring.window_days"
    for attr, table in _TIER_TABLES.items():
        mapping[attr] = f"monitoring.{table}"
        for spec in _TIER_SPECS:
            mapping[f"{attr}.{spec.attr}"] = f"monitoring.{table}.{spec.key}"
    return mapping


_ATTR_TO_KEY = _attr_to_key()


def _type_name(value: object) -> str:
    return {str: "string", int: "integer", float: "float", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _parse_value(name: str, spec: _Spec, raw: object) -> int:
    """TOML value -> int in the unit of ``spec``; range checks are left to ``Policy``."""
    if spec.kind == "rate":
        if not isinstance(raw, str):
            raise PolicyError(
                name, f'must be a percentage string like "1.5%", got {_type_name(raw)}'
            )
        match = _RATE_RE.fullmatch(raw.strip())
        if match is None:
            raise PolicyError(name, f'must be a percentage string like "1.5%", got {raw!r}')
        bp = Decimal(match.group(1)) * 100
        if bp != bp.to_integral_value():
            raise PolicyError(name, f"must be a whole number of basis points (0.01%), got {raw!r}")
        return int(bp)
    if spec.kind == "money":
        if not isinstance(raw, str):
            raise PolicyError(
                name, f'must be a money string like "10000.00" (major units), got {_type_name(raw)}'
            )
        try:
            return parse_money(raw, negative=True)  # the one money parser (range checked later)
        except MoneyError:
            raise PolicyError(
                name, f'must be a money string like "10000.00" (at most 2 decimals), got {raw!r}'
            ) from None
    if type(raw) is not int:
        raise PolicyError(name, f"must be an integer, got {_type_name(raw)} {raw!r}")
    return raw


def _check_keys(table: dict[str, Any], allowed: list[str], prefix: str) -> None:
    for key in sorted(table):
        if key not in allowed:
            raise PolicyError(prefix + key, f"unknown key (expected one of: {', '.join(allowed)})")
    for key in allowed:
        if key not in table:
            raise PolicyError(prefix + key, "missing (every field must be given explicitly)")


def _table(name: str, raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PolicyError(name, f"must be a table ([{name}]), got {_type_name(raw)}")
    return raw


_TOP_KEYS = ["version", "currency", *(s.key for s in _POLICY_SPECS), "holidays", "monitoring"]
_MONITORING_KEYS = ["window_days", *_TIER_TABLES.values()]
_TIER_KEYS = [s.key for s in _TIER_SPECS]


def _from_toml(data: dict[str, Any], expected_version: str | None) -> Policy:
    _check_keys(data, _TOP_KEYS, "")
    version = data["version"]
    if not isinstance(version, str):
        raise PolicyError("version", f"must be a string, got {_type_name(version)}")
    if expected_version is not None and version != expected_version:
        raise PolicyError(
            "version", f"is {version!r} but the file is named {expected_version}.toml"
        )
    if not isinstance(data["currency"], str):
        raise PolicyError("currency", f"must be a string, got {_type_name(data['currency'])}")
    kwargs: dict[str, Any] = {
        spec.attr: _parse_value(spec.key, spec, data[spec.key]) for spec in _POLICY_SPECS
    }
    holidays = data["holidays"]
    if not isinstance(holidays, list):
        raise PolicyError("holidays", f"must be a list of dates, got {_type_name(holidays)}")
    for day in holidays:
        # tomllib yields datetime for date-times, and datetime is a date subclass: refuse it.
        if not isinstance(day, date) or isinstance(day, datetime):
            raise PolicyError("holidays", f"must hold dates like 2025-12-25, got {day!r}")
    monitoring = _table("monitoring", data["monitoring"])
    _check_keys(monitoring, _MONITORING_KEYS, "monitoring.")
    kwargs["monitoring_window_days"] = _parse_value(
        "monitoring.window_days", _MONITORING_WINDOW, monitoring["window_days"]
    )
    for attr, name in _TIER_TABLES.items():
        prefix = f"monitoring.{name}."
        table = _table(f"monitoring.{name}", monitoring[name])
        _check_keys(table, _TIER_KEYS, prefix)
        values = {s.attr: _parse_value(prefix + s.key, s, table[s.key]) for s in _TIER_SPECS}
        kwargs[attr] = TierThresholds(**values)
    try:
        return Policy(
            version=version, currency=data["currency"], holidays=tuple(holidays), **kwargs
        )
    except PolicyError as exc:
        # Report the key the author wrote, not the Python attribute behind it.
        key = _ATTR_TO_KEY.get(exc.field or "", exc.field)
        raise PolicyError(key, exc.reason) from None


def parse_policy(
    text: str, *, source: str = "<string>", expected_version: str | None = None
) -> Policy:
    """Parse policy TOML text (e.g. a draft edited in the what-if simulator)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(None, f"not valid TOML ({exc})", source) from None
    try:
        return _from_toml(data, expected_version)
    except PolicyError as exc:
        raise PolicyError(exc.field, exc.reason, source) from None


def load_policy(path: Path) -> Policy:
    """Load and validate a policy file; its ``version`` must equal the file name's stem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(None, f"cannot read file ({exc.strerror or exc})", path.name) from None
    return parse_policy(text, source=path.name, expected_version=path.stem)


def _policies_dir() -> Traversable:
    return resources.files("rules").joinpath("policies")


def _version_key(version: str) -> tuple[int, str]:
    digits = version.lstrip("v")
    return (int(digits), version) if digits.isdigit() else (1 << 30, version)


def available_versions() -> list[str]:
    """Bundled policy versions, oldest first (v2 before v10)."""
    names = (
        entry.name.removesuffix(".toml")
        for entry in _policies_dir().iterdir()
        if entry.is_file() and entry.name.endswith(".toml")
    )
    return sorted(names, key=_version_key)


def bundled_policy(version: str = "v1") -> Policy:
    """A policy shipped inside the package; read via importlib.resources so wheels work too."""
    return _bundled(version)


@functools.cache
def _bundled(version: str) -> Policy:
    # Cached by version alone, so bundled_policy() and bundled_policy("v1") share one object.
    versions = available_versions()
    if version not in versions:
        raise PolicyError(
            "version", f"no bundled policy {version!r} (available: {', '.join(versions)})"
        )
    text = _policies_dir().joinpath(f"{version}.toml").read_text(encoding="utf-8")
    return parse_policy(text, source=f"{version}.toml", expected_version=version)
