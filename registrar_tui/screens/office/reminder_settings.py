"""The reminders' settings (admin only, from the reminders screen): each level's days past
due and its letter's text in French and in English, and the minimum balance under which
a family gets no letter.

One level at a time (F5 the next one); Ctrl+S saves the level shown and the minimum
balance in one audited write; a refusal shows under its field. Keys only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, Input, Static

from registrar_tui.i18n import N_, _, current_language, format_money
from registrar_tui.screens.widgets.base import AppScreen
from registrar_tui.screens.widgets.multiline import MultilineText

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.ledger.reminders import ReminderSettings

_FIELDS = ("days", "text_fr", "text_en", "min_balance")


class ReminderSettingsScreen(AppScreen):
    """A level's days and texts, and the minimum balance, as the admin edits them."""

    CSS_PATH = "reminder_settings.tcss"
    AUTO_FOCUS = "#days"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="reminder-settings.save",
            tooltip=N_("Enregistrer ce niveau et le solde minimal"),
        ),
        Binding(
            "f5,ctrl+n",
            "next_level",
            N_("Niveau suivant"),
            id="reminder-settings.next",
            tooltip=N_("Afficher le niveau suivant (1, 2, 3)"),
        ),
        Binding(
            "escape",
            "back",
            N_("Retour"),
            id="reminder-settings.back",
            tooltip=N_("Revenir aux relances sans enregistrer"),
        ),
    ]

    def __init__(self, level: int = 1) -> None:
        super().__init__()
        self._level = level
        self._settings: ReminderSettings | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Paramètres des relances")), id="reminder-settings-title")
        with Horizontal(classes="field-row"):
            yield Static(Content(_("Jours de retard")), classes="field-label")
            yield Input(id="days", max_length=3, restrict=r"[0-9]*")
        yield Static(Content(""), id="days-error", classes="field-message")
        yield Static(Content(_("Texte de la lettre (français)")), classes="field-label")
        yield MultilineText(id="text-fr", soft_wrap=True, show_line_numbers=False)
        yield Static(Content(""), id="text-fr-error", classes="field-message")
        yield Static(Content(_("Texte de la lettre (anglais)")), classes="field-label")
        yield MultilineText(id="text-en", soft_wrap=True, show_line_numbers=False)
        yield Static(Content(""), id="text-en-error", classes="field-message")
        with Horizontal(classes="field-row"):
            yield Static(Content(_("Solde minimal (tous niveaux)")), classes="field-label")
            yield Input(id="min-balance", max_length=20)
        yield Static(Content(""), id="min-balance-error", classes="field-message")
        yield Static(Content(""), id="reminder-settings-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        def load(backend: Backend) -> ReminderSettings:
            from registrar_tui.services.ledger.reminders import reminder_settings

            return backend.read(reminder_settings)

        self.call_service(load, self._show, group="reminder-settings-load")

    def _show(self, settings: ReminderSettings) -> None:
        self._settings = settings
        level = settings.of(self._level)
        title = _("Paramètres des relances · niveau {level} de 3").format(level=self._level)
        self.query_one("#reminder-settings-title", Static).update(Content.styled(title, "bold"))
        self.query_one("#days", Input).value = str(level.days_overdue)
        self.query_one("#text-fr", MultilineText).load_text(level.text_fr)
        self.query_one("#text-en", MultilineText).load_text(level.text_en)
        self.query_one("#min-balance", Input).value = format_money(settings.min_balance)
        for field in _FIELDS:
            self._clear(field)
        self.refresh_bindings()

    def _clear(self, field: str) -> None:
        message = self.query_one(f"#{field.replace('_', '-')}-error", Static)
        message.update(Content(""))
        message.remove_class("-visible")

    def show_refusal(self, error: object) -> None:
        from registrar_tui.services.core.errors import DomainError

        assert isinstance(error, DomainError)
        self._busy = False
        self.refresh_bindings()
        if error.field in _FIELDS:
            message = self.query_one(f"#{error.field.replace('_', '-')}-error", Static)
            message.update(Content.styled(error.translated(), "bold $text-error"))
            message.add_class("-visible")
            target = {"days": "#days", "text_fr": "#text-fr", "text_en": "#text-en"}.get(
                error.field, "#min-balance"
            )
            self.query_one(target).focus()
            return
        self.notify(error.translated(), severity="error", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return None if self._busy or self._settings is None else True
        return True

    def action_save(self) -> None:
        identity = self.backend.identity
        if identity is None or self.check_action("save", ()) is not True:
            return
        for field in _FIELDS:
            self._clear(field)
        self._busy = True
        self.refresh_bindings()
        level, actor_id, language = self._level, identity.id, current_language()
        days = self.query_one("#days", Input).value
        text_fr = self.query_one("#text-fr", MultilineText).text
        text_en = self.query_one("#text-en", MultilineText).text
        min_balance = self.query_one("#min-balance", Input).value

        def save(backend: Backend) -> ReminderSettings:
            from registrar_tui.services.ledger.reminders import save_reminder_settings

            return backend.write(
                save_reminder_settings,
                actor_id=actor_id,
                level=level,
                days_overdue=days,
                text_fr=text_fr,
                text_en=text_en,
                min_balance=min_balance,
                language=language,
            )

        self.call_service(save, self._saved, group="reminder-settings-save", exclusive=False)

    def _saved(self, settings: ReminderSettings) -> None:
        self._busy = False
        self._show(settings)
        text = _("Niveau {level} enregistré.").format(level=self._level)
        self.query_one("#reminder-settings-status", Static).update(Content.styled(text, "bold"))
        self.notify(text, markup=False)

    def action_next_level(self) -> None:
        self._level = self._level % 3 + 1
        self.query_one("#reminder-settings-status", Static).update(Content(""))
        if self._settings is not None:
            self._show(self._settings)

    def action_back(self) -> None:
        self.dismiss()
