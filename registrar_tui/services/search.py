"""The home screen's search: families, students and invoices as you type.

Accent- and case-insensitive prefix search over the `search_entry` token index (see
`search_index`): names, student number, code permanent, phone, e-mail, invoice and family
numbers. Each word of the query must prefix a token of the same record (`trem hel` finds
Hélène Tremblay). Results come in token order, so an exact identifier or name comes first,
then longer tokens alphabetically; a page never holds more than `limit` hits.

The query walks the index in order and stops after the page (plus one, to know whether
more follow): a two-letter query costs the same as a long one, whatever the table size.
Characters such as `%`, `_` or `[` are compared literally (no LIKE is involved).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import _
from registrar_tui.models import Establishment, Family, Guardian, Invoice, Student
from registrar_tui.services.search_index import (
    ENTRIES,
    TOKEN_MAX,
    email_tokens,
    identifier_token,
    name_parts,
    normalise,
    number_tokens,
    phone_digits,
    phone_tokens,
    rebuild_index,
    reindex_family,
)

__all__ = [
    "PAGE_SIZE",
    "HitKind",
    "SearchHit",
    "SearchPage",
    "normalise",
    "parse_query",
    "rebuild_index",
    "reindex_family",
    "search",
]

PAGE_SIZE = 12
"""Hits per page: fits an 80×24 screen."""
MAX_LIMIT = 200
MAX_WORDS = 6


class HitKind(enum.StrEnum):
    FAMILY = "family"
    STUDENT = "student"
    INVOICE = "invoice"


@dataclass(frozen=True)
class SearchHit:
    kind: HitKind
    ref_id: int
    """family.id, student.id or invoice.id"""
    family_id: int
    """The family to open."""
    title: str
    subtitle: str
    matched: str
    """The identifier or name part that matched (for display)."""


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: tuple[SearchHit, ...]
    offset: int
    has_more: bool


# --- the query ------------------------------------------------------------------------

_PHONE_LIKE = re.compile(r"[\d\s().+\-]+")
_COMPACT_IDENTIFIER = re.compile(r"[a-z]{3,4}\d+")
_WORD_SEPARATORS = re.compile(r"[\s\-‐‑–—'’‘`´,;]+")


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
        pieces = [chunk] if "@" in chunk else _WORD_SEPARATORS.split(chunk)
        for piece in pieces:
            if piece and piece not in words:
                words.append(piece[:TOKEN_MAX])
    return words[:MAX_WORDS]


def _after(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix`."""
    while prefix:
        code = ord(prefix[-1]) + 1
        if code == 0xD800:
            code = 0xE000  # skip the surrogates (not encodable)
        if code <= 0x10FFFF:
            return prefix[:-1] + chr(code)
        prefix = prefix[:-1]
    return None


def _prefix(column: Any, prefix: str) -> Any:
    upper = _after(prefix)
    condition = column >= prefix
    return condition if upper is None else condition & (column < upper)


def _statement(words: Sequence[str]) -> Select[Any]:
    """Records having every word as a token prefix, walked in the driving word's order."""
    driver = max(words, key=len)
    entry = ENTRIES.alias("e")
    statement = select(entry.c.kind, entry.c.ref_id, entry.c.token).where(
        _prefix(entry.c.token, driver)
    )
    for word in words:
        if word == driver:
            continue
        other = ENTRIES.alias()
        statement = statement.where(
            exists().where(
                other.c.kind == entry.c.kind,
                other.c.ref_id == entry.c.ref_id,
                _prefix(other.c.token, word),
            )
        )
    return statement.order_by(entry.c.token, entry.c.kind, entry.c.ref_id)


def _matching_records(uow: UnitOfWork, words: Sequence[str], wanted: int) -> list[tuple[str, int]]:
    """The first `wanted` distinct (kind, ref_id), fetching more rows while duplicates eat
    into the batch (a record often has several tokens with the same prefix)."""
    statement = _statement(words)
    batch = wanted * 2 + 8
    while True:
        rows = uow.session.execute(statement.limit(batch)).all()
        records: dict[tuple[str, int], None] = {}
        for kind, ref_id, _token in rows:
            records.setdefault((kind, ref_id), None)
            if len(records) >= wanted:
                return list(records)
        if len(rows) < batch:
            return list(records)
        batch *= 4


def search(uow: UnitOfWork, query: str, *, limit: int = PAGE_SIZE, offset: int = 0) -> SearchPage:
    """One page of families, students and invoices matching `query` (see module doc)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    words = parse_query(query)
    if not words:
        return SearchPage(query=query, hits=(), offset=offset, has_more=False)
    records = _matching_records(uow, words, offset + limit + 1)
    page = records[offset : offset + limit]
    hits = _describe(uow, page, words)
    return SearchPage(
        query=query, hits=tuple(hits), offset=offset, has_more=len(records) > offset + limit
    )


# --- titles for the page's records ------------------------------------------------------

Candidate = tuple[str, list[str]]
"""(text shown, its tokens)"""


def _name_candidates(*texts: str | None) -> list[Candidate]:
    candidates: list[Candidate] = []
    for text in texts:
        if not text:
            continue
        shown_parts = [part for part in _WORD_SEPARATORS.split(text) if part]
        for shown in shown_parts:
            candidates.append((shown, name_parts(shown)))
        candidates.append((text, ["".join(name_parts(text))]))
    return candidates


def _matched(words: Sequence[str], candidates: Iterable[Candidate]) -> str:
    """The shown text of what matched each word, in query order."""
    pool = list(candidates)
    found: list[str] = []
    for word in words:
        for shown, tokens in pool:
            if any(token.startswith(word) for token in tokens):
                if shown not in found:
                    found.append(shown)
                break
    return " ".join(found)


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _describe(
    uow: UnitOfWork, records: Sequence[tuple[str, int]], words: Sequence[str]
) -> list[SearchHit]:
    ids: dict[str, list[int]] = {kind.value: [] for kind in HitKind}
    for kind, ref_id in records:
        ids.setdefault(kind, []).append(ref_id)
    hits: dict[tuple[str, int], SearchHit] = {}
    if ids[HitKind.FAMILY]:
        hits.update(_families(uow, ids[HitKind.FAMILY], words))
    if ids[HitKind.STUDENT]:
        hits.update(_students(uow, ids[HitKind.STUDENT], words))
    if ids[HitKind.INVOICE]:
        hits.update(_invoices(uow, ids[HitKind.INVOICE], words))
    # A record deleted since it was indexed simply drops out.
    return [hits[record] for record in records if record in hits]


def _families(
    uow: UnitOfWork, family_ids: list[int], words: Sequence[str]
) -> dict[tuple[str, int], SearchHit]:
    session = uow.session
    families = session.execute(
        select(col(Family.id), col(Family.name), col(Family.family_number)).where(
            col(Family.id).in_(family_ids)
        )
    ).all()
    guardians: dict[int, list[Any]] = {}
    for guardian in session.execute(
        select(
            col(Guardian.family_id),
            col(Guardian.first_name),
            col(Guardian.last_name),
            col(Guardian.phone),
            col(Guardian.phone_alt),
            col(Guardian.email),
        )
        .where(col(Guardian.family_id).in_(family_ids))
        .order_by(col(Guardian.family_id), col(Guardian.is_payer).desc(), col(Guardian.id))
    ):
        guardians.setdefault(guardian.family_id, []).append(guardian)
    hits: dict[tuple[str, int], SearchHit] = {}
    for family in families:
        people = guardians.get(family.id, [])
        candidates: list[Candidate] = [
            (family.family_number, number_tokens(family.family_number)),
            *_name_candidates(family.name),
        ]
        for guardian in people:
            candidates += _name_candidates(guardian.first_name, guardian.last_name)
            candidates += [
                (guardian.phone or "", phone_tokens(guardian.phone)),
                (guardian.phone_alt or "", phone_tokens(guardian.phone_alt)),
                (guardian.email or "", email_tokens(guardian.email)),
            ]
        names = ", ".join(_full_name(g.first_name, g.last_name) for g in people)
        subtitle = f"{family.family_number} · {names}" if names else family.family_number
        hits[(HitKind.FAMILY.value, family.id)] = SearchHit(
            kind=HitKind.FAMILY,
            ref_id=family.id,
            family_id=family.id,
            title=_("Famille {name}").format(name=family.name),
            subtitle=subtitle,
            matched=_matched(words, candidates),
        )
    return hits


def _students(
    uow: UnitOfWork, student_ids: list[int], words: Sequence[str]
) -> dict[tuple[str, int], SearchHit]:
    rows = uow.session.execute(
        select(
            col(Student.id),
            col(Student.family_id),
            col(Student.first_name),
            col(Student.last_name),
            col(Student.student_number),
            col(Student.code_permanent),
            col(Establishment.code),
        )
        .join(Establishment, col(Establishment.id) == col(Student.establishment_id))
        .where(col(Student.id).in_(student_ids))
    ).all()
    hits: dict[tuple[str, int], SearchHit] = {}
    for row in rows:
        candidates: list[Candidate] = [
            *_name_candidates(row.first_name, row.last_name),
            (row.student_number, identifier_token(row.student_number)),
            (row.code_permanent or "", identifier_token(row.code_permanent)),
        ]
        hits[(HitKind.STUDENT.value, row.id)] = SearchHit(
            kind=HitKind.STUDENT,
            ref_id=row.id,
            family_id=row.family_id,
            title=f"{row.last_name}, {row.first_name}",
            subtitle=f"{row.student_number} · {row.code}",
            matched=_matched(words, candidates),
        )
    return hits


def _invoices(
    uow: UnitOfWork, invoice_ids: list[int], words: Sequence[str]
) -> dict[tuple[str, int], SearchHit]:
    rows = uow.session.execute(
        select(
            col(Invoice.id),
            col(Invoice.number),
            col(Invoice.family_id),
            col(Family.name),
            col(Family.family_number),
            col(Student.first_name),
            col(Student.last_name),
        )
        .join(Family, col(Family.id) == col(Invoice.family_id))
        .outerjoin(Student, col(Student.id) == col(Invoice.student_id))
        .where(col(Invoice.id).in_(invoice_ids))
    ).all()
    hits: dict[tuple[str, int], SearchHit] = {}
    for row in rows:
        subtitle = f"{row.family_number} · " + _("Famille {name}").format(name=row.name)
        if row.first_name is not None:
            subtitle += f" · {_full_name(row.first_name, row.last_name)}"
        hits[(HitKind.INVOICE.value, row.id)] = SearchHit(
            kind=HitKind.INVOICE,
            ref_id=row.id,
            family_id=row.family_id,
            title=row.number,
            subtitle=subtitle,
            matched=_matched(words, [(row.number, number_tokens(row.number))]),
        )
    return hits
