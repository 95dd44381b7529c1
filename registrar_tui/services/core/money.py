"""Amounts typed at the counter: parse them, and move between Decimal and cents.

Money is `Decimal` in the code and integer cents in the database; never float.

How a typed amount is read (the same rule a clerk would apply on paper):

- Spaces (ordinary, no-break, narrow no-break) group thousands in both languages:
  `1 234,50`. A `$` sign (or `CA$`, `$ CA`, `CAD`) before or after is ignored.
- When both `,` and `.` appear, the LAST one is the decimal mark and the other one
  groups thousands: `$1,234.50` and `1.234,50` are both one thousand two hundred
  thirty-four fifty, in either language.
- A mark that appears more than once can only group thousands: `1,234,567`.
- A single `,` or `.` alone:
  - in French it is always the decimal mark: `12,50` = `12.50` = twelve fifty;
    so `1,234` or `1.234` has three decimals and is refused (the message says to
    group thousands with a space);
  - in English `.` is the decimal mark; `,` groups thousands when exactly three
    digits follow it (`1,234` = 1234), otherwise it is a decimal comma (`12,50`).
- Thousands groups must have exactly three digits (`1 23,50` is refused).
- At most two decimals; no negative amounts; at most 1 000 000 $.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import InvalidAmount, InvalidInput
from registrar_tui.text import clean_text

MAX_AMOUNT = Decimal("1000000")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

MSG_EMPTY = N_("Entrez un montant.")
MSG_NEGATIVE = N_("Le montant ne peut pas être négatif.")
MSG_GARBAGE = N_("« {text} » n'est pas un montant. Exemple : 1 234,50")
MSG_TOO_MANY_DECIMALS = N_(
    "Au plus deux chiffres après la virgule. Pour les milliers, utilisez une espace : 1 234,50"
)
MSG_BAD_GROUPING = N_(
    "Séparateur de milliers mal placé dans « {text} » : les milliers se groupent par trois "
    "chiffres (1 234 567,50)."
)
MSG_TOO_LARGE = N_("Montant trop élevé : le maximum permis est 1 000 000 $.")
MSG_SUB_CENT = N_("Le montant doit être arrondi au cent près.")

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]+")
_CURRENCY = re.compile(r"^(?:CA ?\$|CAD|\$)|(?:CA ?\$|\$ ?CA|CAD|\$)$", re.IGNORECASE)
_MINUS = "-−–‐"  # hyphen-minus, minus sign, en dash, hyphen
_NUMBER_CHARS = re.compile(r"^[0-9 ,.]*[0-9]$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:[ ,.][0-9]{3})*$")


def babel_locale_for(language: str) -> str:
    """'en' / 'en_CA' → 'en_CA'; anything else → 'fr_CA'."""
    return "en_CA" if language.lower().startswith("en") else "fr_CA"


def _strip_currency(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _CURRENCY.sub("", text).strip()
    return text


def _decimal_mark(number: str, english: bool) -> str | None:
    """Which of ',' / '.' is the decimal mark in `number` (None: no decimals)."""
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        return "," if number.rfind(",") > number.rfind(".") else "."
    mark = "," if commas else "." if dots else None
    if mark is None or number.count(mark) > 1:
        return None  # repeated mark: thousands only
    if english and mark == ",":
        after = number.rsplit(",", 1)[1]
        return None if len(after) == 3 else ","
    return mark


def parse_money(text: str, language: str, *, field: str = "amount") -> Decimal:
    """Read an amount typed by a clerk (see the module docstring for the rule).

    Returns a non-negative Decimal with exactly two decimal places.
    Raises InvalidInput with a message naming what is wrong.
    """
    locale = babel_locale_for(language)
    shown = clean_text(text).strip()
    if not shown:
        raise InvalidInput(MSG_EMPTY, field=field)
    value = _strip_currency(_SPACES.sub(" ", shown).strip())
    if (
        value[:1] in _MINUS
        or value[-1:] in _MINUS
        or (value.startswith("(") and value.endswith(")"))
    ):
        raise InvalidInput(MSG_NEGATIVE, field=field)
    value = value.removeprefix("+").strip()
    if value.startswith((",", ".")):
        value = "0" + value  # ",50" / ".50"
    if not _NUMBER_CHARS.match(value) or "  " in value:
        raise InvalidInput(MSG_GARBAGE, field=field, text=shown)

    mark = _decimal_mark(value, english=locale == "en_CA")
    integer, fraction = value.rsplit(mark, 1) if mark else (value, "")
    if mark and (not fraction.isdigit()):
        raise InvalidInput(MSG_GARBAGE, field=field, text=shown)
    if len(fraction) > 2:
        raise InvalidInput(MSG_TOO_MANY_DECIMALS, field=field)
    integer = integer.strip()
    if mark:
        group = "." if mark == "," else ","
    else:
        marks = {",", "."} & set(integer)
        if len(marks) > 1:
            raise InvalidInput(MSG_BAD_GROUPING, field=field, text=shown)
        group = marks.pop() if marks else ""
    separators = set(re.sub(r"[0-9]", "", integer))
    if separators and (separators - {" ", group} or not _GROUPED.match(integer)):
        raise InvalidInput(MSG_BAD_GROUPING, field=field, text=shown)
    digits = re.sub(r"[ ,.]", "", integer)
    if not digits.isdigit():
        raise InvalidInput(MSG_GARBAGE, field=field, text=shown)

    canonical = digits + (get_decimal_symbol(locale) + fraction if fraction else "")
    try:
        amount = parse_decimal(canonical, locale=locale, strict=True)
    except NumberFormatError as error:  # pragma: no cover - canonical form is always valid
        raise InvalidInput(MSG_GARBAGE, field=field, text=shown) from error
    if amount > MAX_AMOUNT:
        raise InvalidInput(MSG_TOO_LARGE, field=field)
    return amount.quantize(CENT)


def to_cents(amount: Decimal, *, field: str = "amount") -> int:
    """Decimal dollars → integer cents; refuses fractions of a cent (and NaN/∞)."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidInput(MSG_GARBAGE, field=field, text=str(amount))
    cents = amount * 100
    try:
        whole = cents.to_integral_exact()
    except InvalidOperation as error:  # pragma: no cover - finite values never fail
        raise InvalidInput(MSG_SUB_CENT, field=field) from error
    if whole != cents:
        raise InvalidInput(MSG_SUB_CENT, field=field)
    return int(whole)


def from_cents(cents: int) -> Decimal:
    """Integer cents → Decimal dollars with exactly two decimal places."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


def valid_amount(amount: Decimal, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An amount typed by a person, to the cent; refuses ≤ 0 or sub-cent amounts (InvalidAmount)."""
    try:
        valid = (
            isinstance(amount, Decimal)
            and amount.is_finite()
            and amount == amount.quantize(Decimal("0.01"))
            and (amount >= 0 if allow_zero else amount > 0)
        )
    except InvalidOperation:
        valid = False
    if not valid:
        raise InvalidAmount(field=field)
    return amount.quantize(CENT)
