"""A paste is text: what the terminal sends between the paste brackets, cleaned, in order.

Two things Textual 8.2.8 (pinned) does with a paste, both fixed here and installed by
`textual_fixes.apply()` for every input of the application:

1. **Its parser plays an escape sequence inside a paste as keys.** In a bracketed paste
   (`ESC [200~ … ESC [201~`), an `ESC` starts a sequence that is not read as part of the
   paste: `But now...ESC[20Cfor my greatest trick` reached the input as the keys
   `[20Cfor my greatest trick…` first, then the paste `But now...`: stored reordered.
   `BracketedPasteParser` hands the parser the paste's own `ESC`s as a placeholder that
   is no escape, and gives them back in the `Paste` event: one event, the text in order.
2. **Its input drops a paste longer than the box's maximum without a word** (and takes
   the first line only): 10,000 characters pasted into « Montant remis » left the box as
   it was, and the payment was posted for the exact amount. `paste_into_input` cleans
   the text (`registrar_tui.text.clean_paste`: escape sequences removed, lines joined), and
   refuses a paste that does not fit with a message under the field, keeping what was
   there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import events
from textual._xterm_parser import XTermParser
from textual.containers import Horizontal, HorizontalGroup
from textual.content import Content
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Input, Static

from registrar_tui.i18n import _, ngettext
from registrar_tui.screens.widgets.service_call import field_error_id

if TYPE_CHECKING:
    from textual.message import Message

ESC = "\x1b"
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
_IN_PASTE_ESC = "\ufdd0"
"""Stands for an ESC inside a paste on its way through the parser: a Unicode noncharacter,
never in text that people exchange."""


def _marker_start_at_end(text: str, marker: str) -> int:
    """How many last characters of `text` could be the beginning of `marker` (0: none)."""
    for length in range(min(len(marker) - 1, len(text)), 0, -1):
        if text.endswith(marker[:length]):
            return length
    return 0


class BracketedPasteParser(XTermParser):
    """Textual's parser, with the `ESC`s inside a bracketed paste kept as pasted text."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._in_paste = False
        self._recent = ""
        """The last characters outside a paste (a paste's start may come in two reads)."""
        self._held = ""
        """The end of a paste's data that may be the beginning of its closing bracket."""

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # the end of the input
            held, self._held = self._held, ""
            return [*self._parsed(held), *map(self._restored, super().feed(""))]
        text, self._held = self._held + data, ""
        pieces: list[str] = []
        position = 0
        while position < len(text):
            if not self._in_paste:
                window = self._recent + text[position:]
                found = window.find(PASTE_START)
                if found < 0:
                    pieces.append(text[position:])
                    self._recent = window[-(len(PASTE_START) - 1) :]
                    break
                after = position + found + len(PASTE_START) - len(self._recent)
                pieces.append(text[position:after])
                position, self._in_paste, self._recent = after, True, ""
                continue
            found = text.find(PASTE_END, position)
            if found < 0:
                pasted = text[position:]
                kept = len(pasted) - _marker_start_at_end(pasted, PASTE_END)
                pasted, self._held = pasted[:kept], pasted[kept:]
                pieces.append(pasted.replace(ESC, _IN_PASTE_ESC))
                break
            pieces.append(text[position:found].replace(ESC, _IN_PASTE_ESC) + PASTE_END)
            position, self._in_paste = found + len(PASTE_END), False
        return self._parsed("".join(pieces))

    def _parsed(self, text: str) -> list[Message]:
        # An empty feed means the end of the input to Textual's parser: never send one here.
        return [self._restored(token) for token in super().feed(text)] if text else []

    @staticmethod
    def _restored(token: Message) -> Message:
        if isinstance(token, events.Paste) and _IN_PASTE_ESC in token.text:
            return events.Paste(token.text.replace(_IN_PASTE_ESC, ESC))
        return token


# -- the input's side ----------------------------------------------------------------------


class PasteRefusal(Static):
    """The line under a field saying why a paste was refused (when the screen has no
    `#<field>-error` line of its own); it goes as soon as the field changes."""

    DEFAULT_CSS = """
    PasteRefusal {
        height: auto;
        color: $text-error;
        text-style: bold;
    }
    """


def paste_into_input(box: Input, event: events.Paste) -> None:
    """Replaces `Input._on_paste`: the cleaned text goes in at the cursor, or is refused."""
    event.stop()
    text = _clean(event.text)
    if not text:
        return
    start, end = sorted((max(0, box.selection.start), max(0, box.selection.end)))
    value = box.value
    wanted = f"{value[:start]}{text}{value[end:]}"
    if box.max_length and len(wanted) > box.max_length:
        refuse_paste(
            box,
            ngettext(
                "Texte collé refusé : au plus {count} caractère.",
                "Texte collé refusé : au plus {count} caractères.",
                box.max_length,
            ).format(count=box.max_length),
        )
        return
    box.replace(text, start, end)
    if box.value != wanted:  # the box's `restrict` (or type) refused it
        refuse_paste(box, _("Texte collé refusé : caractères non permis ici."))


def _clean(text: str) -> str:
    from registrar_tui.text import clean_paste

    return clean_paste(text)


def refuse_paste(box: Input, message: str) -> None:
    """Say under `box` why the paste was refused: in the screen's `#<field>-error` line
    when it has one, else on a line of its own right under the field."""
    box.app.bell()
    shown = Content.styled(message, "bold $text-error")
    if box.id:
        try:
            line = box.screen.query_one(f"#{field_error_id(box.id)}", Static)
        except NoMatches:
            pass
        else:
            if not line.has_class("-paste-refusal"):
                line.shown_before_paste = line.display  # type: ignore[attr-defined]
            line.update(shown)
            line.display = True
            line.add_class("-visible", "-paste-refusal")
            return
    existing = _own_line(box)
    if existing is not None:
        existing.update(shown)
        return
    anchor: Widget = box
    # Under the field: after the row holding it (a label and the box side by side).
    while isinstance(anchor.parent, (Horizontal, HorizontalGroup)):
        anchor = anchor.parent
    refusal = PasteRefusal(shown, classes="-paste-refusal")
    refusal.refused_for = box  # type: ignore[attr-defined]
    if isinstance(anchor.parent, Widget):
        anchor.parent.mount(refusal, after=anchor)


def _own_line(box: Input) -> PasteRefusal | None:
    for line in box.screen.query(PasteRefusal):
        if getattr(line, "refused_for", None) is box:
            return line
    return None


def forget_paste_refusal(box: Input) -> None:
    """The field changed: its paste refusal no longer applies (another message stays)."""
    line = _own_line(box)
    if line is not None:
        line.remove()
    if box.id:
        for shown in box.screen.query(f"#{field_error_id(box.id)}.-paste-refusal"):
            if isinstance(shown, Static):
                shown.update(Content(""))
                shown.remove_class("-visible", "-paste-refusal")
                shown.display = getattr(shown, "shown_before_paste", False)
