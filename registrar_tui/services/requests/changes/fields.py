"""The fields a family may ask to change through the portal: read, compare, validate.

A change request stores each field as text (value when submitted, requested value). The
record stores typed values (a date, a phone or None). This module turns the record's value
into the same text, says whether a field is in conflict, and checks a requested value
with the same parsers the counter uses (identifiers.py) before it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _
from registrar_tui.models import ChangeRequest, ChangeRequestField, Guardian, Student
from registrar_tui.models.base import ChangeTarget
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.core.identifiers import (
    MSG_PROVINCE,
    PROVINCES,
    parse_code_permanent,
    parse_email,
    parse_phone,
    parse_postal_code,
)
from registrar_tui.services.core.text import safe_text

MSG_UNKNOWN_FIELD = N_("Ce champ ne peut pas être modifié par le portail : {name}.")
MSG_REQUIRED = N_("Ce champ ne peut pas être vide.")
MSG_BIRTH_DATE = N_("Date de naissance invalide : la forme attendue est AAAA-MM-JJ.")
MSG_BIRTH_FUTURE = N_("La date de naissance ne peut pas être dans l'avenir.")
MSG_CP_TAKEN = N_("Ce code permanent est déjà celui d'un autre élève.")

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

ADDRESS_FIELDS = ("address_line", "city", "province", "postal_code")
"""The parts of an address, decided together (a street with another city's postal code is
nobody's address)."""
ADDRESS_CHOICE = "address"
"""The key of the address's one choice when it is in conflict (`choices["address"]`)."""
ADDRESS_LABEL = N_("Adresse (rue, ville, province, code postal)")
_ADDRESS = ADDRESS_FIELDS
EDITABLE_FIELDS: dict[ChangeTarget, frozenset[str]] = {
    ChangeTarget.GUARDIAN: frozenset(
        ("first_name", "last_name", "phone", "phone_alt", "email", *_ADDRESS)
    ),
    ChangeTarget.STUDENT: frozenset(
        (
            "first_name",
            "last_name",
            "birth_date",
            "code_permanent",
            "emergency_contact_name",
            "emergency_contact_phone",
            *_ADDRESS,
        )
    ),
}
"""What the portal may change, per kind of record (anything else is refused)."""

SEARCHABLE_FIELDS = frozenset(
    ("first_name", "last_name", "phone", "phone_alt", "email", "code_permanent")
)
"""Fields the search index holds: changing one re-indexes the family."""

_TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "address_line": 200,
    "city": 100,
    "emergency_contact_name": 200,
}

Record = Guardian | Student

FIELD_LABELS = {
    "first_name": N_("Prénom"),
    "last_name": N_("Nom"),
    "birth_date": N_("Date de naissance"),
    "phone": N_("Téléphone"),
    "phone_alt": N_("Autre téléphone"),
    "email": N_("Courriel"),
    "address_line": N_("Adresse"),
    "city": N_("Ville"),
    "province": N_("Province"),
    "postal_code": N_("Code postal"),
    "code_permanent": N_("Code permanent"),
    "emergency_contact_name": N_("Contact d'urgence"),
    "emergency_contact_phone": N_("Téléphone d'urgence"),
}
"""The portal's field names as the counter calls them (unknown names are shown as is)."""

MSG_NO_CHANGE = N_("aucun changement")


def restored_value(field_name: str, text: str) -> Any:
    """A value written before (`as_text` of it) in the form the record stores it again:
    "" → None for the fields that may be empty, an ISO day → a date."""
    if field_name == "birth_date":
        return date.fromisoformat(text)
    if field_name in ("phone", "phone_alt", "email", "code_permanent"):
        return text or None
    return text


def as_text(value: object) -> str:
    """A stored value as the portal writes it: None → "", a date → ISO, text stripped."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def field_label(field_name: str) -> str:
    """The field as the counter calls it, in the current UI language."""
    label = FIELD_LABELS.get(field_name)
    return _(label) if label else field_name


def current_text(record: Record, field_name: str) -> str:
    """The record's value of `field_name` as text ("" for a field the record lacks)."""
    return as_text(getattr(record, field_name, None))


def target_record(uow: UnitOfWork, request: ChangeRequest, *, lock: bool) -> Record | None:
    """The guardian or student a request is about (None if gone, or a guardian removed from
    the family: a portal change never applies to someone no longer in it); locked when asked."""
    model: type[Guardian] | type[Student] = (
        Guardian if request.target_kind == ChangeTarget.GUARDIAN else Student
    )
    query = select(model).where(col(model.id) == request.target_id)
    if model is Guardian:
        query = query.where(col(Guardian.removed_at).is_(None))
    if lock:
        query = query.with_for_update()
    found = uow.session.exec(query).first()
    return found if isinstance(found, Guardian | Student) else None


def request_fields(uow: UnitOfWork, request_id: int) -> list[ChangeRequestField]:
    """The request's fields, in the order the family gave them."""
    return list(
        uow.session.exec(
            select(ChangeRequestField)
            .where(col(ChangeRequestField.request_id) == request_id)
            .order_by(col(ChangeRequestField.id))
        )
    )


def subject_name(record: Record | None) -> str:
    return f"{record.first_name} {record.last_name}".strip() if record is not None else ""


def is_conflict(current: str, submitted: str, requested: str) -> bool:
    """The record changed since the family submitted, to something other than what it asked.

    When the record already holds the requested value (someone typed it at the counter),
    approving writes nothing new: that is not a conflict.
    """
    current, submitted, requested = current.strip(), submitted.strip(), requested.strip()
    return current != submitted and current != requested


def _same(field_name: str, first: str, second: str) -> bool:
    """Two texts of a field that say the same thing (spaces; a postal code's case)."""
    first, second = " ".join(first.split()), " ".join(second.split())
    if field_name in ("postal_code", "province"):
        return first.replace(" ", "").upper() == second.replace(" ", "").upper()
    return first == second


def is_change(field_name: str, submitted: str, requested: str) -> bool:
    """The family asked for another value than the one it had (the portal also sends the
    parts of a form it left as they were: « Ville : Québec → Québec » is not a change)."""
    return not _same(field_name, submitted, requested)


@dataclass(frozen=True)
class Assessment:
    """What a field of a pending request means for its record today."""

    relevant: bool
    """A change to show and to write: the field changes, or it is part of an address that
    changes (the address is written whole)."""
    conflict: bool
    """The record changed since submission to something else than what is asked; for an
    address part, any part of the address did (the address is one choice)."""


def assess(record: Record | None, fields: Sequence[ChangeRequestField]) -> dict[str, Assessment]:
    """Each field of a request by name: relevant (a change), in conflict (see Assessment)."""

    def conflict(item: ChangeRequestField) -> bool:
        return record is not None and is_conflict(
            current_text(record, item.field_name), item.value_at_submission, item.requested_value
        )

    address = [f for f in fields if f.field_name in ADDRESS_FIELDS]
    address_changes = any(
        is_change(f.field_name, f.value_at_submission, f.requested_value) for f in address
    )
    address_conflict = address_changes and any(conflict(f) for f in address)
    result = {}
    for item in fields:
        if item.field_name in ADDRESS_FIELDS:
            result[item.field_name] = Assessment(address_changes, address_conflict)
        else:
            changes = is_change(item.field_name, item.value_at_submission, item.requested_value)
            result[item.field_name] = Assessment(changes, changes and conflict(item))
    return result


def address_of(record: Record) -> tuple[str, str, str, str]:
    """The record's address, part by part, as text."""
    line, city, province, postal = (current_text(record, name) for name in ADDRESS_FIELDS)
    return line, city, province, postal


def same_address(first: Sequence[str], second: Sequence[str]) -> bool:
    """Two addresses (ADDRESS_FIELDS order) that are the same place, blank ones never."""
    if not any(part.strip() for part in first):
        return False
    return all(_same(name, a, b) for name, a, b in zip(ADDRESS_FIELDS, first, second, strict=True))


def change_summary(fields: Sequence[ChangeRequestField]) -> str:
    """What a request asks, in the current UI language: « field : before → after » for each
    field that changes (one sent as it was is no change), or « aucun changement »."""
    return "; ".join(
        _("{field} : {before} → {after}").format(
            field=field_label(f.field_name),
            before=f.value_at_submission or "∅",
            after=f.requested_value or "∅",
        )
        for f in fields
        if is_change(f.field_name, f.value_at_submission, f.requested_value)
    ) or _(MSG_NO_CHANGE)


def stored_value(
    uow: UnitOfWork, target: ChangeTarget, record: Record, field_name: str, text: str
) -> Any:
    """The requested `text` in the form the record stores, or InvalidInput (field=name).

    Refuses a field the portal may not change, a blank name, a card number in any text
    (CardNumberRefused), a malformed phone, e-mail, postal code, province, birth date or
    code permanent, a birth date in the future, and a code permanent held by another student.
    """
    if field_name not in EDITABLE_FIELDS[target]:
        raise InvalidInput(MSG_UNKNOWN_FIELD, field=field_name, name=field_name)
    cleaned = safe_text(text, field=field_name, max_length=_TEXT_LIMITS.get(field_name, 200))
    if field_name in ("first_name", "last_name"):
        if not cleaned:
            raise InvalidInput(MSG_REQUIRED, field=field_name)
        return cleaned
    if field_name in ("address_line", "city", "emergency_contact_name"):
        return cleaned
    if field_name in ("phone", "phone_alt"):
        return _optional(parse_phone, cleaned, field_name)
    if field_name == "emergency_contact_phone":
        return _optional(parse_phone, cleaned, field_name) or ""
    if field_name == "email":
        return _optional(parse_email, cleaned, field_name)
    if field_name == "postal_code":
        return _optional(parse_postal_code, cleaned, field_name) or ""
    if field_name == "province":
        if cleaned.upper() not in PROVINCES:
            raise InvalidInput(MSG_PROVINCE, field=field_name)
        return cleaned.upper()
    if field_name == "birth_date":
        return _birth_date(uow, cleaned)
    return _code_permanent(uow, record, cleaned)


def _optional(parse: Callable[..., str], text: str, field_name: str) -> str | None:
    """Blank → None; otherwise the parser's canonical form (its error names `field_name`)."""
    return parse(text, field=field_name) if text else None


def _birth_date(uow: UnitOfWork, text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(MSG_BIRTH_DATE, field="birth_date") from error
    if value > local_date(uow.now()):
        raise InvalidInput(MSG_BIRTH_FUTURE, field="birth_date")
    if value < EARLIEST_BIRTH_DATE:
        raise InvalidInput(MSG_BIRTH_DATE, field="birth_date")
    return value


def _code_permanent(uow: UnitOfWork, record: Record, text: str) -> str:
    code = parse_code_permanent(text)
    holder = uow.session.exec(
        select(Student.id).where(col(Student.code_permanent) == code, col(Student.id) != record.id)
    ).first()
    if holder is not None:
        raise InvalidInput(MSG_CP_TAKEN, field="code_permanent")
    return code
