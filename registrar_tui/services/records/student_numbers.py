"""Student numbers: assigned by the establishment's rule, never typed.

- 9 digits (Montréal, Québec): the 2-digit entry year, the establishment's site digit,
  a 6-digit sequence — `261000042`;
- 7 digits (Gatineau): the 2-digit entry year and a 5-digit sequence — `2600042`.

The entry year is the school year the student is admitted in: it starts on 1 August
(a summer term belongs to the school year before it, as in the demo's numbers).

The sequence is gapless per establishment and entry year: a `number_sequence` row per
pair (key `student-number:<establishment id>:<year>`), locked (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite serialises writers already) and incremented in the admission's own
transaction, so a refused admission gives its number back. The row starts from the
highest number the establishment already has for that year (students imported or made
by the demo generator), and a number already taken is never handed out again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Establishment, NumberSequence, Student
from registrar_tui.services.core.errors import DomainError, NotFound

SCHOOL_YEAR_FIRST_MONTH = 8
"""August: admissions from then on are for the school year starting that autumn."""


class StudentNumbersExhausted(DomainError):
    """Every number of the year's sequence is taken (99,999 at a 7-digit site)."""

    message = N_("Plus aucun numéro d'élève libre pour cette année à cet établissement.")


def entry_year(day: date) -> int:
    """The school year (its first calendar year) that `day` falls in."""
    return day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1


def sequence_key(establishment_id: int, year: int) -> str:
    return f"student-number:{establishment_id}:{year}"


def number_prefix(establishment: Establishment, year: int) -> str:
    """What every number of that establishment and entry year starts with."""
    nine = establishment.student_number_digits == 9
    site = establishment.student_number_site_digit if nine else ""
    return f"{year % 100:02d}{site}"


def format_number(establishment: Establishment, year: int, sequence: int) -> str:
    """The number `sequence` of that year at that establishment (see the module doc)."""
    prefix = number_prefix(establishment, year)
    width = establishment.student_number_digits - len(prefix)
    if sequence >= 10**width:
        raise StudentNumbersExhausted(field="student_number")
    return f"{prefix}{sequence:0{width}d}"


def _highest_taken(uow: UnitOfWork, establishment: Establishment, year: int) -> int:
    """The highest sequence already used by a number of this prefix and length (0: none)."""
    prefix = number_prefix(establishment, year)
    digits = establishment.student_number_digits
    # Numbers are unique across establishments: any student holding this prefix and
    # length used the sequence, whichever site they are attached to now.
    # A range on the unique index ('261' <= n < '262'), not LIKE '261%' that SQLite
    # answers by reading every number: the numbers are digits only, which every
    # collation orders the same way.
    after = str(int(prefix) + 1).zfill(len(prefix))
    highest = uow.session.execute(
        select(func.max(col(Student.student_number))).where(
            col(Student.student_number) >= prefix,
            col(Student.student_number) < after,
            func.length(col(Student.student_number)) == digits,
        )
    ).scalar_one_or_none()
    if highest is None or not str(highest).isdigit():
        return 0
    return int(str(highest)[len(prefix) :])


def next_student_number(uow: UnitOfWork, establishment_id: int, day: date) -> str:
    """Take the next student number of the establishment for the school year of `day`.

    Runs in the caller's write unit of work: the counter row stays locked until it
    commits, and a rollback gives the number back. Raises `NotFound` (unknown
    establishment), `StudentNumbersExhausted` (the year's sequence is full).
    """
    establishment = uow.session.get(Establishment, establishment_id)
    if establishment is None:
        raise NotFound(N_("Établissement introuvable."), field="establishment")
    year = entry_year(day)
    key = sequence_key(establishment_id, year)
    session = uow.session
    postgresql = session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgresql else sqlite_insert
    # A second admission inserting the same row at the same moment waits on the key,
    # then does nothing; both then queue on the row lock below.
    session.execute(
        insert(NumberSequence)
        .values(key=key, last_value=_highest_taken(uow, establishment, year))
        .on_conflict_do_nothing(index_elements=["key"])
    )
    last = session.execute(
        select(col(NumberSequence.last_value))
        .where(col(NumberSequence.key) == key)
        .with_for_update()
    ).scalar_one()
    # Read under the lock: a number imported after the row was created is skipped.
    sequence = max(int(last), _highest_taken(uow, establishment, year)) + 1
    number = format_number(establishment, year, sequence)
    session.execute(
        update(NumberSequence)
        .where(col(NumberSequence.key) == key)
        .values(last_value=sequence)
        .execution_options(synchronize_session=False)
    )
    return number


def take_student_numbers(
    uow: UnitOfWork, establishment_id: int, day: date, count: int, reserved: Iterable[str] = ()
) -> list[str]:
    """`count` consecutive numbers of the establishment for the school year of `day`, for
    an import: one lock and one counter update for them all. `reserved` are numbers the
    same import writes as given (kept by the old system): the sequence goes past them.
    Raises as `next_student_number`."""
    establishment = uow.session.get(Establishment, establishment_id)
    if establishment is None:
        raise NotFound(N_("Établissement introuvable."), field="establishment")
    if count <= 0:
        return []
    year = entry_year(day)
    key = sequence_key(establishment_id, year)
    session = uow.session
    postgresql = session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgresql else sqlite_insert
    session.execute(
        insert(NumberSequence)
        .values(key=key, last_value=_highest_taken(uow, establishment, year))
        .on_conflict_do_nothing(index_elements=["key"])
    )
    last = session.execute(
        select(col(NumberSequence.last_value))
        .where(col(NumberSequence.key) == key)
        .with_for_update()
    ).scalar_one()
    prefix = number_prefix(establishment, year)
    digits = establishment.student_number_digits
    given = [
        int(number[len(prefix) :])
        for number in reserved
        if len(number) == digits and number.startswith(prefix) and number.isdigit()
    ]
    start = max([int(last), _highest_taken(uow, establishment, year), *given])
    numbers = [format_number(establishment, year, start + offset) for offset in range(1, count + 1)]
    session.execute(
        update(NumberSequence)
        .where(col(NumberSequence.key) == key)
        .values(last_value=start + count)
        .execution_options(synchronize_session=False)
    )
    return numbers
