"""What teachers report, entered by staff: evaluations, absences, end-of-term result.

Each rule a registrar would notice: what is refused (and next to which field), what is
stored, what the course detail then shows, and the audit event with before and after.
The enrolment is a winter piano course (HIV-2027: 2027-01-11 to 2027-05-01).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.i18n import set_language
from registrar_tui.models import Absence, AuditEvent, Enrolment, Evaluation
from registrar_tui.services.core.errors import NotFound, PermissionDenied
from registrar_tui.services.records import assessments
from registrar_tui.services.records.assessments import (
    AbsenceEntry,
    EvaluationEntry,
    InvalidAssessment,
    NothingChanged,
    TermResultEntry,
)
from registrar_tui.services.records.courses import course_detail
from tests.services import role_matrix_data as data
from tests.services.role_matrix_data import MatrixWorld, build_matrix_world

JURY = EvaluationEntry(
    held_on="2027-04-20", kind="jury", title="Jury de fin d'année", mark="87", comment="Solide."
)
ABSENT = AbsenceEntry(absent_on="2027-02-03", is_justified=True, reason="Grippe")


@pytest.fixture
def mw(database: Database) -> MatrixWorld:
    return build_matrix_world(database)


def _events(mw: MatrixWorld, action: str) -> list[tuple[dict[str, object], dict[str, object]]]:
    with mw.db.read() as uow:
        return [
            (json.loads(e.before_json), json.loads(e.after_json))
            for e in uow.session.exec(
                select(AuditEvent).where(col(AuditEvent.action) == action).order_by(AuditEvent.id)
            )
        ]


def _write(mw: MatrixWorld, call: object, *args: object) -> assessments.Saved:
    with mw.db.write() as uow:
        return call(uow, *args)  # type: ignore[operator, no-any-return]


def test_a_registrar_enters_an_evaluation_and_the_course_shows_it(mw: MatrixWorld) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    registrar = mw.world.school.registrar_id
    saved = _write(mw, assessments.add_evaluation, registrar, enrolment_id, JURY)
    with mw.db.read() as uow:
        detail = course_detail(uow, enrolment_id)
    (line,) = detail.evaluations
    assert (line.title, line.mark, line.comment, str(line.kind)) == (
        "Jury de fin d'année",
        87,
        "Solide.",
        "jury",
    )
    assert line.evaluation_id == saved.record_id
    assert str(detail.mean_mark) == "87.0"
    (before, after), *_rest = _events(mw, "evaluation.add")
    assert before == {}
    assert after["held_on"] == "2027-04-20" and after["mark"] == 87 and after["kind"] == "jury"


def test_correcting_and_removing_an_evaluation_are_audited(mw: MatrixWorld) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    admin = mw.world.school.admin_id
    saved = _write(mw, assessments.add_evaluation, admin, enrolment_id, JURY)
    assert saved.record_id is not None
    _write(mw, assessments.update_evaluation, admin, saved.record_id, replace(JURY, mark=""))
    with mw.db.read() as uow:
        assert uow.session.get_one(Evaluation, saved.record_id).mark is None
    assert _events(mw, "evaluation.update") == [({"mark": 87}, {"mark": None})]
    with pytest.raises(NothingChanged):
        _write(mw, assessments.update_evaluation, admin, saved.record_id, replace(JURY, mark=""))
    _write(mw, assessments.remove_evaluation, admin, saved.record_id)
    with mw.db.read() as uow:
        assert course_detail(uow, enrolment_id).evaluations == ()
    (before, after), *_rest = _events(mw, "evaluation.remove")
    assert before["title"] == "Jury de fin d'année" and after == {}
    with pytest.raises(NotFound):
        _write(mw, assessments.remove_evaluation, admin, saved.record_id)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"held_on": "2027-05-02"}, "held_on", "HIV-2027"),  # the day after the term
        ({"held_on": "2027-01-10"}, "held_on", "HIV-2027"),
        ({"held_on": "20/04/2027"}, "held_on", "AAAA-MM-JJ"),
        ({"held_on": ""}, "held_on", "Indiquez la date"),
        ({"mark": "101"}, "mark", "0 à 100"),
        ({"mark": "-1"}, "mark", "0 à 100"),
        ({"mark": "8,5"}, "mark", "0 à 100"),
        ({"mark": "٨٧"}, "mark", "0 à 100"),  # Arabic-Indic digits are not a mark
        ({"title": "  "}, "title", "titre"),
        ({"kind": "party"}, "kind", "Type"),
        ({"comment": "x" * 1001}, "comment", "trop long"),
        ({"comment": "Carte 4111 1111 1111 1111"}, "comment", "carte"),
        ({"title": "4111-1111-1111-1111"}, "title", "carte"),
    ],
)
def test_an_evaluation_is_refused_next_to_the_wrong_field(
    mw: MatrixWorld, change: dict[str, str], field: str, words: str
) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    set_language("fr_CA")
    with pytest.raises(InvalidAssessment) as refused, mw.db.write() as uow:
        assessments.add_evaluation(
            uow, mw.world.school.registrar_id, enrolment_id, replace(JURY, **change)
        )
    assert refused.value.field == field
    assert words in refused.value.problems[field].translated()
    with mw.db.read() as uow:
        assert not uow.session.exec(
            select(Evaluation).where(col(Evaluation.enrolment_id) == enrolment_id)
        ).all()
    assert _events(mw, "evaluation.add") == []


def test_the_term_refusal_names_the_term_dates_in_english(mw: MatrixWorld) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    with pytest.raises(InvalidAssessment) as refused, mw.db.write() as uow:
        assessments.add_absence(
            uow, mw.world.school.registrar_id, enrolment_id, replace(ABSENT, absent_on="2026-12-01")
        )
    set_language("en")
    try:
        message = refused.value.problems["absent_on"].translated()
    finally:
        set_language("fr_CA")
    assert "within term HIV-2027" in message and "Jan 11, 2027" in message


def test_every_wrong_field_is_said_at_once(mw: MatrixWorld) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    wrong = EvaluationEntry(held_on="hier", kind="exam", title="", mark="200", comment="ok")
    with pytest.raises(InvalidAssessment) as refused, mw.db.write() as uow:
        assessments.add_evaluation(uow, mw.world.school.registrar_id, enrolment_id, wrong)
    assert set(refused.value.problems) == {"held_on", "title", "mark"}
    assert refused.value.field == "held_on"


def test_control_characters_are_cleaned_from_comments_and_reasons(mw: MatrixWorld) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    registrar = mw.world.school.registrar_id
    hostile = "\x1b[31mTrès \u202ebien\x07"
    saved = _write(
        mw, assessments.add_evaluation, registrar, enrolment_id, replace(JURY, comment=hostile)
    )
    absence = _write(
        mw, assessments.add_absence, registrar, enrolment_id, replace(ABSENT, reason=hostile)
    )
    with mw.db.read() as uow:
        comment = uow.session.get_one(Evaluation, saved.record_id).comment
        reason = uow.session.get_one(Absence, absence.record_id).reason
    for stored in (comment, reason):
        assert "\x1b" not in stored and "\x07" not in stored and "\u202e" not in stored
        assert "Très" in stored and "bien" in stored


def test_absences_are_added_corrected_and_removed(mw: MatrixWorld) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    registrar = mw.world.school.registrar_id
    saved = _write(mw, assessments.add_absence, registrar, enrolment_id, ABSENT)
    assert saved.record_id is not None
    _write(
        mw,
        assessments.update_absence,
        registrar,
        saved.record_id,
        replace(ABSENT, is_justified=False, reason=""),
    )
    with mw.db.read() as uow:
        (line,) = course_detail(uow, enrolment_id).absences
    assert (line.is_justified, line.reason, line.absence_id) == (False, "", saved.record_id)
    assert _events(mw, "absence.update") == [
        ({"is_justified": True, "reason": "Grippe"}, {"is_justified": False, "reason": ""})
    ]
    _write(mw, assessments.remove_absence, registrar, saved.record_id)
    with mw.db.read() as uow:
        assert course_detail(uow, enrolment_id).absences == ()
    assert _events(mw, "absence.remove")[0][0]["absent_on"] == "2027-02-03"


def test_the_end_of_term_result(mw: MatrixWorld) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    registrar = mw.world.school.registrar_id
    entry = TermResultEntry(final_mark="91", teacher_comment="Belle progression.")
    _write(mw, assessments.set_term_result, registrar, enrolment_id, entry)
    with mw.db.read() as uow:
        enrolment = uow.session.get_one(Enrolment, enrolment_id)
        stored = (enrolment.final_mark, enrolment.teacher_comment)
        detail = course_detail(uow, enrolment_id)
    assert stored == (91, "Belle progression.")
    assert detail.final_mark == 91
    assert _events(mw, "enrolment.term_result") == [
        (
            {"final_mark": None, "teacher_comment": ""},
            {"final_mark": 91, "teacher_comment": "Belle progression."},
        )
    ]
    with pytest.raises(NothingChanged):
        _write(mw, assessments.set_term_result, registrar, enrolment_id, entry)
    with pytest.raises(InvalidAssessment) as refused:
        _write(
            mw,
            assessments.set_term_result,
            registrar,
            enrolment_id,
            TermResultEntry(final_mark="110", teacher_comment="4111111111111111"),
        )
    assert set(refused.value.problems) == {"final_mark", "teacher_comment"}


def test_a_clerk_reads_but_does_not_enter(mw: MatrixWorld) -> None:
    enrolment_id = data.fresh_enrolment(mw)
    for call, argument in (
        (assessments.add_evaluation, JURY),
        (assessments.add_absence, ABSENT),
        (assessments.set_term_result, TermResultEntry("80", "")),
    ):
        with pytest.raises(PermissionDenied):
            _write(mw, call, mw.world.school.clerk_id, enrolment_id, argument)
    with mw.db.read() as uow:
        detail = course_detail(uow, enrolment_id)
    assert detail.evaluations == () and detail.absences == () and detail.final_mark is None


def test_an_unknown_enrolment_is_not_found(mw: MatrixWorld) -> None:
    with pytest.raises(NotFound):
        _write(mw, assessments.add_evaluation, mw.world.school.registrar_id, 999_999, JURY)
