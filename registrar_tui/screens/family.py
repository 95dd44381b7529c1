"""The family record, read-only: header with balance, guardians, students."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _, format_date, format_money
from registrar_tui.screens.base import AppScreen, label_cell, user_cell, user_content, user_text

if TYPE_CHECKING:
    from registrar_tui.services.errors import DomainError
    from registrar_tui.services.families import FamilyOverview

_STATUS_LABELS = {
    "active": N_("actif"),
    "inactive": N_("inactif"),
    "graduated": N_("diplômé"),
    "withdrawn": N_("retiré"),
}


class FamilyScreen(AppScreen):
    """One family, as the clerk sees it while the family stands at the counter."""

    CSS_PATH = "family.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "back", N_("Retour"), id="family.back", tooltip=N_("Revenir à la recherche")
        ),
        Binding("tab", "app.focus_next", N_("Tableau suivant"), show=False, id="family.next-table"),
        Binding(
            "shift+tab",
            "app.focus_previous",
            N_("Tableau précédent"),
            show=False,
            id="family.previous-table",
        ),
    ]

    @dataclass
    class Loaded(Message):
        """The family's record arrived from the worker."""

        overview: FamilyOverview

    def __init__(self, family_id: int) -> None:
        super().__init__()
        self.family_id = family_id

    def compose(self) -> ComposeResult:
        with Vertical(id="family-header"):
            yield Static(Content(_("Chargement…")), id="family-title")
            yield Static(Content(""), id="family-payer")
            yield Static(Content(""), id="family-balance")
        yield Static(Content(_("Responsables")), classes="section-title")
        guardians: DataTable[object] = DataTable(id="guardians", cursor_type="row")
        yield guardians
        yield Static(Content(_("Élèves")), classes="section-title")
        students: DataTable[object] = DataTable(id="students", cursor_type="row")
        yield students
        yield Footer()

    def on_mount(self) -> None:
        guardians = self.query_one("#guardians", DataTable)
        for label in (
            _("Nom"),
            _("Lien"),
            _("Téléphone"),
            _("Courriel"),
            _("Adresse"),
        ):
            guardians.add_column(label_cell(label))
        students = self.query_one("#students", DataTable)
        for label in (
            _("Nom"),
            _("N° d'élève"),
            _("Code permanent"),
            _("Naissance"),
            _("Niveau / groupe"),
            _("Statut"),
        ):
            students.add_column(label_cell(label))
        self._load()

    @dataclass
    class Refused(Message):
        """The family could not be shown (e.g. it no longer exists)."""

        error: DomainError

    @work(thread=True, exclusive=True, group="family", exit_on_error=False)
    def _load(self) -> None:
        from registrar_tui.services.errors import DomainError
        from registrar_tui.services.families import family_overview

        try:
            overview = self.backend.read(family_overview, self.family_id)
        except DomainError as error:
            self.post_message(self.Refused(error))
        else:
            self.post_message(self.Loaded(overview))

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        self.query_one("#family-title", Static).update(
            Content.styled(event.error.translated(), "bold $text-error")
        )

    @on(Loaded)
    def _show(self, event: Loaded) -> None:
        family = event.overview
        self.query_one("#family-title", Static).update(
            Content.assemble(
                user_content(family.name, "bold"),
                "  ",
                user_content(family.family_number),
                " · ",
                # The code first: a long establishment name is clipped at 80 columns.
                user_content(family.establishment_code, "bold"),
                " ",
                user_content(family.establishment_name),
            )
        )
        payer = [user_content(family.payer_name or _("aucun payeur"))]
        payer += [user_content(v) for v in (family.payer_phone, family.payer_email) if v]
        self.query_one("#family-payer", Static).update(
            Content.assemble(_("Payeur : "), Content(" · ").join(payer))
        )
        balance = Content.assemble(
            (_("Solde : "), "bold"),
            (format_money(family.balance), "bold $text-warning" if family.balance else "bold"),
        )
        if family.credit:
            balance = Content.assemble(
                balance, "    ", _("Crédit : "), (format_money(family.credit), "bold $text-success")
            )
        self.query_one("#family-balance", Static).update(balance)
        guardians = self.query_one("#guardians", DataTable)
        guardians.clear()
        for g in family.guardians:
            relationship = user_text(g.relationship)
            if g.is_payer:
                relationship = f"{relationship} · {_('payeur')}" if relationship else _("payeur")
            guardians.add_row(
                user_cell(g.full_name),
                label_cell(relationship),
                user_cell(g.phone),
                user_cell(g.email),
                user_cell(g.address),
            )
        students = self.query_one("#students", DataTable)
        students.clear()
        for s in family.students:
            level = " / ".join(part for part in (s.school_level, s.group_name) if part)
            status = str(s.status)
            students.add_row(
                user_cell(s.full_name),
                user_cell(s.student_number),
                user_cell(s.code_permanent),
                label_cell(format_date(s.birth_date)),
                user_cell(level),
                label_cell(_(_STATUS_LABELS.get(status, status))),
            )
        self.query_one("#students", DataTable).focus()

    def action_back(self) -> None:
        self.dismiss()
