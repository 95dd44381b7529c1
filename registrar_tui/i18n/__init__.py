"""Translation and locale formatting.

Source strings are French (fr_CA, the default UI language); the English catalog
(`i18n/en/LC_MESSAGES/registrar_tui.po`) translates them. Money and dates are always
formatted by Babel for the current language.
"""

from __future__ import annotations

import gettext
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

DOMAIN = "registrar_tui"
LOCALE_DIR = Path(__file__).parent
DEFAULT_LANGUAGE = "fr_CA"
LANGUAGES = ("fr_CA", "en")
# Where the school is: stored instants are UTC, shown in local time.
LOCAL_TIMEZONE = "America/Toronto"
_BABEL_LOCALES = {"fr_CA": "fr_CA", "en": "en_CA"}

_state: dict[str, object] = {
    "language": DEFAULT_LANGUAGE,
    "translations": gettext.NullTranslations(),
}


def translations_for(language: str) -> gettext.NullTranslations:
    """The catalog of `language`, without changing the UI language (documents, e-mails)."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po.exists():
        return gettext.NullTranslations()
    # No compiled catalog (fresh checkout without `make catalogs`): compile in memory.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def set_language(language: str) -> None:
    """Switch the UI language ('fr_CA' or 'en'); unknown values fall back to French."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    _state["language"] = language
    _state["translations"] = translations_for(language)


def current_language() -> str:
    return str(_state["language"])


def babel_locale() -> str:
    """The Babel locale for the current language (fr_CA or en_CA)."""
    return _BABEL_LOCALES[current_language()]


def _(message: str) -> str:
    """Translate a UI string (French source) to the current language."""
    translations = _state["translations"]
    assert isinstance(translations, gettext.NullTranslations)
    return translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    translations = _state["translations"]
    assert isinstance(translations, gettext.NullTranslations)
    return translations.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated when shown)."""
    return message


def format_money(amount: Decimal) -> str:
    """`1 275,00 $` in French, `$1,275.00` in English (Babel, Canadian dollars)."""
    from babel.numbers import format_currency

    return format_currency(amount, "CAD", locale=babel_locale())


def format_date(value: date, fmt: str = "medium") -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, fmt, locale=babel_locale())


def format_datetime(value: datetime, fmt: str = "short") -> str:
    """Format a stored instant (UTC; naive means UTC) in the school's local time."""
    from babel.dates import format_datetime as babel_format_datetime
    from babel.dates import get_timezone

    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return babel_format_datetime(
        value, fmt, tzinfo=get_timezone(LOCAL_TIMEZONE), locale=babel_locale()
    )
