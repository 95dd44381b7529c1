"""Terms (sessions): the list with their dates and group counts, the next term created,
a term's dates edited, re-enrolment opened and closed (registrar and admin; anyone reads).

A term's code says its season and year (`HIV-2027`: winter 2027); both are taken from the
code, so they can never disagree with it. Dates are typed as `AAAA-MM-JJ` and checked
together: the term ends after it starts, the payment is due before it ends, re-enrolment
closes on or after it opens and no later than the term's end, and the confirmation
deadline falls inside the term (the same rules as `term set`, services/staff/reference.py).
Each refusal names its field. Every change is one audit event with the fields before and
after.

Re-enrolment is open on a day when that day lies in the window (opening day to closing day
included; no closing day: it stays open). Opening it now sets the opening day to
today; closing it now sets the closing day to yesterday (a window that had not started yet
is removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Course, Term
from registrar_tui.models.base import Role, Season, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DayParam, DomainError, InvalidInput, NotFound
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.staff.reference import check_term_dates

SCHOOL_YEAR_EDITORS = (Role.REGISTRAR, Role.ADMIN)
"""Who creates and edits terms, groups and teachers and rolls groups over."""

SEASON_ORDER = (Season.WINTER, Season.SUMMER, Season.AUTUMN)
"""The seasons in calendar order: winter (January), summer, autumn (September)."""
CODE_PATTERN = re.compile(r"^(AUT|HIV|ETE)-(\d{4})$")

TERM_FIELDS = (
    "code",
    "starts_on",
    "ends_on",
    "payment_due_on",
    "reenrolment_opens_on",
    "reenrolment_closes_on",
    "confirmation_deadline",
)
"""The term form's fields, in order (also the `field` of the refusals)."""
DATE_FIELDS = TERM_FIELDS[1:]
REQUIRED_DATES = frozenset({"starts_on", "ends_on", "payment_due_on"})

MSG_REQUIRED = N_("Ce champ est obligatoire.")
MSG_BAD_DATE = N_("Date invalide « {text} » : écrivez AAAA-MM-JJ.")
MSG_BAD_CODE = N_("Code de session : AUT, HIV ou ETE, un tiret et l'année (ex. : HIV-2027).")
MSG_CODE_TAKEN = N_("La session {code} existe déjà.")
MSG_YEAR = N_("La session {code} doit commencer en {year}.")
MSG_ENDS_BEFORE = N_("La session doit finir après son début ({starts}).")
MSG_TERM_OVER = N_("La session {code} est terminée : sa réinscription ne s'ouvre plus.")
MSG_ALREADY_OPEN = N_("La réinscription à la session {code} est déjà ouverte.")
MSG_ALREADY_CLOSED = N_("La réinscription à la session {code} est déjà fermée.")
MSG_TERM_NOT_FOUND = N_("Session introuvable : {term}.")


class NothingChanged(DomainError):
    message = N_("Aucune modification à enregistrer.")


@dataclass(frozen=True)
class TermRow:
    """A term as the terms list shows it."""

    term_id: int
    code: str
    season: Season
    year: int
    starts_on: date
    ends_on: date
    payment_due_on: date
    reenrolment_opens_on: date | None
    reenrolment_closes_on: date | None
    confirmation_deadline: date | None
    group_count: int
    """Course groups of the term (closed ones included)."""
    reenrolment_open: bool
    """Re-enrolment requests are accepted today."""


@dataclass(frozen=True)
class TermDraft:
    """What was typed in the term form (or given to `term create`): dates as AAAA-MM-JJ,
    blank for none (the start, the end and the payment due date are required)."""

    code: str
    starts_on: str
    ends_on: str
    payment_due_on: str
    reenrolment_opens_on: str = ""
    reenrolment_closes_on: str = ""
    confirmation_deadline: str = ""


def parse_term_code(text: str, *, field: str = "code") -> tuple[str, Season, int]:
    """The code (upper case, « ÉTÉ » written ETE), its season and year; InvalidInput otherwise."""
    code = safe_text(text, field=field, max_length=12).upper().replace("É", "E")
    match = CODE_PATTERN.match(code)
    if match is None:
        raise InvalidInput(MSG_BAD_CODE, field=field)
    return code, Season(match.group(1)), int(match.group(2))


def following_code(code: str) -> str:
    """The code of the term after `code` (AUT-2026 → HIV-2027 → ETE-2027 → AUT-2027)."""
    _code, season, year = parse_term_code(code)
    index = SEASON_ORDER.index(season)
    if index == len(SEASON_ORDER) - 1:
        return f"{SEASON_ORDER[0].value}-{year + 1}"
    return f"{SEASON_ORDER[index + 1].value}-{year}"


def reenrolment_open_on(term: Term, day: date) -> bool:
    """Re-enrolment requests are accepted on `day` (opening to closing day included)."""
    opens, closes = term.reenrolment_opens_on, term.reenrolment_closes_on
    if opens is None or day < opens:
        return False
    return closes is None or day <= closes


def _row(uow: UnitOfWork, term: Term, group_count: int) -> TermRow:
    return TermRow(
        term_id=require_id(term),
        code=term.code,
        season=term.season,
        year=term.year,
        starts_on=term.starts_on,
        ends_on=term.ends_on,
        payment_due_on=term.payment_due_on,
        reenrolment_opens_on=term.reenrolment_opens_on,
        reenrolment_closes_on=term.reenrolment_closes_on,
        confirmation_deadline=term.confirmation_deadline,
        group_count=group_count,
        reenrolment_open=reenrolment_open_on(term, local_date(uow.now())),
    )


def _group_counts(uow: UnitOfWork) -> dict[int, int]:
    return {
        int(term_id): int(count)
        for term_id, count in uow.session.exec(
            select(col(Course.term_id), func.count(col(Course.id))).group_by(col(Course.term_id))
        )
    }


def list_terms(uow: UnitOfWork) -> tuple[TermRow, ...]:
    """Every term, the latest first, with its group count (anyone signed in reads it)."""
    counts = _group_counts(uow)
    terms = uow.session.exec(select(Term).order_by(col(Term.starts_on).desc()))
    return tuple(_row(uow, term, counts.get(require_id(term), 0)) for term in terms)


def term_by_code(uow: UnitOfWork, code: str, *, field: str = "term") -> Term:
    """The term with this code (case-insensitive); NotFound with `field` otherwise."""
    wanted = clean_code(code)
    term = uow.session.exec(select(Term).where(col(Term.code) == wanted)).first()
    if term is None:
        raise NotFound(MSG_TERM_NOT_FOUND, field=field, term=code)
    return term


def clean_code(code: str) -> str:
    return code.strip().upper().replace("É", "E")


def term_row(uow: UnitOfWork, term_id: int) -> TermRow:
    """One term as listed (NotFound, field "term")."""
    term = uow.session.get(Term, term_id)
    if term is None:
        raise NotFound(MSG_TERM_NOT_FOUND, field="term", term=str(term_id))
    return _row(uow, term, _group_counts(uow).get(term_id, 0))


def previous_term(uow: UnitOfWork, term_id: int) -> TermRow | None:
    """The term that started last before this one (where a rollover copies from)."""
    term = uow.session.get(Term, term_id)
    if term is None:
        raise NotFound(MSG_TERM_NOT_FOUND, field="term", term=str(term_id))
    before = uow.session.exec(
        select(Term)
        .where(col(Term.starts_on) < term.starts_on)
        .order_by(col(Term.starts_on).desc())
        .limit(1)
    ).first()
    return None if before is None else term_row(uow, require_id(before))


def next_term_draft(uow: UnitOfWork) -> TermDraft:
    """A blank term form with the code after the latest term's (HIV-2027 after AUT-2026)."""
    latest = uow.session.exec(select(Term).order_by(col(Term.starts_on).desc()).limit(1)).first()
    code = following_code(latest.code) if latest is not None and _valid(latest.code) else ""
    return TermDraft(code=code, starts_on="", ends_on="", payment_due_on="")


def _valid(code: str) -> bool:
    return CODE_PATTERN.match(code) is not None


def _parse_date(text: str, field: str) -> date | None:
    value = safe_text(text, field=field, max_length=20)
    if not value:
        if field in REQUIRED_DATES:
            raise InvalidInput(MSG_REQUIRED, field=field)
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(MSG_BAD_DATE, field=field, text=value) from None


def _checked_dates(draft: TermDraft) -> dict[str, date | None]:
    """Each date parsed, then the dates checked together (InvalidInput with the field)."""
    dates = {field: _parse_date(getattr(draft, field), field) for field in DATE_FIELDS}
    starts, ends, due = dates["starts_on"], dates["ends_on"], dates["payment_due_on"]
    assert starts is not None and ends is not None and due is not None
    if ends <= starts:
        raise InvalidInput(MSG_ENDS_BEFORE, field="ends_on", starts=DayParam(starts))
    check_term_dates(starts, ends, dates)
    return dates


def _iso(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in values.items()
    }


def create_term(uow: UnitOfWork, *, actor_id: int, draft: TermDraft) -> TermRow:
    """Create a term from the form (its season and year are read from its code).

    Refuses (InvalidInput with the field): a malformed code or one already used, a start
    outside the code's year, a missing or malformed date, dates out of order (see the
    module). Also PermissionDenied (a clerk), CardNumberRefused.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    code, season, year = parse_term_code(draft.code)
    if uow.session.exec(select(Term.id).where(col(Term.code) == code)).first() is not None:
        raise InvalidInput(MSG_CODE_TAKEN, field="code", code=code)
    dates = _checked_dates(draft)
    starts = dates["starts_on"]
    assert starts is not None
    if starts.year != year:
        raise InvalidInput(MSG_YEAR, field="starts_on", code=code, year=str(year))
    term = Term(code=code, season=season, year=year, **dates)  # type: ignore[arg-type]
    uow.session.add(term)
    uow.session.flush()
    record_event(uow, actor_id, "term.create", "term", term.id, {}, _iso({"code": code, **dates}))
    return _row(uow, term, 0)


def update_term(uow: UnitOfWork, *, actor_id: int, term_id: int, draft: TermDraft) -> TermRow:
    """Change a term's dates (its code stays: invoices and requests name the term by it).

    Refuses as `create_term` does (the dates), and NothingChanged when every date is the
    one stored; NotFound (field "term"), PermissionDenied.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    term = uow.session.get(Term, term_id)
    if term is None:
        raise NotFound(MSG_TERM_NOT_FOUND, field="term", term=str(term_id))
    dates = _checked_dates(draft)
    starts = dates["starts_on"]
    assert starts is not None
    if starts.year != term.year:
        raise InvalidInput(MSG_YEAR, field="starts_on", code=term.code, year=str(term.year))
    return _apply(uow, actor_id, term, dates, "term.update")


def _apply(
    uow: UnitOfWork, actor_id: int, term: Term, dates: dict[str, date | None], action: str
) -> TermRow:
    changed = {key: value for key, value in dates.items() if getattr(term, key) != value}
    if not changed:
        raise NothingChanged()
    before = {key: getattr(term, key) for key in changed}
    for key, value in changed.items():
        setattr(term, key, value)
    uow.session.add(term)
    uow.session.flush()
    record_event(uow, actor_id, action, "term", term.id, _iso(before), _iso(changed))
    return term_row(uow, require_id(term))


def _stored_dates(term: Term) -> dict[str, date | None]:
    return {key: getattr(term, key) for key in DATE_FIELDS}


def open_reenrolment(uow: UnitOfWork, *, actor_id: int, term_id: int) -> TermRow:
    """Open re-enrolment to the term from today (a closing day already past is removed).

    Refuses: the term is over, or re-enrolment is already open (DomainError); NotFound,
    PermissionDenied.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    term = uow.session.get(Term, term_id)
    if term is None:
        raise NotFound(MSG_TERM_NOT_FOUND, field="term", term=str(term_id))
    today = local_date(uow.now())
    if today > term.ends_on:
        raise DomainError(MSG_TERM_OVER, code=term.code)
    if reenrolment_open_on(term, today):
        raise DomainError(MSG_ALREADY_OPEN, code=term.code)
    dates = _stored_dates(term)
    dates["reenrolment_opens_on"] = today
    closes = dates["reenrolment_closes_on"]
    if closes is not None and closes < today:
        dates["reenrolment_closes_on"] = None
    return _apply(uow, actor_id, term, dates, "term.reenrolment_open")


def close_reenrolment(uow: UnitOfWork, *, actor_id: int, term_id: int) -> TermRow:
    """Stop accepting re-enrolment requests to the term from today.

    Refuses: re-enrolment is not open today (DomainError); NotFound, PermissionDenied.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    term = uow.session.get(Term, term_id)
    if term is None:
        raise NotFound(MSG_TERM_NOT_FOUND, field="term", term=str(term_id))
    today = local_date(uow.now())
    if not reenrolment_open_on(term, today):
        raise DomainError(MSG_ALREADY_CLOSED, code=term.code)
    dates = _stored_dates(term)
    opens = dates["reenrolment_opens_on"]
    assert opens is not None
    if opens >= today:  # opened today: the window is removed rather than made empty
        dates["reenrolment_opens_on"] = dates["reenrolment_closes_on"] = None
    else:
        dates["reenrolment_closes_on"] = today - timedelta(days=1)
    return _apply(uow, actor_id, term, dates, "term.reenrolment_close")
