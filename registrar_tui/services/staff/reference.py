"""The administrator's reference data: establishments, term dates and the fee schedule.

A new school creates its establishments here (`add_establishment`): nothing else is
needed for one to take payments (its receipt numbers start at 1 per year on the first
receipt, services/ledger/receipts.py) or to receive imported families.

Issue #6 point 2 (the admin role) and issue #5 (re-enrolment opens and closes per term).
Every function is admin-only (PermissionDenied otherwise), writes in the caller's unit of
work and records one audit event with the changed fields before and after. A request
that changes nothing is refused (NothingChanged) and writes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Establishment, FeeScheduleItem, Term
from registrar_tui.models.base import FeeKind, Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DayParam, DomainError, InvalidInput, NotFound
from registrar_tui.services.core.identifiers import (
    parse_email,
    parse_phone,
    parse_postal_code,
    parse_province,
)
from registrar_tui.services.core.money import to_cents, valid_amount
from registrar_tui.services.core.text import safe_text

ADMIN_ONLY = (Role.ADMIN,)


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""A date argument left out: the stored date stays (None clears it)."""

DateChange = date | None | _Unset


class NothingChanged(DomainError):
    message = N_("Aucun changement : les valeurs données sont celles déjà enregistrées.")


MSG_REQUIRED = N_("Ce champ est obligatoire.")
MSG_CLOSES_BEFORE_OPENS = N_(
    "La fermeture de la réinscription ({closes}) précède son ouverture ({opens})."
)
MSG_CLOSES_WITHOUT_OPENS = N_(
    "Indiquez aussi la date d'ouverture de la réinscription (sinon elle reste fermée)."
)
MSG_CLOSES_AFTER_TERM = N_(
    "La réinscription doit fermer au plus tard à la fin de la session ({ends})."
)
MSG_DEADLINE_OUTSIDE_TERM = N_(
    "La date limite de confirmation doit tomber pendant la session ({starts} au {ends})."
)
MSG_DUE_AFTER_TERM = N_("L'échéance de paiement doit précéder la fin de la session ({ends}).")
MSG_DUE_REQUIRED = N_("Une session a toujours une échéance de paiement.")
MSG_FEE_CODE = N_("Code de frais : 1 à 16 lettres, chiffres ou tirets (ex. : INS, CONF-TARD).")
MSG_KIND_REQUIRED = N_("Indiquez le type du nouveau frais (--kind).")
MSG_KIND_FIXED = N_("Le type d'un frais existant ne change pas ({kind}).")
MSG_ESTABLISHMENT_CODE = N_(
    "Code d'établissement : 2 à 8 lettres ou chiffres, sans espace (ex. : MTL, QC2)."
)
MSG_ESTABLISHMENT_EXISTS = N_("L'établissement {code} existe déjà.")
MSG_NUMBER_DIGITS = N_("Le numéro d'élève a 9 ou 7 chiffres.")
MSG_SITE_DIGIT = N_(
    "Chiffre d'établissement du numéro d'élève : un chiffre de 0 à 9 (numéros à 9 chiffres)."
)
MSG_NO_SITE_DIGIT = N_("Les numéros d'élève à 7 chiffres n'ont pas de chiffre d'établissement.")
MSG_NO_NEW_TUITION = N_(
    "Les droits de scolarité sont liés à une discipline : ils ne s'ajoutent pas ici."
)


@dataclass(frozen=True)
class EstablishmentInfo:
    code: str
    name: str
    address_line: str
    city: str
    postal_code: str
    phone: str
    email: str | None
    province: str = "QC"
    student_number_digits: int = 9
    student_number_site_digit: str = "1"


def establishment_info(found: Establishment) -> EstablishmentInfo:
    return EstablishmentInfo(
        code=found.code,
        name=found.name,
        address_line=found.address_line,
        city=found.city,
        postal_code=found.postal_code,
        phone=found.phone,
        email=found.email,
        province=found.province,
        student_number_digits=found.student_number_digits,
        student_number_site_digit=found.student_number_site_digit,
    )


@dataclass(frozen=True)
class TermDates:
    term_code: str
    starts_on: date
    ends_on: date
    reenrolment_opens_on: date | None
    reenrolment_closes_on: date | None
    confirmation_deadline: date | None
    payment_due_on: date


@dataclass(frozen=True)
class FeeInfo:
    term_code: str
    code: str
    kind: FeeKind
    amount: Decimal
    description_fr: str
    description_en: str
    added: bool


def _audit(
    uow: UnitOfWork,
    actor_id: int,
    action: str,
    entity: tuple[str, int | None],
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    changed = sorted(key for key in after if before.get(key) != after[key])
    if not changed:
        raise NothingChanged()
    record_event(
        uow,
        actor_id,
        action,
        entity[0],
        entity[1],
        {key: before[key] for key in changed if key in before},
        {key: after[key] for key in changed},
    )


def _required_text(value: str, *, field: str, max_length: int) -> str:
    cleaned = safe_text(value, field=field, max_length=max_length)
    if not cleaned:
        raise InvalidInput(MSG_REQUIRED, field=field)
    return cleaned


# --- establishments ----------------------------------------------------------------------
def update_establishment(
    uow: UnitOfWork,
    *,
    actor_id: int,
    code: str,
    name: str | None = None,
    address_line: str | None = None,
    city: str | None = None,
    postal_code: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> EstablishmentInfo:
    """Change an establishment's name, address, phone or e-mail (None: left as is).

    The new address is printed on the receipts issued from now on; receipts already
    issued keep theirs. An empty `email` removes the address.
    Refuses: PermissionDenied, NotFound (code), InvalidInput (per field: empty, too long,
    malformed postal code / phone / e-mail), CardNumberRefused, NothingChanged.
    """
    active_staff(uow, actor_id, ADMIN_ONLY)
    found = uow.session.exec(
        select(Establishment).where(col(Establishment.code) == code.strip().upper())
    ).first()
    if found is None:
        raise NotFound(N_("Établissement introuvable : {code}."), field="code", code=code)
    new: dict[str, Any] = {}
    if name is not None:
        new["name"] = _required_text(name, field="name", max_length=200)
    if address_line is not None:
        new["address_line"] = _required_text(address_line, field="address_line", max_length=200)
    if city is not None:
        new["city"] = _required_text(city, field="city", max_length=100)
    if postal_code is not None:
        new["postal_code"] = parse_postal_code(postal_code, field="postal_code")
    if phone is not None:
        new["phone"] = parse_phone(phone, field="phone")
    if email is not None:
        cleaned = safe_text(email, field="email", max_length=200)
        new["email"] = parse_email(cleaned, field="email") if cleaned else None
    before = {key: getattr(found, key) for key in new}
    _audit(uow, actor_id, "establishment.update", ("establishment", found.id), before, new)
    for key, value in new.items():
        setattr(found, key, value)
    uow.session.add(found)
    uow.session.flush()
    return establishment_info(found)


def list_establishments(uow: UnitOfWork) -> tuple[EstablishmentInfo, ...]:
    """Every establishment, by code (anyone reads)."""
    found = uow.session.exec(select(Establishment).order_by(col(Establishment.code)))
    return tuple(establishment_info(row) for row in found)


def _establishment_code(code: str) -> str:
    cleaned = safe_text(code, field="code").upper()
    if not 2 <= len(cleaned) <= 8 or not all(c.isascii() and c.isalnum() for c in cleaned):
        raise InvalidInput(MSG_ESTABLISHMENT_CODE, field="code")
    return cleaned


def _student_number_format(digits: int, site_digit: str | None) -> str:
    """The site digit stored for `digits` (9: one digit, default 1; 7: none)."""
    if digits not in (7, 9):
        raise InvalidInput(MSG_NUMBER_DIGITS, field="student_number_digits")
    site = (site_digit or "").strip()
    if digits == 7:
        if site:
            raise InvalidInput(MSG_NO_SITE_DIGIT, field="student_number_site_digit")
        return ""
    site = site or "1"
    if len(site) != 1 or site not in "0123456789":
        raise InvalidInput(MSG_SITE_DIGIT, field="student_number_site_digit")
    return site


def add_establishment(
    uow: UnitOfWork,
    *,
    actor_id: int,
    code: str,
    name: str,
    address_line: str,
    city: str,
    province: str = "QC",
    postal_code: str,
    phone: str,
    email: str | None = None,
    student_number_digits: int = 9,
    student_number_site_digit: str | None = None,
) -> EstablishmentInfo:
    """Create an establishment: a new school's sites, before importing its families.

    The code (2 to 8 letters or digits, kept in capitals) is what imports, groups and
    staff accounts name it by. Student numbers follow its format: 9 digits (entry year,
    `student_number_site_digit`, default 1, then 6 digits) or 7 (year then 5 digits, no
    site digit). It takes payments at once: its receipt numbering starts on the first one.
    Refuses: PermissionDenied, InvalidInput (per field: code format or already used,
    empty or too long text, malformed province / postal code / phone / e-mail, student
    number format), CardNumberRefused.
    """
    active_staff(uow, actor_id, ADMIN_ONLY)
    new_code = _establishment_code(code)
    values: dict[str, Any] = {
        "code": new_code,
        "name": _required_text(name, field="name", max_length=200),
        "address_line": _required_text(address_line, field="address_line", max_length=200),
        "city": _required_text(city, field="city", max_length=100),
        "province": parse_province(province, field="province"),
        "postal_code": parse_postal_code(postal_code, field="postal_code"),
        "phone": parse_phone(phone, field="phone"),
        "email": None,
        "student_number_digits": student_number_digits,
        "student_number_site_digit": _student_number_format(
            student_number_digits, student_number_site_digit
        ),
    }
    cleaned = safe_text(email or "", field="email", max_length=200)
    if cleaned:
        values["email"] = parse_email(cleaned, field="email")
    taken = uow.session.exec(
        select(Establishment.id).where(func.upper(col(Establishment.code)) == new_code)
    ).first()
    if taken is not None:
        raise InvalidInput(MSG_ESTABLISHMENT_EXISTS, field="code", code=new_code)
    site = Establishment(**values)
    uow.session.add(site)
    uow.session.flush()
    record_event(uow, actor_id, "establishment.add", "establishment", site.id, {}, values)
    return establishment_info(site)


# --- term dates --------------------------------------------------------------------------
def _term(uow: UnitOfWork, term_code: str) -> Term:
    term = uow.session.exec(select(Term).where(col(Term.code) == term_code.strip())).first()
    if term is None:
        raise NotFound(N_("Session introuvable : {term}."), field="term", term=term_code)
    return term


def check_term_dates(starts_on: date, ends_on: date, dates: dict[str, date | None]) -> None:
    """Check a term's re-enrolment window, confirmation deadline and payment due date
    against its start and end (the one rule, for the term form and for `term set`).

    Refuses (InvalidInput, with the field): a closing day without an opening day, before
    it or after the term's end; a confirmation deadline outside the term; no payment due
    date or one after the term's end.
    """
    opens = dates["reenrolment_opens_on"]
    closes = dates["reenrolment_closes_on"]
    if closes is not None and opens is None:
        raise InvalidInput(MSG_CLOSES_WITHOUT_OPENS, field="reenrolment_opens_on")
    if closes is not None and opens is not None and closes < opens:
        raise InvalidInput(
            MSG_CLOSES_BEFORE_OPENS,
            field="reenrolment_closes_on",
            closes=DayParam(closes),
            opens=DayParam(opens),
        )
    if closes is not None and closes > ends_on:
        raise InvalidInput(
            MSG_CLOSES_AFTER_TERM, field="reenrolment_closes_on", ends=DayParam(ends_on)
        )
    deadline = dates["confirmation_deadline"]
    if deadline is not None and not starts_on <= deadline <= ends_on:
        raise InvalidInput(
            MSG_DEADLINE_OUTSIDE_TERM,
            field="confirmation_deadline",
            starts=DayParam(starts_on),
            ends=DayParam(ends_on),
        )
    due = dates["payment_due_on"]
    if due is None:
        raise InvalidInput(MSG_DUE_REQUIRED, field="payment_due_on")
    if due > ends_on:
        raise InvalidInput(MSG_DUE_AFTER_TERM, field="payment_due_on", ends=DayParam(ends_on))


def set_term_dates(
    uow: UnitOfWork,
    *,
    actor_id: int,
    term_code: str,
    reenrolment_opens_on: DateChange = UNSET,
    reenrolment_closes_on: DateChange = UNSET,
    confirmation_deadline: DateChange = UNSET,
    payment_due_on: DateChange = UNSET,
) -> TermDates:
    """Set a term's re-enrolment window, confirmation deadline or payment due date.

    A date left out (UNSET) stays; None clears it (no re-enrolment window, no
    confirmation deadline). Re-enrolment requests are accepted from the opening day to
    the closing day included (services/requests/reenrolment/submit); an opening without a
    closing day stays open. Invoices already issued keep their due date.
    Refuses (InvalidInput, with the field): a closing day before the opening or after the
    term's end, a closing day without an opening, a confirmation deadline outside the
    term, no payment due date or one after the term's end. Also PermissionDenied,
    NotFound (term), NothingChanged.
    """
    active_staff(uow, actor_id, ADMIN_ONLY)
    term = _term(uow, term_code)
    given = {
        "reenrolment_opens_on": reenrolment_opens_on,
        "reenrolment_closes_on": reenrolment_closes_on,
        "confirmation_deadline": confirmation_deadline,
        "payment_due_on": payment_due_on,
    }
    before = {key: getattr(term, key) for key in given}
    dates: dict[str, date | None] = {
        key: before[key] if isinstance(value, _Unset) else value for key, value in given.items()
    }
    check_term_dates(term.starts_on, term.ends_on, dates)
    _audit(
        uow,
        actor_id,
        "term.set_dates",
        ("term", term.id),
        {key: _iso(value) for key, value in before.items()},
        {key: _iso(value) for key, value in dates.items()},
    )
    for key, value in dates.items():
        setattr(term, key, value)
    uow.session.add(term)
    uow.session.flush()
    return term_dates(term)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def term_dates(term: Term) -> TermDates:
    """A term's dates as set (see `set_term_dates`)."""
    return TermDates(
        term_code=term.code,
        starts_on=term.starts_on,
        ends_on=term.ends_on,
        reenrolment_opens_on=term.reenrolment_opens_on,
        reenrolment_closes_on=term.reenrolment_closes_on,
        confirmation_deadline=term.confirmation_deadline,
        payment_due_on=term.payment_due_on,
    )


# --- fee schedule ------------------------------------------------------------------------
def _fee_code(code: str) -> str:
    cleaned = safe_text(code, field="code").upper()
    if not 1 <= len(cleaned) <= 16 or not all(
        c.isascii() and (c.isalnum() or c == "-") for c in cleaned
    ):
        raise InvalidInput(MSG_FEE_CODE, field="code")
    return cleaned


def set_fee(
    uow: UnitOfWork,
    *,
    actor_id: int,
    term_code: str,
    code: str,
    amount: Decimal,
    description_fr: str | None = None,
    description_en: str | None = None,
    kind: FeeKind | None = None,
) -> FeeInfo:
    """Change a term's fee (amount, descriptions) or add it to the term's schedule.

    Only what is billed from now on changes: invoices already issued keep their lines and
    amounts (an invoice is never edited; corrections are credit notes). Adding a fee needs
    its `kind` and both descriptions; a tuition fee (tied to a discipline) is not added
    here, and an existing fee keeps its kind.
    Refuses: PermissionDenied, NotFound (term), InvalidInput (code, kind, descriptions),
    InvalidAmount (negative or fractions of a cent), CardNumberRefused, NothingChanged.
    """
    active_staff(uow, actor_id, ADMIN_ONLY)
    term = _term(uow, term_code)
    fee_code = _fee_code(code)
    price = valid_amount(amount, field="amount", allow_zero=True)
    fee = uow.session.exec(
        select(FeeScheduleItem).where(
            col(FeeScheduleItem.term_id) == term.id, col(FeeScheduleItem.code) == fee_code
        )
    ).first()
    # What changes, named as in the audit trail: the amount in cents, as it always was.
    new: dict[str, Any] = {"amount_cents": to_cents(price)}
    if description_fr is not None:
        new["description_fr"] = _required_text(
            description_fr, field="description_fr", max_length=200
        )
    if description_en is not None:
        new["description_en"] = _required_text(
            description_en, field="description_en", max_length=200
        )
    added = fee is None
    if fee is None:
        if kind is None:
            raise InvalidInput(MSG_KIND_REQUIRED, field="kind")
        if kind is FeeKind.TUITION:
            raise InvalidInput(MSG_NO_NEW_TUITION, field="kind")
        for field in ("description_fr", "description_en"):
            if field not in new:
                raise InvalidInput(MSG_REQUIRED, field=field)
        assert term.id is not None
        fee = FeeScheduleItem(
            term_id=term.id,
            code=fee_code,
            kind=kind,
            is_voluntary=kind is FeeKind.VOLUNTARY,
            amount=price,
            **{key: value for key, value in new.items() if key != "amount_cents"},
        )
        before: dict[str, Any] = {}
        new = {"kind": kind.value, **new}
    else:
        if kind is not None and kind is not fee.kind:
            raise InvalidInput(MSG_KIND_FIXED, field="kind", kind=fee.kind.value)
        before = {
            key: to_cents(fee.amount) if key == "amount_cents" else getattr(fee, key) for key in new
        }
        fee.amount = price
        for key, value in new.items():
            if key != "amount_cents":
                setattr(fee, key, value)
    uow.session.add(fee)
    uow.session.flush()
    _audit(
        uow,
        actor_id,
        "fee.add" if added else "fee.update",
        ("fee_schedule_item", fee.id),
        before,
        {"term": term.code, "code": fee_code, **new} if added else new,
    )
    return FeeInfo(
        term_code=term.code,
        code=fee.code,
        kind=fee.kind,
        amount=fee.amount,
        description_fr=fee.description_fr,
        description_en=fee.description_en,
        added=added,
    )
