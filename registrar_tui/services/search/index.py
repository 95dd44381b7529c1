"""The search index: normalised tokens pointing at families, students and invoices.

One `search_entry` row per distinct token of a record:

- names (family name, guardians' and students' first and last names): each part split on
  spaces, hyphens, apostrophes…, plus the parts joined (`Jean-François` → `jean`,
  `francois`, `jeanfrancois`), so a prefix of any part finds the record;
- identifiers, stored whole (`is_identifier`): student number, code permanent, family
  number and its digits without leading zeros, phone digits (all ten and the last seven),
  e-mail and its local part, invoice number (`fac00000397`) and its digits (`397`).

Tokens shaped like a code permanent (`trem04031609`) are marked (`is_code_permanent`): the
token index leads with that mark, so every lookup by token names the part(s) it reads
(`index_parts`), and the home screen's search typed in letters never walks past them.

A guardian's names, phones and e-mails belong to the family (kind `family`): the family is
what the clerk opens. Tokens are `normalise`d (case folded, accents stripped). A removed
guardian (`Guardian.removed_at`) is left out: nobody finds a family by someone no longer in it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Table, and_, delete, insert, or_, select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.models import Family, Guardian, Invoice, SearchEntry, Student
from registrar_tui.models.system import RECORD_TOKEN_SEPARATOR, RECORD_TOKENS_MAX

KIND_FAMILY = "family"
KIND_STUDENT = "student"
KIND_INVOICE = "invoice"

TOKEN_MAX = 120
INSERT_CHUNK = 20_000

Row = tuple[str, str, int, bool, str, bool]
"""An entry: (token, kind, ref_id, is_identifier, record_tokens, is_code_permanent)."""

# Letters NFKD does not decompose into a base letter plus accents.
_LETTERS = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAME_SPLIT = re.compile(r"[\W_]+")
_WORD_SPLIT = re.compile(r"[\s\-‐‑–—]+")
_NON_DIGITS = re.compile(r"\D+")
_DIGITS = re.compile(r"\d+")
_CODE_TOKEN = re.compile(r"[a-z]{4}[0-9]{8}")
_CODE_BEGINNING = re.compile(r"[a-z]{0,4}|[a-z]{4}[0-9]{1,8}")
CODE_PREFIX = re.compile(r"[a-z]{4}[0-9]{1,8}")
"""A typed word that may begin a code permanent's token and is not letters alone."""

ENTRIES: Table = SearchEntry.metadata.tables["search_entry"]


def normalise(text: str) -> str:
    """Case folded, accents stripped, control characters removed: `HÉLÈNE` → `helene`."""
    if text.isascii() and text.isprintable():
        return text.lower()
    folded = unicodedata.normalize("NFKD", _CONTROLS.sub("", text).casefold())
    stripped = "".join(char for char in folded if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped.translate(_LETTERS))


@functools.lru_cache(maxsize=65_536)
def name_parts(text: str) -> tuple[str, ...]:
    """The normalised parts of a name: `Jean-François` → (`jean`, `francois`)."""
    return tuple(part for part in _NAME_SPLIT.split(normalise(text)) if part)


@functools.lru_cache(maxsize=65_536)
def name_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a name: its parts, each word with its punctuation removed, all joined.

    `Côté-O'Neil` → `cote`, `o`, `neil`, `oneil`, `coteoneil`.
    """
    parts = name_parts(text)
    tokens = list(parts)
    for joined in ["".join(name_parts(word)) for word in _WORD_SPLIT.split(text)] + [
        "".join(parts)
    ]:
        if joined and joined not in tokens:
            tokens.append(joined)
    return tuple(token[:TOKEN_MAX] for token in tokens)


def is_code_token(token: str) -> bool:
    """`token` has a code permanent's shape (`trem04031609`): 4 letters, then 8 digits."""
    return _CODE_TOKEN.fullmatch(token) is not None


def index_parts(prefixes: Iterable[str]) -> list[bool]:
    """The values of `is_code_permanent` under which tokens starting with any of `prefixes`
    may be filed: the token index leads with it, so a lookup by token says which parts
    it reads (`is_code_permanent IN (…) AND token …`)."""
    return sorted({False} | {True for p in prefixes if _CODE_BEGINNING.fullmatch(p)})


def phone_digits(text: str) -> str:
    """The digits of a phone number, without the North American country code."""
    digits = _NON_DIGITS.sub("", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def phone_tokens(text: str | None) -> list[str]:
    digits = phone_digits(text or "")
    if not digits:
        return []
    return [digits, digits[-7:]] if len(digits) == 10 else [digits]


def email_tokens(text: str | None) -> list[str]:
    address = normalise(text or "").strip()
    if not address:
        return []
    local = address.split("@", 1)[0]
    return [address[:TOKEN_MAX], local[:TOKEN_MAX]] if local else [address[:TOKEN_MAX]]


def number_tokens(text: str | None) -> list[str]:
    """A numbered identifier whole, plus its digits without leading zeros (`FAC00000397`)."""
    whole = normalise(text or "").replace(" ", "")
    if not whole:
        return []
    tokens = [whole[:TOKEN_MAX]]
    digits = _DIGITS.findall(whole)
    if digits and not whole.isdigit():
        stripped = digits[-1].lstrip("0")
        if stripped:
            tokens.append(stripped)
    return tokens


def identifier_token(text: str | None) -> list[str]:
    whole = normalise(text or "").replace(" ", "")
    return [whole[:TOKEN_MAX]] if whole else []


# --- the query side: what a typed query looks for ---------------------------------------

MAX_WORDS = 6
_PHONE_LIKE = re.compile(r"[\d\s().+\-/]+")
_COMPACT_IDENTIFIER = re.compile(r"[a-z]{3,4}\d+")
WORD_SEPARATORS = re.compile(r"[\s\-‐‑–—'’‘`´,;]+")


def parse_query(query: str) -> list[str]:
    """The prefixes a record must all have: `Trem, Hél` → [`trem`, `hel`]."""
    text = normalise(query).strip()
    if not text:
        return []
    if _PHONE_LIKE.fullmatch(text) and any(char.isdigit() for char in text):
        return [phone_digits(text)[:TOKEN_MAX]]
    compact = re.sub(r"[\s\-]+", "", text)
    if _COMPACT_IDENTIFIER.fullmatch(compact):
        return [compact[:TOKEN_MAX]]  # `TREH 1234 5678`, `FAC 00000397`
    words: list[str] = []
    for chunk in text.split():
        pieces = [chunk] if "@" in chunk else WORD_SEPARATORS.split(chunk)
        for piece in pieces:
            if piece and piece not in words:
                words.append(piece[:TOKEN_MAX])
    return words[:MAX_WORDS]


def prefix_end(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    text = prefix
    while text:
        code = ord(text[-1]) + 1
        if code == 0xD800:
            code = 0xE000  # skip the surrogates (not encodable)
        if code <= 0x10FFFF:
            return text[:-1] + chr(code)
        text = text[:-1]
    return prefix + "\U0010ffff"  # only U+10FFFF characters: close enough


class _Collector:
    """Distinct entries per record (a name token and an identifier never collide)."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str, int], bool] = {}

    def names(self, kind: str, ref_id: int, *texts: str | None) -> None:
        for text in texts:
            for token in name_tokens(text or ""):
                self.entries.setdefault((token, kind, ref_id), False)

    def identifiers(self, kind: str, ref_id: int, tokens: Iterable[str]) -> None:
        for token in tokens:
            self.entries[(token, kind, ref_id)] = True

    def rows(self) -> list[Row]:
        """The entries, each with every token of its record (`record_tokens`), or "" when
        they would not fit the column."""
        tokens: dict[tuple[str, int], list[str]] = {}
        for token, kind, ref_id in self.entries:
            tokens.setdefault((kind, ref_id), []).append(token)
        joined: dict[tuple[str, int], str] = {}
        for record, own in tokens.items():
            text = "".join(RECORD_TOKEN_SEPARATOR + token for token in own)
            joined[record] = text if len(text.encode()) <= RECORD_TOKENS_MAX else ""
        return [
            (token, kind, ref_id, ident, joined[(kind, ref_id)], is_code_token(token))
            for (token, kind, ref_id), ident in self.entries.items()
        ]


def _family_entries(collector: _Collector, family: Any, guardians: Iterable[Any]) -> None:
    fid = family.id
    collector.names(KIND_FAMILY, fid, family.name)
    collector.identifiers(KIND_FAMILY, fid, number_tokens(family.family_number))
    for guardian in guardians:
        collector.names(KIND_FAMILY, fid, guardian.first_name, guardian.last_name)
        collector.identifiers(KIND_FAMILY, fid, phone_tokens(guardian.phone))
        collector.identifiers(KIND_FAMILY, fid, phone_tokens(guardian.phone_alt))
        collector.identifiers(KIND_FAMILY, fid, email_tokens(guardian.email))


def _student_entries(collector: _Collector, student: Any) -> None:
    sid = student.id
    collector.names(KIND_STUDENT, sid, student.first_name, student.last_name)
    collector.identifiers(KIND_STUDENT, sid, identifier_token(student.student_number))
    collector.identifiers(KIND_STUDENT, sid, identifier_token(student.code_permanent))


def _invoice_entries(collector: _Collector, invoice: Any) -> None:
    collector.identifiers(KIND_INVOICE, invoice.id, number_tokens(invoice.number))


_FAMILY_COLUMNS = (col(Family.id), col(Family.name), col(Family.family_number))
_GUARDIAN_COLUMNS = (
    col(Guardian.family_id),
    col(Guardian.first_name),
    col(Guardian.last_name),
    col(Guardian.phone),
    col(Guardian.phone_alt),
    col(Guardian.email),
)
_STUDENT_COLUMNS = (
    col(Student.id),
    col(Student.first_name),
    col(Student.last_name),
    col(Student.student_number),
    col(Student.code_permanent),
)
_INVOICE_COLUMNS = (col(Invoice.id), col(Invoice.number))


_COLUMNS = ("token", "kind", "ref_id", "is_identifier", "record_tokens", "is_code_permanent")
_COPY = f"COPY search_entry ({', '.join(_COLUMNS)}) FROM STDIN"
_INSERT = f"INSERT INTO search_entry ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"


def _insert(uow: UnitOfWork, rows: list[Row]) -> None:
    """Write entries in bulk: the driver's executemany on SQLite, COPY on PostgreSQL."""
    if not rows:
        return
    connection = uow.session.connection()
    backend = connection.dialect.name
    if backend == "sqlite":
        for start in range(0, len(rows), INSERT_CHUNK):
            connection.exec_driver_sql(_INSERT, rows[start : start + INSERT_CHUNK])
    elif backend == "postgresql" and connection.dialect.driver == "psycopg":
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        values = [dict(zip(_COLUMNS, row, strict=True)) for row in rows]
        for start in range(0, len(values), INSERT_CHUNK):
            connection.execute(insert(ENTRIES), values[start : start + INSERT_CHUNK])


def reindex_family(uow: UnitOfWork, family_id: int) -> None:
    """Replace the entries of a family, its guardians, students and invoices."""
    session = uow.session
    student_ids = list(
        session.execute(select(col(Student.id)).where(col(Student.family_id) == family_id))
        .scalars()
        .all()
    )
    invoice_ids = list(
        session.execute(select(col(Invoice.id)).where(col(Invoice.family_id) == family_id))
        .scalars()
        .all()
    )
    kind, ref_id = ENTRIES.c.kind, ENTRIES.c.ref_id
    stale = [and_(kind == KIND_FAMILY, ref_id == family_id)]
    if student_ids:
        stale.append(and_(kind == KIND_STUDENT, ref_id.in_(student_ids)))
    if invoice_ids:
        stale.append(and_(kind == KIND_INVOICE, ref_id.in_(invoice_ids)))
    session.execute(delete(ENTRIES).where(or_(*stale)))

    collector = _Collector()
    family = session.execute(
        select(*_FAMILY_COLUMNS).where(col(Family.id) == family_id)
    ).one_or_none()
    if family is not None:
        guardians = session.execute(
            select(*_GUARDIAN_COLUMNS).where(
                col(Guardian.family_id) == family_id, col(Guardian.removed_at).is_(None)
            )
        ).all()
        _family_entries(collector, family, guardians)
    for student in session.execute(
        select(*_STUDENT_COLUMNS).where(col(Student.family_id) == family_id)
    ):
        _student_entries(collector, student)
    for invoice in session.execute(
        select(*_INVOICE_COLUMNS).where(col(Invoice.family_id) == family_id)
    ):
        _invoice_entries(collector, invoice)
    _insert(uow, collector.rows())


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rebuild_index(uow: UnitOfWork) -> int:
    """Rebuild the whole index in bulk; returns the number of entries written."""
    session = uow.session
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("TRUNCATE search_entry")  # no dead rows left behind
    else:
        connection.execute(delete(ENTRIES))
    # Building the indexes once at the end (a sort) beats updating them row by row.
    for index in ENTRIES.indexes:
        index.drop(connection)
    written = 0

    guardians: dict[int, list[Any]] = {}
    for guardian in session.execute(
        select(*_GUARDIAN_COLUMNS).where(col(Guardian.removed_at).is_(None))
    ):
        guardians.setdefault(guardian.family_id, []).append(guardian)

    sources: list[tuple[Any, Any]] = [
        (select(*_FAMILY_COLUMNS).order_by(col(Family.id)), "family"),
        (select(*_STUDENT_COLUMNS).order_by(col(Student.id)), "student"),
        (select(*_INVOICE_COLUMNS).order_by(col(Invoice.id)), "invoice"),
    ]
    for statement, source in sources:
        records = session.execute(statement).all()
        for chunk in _chunks(iter(records), INSERT_CHUNK // 4):
            collector = _Collector()
            for record in chunk:
                if source == "family":
                    _family_entries(collector, record, guardians.get(record.id, ()))
                elif source == "student":
                    _student_entries(collector, record)
                else:
                    _invoice_entries(collector, record)
            rows = collector.rows()
            _insert(uow, rows)
            written += len(rows)
    for index in ENTRIES.indexes:
        index.create(connection)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE search_entry")  # plans for the new contents
    return written


def reindex_families(uow: UnitOfWork, family_ids: Iterable[int], *, new: bool = False) -> int:
    """`reindex_family` for many families at once (an import): a few set-based queries
    per 500 families instead of five per family. `new`: families just written, without
    entries yet (nothing to delete: on PostgreSQL a freshly filled table's planner may
    scan it whole for each delete). Returns the entries written."""
    session = uow.session
    wanted = sorted(set(family_ids))
    written = 0
    kind, ref_id = ENTRIES.c.kind, ENTRIES.c.ref_id
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        students = session.execute(
            select(*_STUDENT_COLUMNS).where(col(Student.family_id).in_(chunk))
        ).all()
        invoices = session.execute(
            select(*_INVOICE_COLUMNS).where(col(Invoice.family_id).in_(chunk))
        ).all()
        stale = [and_(kind == KIND_FAMILY, ref_id.in_(chunk))]
        if students:
            stale.append(and_(kind == KIND_STUDENT, ref_id.in_([s.id for s in students])))
        if invoices:
            stale.append(and_(kind == KIND_INVOICE, ref_id.in_([i.id for i in invoices])))
        if not new:
            session.execute(delete(ENTRIES).where(or_(*stale)))
        guardians: dict[int, list[Any]] = {}
        for guardian in session.execute(
            select(*_GUARDIAN_COLUMNS).where(
                col(Guardian.family_id).in_(chunk), col(Guardian.removed_at).is_(None)
            )
        ):
            guardians.setdefault(guardian.family_id, []).append(guardian)
        collector = _Collector()
        for family in session.execute(select(*_FAMILY_COLUMNS).where(col(Family.id).in_(chunk))):
            _family_entries(collector, family, guardians.get(family.id, ()))
        for student in students:
            _student_entries(collector, student)
        for invoice in invoices:
            _invoice_entries(collector, invoice)
        rows = collector.rows()
        _insert(uow, rows)
        written += len(rows)
    return written


def index_new_students(uow: UnitOfWork, student_ids: Iterable[int]) -> int:
    """Add the entries of students just written (an import): they have none yet, and
    their families' own entries do not change. Returns the entries written."""
    wanted = sorted(set(student_ids))
    written = 0
    for start in range(0, len(wanted), 500):
        collector = _Collector()
        for student in uow.session.execute(
            select(*_STUDENT_COLUMNS).where(col(Student.id).in_(wanted[start : start + 500]))
        ):
            _student_entries(collector, student)
        rows = collector.rows()
        _insert(uow, rows)
        written += len(rows)
    return written
