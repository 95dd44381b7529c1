"""The slips as documents: one PDF per student and year, the year's summary PDF and CSV.

A slip's PDF is rendered from its row (every box is stored), in the family's language:
the same slip always prints the same way, so nothing but the rows is kept. The student's
PDF shows the current slip of each kind (the last of its chain).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Family, Language, SlipKind, SlipStatus, Student, TaxSlip
from registrar_tui.models.base import require_id
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.documents.build import GeneratedPdf, _issuer_of, _language
from registrar_tui.services.interchange.csv_out import CsvFormat, csv_bytes
from registrar_tui.services.records.sin import mask_sin
from registrar_tui.services.tax_slips.build import current_slips

if TYPE_CHECKING:
    from registrar_tui.reports.documents import DocumentLanguage, Issuer
    from registrar_tui.reports.tax_slip import TaxSlipDocument

ZERO = Decimal("0.00")
MSG_NO_SLIP = N_("Aucun relevé fiscal pour cet élève en {year}.")


@dataclass(frozen=True)
class SlipListRow:
    """One slip as `slips list` and the portal show it."""

    slip_id: int
    year: int
    kind: SlipKind
    number: int
    status: SlipStatus
    amends_number: int | None
    student_id: int
    student_number: str
    student_name: str
    family_id: int
    eligible_tuition: Decimal
    built_at: datetime


def slip_list(uow: UnitOfWork, year: int, *, family_id: int | None = None) -> list[SlipListRow]:
    """Every slip of `year` (or of one family's students), by kind and number."""
    query = (
        select(TaxSlip, Student.student_number, Student.first_name, Student.last_name)
        .join(Student, col(Student.id) == col(TaxSlip.student_id))
        .where(col(TaxSlip.year) == year)
        .order_by(col(TaxSlip.kind), col(TaxSlip.number))
    )
    if family_id is not None:
        query = query.where(col(TaxSlip.family_id) == family_id)
    rows = list(uow.session.exec(query))
    numbers = {slip.id: slip.number for slip, *_rest in rows}
    result = []
    for slip, number, first, last in rows:
        assert slip.id is not None
        amended = numbers.get(slip.amends_id) if slip.amends_id is not None else None
        if slip.amends_id is not None and amended is None:
            amended = uow.session.get_one(TaxSlip, slip.amends_id).number
        result.append(
            SlipListRow(
                slip.id,
                slip.year,
                slip.kind,
                slip.number,
                slip.status,
                amended,
                slip.student_id,
                number,
                f"{first} {last}".strip(),
                slip.family_id,
                slip.eligible_tuition,
                slip.built_at,
            )
        )
    return result


def _periods(text: str) -> tuple[object, ...]:
    from registrar_tui.reports.tax_slip import PeriodRow

    rows = []
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) == 6:
            term, starts, ends, part, full, amount = parts
        else:  # a period without a term: its code is blank
            term, (starts, ends, part, full, amount) = "", parts[-5:]
        rows.append(PeriodRow(term, starts, ends, int(part), int(full), Decimal(amount)))
    return tuple(rows)


def _current_of(slips: list[TaxSlip]) -> tuple[list[TaxSlip], dict[int | None, int]]:
    """A student's current slips of a year (the last of each chain, by kind), and every
    slip's number by id (an amendment prints the number it amends)."""
    replaced = {slip.amends_id for slip in slips}
    current = sorted(
        (slip for slip in slips if slip.id not in replaced), key=lambda slip: slip.kind.value
    )
    return current, {slip.id: slip.number for slip in slips}


def _slip_document(
    student: Student,
    year: int,
    current: list[TaxSlip],
    numbers: dict[int | None, int],
    issuer: Issuer,
    language: DocumentLanguage,
) -> TaxSlipDocument:
    """The student's PDF content: the same for one student (`student_slips_pdf`) and for a
    whole year (`year_slip_documents`)."""
    from registrar_tui.reports.tax_slip import SlipBoxes, TaxSlipDocument

    city_line = " ".join(
        part for part in (student.city, student.province, student.postal_code) if part
    )
    return TaxSlipDocument(
        issuer=issuer,
        year=year,
        student_name=f"{student.first_name} {student.last_name}".strip(),
        student_number=student.student_number,
        address_lines=tuple(part for part in (student.address_line, city_line) if part)
        if student.address_line or student.city
        else (),
        sin_masked=mask_sin(student.social_insurance_number),
        slips=tuple(
            SlipBoxes(
                kind=slip.kind.value,
                number=slip.number,
                status=slip.status.value,
                amends_number=numbers.get(slip.amends_id) if slip.amends_id else None,
                eligible_tuition=slip.eligible_tuition,
                full_time_sessions=slip.full_time_sessions,
                months_part_time=slip.months_part_time,
                months_full_time=slip.months_full_time,
                periods=_periods(slip.periods),  # type: ignore[arg-type]
                program_name=slip.program_name,
            )
            for slip in current
        ),
        built_at=max(slip.built_at for slip in current),
        language=language,
    )


def slip_filename(year: int, student_number: str) -> str:
    return f"releves-{year}-{student_number}.pdf"


def student_slips_pdf(
    uow: UnitOfWork, student_id: int, year: int, *, language: str | None = None
) -> GeneratedPdf:
    """The student's current slips of `year` as one PDF (NotFound: none were issued)."""
    from registrar_tui.reports.tax_slip import render_tax_slips

    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Élève introuvable."), field="student")
    slips = list(
        uow.session.exec(
            select(TaxSlip).where(col(TaxSlip.year) == year, col(TaxSlip.student_id) == student_id)
        )
    )
    current, numbers = _current_of(slips)
    if not current:
        raise NotFound(MSG_NO_SLIP, field="year", year=year)
    document = _slip_document(
        student,
        year,
        current,
        numbers,
        _issuer_of(uow, student.establishment_id),
        _language(uow, student.family_id, language),
    )
    return GeneratedPdf(
        kind="tax-slips",
        filename=slip_filename(year, student.student_number),
        pdf=render_tax_slips(document),
    )


def year_slip_documents(
    uow: UnitOfWork, year: int, student_ids: Sequence[int]
) -> list[tuple[str, TaxSlipDocument]]:
    """(file name, content) of each student's PDF of `year` (students without a slip left
    out), read in a few queries per 1,000 students instead of several per student: the
    bulk writer renders them in worker processes (`services/tax_slips/bulk.py`)."""
    ids = sorted(set(student_ids))
    issuers: dict[int, Issuer] = {}
    result: list[tuple[str, TaxSlipDocument]] = []
    for chunk_start in range(0, len(ids), 1000):
        chunk = ids[chunk_start : chunk_start + 1000]
        students = {
            require_id(student): student
            for student in uow.session.exec(select(Student).where(col(Student.id).in_(chunk)))
        }
        slips: dict[int, list[TaxSlip]] = defaultdict(list)
        for slip in uow.session.exec(
            select(TaxSlip).where(col(TaxSlip.year) == year, col(TaxSlip.student_id).in_(chunk))
        ):
            slips[slip.student_id].append(slip)
        family_ids = {student.family_id for student in students.values()}
        languages = {
            family_id: str(language)
            for family_id, language in uow.session.exec(
                select(Family.id, Family.language).where(col(Family.id).in_(family_ids))
            )
        }
        for student_id in chunk:
            student = students.get(student_id)
            if student is None:
                continue
            current, numbers = _current_of(slips.get(student_id, []))
            if not current:
                continue
            if student.establishment_id not in issuers:
                issuers[student.establishment_id] = _issuer_of(uow, student.establishment_id)
            language: DocumentLanguage = (
                "en" if languages.get(student.family_id) == Language.ENGLISH else "fr_CA"
            )
            result.append(
                (
                    slip_filename(year, student.student_number),
                    _slip_document(
                        student,
                        year,
                        current,
                        numbers,
                        issuers[student.establishment_id],
                        language,
                    ),
                )
            )
    return result


def latest_student_slips_pdf(uow: UnitOfWork, student_id: int) -> GeneratedPdf:
    """The student's slips of the latest year that has some (NotFound: none ever issued)."""
    year = uow.session.exec(
        select(TaxSlip.year)
        .where(col(TaxSlip.student_id) == student_id)
        .order_by(col(TaxSlip.year).desc())
    ).first()
    if year is None:
        raise NotFound(N_("Aucun relevé fiscal pour cet élève."), field="student")
    return student_slips_pdf(uow, student_id, year)


@dataclass(frozen=True)
class BoxTotals:
    kind: SlipKind
    status: SlipStatus
    count: int
    eligible_tuition: Decimal
    full_time_sessions: int
    months_part_time: int
    months_full_time: int


def year_totals(uow: UnitOfWork, year: int) -> list[BoxTotals]:
    """Per kind and status: how many slips of `year` and the totals of their boxes."""
    sums: dict[tuple[SlipKind, SlipStatus], _Sum] = defaultdict(_Sum)
    for slip in uow.session.exec(select(TaxSlip).where(col(TaxSlip.year) == year)):
        entry = sums[slip.kind, slip.status]
        entry.count += 1
        entry.eligible_tuition += slip.eligible_tuition
        entry.full_time_sessions += slip.full_time_sessions
        entry.months_part_time += slip.months_part_time
        entry.months_full_time += slip.months_full_time
    order = {SlipStatus.ORIGINAL: 0, SlipStatus.AMENDED: 1, SlipStatus.CANCELLED: 2}
    keys = sorted(sums, key=lambda key: (key[0].value, order[key[1]]))
    return [
        BoxTotals(
            kind,
            status,
            sums[kind, status].count,
            sums[kind, status].eligible_tuition,
            sums[kind, status].full_time_sessions,
            sums[kind, status].months_part_time,
            sums[kind, status].months_full_time,
        )
        for kind, status in keys
    ]


@dataclass
class _Sum:
    count: int = 0
    eligible_tuition: Decimal = ZERO
    full_time_sessions: int = 0
    months_part_time: int = 0
    months_full_time: int = 0


def summary_csv(uow: UnitOfWork, year: int, fmt: CsvFormat = CsvFormat()) -> bytes:
    """The year's totals per box as CSV (the shared writer: BOM, delimiter, decimals)."""
    header = [
        "year",
        "kind",
        "status",
        "count",
        "eligible_tuition",
        "full_time_sessions",
        "months_part_time",
        "months_full_time",
    ]
    rows = [
        [
            year,
            total.kind.value,
            total.status.value,
            total.count,
            total.eligible_tuition,
            total.full_time_sessions,
            total.months_part_time,
            total.months_full_time,
        ]
        for total in year_totals(uow, year)
    ]
    return csv_bytes(header, rows, fmt)


def summary_pdf(
    uow: UnitOfWork, year: int, establishment_id: int, missing_sin: int, language: str = "fr_CA"
) -> GeneratedPdf:
    """The year's summary PDF (slips by kind and status, totals per box)."""
    from registrar_tui.reports.tax_slip import SlipSummaryDocument, SummaryRow, render_slip_summary

    totals = year_totals(uow, year)
    document = SlipSummaryDocument(
        issuer=_issuer_of(uow, establishment_id),
        year=year,
        rows=tuple(
            SummaryRow(
                t.kind.value,
                t.status.value,
                t.count,
                t.eligible_tuition,
                t.full_time_sessions,
                t.months_part_time,
                t.months_full_time,
            )
            for t in totals
        ),
        missing_sin=missing_sin,
        built_at=uow.now(),
        language="en" if language == "en" else "fr_CA",
    )
    return GeneratedPdf(
        kind="tax-slips-summary",
        filename=f"sommaire-releves-{year}.pdf",
        pdf=render_slip_summary(document),
    )


def students_without_sin(uow: UnitOfWork, year: int) -> int:
    """How many students with a current slip of `year` have no SIN on file."""
    current = current_slips(uow, year)
    ids = {student_id for student_id, _kind in current}
    if not ids:
        return 0
    return len(
        uow.session.exec(
            select(Student.id).where(
                col(Student.id).in_(ids), col(Student.social_insurance_number).is_(None)
            )
        ).all()
    )
