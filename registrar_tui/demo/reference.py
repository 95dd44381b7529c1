"""Reference data: establishments, terms, disciplines, fee schedules, staff, teachers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from registrar_tui.demo.context import (
    DemoContext,
    DisciplineInfo,
    EstablishmentInfo,
    Fee,
    TermInfo,
    ascii_fold,
)
from registrar_tui.demo.pools import ADULT_FIRST_FEMALE, ADULT_FIRST_MALE, LAST_NAMES
from registrar_tui.models import DisciplineKind, FeeKind, Role, Season
from registrar_tui.services.core.money import from_cents
from registrar_tui.services.staff.passwords import hash_password

DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("admin", "Gestion-demo-2026", "admin"),
    ("registrar", "Validation-demo-2026", "registrar"),
    ("clerk", "Comptoir-demo-2026", "clerk"),
    ("clerk2", "Guichet-demo-2026", "clerk"),
)
_STAFF_DETAILS = {
    # username: (full name, establishment code or None)
    "admin": ("Sylvie Lapointe", None),
    "registrar": ("Martine Bouchard", "MTL"),
    "clerk": ("Nathalie Gauthier", "MTL"),
    "clerk2": ("Patrick Ouellet", "QC"),
}
INSTITUTION = "Conservatoire Laurentien de musique et d'art dramatique"
STAFF_EMAIL_DOMAIN = "conservatoire-laurentien.example"

# code, city, address, postal code, phone, student number digits, site digit
_ESTABLISHMENTS = (
    ("MTL", "Montréal", "3850, rue Saint-Urbain", "H2W 1T7", "514-555-0142", 9, "1"),
    ("QC", "Québec", "410, rue Saint-Jean", "G1R 1P4", "418-555-0171", 9, "3"),
    ("GAT", "Gatineau", "125, rue Laurier", "J8X 3W2", "819-555-0190", 7, ""),
)

# code, French name, English name, kind, base tuition (AUT-2026, cents), capacity
_DISCIPLINES = (
    ("PIA", "Piano", "Piano", DisciplineKind.INSTRUMENT, 20000, 18),
    ("VLN", "Violon", "Violin", DisciplineKind.INSTRUMENT, 20000, 18),
    ("VLC", "Violoncelle", "Cello", DisciplineKind.INSTRUMENT, 20000, 16),
    ("FLT", "Flûte traversière", "Flute", DisciplineKind.INSTRUMENT, 20000, 16),
    ("GUI", "Guitare classique", "Classical guitar", DisciplineKind.INSTRUMENT, 19000, 18),
    ("CLA", "Clarinette", "Clarinet", DisciplineKind.INSTRUMENT, 19000, 16),
    ("TRP", "Trompette", "Trumpet", DisciplineKind.INSTRUMENT, 19000, 16),
    ("CHT", "Chant", "Voice", DisciplineKind.VOICE, 20000, 16),
    ("SOL", "Solfège", "Music theory (solfège)", DisciplineKind.THEORY, 6000, 25),
    ("FAU", "Formation auditive", "Ear training", DisciplineKind.THEORY, 6000, 25),
    ("ADR", "Art dramatique", "Drama", DisciplineKind.DRAMA, 18000, 18),
    ("MCH", "Musique de chambre", "Chamber music", DisciplineKind.ENSEMBLE, 8000, 12),
    ("ORC", "Orchestre des jeunes", "Youth orchestra", DisciplineKind.ENSEMBLE, 8000, 40),
)

_SEASON_LABEL = {Season.AUTUMN: "Automne", Season.WINTER: "Hiver", Season.SUMMER: "Été"}
_PRICE_FACTOR = {2024: 0.94, 2025: 0.97, 2026: 1.0}


def _term_dates(season: Season, year: int) -> dict[str, date]:
    if season is Season.AUTUMN:
        return {
            "starts_on": date(year, 9, 2),
            "ends_on": date(year, 12, 19),
            "issued_on": date(year, 8, 14),
            "payment_due_on": date(year, 10, 15),
            "reenrolment_opens_on": date(year, 4, 1),
            "reenrolment_closes_on": date(year, 5, 15),
            "confirmation_deadline": date(year, 9, 20),
        }
    if season is Season.WINTER:
        return {
            "starts_on": date(year, 1, 11),
            "ends_on": date(year, 5, 7),
            "issued_on": date(year - 1, 12, 10),
            "payment_due_on": date(year, 2, 15),
            "reenrolment_opens_on": date(year - 1, 11, 1),
            "reenrolment_closes_on": date(year - 1, 12, 6),
            "confirmation_deadline": date(year, 1, 25),
        }
    return {
        "starts_on": date(year, 6, 22),
        "ends_on": date(year, 8, 7),
        "issued_on": date(year, 5, 20),
        "payment_due_on": date(year, 6, 19),
        "reenrolment_opens_on": date(year, 3, 1),
        "reenrolment_closes_on": date(year, 4, 15),
        "confirmation_deadline": date(year, 6, 27),
    }


def create_reference(ctx: DemoContext) -> None:
    _establishments(ctx)
    _terms(ctx)
    _disciplines(ctx)
    _fees(ctx)
    _staff(ctx)
    ctx.teacher_factory = new_teacher


def _establishments(ctx: DemoContext) -> None:
    for index, (code, city, address, postal, phone, digits, site) in enumerate(_ESTABLISHMENTS):
        est_id = ctx.new_id("establishment")
        ctx.add(
            "establishment",
            {
                "id": est_id,
                "code": code,
                "name": f"{INSTITUTION} — {city}",
                "address_line": address,
                "city": city,
                "province": "QC",
                "postal_code": postal,
                "phone": phone,
                "email": f"accueil.{code.lower()}@{STAFF_EMAIL_DOMAIN}",
                "student_number_digits": digits,
                "student_number_site_digit": site,
            },
        )
        ctx.ref.establishments.append(EstablishmentInfo(index, est_id, code, digits, site))


def _terms(ctx: DemoContext) -> None:
    for school_year in (2024, 2025, 2026):
        for season, year in (
            (Season.AUTUMN, school_year),
            (Season.WINTER, school_year + 1),
            (Season.SUMMER, school_year + 1),
        ):
            dates = _term_dates(season, year)
            term_id = ctx.new_id("term")
            code = f"{season.value}-{year}"
            row: dict[str, object] = {"id": term_id, "code": code, "season": season, "year": year}
            row.update({k: v for k, v in dates.items() if k != "issued_on"})
            ctx.add("term", row)
            ctx.ref.terms.append(
                TermInfo(
                    index=len(ctx.ref.terms),
                    id=term_id,
                    code=code,
                    season=season,
                    label=f"{_SEASON_LABEL[season]} {year}",
                    school_year=school_year,
                    starts_on=dates["starts_on"],
                    ends_on=dates["ends_on"],
                    issued_on=dates["issued_on"],
                    due_on=dates["payment_due_on"],
                )
            )


def _disciplines(ctx: DemoContext) -> None:
    for index, (code, name_fr, name_en, kind, _price, capacity) in enumerate(_DISCIPLINES):
        disc_id = ctx.new_id("discipline")
        ctx.add(
            "discipline",
            {"id": disc_id, "code": code, "name_fr": name_fr, "name_en": name_en, "kind": kind},
        )
        ctx.ref.disciplines.append(DisciplineInfo(index, disc_id, code, name_fr, kind, capacity))


def _price(base: int, term: TermInfo) -> int:
    factor = _PRICE_FACTOR[term.school_year] * (0.6 if term.season is Season.SUMMER else 1.0)
    return round(base * factor / 100) * 100


def _fees(ctx: DemoContext) -> None:
    for term in ctx.ref.terms:
        items: list[tuple[str, FeeKind, str, str, int, int | None]] = []
        for disc, (_c, name_fr, name_en, _k, base, _cap) in zip(
            ctx.ref.disciplines, _DISCIPLINES, strict=True
        ):
            items.append(
                (
                    f"SCO-{disc.code}",
                    FeeKind.TUITION,
                    f"Droits de scolarité — {name_fr}",
                    f"Tuition — {name_en}",
                    _price(base, term),
                    disc.id,
                )
            )
        registration = 2500 if term.season is Season.SUMMER else 5000
        items += [
            ("INS", FeeKind.REGISTRATION, "Frais d'inscription", "Registration fee",
             registration, None),
            ("FONDATION", FeeKind.VOLUNTARY,
             "Contribution volontaire — Fondation du Conservatoire",
             "Voluntary contribution — Conservatoire Foundation", 2500, None),
            ("ASSO-ETU", FeeKind.VOLUNTARY, "Cotisation volontaire — Association étudiante",
             "Voluntary contribution — Student association", 1000, None),
            ("CHG-HORAIRE", FeeKind.SCHEDULE_CHANGE, "Frais de changement d'horaire",
             "Schedule change fee", 1500, None),
            ("CONF-TARD", FeeKind.LATE_CONFIRMATION, "Frais de confirmation tardive",
             "Late confirmation fee", 2500, None),
            ("ATTESTATION", FeeKind.CERTIFICATE, "Attestation de fréquentation",
             "Attendance certificate", 1000, None),
        ]  # fmt: skip
        fees: dict[str, Fee] = {}
        for code, kind, desc_fr, desc_en, amount, disc_id in items:
            voluntary = kind is FeeKind.VOLUNTARY
            ctx.add(
                "fee_schedule_item",
                {
                    "id": ctx.new_id("fee_schedule_item"),
                    "term_id": term.id,
                    "code": code,
                    "kind": kind,
                    "description_fr": desc_fr,
                    "description_en": desc_en,
                    "amount_cents": from_cents(amount),
                    "discipline_id": disc_id,
                    "is_voluntary": voluntary,
                },
            )
            fees[code] = Fee(code, desc_fr, amount, voluntary)
        ctx.ref.fees.append(fees)


def _staff(ctx: DemoContext) -> None:
    created = datetime(2024, 8, 1, 13, 0, tzinfo=UTC)
    codes = {e.code: e.id for e in ctx.ref.establishments}
    hashes: dict[str, str] = {}
    for username, password, role in DEMO_ACCOUNTS:
        if password not in hashes:
            hashes[password] = hash_password(password)
        full_name, est_code = _STAFF_DETAILS[username]
        staff_id = ctx.new_id("staff_user")
        ctx.add(
            "staff_user",
            {
                "id": staff_id,
                "username": username,
                "full_name": full_name,
                "role": Role(role),
                "password_hash": hashes[password],
                "establishment_id": codes[est_code] if est_code else None,
                "language": "fr_CA",
                "is_active": True,
                "failed_attempts": 0,
                "locked_until": None,
                "created_at": created,
                "password_changed_at": created,
            },
        )
        ctx.ref.staff[username] = staff_id


def new_teacher(ctx: DemoContext) -> int:
    rng = ctx.rng
    first = rng.choice(ADULT_FIRST_FEMALE if rng.random() < 0.55 else ADULT_FIRST_MALE)
    last = rng.choice(LAST_NAMES)
    teacher_id = ctx.new_id("teacher")
    local = ascii_fold(f"{first}.{last}").lower().replace(" ", "").replace("'", "")
    ctx.add(
        "teacher",
        {
            "id": teacher_id,
            "first_name": first,
            "last_name": last,
            "email": f"{local}.{teacher_id}@{STAFF_EMAIL_DOMAIN}",
        },
    )
    return teacher_id


def staff_for(ctx: DemoContext, est_index: int) -> int:
    """The clerk who takes payments at an establishment."""
    return ctx.ref.staff["clerk" if est_index == 0 else "clerk2"]
