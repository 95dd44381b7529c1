"""What the family portal submits: change requests and re-enrolment requests.

The portal acts through its own staff account (role portal, one per API client); every
request it sends is pending the registrar's queue, audited with that account as actor.
A submission carries the portal's own id for it, `client_reference`: the same reference
from the same account is the same request (a retry returns the first, `replayed`, and
writes nothing), the same reference with other content is refused
(ClientReferenceReused). Twins arriving at the same moment post once: the unique
(account, reference) constraint stops the second, which then returns the first.

A change request is checked at the door with the parsers the registrar's approval uses
(changes/fields.py `stored_value`), every field at once: a request that could never be
approved is refused with all its mistakes (FieldErrors), not the first only. The value
the family saw is kept as the value at submission: that is what shows a conflict when
the record changes before the registrar decides. A re-enrolment follows the counter's
rules (reenrolment/submit.py `record_reenrolment`: window, disciplines, one pending per
student and term).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _
from registrar_tui.models import (
    ChangeRequest,
    ChangeRequestField,
    Family,
    Guardian,
    ReenrolmentRequest,
    Student,
)
from registrar_tui.models.base import ChangeTarget, RequestStatus, Role, require_id
from registrar_tui.services.audit.chain import canonical_json
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import DomainError, FieldErrors, InvalidInput, NotFound
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.requests.changes.fields import (
    EDITABLE_FIELDS,
    MSG_UNKNOWN_FIELD,
    Record,
    as_text,
    field_label,
    is_change,
    stored_value,
)
from registrar_tui.services.requests.reenrolment.submit import (
    ReenrolmentAlreadyPending,
    ReenrolmentClosed,
    Submission,
    record_reenrolment,
)
from registrar_tui.text import clean_text

PORTAL_ROLES = (Role.PORTAL,)
"""Only the portal's own account submits through these services."""
MAX_REFERENCE_LENGTH = 64
MAX_FIELDS = 20
"""More than any record has editable fields: a longer list is not a form's."""
MAX_SEEN_LENGTH = 200
"""The longest value a field of the record holds (an address line)."""
MAX_ROW_ID = 2**31 - 1
MAX_CODES = 20
MAX_CODE_LENGTH = 16

MSG_REFERENCE = N_(
    "Référence de la demande invalide : de 1 à 64 caractères imprimables, sans espace "
    "au début ni à la fin."
)
MSG_FAMILY = N_("Famille introuvable.")
MSG_NOT_IN_FAMILY = N_("Cette personne n'est pas de cette famille.")
MSG_TARGET_KIND = N_("Type de dossier inconnu : un responsable ou un élève.")
MSG_NO_FIELDS = N_("Indiquez au moins un champ à modifier.")
MSG_TOO_MANY_FIELDS = N_("Trop de champs ({limit} au plus).")
MSG_FIELD_TWICE = N_("Ce champ est donné deux fois : {name}.")
MSG_NOTHING_CHANGES = N_(
    "Aucun changement : chaque valeur demandée est celle que la famille voyait déjà."
)
MSG_SEEN_LABEL = N_("{label} (valeur affichée)")
MSG_CODES = N_("Trop de disciplines, ou un code trop long.")
MSG_TERM_CODE = N_("Session introuvable.")

SEEN_SUFFIX = ".seen_value"
"""A refusal about the value the family saw names the field with this suffix
(« city.seen_value »); one about the requested value names the field alone."""


class ClientReferenceReused(DomainError):
    """The portal sent this reference before, for another submission."""

    message = N_("Cette référence a déjà servi pour une autre demande du portail.")


@dataclass(frozen=True)
class PortalFieldChange:
    field_name: str
    """One of changes/fields.py EDITABLE_FIELDS[target]."""
    seen_value: str
    """The value the family saw on the portal when it asked."""
    requested_value: str


@dataclass(frozen=True)
class PortalChange:
    portal_user_id: int
    """The API client's staff account (Role.PORTAL)."""
    client_reference: str
    """The portal's id for this submission: its idempotency key."""
    family_portal_id: str
    """Family.portal_id."""
    target_kind: ChangeTarget
    target_id: int
    """The guardian's or the student's id; must belong to the family."""
    fields: tuple[PortalFieldChange, ...]


@dataclass(frozen=True)
class PortalReenrolment:
    portal_user_id: int
    client_reference: str
    family_portal_id: str
    student_id: int
    """Must belong to the family."""
    term_code: str
    discipline_codes: tuple[str, ...] = ()
    administrative: bool = False
    note: str = ""


@dataclass(frozen=True)
class SubmittedPortalRequest:
    request_id: int
    kind: str
    """« change » or « reenrolment »."""
    status: str
    """« pending »; on a replay, the request's status now (it may be decided since)."""
    replayed: bool
    """The same client_reference was already submitted: this is the first request."""


CHANGE = "change"
REENROLMENT = "reenrolment"


def _fingerprint(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _reference(text: str) -> str:
    """The portal's reference exactly as sent: never cleaned into another one (a retry
    must find it), refused when it is not clean already; never a card number."""
    reference = safe_text(text, field="client_reference")
    if not reference or len(reference) > MAX_REFERENCE_LENGTH or reference != text:
        raise InvalidInput(MSG_REFERENCE, field="client_reference")
    return reference


def _row_id(value: int) -> bool:
    """An id a row may have (the database's integers are 32-bit)."""
    return 0 < value <= MAX_ROW_ID


def _replay(
    uow: UnitOfWork, account_id: int, reference: str, kind: str, fingerprint: str
) -> SubmittedPortalRequest | None:
    """The request this account already sent with `reference` (a retry), None if none;
    ClientReferenceReused when it sent something else with it (either kind: one query)."""
    # (account, reference) is unique in each table: at most one row each.
    sent = [
        sa_select(
            col(table.id),
            col(table.status),
            col(table.request_fingerprint),
            literal(table_kind).label("kind"),
        ).where(col(table.submitted_by_id) == account_id, col(table.client_reference) == reference)
        for table, table_kind in ((ChangeRequest, CHANGE), (ReenrolmentRequest, REENROLMENT))
    ]
    found = uow.session.execute(union_all(*sent)).first()
    if found is None:
        return None
    request_id, status, stored_fingerprint, table_kind = found
    if table_kind != kind or stored_fingerprint != fingerprint:
        raise ClientReferenceReused(field="client_reference")
    return SubmittedPortalRequest(int(request_id), kind, str(status), replayed=True)


def find_family(uow: UnitOfWork, portal_id: str) -> Family:
    """The family of this portal id (NotFound, field « family_portal_id »)."""
    family = (
        uow.session.exec(select(Family).where(col(Family.portal_id) == portal_id)).first()
        if portal_id and len(portal_id) <= MAX_REFERENCE_LENGTH
        else None
    )
    if family is None:
        raise NotFound(MSG_FAMILY, field="family_portal_id")
    return family


def _target(uow: UnitOfWork, family: Family, kind: ChangeTarget, target_id: int) -> Record:
    record: Record | None = None
    if not _row_id(target_id):
        record = None
    elif kind is ChangeTarget.GUARDIAN:
        record = uow.session.get(Guardian, target_id)
        if record is not None and record.removed_at is not None:
            record = None  # no longer one of the family's guardians
    else:
        record = uow.session.get(Student, target_id)
    if record is None or record.family_id != family.id:
        raise NotFound(MSG_NOT_IN_FAMILY, field="target_id")
    return record


def _shown_name(name: str) -> str:
    """A field name as a refusal may repeat it: cleaned, and cut when it is no field's."""
    cleaned = clean_text(name).strip()
    return cleaned if len(cleaned) <= 64 else cleaned[:63] + "…"


def _error_label(field: str) -> str:
    """The label of a refused field in the current language (FieldErrors' lines)."""
    name, _dot, part = field.partition(".")
    label = field_label(name)
    return _(MSG_SEEN_LABEL).format(label=label) if part else label


def _seen_text(uow: UnitOfWork, target: ChangeTarget, record: Record, name: str, text: str) -> str:
    """The value the family saw, cleaned; in its stored form when the counter would
    accept it (« (514) 555-0123 » is « 514-555-0123 »), so that a different spelling of
    the same value is not taken for a change of the record."""
    cleaned = safe_text(text, field=name + SEEN_SUFFIX, max_length=MAX_SEEN_LENGTH)
    try:
        return as_text(stored_value(uow, target, record, name, cleaned))
    except DomainError:
        return cleaned  # a value the counter would not accept today: kept as it was shown


def _checked_fields(
    uow: UnitOfWork,
    target: ChangeTarget,
    record: Record,
    fields: Sequence[PortalFieldChange],
) -> list[tuple[str, str, str]]:
    """(name, value at submission, requested value) of each field, in the stored form;
    every mistake of every field at once (one error, or FieldErrors for several)."""
    if not fields:
        raise InvalidInput(MSG_NO_FIELDS, field="fields")
    if len(fields) > MAX_FIELDS:
        raise InvalidInput(MSG_TOO_MANY_FIELDS, field="fields", limit=MAX_FIELDS)
    errors: list[DomainError] = []
    given: set[str] = set()
    checked: list[tuple[str, str, str]] = []
    for item in fields:
        name = item.field_name
        if name in given:
            errors.append(InvalidInput(MSG_FIELD_TWICE, field=name, name=name))
            continue
        given.add(name)
        if name not in EDITABLE_FIELDS[target]:
            shown = _shown_name(name)
            errors.append(InvalidInput(MSG_UNKNOWN_FIELD, field=shown, name=shown))
            continue
        seen = requested = None
        try:
            seen = _seen_text(uow, target, record, name, item.seen_value)
        except DomainError as error:
            errors.append(error)
        try:
            requested = as_text(stored_value(uow, target, record, name, item.requested_value))
        except DomainError as error:
            errors.append(error)
        if seen is not None and requested is not None:
            checked.append((name, seen, requested))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise FieldErrors(errors, label=_error_label)
    if not any(is_change(name, seen, requested) for name, seen, requested in checked):
        raise InvalidInput(MSG_NOTHING_CHANGES, field="fields")
    return checked


def submit_portal_change(uow: UnitOfWork, change: PortalChange) -> SubmittedPortalRequest:
    """Record a change request the portal sent, pending the registrar's decision.

    Refuses, writing nothing: PermissionDenied (not an active portal account),
    InvalidInput (`client_reference` blank or longer than 64, `target_kind`, no field,
    more than 20, nothing that changes: field « fields »), ClientReferenceReused (the
    reference was sent before with other content), NotFound (`family_portal_id`;
    `target_id`: not a guardian or student of that family). Each field: InvalidInput
    naming it (a field the portal may not change, given twice, a requested value the
    registrar's approval would refuse: phone, e-mail, postal code, province, birth date,
    code permanent, blank name, too long), CardNumberRefused (in a value; a refusal
    about the seen value names « <field>.seen_value »); several fields refused at once
    raise FieldErrors, which lists them all.
    A retry (same account, same reference, same content) returns the first request,
    `replayed=True`, and writes nothing. Writes the request and its fields (the seen
    value as the value at submission) and its audit event, the portal account as actor.
    """
    account = active_staff(uow, change.portal_user_id, PORTAL_ROLES)
    account_id = require_id(account)
    reference = _reference(change.client_reference)
    fingerprint = _fingerprint(
        {
            "kind": CHANGE,
            "family_portal_id": change.family_portal_id,
            "target_kind": str(change.target_kind),
            "target_id": change.target_id,
            "fields": [[f.field_name, f.seen_value, f.requested_value] for f in change.fields],
        }
    )
    replay = _replay(uow, account_id, reference, CHANGE, fingerprint)
    if replay is not None:
        return replay
    family = find_family(uow, change.family_portal_id)
    try:
        target = ChangeTarget(change.target_kind)
    except ValueError:
        raise InvalidInput(MSG_TARGET_KIND, field="target_kind") from None
    record = _target(uow, family, target, change.target_id)
    checked = _checked_fields(uow, target, record, change.fields)
    family_id, target_id = require_id(family), require_id(record)
    uow.session.flush()  # nothing pending: the request goes in by a statement of its own
    insert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = uow.session.execute(
        insert(ChangeRequest)
        .values(
            family_id=family_id,
            target_kind=target,
            target_id=target_id,
            status=RequestStatus.PENDING,
            submitted_at=utc_now(uow),
            submitted_by_id=account_id,
            client_reference=reference,
            request_fingerprint=fingerprint,
        )
        .on_conflict_do_nothing(index_elements=["submitted_by_id", "client_reference"])
        .returning(col(ChangeRequest.id))
    ).scalar_one_or_none()
    if inserted is None:
        # Its twin, sent at the same moment, was written first: that one is the request.
        replay = _replay(uow, account_id, reference, CHANGE, fingerprint)
        assert replay is not None, "a conflicting reference is a request of this account"
        return replay
    request_id = int(inserted)
    for name, seen, requested in checked:
        uow.session.add(
            ChangeRequestField(
                request_id=request_id,
                field_name=name,
                value_at_submission=seen,
                requested_value=requested,
            )
        )
    uow.session.flush()
    record_event(
        uow,
        account_id,
        "change_request.submit",
        "change_request",
        request_id,
        {},
        {
            "family_id": family_id,
            "kind": str(target),
            "target_id": target_id,
            "fields": {name: [seen, requested] for name, seen, requested in checked},
            "client_reference": reference,
        },
    )
    return SubmittedPortalRequest(request_id, CHANGE, str(RequestStatus.PENDING), replayed=False)


_REENROLMENT_FIELDS = {
    "student": "student_id",
    "term": "term_code",
    "disciplines": "discipline_codes",
}
"""The counter's rules name their fields as its form does; the portal's names them as
PortalReenrolment does."""


def submit_portal_reenrolment(
    uow: UnitOfWork, request: PortalReenrolment
) -> SubmittedPortalRequest:
    """Record a re-enrolment request the portal sent, pending the registrar's decision,
    by the counter's rules (reenrolment/submit.py `record_reenrolment`).

    Refuses, writing nothing: PermissionDenied (not an active portal account),
    InvalidInput (`client_reference`; more than 20 discipline codes or one longer than
    16: `discipline_codes`), ClientReferenceReused, NotFound (`family_portal_id`;
    `student_id`: not a student of that family; `term_code`; `discipline_codes`),
    ReenrolmentClosed (outside the term's window; field `term_code`), InvalidInput (no
    discipline for a discipline request: `discipline_codes`), CardNumberRefused (`note`),
    ReenrolmentAlreadyPending (field `student_id`: one is already waiting for this
    student and term, sent with another reference or recorded at the counter).
    A retry (same account, same reference, same content) returns the first request,
    `replayed=True`, and writes nothing. Writes the request, its disciplines and its
    audit event, the portal account as actor.
    """
    account = active_staff(uow, request.portal_user_id, PORTAL_ROLES)
    account_id = require_id(account)
    reference = _reference(request.client_reference)
    fingerprint = _fingerprint(
        {
            "kind": REENROLMENT,
            "family_portal_id": request.family_portal_id,
            "student_id": request.student_id,
            "term_code": request.term_code,
            "discipline_codes": list(request.discipline_codes),
            "administrative": request.administrative,
            "note": request.note,
        }
    )
    replay = _replay(uow, account_id, reference, REENROLMENT, fingerprint)
    if replay is not None:
        return replay
    family = find_family(uow, request.family_portal_id)
    student = uow.session.get(Student, request.student_id) if _row_id(request.student_id) else None
    if student is None or student.family_id != family.id:
        raise NotFound(MSG_NOT_IN_FAMILY, field="student_id")
    if len(request.term_code) > MAX_CODE_LENGTH:
        raise NotFound(MSG_TERM_CODE, field="term_code")
    if len(request.discipline_codes) > MAX_CODES or any(
        len(code) > MAX_CODE_LENGTH for code in request.discipline_codes
    ):
        raise InvalidInput(MSG_CODES, field="discipline_codes")
    try:
        submitted = record_reenrolment(
            uow,
            Submission(account, reference, fingerprint),
            student_id=require_id(student),
            term_code=request.term_code,
            discipline_codes=request.discipline_codes,
            administrative=request.administrative,
            note=request.note,
        )
    except DomainError as error:
        if isinstance(error, ReenrolmentAlreadyPending):
            # The pending one may be this very submission's twin, written just before.
            replay = _replay(uow, account_id, reference, REENROLMENT, fingerprint)
            if replay is not None:
                return replay
            error.field = "student_id"
        elif isinstance(error, ReenrolmentClosed):
            error.field = "term_code"
        elif error.field is not None:
            error.field = _REENROLMENT_FIELDS.get(error.field, error.field)
        raise
    return SubmittedPortalRequest(
        submitted.request_id, REENROLMENT, str(RequestStatus.PENDING), replayed=False
    )
