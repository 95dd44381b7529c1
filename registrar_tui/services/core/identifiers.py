"""Identifiers typed at the counter: parse, normalise, refuse with a precise message.

Every parser takes the raw text, returns the canonical stored form, and raises
`InvalidInput(message, field=...)` (French source message, translated when shown).
Empty input is refused; for an optional field use `parse_optional`.

Code permanent (Quebec Ministry of Education), 12 characters `AAAB DDMMYY NN`:
  AAA  first three letters of the last name (accents removed; hyphens, apostrophes
       and spaces ignored, so `De La Fontaine` → DEL, `O'Neil` → ONE);
  B    first letter of the first name;
  DD   day of birth; MM month of birth, plus 50 for a girl (51–62); YY the last
       two digits of the year; NN two digits assigned by the Ministry.
  Short last names: our rule (we could not consult the Ministry's guide) is that
  the missing letters are filled with X (`Ng` → NGX, `O` → OXX); the Ministry
  occasionally assigns other letters, so a mismatch is only ever a *warning*.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from registrar_tui.i18n import N_, _, format_date
from registrar_tui.models.base import Sex
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.text import clean_text

# --- messages (French source; English in the .po) ---------------------------------
MSG_CP_EMPTY = N_("Entrez le code permanent.")
MSG_CP_FORMAT = N_("Le code permanent a 4 lettres suivies de 8 chiffres, par exemple TREH12550399.")
MSG_CP_MONTH = N_(
    "Mois de naissance impossible dans le code permanent ({month}) : "
    "01 à 12 pour un garçon, 51 à 62 pour une fille."
)
MSG_CP_DATE = N_("La date de naissance du code permanent ({day}/{month}/{year}) n'existe pas.")
WARN_CP_LAST_NAME = N_(
    "Les trois premières lettres du code permanent ({actual}) ne correspondent pas "
    "au nom de famille (attendu : {expected})."
)
WARN_CP_FIRST_NAME = N_(
    "La 4e lettre du code permanent ({actual}) ne correspond pas à l'initiale du prénom "
    "(attendu : {expected})."
)
WARN_CP_BIRTH_DATE = N_(
    "La date de naissance du code permanent ({code_date}) ne correspond pas à la date "
    "de naissance inscrite ({birth_date})."
)
WARN_CP_FEMALE = N_(
    "Le code permanent est celui d'une fille (mois + 50), mais le sexe inscrit est M."
)
WARN_CP_MALE = N_("Le code permanent est celui d'un garçon, mais le sexe inscrit est F.")

MSG_SN_EMPTY = N_("Entrez le numéro d'élève.")
MSG_SN_DIGITS_ONLY = N_("Le numéro d'élève ne contient que des chiffres.")
MSG_SN_LENGTH = N_("Le numéro d'élève a {digits} chiffres (vous en avez tapé {count}).")

MSG_PC_EMPTY = N_("Entrez le code postal.")
MSG_PC_FORMAT = N_("Le code postal a la forme A1A 1A1 (lettre, chiffre, lettre, chiffre…).")
MSG_PC_LETTER = N_("La lettre {letter} n'est jamais utilisée dans un code postal canadien.")
MSG_PC_FIRST = N_("Un code postal canadien ne commence jamais par {letter}.")

MSG_PH_EMPTY = N_("Entrez un numéro de téléphone.")
MSG_PH_CHARS = N_(
    "Le numéro de téléphone ne peut contenir que des chiffres, espaces, tirets et ()."
)
MSG_PH_LENGTH = N_(
    "Le numéro de téléphone a 10 chiffres, indicatif régional compris (vous en avez tapé {count})."
)
MSG_PH_COUNTRY = N_("Seuls les numéros d'Amérique du Nord (+1) sont acceptés.")
MSG_PH_AREA = N_("L'indicatif régional ({area}) ne peut pas commencer par 0 ou 1.")
MSG_PH_EXTENSION = N_("Le poste a au plus {maximum} chiffres.")
MSG_PH_EXCHANGE = N_(
    "Le numéro après l'indicatif régional ({exchange}) ne peut pas commencer par 0 ou 1."
)

MSG_EM_EMPTY = N_("Entrez une adresse courriel.")
MSG_EM_SPACES = N_("Une adresse courriel ne contient pas d'espace.")
MSG_EM_AT = N_("Une adresse courriel contient un seul @, par exemple nom@exemple.ca.")
MSG_EM_DOMAIN = N_(
    "Le domaine de l'adresse courriel (après le @) est incomplet, par exemple exemple.ca."
)
MSG_EM_CHARS = N_("L'adresse courriel contient un caractère non permis : {char}")
MSG_EM_LENGTH = N_("Adresse courriel trop longue (au plus {maximum} caractères).")

STUDENT_NUMBER_FORMATS = (7, 9)
EMAIL_MAX_LENGTH = 200  # the column width
PHONE_EXTENSION_MAX_DIGITS = 6  # "514-555-0123 x123456" = 20 characters, the column width


def _compact(text: str) -> str:
    """Cleaned text without any whitespace."""
    return re.sub(r"\s+", "", clean_text(text))


def strip_accents(text: str) -> str:
    """`Hélène Côté` → `Helene Cote` (combining marks removed; œ/æ/ß spelled out)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")


def name_order(text: str) -> str:
    """The key a French list sorts names by: accents and case ignored (« Bélanger » before
    « Blais », « Élise » among the E)."""
    return strip_accents(text).casefold()


T = TypeVar("T")


def parse_optional(parse: Callable[..., T], text: str | None, *args: object) -> T | None:
    """Blank → None; otherwise `parse(text, *args)` (which may raise InvalidInput)."""
    if text is None or not clean_text(text).strip():
        return None
    return parse(text, *args)


# --- code permanent ---------------------------------------------------------------
_CP_PATTERN = re.compile(r"^[A-Z]{4}[0-9]{8}$")


def parse_code_permanent(text: str, *, field: str = "code_permanent") -> str:
    """`treh 1255 0399` → `TREH12550399`; refuses a bad format, month or date."""
    code = strip_accents(_compact(text)).replace("-", "").upper()
    if not code:
        raise InvalidInput(MSG_CP_EMPTY, field=field)
    if not _CP_PATTERN.match(code):
        raise InvalidInput(MSG_CP_FORMAT, field=field)
    day, month, year = int(code[4:6]), int(code[6:8]), int(code[8:10])
    real_month = month - 50 if month > 50 else month
    if not 1 <= real_month <= 12:
        raise InvalidInput(MSG_CP_MONTH, field=field, month=code[6:8])
    try:
        # 2000 + YY: leap in 2000 too, so 29 February is possible for every YY % 4 == 0.
        date(2000 + year, real_month, day)
    except ValueError as error:
        raise InvalidInput(
            MSG_CP_DATE, field=field, day=code[4:6], month=f"{real_month:02d}", year=code[8:10]
        ) from error
    return code


def name_letters(name: str) -> str:
    """The A–Z letters of a name, upper case, accents removed, everything else ignored."""
    return re.sub(r"[^A-Z]", "", strip_accents(clean_text(name)).upper())


def expected_code_letters(first_name: str, last_name: str) -> str:
    """The four letters a code permanent should start with (see the module docstring)."""
    last = name_letters(last_name)[:3].ljust(3, "X")
    first = name_letters(first_name)[:1] or "X"
    return last + first


def code_permanent_warnings(
    code: str,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    sex: Sex | str | None,
) -> list[str]:
    """Translated warnings when the code disagrees with the name, birth date or sex.

    An empty list means everything agrees (or could not be checked: blank names,
    unknown birth date or sex). Raises InvalidInput if `code` itself is malformed.
    """
    code = parse_code_permanent(code)
    warnings: list[str] = []
    expected = expected_code_letters(first_name, last_name)
    if name_letters(last_name) and code[:3] != expected[:3]:
        warnings.append(_(WARN_CP_LAST_NAME).format(actual=code[:3], expected=expected[:3]))
    if name_letters(first_name) and code[3] != expected[3]:
        warnings.append(_(WARN_CP_FIRST_NAME).format(actual=code[3], expected=expected[3]))

    day, month, year = int(code[4:6]), int(code[6:8]), int(code[8:10])
    is_female_code = month > 50
    real_month = month - 50 if is_female_code else month
    if birth_date is not None and (
        birth_date.day != day or birth_date.month != real_month or birth_date.year % 100 != year
    ):
        code_date = f"{code[4:6]}/{real_month:02d}/{code[8:10]}"
        warnings.append(
            _(WARN_CP_BIRTH_DATE).format(code_date=code_date, birth_date=format_date(birth_date))
        )
    if sex is not None:
        sex_value = Sex(sex)
        if is_female_code and sex_value is Sex.MALE:
            warnings.append(_(WARN_CP_FEMALE))
        elif not is_female_code and sex_value is Sex.FEMALE:
            warnings.append(_(WARN_CP_MALE))
    return warnings


def make_code_permanent(
    first_name: str, last_name: str, birth_date: date, sex: Sex | str, suffix: int = 1
) -> str:
    """The code permanent these particulars would give (demo data, tests)."""
    month = birth_date.month + (50 if Sex(sex) is Sex.FEMALE else 0)
    digits = f"{birth_date.day:02d}{month:02d}{birth_date.year % 100:02d}{suffix % 100:02d}"
    return expected_code_letters(first_name, last_name) + digits


# --- student number ---------------------------------------------------------------
def parse_student_number(text: str, digits: int, *, field: str = "student_number") -> str:
    """The establishment's own number: exactly `digits` (7 or 9) digits, e.g. `201337007`."""
    if digits not in STUDENT_NUMBER_FORMATS:
        raise ValueError(f"student numbers have 7 or 9 digits, not {digits}")
    number = _compact(text).replace("-", "")
    if not number:
        raise InvalidInput(MSG_SN_EMPTY, field=field)
    if not (number.isascii() and number.isdigit()):
        raise InvalidInput(MSG_SN_DIGITS_ONLY, field=field)
    if len(number) != digits:
        raise InvalidInput(MSG_SN_LENGTH, field=field, digits=digits, count=len(number))
    return number


# --- postal code ------------------------------------------------------------------
_PC_PATTERN = re.compile(r"^[A-Z][0-9][A-Z][0-9][A-Z][0-9]$")
POSTAL_UNUSED_LETTERS = frozenset("DFIOQU")
POSTAL_UNUSED_FIRST = frozenset("WZ")


def parse_postal_code(text: str, *, field: str = "postal_code") -> str:
    """`h2x1y4` / `H2X-1Y4` → `H2X 1Y4`."""
    code = _compact(text).replace("-", "").upper()
    if not code:
        raise InvalidInput(MSG_PC_EMPTY, field=field)
    if not _PC_PATTERN.match(code):
        raise InvalidInput(MSG_PC_FORMAT, field=field)
    for letter in code[0::2]:
        if letter in POSTAL_UNUSED_LETTERS:
            raise InvalidInput(MSG_PC_LETTER, field=field, letter=letter)
    if code[0] in POSTAL_UNUSED_FIRST:
        raise InvalidInput(MSG_PC_FIRST, field=field, letter=code[0])
    return f"{code[:3]} {code[3:]}"


# --- province ---------------------------------------------------------------------
PROVINCES = frozenset(
    {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
)
"""Canada's provinces and territories (Canada Post two-letter codes)."""

MSG_PROVINCE = N_("Province inconnue : utilisez le code de deux lettres (QC, ON, NB…).")


def parse_province(text: str, *, field: str = "province") -> str:
    """`qc` → `QC`; InvalidInput unless a Canadian province or territory code."""
    code = text.strip().upper()
    if code not in PROVINCES:
        raise InvalidInput(MSG_PROVINCE, field=field)
    return code


# --- telephone --------------------------------------------------------------------
_EXTENSION = re.compile(
    r"\s*(?:,|;)?\s*(?:poste|extension|ext\.?|p\.|x|#)\s*([0-9]+)\s*$", re.IGNORECASE
)
_PHONE_ALLOWED = re.compile(r"^\+?[0-9 .\-()]+$")


def parse_phone(text: str, *, field: str = "phone") -> str:
    """North American number → `514-555-0123`, with ` x12` when an extension was given.

    Accepts `(514) 555-0123`, `+1 514 555 0123`, `5145550123`, `514.555.0123`,
    and an extension written `poste 12`, `p. 12`, `ext. 12`, `x12` or `#12`.
    """
    value = clean_text(text).strip()
    if not value:
        raise InvalidInput(MSG_PH_EMPTY, field=field)
    extension = ""
    match = _EXTENSION.search(value)
    if match and match.start() > 0:
        extension = match.group(1)
        value = value[: match.start()].strip()
        if len(extension) > PHONE_EXTENSION_MAX_DIGITS:
            raise InvalidInput(MSG_PH_EXTENSION, field=field, maximum=PHONE_EXTENSION_MAX_DIGITS)
    if not _PHONE_ALLOWED.match(value):
        raise InvalidInput(MSG_PH_CHARS, field=field)
    digits = re.sub(r"[^0-9]", "", value)
    if value.startswith("+") or len(digits) == 11:
        if not digits.startswith("1"):
            raise InvalidInput(MSG_PH_COUNTRY, field=field)
        digits = digits[1:]
    if len(digits) != 10:
        raise InvalidInput(MSG_PH_LENGTH, field=field, count=len(digits))
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    if area[0] in "01":
        raise InvalidInput(MSG_PH_AREA, field=field, area=area)
    if exchange[0] in "01":
        raise InvalidInput(MSG_PH_EXCHANGE, field=field, exchange=exchange)
    formatted = f"{area}-{exchange}-{line}"
    return f"{formatted} x{extension}" if extension else formatted


# --- e-mail -----------------------------------------------------------------------
_EMAIL_FORBIDDEN = frozenset('<>()[]\\,;:"')


def parse_email(text: str, *, field: str = "email") -> str:
    """Pragmatic check (one @, a dot in the domain, no spaces); domain lower-cased.

    No DNS lookup: the address is only proven by the e-mail that reaches it.
    """
    value = clean_text(text).strip()
    if not value:
        raise InvalidInput(MSG_EM_EMPTY, field=field)
    if any(char.isspace() for char in value):
        raise InvalidInput(MSG_EM_SPACES, field=field)
    if value.count("@") != 1:
        raise InvalidInput(MSG_EM_AT, field=field)
    local, domain = value.split("@")
    if not local:
        raise InvalidInput(MSG_EM_AT, field=field)
    for char in value:
        if char in _EMAIL_FORBIDDEN:
            raise InvalidInput(MSG_EM_CHARS, field=field, char=char)
    domain = domain.lower()
    labels = domain.split(".")
    if (
        len(labels) < 2
        or any(not label or label[0] == "-" or label[-1] == "-" for label in labels)
        or not all(char.isalnum() or char in "-." for char in domain)
        or len(labels[-1]) < 2
        or labels[-1].isdigit()
    ):
        raise InvalidInput(MSG_EM_DOMAIN, field=field)
    address = f"{local}@{domain}"
    if len(address) > EMAIL_MAX_LENGTH:
        raise InvalidInput(MSG_EM_LENGTH, field=field, maximum=EMAIL_MAX_LENGTH)
    return address
