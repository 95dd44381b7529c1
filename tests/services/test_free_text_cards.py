"""A card number typed in any free-text field is refused and stored nowhere (issue #6 § 5).

One table over every text field a service accepts from staff (notes, reasons, cheque
bank and number, authorization, override reasons, settings, names, addresses): each is
given a Luhn-valid 16-digit number written three ways, must refuse it with the card
message naming the field, and afterwards no column of any table holds those digits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

from registrar_tui.db import Database
from registrar_tui.i18n import set_language
from registrar_tui.models.base import PaymentMethod, RefundMethod, Role
from registrar_tui.services.activities import registration as activity_registration
from registrar_tui.services.activities import setup as activity_setup
from registrar_tui.services.core.errors import CardNumberRefused
from registrar_tui.services.ledger import credit, payments, voids, waivers
from registrar_tui.services.ledger.day_close import close as day_close
from registrar_tui.services.records import admission, assessments, contacts, guardians, repertoire
from registrar_tui.services.requests.changes import decisions as change_decisions
from registrar_tui.services.requests.reenrolment import decide as reenrolment
from registrar_tui.services.requests.reenrolment import submit as reenrolment_submit
from registrar_tui.services.school_year import groups as school_groups
from registrar_tui.services.school_year import teachers as school_teachers
from registrar_tui.services.school_year import terms as school_terms
from registrar_tui.services.school_year import waiting_lists
from registrar_tui.services.staff import accounts as staff
from registrar_tui.services.staff import settings
from tests.services import role_matrix_data as data
from tests.services.role_matrix_data import MatrixWorld, build_matrix_world
from tests.services.role_matrix_waiting import fresh_entry

CARD = "4111111111111111"
WRITTEN = (CARD, "4111 1111 1111 1111", "4111-1111-1111-1111")
D = Decimal

FieldCall = Callable[[MatrixWorld, str], object]


def _write(mw: MatrixWorld, call: Callable[..., object], *args: object, **kw: object) -> object:
    with mw.db.write() as uow:
        return call(uow, *args, **kw)


def _payment(mw: MatrixWorld, **fields: object) -> object:
    request = data.payment_request(mw, mw.world.school.clerk_id)
    return _write(mw, payments.post_payment, dataclasses.replace(request, **fields))


def _activity(mw: MatrixWorld, **typed: str) -> object:
    values = {
        "kind": "outing",
        "title": "Sortie",
        "description": "",
        "held_on": "2026-12-12",
        "registration_deadline": "2026-12-05",
        **typed,
    }
    return _write(
        mw,
        activity_setup.save_activity,
        None,
        activity_setup.ActivityInput(**values),
        mw.world.school.registrar_id,
    )


def _activity_item(mw: MatrixWorld, **typed: str) -> object:
    values = {"code": "101", "label": "Biscuits", "unit_price": "4,25", **typed}
    return _write(
        mw,
        activity_setup.save_item,
        mw.open_activity[0],
        None,
        activity_setup.ItemInput(**values),
        mw.world.school.registrar_id,
    )


def _contact(mw: MatrixWorld, name: str, text: str) -> object:
    guardian = contacts.GuardianContactChange(
        phone="514-555-0199",
        email="roy@example.ca",
        address_line="12, rue Rachel Est",
        city="Montréal",
        province="QC",
        postal_code="H2J 2H7",
    )
    try:
        return _write(
            mw,
            contacts.update_guardian_contact,
            mw.payer_id,
            mw.world.school.clerk_id,
            dataclasses.replace(guardian, **{name: text}),
        )
    except contacts.InvalidContact as invalid:
        # The form shows one error per field: the card refusal is the field's error.
        raise invalid.problems[name] from invalid


def _student(mw: MatrixWorld, name: str, text: str) -> object:
    from registrar_tui.services.records import students

    identity = students.StudentIdentityChange(
        first_name="Carte", last_name="Test", sex="", birth_date="2015-01-01", code_permanent=""
    )
    health = students.StudentHealthChange(
        emergency_contact_name="", emergency_contact_phone="", allergies="", medical_conditions=""
    )
    if name in students.IDENTITY_FIELDS:
        identity = dataclasses.replace(identity, **{name: text})
    else:
        health = dataclasses.replace(health, **{name: text})
    try:
        return _write(
            mw, students.admit_student, mw.world.family_id, mw.world.school.clerk_id,
            identity, health,
        )  # fmt: skip
    except students.InvalidStudent as invalid:
        raise invalid.problems[name] from invalid


def _withdraw(mw: MatrixWorld, reason: str) -> object:
    from registrar_tui.services.records import students

    return _write(
        mw, students.change_student_status, mw.world.student_id,
        mw.world.school.registrar_id, "withdrawn", reason=reason,
    )  # fmt: skip


def _admit(mw: MatrixWorld, side: str, name: str, text: str) -> object:
    typed = contacts.NewGuardian(first_name="Admise", last_name="Roy", phone="514-555-0150")
    new = admission.NewFamily(
        payer=dataclasses.replace(typed, **{name: text}) if side == "payer" else typed,
        second=dataclasses.replace(typed, **{name: text}) if side == "second" else None,
        establishment_id=mw.world.school.montreal_id,
    )
    try:
        return _write(mw, admission.admit_family, mw.world.school.clerk_id, new)
    except admission.InvalidFamily as invalid:
        raise invalid.problems[f"{side}.{name}"] from invalid


def _add_guardian(mw: MatrixWorld, name: str, text: str) -> object:
    family_id, _student = data.fresh_family(mw)
    typed = contacts.NewGuardian(first_name="Ajoutée", last_name="Roy")
    try:
        return _write(
            mw,
            guardians.add_guardian,
            mw.world.school.clerk_id,
            family_id,
            dataclasses.replace(typed, **{name: text}),
        )
    except contacts.InvalidContact as invalid:
        raise invalid.problems[name] from invalid


def _void(mw: MatrixWorld, reason: str, override: str = "") -> object:
    payment_id = data.fresh_payment(mw, mw.world.school.clerk2_id)
    registrar = mw.world.school.registrar_id
    return _write(mw, voids.void_payment, payment_id, reason, registrar, override)


def _refund(mw: MatrixWorld, reason: str, cheque: str | None = None) -> object:
    family_id, _invoice = data.fresh_credit(mw)
    method = RefundMethod.CASH if cheque is None else RefundMethod.CHEQUE
    return _write(
        mw,
        credit.refund_credit,
        family_id,
        mw.world.school.montreal_id,
        D("10.00"),
        method,
        reason,
        mw.world.school.registrar_id,
        cheque,
    )


def _unwrapped(field: str, call: Callable[[], object]) -> object:
    """The forms show one error per field: the card refusal is the field's error."""
    try:
        return call()
    except assessments.InvalidAssessment as invalid:
        raise invalid.problems[field] from invalid


def _evaluation(mw: MatrixWorld, field: str, text: str) -> object:
    entry = assessments.EvaluationEntry("2027-04-20", "jury", "Jury", "85", "Solide.")
    return _unwrapped(
        field,
        lambda: _write(
            mw, assessments.add_evaluation, mw.world.school.registrar_id,
            data.fresh_enrolment(mw), dataclasses.replace(entry, **{field: text}),
        ),
    )  # fmt: skip


def _absence(mw: MatrixWorld, text: str) -> object:
    entry = assessments.AbsenceEntry("2027-02-03", False, text)
    return _unwrapped(
        "reason",
        lambda: _write(
            mw, assessments.add_absence, mw.world.school.registrar_id,
            data.fresh_enrolment(mw), entry,
        ),
    )  # fmt: skip


def _term_comment(mw: MatrixWorld, text: str) -> object:
    return _unwrapped(
        "teacher_comment",
        lambda: _write(
            mw, assessments.set_term_result, mw.world.school.registrar_id,
            data.fresh_enrolment(mw), assessments.TermResultEntry("80", text),
        ),
    )  # fmt: skip


def _work(mw: MatrixWorld, field: str, text: str) -> object:
    event = repertoire.EventEntry("recital", "Récital", "Studio 3", "2027-02-14")
    work = repertoire.WorkEntry("Frédéric Chopin", "Nocturne")
    if field in ("composer", "title"):
        work = dataclasses.replace(work, **{field: text})
    else:
        event = dataclasses.replace(event, **{field: text})
    return _unwrapped(
        field,
        lambda: _write(
            mw, repertoire.add_work, mw.world.school.registrar_id, data.fresh_family(mw)[1],
            work, new_event=event,
        ),
    )  # fmt: skip


def _late_activity(mw: MatrixWorld, reason: str) -> object:
    activity_id, item_id = mw.late_activity
    _family, student_id = data.fresh_family(mw)
    return _write(
        mw,
        activity_registration.register_student,
        activity_id,
        student_id,
        {item_id: 1},
        mw.world.school.registrar_id,
        override_reason=reason,
    )


def _group(mw: MatrixWorld, name: str, text: str) -> object:
    draft = school_groups.GroupDraft(
        establishment_id=mw.world.school.montreal_id,
        discipline_id=mw.world.disciplines["VLN"],
        section="09",
        teacher_id=None,
        weekday="",
        starts_at="",
        ends_at="",
        room="",
        capacity="10",
        level="",
    )
    return _write(
        mw,
        school_groups.create_group,
        actor_id=mw.world.school.registrar_id,
        term_id=mw.world.winter_id,
        draft=dataclasses.replace(draft, **{name: text}),
    )


def _teacher(mw: MatrixWorld, name: str, text: str) -> object:
    given = {"first_name": "Ana", "last_name": "Silva", "email": "", name: text}
    return _write(mw, school_teachers.add_teacher, actor_id=mw.world.school.registrar_id, **given)


def _term(mw: MatrixWorld, name: str, text: str) -> object:
    draft = school_terms.TermDraft(
        code="ETE-2027", starts_on="2027-05-10", ends_on="2027-07-30", payment_due_on="2027-05-31"
    )
    return _write(
        mw,
        school_terms.create_term,
        actor_id=mw.world.school.registrar_id,
        draft=dataclasses.replace(draft, **{name: text}),
    )


FIELDS: dict[str, tuple[str, FieldCall]] = {
    # label: (the field named by the error, the call typing `text` into it)
    "day close note": (
        "note",
        lambda mw, text: _write(
            mw, day_close.close_day, mw.world.school.clerk_id, mw.world.school.montreal_id,
            D(0), text,
        ),
    ),
    "cheque bank": (
        "cheque_bank",
        lambda mw, text: _payment(
            mw, method=PaymentMethod.CHEQUE, cheque_number="004512", cheque_bank=text,
            amount_tendered=None,
        ),
    ),
    "cheque number": (
        "cheque_number",
        lambda mw, text: _payment(
            mw, method=PaymentMethod.CHEQUE, cheque_number=text, cheque_bank="BMO",
            amount_tendered=None,
        ),
    ),
    "card authorization": (
        "authorization_number",
        lambda mw, text: _payment(
            mw, method=PaymentMethod.DEBIT, card_last4="1111", authorization_number=text,
            amount_tendered=None,
        ),
    ),
    "void reason": ("reason", lambda mw, text: _void(mw, text)),
    "void override reason": ("override_reason", lambda mw, text: _void(mw, "Erreur", text)),
    "cancel invoice reason": (
        "reason",
        lambda mw, text: _write(
            mw, credit.cancel_invoice, data.fresh_invoice(mw)[0], text,
            mw.world.school.registrar_id,
        ),
    ),
    "waive fee reason": (
        "reason",
        lambda mw, text: _write(
            mw, waivers.waive_fee, data.fresh_fee_line(mw), text, mw.world.school.registrar_id
        ),
    ),
    "refund reason": ("reason", lambda mw, text: _refund(mw, text)),
    "refund cheque number": ("cheque_number", lambda mw, text: _refund(mw, "Départ", text)),
    "change rejection reason": (
        "reason",
        lambda mw, text: _write(
            mw, change_decisions.reject_change, data.fresh_change_request(mw),
            mw.world.school.registrar_id, text,
        ),
    ),
    "re-enrolment rejection reason": (
        "reason",
        lambda mw, text: _write(
            mw, reenrolment.reject_reenrolment, data.fresh_reenrolment(mw),
            mw.world.school.registrar_id, text,
        ),
    ),
    "waiting-list removal reason": (
        "reason",
        lambda mw, text: _write(
            mw, waiting_lists.remove_from_list, fresh_entry(mw),
            mw.world.school.registrar_id, text,
        ),
    ),
    "re-enrolment note": (
        "note",
        lambda mw, text: _write(
            mw, reenrolment_submit.submit_reenrolment, actor_id=mw.world.school.clerk_id,
            student_id=data.fresh_enrolled_student(mw), term_code="HIV-2027",
            discipline_codes=("PIA",), note=text,
        ),
    ),
    "activity late reason": ("override_reason", _late_activity),
    "activity title": ("title", lambda mw, text: _activity(mw, title=text)),
    "activity description": ("description", lambda mw, text: _activity(mw, description=text)),
    "activity schools": ("schools", lambda mw, text: _activity(mw, schools=f"École A; {text}")),
    "activity levels": ("levels", lambda mw, text: _activity(mw, levels=text)),
    "activity item code": ("code", lambda mw, text: _activity_item(mw, code=text)),
    "activity item label": ("label", lambda mw, text: _activity_item(mw, label=text)),
    "activity cancel reason": (
        "reason",
        lambda mw, text: _write(
            mw, activity_setup.cancel_activity, mw.open_activity[0], text,
            mw.world.school.registrar_id,
        ),
    ),
    "evaluation title": ("title", lambda mw, text: _evaluation(mw, "title", text)),
    "evaluation comment": ("comment", lambda mw, text: _evaluation(mw, "comment", text)),
    "absence reason": ("reason", _absence),
    "end-of-term comment": ("teacher_comment", _term_comment),
    "repertoire event title": ("event_title", lambda mw, text: _work(mw, "event_title", text)),
    "repertoire venue": ("venue", lambda mw, text: _work(mw, "venue", text)),
    "repertoire composer": ("composer", lambda mw, text: _work(mw, "composer", text)),
    "repertoire work title": ("title", lambda mw, text: _work(mw, "title", text)),
    "guardian address": ("address_line", lambda mw, text: _contact(mw, "address_line", text)),
    "guardian city": ("city", lambda mw, text: _contact(mw, "city", text)),
    **{
        f"student {name}": (name, lambda mw, text, name=name: _student(mw, name, text))
        for name in (
            "first_name", "last_name", "school_name", "school_level", "group_name",
            "allergies", "medical_conditions", "emergency_contact_name",
        )
    },
    "student withdrawal reason": ("reason", _withdraw),
    "guardian first name": ("first_name", lambda mw, text: _contact(mw, "first_name", text)),
    "guardian last name": ("last_name", lambda mw, text: _contact(mw, "last_name", text)),
    "guardian relationship": (
        "relationship_label", lambda mw, text: _contact(mw, "relationship_label", text),
    ),
    **{
        f"new family {side} {name}": (
            f"{side}.{name}",
            lambda mw, text, side=side, name=name: _admit(mw, side, name, text),
        )
        for side in ("payer", "second")
        for name in ("first_name", "last_name", "relationship_label", "address_line", "city")
    },
    **{
        f"added guardian {name}": (
            name, lambda mw, text, name=name: _add_guardian(mw, name, text),
        )
        for name in ("first_name", "last_name", "relationship_label", "address_line", "city")
    },
    "institution name setting": (
        "value",
        lambda mw, text: _write(
            mw, settings.set_setting, "institution_name", text, mw.world.school.admin_id
        ),
    ),
    "staff full name": (
        "full_name",
        lambda mw, text: _write(
            mw, staff.add_user, mw.world.school.admin_id,
            staff.NewStaffUser("nouveau", text, Role.CLERK, "Correct-cheval-pile-agrafe-9"),
        ),
    ),
    "group room": ("room", lambda mw, text: _group(mw, "room", text)),
    "group level": ("level", lambda mw, text: _group(mw, "level", text)),
    "group section": ("section", lambda mw, text: _group(mw, "section", text)),
    "group start time": ("starts_at", lambda mw, text: _group(mw, "starts_at", text)),
    "teacher first name": ("first_name", lambda mw, text: _teacher(mw, "first_name", text)),
    "teacher last name": ("last_name", lambda mw, text: _teacher(mw, "last_name", text)),
    "teacher e-mail": ("email", lambda mw, text: _teacher(mw, "email", text)),
    "term code": ("code", lambda mw, text: _term(mw, "code", text)),
    "term payment due date": (
        "payment_due_on", lambda mw, text: _term(mw, "payment_due_on", text),
    ),
}  # fmt: skip


def stored_text(db: Database) -> str:
    """Every value of every row of every table, as one string (small test databases)."""
    parts: list[str] = []
    with db.read() as uow:
        for table in SQLModel.metadata.sorted_tables:
            for row in uow.session.execute(sa_select(table)).all():
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_a_card_number_in_any_free_text_field_is_refused_and_stored_nowhere(
    database: Database,
) -> None:
    mw = build_matrix_world(database)
    wrong: list[str] = []
    for label, (field_name, call) in FIELDS.items():
        for text in WRITTEN:
            typed = f"Voir {text} svp"
            try:
                call(mw, typed)
            except CardNumberRefused as refused:
                if refused.field != field_name:
                    wrong.append(f"{label}: field {refused.field!r}, not {field_name!r}")
                set_language("en")
                if "card" not in refused.translated():
                    wrong.append(f"{label}: message {refused.translated()!r}")
                set_language("fr_CA")
                if "carte" not in refused.translated():
                    wrong.append(f"{label}: message {refused.translated()!r}")
            except Exception as other:
                wrong.append(f"{label} ({text}): {type(other).__name__} {other}")
            else:
                wrong.append(f"{label} ({text}): accepted")
    assert not wrong, "\n".join(wrong)
    everything = stored_text(database)
    assert not any(written in everything for written in WRITTEN)


@pytest.mark.parametrize(
    "label",
    ["day close note", "void reason", "cheque bank", "evaluation comment", "absence reason"],
)
def test_an_ordinary_number_in_the_same_fields_is_kept(database: Database, label: str) -> None:
    """Not Luhn-valid, or a phone number: the refusal above is about card numbers only."""
    mw = build_matrix_world(database)
    _field, call = FIELDS[label]
    call(mw, "Tél. 514-555-0123, réf. 4111111111111112")
    assert "4111111111111112" in stored_text(database)
