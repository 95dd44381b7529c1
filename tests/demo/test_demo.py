"""The demo database: deterministic, consistent money, the guaranteed scenario data."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from registrar_tui.db import Database
from registrar_tui.demo import DEMO_ACCOUNTS, database_is_empty, generate_demo
from registrar_tui.models import (
    Activity,
    ActivityItem,
    ActivityRegistration,
    Allocation,
    ChangeRequest,
    ChangeRequestField,
    Course,
    Discipline,
    Enrolment,
    Establishment,
    Family,
    Guardian,
    Invoice,
    InvoiceLine,
    Payment,
    Receipt,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    StaffUser,
    Student,
    Teacher,
    Term,
    WaitingListEntry,
)
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.errors import DomainError, InvalidInput
from registrar_tui.services.core.identifiers import code_permanent_warnings, parse_student_number
from registrar_tui.services.ledger.declines import LINE_IS_DECLINED, declined_lines
from registrar_tui.services.requests.reenrolment.decide import validate_reenrolment
from registrar_tui.services.staff.passwords import verify_password
from tests.conftest import fixed_clock

FAMILIES = 30


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order (password hashes are salted)."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as uow:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name != "password_hash"]
            rows = uow.session.execute(select(*columns).order_by(*table.primary_key.columns))
            dump[table.name] = [tuple(row) for row in rows]
    # PostgreSQL serialises writers on lock rows that stay at 0 (SQLite has no need of
    # them): not data, and not the same on both backends.
    dump["number_sequence"] = [row for row in dump["number_sequence"] if row[-1] != 0]
    return dump


def _sqlite(template: Path, tmp_path: Path, name: str) -> Database:
    """A SQLite copy of the migrated template (the rows migrations seed included)."""
    shutil.copyfile(template, tmp_path / name)
    return Database.open(str(tmp_path / name), clock=fixed_clock)


@pytest.fixture
def demo(database: Database) -> Database:
    generate_demo(database, families=FAMILIES, seed=7)
    return database


def test_same_seed_gives_the_same_rows_and_another_seed_others(
    database: Database, tmp_path: Path, sqlite_template: Path
) -> None:
    first = generate_demo(database, families=FAMILIES, seed=7)
    again = _sqlite(sqlite_template, tmp_path, "again.db")
    other = _sqlite(sqlite_template, tmp_path, "other.db")
    try:
        generate_demo(again, families=FAMILIES, seed=7)
        generate_demo(other, families=FAMILIES, seed=8)
        reference = _dump(database)
        assert _dump(again) == reference
        assert _dump(other)["guardian"] != reference["guardian"]
    finally:
        again.dispose()
        other.dispose()
    assert first.families == FAMILIES + 4  # the guaranteed scenario families come first
    assert first.students == len(reference["student"])
    assert first.invoices == len(reference["invoice"])
    assert first.payments == len(reference["payment"])


def test_empty_until_generated_and_never_generated_twice(database: Database) -> None:
    assert database_is_empty(database)
    generate_demo(database, families=5)
    assert not database_is_empty(database)
    with pytest.raises(InvalidInput):
        generate_demo(database, families=5)


def _balance(uow: Any, family_id: int) -> Decimal:
    kept = uow.session.execute(
        select(func.coalesce(func.sum(InvoiceLine.amount), Decimal(0)))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.family_id == family_id, ~LINE_IS_DECLINED)
    ).scalar_one()
    allocated = uow.session.execute(
        select(func.coalesce(func.sum(Allocation.amount), Decimal(0)))
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .where(Invoice.family_id == family_id)
    ).scalar_one()
    return kept - allocated


def test_helene_tremblay_owes_exactly_275_dollars_with_a_kept_foundation_line(
    demo: Database,
) -> None:
    with demo.read() as uow:
        payer = uow.session.execute(
            select(Guardian).where(Guardian.first_name == "Hélène", Guardian.is_payer)
        ).scalar_one()
        family = uow.session.get(Family, payer.family_id)
        assert family is not None and family.name == "Tremblay"
        assert _balance(uow, payer.family_id) == Decimal("275.00")
        invoices = uow.session.execute(
            select(Invoice).where(Invoice.family_id == payer.family_id)
        ).scalars()
        (invoice,) = list(invoices)
        term = uow.session.get(Term, invoice.term_id)
        assert term is not None and term.code == "AUT-2026"
        lines = uow.session.execute(
            select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
        ).scalars()
        by_code = {line.fee_code: line for line in lines}
        assert by_code["FONDATION"].amount == Decimal("25.00")
        assert "Fondation du Conservatoire" in by_code["FONDATION"].description
        assert by_code["FONDATION"].is_voluntary
        assert by_code["FONDATION"].id not in declined_lines(uow, [invoice.id])
        assert {"SCO-PIA", "INS"} <= set(by_code)
        students = uow.session.execute(
            select(func.count()).where(Student.family_id == payer.family_id)
        ).scalar_one()
        assert students == 1


def test_counter_scenarios_are_present(demo: Database) -> None:
    with demo.read() as uow:
        s = uow.session
        tremblays = s.execute(
            select(func.count()).select_from(Family).where(Family.name == "Tremblay")
        ).scalar_one()
        assert tremblays >= 3
        assert s.execute(select(Student).where(Student.first_name == "Jean-François")).first()
        # Debit over two invoices: two unpaid invoices, different due dates, more than 400 $.
        cote = s.execute(select(Family).where(Family.name == "Côté")).scalars().first()
        assert cote is not None
        unpaid = [
            inv
            for inv in s.execute(select(Invoice).where(Invoice.family_id == cote.id)).scalars()
            if not s.execute(select(Allocation.id).where(Allocation.invoice_id == inv.id)).first()
        ]
        assert len(unpaid) == 2 and unpaid[0].due_on != unpaid[1].due_on
        assert _balance(uow, cote.id) > Decimal("400.00")
        # Fundraising lunches: three at 5,50 $, registrations still open on 2026-11-23.
        lunches = s.execute(
            select(Activity).where(Activity.title.startswith("Dîners-bénéfice"))
        ).scalar_one()
        assert lunches.registration_deadline > date(2026, 11, 23)
        prices = s.execute(
            select(ActivityItem.unit_price).where(ActivityItem.activity_id == lunches.id)
        ).scalars()
        assert list(prices) == [Decimal("5.50")] * 3


def test_pending_requests_cover_address_birth_date_conflict_and_reenrolment(
    demo: Database,
) -> None:
    with demo.read() as uow:
        s = uow.session
        pending = list(
            s.execute(select(ChangeRequest).where(ChangeRequest.status == "pending")).scalars()
        )
        fields: dict[str, list[tuple[ChangeRequest, ChangeRequestField]]] = defaultdict(list)
        conflicts = 0
        for request in pending:
            model = Guardian if request.target_kind == "guardian" else Student
            record = s.get(model, request.target_id)
            assert record is not None and record.family_id == request.family_id
            for field in s.execute(
                select(ChangeRequestField).where(ChangeRequestField.request_id == request.id)
            ).scalars():
                fields[field.field_name].append((request, field))
                current = getattr(record, field.field_name)
                current = current.isoformat() if isinstance(current, date) else current
                conflicts += field.value_at_submission != current
        assert fields["address_line"] and fields["birth_date"]
        assert 1 <= conflicts < len(pending)
        requests = s.execute(
            select(ReenrolmentRequest).where(ReenrolmentRequest.status == "pending")
        ).scalars()
        found = False
        for request in requests:
            codes = set(
                s.execute(
                    select(Discipline.code)
                    .join(ReenrolmentRequestDiscipline)
                    .where(ReenrolmentRequestDiscipline.request_id == request.id)
                ).scalars()
            )
            term = s.get(Term, request.term_id)
            assert term is not None and term.code == "HIV-2027"
            found = found or (codes == {"PIA", "SOL"} and bool(request.note))
        assert found
        # Every request came from the portal: its account is their submitter.
        submitters = set(s.execute(select(ChangeRequest.submitted_by_id)).scalars()) | set(
            s.execute(select(ReenrolmentRequest.submitted_by_id)).scalars()
        )
        portal = s.execute(select(StaffUser).where(StaffUser.username == "portail")).scalar_one()
        assert submitters == {portal.id} and portal.role == "portal"
        assert not verify_password(portal.password_hash, "")


def test_receipts_are_gapless_per_establishment_and_chained(demo: Database) -> None:
    with demo.read() as uow:
        report = verify_chains(uow)
        count = uow.session.execute(select(func.count()).select_from(Receipt)).scalar_one()
        assert report.breaks == () and report.receipts_checked == count > 0
        series: dict[tuple[int, str], list[int]] = defaultdict(list)
        codes = {
            est_id: code
            for est_id, code in uow.session.execute(select(Establishment.id, Establishment.code))
        }
        rows = uow.session.execute(
            select(Receipt.establishment_id, Receipt.number).order_by(Receipt.id)
        ).all()
        for establishment_id, number in rows:
            match = re.fullmatch(r"([A-Z]+)-(\d{4})-(\d{6})", number)
            assert match and match.group(1) == codes[establishment_id]
            series[(establishment_id, match.group(2))].append(int(match.group(3)))
        for numbers in series.values():
            assert numbers == list(range(1, len(numbers) + 1))


def test_no_invoice_is_allocated_more_than_its_kept_lines(demo: Database) -> None:
    with demo.read() as uow:
        over = uow.session.execute(
            text(
                "SELECT i.id FROM invoice i WHERE "
                "(SELECT COALESCE(SUM(amount_cents), 0) FROM allocation a "
                " WHERE a.invoice_id = i.id) > "
                "(SELECT COALESCE(SUM(amount_cents), 0) FROM invoice_line l "
                " WHERE l.invoice_id = i.id AND NOT EXISTS (SELECT 1 FROM contribution_choice c"
                "  WHERE c.invoice_line_id = l.id AND c.declined AND NOT EXISTS ("
                "   SELECT 1 FROM contribution_choice n"
                "   WHERE n.invoice_line_id = l.id AND n.id > c.id)))"
            )
        ).all()
        assert over == []
        payments = uow.session.execute(
            text(
                "SELECT p.id FROM payment p WHERE p.amount_cents < "
                "(SELECT COALESCE(SUM(amount_cents), 0) FROM allocation a "
                " WHERE a.payment_id = p.id)"
            )
        ).all()
        assert payments == []
        methods = set(uow.session.execute(select(Payment.method)).scalars())
        assert {"cash", "debit", "credit_card", "cheque", "certified_cheque"} <= methods
        registrations = uow.session.execute(
            select(func.count()).select_from(ActivityRegistration)
        ).scalar_one()
        assert registrations > 0


def test_codes_permanents_and_student_numbers_are_valid(demo: Database) -> None:
    with demo.read() as uow:
        digits = {
            est_id: count
            for est_id, count in uow.session.execute(
                select(Establishment.id, Establishment.student_number_digits)
            )
        }
        assert sorted(digits.values()) == [7, 9, 9]
        for student in uow.session.execute(select(Student)).scalars():
            assert student.code_permanent is not None
            warnings = code_permanent_warnings(
                student.code_permanent,
                student.first_name,
                student.last_name,
                student.birth_date,
                student.sex,
            )
            assert warnings == [], (student.first_name, student.last_name, warnings)
            number = student.student_number
            assert parse_student_number(number, digits[student.establishment_id]) == number


def test_demo_accounts_log_in_and_new_rows_get_fresh_ids(demo: Database) -> None:
    with demo.read() as uow:
        for username, password, role in DEMO_ACCOUNTS:
            user = uow.session.execute(
                select(StaffUser).where(StaffUser.username == username)
            ).scalar_one()
            assert user.role == role
            assert verify_password(user.password_hash, password)
            assert not verify_password(user.password_hash, password + "x")
    with demo.write() as uow:  # on PostgreSQL the sequences were moved past our ids
        teacher = Teacher(first_name="Nouvelle", last_name="Enseignante")
        uow.session.add(teacher)
        uow.session.flush()
        highest = uow.session.execute(select(func.max(Teacher.id))).scalar_one()
        assert teacher.id == highest


def test_search_finds_the_tremblays_and_helene(demo: Database) -> None:
    search = pytest.importorskip("registrar_tui.services.search.query")
    with demo.read() as uow:
        trem = search.search(uow, "trem")
        assert sum(hit.title.startswith("Famille Tremblay") for hit in trem.rows) >= 3 or (
            len({hit.family_id for hit in trem.rows}) >= 3
        )
        helene = search.search(uow, "helene")
        assert any("Hélène" in hit.title for hit in helene.rows)


def test_every_group_is_scheduled_and_next_terms_groups_are_rolled_over(demo: Database) -> None:
    with demo.read() as uow:
        s = uow.session
        terms = {t.id: t.code for t in s.execute(select(Term)).scalars()}
        courses = list(s.execute(select(Course)).scalars())
        assert all(c.weekday and c.starts_at and c.ends_at and c.room and c.level for c in courses)
        winter = [c for c in courses if terms[c.term_id] == "HIV-2027"]
        by_id = {c.id: c for c in courses}
        rolled = [c for c in winter if c.rolled_from_id is not None]
        assert rolled and all(terms[by_id[c.rolled_from_id].term_id] == "AUT-2026" for c in rolled)
        for course in rolled:
            origin = by_id[course.rolled_from_id]
            assert (course.teacher_id, course.weekday, course.starts_at, course.capacity) == (
                origin.teacher_id,
                origin.weekday,
                origin.starts_at,
                origin.capacity,
            )
        taken = dict(
            s.execute(
                select(Enrolment.course_id, func.count(Enrolment.id))
                .where(Enrolment.status == "active")
                .group_by(Enrolment.course_id)
            ).all()
        )
        full = [c for c in winter if taken.get(c.id, 0) >= c.capacity]
        assert full  # one full group, and someone in its line
        assert (
            s.execute(select(WaitingListEntry).where(WaitingListEntry.course_id == full[0].id))
            .scalars()
            .all()
        )


def test_every_pending_reenrolment_request_validates(demo: Database) -> None:
    with demo.read() as uow:
        pending = list(
            uow.session.execute(
                select(ReenrolmentRequest.id)
                .where(ReenrolmentRequest.status == "pending")
                .order_by(ReenrolmentRequest.id)
            ).scalars()
        )
        registrar = (
            uow.session.execute(select(StaffUser.id).where(StaffUser.role == "registrar"))
            .scalars()
            .first()
        )
    assert pending and registrar is not None
    refused = []
    for request_id in pending:
        try:
            with demo.write() as uow:
                validate_reenrolment(uow, request_id, registrar)
        except DomainError as error:
            refused.append(f"{request_id}: {error.translated()}")
    assert refused == []


def test_the_dashboard_receivables_of_the_demo_are_its_ledgers(demo: Database) -> None:
    """The running sums behind the dashboard's receivables equal the ledger's on the demo
    (PostgreSQL: the bulk load suspends their triggers and sums once), and the triggers
    are back on after it: a payment moves them."""
    from registrar_tui.services.interchange.ageing import ageing_totals, running_ageing_totals
    from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
    from registrar_tui.services.ledger.statement import statement

    days = [date(2026, 11, 23), date(2026, 12, 15), date(2027, 3, 1)]  # the demo's today on
    with demo.read() as uow:
        for day in days:
            assert running_ageing_totals(uow, day) == ageing_totals(uow, day), day
        owed = running_ageing_totals(uow, days[-1]).total
        family_id, due = next(
            (family_id, seen)
            for family_id in uow.session.execute(select(Family.id).order_by(Family.id)).scalars()
            if (seen := statement(uow, family_id).total_due) > 0
        )
        clerk_id = (
            uow.session.execute(select(StaffUser.id).order_by(StaffUser.id)).scalars().first()
        )
        site_id = (
            uow.session.execute(select(Establishment.id).order_by(Establishment.id))
            .scalars()
            .first()
        )
    assert clerk_id is not None and site_id is not None
    with demo.write() as uow:
        post_payment(
            uow,
            PaymentRequest(
                idempotency_key="demo-ageing-1",
                family_id=family_id,
                establishment_id=site_id,
                clerk_id=clerk_id,
                amount=Decimal("1.00"),
                method="cash",  # type: ignore[arg-type]
                seen_balance=due,
                amount_tendered=Decimal("1.00"),
            ),
        )
    with demo.read() as uow:
        assert running_ageing_totals(uow, days[-1]).total == owed - Decimal("1.00")
        assert running_ageing_totals(uow, days[-1]) == ageing_totals(uow, days[-1])
