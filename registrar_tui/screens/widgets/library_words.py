"""Textual's own words, in our language: its key names and its widgets' key descriptions.

Textual (pinned) describes the keys of its widgets in English ("Cursor up", "Dismiss
menu", "Copy selected text") and names keys as they are spelled in code ("space", "esc",
"shift+tab"). Wherever a key is shown (the footer, F1's list, the palette) it goes through
`binding_description` and `key_display`: each of Textual's descriptions has a French
source string here, translated by our catalog like every other word of the app, or is
left out (`None`: a key that does nothing a clerk would look for, such as scrolling a
table sideways). `tests/screens/widgets/test_library_words.py` fails when a Textual widget
the app uses gains a description this table does not know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registrar_tui.i18n import N_, _, pgettext

if TYPE_CHECKING:
    from textual.binding import Binding

TEXTUAL_DESCRIPTIONS: dict[str, str | None] = {
    # DataTable (every list of the app; the cursor moves by rows)
    "Cursor up": N_("Ligne précédente"),
    "Cursor down": N_("Ligne suivante"),
    "Cursor left": None,
    "Cursor right": None,
    "Page up": N_("Page précédente"),
    "Page down": N_("Page suivante"),
    "Top": N_("Première ligne"),
    "Bottom": N_("Dernière ligne"),
    "Home": N_("Première ligne"),
    "End": N_("Dernière ligne"),
    "Select": N_("Choisir"),
    # scrolling areas
    "Scroll Up": N_("Défiler vers le haut"),
    "Scroll Down": N_("Défiler vers le bas"),
    "Scroll Left": None,
    "Scroll Right": None,
    "Scroll Home": N_("Tout en haut"),
    "Scroll End": N_("Tout en bas"),
    "Page Up": N_("Page précédente"),
    "Page Down": N_("Page suivante"),
    "Page Left": None,
    "Page Right": None,
    # lists of choices (Select, OptionList, SelectionList, Checkbox)
    "Up": N_("Choix précédent"),
    "Down": N_("Choix suivant"),
    "First": N_("Premier choix"),
    "Last": N_("Dernier choix"),
    "Show menu": N_("Ouvrir la liste"),
    "Dismiss menu": N_("Fermer la liste"),
    "Toggle": N_("Cocher ou décocher"),
    "Toggle option": N_("Cocher ou décocher"),
    # RadioSet (a student's status)
    "Next option": N_("Choix suivant"),
    "Previous option": N_("Choix précédent"),
    # tabs
    "Next tab": N_("Onglet suivant"),
    "Previous tab": N_("Onglet précédent"),
    # screens and the application
    "Focus Next": N_("Élément suivant"),
    "Focus Previous": N_("Élément précédent"),
    "Copy selected text": N_("Copier le texte sélectionné"),
    "Quit": N_("Quitter"),
    # text boxes (Input)
    "Submit": N_("Valider"),
    "Move cursor left": N_("Caractère précédent"),
    "Move cursor right or accept the completion suggestion": N_("Caractère suivant"),
    "Move cursor left a word": N_("Mot précédent"),
    "Move cursor right a word": N_("Mot suivant"),
    "Move cursor left and select": N_("Sélectionner vers la gauche"),
    "Move cursor right and select": N_("Sélectionner vers la droite"),
    "Move cursor left a word and select": N_("Sélectionner le mot précédent"),
    "Move cursor right a word and select": N_("Sélectionner le mot suivant"),
    "Go to start": N_("Début du champ"),
    "Go to end": N_("Fin du champ"),
    "Select line start": N_("Sélectionner jusqu'au début"),
    "Select line end": N_("Sélectionner jusqu'à la fin"),
    "Select all": N_("Tout sélectionner"),
    "Delete character left": N_("Effacer le caractère précédent"),
    "Delete character right": N_("Effacer le caractère suivant"),
    "Delete left to start of word": N_("Effacer le mot précédent"),
    "Delete right to start of word": N_("Effacer le mot suivant"),
    "Delete all to the left": N_("Effacer jusqu'au début"),
    "Delete all to the right": N_("Effacer jusqu'à la fin"),
    "Cut selected text": N_("Couper le texte sélectionné"),
    "Paste text from the clipboard": N_("Coller"),
    # text boxes of several lines (TextArea: a reminder letter's paragraphs)
    "Cursor word left": N_("Mot précédent"),
    "Cursor word right": N_("Mot suivant"),
    "Cursor line start": N_("Début de la ligne"),
    "Cursor line end": N_("Fin de la ligne"),
    "Cursor page up": N_("Page précédente"),
    "Cursor page down": N_("Page suivante"),
    "Cursor left word select": N_("Sélectionner le mot précédent"),
    "Cursor right word select": N_("Sélectionner le mot suivant"),
    "Cursor line start select": N_("Sélectionner jusqu'au début"),
    "Cursor line end select": N_("Sélectionner jusqu'à la fin"),
    "Cursor up select": N_("Sélectionner vers le haut"),
    "Cursor down select": N_("Sélectionner vers le bas"),
    "Cursor left select": N_("Sélectionner vers la gauche"),
    "Cursor right select": N_("Sélectionner vers la droite"),
    "Select line": N_("Sélectionner la ligne"),
    "Cut": N_("Couper"),
    "Copy": N_("Copier"),
    "Paste": N_("Coller"),
    "Delete to line start": N_("Effacer jusqu'au début"),
    "Delete to line end": N_("Effacer jusqu'à la fin"),
    "Delete line": N_("Effacer la ligne"),
    "Undo": N_("Annuler la modification"),
    "Redo": N_("Rétablir la modification"),
    # the command palette
    "Exit the command palette": N_("Fermer la palette"),
    "Next command": N_("Commande suivante"),
    "Previous command": N_("Commande précédente"),
    "Next page": N_("Page suivante"),
    "Previous page": N_("Page précédente"),
    "Go to top": N_("Première commande"),
    "Go to bottom": N_("Dernière commande"),
}
"""Textual's description → our French source string (None: not shown anywhere)."""

KEY_WORDS = ("escape", "space", "shift", "home", "end", "delete", "backspace", "insert")
"""The keys whose name is a word, translated by `key_name` (other keys, f1, ↑, ⏎, ^q and
letters, read the same in both languages)."""


def key_name(name: str) -> str:
    """A key's name as a French keyboard prints it (lower case, as Textual's footer does);
    the English catalog gives back the names Textual uses."""
    names = {
        "escape": pgettext("touche", "échap"),
        "space": pgettext("touche", "espace"),
        "shift": pgettext("touche", "maj"),
        "home": pgettext("touche", "début"),
        "end": pgettext("touche", "fin"),
        "delete": pgettext("touche", "suppr"),
        "backspace": pgettext("touche", "retour arrière"),
        "insert": pgettext("touche", "inser"),
    }
    return names.get(name, name)


HIDDEN_MODIFIERS = ("super", "meta", "hyper")
"""A key with one of these (the Mac command key) is not listed: the counter's keyboards
have none, and "^c, super+c" read as noise."""


def binding_description(description: str) -> str | None:
    """The description of a key in the UI language; None when it is not to be shown.

    Our own descriptions are French source strings (translated by the catalog); Textual's
    are looked up in `TEXTUAL_DESCRIPTIONS` first.
    """
    if description in TEXTUAL_DESCRIPTIONS:
        french = TEXTUAL_DESCRIPTIONS[description]
        return None if french is None else _(french)
    return _(description) if description else ""


def shows_key(key: str) -> bool:
    """Whether a key (one of a binding's keys, e.g. "super+c") is worth listing."""
    return not any(part in HIDDEN_MODIFIERS for part in key.split("+")[:-1])


def key_display(binding: Binding, textual_display: str) -> str:
    """How a key reads in the UI language, from what Textual would display.

    `textual_display` is Textual's own rendering of `binding` ("esc", "shift+tab", "^c",
    "space", "⏎"): each word of it that names a key is translated ("échap", "maj+tab",
    "espace"); a binding with its own `key_display` keeps it; the "yes" of a question
    (binding id `….yes`, keys o and y) shows "o" in French and "y" in English.
    """
    if binding.key_display:
        return binding.key_display
    if textual_display in ("o", "y") and (binding.id or "").endswith(".yes"):
        # A question's "yes" answers to o and y; each language shows its own letter.
        return pgettext("touche oui", "o")
    parts = textual_display.split("+")
    names = {"esc": "escape"}
    shown: list[str] = []
    for part in parts:
        prefix = "^" if part.startswith("^") and len(part) > 1 else ""
        word = part[len(prefix) :]
        name = names.get(word, word)
        shown.append(prefix + (key_name(name) if name in KEY_WORDS else word))
    return "+".join(shown)
