"""Cancel an activity (registrars and admins): first what it will credit, then why.

The dialog opens on a dry run: every invoice of the activity's registrations with the
amount its credit note will cancel and what was paid on it (back to the family's
credit). Enter in the reason box cancels the activity, all in one transaction; the
service's refusal shows under the box. Dismisses the service's `ActivityCancelled`
(None when closed without cancelling).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from registrar_tui.i18n import N_, _, format_money, ngettext
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    KeysFooter,
    label_cell,
    money_cell,
    user_cell,
    user_content,
)
from registrar_tui.screens.widgets.reason import REASON_MAX_LENGTH

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.activities.setup import ActivityCancelled, CancelPreview
    from registrar_tui.services.core.errors import DomainError


class CancelActivityScreen(AppModalScreen["ActivityCancelled | None"]):
    """The invoices a cancellation credits, and the reason; Enter cancels."""

    CSS_PATH = "cancel.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "escape",
            "close",
            N_("Fermer"),
            id="activity-cancel.close",
            tooltip=N_("Fermer sans annuler l'activité"),
        ),
    ]

    def __init__(self, activity_id: int) -> None:
        super().__init__()
        self.activity_id = activity_id
        self._preview: CancelPreview | None = None
        self._cancelling = False

    def compose(self) -> ComposeResult:
        with Vertical(id="activity-cancel"):
            yield Static(Content(_("Chargement…")), id="activity-cancel-title")
            table: DataTable[object] = DataTable(id="activity-cancel-invoices", cursor_type="row")
            yield table
            yield Static(Content(""), id="activity-cancel-totals")
            yield Input(
                placeholder=_("Motif de l'annulation (obligatoire)"),
                max_length=REASON_MAX_LENGTH,
                id="activity-cancel-reason",
                disabled=True,
            )
            yield Static(
                Content(_("Entrée : annuler l'activité · Échap : fermer")),
                id="activity-cancel-status",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#activity-cancel-invoices", DataTable)
        table.add_column(label_cell(_("Facture")), width=11)
        table.add_column(label_cell(_("Élève")), width=16)
        table.add_column(label_cell(_("Famille")), width=14)
        table.add_column(Text(_("Crédit"), justify="right"), width=10)
        table.add_column(Text(_("Payé"), justify="right"), width=10)
        activity_id = self.activity_id

        def load(backend: Backend) -> CancelPreview:
            from registrar_tui.services.activities.setup import cancel_preview
            from registrar_tui.services.core.errors import PermissionDenied

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.read(cancel_preview, activity_id, identity.id)

        self.call_service(load, self._show, group="activity-cancel")

    def _show(self, preview: CancelPreview) -> None:
        self._preview = preview
        before, _name, after = _("Annuler l'activité · {title}").partition("{title}")
        self.query_one("#activity-cancel-title", Static).update(
            Content.assemble(before, user_content(preview.title, "bold"), after)
        )
        table = self.query_one("#activity-cancel-invoices", DataTable)
        table.clear()
        for line in preview.lines:
            table.add_row(
                user_cell(line.invoice_number),
                user_cell(line.student_name),
                user_cell(line.family_name),
                money_cell(line.credited),
                money_cell(line.returned_to_credit),
            )
        table.styles.height = min(max(len(preview.lines), 1), 8) + 1
        count = len(preview.lines)
        totals = ngettext(
            "{count} facture créditée par note de crédit : {credited}; "
            "payé rendu en crédit aux familles : {returned}.",
            "{count} factures créditées par note de crédit : {credited}; "
            "payé rendu en crédit aux familles : {returned}.",
            count,
        ).format(
            count=count,
            credited=format_money(preview.total_credited),
            returned=format_money(preview.total_returned),
        )
        self.query_one("#activity-cancel-totals", Static).update(Content(totals))
        reason = self.query_one("#activity-cancel-reason", Input)
        reason.disabled = False
        reason.focus()

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#activity-cancel-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._preview is None or self._cancelling:
            return
        reason = event.value
        if not reason.strip():
            self._show_status(_("Indiquez un motif."), error=True)
            return
        self._cancelling = True
        self._show_status(_("Annulation…"))
        activity_id = self.activity_id

        def cancel(backend: Backend) -> ActivityCancelled:
            from registrar_tui.services.activities.setup import cancel_activity
            from registrar_tui.services.core.errors import PermissionDenied

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(cancel_activity, activity_id, reason, identity.id)
            finally:
                self._cancelling = False

        self.call_service(cancel, self.dismiss, group="activity-cancel-write", exclusive=False)

    def show_refusal(self, error: DomainError) -> None:
        """Under the reason box (the title too when the dry run itself was refused)."""
        message = error.translated()
        if self._preview is None:
            self.query_one("#activity-cancel-title", Static).update(Content(message))
        self._show_status(message, error=True)

    def action_close(self) -> None:
        self.dismiss(None)
