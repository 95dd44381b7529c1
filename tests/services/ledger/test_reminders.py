"""Overdue reminders: levels, exclusions, once per level, letters, e-mails, audit."""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, OutboxMessage, Reminder, ReminderLetter
from registrar_tui.models.base import Language
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.ledger import reminders as service
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.voids import void_payment
from registrar_tui.services.outbox import reminder_letters as sending
from tests import builders
from tests.services.ledger_data import D, School, add_invoice, build_school, cash

TODAY = date(2026, 11, 23)  # the fixed clock's day
LATE_69 = date(2026, 9, 15)  # 69 days overdue today: level 1 (30 days), not yet 2 (60)
_numbers = itertools.count(1)


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def family(
    db: Database,
    school: School,
    name: str,
    *,
    email: str | None = "parent@example.org",
    language: Language = Language.FRENCH,
) -> int:
    with db.write() as uow:
        number = next(_numbers)
        family_id = builders.family(
            uow,
            school.montreal_id,
            number=f"R{number:06d}",
            name=f"Famille {name}",
            payer="Hélène",
            payer_last_name=name,
            payer_email=email,
            language=language,
        )
        builders.student(
            uow,
            family_id,
            school.montreal_id,
            number=f"2019{number:05d}",
            first_name="Élodie",
            last_name=name,
            birth_date=date(2012, 3, 14),
        )
        return family_id


def preview(db: Database, as_of: date = TODAY, level: int | None = None) -> service.ReminderPreview:
    with db.read() as uow:
        return service.reminder_preview(uow, as_of, level=level)


def send(db: Database, school: School, as_of: date = TODAY, **kw: object) -> sending.ReminderRun:
    return sending.send_reminders(db, actor_id=school.registrar_id, as_of=as_of, **kw)  # type: ignore[arg-type]


def test_default_levels_are_seeded(database: Database) -> None:
    with database.read() as uow:
        settings = service.reminder_settings(uow)
    assert [lv.days_overdue for lv in settings.levels] == [30, 60, 90]
    assert all(lv.text_fr and lv.text_en for lv in settings.levels)
    assert settings.min_balance == D("10.00")


def test_levels_follow_days_one_at_a_time(database: Database, school: School) -> None:
    fam = family(database, school, "Gagnon")
    add_invoice(database, school, fam, due_on=LATE_69)  # 275,00
    add_invoice(database, school, fam, due_on=date(2026, 11, 1))  # 22 days: not yet
    found = preview(database)
    assert [(f.family_id, f.level) for f in found.families] == [(fam, 1)]
    assert found.families[0].total_overdue == D("275.00")
    assert found.totals[0] == service.LevelTotal(1, 1, 1, D("275.00"))
    # 120 days late and never reminded: level 1 first, never straight to 3.
    assert preview(database, date(2027, 1, 13)).families[0].level == 1

    run = send(database, school)
    assert (len(run.letters), run.reminders, run.emails) == (1, 1, 1)
    # Never the same level twice: the same day finds nothing more.
    assert preview(database).families == ()
    assert send(database, school).letters == ()
    # Level 2 once 60 days late and 30 days after level 1.
    # 26 days after level 1: only the second invoice (now 49 days late) gets its level 1.
    early = preview(database, date(2026, 12, 20)).families[0].invoices
    assert [(r.due_on, r.level) for r in early] == [(date(2026, 11, 1), 1)]
    later = preview(database, date(2026, 12, 24))
    assert [r.level for r in later.families[0].invoices] == [2, 1]  # the second invoice's 1st
    assert later.families[0].level == 2
    assert later.totals[1].invoices == 1 and later.totals[0].invoices == 1
    only_two = preview(database, date(2026, 12, 24), level=2)
    assert [r.level for r in only_two.families[0].invoices] == [2]


def test_database_refuses_the_same_level_twice(database: Database, school: School) -> None:
    fam = family(database, school, "Roy")
    invoice = add_invoice(database, school, fam, due_on=LATE_69)
    send(database, school)
    with database.read() as uow:
        letter_id = uow.session.exec(select(ReminderLetter.id)).one()
    with pytest.raises(IntegrityError), database.write() as uow:
        uow.session.add(
            Reminder(
                family_id=fam,
                invoice_id=invoice,
                level=1,
                sent_at=uow.now(),
                sent_by_id=school.registrar_id,
                amount_overdue=D("1.00"),
                letter_id=letter_id,
            )
        )
        uow.session.flush()


def test_threshold_leaves_small_balances_out(database: Database, school: School) -> None:
    small = family(database, school, "Petit")
    add_invoice(database, school, small, (("9.99", ""),), due_on=LATE_69)
    big = family(database, school, "Grand")
    add_invoice(database, school, big, (("10.00", ""),), due_on=LATE_69)
    found = preview(database)
    assert [f.family_id for f in found.families] == [big]
    assert found.under_threshold == 1
    with database.write() as uow:
        service.set_reminder_threshold(uow, actor_id=school.admin_id, min_balance=D("0.00"))
    assert {f.family_id for f in preview(database).families} == {small, big}


def test_paid_invoice_drops_out_and_a_void_brings_it_back(
    database: Database, school: School
) -> None:
    fam = family(database, school, "Côté")
    invoice = add_invoice(database, school, fam, due_on=LATE_69)
    with database.write() as uow:
        posted = post_payment(uow, cash(school, fam, "275.00", "275.00", invoices=(invoice,)))
    assert preview(database).families == ()
    with database.write() as uow:
        void_payment(uow, posted.payment_id, "Chèque sans provision", school.registrar_id)
    found = preview(database)
    assert [(f.family_id, f.total_overdue) for f in found.families] == [(fam, D("275.00"))]


def test_partly_paid_invoice_is_reminded_for_what_it_owes(
    database: Database, school: School
) -> None:
    fam = family(database, school, "Bédard")
    invoice = add_invoice(database, school, fam, due_on=LATE_69)
    with database.write() as uow:
        post_payment(uow, cash(school, fam, "200.00", "275.00", invoices=(invoice,)))
    run = send(database, school)
    assert run.total_overdue == D("75.00")
    with database.read() as uow:
        rows = service.family_reminders(uow, fam)
    assert [(r.level, r.amount_overdue, r.emailed) for r in rows] == [(1, D("75.00"), True)]


def test_letter_email_and_audit(database: Database, school: School, tmp_path: Path) -> None:
    french = family(database, school, "Tremblay")
    add_invoice(database, school, french, due_on=LATE_69)
    english = family(database, school, "Smith", language=Language.ENGLISH, email=None)
    add_invoice(database, school, english, due_on=LATE_69)
    run = send(database, school, documents_dir=tmp_path)
    assert run.emails == 1 and len(run.letters) == 2
    assert sorted(p.name for p in run.saved) == sorted(
        f"{letter.family_number}-relance1-20261123.pdf" for letter in run.letters
    )
    with database.read() as uow:
        letters = {
            row.family_id: (row.filename, row.pdf, row.outbox_message_id, row.id)
            for row in uow.session.exec(select(ReminderLetter)).all()
        }
        message = uow.session.exec(select(OutboxMessage)).one()
        sent = (message.family_id, message.attachment, message.kind, message.subject)
        events = [
            json.loads(after)
            for after in uow.session.exec(
                select(AuditEvent.after_json).where(col(AuditEvent.action) == service.SEND_ACTION)
            ).all()
        ]
        emailed_pdf = sending.letter_pdf(uow, letters[french][3]).pdf
        kept_pdf = sending.letter_pdf(uow, letters[english][3]).pdf
    # The PDF is kept once: in the e-mail when there is one, else on the letter.
    assert sent[0] == french and letters[french][1] is None and sent[1] == emailed_pdf
    assert emailed_pdf.startswith(b"%PDF") and kept_pdf == letters[english][1]
    assert sent[2] == "reminder" and "relance 1" in sent[3]
    assert letters[english][2] is None
    assert len(events) == 1  # one chunk, one event
    assert {number: entry["level"] for number, entry in events[0]["letters"].items()} == {
        letter.family_number: 1 for letter in run.letters
    }
    fr_text = "".join(
        page.extract_text() for page in PdfReader(run.saved[0].parent / letters[french][0]).pages
    )
    assert "Relance 1 de 3" in fr_text and "Famille Tremblay" in fr_text
    assert "275,00" in fr_text
    en_text = "".join(
        page.extract_text() for page in PdfReader(run.saved[0].parent / letters[english][0]).pages
    )
    assert "past due" in en_text


def test_reminders_are_append_only(database: Database, school: School) -> None:
    fam = family(database, school, "Fixe")
    add_invoice(database, school, fam, due_on=LATE_69)
    send(database, school)
    for table in ("reminder", "reminder_letter"):
        with pytest.raises(DatabaseError, match="append-only"):  # noqa: SIM117
            with database.engine.begin() as conn:
                conn.execute(text(f"DELETE FROM {table}"))


def test_only_supervisors_send_and_only_admins_edit_levels(
    database: Database, school: School
) -> None:
    fam = family(database, school, "Interdit")
    add_invoice(database, school, fam, due_on=LATE_69)
    with pytest.raises(PermissionDenied):
        sending.send_reminders(database, actor_id=school.clerk_id, as_of=TODAY)
    with database.write() as uow, pytest.raises(PermissionDenied):
        service.set_reminder_level(uow, actor_id=school.registrar_id, level=1, days_overdue=20)


def test_admin_edits_a_level(database: Database, school: School) -> None:
    with database.write() as uow:
        service.set_reminder_level(
            uow, actor_id=school.admin_id, level=1, days_overdue=15, text_fr="Rappel amical."
        )
    with database.read() as uow:
        settings = service.reminder_settings(uow)
        event = uow.session.exec(
            select(AuditEvent.entity_id, AuditEvent.after_json).where(
                col(AuditEvent.action) == service.LEVEL_ACTION
            )
        ).one()
    assert settings.of(1).days_overdue == 15 and settings.of(1).text_fr == "Rappel amical."
    assert event[0] == 1 and "15" in event[1]
    with database.write() as uow, pytest.raises(service.LevelDaysOutOfOrder):
        service.set_reminder_level(uow, actor_id=school.admin_id, level=2, days_overdue=100)
    with database.write() as uow, pytest.raises(service.EmptyLevelText):
        service.set_reminder_level(uow, actor_id=school.admin_id, level=3, text_en="  ")


def test_a_family_keeping_to_its_payment_plan_is_left_out(
    database: Database, school: School
) -> None:
    """Scenario 16: an overdue family agreed to a plan; while every instalment due is paid
    it gets no reminder, and once one is late it is reminded again."""
    from registrar_tui.services.ledger.plans import EqualSplit, make_plan

    fam = family(database, school, "Entente")
    add_invoice(database, school, fam, (("900.00", ""),), due_on=LATE_69)
    other = family(database, school, "Sans-entente")
    add_invoice(database, school, other, (("900.00", ""),), due_on=LATE_69)
    assert {f.family_id for f in preview(database).families} == {fam, other}
    with database.write() as uow:
        terms = EqualSplit(count=3, first_due_on=date(2026, 12, 15))
        make_plan(uow, fam, terms, school.registrar_id)  # type: ignore[arg-type]
    found = preview(database)
    assert [f.family_id for f in found.families] == [other] and found.on_plan == 1
    # 16 December: the first instalment (300,00 $, due the 15th) is one day late: the
    # family is no longer in good standing, but an instalment waits level 1's 30 days
    # as an invoice does (and its invoice, which the plan covers, is not reminded).
    found = preview(database, date(2026, 12, 16))
    assert [f.family_id for f in found.families] == [other] and found.on_plan == 0
    found = preview(database, date(2027, 1, 14))
    assert {f.family_id for f in found.families} == {fam, other}


def test_a_family_behind_on_its_plan_is_reminded_of_its_instalments(
    database: Database, school: School
) -> None:
    """Issue #16 part 2: the instalments' due dates drive the levels, not the invoice's;
    the letter lists the instalments; each level once per instalment."""
    from registrar_tui.services.ledger.plans import EqualSplit, make_plan

    fam = family(database, school, "Versements")
    add_invoice(database, school, fam, (("900.00", ""),), due_on=LATE_69)
    with database.write() as uow:
        plan = make_plan(
            uow, fam, EqualSplit(count=3, first_due_on=date(2026, 12, 15)), school.registrar_id
        )  # type: ignore[arg-type]
    first, second, _third = plan.instalments
    # 14 January: the first instalment is 30 days late (level 1), the second not yet due.
    january = date(2027, 1, 14)
    found = preview(database, january)
    [letter] = found.families
    assert [
        (r.instalment_id, r.invoice_id, r.level, r.days_overdue, r.balance) for r in letter.invoices
    ] == [(first.instalment_id, None, 1, 30, D("300.00"))]
    assert letter.total_overdue == D("300.00")
    run = send(database, school, as_of=january)
    assert [(sent.family_id, sent.level, sent.reminders) for sent in run.letters] == [(fam, 1, 1)]
    text = "".join(page.extract_text() for page in PdfReader(_pdf(run.letters[0].pdf)).pages)
    assert "Échéances en retard" in text and "Échéance 1" in text and "300,00" in text
    assert "FAC" not in text  # the invoice the plan covers is not listed
    with database.read() as uow:
        [row] = uow.session.exec(select(Reminder).where(col(Reminder.family_id) == fam)).all()
        recorded = (row.instalment_id, row.invoice_id, row.level, row.sent_at, row.letter_id)
        tab = service.family_reminders(uow, fam)
    assert recorded[:3] == (first.instalment_id, None, 1)
    assert [(r.level, r.instalment_sequence, r.invoice_number, r.amount_overdue) for r in tab] == [
        (1, 1, None, D("300.00"))
    ]
    # Never the same level twice for the same instalment.
    assert send(database, school, as_of=january).letters == ()
    # 14 February: the first is 61 days late (level 2), the second 30 (level 1).
    february = date(2027, 2, 14)
    [letter] = preview(database, february).families
    assert [(r.instalment_sequence, r.level) for r in letter.invoices] == [(1, 2), (2, 1)]
    assert letter.level == 2 and letter.total_overdue == D("600.00")
    # A payment pays the earliest instalment first: only the second is left to remind.
    with database.write() as uow:
        post_payment(uow, cash(school, fam, "300.00", "900.00"))
    [letter] = preview(database, february).families
    assert [(r.instalment_id, r.level) for r in letter.invoices] == [(second.instalment_id, 1)]
    with pytest.raises(IntegrityError), database.write() as uow:
        uow.session.add(
            Reminder(family_id=fam, instalment_id=first.instalment_id, level=1,
                     sent_at=recorded[3], sent_by_id=school.registrar_id,
                     amount_overdue=D("1.00"), letter_id=recorded[4])
        )  # fmt: skip
        uow.session.flush()


def _pdf(data: bytes) -> object:
    import io

    return io.BytesIO(data)


def test_money_is_decimal(database: Database, school: School) -> None:
    fam = family(database, school, "Exact")
    add_invoice(database, school, fam, (("33.33", ""), ("0.01", "")), due_on=LATE_69)
    found = preview(database)
    assert found.total_overdue == Decimal("33.34")
    assert isinstance(found.families[0].invoices[0].balance, Decimal)


def test_letters_rendered_by_processes_are_sent(database: Database, school: School) -> None:
    families = [family(database, school, f"Proc{index}") for index in range(3)]
    for fam in families:
        add_invoice(database, school, fam, due_on=LATE_69)
    run = sending.send_reminders(
        database, actor_id=school.registrar_id, as_of=TODAY, workers=2, chunk=2
    )
    assert sorted(letter.family_id for letter in run.letters) == sorted(families)
    assert all(letter.pdf.startswith(b"%PDF") for letter in run.letters)


def test_a_family_reminded_while_the_batch_runs_gets_nothing_twice(
    database: Database, school: School
) -> None:
    # Its letter was rendered ahead from the preview; someone reminds it meanwhile.
    families = [family(database, school, f"Pendant{index}") for index in range(3)]
    for fam in families:
        add_invoice(database, school, fam, due_on=LATE_69)
    last = families[2]

    def meanwhile(done: int, _total: int) -> None:
        if done == 1:
            with database.write() as uow:
                sending.send_family_reminders(
                    uow, actor_id=school.registrar_id, family_ids=[last], as_of=TODAY
                )

    run = sending.send_reminders(
        database,
        actor_id=school.registrar_id,
        as_of=TODAY,
        workers=2,
        chunk=1,
        progress=meanwhile,
    )
    assert sorted(letter.family_id for letter in run.letters) == sorted(families[:2])
    with database.read() as uow:
        letters = uow.session.exec(
            select(ReminderLetter).where(col(ReminderLetter.family_id) == last)
        ).all()
    assert len(letters) == 1


def test_a_letter_rendered_before_a_payment_is_rendered_again(
    database: Database, school: School
) -> None:
    fam = family(database, school, "Entre-deux")
    invoice = add_invoice(database, school, fam, due_on=LATE_69)
    stale = preview(database).families[0]
    with database.write() as uow:
        post_payment(uow, cash(school, fam, "100.00", "275.00", invoices=(invoice,)))
    ready = {fam: sending.PrerenderedLetter(stale, TODAY, b"%PDF-stale")}
    with database.write() as uow:
        sent = sending.send_family_reminders(
            uow, actor_id=school.registrar_id, family_ids=[fam], as_of=TODAY, prerendered=ready
        )
    assert sent[0].total_overdue == D("175.00") and sent[0].pdf != b"%PDF-stale"


def test_the_settings_form_names_the_field_it_refuses_and_writes_nothing(
    database: Database, school: School
) -> None:
    from registrar_tui.services.core.errors import InvalidInput

    def save(**typed: str) -> service.ReminderSettings:
        form = {
            "days_overdue": "45",
            "text_fr": "Deuxième avis.\nMerci.",
            "text_en": "Second notice.",
            "min_balance": "15,00 $",
        } | typed
        with database.write() as uow:
            return service.save_reminder_settings(
                uow, actor_id=school.admin_id, level=2, language="fr_CA", **form
            )

    for typed, field in (
        ({"days_overdue": "quarante"}, "days"),
        ({"days_overdue": "25"}, "days"),  # under level 1's 30
        ({"text_en": "   "}, "text_en"),
        ({"text_fr": "x" * (service.MAX_TEXT + 1)}, "text_fr"),
        ({"min_balance": "-3,00"}, "min_balance"),
    ):
        with pytest.raises(InvalidInput) as refused:
            save(**typed)
        assert refused.value.field == field, typed
    with database.read() as uow:
        assert service.reminder_settings(uow).of(2).days_overdue == 60
        assert uow.session.exec(select(AuditEvent)).all() == []
    settings = save()
    # The paragraphs are kept (the letter prints one per line).
    assert settings.of(2) == service.LevelSettings(
        2, 45, "Deuxième avis.\nMerci.", "Second notice."
    )
    assert settings.min_balance == D("15.00")
    with database.read() as uow:
        actions = sorted(e.action for e in uow.session.exec(select(AuditEvent)).all())
    assert actions == [service.LEVEL_ACTION, service.POLICY_ACTION]


def test_the_list_reads_in_french_order(database: Database, school: School) -> None:
    """Accents and case do not push a family to the end of its letter: the registrar
    finds « Bélanger » between « Arsenault » and « Blais », « Émond » among the E."""
    for name in ("Blais", "Émond", "Bélanger", "arsenault", "Dubé", "Bolduc"):
        add_invoice(database, school, family(database, school, name), due_on=LATE_69)
    names = [f.family_name for f in preview(database).families]
    assert names == [
        "Famille arsenault",
        "Famille Bélanger",
        "Famille Blais",
        "Famille Bolduc",
        "Famille Dubé",
        "Famille Émond",
    ]
