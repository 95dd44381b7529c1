"""Overdue reminders (relances), from the office (registrar and admin).

The families that would get a letter today: level, file number, name, invoices and total
overdue, a page at a time, with the totals per level and the families left out. `l` shows
one level (1, 2, 3, then all again); `e` sends the letters shown, after a yes: one PDF
letter per family and its e-mail in the outbox. Sending again sends nobody twice (the
service sees to it). `p` (admin only) opens the levels' settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _, format_date, format_money, ngettext
from registrar_tui.screens.widgets.base import (
    AppScreen,
    label_cell,
    money_cell,
    page_bindings,
    user_cell,
)
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.reminders import FamilyReminders, ReminderPreview
    from registrar_tui.services.outbox.reminder_letters import ReminderRun

PAGE_ROWS = 10


def level_totals(preview: ReminderPreview) -> str:
    """« Niveau 1 : 3 familles · 4 factures · 850,00 $ », one line per level."""
    lines = []
    for total in preview.totals:
        families = ngettext("{count} famille", "{count} familles", total.families).format(
            count=total.families
        )
        invoices = ngettext("{count} facture", "{count} factures", total.invoices).format(
            count=total.invoices
        )
        lines.append(
            _("Niveau {level} : {families} · {invoices} · {amount}").format(
                level=total.level,
                families=families,
                invoices=invoices,
                amount=format_money(total.amount),
            )
        )
    return "\n".join(lines)


def left_out(preview: ReminderPreview) -> str:
    """« Total 1 125,00 $ · exclues : 2 sous le solde minimal, 0 avec entente »."""
    return _(
        "Total {amount} · exclues : {under} sous le solde minimal, {plans} avec entente"
    ).format(
        amount=format_money(preview.total_overdue),
        under=preview.under_threshold,
        plans=preview.on_plan,
    )


class RemindersScreen(AppScreen):
    """The reminders due today, their totals, and the key that sends them."""

    CSS_PATH = "reminders.tcss"
    COMMAND_NAMESPACE = N_("relances")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e",
            "send",
            N_("Envoyer"),
            id="reminders.send",
            tooltip=N_("Envoyer les lettres de relance affichées (PDF et courriel)"),
        ),
        Binding(
            "l",
            "level",
            N_("Niveau"),
            id="reminders.level",
            tooltip=N_("Afficher un seul niveau (1, 2, 3), puis tous"),
        ),
        Binding(
            "p",
            "settings",
            N_("Paramètres"),
            id="reminders.settings",
            tooltip=N_("Jours et textes des trois niveaux, solde minimal (administrateur)"),
        ),
        Binding("escape", "back", N_("Retour"), id="reminders.back", tooltip=N_("Retour")),
        *page_bindings("reminders", N_("Familles précédentes"), N_("Familles suivantes")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._preview: ReminderPreview | None = None
        self._level: int | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Relances des comptes en retard")), id="reminders-title")
        yield Static(Content(_("Chargement…")), id="reminders-totals")
        yield Static(Content(""), id="reminders-left-out")
        table: PagedTable[FamilyReminders] = PagedTable(id="reminders-table", cursor_type="row")
        yield table
        yield Static(Content(""), id="reminders-page")
        yield Static(Content(""), id="reminders-result")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#reminders-table", DataTable)
        table.add_column(label_cell(_("Niv.")), width=4)
        table.add_column(label_cell(_("Dossier")), width=9)
        table.add_column(label_cell(_("Famille")))
        table.add_column(label_cell(_("Factures")), width=8)
        table.add_column(Text(_("En retard"), justify="right"), width=12)
        self._load()

    def _load(self) -> None:
        level = self._level

        def load(backend: Backend) -> ReminderPreview:
            from registrar_tui.services.ledger.reminders import reminder_preview

            return backend.read(reminder_preview, level=level)

        self.call_service(load, self._show, group="reminders-load", refused=self._refused)

    def _show(self, preview: ReminderPreview) -> None:
        self._preview = preview
        title = _("Relances des comptes en retard · en date du {day}").format(
            day=format_date(preview.as_of)
        )
        if preview.level is not None:
            title += " · " + _("niveau {level}").format(level=preview.level)
        self.query_one("#reminders-title", Static).update(Content.styled(title, "bold"))
        self.query_one("#reminders-totals", Static).update(Content(level_totals(preview)))
        self.query_one("#reminders-left-out", Static).update(
            Content.styled(left_out(preview), "$text-muted")
        )
        self._fill(0)
        self.query_one("#reminders-table", DataTable).focus()
        self.refresh_bindings()

    def _fill(self, offset: int) -> None:
        from registrar_tui.services.core.paging import Page

        assert self._preview is not None
        table: PagedTable[FamilyReminders] = self.query_one("#reminders-table", PagedTable)
        table.show_page(
            Page.slice(self._preview.families, offset, PAGE_ROWS),
            lambda f: (
                label_cell(str(f.level)),
                user_cell(f.family_number),
                user_cell(f.family_name),
                label_cell(str(len(f.invoices))),
                money_cell(f.total_overdue),
            ),
        )
        status = table.status(
            _("Familles {first}–{last} de {total}"), _("Aucune relance à envoyer.")
        )
        self.query_one("#reminders-page", Static).update(Content.styled(status, "$text-muted"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page":
            direction = int(str(parameters[0])) if parameters else 1
            return self.query_one("#reminders-table", PagedTable).can_page(direction)
        if action == "send":
            if self._busy or self._preview is None:
                return None
            return bool(self._preview.families) or None
        if action == "settings":
            identity = self.backend.identity
            return identity is not None and identity.is_admin
        return True

    def action_settings(self) -> None:
        """P (admin): the levels' days and texts, the minimum balance; the list is read
        again on the way back (the rule may have changed)."""
        if self.check_action("settings", ()) is not True:
            return
        from registrar_tui.screens.office.reminder_settings import ReminderSettingsScreen

        self.app.push_screen(ReminderSettingsScreen(), lambda _result: self._load())

    def action_page(self, direction: int) -> None:
        offset = self.query_one("#reminders-table", PagedTable).page_offset(direction)
        if offset is not None:
            self._fill(offset)
            self.refresh_bindings()

    def action_level(self) -> None:
        self._level = None if self._level == 3 else (self._level or 0) + 1
        self._load()

    def action_send(self) -> None:
        """Ask first (families, letters, total); send only after a yes."""
        preview = self._preview
        if preview is None or self.check_action("send", ()) is not True:
            return
        from registrar_tui.screens.desk.modals import ConfirmScreen

        letters = ngettext(
            "{count} lettre de relance", "{count} lettres de relance", len(preview.families)
        ).format(count=len(preview.families))
        question = _("Envoyer {letters} ({amount} en retard) ?").format(
            letters=letters, amount=format_money(preview.total_overdue)
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy = True
                self.refresh_bindings()
                self._send(preview)

        self.app.push_screen(ConfirmScreen(_("Relances"), question), answered)

    def _send(self, preview: ReminderPreview) -> None:
        as_of, level = preview.as_of, preview.level

        def send(backend: Backend) -> ReminderRun:
            from registrar_tui.services.documents.output import output_settings
            from registrar_tui.services.outbox.reminder_letters import send_reminders

            identity = backend.identity
            assert identity is not None
            return send_reminders(
                backend.database(),
                actor_id=identity.id,
                as_of=as_of,
                level=level,
                documents_dir=output_settings().documents_dir,
            )

        self.call_service(
            send, self._sent, group="reminders-send", exclusive=False, refused=self._refused
        )

    def _sent(self, run: ReminderRun) -> None:
        self._busy = False
        letters = ngettext("{count} lettre", "{count} lettres", len(run.letters)).format(
            count=len(run.letters)
        )
        emails = ngettext(
            "{count} courriel en file", "{count} courriels en file", run.emails
        ).format(count=run.emails)
        text = _("Relances envoyées : {letters} · {emails} · total {total}.").format(
            letters=letters, emails=emails, total=format_money(run.total_overdue)
        )
        self.query_one("#reminders-result", Static).update(Content.styled(text, "bold"))
        self.notify(text, markup=False)
        for problem in run.save_errors[:3]:
            self.notify(problem, severity="warning", markup=False)
        self._load()

    def _refused(self, error: DomainError) -> None:
        self._busy = False
        self.notify(error.translated(), severity="error", markup=False)
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss()
