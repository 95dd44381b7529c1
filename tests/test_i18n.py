"""English is complete: every UI string of the package has its translation.

French is the source language (the strings in the code); the English catalog must
translate each one, and no refusal can reach the screen untranslatable.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import registrar_tui
from registrar_tui.i18n import _, set_language
from registrar_tui.services.core.errors import DomainError

PACKAGE = Path(registrar_tui.__file__).parent
KEYWORDS: dict[str, object] = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "NP_": ((1, "c"), 2),
}
"""What `make extract` reads (babel's defaults and ours: N_, NP_)."""


def _extracted() -> list[tuple[str, int, str | tuple[str, ...], str | None]]:
    from babel.messages.extract import extract_from_dir

    return [
        (filename, line, message, context)
        for filename, line, message, _comments, context in extract_from_dir(
            str(PACKAGE), keywords=KEYWORDS
        )
    ]


def _messages() -> list[tuple[str, int, str]]:
    """Every message (a plural by its singular) as (file, line, text)."""
    return [
        (filename, line, message if isinstance(message, str) else message[0])
        for filename, line, message, _context in _extracted()
    ]


def test_every_ui_string_has_an_english_translation() -> None:
    from babel.messages.pofile import read_po

    with (PACKAGE / "i18n/en/LC_MESSAGES/registrar_tui.po").open("rb") as handle:
        catalog = read_po(handle)
    messages = _extracted()
    assert len(messages) > 300
    missing: set[str] = set()
    for file, line, message, context in messages:
        key = message if isinstance(message, str) else message[0]
        entry = catalog.get(key, context=context)
        strings = () if entry is None else entry.string
        complete = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or entry.fuzzy or not complete:
            missing.add(f"{file}:{line}: {context or ''} {message!r}")
    assert sorted(missing) == []


_GUESSED_PLURAL = re.compile(r"\w\((?:s|e|es|x)\)")
_COUNT_THEN_NOUN = re.compile(r"\{(count|n|total|seats|done|\w+_count)\}\s+[a-zàâçéèêëîïôûù'’]+s\b")
"""A count placeholder followed by a plural word: « {count} entrées »."""


def test_counts_use_ngettext() -> None:
    """« 1 cochée(s) », « {count} entrées » with `_()`: a count reads right only through
    `ngettext` (« 0 absence », « 1 cochée », « 2 cochées »)."""
    found: list[str] = []
    for file, line, message, _context in _extracted():
        texts = [message] if isinstance(message, str) else []
        for text in texts:
            bad = _GUESSED_PLURAL.search(text) or _COUNT_THEN_NOUN.search(text)
            if bad:
                found.append(f"{file}:{line}: {text!r}")
    assert found == []


def test_french_counts_zero_and_one_in_the_singular() -> None:
    from registrar_tui.i18n import ngettext

    shown = [ngettext("{count} absence", "{count} absences", n).format(count=n) for n in (0, 1, 2)]
    assert shown == ["0 absence", "1 absence", "2 absences"]
    set_language("en")
    try:
        english = [ngettext("{count} cochée", "{count} cochées", n).format(count=n) for n in (0, 1)]
        assert english == ["0 ticked", "1 ticked"]
        assert ngettext("{count} élève à facturer", "{count} élèves à facturer", 0) == (
            "{count} students to charge"
        )
    finally:
        set_language("fr_CA")


def test_a_word_with_two_meanings_takes_its_context() -> None:
    from registrar_tui.i18n import NP_, pgettext

    set_language("en")
    try:
        assert pgettext("remarque", "Note") == "Note"
        assert pgettext("résultat scolaire", "Note") == "Mark"
        assert _(NP_("annuler un paiement", "Annuler")) == "Void"
    finally:
        set_language("fr_CA")
    assert _(NP_("annuler un paiement", "Annuler")) == "Annuler"


def test_elision_before_a_vowel_or_a_mute_h() -> None:
    from registrar_tui.i18n import elide, takes_elision

    assert elide("Dossier de {name}", name="Hélène Roy") == "Dossier d'Hélène Roy"
    assert elide("Dossier de {name}", name="Marc Roy") == "Dossier de Marc Roy"
    assert elide("Dossier de {name}", name="Olivier") == "Dossier d'Olivier"
    assert elide("Dossier de {name}", name="Yves") == "Dossier d'Yves"
    assert elide("Dossier de {name}", name="Yannick") == "Dossier de Yannick"
    assert elide("Le {day} de {month}", day="11", month="août") == "Le 11 d'août"
    assert elide("Parce que {who} paie", who="Émile") == "Parce qu'Émile paie"
    assert not takes_elision("") and not takes_elision("«  ")
    set_language("en")
    try:
        assert elide("de {name}", name="Hélène") == "de Hélène"  # English text: untouched
    finally:
        set_language("fr_CA")


def test_refusals_name_people_with_elision() -> None:
    from registrar_tui.services.activities.registration import StudentNotEligible

    refusal = StudentNotEligible(student="Étienne Roy")
    assert refusal.translated().startswith("Étienne Roy ne fréquente pas")


def test_generated_french_text_keeps_its_colons_on_the_line() -> None:
    from registrar_tui.i18n import french_spacing

    text = french_spacing("Total : 12,00 $ ; payé ! Vraiment ? « Oui » à 14:30 https://x.ca")
    assert text == (
        "Total\u00a0: 12,00 $\u00a0; payé\u00a0! Vraiment\u00a0? «\u00a0Oui\u00a0» "
        "à 14:30 https://x.ca"
    )
    assert french_spacing("Total : 1", "en") == "Total : 1"


def test_the_english_catalog_is_used() -> None:
    set_language("en")
    try:
        assert _("Rechercher") == "Search"
    finally:
        set_language("fr_CA")


def _domain_error_names() -> set[str]:
    import registrar_tui.services as services

    for info in pkgutil.iter_modules(services.__path__):
        importlib.import_module(f"registrar_tui.services.{info.name}")
    names: set[str] = set()
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def test_refusals_carry_marked_messages() -> None:
    """`raise NotFound("…")` with a bare literal would never be translated: use N_()."""
    names = _domain_error_names()
    bare: list[str] = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                bare.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert bare == []
