"""A guardian's contact details (phone, e-mail, address), read and corrected at the counter.

A clerk, a registrar or an admin may correct them; every correction writes one audit
event with the before and after of the fields that changed, in the same transaction,
and refreshes the family's search entries (a new phone or e-mail must be searchable).
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
from registrar_tui.models.base import Role, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from registrar_tui.services.core.identifiers import (
    parse_email,
    parse_optional,
    parse_phone,
    parse_postal_code,
)
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.records.sin import SIN_FIELD, SIN_ROLES, mask_sin, parse_sin
from registrar_tui.services.search.index import reindex_family

CONTACT_EDITORS = (Role.CLERK, Role.REGISTRAR, Role.ADMIN)
AUDIT_ACTION = "guardian.contact_update"
PROVINCES = frozenset(
    {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
)
"""Canada's provinces and territories (Canada Post two-letter codes)."""

MSG_PROVINCE = N_("Province inconnue : utilisez le code de deux lettres (QC, ON, NB…).")
MSG_GUARDIAN_NOT_FOUND = N_("Responsable introuvable.")


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

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class GuardianContactChange:
    """What the clerk typed, field by field (raw text; blank phone/e-mail/postal = none)."""

    phone: str
    email: str
    address_line: str
    city: str
    province: str
    postal_code: str
    social_insurance_number: str | None = None
    """None leaves the stored number as it is; "" removes it; else the typed number."""


CONTACT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(GuardianContactChange) if f.name != SIN_FIELD
)
"""The contact fields, in form order (also the `field` names errors carry)."""
FORM_FIELDS: tuple[str, ...] = (*CONTACT_FIELDS, SIN_FIELD)
"""Every field of the form, in order: the contact, then the social insurance number."""


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
    )


def guardian_contact(uow: UnitOfWork, guardian_id: int) -> GuardianContact:
    """The guardian's contact details. Raises `NotFound` (field "guardian") if unknown."""
    guardian = uow.session.get(Guardian, guardian_id)
    if guardian is None:
        raise NotFound(MSG_GUARDIAN_NOT_FOUND, field="guardian")
    return _contact(guardian)


def _province(text: str) -> str:
    code = text.strip().upper()
    if code not in PROVINCES:
        raise InvalidInput(MSG_PROVINCE, field="province")
    return code


def validate_contact(change: GuardianContactChange) -> dict[str, Any]:
    """The stored form of every field, or `InvalidContact` listing each refused field.

    Every value is first cleaned and refused if it holds a card number
    (`CardNumberRefused`); then phone (North American), e-mail and postal code (Canadian)
    are parsed — blank means none — and the province must be a Canadian code. A social
    insurance number, when given, is nine Luhn-valid digits (`parse_sin`).
    """
    parsers: dict[str, Callable[[str], Any]] = {
        "phone": lambda text: parse_optional(parse_phone, text),
        "email": lambda text: parse_optional(parse_email, text),
        "address_line": lambda text: text,
        "city": lambda text: text,
        "province": _province,
        "postal_code": lambda text: parse_optional(parse_postal_code, text) or "",
    }
    limits = {"address_line": 200, "city": 100}  # the parsers bound the other fields
    values: dict[str, Any] = {}
    problems: dict[str, DomainError] = {}
    for name in CONTACT_FIELDS:
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
    """Correct a guardian's phone, e-mail, address and social insurance number.

    Returns the stored result. Refuses: an inactive user or one who is not clerk,
    registrar or admin (`PermissionDenied`), or a clerk changing the social insurance
    number (`PermissionDenied`, field "social_insurance_number"); an unknown guardian
    (`NotFound`); a card number in any field (`CardNumberRefused`); malformed values
    (`InvalidContact`, one error per field); values identical to the stored ones
    (`NothingChanged`: no write, no audit event). Writes the guardian, one audit event
    `guardian.contact_update` holding before and after of the changed fields only (the
    social insurance number masked), and the family's search entries.
    """
    staff = active_staff(uow, actor_id, roles=CONTACT_EDITORS)
    guardian = uow.session.exec(
        select(Guardian).where(col(Guardian.id) == guardian_id).with_for_update()
    ).first()
    if guardian is None:
        raise NotFound(MSG_GUARDIAN_NOT_FOUND, field="guardian")
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
    if {"phone", "email"} & set(changed):
        reindex_family(uow, guardian.family_id)
    return _contact(guardian)
