"""One audit event in a modal: who, when, which record, and each field's before → after.

Opening it is recorded on the trail ("audit.view_event", with the viewer's filter).
Every value was typed by someone (or computed from what was): shown literally, except a
student's allergies and medical notes to a reader outside the `medical_roles` setting:
the field is named, its values masked (need-to-know).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from registrar_tui.i18n import N_, _, format_datetime, format_money
from registrar_tui.screens.desk.audit_log import action_label, entity_label, field_label
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_content

if TYPE_CHECKING:
    from decimal import Decimal

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.audit.log import AuditEventDetail, AuditFilter, FieldChange
    from registrar_tui.services.core.errors import DomainError

ABSENT = "∅"
BOOLEANS = {"true": N_("oui"), "false": N_("non")}
MASKED = N_("(réservé au personnel autorisé)")
"""Shown instead of a health field's values to a reader outside `medical_roles`."""


class AuditEventScreen(AppModalScreen[None]):
    """The event's header lines, then one line per field: name, before → after."""

    CSS_PATH = "audit_event.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding("escape", "close", N_("Fermer"), id="audit-event.close", tooltip=N_("Fermer")),
    ]

    def __init__(self, event_id: int, filters: AuditFilter | None = None) -> None:
        super().__init__()
        self.event_id = event_id
        self.filters = filters

    def compose(self) -> ComposeResult:
        with Vertical(id="audit-event"):
            yield Static(Content(_("Chargement…")), id="audit-event-title")
            yield Static(Content(""), id="audit-event-who")
            yield Static(Content(""), id="audit-event-what")
            yield VerticalScroll(id="audit-event-fields")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        event_id, filters = self.event_id, self.filters

        def load(backend: Backend) -> AuditEventDetail:
            from registrar_tui.services.audit.log import audit_event_detail
            from registrar_tui.services.core.errors import PermissionDenied

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(audit_event_detail, identity.id, event_id, filters)

        self.call_service(load, self._show, group="audit-event")

    def _show(self, detail: AuditEventDetail) -> None:
        row = detail.row
        self.query_one("#audit-event-title", Static).update(
            Content.assemble(
                (_("Événement n° {number}").format(number=row.event_id), "bold"),
                " · ",
                format_datetime(row.occurred_at, "yyyy-MM-dd HH:mm:ss"),
            )
        )
        who = (
            Content.assemble(
                user_content(row.actor_name, "bold"), " (", user_content(row.actor_username), ")"
            )
            if row.actor_username
            else Content(_("aucun utilisateur"))
        )
        self.query_one("#audit-event-who", Static).update(Content.assemble(_("Par : "), who))
        self.query_one("#audit-event-what", Static).update(
            Content.assemble(
                _("Action : "),
                user_content(action_label(row.action), "bold"),
                " (",
                user_content(row.action),
                ")",
                " · ",
                _("Dossier : "),
                user_content(
                    entity_label(
                        row.entity_type, row.entity_id, row.record_reference, row.record_name
                    )
                ),
            )
        )
        fields = self.query_one("#audit-event-fields", VerticalScroll)
        fields.remove_children()
        # What changed; a field written with the same value before and after (a sign-in's
        # failed_attempts 0 → 0) says nothing.
        changed = [change for change in detail.fields if change.changed]
        lines = [self._line(change) for change in changed or detail.fields]
        if not lines:
            lines = [Static(Content(_("Aucun champ enregistré.")), classes="audit-field")]
        fields.mount_all(lines)

    @staticmethod
    def _line(change: FieldChange) -> Static:
        def value(text: str | None, amount: Decimal | None, style: str) -> Content:
            if amount is not None:  # kept in cents: shown as the money it is
                text = format_money(amount)
            elif text in BOOLEANS:  # JSON's true/false, in words
                text = _(BOOLEANS[text])
            return Content(ABSENT) if text is None else user_content(text, style)

        if change.hidden:  # need-to-know: named, never its values, not even whether any
            return Static(
                Content.assemble(
                    user_content(field_label(change.name), "bold"),
                    " : ",
                    Content.styled(_(MASKED), "italic $text-muted"),
                ),
                classes="audit-field -masked",
            )
        line = Static(
            Content.assemble(
                user_content(field_label(change.name), "bold"),
                " : ",
                value(change.before, change.before_amount, "$text-error" if change.changed else ""),
                " → ",
                value(change.after, change.after_amount, "$text-success" if change.changed else ""),
            ),
            classes="audit-field",
        )
        line.set_class(not change.changed, "-unchanged")
        return line

    def show_refusal(self, error: DomainError) -> None:
        """The title says why, and a notice."""
        message = error.translated()
        self.query_one("#audit-event-title", Static).update(
            Content.styled(message, "bold $text-error")
        )
        self.notify(message, severity="error", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
