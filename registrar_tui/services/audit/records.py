"""The records of the audit trail, named as people know them, and found by a person's name.

An event points at a record by its kind and id ("guardian", 84): nobody at the counter
knows a guardian by 84. `record_names` reads, for one page of events, each record's
number and the name that goes with it (the family's number and name, the invoice's FAC
number, the receipt number of a payment, the staff user's username…), a few queries per
page whatever its size. `events_of_families` turns a typed name into the condition
"the event is about one of these families, their people or their money", through the
search index's tokens (accents and case ignored, each word a prefix).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, or_
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import (
    ActivityRegistration,
    AuditEvent,
    ChangeRequest,
    Enrolment,
    Family,
    Guardian,
    Invoice,
    InvoiceLine,
    Payment,
    Receipt,
    ReenrolmentRequest,
    SearchEntry,
    StaffUser,
    Student,
    Term,
)

MAX_NAMED_FAMILIES = 200
"""A name matching more families than this is too vague to filter the trail by."""

_WORDS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class RecordName:
    """How a person knows a record: its number and, for people, a name (user data)."""

    reference: str
    """The number people use: F0000002, FAC00000002, R-2026-000123, a username, a term."""
    name: str = ""
    """The family's or the person's name ("" for records without one)."""


Key = tuple[str, int]


def _person(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def record_names(uow: UnitOfWork, records: Iterable[Key]) -> dict[Key, RecordName]:
    """The name of each (entity_type, entity_id) that still exists; others are left out."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, record_id in records:
        wanted[kind].add(record_id)
    names: dict[Key, RecordName] = {}
    session = uow.session

    def ids(kind: str) -> list[int]:
        return sorted(wanted.get(kind, ()))

    if ids("family"):
        for family in session.exec(select(Family).where(col(Family.id).in_(ids("family")))):
            names["family", _id(family.id)] = RecordName(family.family_number, family.name)
    if ids("guardian"):
        found = session.exec(
            select(Guardian, Family.family_number)
            .join(Family, col(Family.id) == col(Guardian.family_id))
            .where(col(Guardian.id).in_(ids("guardian")))
        )
        for guardian, number in found:
            names["guardian", _id(guardian.id)] = RecordName(
                number, _person(guardian.first_name, guardian.last_name)
            )
    student_ids = set(ids("student"))
    enrolments = _pairs(session, Enrolment, Enrolment.student_id, ids("enrolment"))
    requests = _pairs(
        session, ReenrolmentRequest, ReenrolmentRequest.student_id, ids("reenrolment_request")
    )
    registrations = _pairs(
        session, ActivityRegistration, ActivityRegistration.student_id, ids("activity_registration")
    )
    student_ids |= set(enrolments.values()) | set(requests.values()) | set(registrations.values())
    students: dict[int, RecordName] = {}
    if student_ids:
        for student in session.exec(
            select(Student).where(col(Student.id).in_(sorted(student_ids)))
        ):
            students[_id(student.id)] = RecordName(
                student.student_number, _person(student.first_name, student.last_name)
            )
    for record_id in ids("student"):
        if record_id in students:
            names["student", record_id] = students[record_id]
    for kind, pairs in (
        ("enrolment", enrolments),
        ("reenrolment_request", requests),
        ("activity_registration", registrations),
    ):
        for record_id, student_id in pairs.items():
            if student_id in students:
                names[kind, record_id] = students[student_id]
    invoice_ids = set(ids("invoice"))
    lines = _pairs(session, InvoiceLine, InvoiceLine.invoice_id, ids("invoice_line"))
    invoice_ids |= set(lines.values())
    invoices: dict[int, RecordName] = {}
    if invoice_ids:
        found_invoices = session.exec(
            select(Invoice.id, Invoice.number, Family.name)
            .join(Family, col(Family.id) == col(Invoice.family_id))
            .where(col(Invoice.id).in_(sorted(invoice_ids)))
        )
        for invoice_id, number, family_name in found_invoices:
            invoices[_id(invoice_id)] = RecordName(number, family_name)
    for record_id in ids("invoice"):
        if record_id in invoices:
            names["invoice", record_id] = invoices[record_id]
    for record_id, invoice_id in lines.items():
        if invoice_id in invoices:
            names["invoice_line", record_id] = invoices[invoice_id]
    if ids("payment"):
        found_payments = session.exec(
            select(Payment.id, Receipt.number, Family.name)
            .join(Family, col(Family.id) == col(Payment.family_id))
            .outerjoin(Receipt, col(Receipt.payment_id) == col(Payment.id))
            .where(col(Payment.id).in_(ids("payment")))
        )
        for payment_id, receipt_number, family_name in found_payments:
            names["payment", _id(payment_id)] = RecordName(receipt_number or "", family_name)
    if ids("change_request"):
        found_changes = session.exec(
            select(ChangeRequest.id, Family.family_number, Family.name)
            .join(Family, col(Family.id) == col(ChangeRequest.family_id))
            .where(col(ChangeRequest.id).in_(ids("change_request")))
        )
        for request_id, number, family_name in found_changes:
            names["change_request", _id(request_id)] = RecordName(number, family_name)
    if ids("staff_user"):
        found_users = session.exec(
            select(StaffUser.id, StaffUser.username, StaffUser.full_name).where(
                col(StaffUser.id).in_(ids("staff_user"))
            )
        )
        for user_id, username, full_name in found_users:
            names["staff_user", _id(user_id)] = RecordName(username, full_name)
    if ids("term"):
        for term_id, code in session.exec(
            select(Term.id, Term.code).where(col(Term.id).in_(ids("term")))
        ):
            names["term", _id(term_id)] = RecordName(code)
    return names


def _pairs(session: Any, model: Any, column: Any, record_ids: list[int]) -> dict[int, int]:
    """{record id: the id it points at} for `model` rows (e.g. an enrolment's student)."""
    if not record_ids:
        return {}
    rows = session.exec(select(model.id, column).where(col(model.id).in_(record_ids)))
    return {record_id: target for record_id, target in rows}


def _id(value: int | None) -> int:
    assert value is not None
    return value


def _fold(text: str) -> list[str]:
    """The words of a typed name as the search index stores its tokens (no accents)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in folded if not unicodedata.combining(char))
    bare = bare.replace("œ", "oe").replace("æ", "ae")
    return [word for word in _WORDS.split(bare) if word]


def _prefix_end(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _matching(uow: UnitOfWork, kind: str, words: list[str]) -> set[int]:
    """Records of `kind` ("family", "student") with a token starting with every word."""
    found: set[int] | None = None
    wanted = MAX_NAMED_FAMILIES * 10
    for word in words:
        ids: set[int] = set()
        # The token index leads with `is_code_permanent`: one range per part of it (with
        # both parts in one `IN`, SQLite walks every entry of the kind instead).
        for part in (False, True):
            if len(ids) < wanted:
                ids.update(
                    uow.session.exec(
                        select(SearchEntry.ref_id)
                        .where(
                            col(SearchEntry.is_code_permanent) == part,
                            col(SearchEntry.token) >= word,
                            col(SearchEntry.token) < _prefix_end(word),
                            col(SearchEntry.kind) == kind,
                        )
                        .distinct()
                        .limit(wanted - len(ids))
                    ).all()
                )
        found = ids if found is None else found & ids
        if not found:
            return set()
    return found or set()


def families_named(uow: UnitOfWork, name: str) -> list[int]:
    """The families whose name, a guardian's or a student's matches every word of `name`
    (at most MAX_NAMED_FAMILIES + 1: more means the name is too vague)."""
    words = _fold(name)
    if not words:
        return []
    families = _matching(uow, "family", words)
    students = _matching(uow, "student", words)
    if students:
        families |= set(
            uow.session.exec(
                select(Student.family_id).where(col(Student.id).in_(sorted(students)[:2000]))
            ).all()
        )
    return sorted(families)[: MAX_NAMED_FAMILIES + 1]


def events_of_families(family_ids: list[int]) -> Any:
    """The condition "this event is about one of these families": the family itself, its
    guardians and students, its invoices (and their lines), payments, requests,
    activity registrations and its students' enrolments."""
    if not family_ids:
        return false()

    def about(kind: str, ids: Any) -> Any:
        return and_(col(AuditEvent.entity_type) == kind, col(AuditEvent.entity_id).in_(ids))

    students = select(Student.id).where(col(Student.family_id).in_(family_ids))
    invoices = select(Invoice.id).where(col(Invoice.family_id).in_(family_ids))
    return or_(
        about("family", family_ids),
        about("guardian", select(Guardian.id).where(col(Guardian.family_id).in_(family_ids))),
        about("student", students),
        about("invoice", invoices),
        about(
            "invoice_line", select(InvoiceLine.id).where(col(InvoiceLine.invoice_id).in_(invoices))
        ),
        about("payment", select(Payment.id).where(col(Payment.family_id).in_(family_ids))),
        about(
            "change_request",
            select(ChangeRequest.id).where(col(ChangeRequest.family_id).in_(family_ids)),
        ),
        about(
            "reenrolment_request",
            select(ReenrolmentRequest.id).where(col(ReenrolmentRequest.family_id).in_(family_ids)),
        ),
        about(
            "activity_registration",
            select(ActivityRegistration.id).where(
                col(ActivityRegistration.family_id).in_(family_ids)
            ),
        ),
        about("enrolment", select(Enrolment.id).where(col(Enrolment.student_id).in_(students))),
    )
