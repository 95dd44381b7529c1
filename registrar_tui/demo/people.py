"""Families, guardians and students (with their student numbers and codes permanents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from registrar_tui.demo.context import CURRENT_TERM, DemoContext, DisciplineInfo, ascii_fold
from registrar_tui.demo.pools import (
    ADULT_FIRST_FEMALE,
    ADULT_FIRST_MALE,
    ALLERGIES,
    CHILD_FIRST_FEMALE,
    CHILD_FIRST_MALE,
    CITIES,
    EMAIL_DOMAINS,
    GUARDIAN_LABELS_F,
    GUARDIAN_LABELS_M,
    LAST_NAME_CUM_WEIGHTS,
    LAST_NAMES,
    MEDICAL,
    POSTAL_LETTERS,
    SCHOOLS,
    STREETS,
)
from registrar_tui.models import StudentStatus
from registrar_tui.services.core.identifiers import make_code_permanent
from registrar_tui.text import luhn_valid

REGULAR_TERMS = (0, 1, 3, 4, 6)
SUMMER_TERMS = (2, 5)
_START_WEIGHTS = ((0, 0.45), (1, 0.57), (3, 0.77), (4, 0.87), (6, 1.0))
_MAIN_DISCIPLINES = (
    ("PIA", 30), ("VLN", 14), ("VLC", 6), ("FLT", 6), ("GUI", 10), ("CLA", 3), ("TRP", 3),
    ("CHT", 8), ("ADR", 12),
)  # fmt: skip


@dataclass
class GuardianSpec:
    first_name: str
    last_name: str
    label: str
    phone: str
    email: str
    address_line: str
    city: str
    postal_code: str
    phone_alt: str | None = None
    language: str = "fr_CA"
    id: int = 0


@dataclass
class StudentSpec:
    first_name: str
    last_name: str
    sex: str
    birth_date: date
    disciplines: tuple[str, ...]
    start: int
    end: int = CURRENT_TERM
    summers: tuple[int, ...] = ()
    entry_year: int | None = None
    allergies: str = ""
    medical: str = ""
    code_suffix: int | None = None


@dataclass(slots=True)
class StudentProfile:
    id: int
    family_id: int
    est: int
    first_name: str
    last_name: str
    birth_date: date
    number: str
    disciplines: tuple[DisciplineInfo, ...]
    terms: tuple[int, ...]


@dataclass(slots=True)
class FamilyProfile:
    id: int
    est: int
    name: str
    guardians: list[GuardianSpec]
    students: list[StudentProfile] = field(default_factory=list)
    scripted: bool = False
    open_balance: bool = False
    credit: bool = False


SIN_EVERY = 25
"""One payer in this many (by guardian id) has a social insurance number on file."""


def demo_sin(guardian_id: int) -> str:
    """A Luhn-valid number derived from the id alone (the random stream stays the same)."""
    body = f"{1 + guardian_id % 7}{guardian_id * 7919 % 10**7:07d}"
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("a Luhn check digit always exists")


def phone(ctx: DemoContext, area: str) -> str:
    return f"{area}-555-{ctx.rng.randrange(100, 10000):04d}"


def postal_code(ctx: DemoContext, prefix: str) -> str:
    rng = ctx.rng
    return f"{prefix} {rng.randrange(10)}{rng.choice(POSTAL_LETTERS)}{rng.randrange(10)}"


def email(ctx: DemoContext, first: str, last: str) -> str:
    local = ascii_fold(f"{first}.{last}").lower()
    local = "".join(c for c in local if c.isalnum() or c in ".-")
    suffix = "" if ctx.rng.random() < 0.5 else str(ctx.rng.randrange(1, 100))
    return f"{local}{suffix}@{ctx.rng.choice(EMAIL_DOMAINS)}"


def code_permanent(
    ctx: DemoContext, last: str, first: str, birth: date, sex: str, *, suffix: int | None = None
) -> str:
    """4 letters (3 of the last name, 1 of the first), DDMMYY (month + 50 for girls), 2 digits."""
    number = suffix if suffix is not None else ctx.rng.randrange(1, 99)
    for offset in range(99):
        candidate = make_code_permanent(first, last, birth, sex, (number - 1 + offset) % 98 + 1)
        if candidate not in ctx.codes_permanents:
            ctx.codes_permanents.add(candidate)
            return candidate
    raise ValueError(f"no free code permanent for {first} {last} {birth}")


def _school_fields(ctx: DemoContext, est_code: str, birth: date) -> tuple[str, str, str]:
    age = 2026 - birth.year - (1 if (birth.month, birth.day) > (9, 30) else 0)
    rng = ctx.rng
    primary, secondary, college = SCHOOLS[est_code]
    if age <= 5:
        return rng.choice(primary), "Maternelle", f"M-{rng.randint(1, 3)}"
    if age <= 11:
        grade = age - 5
        return rng.choice(primary), f"Primaire {grade}", f"{grade}0{rng.randint(1, 4)}"
    if age <= 16:
        grade = age - 11
        return rng.choice(secondary), f"Secondaire {grade}", f"{grade}0{rng.randint(1, 9)}"
    return rng.choice(college), "Collégial" if age <= 19 else "Universitaire", ""


def insert_family(
    ctx: DemoContext,
    est: int,
    guardians: list[GuardianSpec],
    students: list[StudentSpec],
    *,
    scripted: bool = False,
    notes: str = "",
) -> FamilyProfile:
    """Write the family, its guardians (the first is the payer) and its students."""
    est_info = ctx.ref.establishments[est]
    family_id = ctx.new_id("family")
    name = students[0].last_name if students else guardians[0].last_name
    first_term = min((s.start for s in students), default=CURRENT_TERM)
    created_day = ctx.ref.terms[first_term].issued_on - timedelta(days=ctx.rng.randint(5, 60))
    created_at = ctx.office_time(created_day)
    ctx.add(
        "family",
        {
            "id": family_id,
            "family_number": f"F{family_id:07d}",
            "portal_id": f"P{family_id:07d}-{ctx.rng.getrandbits(32):08x}",
            "name": name,
            "establishment_id": est_info.id,
            "language": guardians[0].language,
            "notes": notes,
            "created_at": created_at,
        },
    )
    profile = FamilyProfile(family_id, est, name, guardians, scripted=scripted)
    for position, g in enumerate(guardians):
        g.id = ctx.new_id("guardian")
        ctx.add(
            "guardian",
            {
                "id": g.id,
                "family_id": family_id,
                "first_name": g.first_name,
                "last_name": g.last_name,
                "relationship_label": g.label,
                "is_payer": position == 0,
                "phone": g.phone,
                "phone_alt": g.phone_alt,
                "email": g.email,
                "address_line": g.address_line,
                "city": g.city,
                "province": "QC",
                "postal_code": g.postal_code,
                "language": g.language,
                "social_insurance_number": (
                    demo_sin(g.id) if position == 0 and g.id % SIN_EVERY == 1 else None
                ),
            },
        )
    contact = guardians[1] if len(guardians) > 1 else guardians[0]
    for s in students:
        profile.students.append(_insert_student(ctx, profile, s, contact, created_at))
    return profile


def _insert_student(
    ctx: DemoContext,
    family: FamilyProfile,
    s: StudentSpec,
    contact: GuardianSpec,
    created_at: datetime,
) -> StudentProfile:
    est_info = ctx.ref.establishments[family.est]
    student_id = ctx.new_id("student")
    entry_year = s.entry_year or ctx.ref.terms[s.start].school_year
    number = ctx.student_number(est_info, entry_year)
    school, level, group = _school_fields(ctx, est_info.code, s.birth_date)
    if s.end >= CURRENT_TERM:
        status = StudentStatus.ACTIVE
    else:
        status = StudentStatus.WITHDRAWN if ctx.rng.random() < 0.6 else StudentStatus.INACTIVE
    home = family.guardians[0]
    ctx.add(
        "student",
        {
            "id": student_id,
            "family_id": family.id,
            "establishment_id": est_info.id,
            "student_number": number,
            "code_permanent": code_permanent(
                ctx, s.last_name, s.first_name, s.birth_date, s.sex, suffix=s.code_suffix
            ),
            "first_name": s.first_name,
            "last_name": s.last_name,
            "birth_date": s.birth_date,
            "sex": s.sex,
            "address_line": home.address_line,
            "city": home.city,
            "province": "QC",
            "postal_code": home.postal_code,
            "school_name": school,
            "school_level": level,
            "group_name": group,
            "allergies": s.allergies,
            "medical_conditions": s.medical,
            "emergency_contact_name": f"{contact.first_name} {contact.last_name}",
            "emergency_contact_phone": contact.phone,
            "status": status,
            "created_at": created_at,
        },
    )
    terms = [t for t in REGULAR_TERMS if s.start <= t <= s.end]
    terms += [t for t in s.summers if s.start <= t <= s.end]
    disciplines = tuple(ctx.ref.discipline(code) for code in s.disciplines)
    return StudentProfile(
        student_id,
        family.id,
        family.est,
        s.first_name,
        s.last_name,
        s.birth_date,
        number,
        disciplines,
        tuple(sorted(terms)),
    )


def random_family(ctx: DemoContext) -> FamilyProfile:
    rng = ctx.rng
    roll = rng.random()
    est = 0 if roll < 0.5 else (1 if roll < 0.8 else 2)
    code = ctx.ref.establishments[est].code
    city, prefixes, areas = rng.choice(CITIES[code])
    address = f"{rng.randint(10, 9999)}, {rng.choice(STREETS[code])}"
    postal = postal_code(ctx, rng.choice(prefixes))
    language = "en" if rng.random() < 0.08 else "fr_CA"
    first_is_mother = rng.random() < 0.62
    last1 = _last_name(ctx)
    guardians = [_guardian(ctx, first_is_mother, last1, address, city, postal, areas, language)]
    if rng.random() < 0.65:
        last2 = last1 if rng.random() < 0.45 else _last_name(ctx)
        guardians.append(
            _guardian(ctx, not first_is_mother, last2, address, city, postal, areas, language)
        )
    kids_last = last1
    if len(guardians) > 1 and guardians[1].last_name != last1:
        roll = rng.random()
        if roll < 0.2:
            kids_last = f"{last1}-{guardians[1].last_name}"
        elif roll < 0.3:
            kids_last = guardians[1].last_name
    count = rng.choices((1, 2, 3, 4), cum_weights=(55, 88, 98, 100))[0]
    students = [_random_student(ctx, kids_last) for _ in range(count)]
    return insert_family(ctx, est, guardians, students)


def _guardian(
    ctx: DemoContext,
    female: bool,
    last: str,
    address: str,
    city: str,
    postal: str,
    areas: tuple[str, ...],
    language: str,
) -> GuardianSpec:
    rng = ctx.rng
    first = rng.choice(ADULT_FIRST_FEMALE if female else ADULT_FIRST_MALE)
    return GuardianSpec(
        first_name=first,
        last_name=last,
        label=rng.choice(GUARDIAN_LABELS_F if female else GUARDIAN_LABELS_M),
        phone=phone(ctx, rng.choice(areas)),
        phone_alt=phone(ctx, rng.choice(areas)) if rng.random() < 0.3 else None,
        email=email(ctx, first, last),
        address_line=address,
        city=city,
        postal_code=postal,
        language=language,
    )


def _random_student(ctx: DemoContext, last: str) -> StudentSpec:
    rng = ctx.rng
    female = rng.random() < 0.55
    first = rng.choice(CHILD_FIRST_FEMALE if female else CHILD_FIRST_MALE)
    age = rng.choices((5, 7, 10, 13, 16, 19), cum_weights=(6, 30, 60, 82, 95, 100))[0]
    age += rng.randint(0, 2)
    birth = date(2026 - age, 1, 1) + timedelta(days=rng.randrange(365))
    roll = rng.random()
    start = next(term for term, bound in _START_WEIGHTS if roll < bound)
    end = CURRENT_TERM
    if start < 4 and rng.random() < 0.08:
        end = rng.choice([t for t in REGULAR_TERMS if start <= t <= 4])
    summers = tuple(t for t in SUMMER_TERMS if start <= t <= end and rng.random() < 0.15)
    main = rng.choices(_MAIN_DISCIPLINES, cum_weights=_MAIN_CUM)[0][0]
    disciplines: tuple[str, ...] = (main,)
    if main != "ADR":
        roll = rng.random()
        if roll < 0.55:
            disciplines += ("SOL",)
        elif roll < 0.7:
            disciplines += ("FAU",)
        if age >= 10 and rng.random() < 0.15:
            disciplines += (rng.choice(("MCH", "ORC")),)
    entry = 2024 + (start // 3) if start else rng.randint(2018, 2024)
    return StudentSpec(
        first_name=first,
        last_name=last,
        sex="F" if female else "M",
        birth_date=birth,
        disciplines=disciplines,
        start=start,
        end=end,
        summers=summers,
        entry_year=entry,
        allergies=rng.choice(ALLERGIES) if rng.random() < 0.08 else "",
        medical=rng.choice(MEDICAL) if rng.random() < 0.05 else "",
    )


def _last_name(ctx: DemoContext) -> str:
    return ctx.rng.choices(LAST_NAMES, cum_weights=LAST_NAME_CUM_WEIGHTS)[0]


_MAIN_CUM = tuple(accumulate(weight for _code, weight in _MAIN_DISCIPLINES))
