"""The role matrix (issue #6 point 2): every service action, who may do it.

Each row calls one service action as a given user, with minimal valid arguments built
fresh for that call (its target in the world of `role_matrix_data`), inside its own
write unit of work: committed when allowed, rolled back when refused.
Columns: clerk, registrar, admin and a disabled account (never allowed).
Rows marked `actorless` take no user at all: the service cannot refuse anyone; only
signing in (which refuses a disabled account) guards them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registrar_tui.models.base import RefundMethod, Role
from registrar_tui.services import (
    activity_registration,
    audit_log,
    change_decisions,
    change_detail,
    change_queue,
    contacts,
    contributions,
    credit,
    day_close,
    documents,
    enrolment,
    families,
    family_requests,
    fees,
    invoice_detail,
    invoicing,
    ledger_queries,
    need_to_know,
    payments,
    receipt_list,
    reenrolment,
    reenrolment_submit,
    screen_lock,
    search,
    settings,
    sin,
    staff,
    students,
    voids,
)
from registrar_tui.services.activity_registration import RegistrationClosed
from registrar_tui.services.change_queue import QueueFilter
from registrar_tui.services.errors import PermissionDenied
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


def _payer(mw: MatrixWorld, family_id: int) -> int:
    from sqlmodel import col, select

    from registrar_tui.models import Guardian

    with mw.db.read() as uow:
        found = uow.session.exec(select(Guardian.id).where(col(Guardian.family_id) == family_id))
        guardian_id = found.one()
    assert guardian_id is not None
    return guardian_id


def _issue_invoice(mw: MatrixWorld, user: int) -> object:
    family_id, _student = data.fresh_family(mw)
    line = invoicing.NewLine("DIV", "Partition", 1200)
    return _write(
        mw,
        invoicing.issue_invoice,
        by_user_id=user,
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
            by_user_id=user,
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
            fees.request_certificate,
            by_user_id=user,
            student_id=data.fresh_enrolled_student(mw),
        ),
        (fees.request_certificate,),
    ),
    Action(
        "submit re-enrolment at the counter",
        ALL_STAFF,
        lambda mw, user: _write(
            mw,
            reenrolment_submit.submit_reenrolment,
            by_user_id=user,
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

# --- the registrar's powers ------------------------------------------------------------
ALL_QUEUE = QueueFilter()


def _void(mw: MatrixWorld, user: int) -> object:
    payment_id = data.fresh_payment(mw, mw.world.school.clerk2_id)
    return _write(mw, voids.void_payment, payment_id, "Erreur de saisie", user)


def _refund(mw: MatrixWorld, user: int) -> object:
    family_id, _invoice = data.fresh_credit(mw)
    school = mw.world.school.montreal_id
    return _write(
        mw, credit.refund_credit, family_id, school, D("40.00"), RefundMethod.CASH, "Départ", user
    )


REGISTRAR: tuple[Action, ...] = (
    Action("void payment (taken by another)", SUPERVISORS, _void, (voids.void_payment,)),
    Action("refund credit", SUPERVISORS, _refund, (credit.refund_credit,)),
    Action(
        "cancel invoice",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, credit.cancel_invoice, data.fresh_invoice(mw)[0], "Facturé par erreur", user
        ),
        (credit.cancel_invoice,),
    ),
    Action(
        "add course",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            enrolment.add_course,
            by_user_id=user,
            student_id=data.fresh_family(mw)[1],
            course_id=mw.world.courses["HIV-PIA-02"],
        ),
        (enrolment.add_course,),
    ),
    Action(
        "drop course",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, enrolment.drop_course, by_user_id=user, enrolment_id=data.fresh_enrolment(mw)
        ),
        (enrolment.drop_course,),
    ),
    Action(
        "late-confirmation fees",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, fees.apply_late_confirmation_fees, by_user_id=user, term_code="AUT-2026"
        ),
        (fees.apply_late_confirmation_fees,),
    ),
    Action(
        "validate re-enrolment",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, reenrolment.validate_reenrolment, data.fresh_reenrolment(mw), user
        ),
        (reenrolment.validate_reenrolment,),
    ),
    Action(
        "reject re-enrolment",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, reenrolment.reject_reenrolment, data.fresh_reenrolment(mw), user, "Complet"
        ),
        (reenrolment.reject_reenrolment,),
    ),
    Action(
        "change queue and history",
        SUPERVISORS,
        lambda mw, user: [
            _read(mw, change_queue.pending_queue, user, ALL_QUEUE),
            _read(mw, change_queue.decided_history, user, ALL_QUEUE),
            _read(mw, change_decisions.approvable_count, user, ALL_QUEUE),
            _read(mw, change_decisions.next_pending_change, user, 0, ALL_QUEUE),
        ],
        (
            change_queue.pending_queue,
            change_queue.decided_history,
            change_decisions.approvable_count,
            change_decisions.next_pending_change,
        ),
    ),
    Action(
        "open a change request",
        SUPERVISORS,
        lambda mw, user: _read(
            mw, change_detail.change_detail, data.fresh_change_request(mw), user
        ),
        (change_detail.change_detail,),
    ),
    Action(
        "approve change",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, change_decisions.approve_change, data.fresh_change_request(mw), user
        ),
        (change_decisions.approve_change,),
    ),
    Action(
        "reject change",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, change_decisions.reject_change, data.fresh_change_request(mw), user, "Doublon"
        ),
        (change_decisions.reject_change,),
    ),
    Action(
        "approve all without conflict",
        SUPERVISORS,
        lambda mw, user: (
            data.fresh_change_request(mw),
            _write(mw, change_decisions.approve_all_without_conflict, user, ALL_QUEUE),
        ),
        (change_decisions.approve_all_without_conflict,),
    ),
    Action(
        "audit log (open, page, event)",
        SUPERVISORS,
        lambda mw, user: [
            _write(mw, audit_log.open_audit_log, user),
            _read(mw, audit_log.audit_page, user, audit_log.AuditFilter()),
            _write(mw, audit_log.audit_event_detail, user, mw.audit_event_id),
        ],
        (audit_log.open_audit_log, audit_log.audit_page, audit_log.audit_event_detail),
    ),
    Action(
        "reveal SIN",
        SUPERVISORS,
        lambda mw, user: _write(mw, sin.reveal_sin, user, mw.payer_id),
        (sin.reveal_sin,),
    ),
)

# --- the administrator's ---------------------------------------------------------------
ADMINISTRATION: tuple[Action, ...] = (
    Action(
        "set a setting",
        ADMIN,
        lambda mw, user: _write(mw, settings.set_setting, "institution_name", "CMQ", user),
        (settings.set_setting,),
    ),
    Action(
        "medical roles",
        ADMIN,
        lambda mw, user: _write(
            mw, need_to_know.set_medical_roles, (Role.CLERK, Role.REGISTRAR, Role.ADMIN), user
        ),
        (need_to_know.set_medical_roles,),
    ),
    Action(
        "idle lock minutes",
        ADMIN,
        lambda mw, user: _write(mw, screen_lock.set_idle_minutes, 15, user),
        (screen_lock.set_idle_minutes,),
    ),
    Action(
        "list users",
        ADMIN,
        lambda mw, user: _read(mw, staff.list_users, user),
        (staff.list_users,),
    ),
    Action(
        "add user",
        ADMIN,
        lambda mw, user: _write(
            mw,
            staff.add_user,
            user,
            staff.NewStaffUser(
                username=f"nouveau{data.fresh_staff(mw)}",
                full_name="Nouveau Commis",
                role=Role.CLERK,
                password="Correct-cheval-pile-agrafe-9",
                establishment_code="MTL",
            ),
        ),
        (staff.add_user,),
    ),
    Action(
        "disable user",
        ADMIN,
        lambda mw, user: _write(mw, staff.disable_user, user, data.fresh_staff(mw)),
        (staff.disable_user,),
    ),
    Action(
        "enable user",
        ADMIN,
        lambda mw, user: _write(mw, staff.enable_user, user, data.fresh_staff(mw, active=False)),
        (staff.enable_user,),
    ),
    Action(
        "reset password",
        ADMIN,
        lambda mw, user: _write(
            mw, staff.reset_password, user, data.fresh_staff(mw), "Correct-cheval-pile-agrafe-9"
        ),
        (staff.reset_password,),
    ),
    Action(
        "unlock user",
        ADMIN,
        lambda mw, user: _write(mw, staff.unlock_user, user, data.fresh_staff(mw)),
        (staff.unlock_user,),
    ),
)

ACTIONS: tuple[Action, ...] = COUNTER + REGISTRAR + ADMINISTRATION
