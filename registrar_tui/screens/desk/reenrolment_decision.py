"""One re-enrolment request, as the registrar decides it (pushed by the pending-changes queue).

Shows who asks for which term, the family's note, per discipline the group validating
would enrol the student in (day, time, teacher, room, seats left), and the invoice it
would issue from the fee schedule. `g` opens the discipline's groups to pick another (a
full group means its waiting list), `l` the chosen group's waiting list, `c` keeps or
declines the highlighted voluntary contribution (one the family declined last term comes
declined). `v` validates exactly what is shown (enrolments or waiting lists, invoice and
the family's message in one transaction), `r` asks for a reason and rejects, Escape goes
back to the queue (which reloads: the decided request has left it).
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
from registrar_tui.screens.widgets.schedule import rank_label, time_span, weekday_label

if TYPE_CHECKING:
    from collections.abc import Callable

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.enrolment_plan import GroupPick, SectionChoice
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
        Binding(
            "g",
            "choose_group",
            N_("Groupe"),
            id="reenrolment.group",
            tooltip=N_("Choisir un autre groupe pour la discipline en surbrillance"),
        ),
        Binding(
            "c",
            "toggle_contribution",
            N_("Cotisation"),
            id="reenrolment.contribution",
            tooltip=N_("Garder ou retirer la cotisation volontaire en surbrillance"),
        ),
        Binding(
            "l",
            "waiting_list",
            N_("Attente"),
            id="reenrolment.waiting_list",
            tooltip=N_("Voir la liste d'attente du groupe choisi"),
        ),
        Binding("escape", "back", N_("Retour"), id="reenrolment.back", tooltip=N_("Retour")),
    ]

    def __init__(self, request_id: int) -> None:
        super().__init__()
        self.request_id = request_id
        self._detail: ReenrolmentDetail | None = None
        self._busy = False
        self._picks: dict[int, int] = {}
        """Groups the registrar picked: discipline id → course id."""
        self._declined: frozenset[str] | None = None
        """Voluntary fee codes to issue declined (None: as proposed)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="reenrolment-header"):
            yield Static(Content(_("Chargement…")), id="reenrolment-summary")
        with VerticalScroll(id="reenrolment-body"):
            yield Static(Content(_("Inscriptions proposées")), classes="section-title")
            sections: DataTable[object] = DataTable(id="sections-table", cursor_type="row")
            yield sections
            yield Static(Content(_("Facture proposée")), classes="section-title")
            lines: DataTable[object] = DataTable(id="lines-table", cursor_type="row")
            yield lines
            yield Static(Content(""), id="reenrolment-total")
            yield Static(Content(""), id="reenrolment-outcome")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        sections = self.query_one("#sections-table", DataTable)
        for label in (
            _("Discipline"),
            _("Gr."),
            _("Jour"),
            _("Heure"),
            _("Places"),
            _("Enseignant"),
            _("Local"),
        ):
            sections.add_column(label_cell(label))
        sections.focus()
        self._load()

    def _line_columns(self) -> None:
        """The invoice lines' columns, bounded by the screen's width (laid out again on a
        resize): the amount stays in sight, a long description is cut with an ellipsis."""
        lines = self.query_one("#lines-table", DataTable)
        lines.clear(columns=True)
        # The body's padding and each column's two cells of padding.
        room = max(20, self.size.width - 2 - (7 + 2) - (12 + 2) - 2 - 1)
        lines.add_column(label_cell(_("Description")), width=room)
        lines.add_column(label_cell(_("Volont.")), width=7, key="voluntary")
        lines.add_column(Text(_("Montant"), justify="right"), key="amount", width=12)

    def on_resize(self) -> None:
        if self._detail is not None:
            self.call_later(self._show, self._detail)

    def _load(self) -> None:
        request_id = self.request_id
        picks = dict(self._picks)
        declined = self._declined

        def load(backend: Backend) -> ReenrolmentDetail:
            from registrar_tui.services.requests.reenrolment.decide import reenrolment_detail

            return backend.read(reenrolment_detail, request_id, picks, declined)

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
        row = sections.cursor_row
        sections.clear()
        for section in detail.sections:
            sections.add_row(
                user_cell(section.discipline.in_language(language)), *_group_cells(section)
            )
        if detail.sections:
            sections.move_cursor(row=min(row, len(detail.sections) - 1))
        self._line_columns()
        lines = self.query_one("#lines-table", DataTable)
        for line in detail.lines:
            declined = line.is_voluntary and line.fee_code in detail.declined
            voluntary = label_cell(
                (_("retirée") if declined else _("oui")) if line.is_voluntary else ""
            )
            style = "strike dim" if declined else ""
            lines.add_row(
                Text(user_cell(line.description).plain, style=style),
                voluntary,
                money_cell(line.amount, style),
            )
        total = self.query_one("#reenrolment-total", Static)
        waiting = [
            Content.styled(
                _("{discipline} : groupe {section} complet → liste d'attente, non facturé").format(
                    discipline=s.discipline.in_language(language), section=s.section
                ),
                "$text-warning",
            )
            for s in detail.sections
            if s.waiting_list and not s.already_enrolled and str(detail.status) == "pending"
        ]
        if detail.problem:
            total.update(Content.styled(detail.problem, "bold $text-error"))
        elif detail.lines:
            total.update(
                Content("\n").join(
                    [
                        *waiting,
                        Content.assemble(
                            (_("Total à facturer : "), "bold"),
                            (format_money(detail.total), "bold"),
                        ),
                    ]
                )
            )
        elif waiting:
            total.update(Content("\n").join(waiting))
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
        if action in ("validate", "reject", "choose_group", "toggle_contribution"):
            detail = self._detail
            if detail is None or str(detail.status) != "pending":
                return False
            if self._busy or (action == "validate" and detail.problem):
                return None  # shown, greyed out
        if action == "waiting_list":
            if self._detail is None:
                return False
            section = self._highlighted_section()
            return True if section is not None and section.chosen is not None else None
        return True

    def _highlighted_section(self) -> SectionChoice | None:
        if self._detail is None or not self._detail.sections:
            return None
        row = self.query_one("#sections-table", DataTable).cursor_row
        return self._detail.sections[max(0, min(row, len(self._detail.sections) - 1))]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def action_choose_group(self) -> None:
        if self.check_action("choose_group", ()) is not True or self._detail is None:
            return
        section = self._highlighted_section()
        if section is None or section.already_enrolled:
            self.notify(_("L'élève est déjà inscrit dans cette discipline."), markup=False)
            return
        if not section.groups:
            self.notify(
                _("Aucun groupe de cette discipline n'est ouvert en {term}.").format(
                    term=self._detail.term_code
                ),
                severity="warning",
                markup=False,
            )
            return
        from registrar_tui.screens.desk.group_chooser import GroupChooserScreen

        discipline_id = section.discipline_id
        name = section.discipline.in_language(current_language())

        def chosen(course_id: int | None) -> None:
            if course_id is not None:
                self._picks[discipline_id] = course_id
                self._load()

        self.app.push_screen(
            GroupChooserScreen(
                _("Groupes · {term}").format(term=self._detail.term_code),
                f"{name} · {self._detail.student_name}",
                section.groups,
                section.course_id,
            ),
            chosen,
        )

    def action_toggle_contribution(self) -> None:
        detail = self._detail
        if self.check_action("toggle_contribution", ()) is not True or detail is None:
            return
        lines = self.query_one("#lines-table", DataTable)
        row = lines.cursor_row
        if not detail.lines or not 0 <= row < len(detail.lines):
            return
        line = detail.lines[row]
        if not line.is_voluntary:
            self.notify(
                _("Seule une cotisation volontaire peut être retirée : choisissez sa ligne."),
                severity="warning",
                markup=False,
            )
            return
        self._declined = detail.declined ^ {line.fee_code}
        self._load()

    def action_waiting_list(self) -> None:
        if self.check_action("waiting_list", ()) is not True:
            return
        section = self._highlighted_section()
        if section is None or section.course_id is None:
            return
        from registrar_tui.screens.school_year.waiting_list import WaitingListScreen

        self.app.push_screen(WaitingListScreen(section.course_id))

    def action_validate(self) -> None:
        if self.check_action("validate", ()) is not True:
            return
        self._busy = True
        self.refresh_bindings()
        self._validate()

    def _validate(self) -> None:
        request_id = self.request_id
        detail = self._detail
        assert detail is not None
        # Exactly what the registrar sees: each group as shown (with room, or full for its
        # waiting list), the contributions as shown.
        picks: dict[int, GroupPick] = {}
        for section in detail.sections:
            pick = section.pick()
            if pick is not None and not section.already_enrolled:
                picks[section.discipline_id] = pick
        declined = detail.declined

        def validate(backend: Backend) -> DecidedReenrolment:
            from registrar_tui.services.requests.reenrolment.decide import validate_reenrolment

            identity = backend.identity
            assert identity is not None
            return backend.write(validate_reenrolment, request_id, identity.id, picks, declined)

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
            language = current_language()
            for waiting in outcome.waiting:
                text += " · " + _("{discipline} : {rank}").format(
                    discipline=waiting.discipline.in_language(language),
                    rank=rank_label(waiting.rank),
                )
        else:
            text = _("Réinscription refusée.")
        if outcome.message_to:
            text += " · " + _("message à {email}").format(email=outcome.message_to)
        self.notify(text, markup=False)
        # Said on the screen too: where the student stands on a waiting list stays in sight.
        self.query_one("#reenrolment-outcome", Static).update(Content(text))
        self._load()

    def action_back(self) -> None:
        self.dismiss()


def _group_cells(section: SectionChoice) -> tuple[Text, ...]:
    """Group, day, time, teacher, room, seats of a discipline's chosen group; when there is
    none, why (already enrolled, no group open, all full), said in words, not « complet »."""
    chosen = section.chosen
    if section.already_enrolled:
        return (label_cell(_("déjà inscrit")), *(label_cell("") for _i in range(5)))
    if chosen is None:
        why = _("aucun groupe ouvert") if not section.groups else _("tous complets : g")
        return (Text(why, style="bold red"), *(label_cell("") for _i in range(5)))
    # Right-aligned: the seats keep their width, the teacher and the room give it up first.
    if chosen.is_full:
        seats = Text(_("complet → attente"), style="bold yellow", justify="right")
    else:
        seats = Text(str(chosen.seats_left), justify="right")
    return (
        user_cell(chosen.section),
        label_cell(weekday_label(chosen.weekday)),
        label_cell(time_span(chosen.starts_at, chosen.ends_at)),
        seats,
        user_cell(chosen.teacher or "—"),
        user_cell(chosen.room or "—"),
    )
