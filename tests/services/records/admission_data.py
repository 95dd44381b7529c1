"""A small world for admitting students: Montréal (9 digits, site 1), Gatineau (7
digits), the Tremblay family, one staff user of each role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registrar_tui.db import Database
from registrar_tui.models import Role
from registrar_tui.services.records.students import StudentHealthChange, StudentIdentityChange
from tests import builders


@dataclass(frozen=True)
class AdmissionWorld:
    mtl_id: int
    gat_id: int
    family_id: int
    gat_family_id: int
    clerk_id: int
    registrar_id: int
    admin_id: int


def build_admission(database: Database) -> AdmissionWorld:
    with database.write() as uow:
        mtl = builders.establishment(uow, student_number_site_digit="1")
        gat = builders.establishment(
            uow,
            code="GAT",
            name="Conservatoire de Gatineau",
            city="Gatineau",
            postal_code="J8X 3W2",
            phone="819-555-0190",
            student_number_digits=7,
            student_number_site_digit="",
        )
        family = builders.family(uow, mtl, number="F0000001", name="Tremblay")
        builders.guardian(
            uow, family, last_name="Tremblay", is_payer=True,
            address_line="12, rue des Érables", city="Montréal",
        )  # fmt: skip
        gat_family = builders.family(uow, gat, number="F0000002", name="Côté", payer="Marc")
        clerk, registrar, admin = (
            builders.staff(uow, mtl, username=name, full_name=name.title(), role=role)
            for name, role in (
                ("commis", Role.CLERK),
                ("registraire", Role.REGISTRAR),
                ("admin", Role.ADMIN),
            )
        )
    return AdmissionWorld(mtl, gat, family, gat_family, clerk, registrar, admin)


def identity(
    first_name: str = "Léa",
    last_name: str = "Tremblay",
    *,
    sex: str = "F",
    birth_date: str = "2014-03-09",
    code_permanent: str = "TREL09531401",
    school_name: str = "École Saint-Louis",
    school_level: str = "Primaire 6",
    group_name: str = "601",
    establishment_code: str = "",
) -> StudentIdentityChange:
    return StudentIdentityChange(
        first_name=first_name,
        last_name=last_name,
        sex=sex,
        birth_date=birth_date,
        code_permanent=code_permanent,
        school_name=school_name,
        school_level=school_level,
        group_name=group_name,
        establishment_code=establishment_code,
    )


def health(
    *,
    allergies: str | None = "Arachides",
    medical_conditions: str | None = "",
    emergency_contact_name: str = "Marc Tremblay",
    emergency_contact_phone: str = "514 555 0199",
) -> StudentHealthChange:
    return StudentHealthChange(
        emergency_contact_name=emergency_contact_name,
        emergency_contact_phone=emergency_contact_phone,
        allergies=allergies,
        medical_conditions=medical_conditions,
    )


BIRTH = date(2014, 3, 9)
