"""Importing families with their guardians (one row per family, up to two guardians).

Each guardian goes through the counter's own rules (`records.contacts.validate_contact`:
card numbers refused, control and bidi characters cleaned, phones, e-mail, postal code,
province and language parsed). A family that looks like one on file — a guardian with
the same names and the same phone or e-mail, the admission rule of
`records/admission.py` — is a problem, found with one set-based probe of the search
index for the whole file. Family numbers: the file's `no_famille` when given (unique),
else the next `F0000000` of the admission sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Establishment, Family, Guardian
from registrar_tui.models.base import Language
from registrar_tui.services.audit.record import lock_sequence_row
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.interchange.links import chunked, insert_numbered, linked
from registrar_tui.services.interchange.reading import Column, Row, Table, problem_of
from registrar_tui.services.interchange.report import ChangedRow, Plan, Problem, Progress
from registrar_tui.services.records.admission import (
    NUMBER_DIGITS,
    NUMBER_LOCK,
    NUMBER_PREFIX,
    next_family_number,
)
from registrar_tui.services.records.contacts import (
    InvalidContact,
    NewGuardian,
    validate_contact,
)
from registrar_tui.services.search.index import (
    ENTRIES,
    KIND_FAMILY,
    email_tokens,
    index_parts,
    name_parts,
    phone_digits,
)
from registrar_tui.text import clean_text

KIND = "families"
OLD_ID_MAX = 64
SIDES = ("resp1", "resp2")
GUARDIAN_COLUMNS: dict[str, tuple[str, ...]] = {
    # model field → the column's suffix in French, then its English aliases
    "first_name": ("prenom", "first_name"),
    "last_name": ("nom", "last_name"),
    "relationship_label": ("lien", "relationship"),
    "phone": ("telephone", "phone"),
    "phone_alt": ("telephone2", "phone2"),
    "email": ("courriel", "email"),
    "address_line": ("adresse", "address"),
    "city": ("ville", "city"),
    "province": ("province", "province"),
    "postal_code": ("code_postal", "postal_code"),
    "language": ("langue", "language"),
}
ENGLISH_SIDE = {"resp1": "guardian1", "resp2": "guardian2"}


def _guardian_columns() -> tuple[Column, ...]:
    return tuple(
        Column(
            f"{side}_{french}",
            (f"{ENGLISH_SIDE[side]}_{english}",),
            required=side == "resp1" and field in ("first_name", "last_name"),
        )
        for side in SIDES
        for field, (french, english) in GUARDIAN_COLUMNS.items()
    )


COLUMNS: tuple[Column, ...] = (
    Column("ancien_id", ("old_id",), required=True, filled=True),
    Column("etablissement", ("establishment",), required=True, filled=True),
    Column("nom_famille", ("family_name",)),
    Column("no_famille", ("family_number",)),
    Column("langue", ("language",)),
    Column("portail_id", ("portal_id",)),
    Column("payeur", ("payer",)),
    *_guardian_columns(),
)

MSG_OLD_ID_TWICE = N_("Ancien identifiant en double dans le fichier (déjà à la ligne {line}).")
MSG_OLD_ID_LONG = N_("Ancien identifiant trop long ({limit} caractères au plus).")
MSG_ESTABLISHMENT = N_("Établissement inconnu : {code}.")
MSG_LANGUAGE = N_("Langue inconnue : français (fr_CA) ou anglais (en).")
MSG_PAYER_CHOICE = N_("Payeur : 1 ou 2.")
MSG_NO_PAYER = N_("Le payeur (responsable {side}) n'a pas de nom.")
MSG_NUMBER_FORMAT = N_("Numéro de famille invalide : lettres et chiffres, 16 au plus.")
MSG_NUMBER_TAKEN = N_("Ce numéro de famille est déjà celui d'une autre famille.")
MSG_NUMBER_TWICE = N_("Numéro de famille en double dans le fichier (déjà à la ligne {line}).")
MSG_PORTAL_TAKEN = N_("Cet identifiant du portail est déjà celui d'une autre famille.")
MSG_PORTAL_ID = N_("Identifiant du portail invalide : lettres, chiffres, - _ . :, 64 au plus.")
MSG_PORTAL_TWICE = N_("Identifiant du portail en double dans le fichier (déjà à la ligne {line}).")
MSG_DUPLICATE = N_("Une famille semblable existe déjà : {number} ({name}).")

_PORTAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
_FAMILY_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,15}$")
_LANGUAGES = {
    "fr": Language.FRENCH,
    "fr_ca": Language.FRENCH,
    "fr-ca": Language.FRENCH,
    "francais": Language.FRENCH,
    "français": Language.FRENCH,
    "en": Language.ENGLISH,
    "anglais": Language.ENGLISH,
    "english": Language.ENGLISH,
}


@dataclass(frozen=True)
class FamilyRow:
    """A family of the file, checked, ready to be written."""

    line: int
    old_id: str
    number: str | None
    name: str
    establishment_id: int
    language: Language
    portal_id: str | None
    guardians: tuple[dict[str, Any], ...]
    """Validated guardian values, the payer first."""
    sides: tuple[str, ...] = SIDES
    """The file's column prefix of each of `guardians` (`resp2` first when it pays)."""


def parse_language(text: str) -> Language | None:
    """`fr`, `fr_CA`, `français`, `en`, `anglais` … → the language; blank → French;
    None when unknown."""
    if not text.strip():
        return Language.FRENCH
    return _LANGUAGES.get(text.strip().casefold())


def old_id_of(row: Row, table: Table, seen: dict[str, int], plan: Plan) -> str | None:
    """The row's old id, cleaned; a problem (and None) when too long or seen before."""
    column = table.shown("ancien_id")
    # An identifier, not free text: cleaned of control and bidi characters only (a card
    # number check would refuse ids such as `P0000286-35347447`, Luhn-valid by chance).
    old_id = clean_text(row.get("ancien_id")).strip()
    if not old_id:
        return None  # reported by read_table (a required value)
    if len(old_id) > OLD_ID_MAX:
        plan.problems.append(Problem(row.line, column, MSG_OLD_ID_LONG, {"limit": OLD_ID_MAX}))
        return None
    if old_id in seen:
        plan.problems.append(Problem(row.line, column, MSG_OLD_ID_TWICE, {"line": seen[old_id]}))
        return None
    seen[old_id] = row.line
    return old_id


def establishments_by_code(uow: UnitOfWork) -> dict[str, int]:
    return {
        code.upper(): id_
        for id_, code in uow.session.execute(select(col(Establishment.id), col(Establishment.code)))
    }


def _guardian(row: Row, table: Table, side: str, plan: Plan) -> dict[str, Any] | None:
    """The side's validated values; None when every cell is blank or one is refused."""
    typed = {field: row.get(f"{side}_{french}") for field, (french, _) in GUARDIAN_COLUMNS.items()}
    if not any(value.strip() for value in typed.values()):
        return None
    typed["province"] = typed["province"] or "QC"
    language = parse_language(typed["language"])
    typed["language"] = language.value if language else typed["language"]
    try:
        return validate_contact(NewGuardian(**typed).as_change())
    except InvalidContact as invalid:
        for field, error in invalid.problems.items():
            column = table.shown(f"{side}_{GUARDIAN_COLUMNS[field][0]}")
            plan.problems.append(problem_of(row.line, column, error))
        return None


def _comparable(values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(field) for field in ("first_name", "last_name", "phone", "email"))


def _folded(name: str) -> str:
    return "".join(name_parts(name))


def check(uow: UnitOfWork, table: Table, progress: Progress | None = None) -> Plan:
    """Every problem of a families file, and the families it would create."""
    plan = Plan()
    sites = establishments_by_code(uow)
    seen: dict[str, int] = {}
    numbers: dict[str, int] = {}
    portal_ids: dict[str, int] = {}
    candidates: list[FamilyRow] = []
    total = len(table.rows)
    for done, row in enumerate(table.rows, start=1):
        if progress is not None and done % 1000 == 0:
            progress(done, total)
        before = len(plan.problems)
        old_id = old_id_of(row, table, seen, plan)
        code = row.get("etablissement").upper()
        establishment_id = sites.get(code)
        if code and establishment_id is None:
            plan.problems.append(
                Problem(row.line, table.shown("etablissement"), MSG_ESTABLISHMENT, {"code": code})
            )
        language = parse_language(row.get("langue"))
        if language is None:
            plan.problems.append(Problem(row.line, table.shown("langue"), MSG_LANGUAGE))
        payer_side = row.get("payeur").strip() or "1"
        if payer_side not in ("1", "2"):
            plan.problems.append(Problem(row.line, table.shown("payeur"), MSG_PAYER_CHOICE))
        guardians = {side: _guardian(row, table, side, plan) for side in SIDES}
        payer = guardians.get(f"resp{payer_side}")
        if payer_side in ("1", "2") and payer is None and len(plan.problems) == before:
            column = table.shown(f"resp{payer_side}_nom")
            plan.problems.append(Problem(row.line, column, MSG_NO_PAYER, {"side": payer_side}))
        number = row.get("no_famille").strip().upper() or None
        if number is not None:
            column = table.shown("no_famille")
            if not _FAMILY_NUMBER.match(number):
                plan.problems.append(Problem(row.line, column, MSG_NUMBER_FORMAT))
            elif number in numbers:
                plan.problems.append(
                    Problem(row.line, column, MSG_NUMBER_TWICE, {"line": numbers[number]})
                )
            else:
                numbers[number] = row.line
        portal_id = row.get("portail_id").strip() or None
        if portal_id is not None:
            portal_id = clean_text(portal_id)
            if not _PORTAL_ID.match(portal_id):
                plan.problems.append(Problem(row.line, table.shown("portail_id"), MSG_PORTAL_ID))
            elif portal_id in portal_ids:
                plan.problems.append(
                    Problem(
                        row.line,
                        table.shown("portail_id"),
                        MSG_PORTAL_TWICE,
                        {"line": portal_ids[portal_id]},
                    )
                )
            else:
                portal_ids[portal_id] = row.line
        try:
            name = safe_text(row.get("nom_famille"), field="nom_famille", max_length=200)
        except DomainError as error:
            plan.problems.append(problem_of(row.line, table.shown("nom_famille"), error))
            name = ""
        if len(plan.problems) > before or None in (old_id, payer, establishment_id, language):
            continue
        assert establishment_id is not None and language is not None
        assert old_id is not None and payer is not None
        other = guardians["resp2" if payer_side == "1" else "resp1"]
        ordered = (payer, other) if other is not None else (payer,)
        sides = SIDES if payer_side == "1" else (SIDES[1], SIDES[0])
        candidates.append(
            FamilyRow(
                line=row.line,
                old_id=old_id,
                number=number,
                name=name or payer["last_name"],
                establishment_id=establishment_id,
                language=language,
                portal_id=portal_id,
                guardians=ordered,
                sides=sides[: len(ordered)],
            )
        )
    links = linked(uow, KIND, [c.old_id for c in candidates])
    fresh = [c for c in candidates if c.old_id not in links]
    _compare_linked(uow, [c for c in candidates if c.old_id in links], links, plan)
    _check_taken(uow, table, fresh, plan)
    _check_duplicates(uow, table, fresh, plan)
    flagged = {problem.line for problem in plan.problems}
    plan.new = [c for c in fresh if c.line not in flagged]
    return plan


def _compare_linked(
    uow: UnitOfWork, rows: list[FamilyRow], links: dict[str, int], plan: Plan
) -> None:
    """Rows imported before: unchanged, or changed (reported, never updated)."""
    for chunk in chunked(rows):
        ids = [links[row.old_id] for row in chunk]
        families = {
            family_id: (name, establishment_id)
            for family_id, name, establishment_id in uow.session.execute(
                select(col(Family.id), col(Family.name), col(Family.establishment_id)).where(
                    col(Family.id).in_(ids)
                )
            )
        }
        guardians: dict[int, list[tuple[object, ...]]] = {}
        for family_id, *stored_values in uow.session.execute(
            select(
                col(Guardian.family_id),
                col(Guardian.first_name),
                col(Guardian.last_name),
                col(Guardian.phone),
                col(Guardian.email),
            )
            .where(col(Guardian.family_id).in_(ids), col(Guardian.removed_at).is_(None))
            .order_by(col(Guardian.is_payer).desc(), col(Guardian.id))
        ):
            guardians.setdefault(family_id, []).append(tuple(stored_values))
        for row in chunk:
            family = families.get(links[row.old_id])
            if family is None:
                continue
            stored = guardians.get(links[row.old_id], [])
            name, establishment_id = family
            changed: list[str] = []
            if name != row.name:
                changed.append("nom_famille")
            if establishment_id != row.establishment_id:
                changed.append("etablissement")
            # The payer first on both sides (the file's « payeur » says which column it is).
            for index, typed in enumerate(row.guardians):
                if index >= len(stored) or stored[index] != _comparable(typed):
                    changed.append(row.sides[index])
            if changed:
                plan.changed.append(ChangedRow(row.line, row.old_id, tuple(changed)))
            else:
                plan.unchanged += 1


def _check_taken(uow: UnitOfWork, table: Table, rows: list[FamilyRow], plan: Plan) -> None:
    """Family numbers and portal ids the database already holds."""
    by_number = {row.number: row for row in rows if row.number}
    for chunk in chunked(sorted(by_number)):
        for number in uow.session.execute(
            select(col(Family.family_number)).where(col(Family.family_number).in_(chunk))
        ).scalars():
            plan.problems.append(
                Problem(by_number[number].line, table.shown("no_famille"), MSG_NUMBER_TAKEN)
            )
    by_portal = {row.portal_id: row for row in rows if row.portal_id}
    for chunk in chunked(sorted(by_portal)):
        for portal_id in uow.session.execute(
            select(col(Family.portal_id)).where(col(Family.portal_id).in_(chunk))
        ).scalars():
            assert portal_id is not None
            plan.problems.append(
                Problem(by_portal[portal_id].line, table.shown("portail_id"), MSG_PORTAL_TAKEN)
            )


def _tokens(values: dict[str, Any]) -> set[str]:
    tokens = {
        phone_digits(str(values[name]).split(" x")[0])
        for name in ("phone", "phone_alt")
        if values.get(name)
    }
    tokens.update(email_tokens(values.get("email"))[:1])
    return tokens


def _check_duplicates(uow: UnitOfWork, table: Table, rows: list[FamilyRow], plan: Plan) -> None:
    """The admission rule, set-based: a guardian on file with the same names and the same
    phone or e-mail as one of the file's makes its row a problem."""
    by_token: dict[str, list[tuple[FamilyRow, int]]] = {}
    for row in rows:
        for index, values in enumerate(row.guardians):
            for token in _tokens(values):
                by_token.setdefault(token, []).append((row, index))
    if not by_token:
        return
    family_tokens: dict[int, set[str]] = {}
    for chunk in chunked(sorted(by_token)):
        for token, family_id in uow.session.execute(
            select(ENTRIES.c.token, ENTRIES.c.ref_id).where(
                ENTRIES.c.is_code_permanent.in_(index_parts(chunk)),
                ENTRIES.c.token.in_(chunk),
                ENTRIES.c.kind == KIND_FAMILY,
                ENTRIES.c.is_identifier,
            )
        ):
            family_tokens.setdefault(family_id, set()).add(token)
    reported: set[int] = set()
    for id_chunk in chunked(sorted(family_tokens)):
        for guardian, number, name in uow.session.execute(
            select(Guardian, col(Family.family_number), col(Family.name))
            .join(Family, col(Family.id) == col(Guardian.family_id))
            .where(col(Guardian.family_id).in_(id_chunk), col(Guardian.removed_at).is_(None))
        ):
            stored = {name: getattr(guardian, name) for name in ("phone", "phone_alt", "email")}
            folded = (_folded(guardian.first_name), _folded(guardian.last_name))
            for token in _tokens(stored) & family_tokens[guardian.family_id]:
                for row, index in by_token.get(token, []):
                    values = row.guardians[index]
                    if row.line in reported:
                        continue
                    if (_folded(values["first_name"]), _folded(values["last_name"])) != folded:
                        continue
                    reported.add(row.line)
                    plan.problems.append(
                        Problem(
                            row.line,
                            table.shown(f"{row.sides[index]}_nom"),
                            MSG_DUPLICATE,
                            {"number": number, "name": name},
                        )
                    )


FAMILIES = Family.metadata.tables["family"]
GUARDIANS = Guardian.metadata.tables["guardian"]
CHUNK = 2_000


def write(
    uow: UnitOfWork, rows: list[FamilyRow], progress: Progress | None = None
) -> tuple[list[tuple[str, int]], list[str]]:
    """Insert the families and their guardians in bulk; (old id, family id) pairs and the
    family numbers, in file order. The caller indexes them and writes the links."""
    lock_sequence_row(uow, NUMBER_LOCK)
    given = {row.number for row in rows if row.number}
    next_number = int(next_family_number(uow)[len(NUMBER_PREFIX) :])
    numbers: list[str] = []
    for row in rows:
        if row.number:
            numbers.append(row.number)
            continue
        while (candidate := f"{NUMBER_PREFIX}{next_number:0{NUMBER_DIGITS}d}") in given:
            next_number += 1
        numbers.append(candidate)
        next_number += 1
    now = uow.now()
    pairs: list[tuple[str, int]] = []
    session = uow.session
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values = [
            {
                "family_number": numbers[start + offset],
                "portal_id": row.portal_id,
                "name": row.name,
                "establishment_id": row.establishment_id,
                "language": row.language,
                "notes": "",
                "created_at": now,
            }
            for offset, row in enumerate(chunk)
        ]
        chunk_numbers = numbers[start : start + len(chunk)]
        ids = insert_numbered(
            session, FAMILIES, values, col(Family.family_number), col(Family.id), chunk_numbers
        )
        guardian_values = [
            {
                "family_id": family_id,
                "is_payer": position == 0,
                "social_insurance_number": None,
                "removed_at": None,
                "removed_by_id": None,
                **values,
            }
            for family_id, row in zip(ids, chunk, strict=True)
            for position, values in enumerate(row.guardians)
        ]
        session.execute(insert(GUARDIANS), guardian_values)
        pairs.extend((row.old_id, family_id) for row, family_id in zip(chunk, ids, strict=True))
        if progress is not None:
            progress(start + len(chunk), len(rows))
    return pairs, numbers
