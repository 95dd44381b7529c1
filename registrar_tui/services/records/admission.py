"""Admission at the counter: a new family with its payer and an optional second guardian.

Before anything is written the family is checked against the existing ones
(`find_duplicate_families`): a guardian already on file with the same first and last
name (accents, case, hyphens and spaces ignored) AND the same phone (either of the typed
phones against either of the stored ones, whatever their formatting) or the same e-mail
is a possible duplicate. `admit_family` refuses with `PossibleDuplicate` (carrying the
matches) unless the clerk chose « Créer quand même » (`allow_duplicates=True`): the
override, with the family numbers it overrode, is kept in the audit event.

The check reads the search index (`search_entry`, services/search/index.py): the phones'
ten digits and the e-mails are identifier tokens there, so the candidate families come
from the token index in one probe, and only their guardians are compared by name.

Family numbers: `F` and seven digits, as the demo numbers them (`F0000123`). A new family
takes the largest such number in use plus one, read under the `family-number` lock
(`lock_sequence_row`: PostgreSQL serialises admissions on it; SQLite's writers are already
serialised) and guarded by the column's unique constraint. Numbers in another form
(imported, test data) are left alone and never collide with this rule.

Who may: a clerk, a registrar or an admin, the same as for the guardians' details
(services/records/contacts.py) and membership (services/records/guardians.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_
from sqlalchemy import select as sql_select
from sqlmodel import col, func, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Establishment, Family, Guardian
from registrar_tui.models.base import Language, require_id
from registrar_tui.services.audit.record import lock_sequence_row, record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DomainError, InvalidInput
from registrar_tui.services.core.identifiers import (
    parse_email,
    parse_optional,
    parse_phone,
)
from registrar_tui.services.records.contacts import (
    CONTACT_EDITORS,
    FORM_FIELDS,
    InvalidContact,
    NewGuardian,
    validate_contact,
)
from registrar_tui.services.records.families import family_balance
from registrar_tui.services.records.guardians import guardian_snapshot, new_guardian_row
from registrar_tui.services.search.index import (
    ENTRIES,
    KIND_FAMILY,
    email_tokens,
    index_parts,
    name_parts,
    phone_digits,
    reindex_family,
)

ADMIT_ACTION = "family.admit"
NUMBER_LOCK = "family-number"
NUMBER_PREFIX = "F"
NUMBER_DIGITS = 7
_NUMBER = re.compile(rf"^{NUMBER_PREFIX}[0-9]{{{NUMBER_DIGITS}}}$")
MAX_CANDIDATES = 50
"""Families sharing a typed phone or e-mail that are compared by name (a shared office
number could match many; the first ones by id are enough to warn)."""

SIDES = ("payer", "second")
"""The two guardians of the form; errors carry `payer.<field>` or `second.<field>`."""


class PossibleDuplicate(DomainError):
    """Guardians on file look like those typed; `matches` says which families."""

    message = N_("Une famille semblable existe déjà : vérifiez avant de créer.")

    def __init__(self, matches: tuple[DuplicateMatch, ...]) -> None:
        super().__init__()
        self.matches = matches


class InvalidFamily(InvalidInput):
    """One or more fields were refused; `problems` maps `payer.phone`, `establishment`… to
    its error (field order: payer, second guardian, then the family's own fields)."""

    def __init__(self, problems: dict[str, DomainError]) -> None:
        order = [f"{side}.{name}" for side in SIDES for name in FORM_FIELDS]
        order += ["establishment", "language"]
        first_field = next(name for name in order if name in problems)
        first = problems[first_field]
        super().__init__(first.source_message, field=first_field, **first.params)
        self.problems = problems


@dataclass(frozen=True)
class NewFamily:
    """The admission form as typed."""

    payer: NewGuardian
    second: NewGuardian | None = None
    """None (or a guardian with every field blank on the screen): no second guardian."""
    establishment_id: int | None = None
    """None: the clerk's own establishment."""
    language: str = Language.FRENCH.value


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing guardian who looks like one being typed, and their family."""

    family_id: int
    family_number: str
    family_name: str
    guardian_id: int
    first_name: str
    last_name: str
    phone: str | None
    phone_alt: str | None
    email: str | None
    address: str
    balance: Decimal | None
    """What the family owes; None when the check was asked without balances."""
    matched_side: str
    """"payer" or "second": which typed guardian it resembles."""
    matched_on: tuple[str, ...]
    """"phone", "email": what matched besides the name."""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class AdmittedFamily:
    family_id: int
    family_number: str
    name: str
    payer_id: int
    second_id: int | None
    overridden: tuple[str, ...]
    """The family numbers of the possible duplicates the clerk chose to ignore."""


@dataclass(frozen=True)
class EstablishmentChoice:
    id: int
    code: str
    name: str


def establishment_choices(uow: UnitOfWork) -> tuple[EstablishmentChoice, ...]:
    """The establishments a family may belong to, by code."""
    return tuple(
        EstablishmentChoice(id=require_id(e), code=e.code, name=e.name)
        for e in uow.session.exec(select(Establishment).order_by(col(Establishment.code)))
    )


def _folded_name(text: str) -> str:
    """`Jean-François` and `jean francois` compare equal."""
    return "".join(name_parts(text))


@dataclass(frozen=True)
class _Probe:
    side: str
    first: str
    last: str
    phones: frozenset[str]
    emails: frozenset[str]


def _probe(side: str, new: NewGuardian) -> _Probe | None:
    """What a typed guardian is compared on; None when it has no name or no phone/e-mail
    that parses (nothing to compare: validation says why)."""
    first, last = _folded_name(new.first_name), _folded_name(new.last_name)
    phones: set[str] = set()
    for text in (new.phone, new.phone_alt):
        try:
            phone = parse_optional(parse_phone, text)
        except DomainError:
            continue
        if phone:
            phones.add(phone_digits(phone.split(" x")[0]))
    emails: set[str] = set()
    try:
        email = parse_optional(parse_email, new.email)
    except DomainError:
        email = None
    if email:
        emails.update(email_tokens(email)[:1])
    if not (first and last and (phones or emails)):
        return None
    return _Probe(side, first, last, frozenset(phones), frozenset(emails))


def _typed_guardians(new: NewFamily) -> list[tuple[str, NewGuardian]]:
    guardians = [("payer", new.payer)]
    if new.second is not None:
        guardians.append(("second", new.second))
    return guardians


def _stored_phones(guardian: Any) -> set[str]:
    return {
        phone_digits(text.split(" x")[0]) for text in (guardian.phone, guardian.phone_alt) if text
    }


def _stored_emails(guardian: Any) -> set[str]:
    return set(email_tokens(guardian.email)[:1])


def find_duplicate_families(
    uow: UnitOfWork, new: NewFamily, *, with_balances: bool = False
) -> tuple[DuplicateMatch, ...]:
    """Existing active guardians with the same names as a typed one and the same phone
    or e-mail (accent-, case- and formatting-insensitive), each with its family (and,
    with `with_balances`, what the family owes: one aggregate query per family found).

    Refuses nothing: fields that do not parse are simply not compared.
    """
    probes = [p for side, g in _typed_guardians(new) if (p := _probe(side, g)) is not None]
    tokens = sorted({t for p in probes for t in (*p.phones, *p.emails)})
    if not tokens:
        return ()
    session = uow.session
    # Exact tokens only, walked on the token index; no ORDER BY or DISTINCT in SQL (the
    # planner would then walk every family's entries in ref_id order instead).
    found = session.execute(
        sql_select(ENTRIES.c.ref_id)
        .where(
            ENTRIES.c.is_code_permanent.in_(index_parts(tokens)),
            ENTRIES.c.token.in_(tokens),
            ENTRIES.c.kind == KIND_FAMILY,
            ENTRIES.c.is_identifier,
        )
        .limit(MAX_CANDIDATES * len(tokens))
    ).scalars()
    family_ids = sorted(set(found))[:MAX_CANDIDATES]
    if not family_ids:
        return ()
    rows = session.exec(
        select(Guardian, col(Family.family_number), col(Family.name))
        .join(Family, col(Family.id) == col(Guardian.family_id))
        .where(col(Guardian.family_id).in_(family_ids), col(Guardian.removed_at).is_(None))
        .order_by(col(Guardian.family_id), col(Guardian.id))
    ).all()
    matches: list[DuplicateMatch] = []
    balances: dict[int, Decimal] = {}
    for guardian, family_number, family_name in rows:
        first, last = _folded_name(guardian.first_name), _folded_name(guardian.last_name)
        for probe in probes:
            if (first, last) != (probe.first, probe.last):
                continue
            matched_on = tuple(
                what
                for what, found in (
                    ("phone", probe.phones & _stored_phones(guardian)),
                    ("email", probe.emails & _stored_emails(guardian)),
                )
                if found
            )
            if not matched_on:
                continue
            family_id = guardian.family_id
            if with_balances and family_id not in balances:
                balances[family_id] = family_balance(uow, family_id)
            matches.append(
                DuplicateMatch(
                    family_id=family_id,
                    family_number=family_number,
                    family_name=family_name,
                    guardian_id=require_id(guardian),
                    first_name=guardian.first_name,
                    last_name=guardian.last_name,
                    phone=guardian.phone,
                    phone_alt=guardian.phone_alt,
                    email=guardian.email,
                    address=", ".join(
                        part
                        for part in (
                            guardian.address_line,
                            guardian.city,
                            guardian.postal_code,
                        )
                        if part
                    ),
                    balance=balances.get(family_id),
                    matched_side=probe.side,
                    matched_on=matched_on,
                )
            )
            break
    return tuple(matches)


def _validated(new: NewFamily) -> list[tuple[str, dict[str, Any]]]:
    """Each typed guardian's stored values, or `InvalidFamily` naming every bad field."""
    problems: dict[str, DomainError] = {}
    result: list[tuple[str, dict[str, Any]]] = []
    for side, guardian in _typed_guardians(new):
        try:
            result.append((side, validate_contact(guardian.as_change())))
        except InvalidContact as invalid:
            for name, problem in invalid.problems.items():
                problem.field = f"{side}.{name}"
                problems[f"{side}.{name}"] = problem
    try:
        Language(new.language)
    except ValueError:
        problems["language"] = InvalidInput(
            N_("Langue inconnue : français (fr_CA) ou anglais (en)."), field="language"
        )
    if problems:
        raise InvalidFamily(problems)
    return result


def _establishment(uow: UnitOfWork, wanted: int | None, staff_establishment: int | None) -> int:
    establishment_id = wanted if wanted is not None else staff_establishment
    if establishment_id is None or uow.session.get(Establishment, establishment_id) is None:
        raise InvalidInput(N_("Choisissez l'établissement de la famille."), field="establishment")
    return establishment_id


def next_family_number(uow: UnitOfWork) -> str:
    """`F` and seven digits: one more than the largest such number in use (see the module
    docstring); the caller holds the `family-number` lock."""
    low, high = NUMBER_PREFIX + "0" * NUMBER_DIGITS, NUMBER_PREFIX + "9" * NUMBER_DIGITS
    candidates = uow.session.execute(
        sql_select(col(Family.family_number))
        .where(
            and_(col(Family.family_number) >= low, col(Family.family_number) <= high),
            func.length(col(Family.family_number)) == len(low),
        )
        .order_by(col(Family.family_number).desc())
        .limit(20)
    ).scalars()
    last = next((int(number[1:]) for number in candidates if _NUMBER.match(number)), 0)
    return f"{NUMBER_PREFIX}{last + 1:0{NUMBER_DIGITS}d}"


def admit_family(
    uow: UnitOfWork, actor_id: int, new: NewFamily, *, allow_duplicates: bool = False
) -> AdmittedFamily:
    """Create a family with its payer and optional second guardian, searchable at once.

    Refuses: an inactive user or one who is not clerk, registrar or admin
    (`PermissionDenied`); a card number in any field (`CardNumberRefused`, inside
    `InvalidFamily`); blank names, malformed phones, e-mail, postal code, province or
    language (`InvalidFamily`, fields `payer.<name>`, `second.<name>`, `language`); no or
    an unknown establishment (`InvalidInput`, field "establishment"); a possible duplicate
    (`PossibleDuplicate` with the matches) unless `allow_duplicates`. Writes the family
    (next `F0000000` number, named after the payer's last name), its guardians (the first
    is the payer), one audit event `family.admit` (the family, its guardians and the
    duplicates overridden) and the family's search entries — all in the caller's
    transaction.
    """
    staff = active_staff(uow, actor_id, roles=CONTACT_EDITORS)
    validated = _validated(new)
    establishment_id = _establishment(uow, new.establishment_id, staff.establishment_id)
    # Balances only for the dialog that shows them (a refusal, the rare path).
    matches = find_duplicate_families(uow, new, with_balances=not allow_duplicates)
    if matches and not allow_duplicates:
        raise PossibleDuplicate(matches)
    overridden = tuple(dict.fromkeys(m.family_number for m in matches))
    lock_sequence_row(uow, NUMBER_LOCK)
    number = next_family_number(uow)
    payer_values = validated[0][1]
    family = Family(
        family_number=number,
        name=payer_values["last_name"],
        establishment_id=establishment_id,
        language=Language(new.language),
        created_at=uow.now(),
    )
    uow.session.add(family)
    uow.session.flush()
    family_id = require_id(family)
    rows = [
        new_guardian_row(family_id, values, is_payer=side == "payer") for side, values in validated
    ]
    uow.session.add_all(rows)
    uow.session.flush()
    after: dict[str, Any] = {
        "family_number": number,
        "name": family.name,
        "establishment_id": establishment_id,
        "language": family.language,
        "guardians": [{"id": row.id, **guardian_snapshot(row)} for row in rows],
    }
    if overridden:
        after["duplicates_overridden"] = list(overridden)
    record_event(uow, actor_id, ADMIT_ACTION, "family", family_id, {}, after)
    reindex_family(uow, family_id)
    return AdmittedFamily(
        family_id=family_id,
        family_number=number,
        name=family.name,
        payer_id=require_id(rows[0]),
        second_id=rows[1].id if len(rows) > 1 else None,
        overridden=overridden,
    )
