"""Cancel a family's payment plan: the registrar says why (the family may then agree a
new one)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from registrar_tui.i18n import N_, _, format_money
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS
from registrar_tui.screens.widgets.reason import ReasonDialog


class CancelPlanScreen(ReasonDialog):
    """Ask why the plan is cancelled; Enter dismisses the reason, Escape None."""

    CSS_PATH = "plan_cancel.tcss"
    REASON_ID = "plan-cancel-reason"
    STATUS_ID = "plan-cancel-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding("escape", "cancel", N_("Annuler"), id="plan-cancel.cancel",
                tooltip=N_("Fermer sans annuler l'échéancier")),
    ]  # fmt: skip

    def __init__(self, outstanding: Decimal) -> None:
        super().__init__()
        self._outstanding = outstanding

    def compose(self) -> ComposeResult:
        with Vertical(id="plan-cancel-box"):
            yield Static(Content(_("Annuler l'échéancier")), id="plan-cancel-title")
            effect = _(
                "Les échéances restantes ({outstanding}) ne seront plus suivies ; "
                "le solde reste dû."
            ).format(outstanding=format_money(self._outstanding))
            yield Static(Content(effect), id="plan-cancel-effect")
            yield from self.reason_entry(
                _("Motif (entente rompue, nouvelle entente…)"),
                _("Entrée : annuler l'échéancier · Échap : fermer"),
            )
        yield Footer(show_command_palette=False)
