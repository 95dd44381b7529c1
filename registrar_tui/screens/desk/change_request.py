"""One change request field by field: the record today, as submitted, as requested.

Only changes are listed; an address is shown whole (street, city, province, postal code,
the parts the family did not change dimmed). A field in conflict (the record changed
since the family submitted) is flagged; the registrar chooses with `d` (the requested
value) or `c` (keep the current one) before `a` approves, one choice for a whole address.
A correction the student's code permanent would no longer agree with is warned, and
approving it asks first. `r` rejects with a reason, `n` opens the next pending request of
the queue, `u` undoes the registrar's decision while its message to the family is unsent.
An approved move offers (one key) to move the household still at the old address.
A decided request shows who decided, when and why, and which fields were applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.desk.queue_view import (
    STATUS_LABELS,
    day,
    decision_text,
    kind_label,
    undone_text,
)
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    label_cell,
    user_cell,
    user_content,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.requests.changes.decisions import ChangeDecision
    from registrar_tui.services.requests.changes.detail import ChangeDetail, FieldDiff
    from registrar_tui.services.requests.changes.undo import UndoneDecision
    from registrar_tui.services.requests.queue import QueueFilter

_CONFLICT_HINT = N_("Conflit : le dossier a changé depuis la demande. d : demandée, c : actuelle.")
_ADDRESS_CONFLICT_HINT = N_(
    "Conflit sur l'adresse : d ou c choisit l'adresse entière (rue, ville, province, code postal)."
)
_CHOICE = Binding.Group(N_("Choix"), compact=True)
T = TypeVar("T")


class ChangeRequestScreen(AppScreen):
    """Decide one change request; conflicts are chosen field by field."""

    CSS_PATH = "change_request.tcss"
    COMMAND_NAMESPACE = N_("demande")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "approve",
            N_("Approuver"),
            id="request.approve",
            tooltip=N_("Appliquer la demande (les champs en conflit selon vos choix)"),
        ),
        Binding(
            "r",
            "reject",
            N_("Refuser"),
            id="request.reject",
            tooltip=N_("Refuser la demande avec un motif communiqué à la famille"),
        ),
        Binding(
            "d",
            "choose('requested')",
            N_("Demandée"),
            id="request.take-requested",
            tooltip=N_("Champ en conflit : prendre la valeur demandée"),
            group=_CHOICE,
        ),
        Binding(
            "c",
            "choose('current')",
            N_("Actuelle"),
            id="request.keep-current",
            tooltip=N_("Champ en conflit : garder la valeur actuelle du dossier"),
            group=_CHOICE,
        ),
        Binding(
            "u",
            "undo",
            N_("Annuler la décision"),
            id="request.undo",
            tooltip=N_("Annuler votre décision tant que son message n'est pas parti"),
        ),
        Binding(
            "n",
            "next",
            N_("Suivante"),
            id="request.next",
            tooltip=N_("Demande de modification en attente suivante"),
        ),
        Binding("escape", "back", N_("Retour"), id="request.back", tooltip=N_("Revenir à la file")),
    ]

    def __init__(self, request_id: int, queue_filter: QueueFilter | None = None) -> None:
        super().__init__()
        self.request_id = request_id
        self._queue_filter = queue_filter
        self._detail: ChangeDetail | None = None
        self._choices: dict[str, str] = {}
        self._busy = False
        self.decided: list[tuple[str, int]] = []
        """(kind, id) of the requests decided here (`n` goes on to others): the queue keeps
        them in their place when this screen closes."""

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Chargement…")), id="request-title")
        yield Static(Content(""), id="request-info")
        yield DataTable(id="request-fields", cursor_type="row")
        yield Static(Content(""), id="request-field-detail")
        yield Static(Content(""), id="request-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#request-fields", DataTable)
        table.add_column(label_cell(_("Champ")), width=13)
        table.add_column(label_cell(_("Actuel")), width=15)
        table.add_column(label_cell(_("Soumis")), width=15)
        table.add_column(label_cell(_("Demandé")), width=15)
        table.add_column(label_cell(_("Choix")), width=9)
        table.focus()
        self._load()

    @property
    def current_key(self) -> tuple[str, int] | None:
        """(kind, id) of the request shown (None until read)."""
        if self._detail is None:
            return None
        return (str(self._detail.target_kind), self._detail.request_id)

    def _load(self) -> None:
        request_id = self.request_id

        def load(backend: Backend, user_id: int) -> ChangeDetail:
            from registrar_tui.services.requests.changes.detail import change_detail

            return backend.read(change_detail, request_id, user_id)

        self._call(load, self._show, group="change-request")

    def _call(
        self,
        run: Callable[[Backend, int], T],
        done: Callable[[T], object],
        *,
        group: str,
        exclusive: bool = True,
    ) -> None:
        """`run(backend, user_id)` for the signed-in user, in a worker; `_busy` ends with it."""

        def call(backend: Backend) -> T:
            from registrar_tui.services.core.errors import PermissionDenied

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return run(backend, identity.id)
            finally:
                self._busy = False

        self.call_service(call, done, group=group, exclusive=exclusive)

    def _show(self, detail: ChangeDetail) -> None:
        if detail.request_id != self.request_id:
            return
        self._detail = detail
        conflicts = {f.field_name for f in detail.fields if f.conflict}
        self._choices = {k: v for k, v in self._choices.items() if k in conflicts}
        self.query_one("#request-title", Static).update(
            Content.assemble(
                (_("Demande de modification"), "bold"), " · ", user_content(detail.subject, "bold")
            )
        )
        self._show_info(detail)
        self._fill()
        self.refresh_bindings()

    def _show_info(self, detail: ChangeDetail) -> None:
        status = str(detail.status)
        info = Content.assemble(
            user_content(detail.family_name),
            " ",
            user_content(detail.family_number),
            " · ",
            kind_label(detail.target_kind),
            " · ",
            _("reçue le {day}").format(day=day(detail.submitted_at)),
            " · ",
            (_(STATUS_LABELS.get(status, status)), "bold"),
        )
        if detail.decided_at is not None:
            decided = _("par {name} le {day}").format(
                name=detail.decided_by or "?", day=day(detail.decided_at)
            )
            info = Content.assemble(info, " ", user_content(decided))
        if detail.reason:
            info = Content.assemble(info, " · ", _("Motif : "), user_content(detail.reason))
        self.query_one("#request-info", Static).update(info)

    def _fill(self) -> None:
        assert self._detail is not None
        table = self.query_one("#request-fields", DataTable)
        cursor = table.cursor_row
        table.clear()
        for field in self._detail.fields:
            name = Text(field.label, no_wrap=True, overflow="ellipsis")
            if field.conflict:
                name = Text("! ", style="bold red") + name
            cells = [
                user_cell(field.current),
                user_cell(field.submitted),
                user_cell(field.requested),
            ]
            if not field.changes:  # an address part left as it was: dimmed
                name.stylize("dim")
                for cell in cells:
                    cell.stylize("dim")
            table.add_row(name, *cells, self._choice_cell(field))
        if self._detail.fields:
            table.move_cursor(row=min(max(cursor, 0), len(self._detail.fields) - 1))
        self._show_field()

    def _choice_cell(self, field: FieldDiff) -> Text:
        if field.applied is not None:
            return label_cell(_("appliqué") if field.applied else _("non appliqué"))
        if not field.conflict:
            return label_cell("" if field.changes else _("inchangé"))
        choice = self._choices.get(field.field_name)
        if choice is None:
            return Text(_("à choisir"), style="bold red", no_wrap=True)
        return label_cell(_("demandée") if choice == "requested" else _("actuelle"))

    def highlighted(self) -> FieldDiff | None:
        table = self.query_one("#request-fields", DataTable)
        if self._detail is None or not self._detail.fields or table.row_count == 0:
            return None
        return self._detail.fields[min(max(table.cursor_row, 0), len(self._detail.fields) - 1)]

    @on(DataTable.RowHighlighted, "#request-fields")
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_field()
        self.refresh_bindings()

    def _show_field(self) -> None:
        field = self.highlighted()
        widget = self.query_one("#request-field-detail", Static)
        if field is None:
            widget.update(Content(""))
            return
        lines = [
            Content.assemble((field.label, "bold")),
            Content.assemble(_("Actuel : "), user_content(field.current or "∅")),
            Content.assemble(_("Soumis : "), user_content(field.submitted or "∅")),
            Content.assemble(_("Demandé : "), user_content(field.requested or "∅")),
        ]
        if field.conflict:
            hint = _ADDRESS_CONFLICT_HINT if field.is_address else _CONFLICT_HINT
            lines.append(Content.styled(_(hint), "bold $text-error"))
        detail = self._detail
        if detail is not None and detail.warnings and str(detail.status) == "pending":
            # Said before approving, whatever the field under the cursor.
            lines += [
                Content.styled(_("Code permanent : ") + warning, "bold $text-warning")
                for warning in detail.warnings
            ]
        widget.update(Content("\n").join(lines))

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#request-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    # --- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        pending = self._detail is not None and str(self._detail.status) == "pending"
        if action in ("approve", "reject"):
            return pending and not self._busy
        if action == "choose":
            field = self.highlighted()
            return pending and ((field is not None and field.conflict) or None)
        if action == "next":
            return self._queue_filter is not None and not self._busy
        if action == "undo":
            decided = self._detail is not None and str(self._detail.status) in (
                "approved",
                "rejected",
            )
            return decided and not self._busy
        return True

    def action_choose(self, choice: str) -> None:
        field = self.highlighted()
        if field is None or not field.conflict:
            return
        assert self._detail is not None
        if field.is_address:  # one choice for the whole address
            for other in self._detail.fields:
                if other.is_address:
                    self._choices[other.field_name] = choice
        else:
            self._choices[field.field_name] = choice
        self._fill()

    def action_approve(self) -> None:
        detail = self._detail
        if detail is None or self._busy:
            return
        missing = [n for n in detail.conflict_fields if n not in self._choices]
        if missing:
            names = [f.field_name for f in detail.fields]
            self.query_one("#request-fields", DataTable).move_cursor(row=names.index(missing[0]))
            self._show_status(
                _("Choisissez la valeur de chaque champ en conflit (d : demandée, c : actuelle)."),
                error=True,
            )
            return
        choices = dict(self._choices)
        if detail.warnings:
            from registrar_tui.screens.desk.modals import ConfirmScreen

            def confirmed(yes: bool | None) -> None:
                if yes and not self._busy:
                    self._busy = True
                    self._show_status(_("Enregistrement…"))
                    self._approve(choices, accept_warnings=True)

            self.app.push_screen(
                ConfirmScreen(
                    _("Le code permanent ne concordera plus"),
                    _("Approuver quand même ?"),
                    subject="\n".join(detail.warnings),
                ),
                confirmed,
            )
            return
        self._busy = True
        self._show_status(_("Enregistrement…"))
        self._approve(choices)

    def _approve(self, choices: dict[str, str], *, accept_warnings: bool = False) -> None:
        request_id = self.request_id

        def approve(backend: Backend, user_id: int) -> ChangeDecision:
            from registrar_tui.services.requests.changes.decisions import approve_change

            return backend.write(
                approve_change, request_id, user_id, choices, accept_warnings=accept_warnings
            )

        self._call(approve, self._decided, group="change-request-decide", exclusive=False)

    def action_reject(self) -> None:
        detail = self._detail
        if detail is None or self._busy:
            return
        from registrar_tui.screens.desk.modals import ReasonScreen

        def rejected(reason: str | None) -> None:
            if reason:
                self._busy = True
                self._show_status(_("Enregistrement…"))
                self._reject(reason)

        self.app.push_screen(ReasonScreen(_("Refuser la demande"), detail.subject), rejected)

    def _reject(self, reason: str) -> None:
        request_id = self.request_id

        def reject(backend: Backend, user_id: int) -> ChangeDecision:
            from registrar_tui.services.requests.changes.decisions import reject_change

            return backend.write(reject_change, request_id, user_id, reason)

        self._call(reject, self._decided, group="change-request-decide", exclusive=False)

    def _decided(self, decision: ChangeDecision) -> None:
        if self._detail is not None:
            self.decided.append((str(self._detail.target_kind), decision.request_id))
        text = decision_text(decision)
        self._show_status(text + " " + _("u : annuler · n : suivante."))
        self.notify(text, markup=False)
        self._load()
        if decision.household:
            from registrar_tui.screens.desk.modals import HouseholdMoveScreen

            self.app.push_screen(HouseholdMoveScreen(decision))

    def action_undo(self) -> None:
        detail = self._detail
        if detail is None or self._busy:
            return
        from registrar_tui.screens.desk.modals import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes and not self._busy:
                self._busy = True
                self._show_status(_("Enregistrement…"))
                self._undo()

        self.app.push_screen(
            ConfirmScreen(
                _("Annuler la décision"),
                _(
                    "Remettre les valeurs d'avant, retirer le message à la famille "
                    "(s'il n'est pas parti) et remettre la demande en attente ?"
                ),
                subject=detail.subject,
            ),
            confirmed,
        )

    def _undo(self) -> None:
        request_id = self.request_id

        def undo(backend: Backend, user_id: int) -> UndoneDecision:
            from registrar_tui.services.requests.changes.undo import undo_change_decision

            return backend.write(undo_change_decision, request_id, user_id)

        self._call(undo, self._undone, group="change-request-decide", exclusive=False)

    def _undone(self, undone: UndoneDecision) -> None:
        text = undone_text(undone)
        self._show_status(text)
        self.notify(text, markup=False)
        self._choices = {}
        self._load()

    def action_next(self) -> None:
        if self._queue_filter is not None and not self._busy:
            self._busy = True
            self._next(self._queue_filter)

    def _next(self, queue_filter: QueueFilter) -> None:
        request_id = self.request_id

        def find(backend: Backend, user_id: int) -> int | None:
            from registrar_tui.services.requests.changes.decisions import next_pending_change

            return backend.read(next_pending_change, user_id, request_id, queue_filter)

        self._call(find, self._go_next, group="change-request-decide", exclusive=False)

    def _go_next(self, next_id: int | None) -> None:
        if next_id is None:
            self._show_status(_("Aucune autre demande de modification en attente."))
            return
        self.request_id = next_id
        self._choices = {}
        self._detail = None
        self._show_status("")
        self.query_one("#request-fields", DataTable).move_cursor(row=0)
        self._load()

    def show_refusal(self, error: DomainError) -> None:
        """The status line and a notice say why; the cursor goes to the field refused."""
        message = error.translated()
        self._show_status(message, error=True)
        self.notify(message, severity="error", markup=False)
        if error.field and self._detail is not None:
            names = [f.field_name for f in self._detail.fields]
            if error.field in names:
                table = self.query_one("#request-fields", DataTable)
                table.move_cursor(row=names.index(error.field))
        self._load()  # decided elsewhere, or the record changed: show it as it is now

    def action_back(self) -> None:
        self.dismiss()
