"""The registrar's modals: why reject, "sure?", "move them too?" and "approve these N
requests?".

`ReasonScreen` dismisses the typed reason (None when cancelled); an empty reason is
refused on the spot (the service refuses it too). `ConfirmScreen` dismisses True or
False (its title and question are the caller's translated text, never user data).
`BulkApprovalScreen` counts the
requests of the filtered queue that have no conflict, asks, approves them all on `o`,
and dismisses the outcome (None when nothing was approved).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from registrar_tui.i18n import N_, _, ngettext
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_content
from registrar_tui.screens.widgets.reason import ReasonDialog

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.requests.changes.decisions import BulkApproval, ChangeDecision
    from registrar_tui.services.requests.changes.household import HouseholdMove
    from registrar_tui.services.requests.queue import QueueFilter


class ReasonScreen(ReasonDialog):
    """Ask why a request is rejected; Enter confirms, Escape cancels."""

    CSS_PATH = "modals.tcss"
    STATUS_ID = "decision-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="reason.cancel",
            tooltip=N_("Fermer sans refuser la demande"),
        ),
    ]

    def __init__(self, title: str, subject: str) -> None:
        super().__init__()
        self._title = title
        self._subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-box"):
            yield Static(Content(self._title), id="decision-title")
            yield Static(user_content(self._subject, "bold"), id="decision-subject")
            yield from self.reason_entry(
                _("Motif communiqué à la famille"),
                _("Entrée : refuser avec ce motif · Échap : annuler"),
            )
        yield Footer(show_command_palette=False)


class ConfirmScreen(AppModalScreen[bool]):
    """A yes/no question: `o` (or `y`) confirms, `n` or Escape cancels; `subject` (user
    data: names, values) is shown as data under the title."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding("o,y", "answer(True)", N_("Oui"), id="confirm.yes", tooltip=N_("Confirmer")),
        Binding(
            "n,escape", "answer(False)", N_("Non"), id="confirm.no", tooltip=N_("Ne rien faire")
        ),
    ]

    def __init__(self, title: str, question: str, *, subject: str = "") -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-box"):
            yield Static(Content(self._title), id="decision-title")
            if self._subject:
                yield Static(user_content(self._subject, "bold"), id="decision-subject")
            yield Static(Content(self._question), id="decision-question")
            yield Static(Content(_("o : oui · n : non")), id="decision-status")
        yield Footer(show_command_palette=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HouseholdMoveScreen(AppModalScreen["HouseholdMove | None"]):
    """After a move is approved: the family's others at the old address; `o` moves them
    too (one key), `n` or Escape leaves them where they are."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "o,y",
            "move",
            N_("Oui"),
            id="household.yes",
            tooltip=N_("Donner la nouvelle adresse à ces personnes aussi"),
        ),
        Binding(
            "n,escape",
            "cancel",
            N_("Non"),
            id="household.no",
            tooltip=N_("Ne changer que l'adresse demandée"),
        ),
    ]

    def __init__(self, decision: ChangeDecision) -> None:
        super().__init__()
        self._decision = decision
        self._busy = False

    def compose(self) -> ComposeResult:
        members = self._decision.household
        with Vertical(id="decision-box"):
            yield Static(Content(_("Déménagement de la famille")), id="decision-title")
            yield Static(
                Content(
                    ngettext(
                        "Cette personne habite encore l'ancienne adresse :",
                        "Ces {count} personnes habitent encore l'ancienne adresse :",
                        len(members),
                    ).format(count=len(members))
                ),
                id="decision-question",
            )
            yield Static(
                user_content("\n".join(f"• {member.name}" for member in members), "bold"),
                id="decision-subject",
            )
            yield Static(
                Content(_("o : leur donner la nouvelle adresse aussi · n : non")),
                id="decision-status",
            )
        yield Footer(show_command_palette=False)

    def action_move(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.query_one("#decision-status", Static).update(Content(_("Enregistrement…")))
        request_id = self._decision.request_id
        members = tuple((m.target_kind, m.record_id) for m in self._decision.household)

        def move(backend: Backend) -> HouseholdMove:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.requests.changes.household import apply_household_move

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(apply_household_move, request_id, identity.id, members)

        self.call_service(move, self._moved, group="household-move", exclusive=False)

    def _moved(self, moved: HouseholdMove) -> None:
        self.notify(
            _("Nouvelle adresse donnée aussi à : {names}.").format(names=", ".join(moved.moved))
            if moved.moved
            else _("Personne d'autre n'habitait encore l'ancienne adresse."),
            markup=False,
        )
        self.dismiss(moved)

    def show_refusal(self, error: DomainError) -> None:
        """The status line says why."""
        self._busy = False
        status = self.query_one("#decision-status", Static)
        status.update(Content(error.translated()))
        status.add_class("-error")

    def action_cancel(self) -> None:
        self.dismiss(None)


class BulkApprovalScreen(AppModalScreen["BulkApproval | None"]):
    """Count, ask, approve every request of the filter without conflict (`o` / `n`)."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding("o,y", "approve", N_("Oui"), id="bulk.yes", tooltip=N_("Approuver ces demandes")),
        Binding("n,escape", "cancel", N_("Non"), id="bulk.no", tooltip=N_("Ne rien approuver")),
    ]

    def __init__(self, queue_filter: QueueFilter) -> None:
        super().__init__()
        self._filter = queue_filter
        self._count: int | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-box"):
            yield Static(Content(_("Approuver sans conflit")), id="decision-title")
            yield Static(Content(_("Chargement…")), id="decision-question")
            yield Static(Content(_("o : oui · n : non")), id="decision-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        queue_filter = self._filter

        def count(backend: Backend) -> int:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.requests.changes.decisions import approvable_count

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.read(approvable_count, identity.id, queue_filter)

        self.call_service(count, self._counted, group="bulk-approval")

    def _counted(self, count: int) -> None:
        self._count = count
        if count == 0:
            question = _("Aucune demande sans conflit à approuver dans cette liste.")
        else:
            question = ngettext(
                "Approuver la demande sans conflit de cette liste ? La famille recevra un message.",
                "Approuver les {count} demandes sans conflit de cette liste ? "
                "Chaque famille recevra un message.",
                count,
            ).format(count=count)
        self.query_one("#decision-question", Static).update(Content(question))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "approve":
            return bool(self._count) and not self._busy
        return True

    def action_approve(self) -> None:
        if self._count and not self._busy:
            self._busy = True
            self.query_one("#decision-status", Static).update(Content(_("Enregistrement…")))
            self._approve(self._filter)

    def _approve(self, queue_filter: QueueFilter) -> None:
        def approve(backend: Backend) -> BulkApproval:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.requests.changes.decisions import (
                approve_all_without_conflict,
            )

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(approve_all_without_conflict, identity.id, queue_filter)

        self.call_service(approve, self.dismiss, group="bulk-approval")

    def show_refusal(self, error: DomainError) -> None:
        """The status line says why (counting or approving was refused)."""
        self._busy = False
        status = self.query_one("#decision-status", Static)
        status.update(Content(error.translated()))
        status.add_class("-error")

    def action_cancel(self) -> None:
        self.dismiss(None)
