"""The role matrix, continued: the registrar's and the administrator's actions.

See `role_matrix_actions` for the columns and how each row is called.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.models import ChangeRequest, ChangeRequestField, Guardian
from registrar_tui.models.base import DisciplineKind, RefundMethod, Role, Season
from registrar_tui.services.activities import setup as activity_setup
from registrar_tui.services.audit import log as audit_log
from registrar_tui.services.interchange import accounts as chart_of_accounts
from registrar_tui.services.interchange import importing
from registrar_tui.services.ledger import credit, voids, waivers
from registrar_tui.services.ledger.day_close import close as day_close
from registrar_tui.services.office import dashboard as office_dashboard
from registrar_tui.services.records import assessments, enrolment, need_to_know, repertoire, sin
from registrar_tui.services.records import term_fees as fees
from registrar_tui.services.requests import portal_family
from registrar_tui.services.requests import queue as change_queue
from registrar_tui.services.requests.changes import decisions as change_decisions
from registrar_tui.services.requests.changes import detail as change_detail
from registrar_tui.services.requests.changes import household
from registrar_tui.services.requests.changes import undo as change_undo
from registrar_tui.services.requests.queue import QueueFilter
from registrar_tui.services.requests.reenrolment import decide as reenrolment
from registrar_tui.services.school_year import disciplines as school_disciplines
from registrar_tui.services.school_year import groups as school_groups
from registrar_tui.services.school_year import rollover as school_rollover
from registrar_tui.services.school_year import teachers as school_teachers
from registrar_tui.services.school_year import terms as school_terms
from registrar_tui.services.staff import accounts as staff
from registrar_tui.services.staff import api_clients, screen_lock, settings
from registrar_tui.services.staff import reference as reference_admin
from tests import builders
from tests.services import role_matrix_data as data
from tests.services.activities.activities_data import add_activity
from tests.services.role_matrix_actions import (
    ADMIN,
    ALL_STAFF,
    COUNTER,
    SUPERVISORS,
    Action,
    _read,
    _write,
)
from tests.services.role_matrix_data import MatrixWorld
from tests.services.role_matrix_deposits import DEPOSITS
from tests.services.role_matrix_plans import PAYMENT_PLANS
from tests.services.role_matrix_reminders import REMINDERS
from tests.services.role_matrix_slips import TAX_SLIPS
from tests.services.role_matrix_students import STUDENT_RECORDS
from tests.services.role_matrix_waiting import WAITING_LISTS

D = Decimal

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


def _decided_by(mw: MatrixWorld, user: int, *, move: bool = False) -> int:
    """A change request approved (by the admin, who may), then recorded as `user`'s."""
    request_id = data.fresh_change_request(mw)
    with mw.db.write() as uow:
        if move:  # a new street: an approved move
            field = uow.session.exec(
                select(ChangeRequestField).where(col(ChangeRequestField.request_id) == request_id)
            ).one()
            payer = uow.session.get_one(
                Guardian, uow.session.get_one(ChangeRequest, request_id).target_id
            )
            field.field_name, field.requested_value = "address_line", "8, chemin Scott"
            field.value_at_submission = payer.address_line
            uow.session.add(field)
            uow.session.flush()
        change_decisions.approve_change(uow, request_id, mw.world.school.admin_id)
        request = uow.session.get_one(ChangeRequest, request_id)
        request.decided_by_id = user
        uow.session.add(request)
    return request_id


# --- what teachers report, entered by staff (services/records/assessments, repertoire) -----
_JURY = assessments.EvaluationEntry("2027-04-20", "jury", "Jury", "85", "")
_ABSENT = assessments.AbsenceEntry("2027-02-03", True, "Grippe")
_WORK = repertoire.WorkEntry("Frédéric Chopin", "Nocturne op. 9 no 2")
_EVENT = repertoire.EventEntry("recital", "Récital", "Studio 3", "2027-02-14")


def _fresh_evaluation(mw: MatrixWorld) -> int:
    enrolment_id = data.fresh_enrolment(mw)
    with mw.db.write() as uow:
        saved = assessments.add_evaluation(uow, mw.world.school.admin_id, enrolment_id, _JURY)
    assert saved.record_id is not None
    return saved.record_id


def _fresh_absence(mw: MatrixWorld) -> int:
    enrolment_id = data.fresh_enrolment(mw)
    with mw.db.write() as uow:
        saved = assessments.add_absence(uow, mw.world.school.admin_id, enrolment_id, _ABSENT)
    assert saved.record_id is not None
    return saved.record_id


def _fresh_work(mw: MatrixWorld) -> int:
    _family, student_id = data.fresh_family(mw)
    with mw.db.write() as uow:
        admin = mw.world.school.admin_id
        return repertoire.add_work(uow, admin, student_id, _WORK, new_event=_EVENT).work_id


MARKS: tuple[Action, ...] = (
    Action(
        "add evaluation",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, assessments.add_evaluation, user, data.fresh_enrolment(mw), _JURY
        ),
        (assessments.add_evaluation,),
    ),
    Action(
        "correct evaluation",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, assessments.update_evaluation, user, _fresh_evaluation(mw),
            replace(_JURY, mark="90"),
        ),
        (assessments.update_evaluation,),
    ),
    Action(
        "remove evaluation",
        SUPERVISORS,
        lambda mw, user: _write(mw, assessments.remove_evaluation, user, _fresh_evaluation(mw)),
        (assessments.remove_evaluation,),
    ),
    Action(
        "add absence",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, assessments.add_absence, user, data.fresh_enrolment(mw), _ABSENT
        ),
        (assessments.add_absence,),
    ),
    Action(
        "correct absence",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, assessments.update_absence, user, _fresh_absence(mw),
            replace(_ABSENT, is_justified=False),
        ),
        (assessments.update_absence,),
    ),
    Action(
        "remove absence",
        SUPERVISORS,
        lambda mw, user: _write(mw, assessments.remove_absence, user, _fresh_absence(mw)),
        (assessments.remove_absence,),
    ),
    Action(
        "end-of-term result",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, assessments.set_term_result, user, data.fresh_enrolment(mw),
            assessments.TermResultEntry("88", "Belle progression."),
        ),
        (assessments.set_term_result,),
    ),
    Action(
        "add repertoire work (new event)",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, repertoire.add_work, user, data.fresh_family(mw)[1], _WORK, new_event=_EVENT
        ),
        (repertoire.add_work,),
    ),
    Action(
        "remove repertoire work",
        SUPERVISORS,
        lambda mw, user: _write(mw, repertoire.remove_work, user, _fresh_work(mw)),
        (repertoire.remove_work,),
    ),
)  # fmt: skip

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
        "waive a fee",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, waivers.waive_fee, data.fresh_fee_line(mw), "Frais facturés par erreur", user
        ),
        (waivers.waive_fee,),
    ),
    Action(
        "add course: a first enrolment (no course in the term yet)",
        ALL_STAFF,
        lambda mw, user: _write(
            mw,
            enrolment.add_course,
            actor_id=user,
            student_id=data.fresh_family(mw)[1],
            course_id=mw.world.courses["HIV-PIA-02"],
        ),
        (enrolment.add_course,),
    ),
    Action(
        "add course: a change (the student has a course in the term)",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            enrolment.add_course,
            actor_id=user,
            student_id=data.fresh_enrolled_student(mw),
            course_id=mw.world.courses["AUT-SOL"],
        ),
        (enrolment.add_course,),
    ),
    Action(
        "drop course",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, enrolment.drop_course, actor_id=user, enrolment_id=data.fresh_enrolment(mw)
        ),
        (enrolment.drop_course,),
    ),
    Action(
        "late-confirmation fees",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, fees.apply_late_confirmation_fees, actor_id=user, term_code="AUT-2026"
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
        "undo a change decision (last one, then undo)",
        SUPERVISORS,
        lambda mw, user: (
            request_id := _decided_by(mw, user),
            _read(mw, change_undo.last_decision, user),
            _write(mw, change_undo.undo_change_decision, request_id, user),
        ),
        (change_undo.last_decision, change_undo.undo_change_decision),
    ),
    Action(
        "move the household with an approved address",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, household.apply_household_move, _decided_by(mw, user, move=True), user, ()
        ),
        (household.apply_household_move,),
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

REFERENCE_DATA: tuple[Action, ...] = (
    Action(
        "update establishment",
        ADMIN,
        lambda mw, user: _write(
            mw,
            reference_admin.update_establishment,
            actor_id=user,
            code="QC",
            phone="418 643-2191",
        ),
        (reference_admin.update_establishment,),
    ),
    Action(
        "add establishment",
        ADMIN,
        lambda mw, user: _write(
            mw,
            reference_admin.add_establishment,
            actor_id=user,
            code=f"N{next(_year_serial)}",
            name="Nouvel établissement",
            address_line="1, rue Principale",
            city="Laval",
            postal_code="H7N 1A1",
            phone="450 555-0100",
        ),
        (reference_admin.add_establishment,),
    ),
    Action(
        "set term dates",
        ADMIN,
        lambda mw, user: _write(
            mw,
            reference_admin.set_term_dates,
            actor_id=user,
            term_code="AUT-2026",
            reenrolment_opens_on=date(2026, 12, 1),
        ),
        (reference_admin.set_term_dates,),
    ),
    Action(
        "set fee",
        ADMIN,
        lambda mw, user: _write(
            mw,
            reference_admin.set_fee,
            actor_id=user,
            term_code="AUT-2026",
            code="ATTESTATION",
            amount=D("12.00"),
        ),
        (reference_admin.set_fee,),
    ),
)


# --- setting activities up (registrars and admins) ---------------------------------------
def _fresh_activity(mw: MatrixWorld) -> int:
    """A new open activity with one item (« 1 - Billet », 15,00 $)."""
    with mw.db.write() as uow:
        activity_id, _items = add_activity(
            uow,
            title="Sortie de la matrice",
            held_on=date(2026, 12, 10),
            deadline=date(2026, 12, 1),
            items=[("Billet", D("15.00"), None)],
        )
    return activity_id


def _closed_activity(mw: MatrixWorld) -> int:
    """A new activity, closed by the admin."""
    activity_id = _fresh_activity(mw)
    _write(mw, activity_setup.close_activity, activity_id, mw.world.school.admin_id)
    return activity_id


NEW_ACTIVITY = activity_setup.ActivityInput(
    kind="outing",
    title="Sortie au planétarium",
    description="",
    held_on="2026-12-12",
    registration_deadline="2026-12-05",
)

ACTIVITY_SETUP: tuple[Action, ...] = (
    Action(
        "activity set-up form",
        SUPERVISORS,
        lambda mw, user: _read(mw, activity_setup.activity_setup, _fresh_activity(mw), user),
        (activity_setup.activity_setup,),
    ),
    Action(
        "create an activity",
        SUPERVISORS,
        lambda mw, user: _write(mw, activity_setup.save_activity, None, NEW_ACTIVITY, user),
        (activity_setup.save_activity,),
    ),
    Action(
        "add an activity item",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            activity_setup.save_item,
            _fresh_activity(mw),
            None,
            activity_setup.ItemInput(code="101", label="Biscuits", unit_price="4,25"),
            user,
        ),
        (activity_setup.save_item,),
    ),
    Action(
        "close an activity",
        SUPERVISORS,
        lambda mw, user: _write(mw, activity_setup.close_activity, _fresh_activity(mw), user),
        (activity_setup.close_activity,),
    ),
    Action(
        "reopen an activity",
        SUPERVISORS,
        lambda mw, user: _write(mw, activity_setup.reopen_activity, _closed_activity(mw), user),
        (activity_setup.reopen_activity,),
    ),
    Action(
        "activity cancellation preview",
        SUPERVISORS,
        lambda mw, user: _read(mw, activity_setup.cancel_preview, _fresh_activity(mw), user),
        (activity_setup.cancel_preview,),
    ),
    Action(
        "cancel an activity",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, activity_setup.cancel_activity, _fresh_activity(mw), "Annulée par l'école", user
        ),
        (activity_setup.cancel_activity,),
    ),
)

# --- the school year (registrar and admin) ------------------------------------------------
_year_serial = iter(range(2100, 9999))


def _fresh_term(mw: MatrixWorld, *, window_open: bool = False) -> int:
    """A summer term of its own year, far ahead (its re-enrolment open today when asked)."""
    year = next(_year_serial)
    with mw.db.write() as uow:
        return builders.term(
            uow,
            code=f"ETE-{year}",
            season=Season.SUMMER,
            year=year,
            starts_on=date(year, 5, 10),
            ends_on=date(year, 7, 30),
            payment_due_on=date(year, 5, 31),
            reenrolment_opens_on=date(2026, 11, 1) if window_open else None,
        )


def _group_draft(mw: MatrixWorld, section: str) -> school_groups.GroupDraft:
    return school_groups.GroupDraft(
        establishment_id=mw.world.school.montreal_id,
        discipline_id=mw.world.disciplines["VLN"],
        section=section,
        teacher_id=None,
        weekday="4",
        starts_at="17:00",
        ends_at="18:00",
        room="B-12",
        capacity="9",
        level="",
    )


def _fresh_group(mw: MatrixWorld, *, closed: bool = False) -> int:
    term_id = _fresh_term(mw)
    with mw.db.write() as uow:
        row = school_groups.create_group(
            uow, actor_id=mw.world.school.admin_id, term_id=term_id, draft=_group_draft(mw, "01")
        )
        if closed:
            school_groups.close_group(
                uow, actor_id=mw.world.school.admin_id, course_id=row.course_id
            )
        return row.course_id


def _create_term(mw: MatrixWorld, user: int) -> object:
    year = next(_year_serial)
    draft = school_terms.TermDraft(
        code=f"HIV-{year}",
        starts_on=f"{year}-01-10",
        ends_on=f"{year}-04-30",
        payment_due_on=f"{year}-02-01",
    )
    return _write(mw, school_terms.create_term, actor_id=user, draft=draft)


def _update_term(mw: MatrixWorld, user: int) -> object:
    term_id = _fresh_term(mw)
    with mw.db.read() as uow:
        year = school_terms.term_row(uow, term_id).year
    draft = school_terms.TermDraft(
        code="",
        starts_on=f"{year}-05-10",
        ends_on=f"{year}-07-30",
        payment_due_on=f"{year}-06-01",  # was 31 May
    )
    return _write(mw, school_terms.update_term, actor_id=user, term_id=term_id, draft=draft)


def _roll_over(mw: MatrixWorld, user: int) -> object:
    with mw.db.read() as uow:
        target = school_terms.term_row(uow, _fresh_term(mw)).code
    return _write(
        mw, school_rollover.roll_over, actor_id=user, source_code="AUT-2026", target_code=target
    )


SCHOOL_YEAR: tuple[Action, ...] = (
    Action("create term", SUPERVISORS, _create_term, (school_terms.create_term,)),
    Action("edit term", SUPERVISORS, _update_term, (school_terms.update_term,)),
    Action(
        "open re-enrolment",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, school_terms.open_reenrolment, actor_id=user, term_id=_fresh_term(mw)
        ),
        (school_terms.open_reenrolment,),
    ),
    Action(
        "close re-enrolment",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            school_terms.close_reenrolment,
            actor_id=user,
            term_id=_fresh_term(mw, window_open=True),
        ),
        (school_terms.close_reenrolment,),
    ),
    Action(
        "create group",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            school_groups.create_group,
            actor_id=user,
            term_id=_fresh_term(mw),
            draft=_group_draft(mw, "01"),
        ),
        (school_groups.create_group,),
    ),
    Action(
        "edit group",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            school_groups.update_group,
            actor_id=user,
            course_id=_fresh_group(mw),
            draft=_group_draft(mw, "02"),
        ),
        (school_groups.update_group,),
    ),
    Action(
        "close group",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, school_groups.close_group, actor_id=user, course_id=_fresh_group(mw)
        ),
        (school_groups.close_group,),
    ),
    Action(
        "reopen group",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, school_groups.reopen_group, actor_id=user, course_id=_fresh_group(mw, closed=True)
        ),
        (school_groups.reopen_group,),
    ),
    Action(
        "add teacher",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            school_teachers.add_teacher,
            actor_id=user,
            first_name="Prof",
            last_name=f"Numéro {next(_year_serial)}",
        ),
        (school_teachers.add_teacher,),
    ),
    Action(
        "add discipline",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            school_disciplines.add_discipline,
            actor_id=user,
            code=f"D{next(_year_serial)}",
            name_fr="Harpe",
            name_en="Harp",
            kind=DisciplineKind.INSTRUMENT,
        ),
        (school_disciplines.add_discipline,),
    ),
    Action("roll groups over", SUPERVISORS, _roll_over, (school_rollover.roll_over,)),
)


# --- the doors of issue #15 -----------------------------------------------------------
def _import_one_family(mw: data.MatrixWorld, user: int) -> object:
    serial = next(_year_serial)
    csv = (
        "ancien_id;etablissement;nom_famille;payeur;resp1_prenom;resp1_nom;resp1_telephone\n"
        f"M{serial};QC;Matrice {serial};1;Iris;Matrice;418 555-{serial:04d}\n"
    ).encode()
    return _write(mw, importing.apply_file, user, "families", csv, "familles.csv")


def _revoke_a_client(mw: data.MatrixWorld, user: int) -> object:
    name = f"portail-{next(_year_serial)}"
    with mw.db.write() as uow:
        api_clients.add_api_client(uow, mw.world.school.admin_id, name)
    return _write(mw, api_clients.revoke_api_client, user, name)


def _portal_family(mw: data.MatrixWorld, user: int) -> object:
    return _read(mw, portal_family.portal_family, "P-NOBODY", actor_id=user)


INTERCHANGE: tuple[Action, ...] = (
    Action(
        "set an account of the journal",
        ADMIN,
        lambda mw, user: _write(mw, chart_of_accounts.set_account, "fee", "*", "4100", user),
        (chart_of_accounts.set_account,),
    ),
    Action("import a families file", ADMIN, _import_one_family, (importing.apply_file,)),
    Action(
        "add an API client",
        ADMIN,
        lambda mw, user: _write(
            mw, api_clients.add_api_client, user, f"portail-{next(_year_serial)}"
        ),
        (api_clients.add_api_client,),
    ),
    Action("revoke an API client", ADMIN, _revoke_a_client, (api_clients.revoke_api_client,)),
    Action(
        "list the online drawers",
        SUPERVISORS,
        lambda mw, user: _read(mw, day_close.online_drawers, user),
        (day_close.online_drawers,),
    ),
    Action(
        "read the office dashboard",
        SUPERVISORS,
        lambda mw, user: _read(mw, office_dashboard.office_dashboard, user),
        (office_dashboard.office_dashboard,),
    ),
    # Only the portal's own account reads a family as the portal shows it: no staff role.
    Action(
        "read a family as the portal", frozenset(), _portal_family, (portal_family.portal_family,)
    ),
)

ACTIONS: tuple[Action, ...] = (
    COUNTER
    + REGISTRAR
    + MARKS
    + ADMINISTRATION
    + REFERENCE_DATA
    + WAITING_LISTS
    + ACTIVITY_SETUP
    + STUDENT_RECORDS
    + SCHOOL_YEAR
    + INTERCHANGE
    + TAX_SLIPS
    + PAYMENT_PLANS
    + REMINDERS
    + DEPOSITS
)
