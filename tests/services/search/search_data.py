"""Small search test data: families with guardians, students and invoices, indexed."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import SearchEntry, Student, StudentStatus
from registrar_tui.services.search.index import parse_query, rebuild_index
from tests import builders

CREATED = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)


@dataclass
class Ids:
    """Ids of what `build_families` created, by a readable key."""

    establishment: int = 0
    families: dict[str, int] = field(default_factory=dict)
    students: dict[str, int] = field(default_factory=dict)
    invoices: dict[str, int] = field(default_factory=dict)
    guardians: dict[str, int] = field(default_factory=dict)


def add_establishment(uow: UnitOfWork, code: str = "MTL") -> int:
    return builders.establishment(uow, code=code)


def add_family(uow: UnitOfWork, establishment_id: int, number: str, name: str) -> int:
    return builders.family(uow, establishment_id, number=number, name=name, created_at=CREATED)


def add_guardian(
    uow: UnitOfWork,
    family_id: int,
    first: str,
    last: str,
    *,
    payer: bool = True,
    phone: str | None = None,
    email: str | None = None,
) -> int:
    return builders.guardian(
        uow, family_id, first_name=first, last_name=last, is_payer=payer, phone=phone, email=email
    )


def add_student(
    uow: UnitOfWork,
    family_id: int,
    establishment_id: int,
    first: str,
    last: str,
    number: str,
    code_permanent: str | None = None,
) -> int:
    return builders.student(
        uow,
        family_id,
        establishment_id,
        number=number,
        first_name=first,
        last_name=last,
        birth_date=date(2012, 5, 3),
        created_at=CREATED,
        code_permanent=code_permanent,
    )


def add_invoice(
    uow: UnitOfWork, family_id: int, establishment_id: int, number: str, student_id: int | None
) -> int:
    return builders.invoice(
        uow,
        family_id,
        establishment_id,
        number=number,
        description="Piano, automne 2026",
        lines=(),
        student_id=student_id,
        issued_on=date(2026, 8, 15),
        due_on=date(2026, 9, 15),
        created_at=CREATED,
    )


def build_families(db: Database) -> Ids:
    """Three families: Tremblay (Hélène, Jean-François), Gagnon, Côté-O'Neil; indexed."""
    ids = Ids()
    with db.write() as uow:
        site = add_establishment(uow)
        ids.establishment = site

        tremblay = add_family(uow, site, "F0000001", "Tremblay")
        ids.families["tremblay"] = tremblay
        ids.guardians["marc"] = add_guardian(
            uow, tremblay, "Marc", "Tremblay", phone="514-555-0123", email="marc.t@exemple.ca"
        )
        ids.guardians["sophie"] = add_guardian(
            uow, tremblay, "Sophie", "Bélanger", payer=False, phone="(450) 555-7788"
        )
        helene = add_student(uow, tremblay, site, "Hélène", "Tremblay", "201337007", "TREH53551201")
        ids.students["helene"] = helene
        ids.students["jf"] = add_student(
            uow, tremblay, site, "Jean-François", "Tremblay", "201337008", "TREJ12031001"
        )
        ids.invoices["397"] = add_invoice(uow, tremblay, site, "FAC00000397", helene)
        ids.invoices["398"] = add_invoice(uow, tremblay, site, "FAC00000398", helene)

        gagnon = add_family(uow, site, "F0000002", "Gagnon")
        ids.families["gagnon"] = gagnon
        ids.guardians["lucie"] = add_guardian(
            uow, gagnon, "Lucie", "Gagnon", phone="418-555-0199", email="lucie.gagnon@exemple.ca"
        )
        ids.students["emile"] = add_student(uow, gagnon, site, "Émile", "Gagnon", "201339001")
        ids.invoices["3970"] = add_invoice(uow, gagnon, site, "FAC00003970", None)

        cote = add_family(uow, site, "F0000003", "Côté-O'Neil")
        ids.families["cote"] = cote
        ids.guardians["helene_cote"] = add_guardian(uow, cote, "Hélène", "Côté")
        ids.students["zoe"] = add_student(uow, cote, site, "Zoé", "Côté-O'Neil", "201340002")
        rebuild_index(uow)
    return ids


def build_many(db: Database, count: int, name: str = "Lavoie") -> list[int]:
    """`count` families named `name` (one guardian and one student each), indexed."""
    family_ids: list[int] = []
    with db.write() as uow:
        site = add_establishment(uow, "QC")
        for index in range(count):
            family_id = add_family(uow, site, f"F9{index:06d}", name)
            add_guardian(uow, family_id, "Paul", name)
            add_student(uow, family_id, site, "Léa", name, f"30{index:07d}")
            family_ids.append(family_id)
        rebuild_index(uow)
    return family_ids


_CODE = re.compile(r"[a-z]{4}[0-9]{8}")


def ranking(db: Database, text: str, limit: int) -> list[tuple[str, int]]:
    """The search's ranking spelled out over the whole index, in Python: the records having
    a token starting with each word, by the first token of each starting with the longest
    word (a code permanent's not, when that word is letters alone), then kind and id;
    withdrawn students left out."""
    words = sorted(parse_query(text), key=len, reverse=True)
    driver, others = words[0], words[1:]
    with db.read() as uow:
        entries = uow.session.exec(
            select(SearchEntry.kind, SearchEntry.ref_id, SearchEntry.token)
        ).all()
        withdrawn = set(
            uow.session.exec(
                select(Student.id).where(Student.status == StudentStatus.WITHDRAWN)
            ).all()
        )
    tokens: dict[tuple[str, int], list[str]] = defaultdict(list)
    for kind, ref_id, token in entries:
        tokens[(kind, ref_id)].append(token)
    ranked = []
    for (kind, ref_id), own in tokens.items():
        if kind == "student" and ref_id in withdrawn:
            continue
        if not all(any(token.startswith(word) for token in own) for word in others):
            continue
        firsts = [
            token
            for token in own
            if token.startswith(driver) and not (driver.isalpha() and _CODE.fullmatch(token))
        ]
        if firsts:
            ranked.append((min(firsts), kind, ref_id))
    return [(kind, ref_id) for _token, kind, ref_id in sorted(ranked)][:limit]
