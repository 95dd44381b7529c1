"""Moving in from the old system (scenario 14): dry run, problems by line, one transaction,
old ids remembered, opening balances as « Solde reporté » invoices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import Family, Guardian, Invoice, InvoiceLine
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.interchange.importing import (
    ImportHasProblems,
    apply_file,
    check_file,
)
from registrar_tui.services.records.families import family_balance
from registrar_tui.services.search.query import search
from tests.services.interchange.import_data import (
    FAMILY_HEADER,
    counts,
    csv_bytes,
    family_line,
    school,
)

EXCEL_FAMILIES = csv_bytes(
    [
        FAMILY_HEADER,
        family_line("A-1", site="GAT", first="Émile", last="Lévesque", phone="(819) 555-0199",
                    second=("Zoé", "Bérubé", "819 555 0188")),
        family_line("A-2", payer="2", first="Gaëlle", last="Ouellet", phone="",
                    second=("Loïc", "D'Amours", "514.555.0177")),
        family_line("A-3", name="Côté-Noël", first="François", last="Côté",
                    phone="", email="francois.cote@example.com"),
    ],
    encoding="cp1252",
)  # fmt: skip


def test_a_french_excel_file_imports_in_one_go_and_again_changes_nothing(
    database: Database,
) -> None:
    world = school(database)
    before = counts(database)
    with database.read() as uow:
        dry = check_file(uow, "families", EXCEL_FAMILIES, "familles.csv")
    assert (dry.encoding, dry.delimiter, dry.problems, dry.created) == ("cp1252", ";", (), 3)
    assert counts(database) == before  # the dry run writes nothing

    with database.write() as uow:
        done = apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "familles.csv")
    assert done.applied and done.created == 3
    assert done.created_numbers == ("F0000002", "F0000003", "F0000004")
    with database.read() as uow:
        levesque = uow.session.exec(
            select(Family).where(col(Family.family_number) == "F0000002")
        ).one()
        assert (levesque.name, levesque.establishment_id) == ("Lévesque", world.gat_id)
        payer = uow.session.exec(
            select(Guardian).where(col(Guardian.family_id) == levesque.id, col(Guardian.is_payer))
        ).one()
        assert (payer.first_name, payer.phone) == ("Émile", "819-555-0199")
        # payeur = 2: the second guardian pays
        ouellet_payer = uow.session.exec(
            select(Guardian.first_name)
            .join(Family, col(Family.id) == col(Guardian.family_id))
            .where(col(Family.family_number) == "F0000003", col(Guardian.is_payer))
        ).one()
        assert ouellet_payer == "Loïc"
        assert [hit.title for hit in search(uow, "berube").rows] == ["Famille Lévesque"]
        # named after its payer, as at the counter
        assert [hit.title for hit in search(uow, "514-555-0177").rows] == ["Famille D'Amours"]
        assert [hit.title for hit in search(uow, "noel").rows] == ["Famille Côté-Noël"]

    after_first = counts(database)
    with database.write() as uow:
        again = apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "familles.csv")
    assert (again.created, again.unchanged, again.changed) == (0, 3, ())
    grown = counts(database)
    assert grown["family"] == after_first["family"] and grown["guardian"] == after_first["guardian"]
    assert grown["audit_event"] == after_first["audit_event"] + 1  # the batch, audited


TWENTY_PROBLEMS = csv_bytes(
    [
        FAMILY_HEADER + ";couleur",  # 1: unknown column
        family_line("B-1", site="") + ";",  # 2: required value missing
        family_line("B-2", site="XYZ") + ";",  # 3: unknown establishment
        family_line("B-3", language="klingon") + ";",  # 4: language
        family_line("B-4", payer="3") + ";",  # 5: payer is 1 or 2
        family_line("B-5", payer="2") + ";",  # 6: the payer (2) has no name
        family_line("B-6", phone="555-12") + ";",  # 7: phone
        family_line("B-7", email="pas-un-courriel") + ";",  # 8: e-mail
        family_line("B-8", postal="12345") + ";",  # 9: postal code
        family_line("B-9", province="XX") + ";",  # 10: province
        family_line("B-10", address="4111 1111 1111 1111") + ";",  # 11: card number
        family_line("B-11", city="V" * 101) + ";",  # 12: too long
        family_line("B-12", first="") + ";",  # 13: payer's first name
        family_line("B-13", number="F 12?") + ";",  # 14: family number format
        family_line("B-14", number="F0000001") + ";",  # 15: number already on file
        family_line("B-15", first="Hélène", last="Tremblay", phone="514 555 0134")
        + ";",  # 16: same guardian as the family on file
        family_line("B-16", portal="P 1/2") + ";",  # 17: portal id
        family_line("B-17") + ";",
        family_line("B-17") + ";",  # 18: old id twice in the file
        family_line("B" * 65) + ";",  # 19: old id too long
        family_line("B-19") + ";bleu;vert",  # 20: more cells than columns
        family_line("B-20", first="\u202eAnna[/b]", last="Roy") + ";",  # cleaned, not refused
    ]
)


def test_twenty_kinds_of_problems_are_each_reported_once_and_nothing_is_written(
    database: Database,
) -> None:
    world = school(database)
    before = counts(database)
    with database.read() as uow:
        report = check_file(uow, "families", TWENTY_PROBLEMS, "erreurs.csv")
    where = [(p.line, p.column) for p in report.problems]
    assert where == [
        (1, "couleur"),
        (2, "etablissement"),
        (3, "etablissement"),
        (4, "langue"),
        (5, "payeur"),
        (6, "resp2_nom"),
        (7, "resp1_telephone"),
        (8, "resp1_courriel"),
        (9, "resp1_code_postal"),
        (10, "resp1_province"),
        (11, "resp1_adresse"),
        (12, "resp1_ville"),
        (13, "resp1_prenom"),
        (14, "no_famille"),
        (15, "no_famille"),
        (16, "resp1_nom"),
        (17, "portail_id"),
        (19, "ancien_id"),
        (20, "ancien_id"),
        (21, ""),
    ]
    messages = {p.line: p.translated() for p in report.problems}
    assert messages[3] == "Établissement inconnu : XYZ."
    assert messages[16] == "Une famille semblable existe déjà : F0000001 (Tremblay)."
    assert messages[19] == "Ancien identifiant en double dans le fichier (déjà à la ligne 18)."
    assert "carte" in messages[11]
    with database.write() as uow, pytest.raises(ImportHasProblems):
        apply_file(uow, world.admin_id, "families", TWENTY_PROBLEMS, "erreurs.csv")
    assert counts(database) == before


def test_the_problems_speak_the_users_language(database: Database) -> None:
    from registrar_tui.i18n import set_language

    school(database)
    set_language("en")
    with database.read() as uow:
        report = check_file(uow, "families", TWENTY_PROBLEMS, "errors.csv")
    assert report.problems[2].translated() == "Unknown establishment: XYZ."


def test_a_row_that_differs_from_its_imported_record_is_reported_not_updated(
    database: Database,
) -> None:
    world = school(database)
    with database.write() as uow:
        apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "familles.csv")
    changed = EXCEL_FAMILIES.replace("(819) 555-0199".encode("cp1252"), b"819-555-0111")
    with database.write() as uow:
        report = apply_file(uow, world.admin_id, "families", changed, "familles.csv")
    assert [(c.line, c.old_id, c.fields) for c in report.changed] == [(2, "A-1", ("resp1",))]
    assert (report.created, report.unchanged) == (0, 2)
    with database.read() as uow:
        phones = uow.session.exec(select(Guardian.phone).where(col(Guardian.first_name) == "Émile"))
        assert list(phones) == ["819-555-0199"]


def test_only_an_administrator_imports(database: Database) -> None:
    world = school(database)
    with database.write() as uow, pytest.raises(PermissionDenied):
        apply_file(uow, world.clerk_id, "families", EXCEL_FAMILIES, "familles.csv")


def test_ctrl_c_during_the_import_leaves_nothing(database: Database) -> None:
    world = school(database)
    before = counts(database)

    def interrupted(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), database.write() as uow:
        apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "f.csv", interrupted)
    assert counts(database) == before


STUDENTS = csv_bytes(
    [
        "old_id,family_old_id,first_name,last_name,birth_date,sex,permanent_code,student_number",
        "S-1,A-1,Émile,Lévesque,09/03/2014,M,LEVE09031401,",
        "S-2,A-1,Zoé,Lévesque,2016-05-20,F,,2400042",
        "S-3,A-2,Loïc,D'Amours,2012-01-31,M,,",
    ]
)


def test_students_join_their_families_and_take_the_establishments_numbers(
    database: Database,
) -> None:
    world = school(database)
    with database.write() as uow:
        apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "familles.csv")
        report = apply_file(uow, world.admin_id, "students", STUDENTS, "eleves.csv")
    # GAT (7 digits): the kept 2400042 is last year's; the new one is this year's first
    assert report.created_numbers == ("2600001", "2400042", "261000002")
    with database.read() as uow:
        assert [hit.title for hit in search(uow, "2600001").rows] == ["Lévesque, Émile"]
    with database.read() as uow:
        again = check_file(uow, "students", STUDENTS, "eleves.csv")
    assert (again.created, again.unchanged) == (0, 3)


def test_student_problems_bad_date_code_permanent_unknown_family_duplicate(
    database: Database,
) -> None:
    world = school(database)
    with database.write() as uow:
        apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "familles.csv")
    bad = csv_bytes(
        [
            "ancien_id;famille_ancien_id;prenom;nom;date_naissance;code_permanent",
            "S-1;A-1;Émile;Lévesque;31/02/2014;",
            "S-2;A-1;Zoé;Lévesque;2016-05-20;ZZZ",
            "S-3;A-9;Loïc;Roy;2012-01-31;",
            "S-4;A-1;Florence;Tremblay;2014-03-09;",
            "S-5;A-1;Flo;Roy;2014-03-09;TREF09531401",
        ]
    )
    with database.read() as uow:
        report = check_file(uow, "students", bad, "eleves.csv")
    assert [(p.line, p.column) for p in report.problems] == [
        (2, "date_naissance"),
        (3, "code_permanent"),
        (4, "famille_ancien_id"),
        (5, "nom"),
        (6, "code_permanent"),
    ]


def test_opening_balances_are_solde_reporte_invoices_never_payments_and_never_twice(
    database: Database,
) -> None:
    world = school(database)
    balances = csv_bytes(
        [
            "famille_ancien_id;montant;date;description",
            "A-1;1 234,50;30/06/2026;",
            "A-2;0,00;30/06/2026;",
            "A-3;75.25;2026-06-30;Solde de l'an dernier",
        ],
        encoding="cp1252",
    )
    with database.write() as uow:
        apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "familles.csv")
        report = apply_file(uow, world.admin_id, "balances", balances, "soldes.csv")
    assert (report.created, report.unchanged) == (2, 1)
    with database.read() as uow:
        rows = uow.session.exec(
            select(Invoice.number, Invoice.description, InvoiceLine.fee_code, InvoiceLine.amount)
            .join(InvoiceLine, col(InvoiceLine.invoice_id) == col(Invoice.id))
            .order_by(col(Invoice.number))
        ).all()
        assert [tuple(row) for row in rows] == [
            ("FAC00000001", "Solde reporté au 2026-06-30", "SOLDE", Decimal("1234.50")),
            ("FAC00000002", "Solde de l'an dernier", "SOLDE", Decimal("75.25")),
        ]
        family_id = uow.session.exec(
            select(Family.id).where(col(Family.family_number) == "F0000002")
        ).one()
        assert family_balance(uow, family_id) == Decimal("1234.50")
        assert [hit.kind for hit in search(uow, "FAC00000001").rows] == ["invoice"]
    grown = counts(database)
    assert grown["payment"] == 0
    with database.write() as uow:
        again = apply_file(uow, world.admin_id, "balances", balances, "soldes.csv")
    assert (again.created, again.unchanged) == (0, 3)
    assert counts(database)["invoice"] == grown["invoice"]


def test_a_credit_balance_or_an_unknown_family_is_refused(database: Database) -> None:
    world = school(database)
    with database.write() as uow:
        apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "familles.csv")
    balances = csv_bytes(
        ["famille_ancien_id,montant,date", "A-1,-40.00,2026-06-30", "A-9,10.00,2026-06-30",
         "A-2,dix,2026-06-30", "A-3,10.00,2027-01-01"]
    )  # fmt: skip
    with database.read() as uow:
        report = check_file(uow, "balances", balances, "soldes.csv")
    assert [(p.line, p.column) for p in report.problems] == [
        (2, "montant"),
        (3, "famille_ancien_id"),
        (4, "montant"),
        (5, "date"),
    ]
    assert "crédit" in report.problems[0].translated()


def test_enrolments_land_in_the_terms_groups_and_bill_nothing(database: Database) -> None:
    from registrar_tui.models import Course, Discipline, Enrolment
    from registrar_tui.models.base import DisciplineKind
    from tests import builders

    world = school(database)
    with database.write() as uow:
        term_id = builders.term(uow)
        piano = Discipline(
            code="PIA", name_fr="Piano", name_en="Piano", kind=DisciplineKind.INSTRUMENT
        )
        uow.session.add(piano)
        uow.session.flush()
        assert piano.id is not None
        uow.session.add(
            Course(term_id=term_id, establishment_id=world.gat_id, discipline_id=piano.id)
        )
        apply_file(uow, world.admin_id, "families", EXCEL_FAMILIES, "familles.csv")
        apply_file(uow, world.admin_id, "students", STUDENTS, "eleves.csv")
    enrolments = csv_bytes(
        [
            "ancien_id;eleve_ancien_id;session;discipline;section;statut",
            "I-1;S-1;AUT-2026;PIA;01;actif",
            "I-2;S-2;AUT-2026;PIA;;abandonné",
            "I-3;S-3;AUT-2026;PIA;01;actif",  # S-3 is at MTL: no piano group there
            "I-4;S-1;HIV-2027;PIA;01;actif",
            "I-5;S-1;AUT-2026;VIO;01;actif",
            "I-6;S-1;AUT-2026;PIA;01;actif",
        ]
    )
    with database.read() as uow:
        report = check_file(uow, "enrolments", enrolments, "inscriptions.csv")
    assert [(p.line, p.column) for p in report.problems] == [
        (4, "section"),
        (5, "session"),
        (6, "discipline"),
        (7, "eleve_ancien_id"),
    ]
    fixed = csv_bytes(enrolments.decode().splitlines()[:3])
    invoices = counts(database)["invoice"]
    with database.write() as uow:
        done = apply_file(uow, world.admin_id, "enrolments", fixed, "inscriptions.csv")
    assert done.created == 2
    with database.read() as uow:
        statuses = uow.session.exec(select(Enrolment.status).order_by(col(Enrolment.id))).all()
        assert [str(status) for status in statuses] == ["active", "dropped"]
    assert counts(database)["invoice"] == invoices
    with database.read() as uow:
        assert check_file(uow, "enrolments", fixed, "inscriptions.csv").unchanged == 2
