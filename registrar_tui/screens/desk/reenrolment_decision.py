"""One re-enrolment request, as the registrar decides it (pushed by the pending-changes queue).

Shows who asks for which term, the family's note, the sections validating would enrol the
student in, and the invoice it would issue from the fee schedule. `v` validates (enrolments,
invoice and the family's message in one transaction), `r` asks for a reason and rejects,
Escape goes back to the queue (which reloads: the decided request has left it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import (
    N_,
    _,
    current_language,
    format_datetime,
    format_money,
    ngettext,
    pgettext,
)
from registrar_tui.screens.widgets.base import (
    AppScreen,
    label_cell,
    money_cell,
    user_cell,
    user_content,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.requests.reenrolment.decide import (
        DecidedReenrolment,
        ReenrolmentDetail,
    )

STATUS_LABELS = {
    "pending": N_("En attente de validation"),
    "approved": N_("Acceptée"),
    "rejected": N_("Refusée"),
    "cancelled": N_("Annulée"),
}
_STATUS_STYLES = {
    "pending": "bold $text-warning",
    "approved": "bold $text-success",
    "rejected": "bold $text-error",
}


def header_lines(detail: ReenrolmentDetail) -> list[Content]:
    """Term and status; the student; the family; what was asked; the decision, once made."""
    status = str(detail.status)
    what = (
        _("Réinscription administrative (mêmes disciplines que la session en cours)")
        if str(detail.kind) == "administrative"
        else _("Disciplines demandées")
    )
    lines = [
        Content.assemble(
            (_("Réinscription · session "), "bold"),
            user_content(detail.term_code, "bold"),
            " · ",
            (_(STATUS_LABELS.get(status, status)), _STATUS_STYLES.get(status, "bold")),
        ),
        Content.assemble(
            user_content(detail.student_name, "bold"),
            "  ",
            user_content(detail.student_number),
            " · ",
            user_content(detail.establishment_code),
        ),
        Content.assemble(
            _("Famille "),
            user_content(detail.family_name, "bold"),
            " ",
            user_content(detail.family_number),
            " · ",
            _("demande du {when}").format(when=format_datetime(detail.submitted_at)),
        ),
        Content.assemble(
            what, " · ", pgettext("remarque", "Note : "), user_content(detail.note or "—")
        ),
    ]
    if detail.decided_at is not None:
        decided: list[str | Content] = [
            _("Décision du {when}").format(when=format_datetime(detail.decided_at))
        ]
        if detail.decided_by:
            decided += [" · ", user_content(detail.decided_by)]
        if detail.decision_reason:
            decided += [" · ", _("Motif : "), user_content(detail.decision_reason)]
        lines.append(Content.assemble(*decided))
    return lines


class ReenrolmentDecisionScreen(AppScreen):
    """Validate or reject one re-enrolment request."""

    CSS_PATH = "reenrolment_decision.tcss"
    COMMAND_NAMESPACE = N_("réinscription")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "v",
            "validate",
            N_("Valider"),
            id="reenrolment.validate",
            tooltip=N_("Inscrire l'élève et émettre la facture de la session"),
        ),
        Binding(
            "r",
            "reject",
            N_("Refuser"),
            id="reenrolment.reject",
            tooltip=N_("Refuser la demande avec un motif communiqué à la famille"),
        ),
        Binding("escape", "back", N_("Retour"), id="reenrolment.back", tooltip=N_("Retour")),
    ]

    def __init__(self, request_id: int) -> None:
        super().__init__()
        self.request_id = request_id
        self._detail: ReenrolmentDetail | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="reenrolment-header"):
            yield Static(Content(_("Chargement…")), id="reenrolment-summary")
        with VerticalScroll(id="reenrolment-body"):
            yield Static(Content(_("Inscriptions proposées")), classes="section-title")
            sections: DataTable[object] = DataTable(id="sections-table", cursor_type="none")
            yield sections
            yield Static(Content(_("Facture proposée")), classes="section-title")
            lines: DataTable[object] = DataTable(id="lines-table", cursor_type="none")
            yield lines
            yield Static(Content(""), id="reenrolment-total")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        sections = self.query_one("#sections-table", DataTable)
        for label in (_("Discipline"), _("Groupe"), _("Enseignant"), _("Places")):
            sections.add_column(label_cell(label))
        self._load()

    def _line_columns(self) -> None:
        """The invoice lines' columns, bounded by the screen's width (laid out again on a
        resize): the amount stays in sight, a long description is cut with an ellipsis."""
        lines = self.query_one("#lines-table", DataTable)
        lines.clear(columns=True)
        # The body's padding and each column's two cells of padding.
        room = max(20, self.size.width - 2 - (7 + 2) - (12 + 2) - 2 - 1)
        lines.add_column(label_cell(_("Description")), width=room)
        lines.add_column(label_cell(_("Volont.")), width=7)
        lines.add_column(Text(_("Montant"), justify="right"), key="amount", width=12)

    def on_resize(self) -> None:
        if self._detail is not None:
            self.call_later(self._show, self._detail)

    def _load(self) -> None:
        request_id = self.request_id

        def load(backend: Backend) -> ReenrolmentDetail:
            from registrar_tui.services.requests.reenrolment.decide import reenrolment_detail

            return backend.read(reenrolment_detail, request_id)

        self.call_service(load, self._show, group="reenrolment-load")

    def show_refusal(self, error: DomainError) -> None:
        """The request could not be read (e.g. it no longer exists): the summary says why."""
        self.query_one("#reenrolment-summary", Static).update(
            Content.styled(error.translated(), "bold $text-error")
        )

    def _show(self, detail: ReenrolmentDetail) -> None:
        self._detail = detail
        self.query_one("#reenrolment-summary", Static).update(
            Content("\n").join(header_lines(detail))
        )
        language = current_language()
        sections = self.query_one("#sections-table", DataTable)
        sections.clear()
        for section in detail.sections:
            if section.already_enrolled:
                where, seats = _("déjà inscrit"), ""
            elif section.course_id is None:
                where, seats = _("complet"), "0"
            else:
                where, seats = section.section, str(section.seats_left)
            sections.add_row(
                user_cell(section.discipline.in_language(language)),
                label_cell(where),
                user_cell(section.teacher or "—"),
                label_cell(seats),
            )
        self._line_columns()
        lines = self.query_one("#lines-table", DataTable)
        for line in detail.lines:
            voluntary = label_cell(_("oui") if line.is_voluntary else "")
            lines.add_row(user_cell(line.description), voluntary, money_cell(line.amount))
        total = self.query_one("#reenrolment-total", Static)
        if detail.problem:
            total.update(Content.styled(detail.problem, "bold $text-error"))
        elif detail.lines:
            total.update(
                Content.assemble(
                    (_("Total à facturer : "), "bold"), (format_money(detail.total), "bold")
                )
            )
        else:
            total.update(Content(_("Demande traitée : rien à facturer ici.")))
        self.refresh_bindings()

    def _refused(self, error: DomainError) -> None:
        """A decision was refused (e.g. decided meanwhile by someone else): show the request
        as it now stands."""
        self._busy = False
        self.notify(error.translated(), severity="error", markup=False)
        self.refresh_bindings()
        self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("validate", "reject"):
            detail = self._detail
            if detail is None or str(detail.status) != "pending":
                return False
            if self._busy or (action == "validate" and detail.problem):
                return None  # shown, greyed out
        return True

    def action_validate(self) -> None:
        if self.check_action("validate", ()) is not True:
            return
        self._busy = True
        self.refresh_bindings()
        self._validate()

    def _validate(self) -> None:
        request_id = self.request_id

        def validate(backend: Backend) -> DecidedReenrolment:
            from registrar_tui.services.requests.reenrolment.decide import validate_reenrolment

            identity = backend.identity
            assert identity is not None
            return backend.write(validate_reenrolment, request_id, identity.id)

        self._decide(validate)

    def _decide(self, decide: Callable[[Backend], DecidedReenrolment]) -> None:
        self.call_service(
            decide,
            self._decided,
            group="reenrolment-decide",
            exclusive=False,
            refused=self._refused,
        )

    def action_reject(self) -> None:
        if self.check_action("reject", ()) is not True or self._detail is None:
            return
        from registrar_tui.screens.desk.modals import ReasonScreen

        def rejected(reason: str | None) -> None:
            if reason:
                self._busy = True
                self.refresh_bindings()
                self._reject(reason)

        subject = f"{self._detail.student_name} · {self._detail.term_code}"
        self.app.push_screen(ReasonScreen(_("Refuser la réinscription"), subject), rejected)

    def _reject(self, reason: str) -> None:
        request_id = self.request_id

        def reject(backend: Backend) -> DecidedReenrolment:
            from registrar_tui.services.requests.reenrolment.decide import reject_reenrolment

            identity = backend.identity
            assert identity is not None
            return backend.write(reject_reenrolment, request_id, identity.id, reason)

        self._decide(reject)

    def _decided(self, outcome: DecidedReenrolment) -> None:
        self._busy = False
        if str(outcome.status) == "approved":
            text = ngettext(
                "Réinscription acceptée : {count} inscription",
                "Réinscription acceptée : {count} inscriptions",
                outcome.enrolment_count,
            ).format(count=outcome.enrolment_count)
            if outcome.invoice_number and outcome.invoice_total is not None:
                text += " · " + _("facture {number} ({total})").format(
                    number=outcome.invoice_number, total=format_money(outcome.invoice_total)
                )
        else:
            text = _("Réinscription refusée.")
        if outcome.message_to:
            text += " · " + _("message à {email}").format(email=outcome.message_to)
        self.notify(text, markup=False)
        self._load()

    def action_back(self) -> None:
        self.dismiss()
