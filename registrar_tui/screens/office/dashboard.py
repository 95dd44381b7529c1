"""The office dashboard (F9 or Ctrl+G, registrar and admin): the office's figures at a glance.

Receipts of the last 30 days as bars, then compact tables: receipts by payment method
(today, this month), receivables by age (the ageing's buckets), requests waiting for a
decision by age, the drawers open or closed today, reminders sent this month. Every
figure comes from one service call (`services.office.dashboard.office_dashboard`) in a
worker; R reads them again. At 80×24 the page scrolls (↑/↓, PgUp/PgDn); at 120×36 it
fits.

It is also the office hub: the keys that open the office's other screens (reminders,
payment plans, deposits, tax slips) go in `BINDINGS`, in the « office hub » part below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from registrar_tui.i18n import N_, _, format_datetime, format_money, ngettext
from registrar_tui.screens.office.receipts_chart import ReceiptsChart
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    label_cell,
    method_label,
    money_cell,
    user_cell,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.office.dashboard import OfficeDashboard

BUCKET_LABELS = (
    N_("Non échu"),
    N_("0-30 jours"),
    N_("31-60 jours"),
    N_("61-90 jours"),
    N_("Plus de 90 jours"),
)
REQUEST_LABELS = {"change": N_("Modifications"), "reenrolment": N_("Réinscriptions")}


def _count_cell(count: int, style: str = "") -> Text:
    return Text(str(count), style=style, justify="right", no_wrap=True)


def _table(table_id: str) -> DataTable[object]:
    table: DataTable[object] = DataTable(id=table_id, cursor_type="none", show_cursor=False)
    table.can_focus = False  # the page scrolls as one
    return table


class DashboardScreen(AppScreen):
    """The office's figures; R reads them again."""

    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = "#dashboard-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            N_("Retour"),
            id="dashboard.back",
            tooltip=N_("Fermer le tableau de bord"),
        ),
        Binding(
            "r",
            "refresh",
            N_("Actualiser"),
            id="dashboard.refresh",
            tooltip=N_("Relire tous les chiffres"),
        ),
        # --- the office hub -------------------------------------------------------------
        # The keys opening the office's other screens, one Binding each with an id
        # `dashboard.<screen>` (letters are free on this screen: nothing is typed here);
        # each action pushes its screen above this one. Payment plans open from a
        # family's billing tab (p), tax slips from the command line and the student.
        Binding(
            "l",
            "open('reminders')",
            N_("Relances"),
            id="dashboard.reminders",
            tooltip=N_("Les relances à envoyer pour les comptes en retard"),
        ),
        Binding(
            "d",
            "open('deposits')",
            N_("Dépôts"),
            id="dashboard.deposits",
            tooltip=N_("Préparer le bordereau de dépôt des caisses fermées"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Tableau de bord")), id="dashboard-title")
        with VerticalScroll(id="dashboard-body"):
            yield Static(
                Content(_("Encaissements des 30 derniers jours")),
                classes="section-title",
            )
            yield ReceiptsChart(id="receipts-chart")
            yield Static(Content(_("Chargement…")), id="receipts-summary")
            with Horizontal(id="dashboard-panels"):
                with Vertical(classes="dashboard-panel"):
                    yield Static(Content(_("Par mode de paiement")), classes="section-title")
                    yield _table("methods")
                    yield Static(Content(_("Comptes à recevoir")), classes="section-title")
                    yield _table("receivables")
                with Vertical(classes="dashboard-panel"):
                    yield Static(Content(_("Demandes en attente")), classes="section-title")
                    yield _table("pending")
                    # Above the drawers, whose list grows: the line stays in sight.
                    yield Static(Content(""), id="reminders")
                    yield Static(Content(_("Caisses")), classes="section-title")
                    yield _table("drawers")
        yield KeysFooter()

    def on_mount(self) -> None:
        methods = self.query_one("#methods", DataTable)
        methods.add_column(label_cell(_("Mode")), width=14)
        methods.add_column(Text(_("Aujourd'hui"), justify="right"), width=11)
        methods.add_column(Text(_("Ce mois-ci"), justify="right"), width=11)
        receivables = self.query_one("#receivables", DataTable)
        receivables.add_column(label_cell(_("Retard")), width=17)
        receivables.add_column(Text(_("Montant"), justify="right"), width=14)
        pending = self.query_one("#pending", DataTable)
        pending.add_column(label_cell(_("Demande")), width=14)
        for label in (_("< 2 j"), _("2-7 j"), _("> 7 j")):
            pending.add_column(Text(label, justify="right"), width=5)
        drawers = self.query_one("#drawers", DataTable)
        drawers.add_column(label_cell(_("Caisse")), width=15)
        drawers.add_column(label_cell(_("Étab.")), width=5)
        drawers.add_column(label_cell(_("État")), width=13)
        self._load()

    def _load(self) -> None:
        identity = self.backend.identity
        if identity is None:
            return
        actor_id = identity.id
        self._loading = True

        def fetch(backend: Backend) -> OfficeDashboard:
            from registrar_tui.services.office.dashboard import office_dashboard

            return backend.read(office_dashboard, actor_id)

        self.call_service(fetch, self._show, group="dashboard", refused=self._refused)

    def _refused(self, error: DomainError) -> None:
        self._loading = False
        self.refresh_bindings()
        self.show_refusal(error)

    def _show(self, dashboard: OfficeDashboard) -> None:
        self._loading = False
        self.refresh_bindings()
        self.query_one("#dashboard-title", Static).update(
            Content.assemble(
                (_("Tableau de bord"), "bold"),
                " · ",
                _("chiffres de {moment}").format(moment=format_datetime(dashboard.at)),
            )
        )
        self.query_one("#receipts-chart", ReceiptsChart).show(dashboard)
        today = next(r for r in reversed(dashboard.receipts))
        self.query_one("#receipts-summary", Static).update(
            Content.assemble(
                _("Aujourd'hui : "),
                (format_money(dashboard.today_total), "bold"),
                " (",
                ngettext("{count} reçu", "{count} reçus", today.count).format(count=today.count),
                ")  ·  ",
                _("Ce mois-ci : "),
                (format_money(dashboard.month_total), "bold"),
            )
        )
        self._show_methods(dashboard)
        self._show_receivables(dashboard)
        self._show_pending(dashboard)
        self._show_drawers(dashboard)
        self.query_one("#reminders", Static).update(
            Content.assemble(
                _("Relances envoyées ce mois-ci : "),
                (str(dashboard.reminders_this_month), "bold"),
            )
        )

    def _show_methods(self, dashboard: OfficeDashboard) -> None:
        table = self.query_one("#methods", DataTable)
        table.clear()
        for total in dashboard.methods:
            table.add_row(
                label_cell(method_label(total.method)),
                money_cell(total.today_amount),
                money_cell(total.month_amount),
            )
        table.add_row(
            Text(_("Total"), style="bold"),
            money_cell(dashboard.today_total, "bold"),
            money_cell(dashboard.month_total, "bold"),
        )

    def _show_receivables(self, dashboard: OfficeDashboard) -> None:
        owed = dashboard.receivables
        table = self.query_one("#receivables", DataTable)
        table.clear()
        figures = (owed.not_yet_due, owed.days_0_30, owed.days_31_60, owed.days_61_90)
        for label, amount in zip(BUCKET_LABELS, (*figures, owed.over_90), strict=True):
            late = label != BUCKET_LABELS[0] and amount > 0
            table.add_row(label_cell(_(label)), money_cell(amount, "bold yellow" if late else ""))
        table.add_row(Text(_("Total"), style="bold"), money_cell(owed.total, "bold"))

    def _show_pending(self, dashboard: OfficeDashboard) -> None:
        table = self.query_one("#pending", DataTable)
        table.clear()
        for waiting in dashboard.pending:
            table.add_row(
                label_cell(_(REQUEST_LABELS.get(waiting.kind, waiting.kind))),
                _count_cell(waiting.under_2_days),
                _count_cell(waiting.days_2_to_7),
                _count_cell(waiting.over_7_days, "bold yellow" if waiting.over_7_days else ""),
            )

    def _show_drawers(self, dashboard: OfficeDashboard) -> None:
        table = self.query_one("#drawers", DataTable)
        table.clear()
        if not dashboard.drawers:
            table.add_row(label_cell(_("Aucune aujourd'hui")), Text(""), Text(""))
        for drawer in dashboard.drawers:
            if drawer.is_open:
                state = Text(
                    ngettext(
                        "ouverte · {count}", "ouverte · {count}", drawer.payments_since_close
                    ).format(count=drawer.payments_since_close),
                    style="bold yellow",
                    no_wrap=True,
                    overflow="ellipsis",
                )
            else:
                state = Text(_("fermée"), style="green", no_wrap=True)
            name = _("En ligne") if drawer.is_online else drawer.clerk_name
            table.add_row(user_cell(name), user_cell(drawer.establishment_code), state)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refresh":
            return not self._loading
        return True

    def action_refresh(self) -> None:
        """R: every figure read again (one service call)."""
        self._load()
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss()

    def action_open(self, name: str) -> None:
        """L: the reminders; D: the bank deposits (above this screen: Esc comes back)."""
        if name == "reminders":
            from registrar_tui.screens.office.reminders import RemindersScreen

            self.app.push_screen(RemindersScreen())
        elif name == "deposits":
            from registrar_tui.screens.office.deposits import DepositScreen

            self.app.push_screen(DepositScreen())
