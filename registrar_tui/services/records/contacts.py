"""A guardian's details (names, relationship, phones, e-mail, address, language), read and
corrected at the counter.

Who may: a clerk, a registrar or an admin, for every field including the names. One rule
for the whole guardian record: whoever may admit a family and its guardians at the counter
(services/records/admission.py, clerks included) may also correct what was typed then; the
identity the portal sends (services/requests/changes) still goes through the registrar's
queue. Every correction writes one audit event with the before and after of the fields that
changed, in the same transaction, and refreshes the family's search entries (a new name,
phone or e-mail must be searchable). A removed guardian (services/records/guardians.py) is
no longer corrected (`GuardianRemoved`).
The same form stores the social insurance number (registrar or admin only): it is read
back masked and audited masked (services/records/sin.py), and never indexed for search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Guardian
from registrar_tui.models.base import Language, Role, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from registrar_tui.services.core.identifiers import (
    parse_email,
    parse_optional,
    parse_phone,
    parse_postal_code,
    parse_province,
)
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.records.sin import SIN_FIELD, SIN_ROLES, mask_sin, parse_sin
from registrar_tui.services.search.index import reindex_family

CONTACT_EDITORS = (Role.CLERK, Role.REGISTRAR, Role.ADMIN)
AUDIT_ACTION = "guardian.contact_update"
MSG_GUARDIAN_NOT_FOUND = N_("Responsable introuvable.")
MSG_NAME_REQUIRED = N_("Entrez le nom.")
MSG_FIRST_NAME_REQUIRED = N_("Entrez le prénom.")
MSG_LANGUAGE = N_("Langue inconnue : français (fr_CA) ou anglais (en).")
NAME_FIELDS = ("first_name", "last_name")


@dataclass(frozen=True)
class GuardianContact:
    """A guardian's name and contact details as stored."""

    guardian_id: int
    family_id: int
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    address_line: str
    city: str
    province: str
    postal_code: str
    sin_masked: str = ""
    """The social insurance number as `*** *** 286`, "" when none is stored."""
    relationship_label: str = ""
    phone_alt: str | None = None
    language: Language = Language.FRENCH
    is_payer: bool = False
    is_removed: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class GuardianContactChange:
    """What the clerk typed, field by field (raw text; blank phone/e-mail/postal = none).

    The fields after the insurance number are None when the form did not show them: the
    stored value is kept.
    """

    phone: str
    email: str
    address_line: str
    city: str
    province: str
    postal_code: str
    social_insurance_number: str | None = None
    """None leaves the stored number as it is; "" removes it; else the typed number."""
    first_name: str | None = None
    last_name: str | None = None
    relationship_label: str | None = None
    phone_alt: str | None = None
    language: str | None = None
    """`fr_CA` or `en`."""


@dataclass(frozen=True)
class NewGuardian:
    """A guardian as typed on the admission or add-guardian form (raw text)."""

    first_name: str
    last_name: str
    relationship_label: str = ""
    phone: str = ""
    phone_alt: str = ""
    email: str = ""
    address_line: str = ""
    city: str = ""
    province: str = "QC"
    postal_code: str = ""
    language: str = Language.FRENCH.value

    def as_change(self) -> GuardianContactChange:
        """The same values as a change of every field (how they are validated)."""
        return GuardianContactChange(**{f.name: getattr(self, f.name) for f in fields(self)})


CONTACT_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "relationship_label",
    "phone",
    "phone_alt",
    "email",
    "address_line",
    "city",
    "province",
    "postal_code",
    "language",
)
"""The guardian's fields, in form order (also the `field` names errors carry)."""
OPTIONAL_FIELDS = frozenset(
    {"first_name", "last_name", "relationship_label", "phone_alt", "language"}
)
"""Left out of a change (None) by a form that does not show them: kept as stored."""
FORM_FIELDS: tuple[str, ...] = (*CONTACT_FIELDS, SIN_FIELD)
"""Every field of the form, in order: the guardian, then the social insurance number."""


class InvalidContact(InvalidInput):
    """One or more fields were refused; `problems` maps each field to its error.

    `field` and the message are those of the first refused field in form order, so a
    caller that shows one error at a time still shows the right one.
    """

    def __init__(self, problems: dict[str, DomainError]) -> None:
        first_field = next(name for name in FORM_FIELDS if name in problems)
        first = problems[first_field]
        super().__init__(first.source_message, field=first_field, **first.params)
        self.problems = problems


class NothingChanged(DomainError):
    """The typed values equal the stored ones: nothing to write."""

    message = N_("Aucune modification à enregistrer.")


class GuardianRemoved(DomainError):
    """The guardian was removed from the family: no longer corrected nor made payer."""

    message = N_("Ce responsable a été retiré de la famille.")


def _contact(guardian: Guardian) -> GuardianContact:
    return GuardianContact(
        guardian_id=require_id(guardian),
        family_id=guardian.family_id,
        first_name=guardian.first_name,
        last_name=guardian.last_name,
        phone=guardian.phone,
        email=guardian.email,
        address_line=guardian.address_line,
        city=guardian.city,
        province=guardian.province,
        postal_code=guardian.postal_code,
        sin_masked=mask_sin(guardian.social_insurance_number),
        relationship_label=guardian.relationship_label,
        phone_alt=guardian.phone_alt,
        language=Language(guardian.language),
        is_payer=guardian.is_payer,
        is_removed=guardian.removed_at is not None,
    )


def guardian_contact(uow: UnitOfWork, guardian_id: int) -> GuardianContact:
    """The guardian's contact details. Raises `NotFound` (field "guardian") if unknown."""
    guardian = uow.session.get(Guardian, guardian_id)
    if guardian is None:
        raise NotFound(MSG_GUARDIAN_NOT_FOUND, field="guardian")
    return _contact(guardian)


def _required(message: str, field: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text:
            raise InvalidInput(message, field=field)
        return text

    return parse


def _language(text: str) -> Language:
    try:
        return Language(text.strip())
    except ValueError as error:
        raise InvalidInput(MSG_LANGUAGE, field="language") from error


def validate_contact(change: GuardianContactChange) -> dict[str, Any]:
    """The stored form of every field given, or `InvalidContact` listing each refused field.

    Every value is first cleaned and refused if it holds a card number
    (`CardNumberRefused`); names may not be blank; then phones (North American), e-mail
    and postal code (Canadian) are parsed — blank means none — the province must be a
    Canadian code and the language `fr_CA` or `en`. A social insurance number, when
    given, is nine Luhn-valid digits (`parse_sin`). Optional fields left None are absent
    from the result.
    """
    parsers: dict[str, Callable[[str], Any]] = {
        "first_name": _required(MSG_FIRST_NAME_REQUIRED, "first_name"),
        "last_name": _required(MSG_NAME_REQUIRED, "last_name"),
        "relationship_label": lambda text: text,
        "phone": lambda text: parse_optional(parse_phone, text),
        "phone_alt": lambda text: parse_optional(parse_phone, text),
        "email": lambda text: parse_optional(parse_email, text),
        "address_line": lambda text: text,
        "city": lambda text: text,
        "province": parse_province,
        "postal_code": lambda text: parse_optional(parse_postal_code, text) or "",
        "language": _language,
    }
    # The column widths; the parsers bound the other fields.
    limits = {
        "first_name": 100,
        "last_name": 100,
        "relationship_label": 40,
        "address_line": 200,
        "city": 100,
    }
    values: dict[str, Any] = {}
    problems: dict[str, DomainError] = {}
    for name in CONTACT_FIELDS:
        if name in OPTIONAL_FIELDS and getattr(change, name) is None:
            continue
        try:
            cleaned = safe_text(getattr(change, name), field=name, max_length=limits.get(name))
            values[name] = parsers[name](cleaned)
        except DomainError as error:
            error.field = name
            problems[name] = error
    if change.social_insurance_number is not None:
        try:
            values[SIN_FIELD] = parse_sin(change.social_insurance_number)
        except DomainError as error:
            problems[SIN_FIELD] = error
    if problems:
        raise InvalidContact(problems)
    return values


def _audited(name: str, value: Any) -> Any:
    """A field's value as the audit trail keeps it: the insurance number masked."""
    return mask_sin(value) if name == SIN_FIELD and value else value


def update_guardian_contact(
    uow: UnitOfWork, guardian_id: int, actor_id: int, change: GuardianContactChange
) -> GuardianContact:
    """Correct a guardian's names, relationship, phones, e-mail, address, language and
    social insurance number.

    Returns the stored result. Refuses: an inactive user or one who is not clerk,
    registrar or admin (`PermissionDenied`), or a clerk changing the social insurance
    number (`PermissionDenied`, field "social_insurance_number"); an unknown guardian
    (`NotFound`); a removed one (`GuardianRemoved`); a card number in any field
    (`CardNumberRefused`); malformed values or a blank name (`InvalidContact`, one error
    per field); values identical to the stored ones (`NothingChanged`: no write, no audit
    event). Writes the guardian, one audit event `guardian.contact_update` holding before
    and after of the changed fields only (the social insurance number masked), and the
    family's search entries.
    """
    staff = active_staff(uow, actor_id, roles=CONTACT_EDITORS)
    guardian = uow.session.exec(
        select(Guardian).where(col(Guardian.id) == guardian_id).with_for_update()
    ).first()
    if guardian is None:
        raise NotFound(MSG_GUARDIAN_NOT_FOUND, field="guardian")
    if guardian.removed_at is not None:
        raise GuardianRemoved(field="guardian")
    values = validate_contact(change)
    before = {name: getattr(guardian, name) for name in values}
    changed = [name for name in FORM_FIELDS if name in values and before[name] != values[name]]
    if not changed:
        raise NothingChanged()
    if SIN_FIELD in changed and staff.role not in SIN_ROLES:
        raise PermissionDenied(field=SIN_FIELD)
    for name in changed:
        setattr(guardian, name, values[name])
    uow.session.add(guardian)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        AUDIT_ACTION,
        "guardian",
        guardian.id,
        {name: _audited(name, before[name]) for name in changed},
        {name: _audited(name, values[name]) for name in changed},
    )
    if {"first_name", "last_name", "phone", "phone_alt", "email"} & set(changed):
        reindex_family(uow, guardian.family_id)
    return _contact(guardian)
