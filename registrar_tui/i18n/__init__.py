"""Translation and locale formatting.

Source strings are French (fr_CA, the default UI language); the English catalog
(`i18n/en/LC_MESSAGES/registrar_tui.po`) translates them. Money and dates are always
formatted by Babel for the current language.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
        return _compiled_catalog(mo, mo.stat().st_mtime_ns)
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


@functools.lru_cache(maxsize=8)
def _compiled_catalog(mo: Path, _changed_ns: int) -> gettext.GNUTranslations:
    """The compiled catalog at `mo`, read once per version of the file: every receipt,
    statement and e-mail in English asked for it, and parsing its thousands of messages
    cost more than laying out the receipt's text (only read from after)."""
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def set_language(language: str) -> None:
    """Switch the UI language ('fr_CA' or 'en'); unknown values fall back to French."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    _state["language"] = language
    _state["translations"] = translations_for(language)


_scoped: ContextVar[tuple[str, gettext.NullTranslations] | None] = ContextVar(
    "registrar_language", default=None
)
"""A language for one task or thread only (the HTTP API answers each client in its own)."""
_catalogs: dict[str, gettext.NullTranslations] = {}


def _translations() -> gettext.NullTranslations:
    scoped = _scoped.get()
    translations = _state["translations"] if scoped is None else scoped[1]
    assert isinstance(translations, gettext.NullTranslations)
    return translations


@contextmanager
def scoped_language(language: str) -> Iterator[None]:
    """Translate and format in `language` inside the block, for this context only (the
    UI language of the process is untouched); unknown values fall back to French."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    if language not in _catalogs:
        _catalogs[language] = translations_for(language)
    token = _scoped.set((language, _catalogs[language]))
    try:
        yield
    finally:
        _scoped.reset(token)


def current_language() -> str:
    scoped = _scoped.get()
    return str(_state["language"]) if scoped is None else scoped[0]


def babel_locale() -> str:
    """The Babel locale for the current language (fr_CA or en_CA)."""
    return _BABEL_LOCALES[current_language()]


CONTEXT_SEPARATOR = "\x04"
"""Between a message's context and its text (gettext's own separator): `NP_` marks."""


def _(message: str) -> str:
    """Translate a UI string (French source) to the current language.

    A message marked with `NP_` carries its context and is translated with it.
    """
    translations = _translations()
    if CONTEXT_SEPARATOR in message:
        context, _separator, text = message.partition(CONTEXT_SEPARATOR)
        return pgettext(context, text)
    return translations.gettext(message)


def _french_plural(count: int) -> bool:
    # French counts 0 and 1 in the singular (« 0 absence », « 1 cochée », « 2 cochées »);
    # gettext without a catalog would use the English rule (n != 1).
    return abs(count) > 1


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural of a count message, by the current language's rule."""
    translations = _translations()
    if type(translations) is gettext.NullTranslations:
        return plural if _french_plural(count) else singular
    return translations.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """Translate a word whose meaning depends on where it is used ("Annuler" a payment is
    "Void", a dialog's "Annuler" is "Cancel"); `context` is a short French hint."""
    translations = _translations()
    if type(translations) is gettext.NullTranslations:
        return message
    return translations.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, count: int) -> str:
    translations = _translations()
    if type(translations) is gettext.NullTranslations:
        return plural if _french_plural(count) else singular
    return translations.npgettext(context, singular, plural, count)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated when shown)."""
    return message


def NP_(context: str, message: str) -> str:
    """`N_` for a word with a context (`pgettext`): a binding's "Annuler" that voids a
    payment (English "Void") beside a dialog's "Annuler" ("Cancel"). `_()` translates it
    with its context; the French shows `message`."""
    return f"{context}{CONTEXT_SEPARATOR}{message}"


_VOWELS = "aeiouyàâäéèêëîïôöûùüœæ"
_ELIDED_WORDS = re.compile(r"\b(de|que|jusque|le|la) \{(\w+)\}", re.IGNORECASE)
NO_BREAK_SPACE = "\u00a0"
_SPACE_BEFORE = re.compile(r"[ \u202f\u00a0]*([:;!?»])")
_SPACE_AFTER = re.compile(r"«[ \u202f\u00a0]*")


def takes_elision(word: str) -> bool:
    """Whether French elides « de », « que », « le », « la » before `word`: a vowel or a
    mute h (« d'Hélène », « d'Olivier », « d'Yves »), not a consonant (« de Marc »), a
    y before a vowel (« de Yannick ») or a digit (« le 11 mars »)."""
    folded = word.lstrip(" «\"'").casefold()
    if not folded:
        return False
    first, second = folded[0], folded[1:2]
    if first == "y":
        return second not in _VOWELS
    return first in _VOWELS or (first == "h" and second in _VOWELS)


def elide(template: str, language: str | None = None, /, **values: object) -> str:
    """`template.format(**values)`, French elision applied where a value follows « de »,
    « que », « le » or « la »: « Dossier de {name} » gives « Dossier d'Hélène » and
    « Dossier de Marc ». `language`: the text's (default: the UI's); text in English is
    only formatted."""
    return elided_template(template, language, **values).format(**values)


def elided_template(template: str, language: str | None = None, /, **values: object) -> str:
    """`template` with its elisions made for these values, its placeholders kept (for a
    screen that styles the name apart: `elided_template("Session de {name}", name=…)
    .partition("{name}")`)."""
    if (language or current_language()) != DEFAULT_LANGUAGE:
        return template

    def elided(match: re.Match[str]) -> str:
        word, name = match.group(1), match.group(2)
        value = str(values.get(name, ""))
        return f"{word[:-1]}'{{{name}}}" if takes_elision(value) else match.group(0)

    return _ELIDED_WORDS.sub(elided, template)


def french_spacing(text: str, language: str | None = None) -> str:
    """French typography for generated text (e-mails, documents): one no-break space
    before « : ; ! ? » » and after « « », so that a line never starts with a colon.
    `language`: the text's (default: the UI's); English is returned as it is."""
    if (language or current_language()) != DEFAULT_LANGUAGE:
        return text
    text = _SPACE_BEFORE.sub(lambda m: NO_BREAK_SPACE + m.group(1), text)
    # Not inside a time or a URL ("14:30", "https://"): only after a letter, a digit, a
    # closing sign or a space was a space needed; undo it where nothing preceded it.
    text = re.sub(r"(?<=[0-9A-Za-z/])\u00a0:(?=[0-9/])", ":", text)
    return _SPACE_AFTER.sub("«" + NO_BREAK_SPACE, text)


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
