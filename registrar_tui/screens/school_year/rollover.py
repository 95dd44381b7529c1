"""The rollover's dry run, then the rollover (from the terms screen, `r`).

Shows what would be created (the previous term's open groups with their teacher, day,
time and room) and what is skipped and why; `o` rolls over (one transaction), Escape
leaves without writing anything. Dismisses with the number of groups created, None when
cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _, current_language, ngettext
from registrar_tui.screens.school_year.groups import hours, pgettext_group, weekday_name
from registrar_tui.screens.widgets.base import AppModalScreen, label_cell, user_cell

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.school_year.rollover import RolloverPlan, RolloverResult


class RolloverScreen(AppModalScreen[int | None]):
    """The dry run of a rollover, and the key that does it."""

    CSS_PATH = "rollover.tcss"
    COMMAND_NAMESPACE = N_("report")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "o",
            "confirm",
            N_("Reporter"),
            id="rollover.confirm",
            tooltip=N_("Créer ces groupes dans la session visée (journalisé)"),
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="rollover.cancel",
            tooltip=N_("Fermer sans rien créer"),
        ),
    ]

    def __init__(self, plan: RolloverPlan) -> None:
        super().__init__()
        self.plan = plan
        self._busy = False

    def compose(self) -> ComposeResult:
        plan = self.plan
        create = len(plan.to_create)
        with Vertical(id="rollover"):
            yield Static(
                Content(
                    _("Report des groupes {source} → {target} : essai à blanc").format(
                        source=plan.source_code, target=plan.target_code
                    )
                ),
                id="rollover-title",
            )
            yield Static(
                Content(
                    ngettext(
                        "{count} groupe serait créé", "{count} groupes seraient créés", create
                    ).format(count=create)
                    + " · "
                    + ngettext("{count} ignoré", "{count} ignorés", len(plan.skipped)).format(
                        count=len(plan.skipped)
                    )
                ),
                id="rollover-summary",
            )
            yield DataTable(id="rollover-table", cursor_type="row")
            yield Static(
                Content(
                    _("o : reporter · Échap : annuler (rien n'est écrit)")
                    if create
                    else _("Rien à créer · Échap : fermer")
                ),
                id="rollover-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        from registrar_tui.services.school_year.rollover import SKIP_LABELS

        table = self.query_one("#rollover-table", DataTable)
        for label in (
            _("Résultat"),
            _("Site"),
            _("Discipline"),
            pgettext_group(),
            _("Professeur"),
            _("Jour"),
            _("Heure"),
            _("Local"),
            _("Cap."),
        ):
            table.add_column(label_cell(label))
        language = current_language()
        for item in (*self.plan.to_create, *self.plan.skipped):
            group = item.source
            outcome = _(SKIP_LABELS[item.skipped]) if item.skipped else _("à créer")
            table.add_row(
                label_cell(outcome),
                user_cell(group.establishment_code),
                user_cell(group.discipline.in_language(language)),
                user_cell(group.section),
                user_cell(group.teacher or "—"),
                label_cell(weekday_name(group.weekday)),
                label_cell(hours(group.starts_at, group.ends_at)),
                user_cell(group.room or "—"),
                label_cell(str(group.capacity)),
            )
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return None if self._busy or not self.plan.to_create else True
        return True

    def action_confirm(self) -> None:
        if self.check_action("confirm", ()) is not True:
            return
        source, target = self.plan.source_code, self.plan.target_code

        def roll(backend: Backend) -> RolloverResult:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.school_year.rollover import roll_over

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(
                roll_over, actor_id=identity.id, source_code=source, target_code=target
            )

        self._busy = True
        self.refresh_bindings()
        status = self.query_one("#rollover-status", Static)
        status.update(Content(_("Report en cours…")))
        self.call_service(roll, self._done, group="rollover", refused=self._refused)

    def _done(self, result: RolloverResult) -> None:
        self.dismiss(len(result.created))

    def _refused(self, error: DomainError) -> None:
        self._busy = False
        status = self.query_one("#rollover-status", Static)
        status.update(Content(error.translated()))
        status.set_class(True, "-error")
        self.refresh_bindings()

    def action_cancel(self) -> None:
        self.dismiss(None)
