"""Possible duplicates of a family being admitted: what was typed beside what is on file.

The list shows each existing guardian who has the same names and the same phone or
e-mail as one typed; below it, the highlighted one side by side with the typed guardian
it resembles (names, phones, e-mail, address) and its family's number and balance.
Enter or O opens the existing family; C creates the new one anyway (the service records
the override in the audit trail); Escape goes back to the form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _, format_money
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    label_cell,
    user_cell,
    user_content,
)

if TYPE_CHECKING:
    from registrar_tui.services.records.admission import DuplicateMatch, NewFamily
    from registrar_tui.services.records.contacts import NewGuardian


def _joined(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part)


class DuplicatesScreen(AppModalScreen["int | bool | None"]):
    """Dismisses the id of the family to open, True to create anyway, None to go back."""

    CSS_PATH = "duplicates.tcss"
    COMMAND_NAMESPACE = N_("famille")
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "enter,o",
            "open",
            N_("Ouvrir l'existante"),
            id="duplicates.open",
            tooltip=N_("Ouvrir la famille déjà au dossier, sans rien créer"),
            priority=True,
        ),
        Binding(
            "c",
            "create",
            N_("Créer quand même"),
            id="duplicates.create",
            tooltip=N_("Créer la nouvelle famille malgré la ressemblance (journalisé)"),
        ),
        Binding(
            "escape",
            "back",
            N_("Retour"),
            id="duplicates.back",
            tooltip=N_("Revenir au formulaire sans rien créer"),
        ),
    ]

    def __init__(self, typed: NewFamily, matches: tuple[DuplicateMatch, ...]) -> None:
        super().__init__()
        self.typed = typed
        self.matches = matches

    def compose(self) -> ComposeResult:
        with Vertical(id="duplicates"):
            yield Static(
                Content.styled(_("Cette famille est peut-être déjà au dossier"), "bold"),
                id="duplicates-title",
            )
            table: DataTable[object] = DataTable(id="duplicates-table", cursor_type="row")
            yield table
            with Horizontal(id="duplicates-compare"):
                with Vertical(classes="compare-side"):
                    yield Static(Content(_("Saisi")), classes="section-title")
                    yield Static(Content(""), id="typed-detail", classes="compare-detail")
                with Vertical(classes="compare-side"):
                    yield Static(Content(""), id="found-title", classes="section-title")
                    yield Static(Content(""), id="found-detail", classes="compare-detail")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#duplicates-table", DataTable)
        # The e-mail and address are in the comparison below: the balance is never cut.
        for label in (_("Famille"), _("Responsable"), _("Téléphone"), _("Solde")):
            table.add_column(label_cell(label))
        for index, match in enumerate(self.matches):
            table.add_row(
                user_cell(match.family_number),
                user_cell(match.full_name),
                user_cell(match.phone or match.phone_alt or ""),
                label_cell(format_money(match.balance) if match.balance is not None else ""),
                key=str(index),
            )
        table.focus()
        self._compare(0)

    def _typed_guardian(self, match: DuplicateMatch) -> NewGuardian:
        second = self.typed.second
        return second if match.matched_side == "second" and second else self.typed.payer

    def _compare(self, index: int) -> None:
        if not self.matches:
            return
        match = self.matches[min(max(index, 0), len(self.matches) - 1)]
        typed = self._typed_guardian(match)
        typed_lines = [
            _joined(typed.first_name.strip(), typed.last_name.strip()).replace(" · ", " "),
            _joined(typed.phone.strip(), typed.phone_alt.strip()),
            typed.email.strip(),
            _joined(typed.address_line.strip(), typed.city.strip(), typed.postal_code.strip()),
        ]
        found_lines = [
            match.full_name,
            _joined(match.phone, match.phone_alt),
            match.email or "",
            match.address,
        ]
        self.query_one("#typed-detail", Static).update(
            Content("\n").join(user_content(line) for line in typed_lines)
        )
        self.query_one("#found-title", Static).update(
            Content.assemble(_("Au dossier : "), user_content(match.family_number))
        )
        self.query_one("#found-detail", Static).update(
            Content("\n").join(
                [
                    *(user_content(line) for line in found_lines),
                    *(
                        [Content.assemble(_("Solde : "), format_money(match.balance))]
                        if match.balance is not None
                        else []
                    ),
                ]
            )
        )

    @on(DataTable.RowHighlighted, "#duplicates-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._compare(event.cursor_row)

    def action_open(self) -> None:
        table = self.query_one("#duplicates-table", DataTable)
        if self.matches:
            self.dismiss(self.matches[min(table.cursor_row, len(self.matches) - 1)].family_id)

    def action_create(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(None)
