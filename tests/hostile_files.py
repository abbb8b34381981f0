"""A generator of hostile import files, each with the line and column its problem must name.

The fuzz corpus of issue 10, generated rather than committed: wrong encodings and byte-order
marks, NULs, control characters, huge values and lines, other separators, formula injection,
quotes never closed, files cut mid-row, wrong headers and the wrong kind of file, every column
given a value of the wrong type, dates and times that do not exist, negative and overflowing
amounts, digits other than 0-9, rules across a row and references to the database broken.

Every case starts from a valid file of three rows (:data:`BASE`, valid against a database
holding ``examples/``) and breaks it in one known place, so a test can demand that the problem
names exactly that line and column. ``column`` is the column as a message prints it (escaped,
lower case) or ``""`` for a problem of a whole line or file.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from services.importing import FORMATS, printable
from services.importing.formats import Entity


@dataclass(frozen=True)
class Hostile:
    name: str
    entity: Entity
    #: The file's bytes, or a function making them (the huge files are made when used).
    content: bytes | Callable[[], bytes]
    line: int
    column: str
    #: A phrase the message must hold ("" when any sentence will do).
    says: str = ""

    @property
    def data(self) -> bytes:
        return self.content if isinstance(self.content, bytes) else self.content()


# --- three valid rows per kind, against a database holding examples/ ---------------------------

_SUPPLIER = {
    "external_id": "SUP-FZ-{n}",
    "name": "Fuzz Tools {n} Co.",
    "country": "CN",
    "main_category": "Hardware",
    "tier": "gold",
    "limit": "1000.00",
    "currency": "USD",
}
_ORDER = {
    "external_id": "ORD-FZ-{n}",
    "supplier_external_id": "SUP-EX-01",
    "buyer_external_id": "BUY-FZ-{n}",
    "buyer_name": "Fuzz Buyer {n} GmbH",
    "buyer_country": "DE",
    "category": "Hardware",
    "payment_method": "tt",
    "currency": "USD",
    "order_amount": "100.00",
    "covered_amount": "90.00",
    "paid_amount": "100.00",
    "placed_at": "2025-03-01T09:00:00Z",
    "ship_by": "2025-03-20",
    "shipped_at": "2025-03-18T10:00:00+08:00",
    "delivered_at": "2025-03-25T10:00:00Z",
    "cancelled_at": "",
    "status": "delivered",
}
_CLAIM = {
    "external_id": "CLM-FZ-{n}",
    "order_external_id": "ORD-EX-0001",
    "kind": "quality",
    "filed_at": "2025-04-28T08:00:00Z",
    "claimed_amount": "25.00",
    "currency": "USD",
    "description": "Rust on arrival",
    "inspection_report": "true",
    "defect_rate": "12.5",
    "conforming": "false",
    "inspection_fee": "350.00",
    "supplier_response": "disputed",
    "supplier_responded_at": "2025-04-30T02:00:00Z",
    "status": "open",
}
BASE: dict[Entity, dict[str, str]] = {"suppliers": _SUPPLIER, "orders": _ORDER, "claims": _CLAIM}


def rows_of(entity: Entity, count: int = 3) -> list[dict[str, str]]:
    return [{k: v.format(n=n) for k, v in BASE[entity].items()} for n in range(1, count + 1)]


def to_csv(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([header, *rows])
    return out.getvalue()


def valid_file(entity: Entity) -> bytes:
    header = list(BASE[entity])
    return to_csv(header, [list(r.values()) for r in rows_of(entity)]).encode()


def _with(entity: Entity, row: int, column: str, value: str) -> bytes:
    """The valid file with the value of ``column`` on data row ``row`` (0-2) replaced."""
    rows = rows_of(entity)
    rows[row][column] = value
    return to_csv(list(BASE[entity]), [list(r.values()) for r in rows]).encode()


# --- values of the wrong type, per kind of column ------------------------------------------------

_AMOUNTS = ["abc", "12.345", "-1", "-0.01", "99999999999999", "1e3", "١٠٠", "１００", "1,000.00",
            "=1+1", "@SUM(A1)", "NaN", "9" * 5000]  # fmt: skip
_TIMES = [
    ("yesterday", ""),
    ("2025-02-29T10:00:00Z", "the date does not exist"),
    ("2025-04-31T10:00:00Z", "the date does not exist"),
    ("2025-13-01T00:00:00Z", "the date does not exist"),
    ("2025-03-01T25:00:00Z", "that time of day does not exist"),
    ("2025-03-01T10:00:00", "no time zone"),
    ("٢٠٢٥-03-01T10:00:00Z", "digits other than 0-9"),
    ("1800-01-01T00:00:00Z", "plausible year"),
]
_DATES = [("2025-02-30", "the date does not exist"), ("31/03/2025", ""),
          ("２０２５-03-20", ""), ("2025-00-10", "the date does not exist")]  # fmt: skip
_KINDS: dict[str, list[tuple[str, str]]] = {
    "amount": [(v, "") for v in _AMOUNTS],
    "time": _TIMES,
    "date": _DATES,
    "bool": [("yes", ""), ("1", ""), ("wahr", "")],
    "percent": [("101", ""), ("12.345", ""), ("-1", ""), ("١٢", "digits other than 0-9")],
    "choice": [("platinum", ""), ("=cmd|' /C calc'!A0", "")],
    "country": [("UK", "ISO 3166"), ("Germany", "ISO 3166")],
    "currency": [("EUR", "USD"), ("usd$", "")],
    "id": [("X" * 65, "at most 64"), ("ID\x1b[2J", "control character"), ("ID\x00", "")],
    "text": [
        ("\x1b[31mred", "control character"),
        ("a\x00b", "control character"),
        ("bell\x07", "control character"),
        ("del\x7f", "control character"),
        ("csi\x9b31m", "control character"),
        ("n" * 10_001, "characters long"),
    ],
}
_COLUMN_KINDS: dict[str, str] = {
    "external_id": "id", "supplier_external_id": "id", "buyer_external_id": "id",
    "order_external_id": "id", "name": "text", "main_category": "text", "buyer_name": "text",
    "category": "text", "description": "text", "country": "country", "buyer_country": "country",
    "tier": "choice", "payment_method": "choice", "status": "choice", "kind": "choice",
    "supplier_response": "choice", "limit": "amount", "order_amount": "amount",
    "covered_amount": "amount", "paid_amount": "amount", "claimed_amount": "amount",
    "inspection_fee": "amount", "currency": "currency", "placed_at": "time",
    "shipped_at": "time", "delivered_at": "time", "cancelled_at": "time", "filed_at": "time",
    "supplier_responded_at": "time", "ship_by": "date", "inspection_report": "bool",
    "conforming": "bool", "defect_rate": "percent",
}  # fmt: skip


def _cells() -> Iterator[Hostile]:
    turn = 0
    for entity, fmt in FORMATS.items():
        for column in fmt.columns:
            kind = _COLUMN_KINDS[column.name]  # a new column must be given its kind here
            values = _KINDS[kind]
            if column.name == "status" and entity == "claims":
                values = [("approved", "cannot be imported"), ("x", "")]
            for index, (value, says) in enumerate(values):
                row = turn % 3
                turn += 1
                yield Hostile(
                    f"{entity}-{column.name}-{kind}-{index}",
                    entity,
                    _with(entity, row, column.name, value),
                    row + 2,
                    column.name,
                    says,
                )
            if column.required:
                yield Hostile(
                    f"{entity}-{column.name}-empty",
                    entity,
                    _with(entity, 1, column.name, ""),
                    3,
                    column.name,
                    "is empty",
                )


# --- across a row, and against the database ------------------------------------------------------


def _rules() -> Iterator[Hostile]:
    cases: list[tuple[str, Entity, dict[str, str], str, str]] = [
        ("covered-above-order", "orders", {"covered_amount": "100.01"}, "covered_amount",
         "above the order amount"),
        ("shipped-before-placed", "orders", {"shipped_at": "2025-02-28T00:00:00Z"}, "shipped_at",
         "before it was placed"),
        ("delivered-before-shipped", "orders", {"delivered_at": "2025-03-17T00:00:00Z"},
         "delivered_at", "delivered before it was shipped"),
        ("cancelled-before-placed", "orders",
         {"cancelled_at": "2025-02-01T00:00:00Z", "status": "cancelled"}, "cancelled_at",
         "cancelled before it was placed"),
        ("delivered-without-time", "orders", {"delivered_at": ""}, "delivered_at",
         "needs the time it was delivered"),
        ("unknown-supplier", "orders", {"supplier_external_id": "SUP-NOPE"},
         "supplier_external_id", "unknown supplier"),
        ("ship-by-too-late", "orders", {"ship_by": "2025-07-01"}, "ship_by", "at most 90 days"),
        ("ship-by-before-placed", "orders", {"ship_by": "2025-02-28"}, "ship_by",
         "before the day the order was placed"),
        ("defect-rate-without-report", "claims", {"inspection_report": "false",
         "conforming": ""}, "defect_rate", "needs an inspection report"),
        ("response-time-without-response", "claims", {"supplier_response": "none"},
         "supplier_responded_at", "response is none"),
        ("responded-before-filed", "claims",
         {"supplier_responded_at": "2025-04-01T00:00:00Z"}, "supplier_responded_at",
         "before the claim was filed"),
        ("unknown-order", "claims", {"order_external_id": "ORD-NOPE"}, "order_external_id",
         "unknown order"),
        ("filed-before-placed", "claims", {"filed_at": "2025-02-01T00:00:00Z",
         "supplier_responded_at": "2025-02-02T00:00:00Z"}, "filed_at",
         "filed before the order was placed"),
    ]  # fmt: skip
    for name, entity, cells, column, says in cases:
        rows = rows_of(entity)
        rows[1].update(cells)
        data = to_csv(list(BASE[entity]), [list(r.values()) for r in rows]).encode()
        yield Hostile(f"rule-{name}", entity, data, 3, column, says)
    rows = rows_of("suppliers")
    rows[2]["external_id"] = rows[0]["external_id"]
    yield Hostile(
        "duplicate-id",
        "suppliers",
        to_csv(list(_SUPPLIER), [list(r.values()) for r in rows]).encode(),
        4,
        "external_id",
        "also on line 2",
    )
    rows = rows_of("orders")
    rows[2]["buyer_external_id"] = rows[0]["buyer_external_id"]
    yield Hostile(
        "buyer-two-ways",
        "orders",
        to_csv(list(_ORDER), [list(r.values()) for r in rows]).encode(),
        4,
        "buyer_name",
        "described differently on line 2",
    )


# --- headers -----------------------------------------------------------------------------------


def _headers() -> Iterator[Hostile]:
    for entity, fmt in FORMATS.items():
        header = list(BASE[entity])
        rows = [list(r.values()) for r in rows_of(entity)]
        for column in fmt.columns:
            if column.required:
                at = header.index(column.name)
                kept = [name for name in header if name != column.name]
                cut = [r[:at] + r[at + 1 :] for r in rows]
                yield Hostile(
                    f"{entity}-missing-{column.name}",
                    entity,
                    to_csv(kept, cut).encode(),
                    1,
                    column.name,
                    "is missing",
                )
        yield Hostile(
            f"{entity}-column-twice",
            entity,
            to_csv([*header, header[3]], [[*r, r[3]] for r in rows]).encode(),
            1,
            header[3],
            "appears twice",
        )
        yield Hostile(
            f"{entity}-typo",
            entity,
            to_csv([*header, "shiped_at"], [[*r, ""] for r in rows]).encode(),
            1,
            "shiped_at",
            "is not a column",
        )
        yield Hostile(
            f"{entity}-unnamed-column",
            entity,
            to_csv([*header, ""], [[*r, "x"] for r in rows]).encode(),
            1,
            "",
            "has no name",
        )
        for hostile_name in ['=HYPERLINK("http://evil.test","x")', "\x1b[2j\x1b[31mred",
                             "nul\x00name", "@SUM(1)", "bidi\u202eevil"]:  # fmt: skip
            yield Hostile(
                f"{entity}-header-{hostile_name.encode().hex()[:12]}",
                entity,
                to_csv([*header, hostile_name], [[*r, ""] for r in rows]).encode(),
                1,
                printable(hostile_name.strip().lower()),
                "is not a column",
            )
        for separator, called in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            text = to_csv(header, rows).replace(",", separator)
            yield Hostile(f"{entity}-separated-by-{called}", entity, text.encode(), 1, "", called)
        for other in FORMATS:
            if other != entity:
                yield Hostile(
                    f"{other}-file-as-{entity}",
                    entity,
                    valid_file(other),
                    1,
                    "",
                    f"looks like a{'n' if other[0] == 'o' else ''} {other} file",
                )
    yield Hostile("empty-file", "suppliers", b"", 1, "", "empty")
    yield Hostile("blank-lines", "orders", b"\n\n\n", 1, "", "names none")
    yield Hostile("bom-only", "claims", b"\xef\xbb\xbf", 1, "", "empty")
    yield Hostile(
        "two-boms",
        "suppliers",
        b"\xef\xbb\xbf" + "\ufeff".encode() + valid_file("suppliers"),
        1,
        "\\ufeffexternal_id",
        "did you mean external_id",
    )


# --- bytes that are not UTF-8 CSV text -----------------------------------------------------------


def _encodings() -> Iterator[Hostile]:
    for entity in FORMATS:
        text = valid_file(entity).decode()
        for encoding, says in [
            ("utf-16-le", "it looks like UTF-16"),
            ("utf-16-be", "it looks like UTF-16"),
            ("utf-16", "it is UTF-16"),
            ("utf-32-le", "it looks like UTF-32"),
            ("utf-32", "it is UTF-32"),
        ]:
            yield Hostile(f"{entity}-{encoding}", entity, text.encode(encoding), 1, "", says)
    # Text in a legacy encoding: the byte that is not UTF-8 is on row 2, in its column.
    for encoding, word in [("latin-1", "Müller"), ("cp1252", "Straße €"), ("shift_jis", "東京"),
                           ("gb18030", "北京"), ("koi8-r", "Москва")]:  # fmt: skip
        rows = rows_of("suppliers")
        rows[1]["name"] = word
        data = to_csv(list(_SUPPLIER), [list(r.values()) for r in rows]).encode(encoding)
        yield Hostile(f"legacy-{encoding}", "suppliers", data, 3, "name", "not UTF-8")
    rng = random.Random(10)
    yield Hostile("nul-only", "orders", b"\x00" * 4096, 1, "", "only NUL bytes")
    yield Hostile("one-nul", "claims", b"\x00", 1, "", "only NUL bytes")
    yield Hostile(
        "xlsx", "orders", b"PK\x03\x04\x14\x00\x06\x00" + rng.randbytes(3000), 1, "", "workbook"
    )
    yield Hostile("gzip", "orders", gzip.compress(valid_file("orders"), mtime=0), 1, "", "gzip")
    yield Hostile(
        "png", "suppliers", b"\x89PNG\r\n\x1a\n" + rng.randbytes(3000), 1, "", "not UTF-8"
    )
    spoilt = bytearray(valid_file("suppliers"))
    spoilt[4:50:5] = bytes(len(spoilt[4:50:5]))  # every fifth byte of the header a NUL
    yield Hostile("nuls-in-header", "suppliers", bytes(spoilt), 1, "", "NUL bytes")
    yield Hostile(
        "classic-mac-lines",
        "suppliers",
        valid_file("suppliers").replace(b"\n", b"\r"),
        1,
        "",
        "carriage return alone",
    )


# --- structure: quotes, widths, cut files, huge values -------------------------------------------


def _structure() -> Iterator[Hostile]:
    header = list(_ORDER)
    rows = [list(r.values()) for r in rows_of("orders")]
    good = to_csv(header, rows)
    lines = good.splitlines(keepends=True)
    yield Hostile(
        "quote-never-closed",
        "orders",
        "".join([*lines[:3], lines[3].replace("Fuzz Buyer", '"Fuzz Buyer', 1)]).encode(),
        4,
        "",
        "never closed",
    )
    yield Hostile(
        "text-after-closing-quote",
        "orders",
        "".join([lines[0], lines[1].replace("Fuzz Buyer 1 GmbH", '"Fuzz" Buyer'), *lines[2:]])
        .encode(),
        2,
        "",
        "closing quote",
    )  # fmt: skip
    yield Hostile(
        "row-too-wide",
        "orders",
        "".join([lines[0], lines[1].rstrip("\n") + ",extra\n", *lines[2:]]).encode(),
        2,
        "",
        "header names 17 columns",
    )
    # Cut inside the last row, before its last comma: a row cut short, named by its first
    # column without a value.
    last = lines[3]
    for cut in range(3, last.rindex(","), 11):
        piece = last[:cut]
        (values,) = list(csv.reader([piece]))
        yield Hostile(
            f"cut-at-{cut}",
            "orders",
            "".join([*lines[:3], piece]).encode(),
            4,
            header[len(values)],
            "have no value",
        )
    # Huge values and lines, made only when a test reads them.
    yield Hostile(
        "ten-megabyte-description", "claims", _huge_description, 2, "description",
        "characters long",
    )  # fmt: skip
    yield Hostile("ten-megabyte-name", "suppliers", _huge_name, 3, "name", "characters long")
    yield Hostile(
        "megabyte-amount", "suppliers", _huge_amount, 3, "limit", "too long to be an amount"
    )
    yield Hostile("line-beyond-the-limit", "suppliers", _huge_line, 2, "", "longer than")
    yield Hostile(
        "quote-opened-on-a-huge-file", "suppliers", _quote_never_closed, 2, "",
        "quote never closed?",
    )  # fmt: skip


def _huge_description() -> bytes:
    claims = [list(r.values()) for r in rows_of("claims")]
    claims[0][list(_CLAIM).index("description")] = ("x" * 999 + "\r\n") * 10_500  # 10 MB
    return to_csv(list(_CLAIM), claims).encode()


def _huge_name() -> bytes:
    suppliers = [list(r.values()) for r in rows_of("suppliers")]
    suppliers[1][1] = "n" * 10_000_000
    return to_csv(list(_SUPPLIER), suppliers).encode()


def _huge_amount() -> bytes:
    suppliers = [list(r.values()) for r in rows_of("suppliers")]
    suppliers[1][5] = "9" * 1_000_000
    return to_csv(list(_SUPPLIER), suppliers).encode()


def _huge_line() -> bytes:
    return (to_csv(list(_SUPPLIER), []) + "x" * (33 << 20) + "\n").encode()


def _quote_never_closed() -> bytes:
    return (to_csv(list(_SUPPLIER), []) + 'SUP-1,"' + ("y" * 1000 + "\n") * 34_000).encode()


def hostile_files() -> list[Hostile]:
    """Every case, in a stable order with unique names."""
    cases = [*_cells(), *_rules(), *_headers(), *_encodings(), *_structure()]
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases
