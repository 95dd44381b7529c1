"""The home screen's search: families, students and invoices as you type.

Accent- and case-insensitive prefix search over the `search_entry` token index (see
`index.py`): names, student number, code permanent, phone, e-mail, invoice and family
numbers. Each word of the query must prefix a token of the same record (`trem hel` finds
Hélène Tremblay). Results come in token order, so an exact identifier or name comes first,
then longer tokens alphabetically; a page never holds more than `limit` hits.

The query walks the index in order and stops after the page (plus one, to know whether
more follow): a two-letter query costs the same as a long one, whatever the table size.
Characters such as `%`, `_` or `[` are compared literally (no LIKE is involved).

Withdrawn students are left out unless asked for (`include_withdrawn`): the counter looks
for the students who come; a withdrawn one is found with the filter, marked. Graduated
students stay in the default results (their families still ask for receipts and slips).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import _
from registrar_tui.models import Establishment, Family, Guardian, Invoice, Student, StudentStatus
from registrar_tui.models.system import RECORD_TOKEN_SEPARATOR
from registrar_tui.services.core.paging import Page
from registrar_tui.services.search.index import (
    CODE_PREFIX,
    ENTRIES,
    WORD_SEPARATORS,
    email_tokens,
    identifier_token,
    name_parts,
    number_tokens,
    parse_query,
    phone_tokens,
    prefix_end,
)

PAGE_SIZE = 12
"""Hits per page: fits an 80×24 screen."""
MAX_LIMIT = 200


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
    is_withdrawn: bool = False
    """A withdrawn student (found only with the filter)."""


# --- the query ------------------------------------------------------------------------


def _has_word(entry: Any, index: int, postgresql: bool) -> Any:
    """The entry's record also has a token starting with word `index`: read in the entry's
    own `record_tokens` (`t{index}` is the word after the separator), or, where they are
    not kept, probed on the covering (kind, ref_id, token) index."""
    kept = entry.c.record_tokens
    inside = (func.strpos if postgresql else func.instr)(kept, bindparam(f"t{index}")) > 0
    other = ENTRIES.alias(f"e{index}")
    probe = select(literal(1)).where(other.c.kind == entry.c.kind, other.c.ref_id == entry.c.ref_id)
    if postgresql:
        # Its estimates for narrow text ranges can be far off, and it would then probe
        # through the token index: `substr(…) =` leaves it only (kind, ref_id), and
        # OFFSET 0 keeps the probe from being rewritten as a semi-join.
        length = bindparam(f"len{index}", type_=Integer)
        word: BindParameter[str] = bindparam(f"lo{index}")
        probe = probe.where(func.substr(other.c.token, 1, length) == word).offset(0)
    else:
        probe = probe.where(
            other.c.token >= bindparam(f"lo{index}"), other.c.token < bindparam(f"hi{index}")
        )
    return or_(and_(kept != "", inside), and_(kept == "", probe.exists()))


def _walk(
    words: int, postgresql: bool, include_withdrawn: bool, codes: bool, resume: bool
) -> Select[Any]:
    """The entries of one part of the token index (`codes`: the codes permanent's, else
    every other) whose token starts with `lo0` (`token >= lo0 AND token < hi0`, in token
    order) and whose record has, for each further word i, a token starting with `lo{i}`
    (read in the entry itself: `_has_word`); withdrawn students left out (a probe on the
    student's primary key) unless `include_withdrawn`. With `resume`, the walk starts
    after the entry (`after_token`, `after_kind`, `after_ref`): the next batch of a walk."""
    entry = ENTRIES.alias("e")
    if resume:
        # Alone, not beside `token >= lo0` (which it implies): SQLite then starts the walk
        # at `lo0` and reads the batches before again.
        start = tuple_(entry.c.token, entry.c.kind, entry.c.ref_id) > tuple_(
            bindparam("after_token"), bindparam("after_kind"), bindparam("after_ref", type_=Integer)
        )
    else:
        start = entry.c.token >= bindparam("lo0")
    statement = select(entry.c.kind, entry.c.ref_id, entry.c.token).where(
        # A literal, not a parameter: it selects the part of the index walked.
        entry.c.is_code_permanent == (true() if codes else false()),
        start,
        entry.c.token < bindparam("hi0"),
    )
    for index in range(1, words):
        statement = statement.where(_has_word(entry, index, postgresql))
    if not include_withdrawn:
        withdrawn = select(literal(1)).where(
            _STUDENT.c.id == entry.c.ref_id,
            _STUDENT.c.status == StudentStatus.WITHDRAWN.value,
        )
        if postgresql:
            # A probe per student entry on the primary key: without OFFSET 0, PostgreSQL
            # may hash every withdrawn student first (a scan of the whole table).
            withdrawn = withdrawn.offset(0)
        statement = statement.where(or_(entry.c.kind != HitKind.STUDENT.value, ~withdrawn.exists()))
    return statement.order_by(entry.c.token, entry.c.kind, entry.c.ref_id).limit(
        bindparam("n", type_=Integer)
    )


@functools.cache
def _statement(
    words: int,
    postgresql: bool,
    include_withdrawn: bool = False,
    with_codes: bool = False,
    resume: bool = False,
) -> Select[Any]:
    """The first `n` matching entries in (token, kind, ref_id) order (see `_walk`): from
    the entries that are not codes permanent, and, `with_codes`, merged with the codes'."""
    others = _walk(words, postgresql, include_withdrawn, False, resume)
    if not with_codes:
        return others
    codes = _walk(words, postgresql, include_withdrawn, True, resume)
    both = union_all(select(others.subquery()), select(codes.subquery())).subquery("w")
    return (
        select(both.c.kind, both.c.ref_id, both.c.token)
        .order_by(both.c.token, both.c.kind, both.c.ref_id)
        .limit(bindparam("n", type_=Integer))
    )


_SPARE_ROWS = 4
"""Rows asked for beyond the records wanted, for the odd record found twice in a walk."""


def _matching_records(
    uow: UnitOfWork, words: Sequence[str], wanted: int, include_withdrawn: bool = False
) -> list[tuple[str, int]]:
    """The first `wanted` distinct (kind, ref_id), fetching more rows while duplicates eat
    into the batch (a record often has several tokens with the same prefix)."""
    connection = uow.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    # The longest word drives the walk (fewest candidates); the others are checked per row.
    ordered = sorted(words, key=len, reverse=True)
    params: dict[str, Any] = {}
    for index, word in enumerate(ordered):
        params[f"lo{index}"] = word
        if index == 0 or not postgresql:
            params[f"hi{index}"] = prefix_end(word)
        if index > 0:
            params[f"t{index}"] = RECORD_TOKEN_SEPARATOR + word
            if postgresql:
                params[f"len{index}"] = len(word)
    driver = ordered[0]
    # A name typed in letters (`trem`) is not the start of a code permanent (`TREM04031609`):
    # those tokens sort before the names (digits < letters) and would push every family
    # below the students. Typing a digit (`trem0`) searches the codes again; no other
    # word can begin one.
    with_codes = CODE_PREFIX.fullmatch(driver) is not None
    # A record seldom has two tokens starting with the same word (`Jean-François`: `jean`,
    # `jeanfrancois`): the first batch asks for a few rows more than wanted, and a walk
    # eaten into by duplicates goes on after its last row rather than starting again.
    batch = wanted + _SPARE_ROWS
    records: dict[tuple[str, int], None] = {}
    resume = False
    while True:
        statement = _statement(len(ordered), postgresql, include_withdrawn, with_codes, resume)
        rows = connection.execute(statement, {**params, "n": batch}).all()
        for kind, ref_id, token in rows:
            # Byte order on both (collation "C"); should a database have another
            # collation, a token with punctuation could enter the range: true prefixes only.
            if token.startswith(driver):
                records.setdefault((kind, ref_id), None)
                if len(records) >= wanted:
                    return list(records)
        if len(rows) < batch:
            return list(records)
        last_kind, last_ref, last_token = rows[-1]
        params.update(after_token=last_token, after_kind=last_kind, after_ref=last_ref)
        resume = True
        batch = (wanted - len(records)) * 4 + _SPARE_ROWS


def search(
    uow: UnitOfWork,
    query: str,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    include_withdrawn: bool = False,
) -> Page[SearchHit]:
    """One page of families, students and invoices matching `query` (see module doc);
    not counted (`total_count` None): `has_more` says whether hits follow. Withdrawn
    students only with `include_withdrawn` (then marked `is_withdrawn`)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    words = parse_query(query)
    if not words:
        return Page.probed((), offset, limit, False)
    records = _matching_records(uow, words, offset + limit + 1, include_withdrawn)
    page = records[offset : offset + limit]
    hits = _describe(uow, page, words)
    return Page.probed(tuple(hits), offset, limit, len(records) > offset + limit)


# --- titles for the page's records ------------------------------------------------------

Candidate = tuple[str, Sequence[str]]
"""(text shown, its tokens)"""


@functools.lru_cache(maxsize=16_384)
def _name_candidates(text: str) -> tuple[Candidate, ...]:
    """Each part of a name as shown (`François`) with its tokens, then the whole name."""
    pieces: list[Candidate] = [
        (shown, name_parts(shown)) for shown in WORD_SEPARATORS.split(text) if shown
    ]
    pieces.append((text, ("".join(name_parts(text)),)))
    return tuple(pieces)


def _names(*texts: str | None) -> Iterator[Candidate]:
    for text in texts:
        if text:
            yield from _name_candidates(text)


def _matched(words: Sequence[str], candidates: Callable[[], Iterable[Candidate]]) -> str:
    """The shown text of what matched each word, in query order (computed lazily)."""
    found: list[str] = []
    for word in words:
        for shown, tokens in candidates():
            if any(token.startswith(word) for token in tokens):
                if shown not in found:
                    found.append(shown)
                break
    return " ".join(found)


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _table(model: Any) -> Table:
    return cast(Table, model.metadata.tables[model.__tablename__])


_FAMILY, _GUARDIAN, _STUDENT, _INVOICE, _ESTABLISHMENT = (
    _table(model) for model in (Family, Guardian, Student, Invoice, Establishment)
)


def _ids_in(column: Any, postgresql: bool) -> Any:
    """`column IN (:ids…)`; on PostgreSQL `= ANY(:ids)`, one statement text for any number
    of ids, so the driver's automatic prepared statements apply."""
    if postgresql:
        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    return column.in_(bindparam("ids", expanding=True))


@functools.cache
def _page_statements(postgresql: bool) -> tuple[Select[Any], Select[Any], Select[Any]]:
    """Families (with their guardians), students and invoices of a page, by ids."""
    families = (
        select(
            _FAMILY.c.id,
            _FAMILY.c.name,
            _FAMILY.c.family_number,
            _GUARDIAN.c.first_name,
            _GUARDIAN.c.last_name,
            _GUARDIAN.c.phone,
            _GUARDIAN.c.phone_alt,
            _GUARDIAN.c.email,
        )
        .select_from(
            _FAMILY.outerjoin(
                _GUARDIAN,
                # A removed guardian no longer names the family in a hit.
                (_GUARDIAN.c.family_id == _FAMILY.c.id) & _GUARDIAN.c.removed_at.is_(None),
            )
        )
        .where(_ids_in(_FAMILY.c.id, postgresql))
        .order_by(_FAMILY.c.id, _GUARDIAN.c.is_payer.desc(), _GUARDIAN.c.id)
    )
    students = (
        select(
            _STUDENT.c.id,
            _STUDENT.c.family_id,
            _STUDENT.c.first_name,
            _STUDENT.c.last_name,
            _STUDENT.c.student_number,
            _STUDENT.c.code_permanent,
            _STUDENT.c.status,
            _ESTABLISHMENT.c.code,
        )
        .select_from(
            _STUDENT.join(_ESTABLISHMENT, _ESTABLISHMENT.c.id == _STUDENT.c.establishment_id)
        )
        .where(_ids_in(_STUDENT.c.id, postgresql))
    )
    invoices = (
        select(
            _INVOICE.c.id,
            _INVOICE.c.number,
            _INVOICE.c.family_id,
            _FAMILY.c.name,
            _FAMILY.c.family_number,
            _STUDENT.c.first_name,
            _STUDENT.c.last_name,
        )
        .select_from(
            _INVOICE.join(_FAMILY, _FAMILY.c.id == _INVOICE.c.family_id).outerjoin(
                _STUDENT, _STUDENT.c.id == _INVOICE.c.student_id
            )
        )
        .where(_ids_in(_INVOICE.c.id, postgresql))
    )
    return families, students, invoices


def _describe(
    uow: UnitOfWork, records: Sequence[tuple[str, int]], words: Sequence[str]
) -> list[SearchHit]:
    ids: dict[str, list[int]] = {kind.value: [] for kind in HitKind}
    for kind, ref_id in records:
        ids.setdefault(kind, []).append(ref_id)
    connection = uow.session.connection()
    families, students, invoices = _page_statements(connection.dialect.name == "postgresql")
    hits: dict[tuple[str, int], SearchHit] = {}
    if ids[HitKind.FAMILY]:
        hits.update(
            _families(connection.execute(families, {"ids": ids[HitKind.FAMILY]}).all(), words)
        )
    if ids[HitKind.STUDENT]:
        hits.update(
            _students(connection.execute(students, {"ids": ids[HitKind.STUDENT]}).all(), words)
        )
    if ids[HitKind.INVOICE]:
        hits.update(
            _invoices(connection.execute(invoices, {"ids": ids[HitKind.INVOICE]}).all(), words)
        )
    # A record deleted since it was indexed simply drops out.
    return [hits[record] for record in records if record in hits]


def _family_candidates(family: Any, people: list[Any]) -> Iterator[Candidate]:
    yield from _names(family.name)
    for guardian in people:
        yield from _names(guardian.first_name, guardian.last_name)
    yield family.family_number, number_tokens(family.family_number)
    for guardian in people:
        yield guardian.phone or "", phone_tokens(guardian.phone)
        yield guardian.phone_alt or "", phone_tokens(guardian.phone_alt)
        yield guardian.email or "", email_tokens(guardian.email)


def _families(rows: Sequence[Any], words: Sequence[str]) -> dict[tuple[str, int], SearchHit]:
    families: dict[int, tuple[Any, list[Any]]] = {}
    for row in rows:
        _family, people = families.setdefault(row.id, (row, []))
        if row.first_name is not None:
            people.append(row)
    hits: dict[tuple[str, int], SearchHit] = {}
    for family_id, (family, people) in families.items():
        names = ", ".join(_full_name(g.first_name, g.last_name) for g in people)
        subtitle = f"{family.family_number} · {names}" if names else family.family_number
        hits[(HitKind.FAMILY.value, family_id)] = SearchHit(
            kind=HitKind.FAMILY,
            ref_id=family_id,
            family_id=family_id,
            title=_("Famille {name}").format(name=family.name),
            subtitle=subtitle,
            matched=_matched(words, functools.partial(_family_candidates, family, people)),
        )
    return hits


def _student_candidates(row: Any) -> Iterator[Candidate]:
    yield from _names(row.first_name, row.last_name)
    yield row.student_number, identifier_token(row.student_number)
    yield row.code_permanent or "", identifier_token(row.code_permanent)


def _students(rows: Sequence[Any], words: Sequence[str]) -> dict[tuple[str, int], SearchHit]:
    return {
        (HitKind.STUDENT.value, row.id): SearchHit(
            kind=HitKind.STUDENT,
            ref_id=row.id,
            family_id=row.family_id,
            title=f"{row.last_name}, {row.first_name}",
            subtitle=f"{row.student_number} · {row.code}",
            matched=_matched(words, functools.partial(_student_candidates, row)),
            is_withdrawn=row.status == StudentStatus.WITHDRAWN.value,
        )
        for row in rows
    }


def _invoice_candidates(row: Any) -> Iterator[Candidate]:
    yield row.number, number_tokens(row.number)


def _invoices(rows: Sequence[Any], words: Sequence[str]) -> dict[tuple[str, int], SearchHit]:
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
            matched=_matched(words, functools.partial(_invoice_candidates, row)),
        )
    return hits
