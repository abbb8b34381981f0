"""The fast path of the cell parsers: a whole column of a chunk at once, in Arrow's C++ kernels.

The scalar parsers in :mod:`services.importing.fields` stay the definition. Each function here
reads a column of raw cells and returns the typed values together with a mask of the cells it
*proved* it reads exactly as the scalar parser would (the common, plain shapes: ``1234.50``,
``2025-03-01T09:30:00Z``, ``DE``); every other cell — a problem, or merely an unusual spelling —
goes to the scalar parser, which gives the value or the sentence. So a message can only ever come
from the scalar parsers, and the property tests hold the two equal on everything the fast path
accepts (tests/unit/test_import_vectorised.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from services.importing.countries import ISO_3166_ALPHA_2
from services.importing.fields import EARLIEST_YEAR, LATEST_YEAR, MAX_AMOUNT_CENTS

Mask = npt.NDArray[np.bool_]
#: (values, ok): values where ok is true are what the scalar parser returns for the cell.
Parsed = tuple[npt.NDArray[Any], Mask]

# Every character Python's str.strip() removes (``str.isspace``; a unit test recomputes the
# list): a cell starting or ending with one goes to the scalar path, so the fast path never has
# to strip (and never strips differently).
SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE_SET = pa.array(list(SPACES))
# Any control character, line breaks included: such text is judged by the scalar parser.
_CONTROL = "[\\x{0}-\\x{1f}\\x{7f}-\\x{9f}]"
# No more than 12 whole digits: below the largest amount accepted, whatever the decimals.
_AMOUNT = r"^(?P<whole>[0-9]{1,12})(?:\.(?P<fraction>[0-9]{1,2}))?$"
_DAY = r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
_TIMESTAMP = (
    f"^{_DAY}[T ](?P<hour>[0-9]{{2}}):(?P<minute>[0-9]{{2}}):(?P<second>[0-9]{{2}})"
    r"(?:\.(?P<fraction>[0-9]{1,6}))?(?:Z|(?P<sign>[+-])(?P<zone_hours>[0-9]{2}):"
    r"(?P<zone_minutes>[0-9]{2}))$"
)
_DATE = f"^{_DAY}$"
_US_PER_MINUTE = 60_000_000
_COUNTRIES = pa.array(sorted(ISO_3166_ALPHA_2))


def _np(array: pa.Array | pa.ChunkedArray) -> npt.NDArray[Any]:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def edge_space(raw: pa.Array) -> Mask:
    """Cells a strip() would change (leading or trailing white space of any kind)."""
    first = pc.utf8_slice_codeunits(raw, 0, 1)
    last = pc.utf8_slice_codeunits(raw, -1)
    return _np(pc.or_(pc.is_in(first, value_set=_SPACE_SET), pc.is_in(last, value_set=_SPACE_SET)))


def _strings(raw: pa.Array) -> npt.NDArray[Any]:
    return _np(raw).astype(object)


def _text(raw: pa.Array, max_length: int) -> Parsed:
    ok = _np(
        pc.and_(
            pc.less_equal(pc.utf8_length(raw), max_length),
            pc.invert(pc.match_substring_regex(raw, _CONTROL)),
        )
    )
    return _strings(raw), ok


def _choice(raw: pa.Array, values: tuple[str, ...]) -> Parsed:
    lowered = pc.ascii_lower(raw)
    ok = pc.and_(pc.string_is_ascii(raw), pc.is_in(lowered, value_set=pa.array(list(values))))
    return _strings(lowered), _np(ok)


def _country(raw: pa.Array) -> Parsed:
    upper = pc.ascii_upper(raw)
    ok = pc.and_(pc.string_is_ascii(raw), pc.is_in(upper, value_set=_COUNTRIES))
    return _strings(upper), _np(ok)


def _currency(raw: pa.Array) -> Parsed:
    upper = pc.ascii_upper(raw)
    return _strings(upper), _np(pc.and_(pc.string_is_ascii(raw), pc.equal(upper, "USD")))


def _boolean(raw: pa.Array) -> Parsed:
    lowered = pc.ascii_lower(raw)
    ok = pc.and_(pc.string_is_ascii(raw), pc.is_in(lowered, value_set=pa.array(["true", "false"])))
    return _np(pc.equal(lowered, "true")), _np(ok)


def _groups(raw: pa.Array, pattern: str) -> tuple[Mask, dict[str, pa.Array]]:
    """Which cells match ``pattern`` whole, and its named groups ("" when absent)."""
    found = pc.extract_regex(raw, pattern)
    matched = _np(found.is_valid())
    parts = {
        field.name: pc.fill_null(found.field(index), "") for index, field in enumerate(found.type)
    }
    return matched, parts


def _numbers(digits: pa.Array, width: int = 0) -> npt.NDArray[np.int64]:
    """Digit strings (at most 12 digits; "" is 0) to integers; ``width`` pads on the right
    with zeros first (a fraction: "5" cents-wise is "50")."""
    if width:
        digits = pc.utf8_rpad(digits, width=width, padding="0")
    digits = pc.if_else(pc.equal(digits, ""), "0", digits)
    return np.asarray(pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False))


def _amount(raw: pa.Array) -> Parsed:
    matched, parts = _groups(raw, _AMOUNT)
    values = _numbers(parts["whole"]) * 100 + _numbers(parts["fraction"], 2)
    return values, matched & (values <= MAX_AMOUNT_CENTS)


def _days_from_civil(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.asarray(era * 146097 + doe - 719468, dtype=np.int64)


Ints = npt.NDArray[np.int64]


def _real_day(matched: Mask, year: Ints, month: Ints, day: Ints) -> tuple[Mask, Ints]:
    """Which matched cells name a day that exists in a plausible year, and its day number."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_index = np.clip(month, 1, 12) - 1
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month_index] + (
        leap & (month == 2)
    )
    ok = (
        matched
        & (year >= EARLIEST_YEAR)
        & (year <= LATEST_YEAR)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= lengths)
    )
    return ok, _days_from_civil(year, np.where(ok, month, 1), np.where(ok, day, 1))


def _fixed_width(raw: pa.Array, width: int) -> tuple[Ints, npt.NDArray[np.uint8]]:
    """The cells exactly ``width`` bytes long, and their bytes as a matrix (one row each),
    read straight from the Arrow buffers: the usual shapes of a time or a day are parsed by
    arithmetic on those bytes instead of a regular expression per cell."""
    offsets_buffer, data_buffer = raw.buffers()[1:3]
    offsets = np.frombuffer(
        offsets_buffer, dtype=np.int32, count=len(raw) + 1, offset=4 * raw.offset
    )
    fits = np.diff(offsets) == width
    rows = np.flatnonzero(fits)
    if not len(rows) or data_buffer is None:
        return rows, np.zeros((0, width), dtype=np.uint8)
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    if len(rows) == len(raw):  # the usual column, every cell alike: a view of the buffer
        return rows, data[offsets[0] : offsets[-1]].reshape(len(raw), width)
    return rows, data[offsets[:-1][rows][:, None] + np.arange(width)]


def _digits(matrix: npt.NDArray[np.uint8], first: int, count: int) -> tuple[Mask, Ints]:
    """Whether bytes ``first`` to ``first + count`` of each row are ASCII digits, and their
    number."""
    digits = matrix[:, first : first + count].astype(np.int64) - ord("0")
    number = np.zeros(len(matrix), dtype=np.int64)
    for index in range(count):
        number = number * 10 + digits[:, index]
    return np.all((digits >= 0) & (digits <= 9), axis=1), number


def _is(matrix: npt.NDArray[np.uint8], position: int, characters: str) -> Mask:
    return np.isin(matrix[:, position], [ord(c) for c in characters])


def _day_fixed(matrix: npt.NDArray[np.uint8]) -> tuple[Mask, Ints, Ints, Ints]:
    """``YYYY-MM-DD`` at the start of each row: (shape right, year, month, day)."""
    good_year, year = _digits(matrix, 0, 4)
    good_month, month = _digits(matrix, 5, 2)
    good_day, day = _digits(matrix, 8, 2)
    shape = good_year & good_month & good_day & _is(matrix, 4, "-") & _is(matrix, 7, "-")
    return shape, year, month, day


def _date(raw: pa.Array) -> Parsed:
    days, ok = np.zeros(len(raw), dtype=np.int64), np.zeros(len(raw), dtype=bool)
    rows, matrix = _fixed_width(raw, 10)
    shape, year, month, day = _day_fixed(matrix)
    ok[rows], days[rows] = _real_day(shape, year, month, day)
    rest = np.setdiff1d(np.arange(len(raw)), rows, assume_unique=True)
    if len(rest):
        matched, parts = _groups(raw.take(pa.array(rest)), _DATE)
        ok[rest], days[rest] = _real_day(
            matched, *(_numbers(parts[name]) for name in ("year", "month", "day"))
        )
    return np.where(ok, days, 0).astype("datetime64[D]"), ok


def _timestamp(raw: pa.Array) -> Parsed:
    """Fast for ``2025-03-01T09:30:00Z`` and ``2025-03-01T09:30:00+08:00`` (a space for the T
    too); every other shape ISO 8601 allows goes through one regular expression."""
    utc, ok = np.zeros(len(raw), dtype=np.int64), np.zeros(len(raw), dtype=bool)
    done = []
    for width in (20, 25):
        rows, matrix = _fixed_width(raw, width)
        shape, year, month, day = _day_fixed(matrix)
        good_hour, hour = _digits(matrix, 11, 2)
        good_minute, minute = _digits(matrix, 14, 2)
        good_second, second = _digits(matrix, 17, 2)
        shape &= good_hour & good_minute & good_second & _is(matrix, 10, "T ")
        shape &= _is(matrix, 13, ":") & _is(matrix, 16, ":")
        if width == 20:
            shape &= _is(matrix, 19, "Z")
            sign = zone_hours = zone_minutes = np.zeros(len(rows), dtype=np.int64)
        else:
            good_zone_hours, zone_hours = _digits(matrix, 20, 2)
            good_zone_minutes, zone_minutes = _digits(matrix, 23, 2)
            shape &= _is(matrix, 19, "+-") & good_zone_hours & good_zone_minutes
            shape &= _is(matrix, 22, ":")
            sign = np.where(matrix[:, 19] == ord("-"), -1, 1)
        zero = np.zeros(len(rows), dtype=np.int64)
        ok[rows], utc[rows] = _utc(
            shape, year, month, day, hour, minute, second, zero, sign, zone_hours, zone_minutes
        )
        done.append(rows)
    rest = np.setdiff1d(np.arange(len(raw)), np.concatenate(done), assume_unique=True)
    if len(rest):
        matched, parts = _groups(raw.take(pa.array(rest)), _TIMESTAMP)
        ok[rest], utc[rest] = _utc(
            matched,
            _numbers(parts["year"]),
            _numbers(parts["month"]),
            _numbers(parts["day"]),
            _numbers(parts["hour"]),
            _numbers(parts["minute"]),
            _numbers(parts["second"]),
            _numbers(parts["fraction"], 6),
            np.where(_np(pc.equal(parts["sign"], "-")), -1, 1),
            _numbers(parts["zone_hours"]),
            _numbers(parts["zone_minutes"]),
        )
    return np.where(ok, utc, 0).astype("datetime64[us]"), ok


def _utc(
    matched: Mask,
    year: Ints,
    month: Ints,
    day: Ints,
    hour: Ints,
    minute: Ints,
    second: Ints,
    micro: Ints,
    sign: Ints,
    zone_hours: Ints,
    zone_minutes: Ints,
) -> tuple[Mask, Ints]:
    """Which cells name a real moment, and its microseconds since 1970 in UTC."""
    ok, days = _real_day(matched, year, month, day)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59) & (zone_hours <= 23) & (zone_minutes <= 59)
    local = ((days * 24 + hour) * 60 + minute) * _US_PER_MINUTE + second * 1_000_000 + micro
    return ok, local - sign * (zone_hours * 60 + zone_minutes) * _US_PER_MINUTE


_BY_KIND: dict[str, Callable[..., Parsed]] = {
    "text": _text,
    "choice": _choice,
    "country": _country,
    "currency": _currency,
    "amount": _amount,
    "boolean": _boolean,
    "timestamp": _timestamp,
    "date": _date,
}


def fast_parser(kind: tuple[Any, ...] | None) -> Callable[[pa.Array], Parsed] | None:
    """The fast path for a parser of ``kind`` (``fields.KINDS``), or None: every cell of such a
    column is read by the scalar parser."""
    if kind is None or kind[0] not in _BY_KIND:
        return None
    function, arguments = _BY_KIND[kind[0]], kind[1:]
    return lambda raw: function(raw, *arguments)
