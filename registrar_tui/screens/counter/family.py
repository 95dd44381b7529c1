"""The family record: a header with the balance always in sight, and five tabs.

1 Identité (guardians and contact: A adds, E edits, P makes payer, R removes),
2 Élèves (Enter opens the student), 3 Facturation (the statement of account: select, pay
with F9, PDFs), 4 Demandes (what the family submitted through the portal, read-only
here), 5 Reçus (reprints).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from registrar_tui.i18n import N_, _, format_date, format_money
from registrar_tui.screens.counter.family_reminders import FamilyRemindersView
from registrar_tui.screens.counter.family_requests import FamilyRequestsView
from registrar_tui.screens.counter.receipts import ReceiptsView
from registrar_tui.screens.counter.statement import StatementView
from registrar_tui.screens.payment.fields import PAY_KEYS
from registrar_tui.screens.widgets.base import (
    TAB_GROUP,
    AppScreen,
    KeysFooter,
    label_cell,
    user_cell,
    user_content,
    user_text,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.statement import Statement
    from registrar_tui.services.records.families import FamilyOverview, GuardianSummary

_STATUS_LABELS = {
    "active": N_("actif"),
    "inactive": N_("inactif"),
    "graduated": N_("diplômé"),
    "withdrawn": N_("retiré"),
}

TABS = ("identity", "students", "billing", "requests", "receipts")
_GUARDIAN_ACTIONS = frozenset({"add_guardian", "edit_guardian", "make_payer", "remove_guardian"})
MAX_GUARDIANS_SHOWN = 2
"""A family's guardians at most (services/records/guardians.py refuses a third)."""


_TAB_TABLES = {
    "identity": "#guardians",
    "students": "#students-table",
    "billing": "#statement-table",
    "requests": "#requests-table",
    "receipts": "#receipts-table",
}
"""The table that takes the keys when a tab opens."""


class FamilyScreen(AppScreen):
    """One family, as the clerk sees it while the family stands at the counter."""

    CSS_PATH = "family.tcss"
    COMMAND_NAMESPACE = N_("famille")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "back", N_("Retour"), id="family.back", tooltip=N_("Revenir à la recherche")
        ),
        Binding("1", "tab('identity')", N_("Identité"), id="family.tab-identity", group=TAB_GROUP),
        Binding("2", "tab('students')", N_("Élèves"), id="family.tab-students", group=TAB_GROUP),
        Binding("3", "tab('billing')", N_("Facturation"), id="family.tab-billing", group=TAB_GROUP),
        Binding("4", "tab('requests')", N_("Demandes"), id="family.tab-requests", group=TAB_GROUP),
        Binding("5", "tab('receipts')", N_("Reçus"), id="family.tab-receipts", group=TAB_GROUP),
        Binding(
            PAY_KEYS,
            "pay",
            N_("Payer"),
            id="family.pay",
            tooltip=N_("Payer les factures sélectionnées de l'état de compte"),
        ),
        Binding(
            "a",
            "add_guardian",
            N_("Ajouter"),
            id="family.add-guardian",
            tooltip=N_("Ajouter un responsable à la famille (deux au plus)"),
        ),
        Binding(
            "e",
            "edit_guardian",
            N_("Modifier"),
            id="family.edit-guardian",
            tooltip=N_("Modifier le responsable : noms, lien, coordonnées, langue"),
        ),
        Binding(
            "p",
            "make_payer",
            N_("Payeur"),
            id="family.make-payer",
            tooltip=N_("Faire de ce responsable le payeur de la famille"),
        ),
        Binding(
            "r",
            "remove_guardian",
            N_("Retirer"),
            id="family.remove-guardian",
            tooltip=N_("Retirer ce responsable de la famille (l'historique est gardé)"),
        ),
        Binding(
            "n",
            "new_student",
            N_("Nouvel élève"),
            id="family.new-student",
            tooltip=N_("Inscrire un nouvel élève dans cette famille (numéro attribué)"),
        ),
    ]

    def __init__(self, family_id: int, *, initial_tab: str = "identity") -> None:
        super().__init__()
        self.family_id = family_id
        self._initial_tab = initial_tab if initial_tab in TABS else "identity"
        # Straight to the first tab's table: focusing the tab bar first and then moving
        # would restyle the screen twice on the way in.
        self.AUTO_FOCUS = _TAB_TABLES[self._initial_tab]  # type: ignore[misc]
        self._overview: FamilyOverview | None = None
        self._suspended = False
        """Not on top (closed, or a screen above it): tabs are not mounted in the background."""
        self._select_student: int | None = None
        """The student just admitted: the students tab puts its cursor on them."""
        self._mount_when_drawn = False
        """The tabs were just shown: the students' and billing tabs mount once drawn."""
        self._opening = 0
        """Counts the times the screen was emptied (`recycle`): a reading started for an
        earlier family is dropped when it comes back."""
        self._load_on_resume = False
        """Recycled and given a family to show: it is read when the screen shows."""
        self.recycled = False
        """Closed and emptied (`recycle`): ready to show another family (`open_family`)."""
        self._styled_for: tuple[int, int] | None = None
        """The app's style sheet (update count, sources) this screen was last styled with."""

    def compose(self) -> ComposeResult:
        with Vertical(id="family-header"):
            yield Static(Content(_("Chargement…")), id="family-title")
            yield Static(Content(""), id="family-payer")
            yield Static(Content(""), id="family-balance")
        # The tabs show with the family's record: drawn once, with its rows, rather than
        # drawn empty and again a moment later (a quarter of the time to open a family).
        tabs = TabbedContent(initial=self._initial_tab, id="family-tabs")
        tabs.display = False
        with tabs:
            # Only the first tab's content is composed: the students' and the billing
            # tabs' are mounted once the family is drawn (F9 works from any tab: the
            # statement is then read), the requests and receipts when their tab is first
            # opened. Fewer widgets to style on the way in, no queries competing with the
            # header's.
            with TabPane(_("1 Identité"), id="identity"):
                guardians: DataTable[object] = DataTable(id="guardians", cursor_type="row")
                yield guardians
            for tab, title in (
                ("students", _("2 Élèves")),
                ("billing", _("3 Facturation")),
                ("requests", _("4 Demandes")),
                ("receipts", _("5 Reçus")),
            ):
                with TabPane(title, id=tab):
                    yield from self._lazy_view(tab, initial=True)
        yield KeysFooter(compact=True)

    def _lazy_view(self, tab: str, *, initial: bool = False) -> list[Widget]:
        """The view of a lazily mounted tab, if it is due: at compose only the first tab's."""
        if initial and tab != self._initial_tab:
            return []
        if tab == "students":
            students: DataTable[object] = DataTable(id="students-table", cursor_type="row")
            return [students]
        if tab == "billing":
            # Shown first: read with the header. Otherwise once the family is drawn.
            return [
                StatementView(self.family_id, id="statement", autoload=False),
                FamilyRemindersView(self.family_id, id="family-reminders"),
            ]
        if tab == "requests":
            return [FamilyRequestsView(self.family_id, id="family-requests")]
        return [ReceiptsView(self.family_id, id="family-receipts")]

    async def _mount_lazy_view(self, tab: str) -> None:
        if tab == "identity" or not self.is_attached or self._suspended:
            return
        pane = self.query_one(f"#{tab}", TabPane)
        if pane.children:
            return
        await pane.mount_all(self._lazy_view(tab))
        if not self.is_attached:
            return
        if tab == "students":
            self._students_mounted()
        elif self._overview is not None:
            for statement in self.query("#statement").results(StatementView):
                statement.ensure_loaded()

    async def _laid_out(self, _screen: object) -> None:
        """The students' and the billing tabs, once the family is drawn."""
        if not self._mount_when_drawn:
            return
        self._mount_when_drawn = False
        for tab in ("students", "billing"):
            await self._mount_lazy_view(tab)

    # ------------------------------------------------------------------ recycling

    @property
    def recyclable(self) -> bool:
        """Opened on the identity tab (what a search hit opens): the app keeps one such
        screen once closed and shows the next family in it."""
        return self._initial_tab == "identity"

    async def recycle(self) -> None:
        """Closed: forget this family (header, rows, the tabs mounted since) so that the
        next family shows exactly as in a new screen, without composing one again.

        Composing, mounting and styling the screen was about 40 % of the time from Enter
        on a search hit to the family drawn (and its 12,000 objects were garbage)."""
        self._opening += 1  # a reading still on its way is for nobody now
        self.workers.cancel_node(self)
        self._overview = None
        self._select_student = None
        self._mount_when_drawn = False
        self.query_one("#family-title", Static).update(Content(_("Chargement…")))
        self.query_one("#family-payer", Static).update(Content(""))
        self.query_one("#family-balance", Static).update(Content(""))
        tabs = self.query_one("#family-tabs", TabbedContent)
        tabs.display = False
        tabs.active = "identity"
        guardians = self.query_one("#guardians", DataTable)
        # Columns too: each keeps the width of the widest cell it ever held.
        guardians.clear(columns=True)
        guardians.scroll_home(animate=False, immediate=True)
        self._guardian_columns(guardians)
        for tab in ("students", "billing", "requests", "receipts"):
            await self.query_one(f"#{tab}", TabPane).remove_children()
        self.recycled = True

    def open_family(self, family_id: int) -> None:
        """Show `family_id` in this recycled screen (read as soon as the screen shows)."""
        self.family_id = family_id
        self.recycled = False
        self._load_on_resume = True

    def _styles_unchanged(self) -> bool:
        """Whether the app's style sheet is still the one this screen was styled with (no
        theme change, no style sheet loaded since: another screen's, a widget's)."""
        app = self.app
        current = (app._css_update_count, len(app.stylesheet.source))
        styled_for, self._styled_for = self._styled_for, current
        return styled_for == current

    def on_mount(self) -> None:
        # Textual publishes this signal once a new layout is on screen: the frame with the
        # family's record (its tabs shown) was drawn. (`call_after_refresh` in `_show` ran
        # now and then before that frame, when the screen went idle before the widgets
        # asked to be laid out again, and the hidden tabs were then mounted first.)
        self.screen_layout_refresh_signal.subscribe(self, self._laid_out)
        self._guardian_columns(self.query_one("#guardians", DataTable))
        if self._initial_tab == "students":
            self._students_mounted()
        self._load()

    @staticmethod
    def _guardian_columns(guardians: DataTable[object]) -> None:
        for label in (_("Nom"), _("Lien"), _("Téléphone"), _("Courriel"), _("Adresse")):
            guardians.add_column(label_cell(label))

    def _students_mounted(self) -> None:
        found = self.query("#students-table").results(DataTable)
        students = next(iter(found), None)
        if students is None:
            return  # the screen is closing
        for label in (
            _("Nom"),
            _("N° d'élève"),
            _("Code permanent"),
            _("Naissance"),
            _("Niveau / groupe"),
            _("Statut"),
        ):
            students.add_column(label_cell(label))
        if self._overview is not None:
            self._fill_students(self._overview)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _GUARDIAN_ACTIONS:
            # Shown only on the identity tab, where a guardian is highlighted; dimmed when
            # the highlighted guardian cannot take it (the payer is neither removed nor
            # made payer again; a family has at most two guardians).
            if self._active_tab() != "identity":
                return False
            overview = self._overview
            if overview is None:
                return None
            if action == "add_guardian":
                return True if len(overview.guardians) < MAX_GUARDIANS_SHOWN else None
            selected = self._selected_guardian()
            if action in ("make_payer", "remove_guardian"):
                return None if selected is None or selected.is_payer else True
            return True if selected is not None else None
        if action == "new_student":
            return self._active_tab() == "students" and self._overview is not None
        return True

    def _active_tab(self) -> str:
        return self.query_one("#family-tabs", TabbedContent).active

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        with_statement = self._overview is None and self._initial_tab == "billing"
        if with_statement:
            self.query_one("#statement", StatementView).expect()
        self._read(with_statement=with_statement)

    def _read(self, *, with_statement: bool) -> None:
        family_id = self.family_id

        def read(backend: Backend) -> tuple[FamilyOverview, Statement | None]:
            from registrar_tui.services.records.families import (
                family_overview,
                family_with_statement,
            )

            if with_statement:
                # One reading, one thread: the header and the statement agree, and a
                # single worker competes with the screen being drawn instead of two.
                return backend.read(family_with_statement, family_id)
            return backend.read(family_overview, family_id), None

        opening = self._opening

        def show(loaded: tuple[FamilyOverview, Statement | None]) -> None:
            if opening == self._opening:
                self._show(loaded)

        def refused(error: DomainError) -> None:
            if opening == self._opening:
                self.show_refusal(error)

        self.call_service(read, show, group="family", refused=refused)

    def reload(self) -> None:
        """Read the header and the tables again (after a payment, a decline, an edit)."""
        self._load()

    def show_refusal(self, error: DomainError) -> None:
        """The family could not be shown (e.g. it no longer exists): the title says why."""
        self.query_one("#family-title", Static).update(
            Content.styled(error.translated(), "bold $text-error")
        )

    def _show(self, loaded: tuple[FamilyOverview, Statement | None]) -> None:
        # The statement is read with the record, in the same unit of work, when the
        # first tab shows it.
        family, statement = loaded
        self._overview = family
        self.query_one("#family-title", Static).update(
            Content.assemble(
                user_content(family.name, "bold"),
                "  ",
                user_content(family.family_number),
                " · ",
                # The code first: a long establishment name is clipped at 80 columns.
                user_content(family.establishment_code, "bold"),
                " ",
                user_content(family.establishment_name),
            )
        )
        payer = [user_content(family.payer_name or _("aucun payeur"))]
        payer += [user_content(v) for v in (family.payer_phone, family.payer_email) if v]
        self.query_one("#family-payer", Static).update(
            Content.assemble(_("Payeur : "), Content(" · ").join(payer))
        )
        balance = Content.assemble(
            (_("Solde : "), "bold"),
            (format_money(family.balance), "bold $text-warning" if family.balance else "bold"),
        )
        if family.credit:
            balance = Content.assemble(
                balance, "    ", _("Crédit : "), (format_money(family.credit), "bold $text-success")
            )
        self.query_one("#family-balance", Static).update(balance)
        self._fill_guardians(family)
        if self.query("#students-table"):
            self._fill_students(family)
        for statement_view in self.query("#statement").results(StatementView):
            if statement is not None:
                statement_view.show(statement)
            else:
                # Read once the family is drawn: its worker and its rows (in a hidden
                # tab) do not compete with the first frame.
                self.call_after_refresh(statement_view.ensure_loaded)
        tabs = self.query_one("#family-tabs", TabbedContent)
        if not tabs.display:
            tabs.display = True
            self._mount_when_drawn = True
        self._focus_tab(self._active_tab())

    def _fill_guardians(self, family: FamilyOverview) -> None:
        table = self.query_one("#guardians", DataTable)
        cursor = table.cursor_row
        table.clear()
        for g in family.guardians:
            relationship = user_text(g.relationship)
            if g.is_payer:
                relationship = f"{relationship} · {_('payeur')}" if relationship else _("payeur")
            table.add_row(
                user_cell(g.full_name),
                label_cell(relationship),
                user_cell(g.phone),
                user_cell(g.email),
                user_cell(g.address),
                key=str(g.id),
            )
        if family.guardians:
            table.move_cursor(row=min(cursor, len(family.guardians) - 1))
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#guardians")
    def _guardian_highlighted(self) -> None:
        self.refresh_bindings()  # « Payeur » and « Retirer » are dimmed on the payer

    def _fill_students(self, family: FamilyOverview) -> None:
        table = self.query_one("#students-table", DataTable)
        table.clear()
        for s in family.students:
            level = " / ".join(part for part in (s.school_level, s.group_name) if part)
            status = str(s.status)
            table.add_row(
                user_cell(s.full_name),
                user_cell(s.student_number),
                user_cell(s.code_permanent),
                label_cell(format_date(s.birth_date)),
                user_cell(level),
                label_cell(_(_STATUS_LABELS.get(status, status))),
                key=str(s.id),
            )
        if self._select_student is not None:
            ids = [s.id for s in family.students]
            if self._select_student in ids:
                table.move_cursor(row=ids.index(self._select_student))
            self._select_student = None

    # ------------------------------------------------------------------ tabs

    def action_tab(self, tab: str) -> None:
        """Show a tab (keys 1 to 5) and put the keyboard in it."""
        if tab in TABS:
            self.query_one("#family-tabs", TabbedContent).active = tab
            self._focus_tab(tab)

    @on(TabbedContent.TabActivated, "#family-tabs")
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        pane_id = event.pane.id
        if pane_id is not None:
            await self._mount_lazy_view(pane_id)
            self._focus_tab(pane_id)

    def _focus_tab(self, tab: str) -> None:
        targets = {
            "identity": "#guardians",
            "students": "#students-table",
            "billing": "#statement",
            "requests": "#family-requests",
            "receipts": "#family-receipts",
        }
        found = self.query(targets[tab])
        if not found:
            return
        widget = found.first()
        # The views focus their own table when asked; tables take the focus themselves.
        focus_table = getattr(widget, "focus_table", None)
        if callable(focus_table):
            focus_table()
        else:
            widget.focus()

    # ------------------------------------------------------------------ actions

    async def action_pay(self) -> None:
        """F9 from any tab: the statement's selected invoices go to the payment form."""
        self.action_tab("billing")
        await self._mount_lazy_view("billing")  # F9 came before the billing tab was there
        for statement in self.query("#statement").results(StatementView):
            statement.action_pay()

    def _selected_guardian(self) -> GuardianSummary | None:
        table = self.query_one("#guardians", DataTable)
        if self._overview is None or not self._overview.guardians or table.row_count == 0:
            return None
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return next((g for g in self._overview.guardians if str(g.id) == row_key.value), None)

    def _reload_if(self, saved: bool | None) -> None:
        if saved:
            self.reload()

    def action_add_guardian(self) -> None:
        from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen

        if self.check_action("add_guardian", ()):
            self.app.push_screen(GuardianEditScreen(family_id=self.family_id), self._reload_if)

    def action_edit_guardian(self) -> None:
        from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen

        selected = self._selected_guardian()
        if selected is not None:
            self.app.push_screen(GuardianEditScreen(selected.id), self._reload_if)

    def action_make_payer(self) -> None:
        selected = self._selected_guardian()
        if selected is None or selected.is_payer:
            return
        self._confirm(
            _("Changer le payeur"),
            _("Les factures, reçus et courriels iront désormais à ce responsable. Confirmer ?"),
            selected,
            "make_payer",
        )

    def action_remove_guardian(self) -> None:
        selected = self._selected_guardian()
        if selected is None or selected.is_payer:
            return
        self._confirm(
            _("Retirer un responsable"),
            _(
                "Ce responsable ne fera plus partie de la famille "
                "(il reste dans l'historique). Confirmer ?"
            ),
            selected,
            "remove_guardian",
        )

    def _confirm(self, title: str, question: str, guardian: GuardianSummary, verb: str) -> None:
        from registrar_tui.screens.desk.modals import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._change_guardian(verb, guardian.id)

        self.app.push_screen(ConfirmScreen(title, question, subject=guardian.full_name), answered)

    def _change_guardian(self, verb: str, guardian_id: int) -> None:
        def change(backend: Backend) -> object:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records import guardians

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            service = guardians.make_payer if verb == "make_payer" else guardians.remove_guardian
            return backend.write(service, identity.id, guardian_id)

        self.call_service(
            change,
            self._guardian_changed,
            group="guardians",
            exclusive=False,
            refused=self._guardian_refused,
        )

    def _guardian_refused(self, error: DomainError) -> None:
        """Refused (e.g. changed at another terminal meanwhile): said, then shown afresh."""
        self.notify(error.translated(), severity="warning", markup=False)
        self.reload()

    def _guardian_changed(self, _result: object) -> None:
        self.notify(_("Responsables de la famille mis à jour."), markup=False)
        self.reload()

    def action_new_student(self) -> None:
        """A new student in this family: the form, then the students tab shows them."""
        from registrar_tui.screens.student.identity_form import FormOutcome, StudentFormScreen

        family = self._overview
        if family is None:
            return

        def closed(outcome: FormOutcome | None) -> None:
            if outcome is None:
                return
            if outcome.saved is not None:
                self.notify(
                    _("Élève inscrit : {name}, n° {number}.").format(
                        name=outcome.saved.full_name, number=outcome.saved.student_number
                    ),
                    markup=False,
                )
                self._select_student = outcome.saved.id
                self.reload()
            elif outcome.open_student_id is not None:
                open_student = getattr(self.app, "open_student", None)
                if callable(open_student):
                    open_student(outcome.open_student_id, family_id=outcome.open_family_id)

        self.app.push_screen(
            StudentFormScreen(family_id=self.family_id, family_name=family.name), closed
        )

    @on(DataTable.RowSelected, "#students-table")
    def _open_student(self, event: DataTable.RowSelected) -> None:
        from registrar_tui.screens.student.screen import StudentScreen

        def closed(_result: object) -> None:
            # Course changes and certificates bill the family: its statement follows.
            for statement in self.query("#statement").results(StatementView):
                if statement.statement is not None:
                    statement.reload()

        if event.row_key.value is not None:
            self.app.push_screen(StudentScreen(int(event.row_key.value)), closed)

    @on(StatementView.Changed)
    def _statement_changed(self, event: StatementView.Changed) -> None:
        # A payment, a declined contribution…: the header's balance and credit follow.
        shown = self._overview
        fresh = event.statement
        # Before the header's own first load arrives there is nothing stale to refresh
        # (reloading would cancel that load and delay the first paint).
        if shown is not None and (shown.balance, shown.credit) != (fresh.total_due, fresh.credit):
            self.reload()
            for receipts in self.query("#family-receipts").results(ReceiptsView):
                receipts.reload()

    def action_back(self) -> None:
        self.dismiss()

    def on_screen_suspend(self) -> None:
        # Closed (or covered) before the tabs that mount after the first frame: they are
        # not mounted then (a tab opened later, or F9, still mounts its own).
        self._suspended = True
        recycle_family = getattr(self.app, "recycle_family", None)
        if callable(recycle_family):
            recycle_family(self)  # closed (not covered): emptied for the next family

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before `AppScreen`'s and Textual's (Textual calls one handler per class: no
        # `on_screen_resume` beside this one). A recycled screen shown again is styled as
        # it was, unless the style sheet changed meanwhile (Textual restyles every widget).
        self._suspended = False
        unchanged = self._styles_unchanged()
        if self._load_on_resume:
            self._load_on_resume = False
            if unchanged:
                event.refresh_styles = False
            self._load()
