"""Shared state of one demo generation: seeded randomness, ids, reference lookups."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from registrar_tui.demo.writer import BulkWriter, IdAllocator
from registrar_tui.models import DisciplineKind, Season

if TYPE_CHECKING:
    from registrar_tui.demo.groups import GroupSpec
    from registrar_tui.demo.people import StudentProfile

T = TypeVar("T")

# The demo world is anchored on a fixed "today" so a seed always gives the same rows.
DEMO_TODAY = date(2026, 11, 23)
CURRENT_TERM = 6  # AUT-2026, index into ReferenceData.terms
NEXT_TERM = 7  # HIV-2027, re-enrolment open
LAST_OPEN_MINUTE = datetime(2026, 11, 23, 14, 20, tzinfo=UTC)


@dataclass(frozen=True)
class EstablishmentInfo:
    index: int
    id: int
    code: str
    digits: int
    number_digit: str


@dataclass(frozen=True)
class TermInfo:
    index: int
    id: int
    code: str
    season: Season
    label: str
    school_year: int
    starts_on: date
    ends_on: date
    issued_on: date
    due_on: date


@dataclass(frozen=True)
class DisciplineInfo:
    index: int
    id: int
    code: str
    name_fr: str
    kind: DisciplineKind
    capacity: int


@dataclass(frozen=True)
class Fee:
    code: str
    description: str
    amount_cents: int
    is_voluntary: bool


@dataclass
class ReferenceData:
    establishments: list[EstablishmentInfo] = field(default_factory=list)
    terms: list[TermInfo] = field(default_factory=list)
    disciplines: list[DisciplineInfo] = field(default_factory=list)
    # fees[term_index][code]
    fees: list[dict[str, Fee]] = field(default_factory=list)
    staff: dict[str, int] = field(default_factory=dict)

    def discipline(self, code: str) -> DisciplineInfo:
        for info in self.disciplines:
            if info.code == code:
                return info
        raise KeyError(code)


@dataclass
class PaymentSpec:
    """A payment decided while invoicing; ids, receipts and chains are assigned at the end."""

    received_at: datetime
    family_id: int
    establishment: int  # index
    amount_cents: int
    method: str
    allocations: list[tuple[int, int]]  # (invoice_id, cents)
    tendered_cents: int | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    authorization: str | None = None
    cheque_number: str | None = None
    cheque_bank: str | None = None


def ascii_fold(value: str) -> str:
    """'Hélène Côté' -> 'Helene Cote'."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class DemoContext:
    """Everything the topic modules share while generating."""

    def __init__(self, writer: BulkWriter, seed: int) -> None:
        self.rng = random.Random(seed)
        self.writer = writer
        self.ids = IdAllocator()
        self.ref = ReferenceData()
        self.payments: list[PaymentSpec] = []
        self.codes_permanents: set[str] = set()
        self._student_seq: dict[tuple[int, int], int] = {}
        self._sections: dict[tuple[int, int, int], tuple[int, int, int]] = {}
        self._teachers: dict[tuple[int, int], list[int]] = {}
        self.teacher_factory: Callable[[DemoContext], int] | None = None
        self.groups: list[GroupSpec] = []
        """Every course group written, for next term's rollover."""
        self.course_students: dict[int, list[StudentProfile]] = {}
        """The current term's students per course group."""
        self.reenrolment_demand: dict[tuple[int, int], int] = {}
        """Pending re-enrolment requests per (establishment, discipline) index."""
        self.requesting: set[int] = set()
        """Students with a pending re-enrolment request."""
        self.add = writer.add  # type: ignore[method-assign]
        self.new_id = self.ids.next  # type: ignore[method-assign]

    def add(self, table: str, row: dict[str, object]) -> None:
        self.writer.add(table, row)

    def new_id(self, table: str) -> int:
        return self.ids.next(table)

    def office_time(self, day: date) -> datetime:
        """A random instant during opening hours (local 9 h–17 h ≈ 13 h–21 h UTC)."""
        minutes = int(self.rng.random() * 480)
        moment = datetime(
            day.year, day.month, day.day, 13 + minutes // 60, minutes % 60, tzinfo=UTC
        )
        return min(moment, LAST_OPEN_MINUTE) if day >= DEMO_TODAY else moment

    def day_between(self, start: date, end: date) -> date:
        span = (end - start).days
        if span <= 0:
            return start
        return start + timedelta(days=int(self.rng.random() * (span + 1)))

    def randint(self, low: int, high: int) -> int:
        """`random.randint`, faster."""
        return low + int(self.rng.random() * (high - low + 1))

    def pick(self, items: Sequence[T]) -> T:
        """`random.choice`, faster (the generator calls it millions of times)."""
        return items[int(self.rng.random() * len(items))]

    def student_number(self, est: EstablishmentInfo, entry_year: int) -> str:
        """9 digits `YY` + site digit + 6-digit sequence, or 7 digits `YY` + 5-digit sequence."""
        key = (est.index, entry_year)
        seq = self._student_seq.get(key, 0) + 1
        self._student_seq[key] = seq
        yy = entry_year % 100
        if est.digits == 7:
            if seq > 99_999:
                raise ValueError("too many students for 7-digit numbers in one entry year")
            return f"{yy:02d}{seq:05d}"
        return f"{yy:02d}{est.number_digit}{seq:06d}"

    def course_for(self, term: int, est: int, discipline: DisciplineInfo) -> int:
        """The course (section) a new enrolment goes to; opens a new section when full."""
        key = (term, est, discipline.index)
        current = self._sections.get(key)
        if current is not None and current[2] < discipline.capacity:
            course_id, section, count = current
            self._sections[key] = (course_id, section, count + 1)
            return course_id
        section = 1 if current is None else current[1] + 1
        from registrar_tui.demo.groups import add_group

        course_id = add_group(
            self, term, est, discipline, section, self.teacher_for(est, discipline, section)
        )
        self._sections[key] = (course_id, section, 1)
        return course_id

    def teacher_for(self, est: int, discipline: DisciplineInfo, section: int) -> int:
        pool = self._teachers.setdefault((est, discipline.index), [])
        wanted = (section - 1) // 3
        while len(pool) <= wanted:
            assert self.teacher_factory is not None
            pool.append(self.teacher_factory(self))
        return pool[wanted]
