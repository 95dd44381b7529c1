"""The home screen's search: families, students and invoices as you type.

Accent- and case-insensitive prefix search over the `search_entry` token index (see
`index.py`): names, student number, code permanent, phone, e-mail, invoice and family
numbers. Each word of the query must prefix a token of the same record (`trem hel` finds
Hélène Tremblay). Results come in token order, so an exact identifier or name comes first,
then longer tokens alphabetically; a page never holds more than `limit` hits.

The query walks the index in order and stops after the page (plus one, to know whether
more follow): a two-letter query costs the same as a long one, whatever the table size.
The same statement brings what each hit shows (names, numbers, guardians): one round trip
to the database for a page, unless duplicates make the walk go on.
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
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
)

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
    inside = (func.strpos if postgresql else func.instr)(kept, bindparam(f"t{index}")) > _const(
        0, postgresql
    )
    other = ENTRIES.alias(f"e{index}")
    probe = select(_const(1, postgresql)).where(
        other.c.kind == entry.c.kind, other.c.ref_id == entry.c.ref_id
    )
    if postgresql:
        # Its estimates for narrow text ranges can be far off, and it would then probe
        # through the token index: `substr(…) =` leaves it only (kind, ref_id), and
        # OFFSET 0 keeps the probe from being rewritten as a semi-join.
        length = bindparam(f"len{index}", type_=Integer)
        word: BindParameter[str] = bindparam(f"lo{index}")
        probe = probe.where(
            func.substr(other.c.token, _const(1, postgresql), length) == word
        ).offset(_const(0, postgresql))
    else:
        probe = probe.where(
            other.c.token >= bindparam(f"lo{index}"), other.c.token < bindparam(f"hi{index}")
        )
    return or_(
        and_(kept != _const("", postgresql), inside),
        and_(kept == _const("", postgresql), probe.exists()),
    )


def _const(value: Any, postgresql: bool) -> Any:
    """A constant of the walk, written into the statement's text on PostgreSQL (see
    `_batch_size`); a parameter on SQLite, which never plans a statement again (written
    in, it would cost the rendering of the text at each search)."""
    return literal(value, literal_execute=postgresql)


def _batch_size(postgresql: bool) -> BindParameter[int]:
    """The walk's LIMIT, written into the statement's text rather than sent apart, like its
    constants (`_const`). The driver prepares the statement after a few searches, and
    PostgreSQL then plans it once for any typed words (its generic plan) if that plan is
    costed no higher than a search's own: with the LIMIT or the constants as parameters,
    or the range's bounds visible (`_walk`), it never was, and the joins of `_statement`
    were planned anew at each search (longer than running them)."""
    return bindparam("n", type_=Integer, literal_execute=postgresql)


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

    def bound(name: str, type_: Any = None) -> Any:
        value = bindparam(name, type_=type_)
        # PostgreSQL: a value it cannot see when planning (an InitPlan, computed once when
        # the search runs), so that a search's own plan costs no less than the generic
        # plan, which it then keeps (see `_batch_size`); the index still starts there.
        return select(value).scalar_subquery() if postgresql else value

    if resume:
        # Alone, not beside `token >= lo0` (which it implies): SQLite then starts the walk
        # at `lo0` and reads the batches before again.
        start = tuple_(entry.c.token, entry.c.kind, entry.c.ref_id) > tuple_(
            bound("after_token"), bound("after_kind"), bound("after_ref", Integer)
        )
    else:
        start = entry.c.token >= bound("lo0")
    statement = select(entry.c.kind, entry.c.ref_id, entry.c.token).where(
        # A literal, not a parameter: it selects the part of the index walked.
        entry.c.is_code_permanent == (true() if codes else false()),
        start,
        entry.c.token < bound("hi0"),
    )
    for index in range(1, words):
        statement = statement.where(_has_word(entry, index, postgresql))
    if not include_withdrawn:
        withdrawn = select(_const(1, postgresql)).where(
            _STUDENT.c.id == entry.c.ref_id,
            _STUDENT.c.status == _const(StudentStatus.WITHDRAWN.value, postgresql),
        )
        if postgresql:
            # A probe per student entry on the primary key: without OFFSET 0, PostgreSQL
            # may hash every withdrawn student first (a scan of the whole table).
            withdrawn = withdrawn.offset(_const(0, postgresql))
        statement = statement.where(
            or_(entry.c.kind != _const(HitKind.STUDENT.value, postgresql), ~withdrawn.exists())
        )
    return statement.order_by(entry.c.token, entry.c.kind, entry.c.ref_id).limit(
        _batch_size(postgresql)
    )


def _entries(
    words: int, postgresql: bool, include_withdrawn: bool, with_codes: bool, resume: bool
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
        .limit(_batch_size(postgresql))
    )


@functools.cache
def _statement(
    words: int,
    postgresql: bool,
    include_withdrawn: bool = False,
    with_codes: bool = False,
    resume: bool = False,
) -> Select[Any]:
    """The entries of `_entries`, each with what a hit shows of its record (a family once
    per guardian, payer first; an invoice with its family and student): one round trip
    per batch instead of one more per kind of record on the page. A table is probed on
    its primary key only for the entries that need it (the key compared is NULL for the
    others), and each table joined once (PostgreSQL plans fewer joins faster)."""
    walk = _entries(words, postgresql, include_withdrawn, with_codes, resume).subquery("w")
    family, guardian = _FAMILY.alias("fam"), _GUARDIAN.alias("g")
    student, establishment = _STUDENT.alias("st"), _ESTABLISHMENT.alias("est")
    invoice = _INVOICE.alias("inv")

    def of(kind: HitKind) -> Any:
        return walk.c.kind == _const(kind.value, postgresql)

    joined = (
        walk.outerjoin(invoice, invoice.c.id == case((of(HitKind.INVOICE), walk.c.ref_id)))
        .outerjoin(
            family,
            family.c.id
            == case(
                (of(HitKind.FAMILY), walk.c.ref_id),
                (of(HitKind.INVOICE), invoice.c.family_id),
            ),
        )
        .outerjoin(
            guardian,
            and_(
                guardian.c.family_id == case((of(HitKind.FAMILY), family.c.id)),
                # A removed guardian no longer names the family in a hit.
                guardian.c.removed_at.is_(None),
            ),
        )
        .outerjoin(
            student,
            student.c.id
            == case(
                (of(HitKind.STUDENT), walk.c.ref_id),
                (of(HitKind.INVOICE), invoice.c.student_id),
            ),
        )
        .outerjoin(establishment, establishment.c.id == student.c.establishment_id)
    )
    return (
        select(
            walk.c.kind,
            walk.c.ref_id,
            walk.c.token,
            family.c.id.label("family_id"),
            family.c.name.label("family_name"),
            family.c.family_number,
            guardian.c.first_name.label("guardian_first_name"),
            guardian.c.last_name.label("guardian_last_name"),
            guardian.c.phone,
            guardian.c.phone_alt,
            guardian.c.email,
            student.c.family_id.label("student_family_id"),
            student.c.first_name.label("student_first_name"),
            student.c.last_name.label("student_last_name"),
            student.c.student_number,
            student.c.code_permanent,
            student.c.status,
            establishment.c.code.label("establishment_code"),
            invoice.c.number.label("invoice_number"),
        )
        .select_from(joined)
        .order_by(
            walk.c.token, walk.c.kind, walk.c.ref_id, guardian.c.is_payer.desc(), guardian.c.id
        )
    )


_SPARE_ROWS = 4
"""Rows asked for beyond the records wanted, for the odd record found twice in a walk."""
_RESUMED_ROWS = 8
"""Rows asked for by each further batch of a walk that duplicates ate into."""


Record = tuple[str, int]
"""(kind, ref_id)"""


def _matching_records(
    uow: UnitOfWork, words: Sequence[str], wanted: int, include_withdrawn: bool = False
) -> dict[Record, list[Any]]:
    """The first `wanted` distinct (kind, ref_id), in order, each with the rows describing
    it (`_statement`), fetching more entries while duplicates eat into the batch (a record
    sometimes has several tokens with the same prefix)."""
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
    records: dict[Record, list[Any]] = {}
    resume = False
    while True:
        statement = _statement(len(ordered), postgresql, include_withdrawn, with_codes, resume)
        entries: dict[tuple[str, str, int], list[Any]] = {}
        for row in connection.execute(statement, {**params, "n": batch}).all():
            # (token, kind, ref_id), by position: the hot loop of a search.
            entries.setdefault((row[2], row[0], row[1]), []).append(row)
        for (token, kind, ref_id), rows in entries.items():
            # Byte order on both (collation "C"); should a database have another
            # collation, a token with punctuation could enter the range: true prefixes only.
            if token.startswith(driver) and (kind, ref_id) not in records:
                records[(kind, ref_id)] = rows
                if len(records) >= wanted:
                    return records
        if len(entries) < batch:
            return records
        last_token, last_kind, last_ref = next(reversed(entries))
        params.update(after_token=last_token, after_kind=last_kind, after_ref=last_ref)
        resume = True
        # A few rows at a time, whatever is missing: the walk of several words reads far
        # for each row it keeps, and one size is one statement text (its LIMIT is written
        # in it), which PostgreSQL plans once when it comes back often enough.
        batch = _RESUMED_ROWS


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
    page = list(records.items())[offset : offset + limit]
    hits = [hit for record, rows in page if (hit := _describe(record, rows, words)) is not None]
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


def _describe(record: Record, rows: Sequence[Any], words: Sequence[str]) -> SearchHit | None:
    """The hit for `record` from its rows of `_statement`; None for a record deleted since
    it was indexed (it simply drops out)."""
    kind, _ref_id = record
    if kind == HitKind.FAMILY.value:
        return _family(rows, words)
    if kind == HitKind.STUDENT.value:
        return _student(rows[0], words)
    if kind == HitKind.INVOICE.value:
        return _invoice(rows[0], words)
    return None


def _family_candidates(family: Any, people: list[Any]) -> Iterator[Candidate]:
    yield from _names(family.family_name)
    for guardian in people:
        yield from _names(guardian.guardian_first_name, guardian.guardian_last_name)
    yield family.family_number, number_tokens(family.family_number)
    for guardian in people:
        yield guardian.phone or "", phone_tokens(guardian.phone)
        yield guardian.phone_alt or "", phone_tokens(guardian.phone_alt)
        yield guardian.email or "", email_tokens(guardian.email)


def _family(rows: Sequence[Any], words: Sequence[str]) -> SearchHit | None:
    """A family from its rows, one per guardian (payer first), or one without any."""
    family = rows[0]
    if family.family_id is None:
        return None
    people = [row for row in rows if row.guardian_first_name is not None]
    names = ", ".join(_full_name(g.guardian_first_name, g.guardian_last_name) for g in people)
    subtitle = f"{family.family_number} · {names}" if names else family.family_number
    return SearchHit(
        kind=HitKind.FAMILY,
        ref_id=family.family_id,
        family_id=family.family_id,
        title=_("Famille {name}").format(name=family.family_name),
        subtitle=subtitle,
        matched=_matched(words, functools.partial(_family_candidates, family, people)),
    )


def _student_candidates(row: Any) -> Iterator[Candidate]:
    yield from _names(row.student_first_name, row.student_last_name)
    yield row.student_number, identifier_token(row.student_number)
    yield row.code_permanent or "", identifier_token(row.code_permanent)


def _student(row: Any, words: Sequence[str]) -> SearchHit | None:
    if row.student_number is None or row.establishment_code is None:
        return None
    return SearchHit(
        kind=HitKind.STUDENT,
        ref_id=row.ref_id,
        family_id=row.student_family_id,
        title=f"{row.student_last_name}, {row.student_first_name}",
        subtitle=f"{row.student_number} · {row.establishment_code}",
        matched=_matched(words, functools.partial(_student_candidates, row)),
        is_withdrawn=row.status == StudentStatus.WITHDRAWN.value,
    )


def _invoice_candidates(row: Any) -> Iterator[Candidate]:
    yield row.invoice_number, number_tokens(row.invoice_number)


def _invoice(row: Any, words: Sequence[str]) -> SearchHit | None:
    """An invoice, with its family's number and name, and its student's name if any."""
    if row.invoice_number is None or row.family_id is None:
        return None
    subtitle = f"{row.family_number} · " + _("Famille {name}").format(name=row.family_name)
    if row.student_first_name is not None:
        subtitle += f" · {_full_name(row.student_first_name, row.student_last_name)}"
    return SearchHit(
        kind=HitKind.INVOICE,
        ref_id=row.ref_id,
        family_id=row.family_id,
        title=row.invoice_number,
        subtitle=subtitle,
        matched=_matched(words, functools.partial(_invoice_candidates, row)),
    )
