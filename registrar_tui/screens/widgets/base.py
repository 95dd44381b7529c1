"""What every screen shares: translated key labels, the backend, worker errors, safe text."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import events
from textual.binding import ActiveBinding, Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.service_call import ServiceCaller

if TYPE_CHECKING:
    from decimal import Decimal

    from textual.app import ComposeResult


ResultT = TypeVar("ResultT")


class WorkFailed(Message):
    """A worker failed in a way its screen did not handle; the app shows the message."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


def user_text(value: object) -> str:
    """A value typed by a person (or imported), with control and bidi characters removed."""
    from registrar_tui.text import clean_text

    return clean_text("" if value is None else str(value))


def user_content(value: object, style: str = "") -> Content:
    """User data as Textual content: shown literally, never parsed as markup."""
    return Content.styled(user_text(value), style) if style else Content(user_text(value))


def user_cell(value: object) -> Text:
    """User data for a DataTable cell (a plain `str` cell would be parsed as markup)."""
    return Text(user_text(value), no_wrap=True, overflow="ellipsis")


def money_cell(amount: Decimal, style: str = "") -> Text:
    """An amount from a service, right-aligned (formatted by Babel, never computed here)."""
    from registrar_tui.i18n import format_money

    return Text(format_money(amount), style=style, justify="right", no_wrap=True)


# Keyed by the method's value: screens do not import the models at module level.
METHOD_LABELS = {
    "cash": N_("Comptant"),
    "debit": N_("Carte de débit"),
    "credit_card": N_("Carte de crédit"),
    "certified_cheque": N_("Chèque certifié"),
    "cheque": N_("Chèque"),
    "online": N_("En ligne"),
}


def method_label(method: object) -> str:
    """The translated name of a payment method (its value when unknown)."""
    value = str(getattr(method, "value", method))
    return _(METHOD_LABELS.get(value, value))


def label_cell(label: str) -> Text:
    """A translated label for a DataTable cell, never parsed as markup."""
    return Text(label, no_wrap=True, overflow="ellipsis")


PAGE_GROUP_LABEL = N_("Page")
PAGE_GROUP = Binding.Group(PAGE_GROUP_LABEL)
TAB_GROUP_LABEL = N_("Onglet")
TAB_GROUP = Binding.Group(TAB_GROUP_LABEL, compact=True)
"""The digits that open a screen's tabs: the tab bar shows them beside each tab's name."""
"""PgUp and PgDn shown together in the footer: "pgup pgdn Page"."""


def page_bindings(
    scope: str, previous_tooltip: str, next_tooltip: str, *, show: bool = True
) -> list[BindingType]:
    """PgUp/PgDn turning a paged table's page (`action_page(-1|1)` of the owner).

    Priority bindings: the focused table would otherwise scroll its own rows.
    `previous_tooltip` and `next_tooltip` are N_() strings; ids are `<scope>.previous-page`
    and `<scope>.next-page`.
    """
    return [
        Binding(
            "pageup",
            "page(-1)",
            N_("Préc."),
            id=f"{scope}.previous-page",
            tooltip=previous_tooltip,
            priority=True,
            show=show,
            group=PAGE_GROUP,
        ),
        Binding(
            "pagedown",
            "page(1)",
            N_("Suiv."),
            id=f"{scope}.next-page",
            tooltip=next_tooltip,
            priority=True,
            show=show,
            group=PAGE_GROUP,
        ),
    ]


def _translated(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    # Binding labels are French source strings (marked with N_ in BINDINGS), translated
    # when shown so the language can change after the screen modules were imported.
    # Textual's own descriptions ("Cursor up") have their French in library_words; the
    # ones that concern no clerk (scrolling a table sideways) are hidden everywhere.
    from registrar_tui.i18n import current_language
    from registrar_tui.screens.widgets.library_words import shows_key

    language = current_language()
    result: dict[str, ActiveBinding] = {}
    for key, active in bindings.items():
        if not shows_key(key):
            continue
        translated = _TRANSLATED_BINDINGS.get((active.binding, language), _NOT_YET)
        if translated is _NOT_YET:
            translated = _translated_binding(active.binding)
            if len(_TRANSLATED_BINDINGS) >= _TRANSLATED_BINDINGS_MAX:
                _TRANSLATED_BINDINGS.clear()
            _TRANSLATED_BINDINGS[(active.binding, language)] = translated
        if translated is None:
            continue
        result[key] = active._replace(binding=translated, tooltip=translated.tooltip)
    return result


def _translated_binding(binding: Binding) -> Binding | None:
    """`binding` with its texts in the UI language; None when it is not to be shown."""
    from registrar_tui.screens.widgets.library_words import binding_description

    description = binding_description(binding.description)
    if description is None:
        return None
    tooltip = binding_description(binding.tooltip) or "" if binding.tooltip else ""
    group = binding.group
    if group is not None and group.description:
        group = Binding.Group(_(group.description), compact=group.compact)
    return dataclasses.replace(binding, description=description, tooltip=tooltip, group=group)


_NOT_YET = Binding("", "")
_TRANSLATED_BINDINGS: dict[tuple[Binding, str], Binding | None] = {}
"""Each binding as `_translated_binding` made it, by language: a footer reads the keys
several times per screen opened, and the bindings are the screens' own (a few hundred)."""
_TRANSLATED_BINDINGS_MAX = 4096


class _ScreenMixin(ServiceCaller):
    """Shared by `AppScreen` and `AppModalScreen` (both are Textual screens): the backend
    and the one way to call a service (`call_service`, `show_refusal`), worker errors
    (`ServiceCaller.on_worker_state_changed`)."""

    bindings_generation = 0
    """Counts `refresh_bindings` calls (Textual's on a focus change included): a footer
    that read the keys at this count has nothing newer to read."""

    def refresh_bindings(self) -> None:
        self.bindings_generation += 1
        super().refresh_bindings()  # type: ignore[misc]

    def on_input_changed(self, event: Input.Changed) -> None:
        """A field never holds (nor sends to the terminal) a control or bidi character.

        Textual's Input draws a pasted C1 control (U+009B is CSI to many terminals) or a
        right-to-left override as is: they are removed as soon as they arrive, every
        other character is kept where it was typed.
        """
        from registrar_tui.screens.widgets.paste import forget_paste_refusal
        from registrar_tui.text import strip_controls

        forget_paste_refusal(event.input)  # the person changed the field since
        kept = strip_controls(event.value)
        if kept != event.value:
            event.input.value = kept


# Textual's own screen keys, relabelled so that the help screen can translate them.
_SCREEN_BINDINGS: list[BindingType] = [
    Binding("tab", "app.focus_next", N_("Élément suivant"), show=False),
    Binding("shift+tab", "app.focus_previous", N_("Élément précédent"), show=False),
    Binding("ctrl+c,super+c", "screen.copy_text", N_("Copier le texte sélectionné"), show=False),
]


SHARED_CSS = """
.field-row {
    height: 1;
}
.field-row Input {
    width: 1fr;
    height: 1;
    /* Important: Textual's own `Input:focus` (as specific as this) draws a border. */
    border: none !important;
    padding: 0 1;
    background: $boost;
}
.field-row Input:focus {
    background: $primary 30%;
}
.field-label {
    height: 1;
    text-wrap: nowrap;
    text-overflow: ellipsis;
}
.field-message {
    display: none;
    height: auto;
    color: $text-error;
}
.field-message.-visible {
    display: block;
}
.section-title {
    height: 1;
    text-wrap: nowrap;
    text-overflow: ellipsis;
    text-style: bold;
    color: $text-primary;
}
/* A table's columns fit its width (cells cut with "…"): no horizontal scrollbar row. */
DataTable {
    scrollbar-size-horizontal: 0;
}
"""
"""The classes several screens' forms share, defined once: every screen gets them from its
base class (`DEFAULT_CSS`, scoped to the base's type and below any sheet's rules), so no
screen depends on another having been opened. Textual loads every screen's `.tcss` for the
whole app: a screen's sheet puts all its rules under its own type and only refines these
(a label's width, a message's padding)."""


class AppScreen(_ScreenMixin, Screen[None]):
    """Base of the application's full screens."""

    DEFAULT_CSS = SHARED_CSS
    BINDINGS: ClassVar[list[BindingType]] = _SCREEN_BINDINGS

    _shown_before = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """The first time a screen shows, its widgets were styled as they were mounted.

        Textual restyles every widget of a screen each time it comes to the top, the first
        time included: 10–15 % of the time it took to open a family. Coming back to a
        screen (a modal closed above it) still restyles it. (Modal screens keep Textual's
        way: their see-through background is styled on resume.)
        """
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False
            # The footer's keys right after this first frame, before any answer a worker
            # brought meanwhile (its frame then has them).
            for footer in self.query(KeysFooter):
                footer.call_later(footer._first_keys)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return _fitted(self, _translated(super().active_bindings))


FOOTER_LAST_RESORT = "app.search"
"""The key left out of a footer too wide for the terminal, so that `f1 Aide` (which lists
every key) stays in sight: ctrl+f still works, Escape and / lead to the search as well.
If that is not enough, the tab digits (`TAB_GROUP`: the tab bar shows them), then the page
keys (`PAGE_GROUP`) go too: F1 still lists them."""


def footer_width(screen: Screen[Any], bindings: dict[str, ActiveBinding]) -> int:
    """About the width of the footer showing `bindings` (laid out as Textual's compact one:
    one key per action, "key label " each, a group's keys together before its label)."""
    # Textual's full footer pads each key once more than the compact one.
    padding = 2 if _footer_is_compact(screen) else 3
    width = 0
    actions: set[str] = set()
    groups: set[str] = set()
    for active in bindings.values():
        binding = active.binding
        if not binding.show or binding.action in actions:
            continue
        actions.add(binding.action)
        key = screen.app.get_key_display(binding)
        group = binding.group
        if group is not None:
            if group.description not in groups:
                groups.add(group.description)
                width += len(group.description) + 3
            width += len(key) + (0 if group.compact else 1)
        else:
            width += len(key) + len(binding.description) + padding
    return width


def _footer_is_compact(screen: Screen[Any]) -> bool:
    """Whether the screen's footer is the compact one (read once, once it is mounted)."""
    compact: bool | None = getattr(screen, "_footer_compact", None)
    if compact is None:
        # Our screens yield their footer last, at the top: no walk through the screen.
        footer = next((child for child in screen.children if isinstance(child, Footer)), None)
        if footer is None:
            footer = next(iter(screen.query(Footer)), None)
        if footer is None:
            return True
        compact = footer.compact
        screen._footer_compact = compact  # type: ignore[attr-defined]
    return compact


def _fitted(screen: Screen[Any], bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """`bindings`, with the search key (then the tab digits, then the page keys) out of the
    footer when all of them would not fit."""

    def search_key(binding: Binding) -> bool:
        return binding.id == FOOTER_LAST_RESORT

    def tab_key(binding: Binding) -> bool:
        return binding.group is not None and binding.group.description == _(TAB_GROUP_LABEL)

    def page_key(binding: Binding) -> bool:
        return binding.group is not None and binding.group.description == _(PAGE_GROUP_LABEL)

    result = bindings
    for left_out in (search_key, tab_key, page_key):
        if footer_width(screen, result) <= screen.app.size.width:
            break
        result = {
            key: active._replace(binding=dataclasses.replace(active.binding, show=False))
            if left_out(active.binding)
            else active
            for key, active in result.items()
        }
    return result


class AppModalScreen(_ScreenMixin, ModalScreen[ResultT]):
    """Base of the application's modal screens (`AppModalScreen[bool]` dismisses a bool)."""

    DEFAULT_CSS = SHARED_CSS
    BINDINGS: ClassVar[list[BindingType]] = _SCREEN_BINDINGS

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return _fitted(self, _translated(super().active_bindings))


class KeysFooter(Footer):
    """The footer of our screens: Textual's, redrawn only when the keys it shows change.

    Textual's footer recomposes (a new widget per key, each styled) whenever the bindings
    may have changed, i.e. on every focus change; on the way into a screen that is several
    times for the same keys, and it was the larger part of a screen's first paint.
    """

    # Textual's compact footer glues a group's label to the next key ("Ongletf9 Payer").
    DEFAULT_CSS = """
    KeysFooter.-compact FooterLabel {
        margin: 0 1 0 0;
    }
    """

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact, show_command_palette=False)
        self._shown: tuple[tuple[str, str, bool, str], ...] | None = None
        self._drawn = False
        """The screen was drawn once (all its widgets there): the keys follow from then on."""
        self._composing = False
        """A recompose is due (after the next refresh): it will read the bindings then."""
        self._read_at: int | None = None
        """The screen's `bindings_generation` when `_shown` was read."""

    def on_mount(self) -> None:
        # Textual composes the keys when the screen's bindings first change (its focus
        # set), after the next frame. A screen that focuses a table only once its record
        # is there (the family) was drawn with its record but no keys, then again.
        self.call_after_refresh(self._first_keys)  # `AppScreen` asks sooner

    async def _first_keys(self) -> None:
        """Once the screen is drawn (or shown, `AppScreen`): its keys, at once."""
        if self._drawn:
            return
        self._drawn = self._bindings_ready = True
        if self.is_attached:
            self._shown = self._keys(self.screen)
            await self.recompose()

    def _keys(self, screen: Screen[object]) -> tuple[tuple[str, str, bool, str], ...]:
        self._read_at = getattr(screen, "bindings_generation", None)
        return tuple(
            (binding.key, binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not self._drawn:
            return  # the keys are composed once the screen is drawn, as they are then
        if self._read_at is not None and self._read_at == getattr(
            screen, "bindings_generation", None
        ):
            # Textual calls this once per `refresh_bindings`, after the fact: the first
            # of a burst (a record shown, its table filled and focused) read them all.
            return
        shown = self._keys(screen)
        if shown == self._shown:
            return
        previous, self._shown = self._shown, shown
        if self._composing:
            return  # the keys are composed afresh on the next refresh: from these bindings
        if previous is not None and self._dim_in_place(previous, shown):
            return
        super().bindings_changed(screen)
        self._composing = bool(screen.app.app_focus and self.is_attached and screen is self.screen)

    def compose(self) -> ComposeResult:
        self._composing = False
        for widget in super().compose():
            if isinstance(widget, FooterKey) and self.compact:
                # Born compact: Textual's key sets the class as it mounts, styling each
                # key twice.
                widget.set_class(True, "-compact", update=False)
            yield widget

    def _dim_in_place(
        self,
        previous: tuple[tuple[str, str, bool, str], ...],
        shown: tuple[tuple[str, str, bool, str], ...],
    ) -> bool:
        """The same keys, only some dimmed or lit again (a record loaded, a row highlighted):
        each key's `-disabled` class follows, without a new widget per key. False when the
        keys themselves changed (the footer is then composed again)."""
        if [(key, text, tip) for key, text, _on, tip in previous] != [
            (key, text, tip) for key, text, _on, tip in shown
        ]:
            return False
        enabled = {key: on for key, _text, on, _tip in shown}
        footer_keys = list(self.query(FooterKey))
        if not footer_keys or any(widget.key not in enabled for widget in footer_keys):
            return False
        for widget in footer_keys:
            disabled = not enabled[widget.key]
            widget._disabled = disabled  # what a click on the key checks
            widget.set_class(disabled, "-disabled")
        return True
