"""A term's form: its code (new term only) and dates, each error under its field.

New: the code after the latest term is proposed (`next_term_draft`). Edit: the code is
shown but stays (invoices and requests name the term by it). Dismisses with the term's
code once saved, None when cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.school_year.form import FieldForm, field_row
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.school_year.terms import TermDraft, TermRow

FIELDS: tuple[tuple[str, str], ...] = (
    ("code", N_("Session")),
    ("starts_on", N_("Début")),
    ("ends_on", N_("Fin")),
    ("payment_due_on", N_("Paiement dû")),
    ("reenrolment_opens_on", N_("Réinscr. ouvre")),
    ("reenrolment_closes_on", N_("Réinscr. ferme")),
    ("confirmation_deadline", N_("Confirmation")),
)
"""(field, label) in form order."""


class TermFormScreen(FieldForm, AppModalScreen[str | None]):
    """Create the next term, or edit a term's dates."""

    CSS_PATH = "term_form.tcss"
    COMMAND_NAMESPACE = N_("session")
    FIELDS: ClassVar[tuple[str, ...]] = tuple(name for name, _label in FIELDS)
    STATUS_ID: ClassVar[str] = "term-form-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="term-form.save",
            tooltip=N_("Enregistrer la session (journalisé)"),
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="term-form.cancel",
            tooltip=N_("Fermer sans enregistrer"),
        ),
    ]

    def __init__(self, term: TermRow | None = None) -> None:
        super().__init__()
        self.term = term
        self._saving = False

    def compose(self) -> ComposeResult:
        title = (
            _("Nouvelle session")
            if self.term is None
            else _("Session {code} : dates").format(code=self.term.code)
        )
        with Vertical(id="term-form"):
            yield Static(Content(title), id="term-form-title")
            for name, label in FIELDS:
                placeholder = "" if name == "code" else _("AAAA-MM-JJ")
                box = Input(id=f"field-{name}", max_length=12, placeholder=placeholder)
                yield from field_row(name, label, box)
            yield Static(
                Content(_("Entrée : champ suivant · Ctrl+S : enregistrer · Échap : annuler")),
                id="term-form-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        term = self.term
        if term is None:

            def load(backend: Backend) -> TermDraft:
                from registrar_tui.services.school_year.terms import next_term_draft

                return backend.read(next_term_draft)

            self.call_service(load, self._fill, group="term-form")
            return
        dates = {
            "starts_on": term.starts_on,
            "ends_on": term.ends_on,
            "payment_due_on": term.payment_due_on,
            "reenrolment_opens_on": term.reenrolment_opens_on,
            "reenrolment_closes_on": term.reenrolment_closes_on,
            "confirmation_deadline": term.confirmation_deadline,
        }
        self.query_one("#field-code", Input).value = term.code
        for name, day in dates.items():
            self.query_one(f"#field-{name}", Input).value = day.isoformat() if day else ""
        self.query_one("#field-code", Input).disabled = True
        self.query_one("#field-starts_on", Input).focus()

    def _fill(self, draft: TermDraft) -> None:
        self.query_one("#field-code", Input).value = draft.code
        self.query_one("#field-starts_on" if draft.code else "#field-code", Input).focus()

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("field-"):
            self.show_message(event.input.id.removeprefix("field-"), "")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"field-{self.FIELDS[-1]}":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self._saving:
            return
        from registrar_tui.services.school_year.terms import TermDraft

        draft = TermDraft(**{name: self.text(name) for name in self.FIELDS})
        self.clear_messages()
        self._saving = True
        self.show_status(_("Enregistrement…"))
        term_id = self.term.term_id if self.term is not None else None

        def save(backend: Backend) -> TermRow:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.school_year import terms

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            if term_id is None:
                return backend.write(terms.create_term, actor_id=identity.id, draft=draft)
            return backend.write(
                terms.update_term, actor_id=identity.id, term_id=term_id, draft=draft
            )

        self.call_service(
            save, self._saved, group="term-form", exclusive=False, refused=self._refused
        )

    def _refused(self, error: DomainError) -> None:
        self._saving = False
        self.show_refusal(error)

    def _saved(self, term: TermRow) -> None:
        self._saving = False
        self.dismiss(term.code)

    def action_cancel(self) -> None:
        self.dismiss(None)
