"""A school about to move in: two establishments, an administrator, one family on file."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    Enrolment,
    Family,
    Guardian,
    ImportLink,
    Invoice,
    Payment,
    SearchEntry,
    Student,
)
from registrar_tui.models.base import Role
from registrar_tui.services.search.index import reindex_family
from tests import builders


@dataclass(frozen=True)
class School:
    admin_id: int
    clerk_id: int
    mtl_id: int
    gat_id: int
    family_on_file: int


def school(db: Database) -> School:
    with db.write() as uow:
        mtl = builders.establishment(uow, student_number_site_digit="1")
        gat = builders.establishment(
            uow,
            code="GAT",
            name="Conservatoire de musique de Gatineau",
            student_number_digits=7,
            student_number_site_digit="",
        )
        admin = builders.staff(uow, mtl, username="admin", full_name="Ad Min", role=Role.ADMIN)
        clerk = builders.staff(uow, mtl, username="clerk", full_name="Com Mis", role=Role.CLERK)
        family = builders.family(uow, mtl, number="F0000001", name="Tremblay")
        builders.guardian(
            uow, family, first_name="Hélène", last_name="Tremblay", is_payer=True,
            phone="514-555-0134",
        )  # fmt: skip
        builders.student(
            uow, family, mtl, number="261000001", first_name="Florence", last_name="Tremblay",
            code_permanent="TREF09531401",
        )  # fmt: skip
        reindex_family(uow, family)
    return School(admin, clerk, mtl, gat, family)


def counts(db: Database) -> dict[str, int]:
    """Rows per table an import may write."""
    with db.read() as uow:
        models = (
            Family, Guardian, Student, Enrolment, Invoice, Payment, ImportLink, AuditEvent,
            SearchEntry,
        )  # fmt: skip
        return {
            str(model.__tablename__): uow.session.execute(
                select(func.count()).select_from(model)
            ).scalar_one()
            for model in models
        }


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


FAMILY_HEADER = (
    "ancien_id;etablissement;nom_famille;no_famille;langue;portail_id;payeur;"
    "resp1_prenom;resp1_nom;resp1_telephone;resp1_courriel;resp1_adresse;resp1_ville;"
    "resp1_province;resp1_code_postal;resp2_prenom;resp2_nom;resp2_telephone"
)


def family_line(
    old_id: str,
    *,
    site: str = "MTL",
    name: str = "",
    number: str = "",
    language: str = "fr",
    portal: str = "",
    payer: str = "1",
    first: str = "Zoé",
    last: str = "Côté",
    phone: str = "819-555-0101",
    email: str = "",
    address: str = "12, rue Principale",
    city: str = "Gatineau",
    province: str = "QC",
    postal: str = "J8X 1A1",
    second: tuple[str, str, str] = ("", "", ""),
) -> str:
    return ";".join(
        [old_id, site, name, number, language, portal, payer, first, last, phone, email,
         address, city, province, postal, *second]
    )  # fmt: skip
