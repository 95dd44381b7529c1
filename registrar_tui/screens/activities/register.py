"""Register a student to an activity: find the student, type the quantities, Ctrl+S.

The student is found with the home screen's search (names, student number, code
permanent…), students only. After the deadline the form says so; a registrar or an admin
gets a reason field (a clerk does not: the service refuses late registrations to clerks).
Dismisses with the service's `Registered` (None when cancelled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Input, Label, Static

from registrar_tui.i18n import N_, _, format_date, format_money
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    KeysFooter,
    user_cell,
    user_content,
    user_text,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.activities.catalogue import ActivityDetail
    from registrar_tui.services.activities.registration import Registered
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.search.query import SearchHit

HITS_SHOWN = 4


class RegisterScreen(AppModalScreen["Registered | None"]):
    """The registration form of one activity."""

    CSS_PATH = "register.tcss"
    AUTO_FOCUS = "#student-query"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Inscrire"),
            id="register.save",
            tooltip=N_("Inscrire l'élève : facture et confirmation (journalisé)"),
            priority=True,
        ),
        Binding("escape", "cancel", N_("Annuler"), id="register.cancel", tooltip=N_("Fermer")),
        Binding("down", "hit(1)", N_("Élève suivant"), show=False, id="register.next-hit"),
        Binding("up", "hit(-1)", N_("Élève précédent"), show=False, id="register.previous-hit"),
    ]

    def __init__(self, detail: ActivityDetail) -> None:
        super().__init__()
        self.detail = detail
        self._hits: tuple[SearchHit, ...] = ()
        self._student: SearchHit | None = None
        self._saving = False

    @property
    def _late_allowed(self) -> bool:
        identity = self.backend.identity
        return identity is not None and identity.can_register_late

    def compose(self) -> ComposeResult:
        detail = self.detail
        with VerticalScroll(id="register"):
            before, _name, after = _("Inscrire un élève · {activity}").partition("{activity}")
            yield Static(
                Content.assemble(before, user_content(detail.title, "bold"), after),
                id="register-title",
            )
            with Horizontal(classes="field-row"):
                yield Label(Content(_("Élève")), classes="field-label")
                yield Input(id="student-query", placeholder=_("Nom ou n° d'élève"))
            hits: DataTable[object] = DataTable(
                id="student-hits", cursor_type="row", show_header=False
            )
            hits.can_focus = False
            yield hits
            yield Static(Content(_("Aucun élève choisi.")), id="student-chosen")
            yield Static(Content(""), id="student-message", classes="field-message")
            for index, item in enumerate(detail.items):
                with Horizontal(classes="field-row"):
                    label = (
                        f"{user_text(item.code)} - {user_text(item.label)}"
                        f" · {format_money(item.unit_price)}"
                    )
                    if item.max_quantity is not None:
                        label += " · " + _("max. {count}").format(count=item.max_quantity)
                    yield Label(Content(label), classes="item-label")
                    yield Input(
                        "1" if len(detail.items) == 1 else "0",
                        id=f"qty-{index}",
                        restrict=r"\d{0,2}",
                        max_length=2,
                        classes="quantity",
                    )
            yield Static(Content(""), id="quantities-message", classes="field-message")
            if detail.is_closed:
                deadline = format_date(detail.registration_deadline)
                note = (
                    _("Date limite passée ({deadline}) : indiquez la raison du retard.")
                    if self._late_allowed
                    else _("Date limite passée ({deadline}) : seul un registraire peut inscrire.")
                )
                yield Static(Content(note.format(deadline=deadline)), id="deadline-note")
                if self._late_allowed:
                    with Horizontal(classes="field-row"):
                        yield Label(Content(_("Raison")), classes="field-label")
                        yield Input(id="override-reason", max_length=500)
            yield Static(Content(""), id="override_reason-message", classes="field-message")
            yield Static(
                Content(_("Entrée : champ suivant · Ctrl+S : inscrire · Échap : annuler")),
                id="register-status",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#student-hits", DataTable).add_columns(_("Élève"), _("Détail"))

    # --- the student ------------------------------------------------------------------

    @on(Input.Changed, "#student-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._show_message("student", "")
        if not event.value.strip():
            self._show_hits(())
            return
        self._search(event.value)

    def _search(self, query: str) -> None:
        def search_students(backend: Backend) -> tuple[SearchHit, ...]:
            from registrar_tui.services.search.query import HitKind, search

            page = backend.read(search, query, limit=20)
            students = tuple(hit for hit in page.rows if hit.kind is HitKind.STUDENT)
            return students[:HITS_SHOWN]

        self.call_service(
            search_students, lambda hits: self._hits_loaded(query, hits), group="register-search"
        )

    def _hits_loaded(self, query: str, hits: tuple[SearchHit, ...]) -> None:
        if query == self.query_one("#student-query", Input).value:
            self._show_hits(hits)

    def _show_hits(self, hits: tuple[SearchHit, ...]) -> None:
        self._hits = hits
        table = self.query_one("#student-hits", DataTable)
        table.clear()
        for index, hit in enumerate(hits):
            table.add_row(user_cell(hit.title), user_cell(hit.subtitle), key=str(index))
        if hits:
            table.move_cursor(row=0)

    def action_hit(self, step: int) -> None:
        table = self.query_one("#student-hits", DataTable)
        if self._hits and self.focused is self.query_one("#student-query", Input):
            table.move_cursor(row=min(max(table.cursor_row + step, 0), len(self._hits) - 1))
        elif step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def _choose(self) -> bool:
        """Take the highlighted hit as the student; False when there is none."""
        if not self._hits:
            return False
        table = self.query_one("#student-hits", DataTable)
        hit = self._hits[min(max(table.cursor_row, 0), len(self._hits) - 1)]
        self._student = hit
        before, _name, after = _("Élève : {student}").partition("{student}")
        self.query_one("#student-chosen", Static).update(
            Content.assemble(
                before, user_content(hit.title, "bold"), "  ", user_content(hit.subtitle), after
            )
        )
        return True

    # --- moving and saving ------------------------------------------------------------

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "student-query":
            if self._choose():
                self.focus_next()
            return
        boxes = list(self.query(Input))
        if event.input is boxes[-1]:
            self.action_save()
        else:
            self.focus_next()

    def _show_message(self, field: str, text: str) -> None:
        message = self.query_one(f"#{field}-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#register-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def action_save(self) -> None:
        if self._saving:
            return
        for field in ("student", "quantities", "override_reason"):
            self._show_message(field, "")
        if self._student is None and not self._choose():
            self._show_message("student", _("Cherchez l'élève, puis Entrée pour le choisir."))
            return
        assert self._student is not None
        quantities = {
            item.item_id: int(self.query_one(f"#qty-{index}", Input).value or "0")
            for index, item in enumerate(self.detail.items)
        }
        reasons = list(self.query("#override-reason").results(Input))
        reason = reasons[0].value if reasons else ""
        self._saving = True
        self._show_status(_("Inscription…"))
        self._save(self._student.ref_id, quantities, reason)

    def _save(self, student_id: int, quantities: dict[int, int], reason: str) -> None:
        activity_id = self.detail.activity_id

        def save(backend: Backend) -> Registered:
            from registrar_tui.services.activities.registration import register_student
            from registrar_tui.services.core.errors import PermissionDenied

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(
                    register_student, activity_id, student_id, quantities, identity.id, reason
                )
            finally:
                self._saving = False

        self.call_service(save, self.dismiss, group="register-save", exclusive=False)

    def show_refusal(self, error: DomainError) -> None:
        """Under the student, the quantities or the reason when it is about one of them;
        on the status line and in a notice in any case."""
        message = error.translated()
        field = error.field
        if field in ("student", "quantities", "override_reason"):
            self._show_message(field, message)
        self._show_status(message, error=True)
        self.notify(message, severity="error", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
