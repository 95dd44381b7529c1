"""Pieces shared by the queue (pending_changes.py) and a request's screen (change_request.py).

Labels of kinds, statuses and filters (keyed by the services' values: no service import
at module level), the day of a stored instant, the queue's and the history's columns,
cells and status line, the line describing a highlighted request, and a table whose
Enter is labelled for the footer and the help screen.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable

from registrar_tui.i18n import LOCAL_TIMEZONE, N_, _, format_date, ngettext
from registrar_tui.screens.widgets.base import label_cell, user_cell, user_content
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from textual.screen import Screen

    from registrar_tui.services.requests.changes.decisions import ChangeDecision
    from registrar_tui.services.requests.changes.undo import DecisionToUndo, UndoneDecision
    from registrar_tui.services.requests.queue import (
        HistoryRow,
        QueueEstablishment,
        QueueFilter,
        QueueRow,
    )

KINDS: tuple[tuple[str | None, str], ...] = (
    (None, N_("tous")),
    ("guardian", N_("Responsable")),
    ("student", N_("Élève")),
    ("reenrolment", N_("Réinscription")),
)
"""The kind filter's cycle: (QueueKind value, label)."""

AGES: tuple[tuple[int, str], ...] = (
    (0, N_("tous")),
    (7, N_("7 j et plus")),
    (30, N_("30 j et plus")),
)
"""The age filter's cycle: (minimum age in days, label)."""

STATUS_LABELS = {
    "pending": N_("en attente"),
    "approved": N_("acceptée"),
    "rejected": N_("refusée"),
    "cancelled": N_("annulée"),
}


def kind_label(kind: object) -> str:
    value = str(getattr(kind, "value", kind))
    return _(next((label for key, label in KINDS if key == value), value))


def day(instant: datetime) -> str:
    """The day at the school of a stored (UTC) instant, short."""
    from zoneinfo import ZoneInfo

    return format_date(instant.astimezone(ZoneInfo(LOCAL_TIMEZONE)).date(), "short")


def current_line(row: QueueRow) -> Content:
    """The one status line naming the highlighted request: its kind and family first (a
    key acts on this one), whom it is about, the site and the day it came."""
    return Content.assemble(
        (kind_label(row.kind), "bold $accent"),
        " · ",
        user_content(row.family_name, "bold"),
        " ",
        user_content(row.family_number),
        " · ",
        user_content(row.subject, "bold"),
        " · ",
        user_content(row.establishment_code),
        " · ",
        _("reçue le {day}").format(day=day(row.submitted_at)),
    )


def detail_line(row: QueueRow) -> Content:
    """The highlighted request's changes in full (the table clips them at 80 columns), and
    what keeps `a` from approving it at once."""
    lines = [user_content(row.summary)]
    status = str(row.status)
    if status != "pending":
        lines.append(
            Content.styled(
                _("Décidée : {status} · u : annuler (tant que le message n'est pas parti)").format(
                    status=_(STATUS_LABELS.get(status, status))
                ),
                "bold $text-success" if status == "approved" else "bold $text-warning",
            )
        )
    elif row.has_conflict:
        lines.append(
            Content.styled(
                _("Conflit : le dossier a changé depuis la demande. Entrée : choisir."),
                "bold $text-error",
            )
        )
    elif row.warnings:
        lines.append(
            Content.styled(
                _("Code permanent : ne concordera plus si approuvée. a : voir et confirmer."),
                "bold $text-warning",
            )
        )
    return Content("\n").join(lines)


class QueueTable(PagedTable["QueueRow | HistoryRow"]):
    """A page of the queue or of the history, whose Enter ("open") shows in the footer
    and the help screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            N_("Ouvrir"),
            id="queue.open",
            tooltip=N_("Ouvrir la demande : champ par champ, décider"),
            show=False,  # the footer is full at 80 columns; F1 lists it, the status line says it
        ),
    ]


def setup_columns(table: DataTable[object], *, history: bool) -> None:
    """The queue's columns, or the history's (who decided, when, why)."""
    table.clear(columns=True)
    if history:
        table.add_column(label_cell(_("Décidée")), width=10)
        table.add_column(label_cell(_("Statut")), width=9)
        table.add_column(label_cell(_("Par")), width=14)
        table.add_column(label_cell(_("Pour")), width=16)
        table.add_column(label_cell(_("Motif · demande")))
    else:
        table.add_column(Text("!", style="bold"), width=1)
        table.add_column(label_cell(_("Âge")), width=4)
        table.add_column(label_cell(_("Type")), width=13)
        table.add_column(label_cell(_("Famille")), width=14)
        table.add_column(label_cell(_("Pour")), width=18)
        table.add_column(label_cell(_("Demande")))


def row_cells(row: QueueRow | HistoryRow) -> list[Text]:
    """A queue row (conflicts marked "!") or a history row, as table cells."""
    from registrar_tui.services.requests.queue import HistoryRow

    if isinstance(row, HistoryRow):
        status = str(row.status)
        reason = f"{row.reason} · {row.summary}" if row.reason else row.summary
        return [
            label_cell(day(row.decided_at)),
            label_cell(_(STATUS_LABELS.get(status, status))),
            user_cell(row.decided_by),
            user_cell(row.subject),
            user_cell(reason),
        ]
    status = str(row.status)
    if status != "pending":  # decided while the registrar looked: kept in place, marked
        mark = "✓" if status == "approved" else "✗"
        return [
            Text(mark, style="bold green" if status == "approved" else "bold yellow"),
            label_cell(_("{days} j").format(days=row.age_days)),
            label_cell(kind_label(row.kind)),
            user_cell(row.family_name),
            user_cell(row.subject),
            Text(_(STATUS_LABELS.get(status, status)), style="italic", no_wrap=True)
            + Text(" · ")
            + user_cell(row.summary),
        ]
    return [
        Text("!", style="bold red")
        if row.has_conflict
        else (Text("?", style="bold yellow") if row.warnings else Text("")),
        label_cell(_("{days} j").format(days=row.age_days)),
        label_cell(kind_label(row.kind)),
        user_cell(row.family_name),
        user_cell(row.subject),
        user_cell(row.summary),
    ]


def status_text(table: QueueTable, *, history: bool) -> str:
    """Which rows the table shows, of how many, in which order."""
    page = table.page
    if page is None or not page.rows:
        return _("Aucune décision.") if history else _("Aucune demande en attente.")
    if history:
        text = _("Décisions {first}–{last} sur {total}, plus récentes d'abord")
    else:
        text = _("Demandes {first}–{last} sur {total}, plus anciennes d'abord")
    # PgUp/PgDn and Enter are not in the footer (no room at 80 columns): said here.
    hints = [table.status(text, ""), _("Entrée : ouvrir")]
    if page.has_previous or page.has_more:
        hints.append("PgUp/PgDn")
    return " · ".join(hints)


def decision_text(decision: ChangeDecision) -> str:
    """What the registrar is told once a request is decided (and where the message went)."""
    if str(decision.status) == "approved":
        text = _("Demande acceptée : {subject}.")
    else:
        text = _("Demande refusée : {subject}.")
    text = text.format(subject=decision.subject)
    if decision.recipient:
        text += " " + _("Message à la famille : {email}.").format(email=decision.recipient)
    return text


def undo_question(decision: DecisionToUndo) -> str:
    """What undoing the decision does (translated; no user data)."""
    status = str(decision.status)
    text = _("Annuler votre décision ({status} le {day}) ?").format(
        status=_(STATUS_LABELS.get(status, status)), day=day(decision.decided_at)
    )
    parts = [text, _("La demande redeviendra en attente.")]
    if str(decision.status) == "approved":
        parts.append(_("Les valeurs d'avant seront remises."))
    if decision.household:
        parts.append(
            ngettext(
                "L'autre personne déménagée avec elle aussi.",
                "Les {count} autres personnes déménagées avec elle aussi.",
                decision.household,
            ).format(count=decision.household)
        )
    if decision.recipient:
        parts.append(_("Le message à la famille sera retiré (pas encore parti)."))
    return " ".join(parts)


def undo_subject(decision: DecisionToUndo) -> str:
    """Which request (user data: shown through user_content by the modal)."""
    return (
        f"{kind_label(decision.kind)} · {decision.family_name} {decision.family_number} · "
        f"{decision.subject}\n{decision.summary}"
    )


def undone_text(undone: UndoneDecision) -> str:
    """What the registrar is told once a decision is undone."""
    text = _("Décision annulée : {subject}, de nouveau en attente.").format(subject=undone.subject)
    if undone.withdrawn_to:
        text += " " + _("Message à {email} retiré.").format(email=undone.withdrawn_to)
    return text


def reenrolment_screen(request_id: int) -> Screen[None] | None:
    """The re-enrolment decision screen, when installed (its module is another's)."""
    from importlib import import_module

    try:
        module = import_module("registrar_tui.screens.desk.reenrolment_decision")
    except ImportError:
        return None
    screen: Screen[None] = module.ReenrolmentDecisionScreen(request_id)
    return screen


class QueueFilters:
    """The filters the registrar's keys chose: kind, establishment and age, each cycled."""

    def __init__(self) -> None:
        self.kind = 0  # index in KINDS
        self.site = 0  # 0: every establishment, else index + 1 in self.sites
        self.age = 0  # index in AGES
        self.sites: tuple[QueueEstablishment, ...] = ()

    def cycle(self, which: str) -> None:
        """Next value of the "kind", "site" or "age" filter (back to "all" after the last)."""
        if which == "kind":
            self.kind = (self.kind + 1) % len(KINDS)
        elif which == "site":
            self.site = (self.site + 1) % (len(self.sites) + 1)
        else:
            self.age = (self.age + 1) % len(AGES)

    def describe(self, *, history: bool) -> Content:
        """The filters with their keys (`t`, `e`, `j`): the footer has no room for them."""
        site = self.sites[self.site - 1].code if self.site else _("tous")
        parts: list[tuple[str, str]] = [
            ("t", _("Type : {kind}").format(kind=_(KINDS[self.kind][1]))),
            ("e", _("Site : {site}").format(site=site)),
        ]
        if not history:  # the history is by decision date: no age filter
            parts.append(("j", _("Âge : {age}").format(age=_(AGES[self.age][1]))))
        pieces: list[Content] = []
        for key, text in parts:
            pieces.append(Content.assemble(" · ", (key, "bold $accent"), " ", text))
        return Content.assemble(*pieces)

    def to_filter(self) -> QueueFilter:
        """The services' filter (built on demand: screens import services lazily)."""
        from registrar_tui.services.requests.queue import QueueFilter
        from registrar_tui.services.requests.queue_rows import QueueKind

        kind = KINDS[self.kind][0]
        return QueueFilter(
            kind=QueueKind(kind) if kind else None,
            establishment_id=self.sites[self.site - 1].establishment_id if self.site else None,
            min_age_days=AGES[self.age][0],
        )
