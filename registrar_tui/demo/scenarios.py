"""Guaranteed scenario data: the same families, invoices and requests for every N and seed.

Created first, so their ids and numbers are fixed (the README and the end-to-end tests
rely on them):

- F0000001 Tremblay (MTL): payer Hélène Tremblay; student Florence Tremblay (piano, new
  this autumn). FAC00000001 (AUT-2026): piano 200,00 + registration 50,00 + voluntary
  "Fondation du Conservatoire" 25,00, unpaid → balance 275,00 $.
- F0000002 Tremblay (QC): Marc-André Tremblay (payer) and Julie Gagnon; student
  Jean-François Tremblay (piano + solfège since 2024, full history). Everything paid.
  Pending: new address for Marc-André; re-enrolment for HIV-2027 in piano and solfège
  with a note.
- F0000003 Côté (GAT, 7-digit student numbers): Stéphane Côté; students Émile and Zoé.
  Two unpaid invoices: FAC00000010 ETE-2026 (due 2026-06-19, 111,00 $) and FAC00000011
  AUT-2026 (due 2026-10-15, 575,00 $): 686,00 $ in all. Pending: Émile's birth date
  correction (2014-03-12 → 2014-12-03).
- F0000004 Tremblay (MTL): Luc Tremblay; student Camille Tremblay. Paid this morning in
  cash 40,00 $ more than owed → family credit 40,00 $. Pending phone change in conflict
  (the phone changed after the family submitted it).
- Activity 1 "Dîners-bénéfice de la Fondation": three lunches at 5,50 $, deadline
  2026-11-27, nobody registered from the families above.
"""

from __future__ import annotations

from datetime import date

from registrar_tui.demo.activities import ActivityInfo, ItemSpec, create_activity
from registrar_tui.demo.billing import LineSpec, add_payment, create_invoice
from registrar_tui.demo.context import CURRENT_TERM, DemoContext, TermInfo, at
from registrar_tui.demo.people import (
    FamilyProfile,
    GuardianSpec,
    StudentProfile,
    StudentSpec,
    insert_family,
)
from registrar_tui.demo.requests import change_request, reenrolment_request
from registrar_tui.models import ActivityKind, ChangeTarget

TREMBLAY_BALANCE_CENTS = 27_500
LUNCH_PRICE_CENTS = 550
FOUNDATION = "FONDATION"
ASSOCIATION = "ASSO-ETU"


def _lines(
    ctx: DemoContext,
    term: TermInfo,
    billed: list[tuple[StudentProfile, bool]],
    voluntary: tuple[tuple[str, bool], ...] = (),
) -> list[LineSpec]:
    """Tuition for each discipline, registration when asked, then (code, declined) lines."""
    fees = ctx.ref.fees[term.index]
    several = len(billed) > 1
    lines: list[LineSpec] = []
    for student, registration in billed:
        who = f" ({student.first_name})" if several else ""
        disciplines = student.disciplines[:1] if term.season.value == "ETE" else student.disciplines
        for disc in disciplines:
            fee = fees[f"SCO-{disc.code}"]
            lines.append(LineSpec(fee.code, fee.description + who, fee.amount_cents))
        if registration:
            fee = fees["INS"]
            lines.append(LineSpec(fee.code, fee.description + who, fee.amount_cents))
    for code, declined in voluntary:
        fee = fees[code]
        lines.append(LineSpec(fee.code, fee.description, fee.amount_cents, True, declined))
    return lines


def _term_invoice(
    ctx: DemoContext,
    family: FamilyProfile,
    term_index: int,
    billed: list[tuple[StudentProfile, bool]],
    voluntary: tuple[tuple[str, bool], ...] = (),
    *,
    paid_by: str | None = None,
) -> tuple[int, int]:
    term = ctx.ref.terms[term_index]
    invoice_id, total = create_invoice(
        ctx,
        family,
        description=f"Droits de scolarité — {term.label}",
        lines=_lines(ctx, term, billed, voluntary),
        issued_on=term.issued_on,
        due_on=term.due_on,
        term=term,
        student_id=billed[0][0].id if len(billed) == 1 else None,
    )
    if paid_by is not None:
        when = at(term.issued_on.replace(day=min(term.issued_on.day + 12, 28)), 15, 10)
        add_payment(ctx, family, when, total, [(invoice_id, total)], method=paid_by)
    return invoice_id, total


def create_scenarios(ctx: DemoContext) -> tuple[list[FamilyProfile], ActivityInfo]:
    families = [_helene(ctx), _jean_francois(ctx), _cote(ctx), _luc(ctx)]
    activity = create_activity(
        ctx,
        kind=ActivityKind.FUNDRAISING,
        title="Dîners-bénéfice de la Fondation",
        description="Trois dîners au profit de la Fondation du Conservatoire; 5,50 $ par dîner.",
        held_on=date(2026, 12, 2),
        deadline=date(2026, 11, 27),
        est=0,
        items=[
            ItemSpec("Dîner pizza du 2 décembre", LUNCH_PRICE_CENTS, date(2026, 12, 2)),
            ItemSpec("Dîner spaghetti du 9 décembre", LUNCH_PRICE_CENTS, date(2026, 12, 9)),
            ItemSpec("Dîner tacos du 16 décembre", LUNCH_PRICE_CENTS, date(2026, 12, 16)),
        ],
    )
    return families, activity


def _helene(ctx: DemoContext) -> FamilyProfile:
    helene = GuardianSpec(
        "Hélène", "Tremblay", "Mère", "514-555-0134", "helene.tremblay@example.com",
        "4521, rue Saint-Denis", "Montréal", "H2J 2L3", phone_alt="514-555-0187",
    )  # fmt: skip
    florence = StudentSpec(
        "Florence", "Tremblay", "F", date(2013, 4, 18), ("PIA",), start=CURRENT_TERM,
        code_suffix=1,
    )  # fmt: skip
    family = insert_family(ctx, 0, [helene], [florence], scripted=True)
    _id, total = _term_invoice(
        ctx, family, CURRENT_TERM, [(family.students[0], True)], ((FOUNDATION, False),)
    )
    assert total == TREMBLAY_BALANCE_CENTS, total
    return family


def _jean_francois(ctx: DemoContext) -> FamilyProfile:
    marc = GuardianSpec(
        "Marc-André", "Tremblay", "Père", "418-555-0163", "marc-andre.tremblay@example.org",
        "1875, chemin Sainte-Foy", "Québec", "G1S 2P1",
    )  # fmt: skip
    julie = GuardianSpec(
        "Julie", "Gagnon", "Mère", "418-555-0118", "julie.gagnon@example.net",
        "1875, chemin Sainte-Foy", "Québec", "G1S 2P1",
    )  # fmt: skip
    jf = StudentSpec(
        "Jean-François", "Tremblay", "M", date(2010, 9, 2), ("PIA", "SOL"), start=0,
        summers=(2,), entry_year=2019, code_suffix=1,
    )  # fmt: skip
    family = insert_family(ctx, 1, [marc, julie], [jf], scripted=True)
    student = family.students[0]
    for term_index in student.terms:
        autumn = ctx.ref.terms[term_index].season.value == "AUT"
        voluntary = (
            ((FOUNDATION, False), (ASSOCIATION, term_index == CURRENT_TERM)) if autumn else ()
        )
        _term_invoice(ctx, family, term_index, [(student, autumn)], voluntary,
                      paid_by="credit_card")  # fmt: skip
    change_request(
        ctx, family, ChangeTarget.GUARDIAN, marc.id,
        [("address_line", marc.address_line, "88, rue des Braves"),
         ("city", marc.city, "Québec"),
         ("postal_code", marc.postal_code, "G1R 3J9")],
        at(date(2026, 11, 16), 23, 40),
    )  # fmt: skip
    reenrolment_request(
        ctx, family, student, ("PIA", "SOL"),
        "Jean-François souhaite poursuivre le piano avec le même professeur et garder "
        "le solfège le samedi matin.",
        at(date(2026, 11, 12), 1, 15),
    )  # fmt: skip
    return family


def _cote(ctx: DemoContext) -> FamilyProfile:
    stephane = GuardianSpec(
        "Stéphane", "Côté", "Père", "819-555-0147", "stephane.cote@example.com",
        "62, rue Jacques-Cartier", "Gatineau", "J8X 2S4",
    )  # fmt: skip
    emile = StudentSpec(
        "Émile", "Côté", "M", date(2014, 3, 12), ("GUI", "SOL"), start=3, summers=(5,),
        code_suffix=1,
    )  # fmt: skip
    zoe = StudentSpec("Zoé", "Côté", "F", date(2016, 7, 28), ("VLN",), start=6, code_suffix=1)
    family = insert_family(ctx, 2, [stephane], [emile, zoe], scripted=True)
    e, z = family.students
    _term_invoice(ctx, family, 3, [(e, True)], ((FOUNDATION, False),), paid_by="debit")
    _term_invoice(ctx, family, 4, [(e, False)], paid_by="cheque")
    _term_invoice(ctx, family, 5, [(e, False)])
    _term_invoice(ctx, family, CURRENT_TERM, [(e, True), (z, True)], ((FOUNDATION, False),))
    change_request(
        ctx, family, ChangeTarget.STUDENT, e.id,
        [("birth_date", e.birth_date.isoformat(), "2014-12-03")],
        at(date(2026, 11, 19), 18, 5),
    )  # fmt: skip
    return family


def _luc(ctx: DemoContext) -> FamilyProfile:
    luc = GuardianSpec(
        "Luc", "Tremblay", "Père", "514-555-0190", "luc.tremblay@example.com",
        "7120, avenue Christophe-Colomb", "Montréal", "H2S 2H4",
    )  # fmt: skip
    camille = StudentSpec(
        "Camille", "Tremblay", "F", date(2012, 11, 5), ("CHT", "FAU"), start=3, code_suffix=1
    )
    family = insert_family(ctx, 0, [luc], [camille], scripted=True)
    student = family.students[0]
    _term_invoice(ctx, family, 3, [(student, True)], ((FOUNDATION, True),), paid_by="cash")
    _term_invoice(ctx, family, 4, [(student, False)], paid_by="debit")
    invoice_id, total = _term_invoice(
        ctx, family, CURRENT_TERM, [(student, True)], ((FOUNDATION, False), (ASSOCIATION, True))
    )
    add_payment(ctx, family, at(date(2026, 11, 23), 14, 5), total + 4000,
                [(invoice_id, total)], method="cash")  # fmt: skip
    family.credit = True
    change_request(
        ctx, family, ChangeTarget.GUARDIAN, luc.id,
        [("phone", "514-555-0177", "438-555-0102")],
        at(date(2026, 11, 2), 16, 30),
    )  # fmt: skip
    return family
