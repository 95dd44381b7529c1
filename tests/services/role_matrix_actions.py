"""The role matrix (issue #6 point 2): every service action, who may do it (the counter's
actions here, the registrar's and the administrator's in `role_matrix_supervisors`).

Each row calls one service action as a given user, with minimal valid arguments built
fresh for that call (its target in the world of `role_matrix_data`), inside its own
write unit of work: committed when allowed, rolled back when refused.
Columns: clerk, registrar, admin and a disabled account (never allowed).
Rows marked `actorless` take no user at all: the service cannot refuse anyone; only
signing in (which refuses a disabled account) guards them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registrar_tui.services.activities import registration as activity_registration
from registrar_tui.services.activities.registration import RegistrationClosed
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.documents import build as documents
from registrar_tui.services.ledger import (
    contributions,
    credit,
    invoice_detail,
    invoicing,
    payments,
    receipt_list,
)
from registrar_tui.services.ledger import statement as ledger_queries
from registrar_tui.services.ledger.day_close import close as day_close
from registrar_tui.services.records import (
    admission,
    certificate,
    contacts,
    enrolment,
    families,
    guardians,
    need_to_know,
    students,
)
from registrar_tui.services.requests import family as family_requests
from registrar_tui.services.requests.reenrolment import submit as reenrolment_submit
from registrar_tui.services.search import query as search
from tests.services import role_matrix_data as data
from tests.services.role_matrix_data import MatrixWorld

D = Decimal
ALL_STAFF = frozenset({"clerk", "registrar", "admin"})
SUPERVISORS = frozenset({"registrar", "admin"})
ADMIN = frozenset({"admin"})
ANYONE = frozenset(data.ROLES)


class MedicalHidden(Exception):
    """The record was read but its medical fields were withheld (need-to-know)."""


@dataclass(frozen=True)
class Action:
    name: str
    allowed: frozenset[str]
    run: Callable[[MatrixWorld, int], object]
    services: tuple[Callable[..., object], ...]
    refusals: tuple[type[Exception], ...] = (PermissionDenied,)
    actorless: bool = False


def _write(mw: MatrixWorld, call: Callable[..., object], *args: object, **kw: object) -> object:
    with mw.db.write() as uow:
        return call(uow, *args, **kw)


def _read(mw: MatrixWorld, call: Callable[..., object], *args: object, **kw: object) -> object:
    with mw.db.read() as uow:
        return call(uow, *args, **kw)


# --- what the counter does --------------------------------------------------------------
def _student_record(mw: MatrixWorld, user: int) -> object:
    return _read(mw, students.student_record, mw.world.student_id, user)


def _medical(mw: MatrixWorld, user: int) -> object:
    record = _read(mw, students.student_record, mw.world.student_id, user)
    if getattr(getattr(record, "identity", None), "allergies", None) != data.ALLERGIES:
        raise MedicalHidden
    return _read(mw, need_to_know.may_see_medical, user)


def _contact(mw: MatrixWorld, user: int, *, sin_number: str | None = None) -> object:
    family_id, _student = data.fresh_family(mw)
    with mw.db.read() as uow:
        guardian = contacts.guardian_contact(uow, _payer(mw, family_id))
    change = contacts.GuardianContactChange(
        phone="514-555-0199",
        email=guardian.email or "",
        address_line="12, rue Rachel Est",
        city="Montréal",
        province="QC",
        postal_code="H2J 2H7",
        social_insurance_number=sin_number,
    )
    return _write(mw, contacts.update_guardian_contact, guardian.guardian_id, user, change)


_ADMITTED = itertools.count(1)


def _admit(mw: MatrixWorld, user: int) -> object:
    n = next(_ADMITTED)
    new = admission.NewFamily(
        payer=contacts.NewGuardian(first_name="Admise", last_name=f"Roy{n}", phone="514-555-0150"),
        establishment_id=mw.world.school.montreal_id,
    )
    return _write(mw, admission.admit_family, user, new, allow_duplicates=True)


def _second_guardian(mw: MatrixWorld) -> int:
    """A new family with a second guardian (added by the admin): its id."""
    family_id, _student = data.fresh_family(mw)
    second = contacts.NewGuardian(first_name="Deuxième", last_name="Roy")
    with mw.db.write() as uow:
        added = guardians.add_guardian(uow, mw.world.school.admin_id, family_id, second)
    return added.guardian_id


def _payer(mw: MatrixWorld, family_id: int) -> int:
    from sqlmodel import col, select

    from registrar_tui.models import Guardian

    with mw.db.read() as uow:
        found = uow.session.exec(select(Guardian.id).where(col(Guardian.family_id) == family_id))
        guardian_id = found.one()
    assert guardian_id is not None
    return guardian_id


def _credit_and_invoices(mw: MatrixWorld) -> tuple[int, tuple[int, ...]]:
    family_id, invoice_id = data.fresh_credit(mw, True)
    assert invoice_id is not None
    return family_id, (invoice_id,)


def _certificate_invoice(mw: MatrixWorld) -> int:
    """A certificate billed by the admin (anyone may hand it over)."""
    with mw.db.write() as uow:
        return certificate.request_certificate(
            uow, actor_id=mw.world.school.admin_id, student_id=data.fresh_enrolled_student(mw)
        ).invoice_id


def _issue_invoice(mw: MatrixWorld, user: int) -> object:
    family_id, _student = data.fresh_family(mw)
    line = invoicing.NewLine("DIV", "Partition", D("12.00"))
    return _write(
        mw,
        invoicing.issue_invoice,
        actor_id=user,
        family_id=family_id,
        description="Partition",
        lines=(line,),
        due_on=date(2026, 12, 15),
    )


def _register(mw: MatrixWorld, user: int, *, late: bool) -> object:
    activity_id, item_id = mw.late_activity if late else mw.open_activity
    _family, student_id = data.fresh_family(mw)
    reason = "Parent absent à la date limite" if late else ""
    return _write(
        mw,
        activity_registration.register_student,
        activity_id,
        student_id,
        {item_id: 1},
        user,
        override_reason=reason,
    )


COUNTER: tuple[Action, ...] = (
    Action(
        "search",
        ANYONE,
        lambda mw, user: _read(mw, search.search, "Tremblay"),
        (search.search,),
        actorless=True,
    ),
    Action(
        "family overview, statement, receipts, requests",
        ANYONE,
        lambda mw, user: [
            _read(mw, reader, mw.world.family_id)
            for reader in (
                families.family_overview,
                ledger_queries.statement,
                receipt_list.family_receipts,
                family_requests.family_requests,
            )
        ],
        (
            families.family_overview,
            ledger_queries.statement,
            receipt_list.family_receipts,
            family_requests.family_requests,
        ),
        actorless=True,
    ),
    Action(
        "statement / invoice PDF",
        ANYONE,
        lambda mw, user: [
            _read(mw, documents.statement_pdf, mw.world.family_id),
            _read(mw, documents.invoice_pdf, data.fresh_invoice(mw)[0]),
            _read(mw, invoice_detail.invoice_detail, data.fresh_invoice(mw)[0]),
        ],
        (documents.statement_pdf, documents.invoice_pdf, invoice_detail.invoice_detail),
        actorless=True,
    ),
    Action("student record", ALL_STAFF, _student_record, (students.student_record,)),
    Action(
        "medical notes visible (default setting)",
        ALL_STAFF,
        _medical,
        (need_to_know.may_see_medical,),
        refusals=(PermissionDenied, MedicalHidden),
    ),
    Action("edit guardian contact", ALL_STAFF, _contact, (contacts.update_guardian_contact,)),
    Action("admit a family", ALL_STAFF, _admit, (admission.admit_family,)),
    Action(
        "add a guardian",
        ALL_STAFF,
        lambda mw, user: _write(
            mw,
            guardians.add_guardian,
            user,
            data.fresh_family(mw)[0],
            contacts.NewGuardian(first_name="Ajoutée", last_name="Roy"),
        ),
        (guardians.add_guardian,),
    ),
    Action(
        "make another guardian the payer",
        ALL_STAFF,
        lambda mw, user: _write(mw, guardians.make_payer, user, _second_guardian(mw)),
        (guardians.make_payer,),
    ),
    Action(
        "remove a guardian (not the payer)",
        ALL_STAFF,
        lambda mw, user: _write(mw, guardians.remove_guardian, user, _second_guardian(mw)),
        (guardians.remove_guardian,),
    ),
    Action(
        "edit guardian SIN",
        SUPERVISORS,
        lambda mw, user: _contact(mw, user, sin_number=data.SIN),
        (contacts.update_guardian_contact,),
    ),
    Action(
        "post payment",
        ALL_STAFF,
        lambda mw, user: _write(mw, payments.post_payment, data.payment_request(mw, user)),
        (payments.post_payment,),
    ),
    Action(
        "preview own day close",
        ALL_STAFF,
        lambda mw, user: _read(mw, day_close.preview_day_close, user, mw.world.school.montreal_id),
        (day_close.preview_day_close,),
    ),
    Action(
        "close own day",
        ALL_STAFF,
        lambda mw, user: _write(mw, day_close.close_day, user, mw.world.school.montreal_id, D(0)),
        (day_close.close_day,),
    ),
    Action(
        "apply credit",
        ALL_STAFF,
        lambda mw, user: _write(mw, credit.apply_credit, data.fresh_credit(mw, True)[1], user),
        (credit.apply_credit,),
    ),
    Action(
        "apply credit to the ticked invoices",
        ALL_STAFF,
        lambda mw, user: _write(
            mw, credit.apply_credit_to_invoices, *_credit_and_invoices(mw), user
        ),
        (credit.apply_credit_to_invoices,),
    ),
    Action(
        "decline contribution",
        ALL_STAFF,
        lambda mw, user: _write(
            mw, contributions.decline_contribution, data.fresh_invoice(mw)[1], user
        ),
        (contributions.decline_contribution,),
    ),
    Action(
        "restore contribution",
        ALL_STAFF,
        lambda mw, user: _write(
            mw, contributions.restore_contribution, data.fresh_invoice(mw)[1], user
        ),
        (contributions.restore_contribution,),
    ),
    Action("issue invoice", ALL_STAFF, _issue_invoice, (invoicing.issue_invoice,)),
    Action(
        "confirm attendance",
        ALL_STAFF,
        lambda mw, user: _write(
            mw,
            enrolment.confirm_attendance,
            actor_id=user,
            student_id=data.fresh_enrolled_student(mw),
            term_code="AUT-2026",
        ),
        (enrolment.confirm_attendance,),
    ),
    Action(
        "attendance certificate",
        ALL_STAFF,
        lambda mw, user: _write(
            mw,
            certificate.request_certificate,
            actor_id=user,
            student_id=data.fresh_enrolled_student(mw),
        ),
        (certificate.request_certificate,),
    ),
    Action(
        "hand over a certificate",
        ALL_STAFF,
        lambda mw, user: _write(
            mw,
            certificate.issue_certificate,
            actor_id=user,
            invoice_id=_certificate_invoice(mw),
            before_payment=True,
        ),
        (certificate.issue_certificate,),
    ),
    Action(
        "submit re-enrolment at the counter",
        ALL_STAFF,
        lambda mw, user: _write(
            mw,
            reenrolment_submit.submit_reenrolment,
            actor_id=user,
            student_id=data.fresh_enrolled_student(mw),
            term_code="HIV-2027",
            discipline_codes=("PIA",),
        ),
        (reenrolment_submit.submit_reenrolment,),
    ),
    Action(
        "register for an activity",
        ALL_STAFF,
        lambda mw, user: _register(mw, user, late=False),
        (activity_registration.register_student,),
    ),
    Action(
        "register after the deadline (override)",
        SUPERVISORS,
        lambda mw, user: _register(mw, user, late=True),
        (activity_registration.register_student,),
        refusals=(PermissionDenied, RegistrationClosed),
    ),
)
