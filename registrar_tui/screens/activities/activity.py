"""One activity: its items with the quantities registered, the registrations a page at a
time with their invoice and what is still due, the totals; `n` registers a student and
`f` opens the family of the chosen registration on its statement (to take the payment)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from registrar_tui.i18n import N_, _, elide, format_date, format_money, ngettext
from registrar_tui.screens.activities.catalogue import KIND_LABELS, day_text
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    label_cell,
    money_cell,
    page_bindings,
    user_cell,
    user_content,
    user_text,
)
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.activities.catalogue import ActivityDetail, RegistrationRow
    from registrar_tui.services.activities.registration import Registered
    from registrar_tui.services.core.errors import DomainError


class ActivityScreen(AppScreen):
    """An activity and its registrations; the totals come from the service."""

    CSS_PATH = "activity.tcss"
    AUTO_FOCUS = "#registrations-table"
    COMMAND_NAMESPACE = N_("activité")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Retour"), id="activity.back", tooltip=N_("Fermer")),
        Binding(
            "n",
            "register",
            N_("Inscrire"),
            id="activity.register",
            tooltip=N_("Inscrire un élève : quantités, facture, confirmation par courriel"),
        ),
        Binding(
            "f",
            "family",
            N_("Famille"),
            id="activity.family",
            tooltip=N_("Ouvrir le relevé de la famille de l'inscription choisie (paiement)"),
        ),
        *page_bindings(
            "activity",
            N_("Afficher les inscriptions plus récentes"),
            N_("Afficher les inscriptions plus anciennes"),
        ),
    ]

    def __init__(self, activity_id: int) -> None:
        super().__init__()
        self.activity_id = activity_id
        self._detail: ActivityDetail | None = None
        self._offset = 0

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Chargement…")), id="activity-title")
        yield Static(Content(""), id="activity-info")
        items: DataTable[object] = DataTable(id="items-table", cursor_type="none")
        items.can_focus = False
        yield items
        yield Static(Content(""), id="activity-totals")
        yield Static(Content(""), id="registrations-status")
        table: PagedTable[RegistrationRow] = PagedTable(id="registrations-table", cursor_type="row")
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        items = self.query_one("#items-table", DataTable)
        items.add_column(label_cell(_("Article")), width=30)
        items.add_column(label_cell(_("Date")), width=10)
        items.add_column(Text(_("Prix"), justify="right"), width=10)
        items.add_column(Text(_("Qté"), justify="right"), width=5)
        items.add_column(Text(_("Total"), justify="right"), width=11)
        table = self._table()
        table.add_column(label_cell(_("Élève")), width=16)
        table.add_column(label_cell(_("Famille")), width=12)
        table.add_column(label_cell(_("Facture")), width=11)
        table.add_column(Text(_("Total"), justify="right"), width=9)
        table.add_column(Text(_("Solde"), justify="right"), width=9)
        table.add_column(label_cell(_("Par")))
        self._load(0)

    def _load(self, offset: int) -> None:
        self._offset = offset
        self._fetch(offset)

    def _fetch(self, offset: int) -> None:
        activity_id = self.activity_id

        def fetch(backend: Backend) -> ActivityDetail:
            from registrar_tui.services.activities.catalogue import activity_detail

            return backend.read(activity_detail, activity_id, offset=offset)

        self.call_service(fetch, self._show, group="activity")

    def _show(self, detail: ActivityDetail) -> None:
        if detail.registrations.offset != self._offset:
            return
        self._detail = detail
        kind = _(KIND_LABELS.get(str(detail.kind), str(detail.kind)))
        self.query_one("#activity-title", Static).update(
            Content.assemble(user_content(detail.title, "bold"), " · ", kind)
        )
        self.query_one("#activity-info", Static).update(self._info(detail))
        items = self.query_one("#items-table", DataTable)
        items.clear()
        for item in detail.items:
            items.add_row(
                user_cell(f"{item.code} - {item.label}"),
                label_cell(day_text(item.held_on) if item.held_on else ""),
                money_cell(item.unit_price),
                Text(str(item.quantity), justify="right"),
                money_cell(item.total),
            )
        items.styles.height = len(detail.items) + 1
        self.query_one("#activity-totals", Static).update(
            Content.styled(
                ngettext(
                    "Total des inscriptions : {total} · {count} inscription",
                    "Total des inscriptions : {total} · {count} inscriptions",
                    detail.registrations.total_count or 0,
                ).format(total=format_money(detail.total), count=detail.registrations.total_count),
                "bold",
            )
        )
        table = self._table()
        table.show_page(
            detail.registrations,
            lambda row: (
                user_cell(row.student_name),
                user_cell(row.family_name),
                user_cell(row.invoice_number),
                money_cell(row.total),
                money_cell(row.balance, "bold" if row.balance else "green"),
                self._who_cell(row),
            ),
        )
        status = table.status(
            _("Inscriptions {first}–{last} sur {total}, les plus récentes d'abord"),
            _("Aucune inscription. n : inscrire un élève."),
        )
        self.query_one("#registrations-status", Static).update(Content(status))
        self.refresh_bindings()

    @staticmethod
    def _info(detail: ActivityDetail) -> Content:
        from registrar_tui.screens.activities.catalogue import STATE_LABELS

        state = _("passée") if detail.is_closed else _("ouverte")
        if str(detail.state) in STATE_LABELS:
            state = _(STATE_LABELS[str(detail.state)]).lower()
        parts = [
            _("Le {held_on} · inscription jusqu'au {deadline} ({state})").format(
                held_on=format_date(detail.held_on),
                deadline=format_date(detail.registration_deadline),
                state=state,
            )
        ]
        place = [text for text in (detail.establishment_name, *detail.schools) if text]
        place.extend(detail.levels)
        style = "bold red" if detail.is_closed or str(detail.state) != "open" else ""
        content = Content.styled(parts[0], style) if style else Content(parts[0])
        if place:
            content = Content.assemble(content, "\n", user_content(" · ".join(place)))
        return content

    @staticmethod
    def _who_cell(row: RegistrationRow) -> Text:
        cell = Text(user_text(row.registered_by), no_wrap=True, overflow="ellipsis")
        if row.override_reason:
            cell.append(" · ")
            cell.append(_("retard : "), style="bold")
            cell.append(user_text(row.override_reason))
        return cell

    def show_refusal(self, error: DomainError) -> None:
        """A notice says why (and the title, when nothing shows yet)."""
        message = error.translated()
        if self._detail is None:
            self.query_one("#activity-title", Static).update(Content(message))
        self.notify(message, severity="error", markup=False)

    def _table(self) -> PagedTable[RegistrationRow]:
        return self.query_one("#registrations-table", PagedTable)

    def selected(self) -> RegistrationRow | None:
        return self._table().selected_row()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        detail = self._detail
        if action == "page" and parameters:
            return self._table().can_page(int(str(parameters[0])))
        if action == "register":
            return (detail is not None and str(detail.state) == "open") or None
        if action == "family":
            return self.selected() is not None or None
        return True

    @on(DataTable.RowHighlighted, "#registrations-table")
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def action_page(self, direction: int) -> None:
        offset = self._table().page_offset(direction)
        if offset is not None:
            self._load(offset)

    def action_register(self) -> None:
        from registrar_tui.screens.activities.register import RegisterScreen

        if self._detail is not None:
            self.app.push_screen(RegisterScreen(self._detail), callback=self._registered)

    def _registered(self, result: Registered | None) -> None:
        if result is None:
            return
        message = elide(
            _("Inscription de {student} enregistrée : facture {number} de {total}."),
            student=result.student_name,
            number=result.invoice_number,
            total=format_money(result.total),
        )
        if result.emailed_to:
            message += " " + _("Confirmation envoyée à {email}.").format(email=result.emailed_to)
        self.notify(message, markup=False)
        self._load(0)

    def action_family(self) -> None:
        from registrar_tui.screens.counter.family import FamilyScreen

        row = self.selected()
        if row is not None:
            self.app.push_screen(
                FamilyScreen(row.family_id, initial_tab="billing"),
                callback=lambda _result: self._load(self._offset),
            )

    def action_back(self) -> None:
        self.dismiss()
