"""Disciplines: what the school teaches (piano, solfège, art dramatique…).

A new school adds its disciplines (`discipline add`) before creating its groups and
importing enrolments, which name them by code. Registrar and admin add (PermissionDenied
for a clerk); anyone reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Discipline
from registrar_tui.models.base import DisciplineKind, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.school_year.terms import SCHOOL_YEAR_EDITORS

MSG_REQUIRED = N_("Ce champ est obligatoire.")
MSG_DISCIPLINE_CODE = N_(
    "Code de discipline : 1 à 8 lettres, chiffres ou tirets, sans espace (ex. : PIA, SOL)."
)
MSG_DISCIPLINE_EXISTS = N_("La discipline {code} existe déjà.")


@dataclass(frozen=True)
class DisciplineRow:
    discipline_id: int
    code: str
    name_fr: str
    name_en: str
    kind: DisciplineKind


def _row(discipline: Discipline) -> DisciplineRow:
    return DisciplineRow(
        require_id(discipline),
        discipline.code,
        discipline.name_fr,
        discipline.name_en,
        discipline.kind,
    )


def list_disciplines(uow: UnitOfWork) -> tuple[DisciplineRow, ...]:
    """Every discipline, by code."""
    found = uow.session.exec(select(Discipline).order_by(col(Discipline.code)))
    return tuple(_row(discipline) for discipline in found)


def _code(code: str) -> str:
    cleaned = safe_text(code, field="code").upper()
    if not 1 <= len(cleaned) <= 8 or not all(
        c.isascii() and (c.isalnum() or c == "-") for c in cleaned
    ):
        raise InvalidInput(MSG_DISCIPLINE_CODE, field="code")
    return cleaned


def _name(text: str, field: str) -> str:
    cleaned = safe_text(text, field=field, max_length=100)
    if not cleaned:
        raise InvalidInput(MSG_REQUIRED, field=field)
    return cleaned


def add_discipline(
    uow: UnitOfWork,
    *,
    actor_id: int,
    code: str,
    name_fr: str,
    name_en: str,
    kind: DisciplineKind,
) -> DisciplineRow:
    """Add a discipline with its code (kept in capitals), French and English names, kind.

    Refuses (with the field): a malformed code or one already used (code), a missing or
    too long name (name_fr, name_en), a card number (CardNumberRefused). Also
    PermissionDenied.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    new_code = _code(code)
    french = _name(name_fr, "name_fr")
    english = _name(name_en, "name_en")
    taken = uow.session.exec(
        select(Discipline.id).where(func.upper(col(Discipline.code)) == new_code)
    ).first()
    if taken is not None:
        raise InvalidInput(MSG_DISCIPLINE_EXISTS, field="code", code=new_code)
    discipline = Discipline(code=new_code, name_fr=french, name_en=english, kind=kind)
    uow.session.add(discipline)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "discipline.add",
        "discipline",
        discipline.id,
        {},
        {"code": new_code, "name_fr": french, "name_en": english, "kind": kind.value},
    )
    return _row(discipline)
