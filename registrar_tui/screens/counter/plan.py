"""A family's payment plan (échéancier), opened with `p` from its billing tab (registrar).

With an active plan: its instalments, each with what is paid and what is left, and `x`
to cancel it (a reason is asked). Without one: the form to agree one, either equal
instalments (how many, the first due date, F4 for the interval) or, with F3, each
instalment's date and amount typed per line. Every change is checked by the service
(`preview_plan`): the instalments it would make, their total against the balance and
what is wrong, field by field; Ctrl+S makes the plan. No amount is computed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from registrar_tui.i18n import N_, NP_, _, current_language, format_date, format_money, ngettext
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    label_cell,
    money_cell,
    user_content,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.plans import PlanForm, PlanPreview, PlanView
    from registrar_tui.services.ledger.statement import Statement

CHOSEN_LINES = 12
"""Lines of the chosen-amounts form (blank ones are no instalment)."""

INTERVALS = ("monthly", "biweekly", "weekly")
INTERVAL_LABELS = {
    "monthly": N_("mensuel"),
    "biweekly": N_("aux deux semaines"),
    "weekly": N_("hebdomadaire"),
}
STATUS_LABELS = {
    "active": N_("en cours"),
    "cancelled": N_("annulé"),
    "completed": N_("terminé"),
}


def field_label(field: str) -> str:
    """A refused field as the form names it (« Échéance 2 », « Montant 3 »)."""
    fixed = {
        "count": _("Nombre d'échéances"),
        "first_due_on": _("Première échéance"),
        "total": _("Total"),
    }
    if field in fixed:
        return fixed[field]
    kind, _sep, number = field.rpartition("_")
    if kind == "due_on":
        return _("Échéance {number}").format(number=number)
    if kind == "amount":
        return _("Montant {number}").format(number=number)
    return field


class PaymentPlanScreen(AppScreen):
    """The family's plan, or the form to agree one (registrar)."""

    CSS_PATH = "plan.tcss"
    COMMAND_NAMESPACE = N_("échéancier")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Retour"), id="plan.back",
                tooltip=N_("Revenir à la facturation de la famille")),
        Binding("ctrl+s", "save", N_("Convenir"), id="plan.save", priority=True,
                tooltip=N_("Convenir de cet échéancier avec la famille")),
        # M and I beside F3 and F4, read before the boxes (priority): they take a number,
        # an amount or a date, never a letter.
        Binding("f3,m", "switch_mode", NP_("échéancier", "Mode"), id="plan.mode",
                tooltip=N_("Échéances égales, ou montant et date choisis pour chacune"),
                priority=True),
        Binding("f4,i", "next_interval", N_("Intervalle"), id="plan.interval",
                tooltip=N_("Échéances mensuelles, aux deux semaines ou hebdomadaires"),
                priority=True),
        Binding("x", "cancel_plan", N_("Résilier"), id="plan.cancel",
                tooltip=N_("Annuler cet échéancier (un motif est demandé)")),
    ]  # fmt: skip

    def __init__(self, family_id: int) -> None:
        super().__init__()
        self.family_id = family_id
        self.plan: PlanView | None = None
        """The active plan shown (None: the form is shown)."""
        self.chosen = False
        """The form asks each instalment's date and amount (else equal instalments)."""
        self.interval = INTERVALS[0]
        self._loaded = False
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Chargement…")), id="plan-title")
        yield Static(Content(""), id="plan-summary")
        with Vertical(id="plan-current"):
            current: DataTable[object] = DataTable(id="plan-instalments", cursor_type="row")
            yield current
        with Horizontal(id="plan-form"):
            with Vertical(id="plan-fields"):
                yield Static(Content(""), id="plan-mode", classes="section-title")
                with Vertical(id="plan-equal"):
                    with Horizontal(classes="field-row"):
                        yield Static(Content(_("Nombre")), classes="field-label")
                        yield Input("3", max_length=2, id="plan-count")
                    with Horizontal(classes="field-row"):
                        yield Static(Content(_("1re échéance")), classes="field-label")
                        yield Input(placeholder=_("AAAA-MM-JJ"), max_length=10, id="plan-first")
                    with Horizontal(classes="field-row"):
                        yield Static(Content(_("Intervalle")), classes="field-label")
                        yield Static(Content(""), id="plan-interval")
                with VerticalScroll(id="plan-chosen"):
                    for number in range(1, CHOSEN_LINES + 1):
                        with Horizontal(classes="field-row"):
                            yield Static(Content(f"{number:>2}"), classes="plan-line-number")
                            yield Input(
                                placeholder=_("AAAA-MM-JJ"),
                                max_length=10,
                                id=f"plan-due-{number}",
                                classes="plan-due",
                            )
                            yield Input(
                                placeholder=_("Montant"),
                                max_length=14,
                                id=f"plan-amount-{number}",
                                classes="plan-amount",
                            )
            with Vertical(id="plan-preview-box"):
                preview: DataTable[object] = DataTable(id="plan-preview", cursor_type="none")
                yield preview
                yield Static(Content(""), id="plan-totals")
        yield Static(Content(""), id="plan-problems")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        current = self.query_one("#plan-instalments", DataTable)
        current.add_column(label_cell(_("N°")), width=3)
        current.add_column(label_cell(_("Échéance")), width=10)
        current.add_column(Text(_("Montant"), justify="right"), width=12)
        current.add_column(Text(_("Payé"), justify="right"), width=12)
        current.add_column(Text(_("Reste"), justify="right"), width=12)
        current.add_column(label_cell(_("État")))
        preview = self.query_one("#plan-preview", DataTable)
        preview.add_column(label_cell(_("N°")), width=3)
        preview.add_column(label_cell(_("Échéance")), width=10)
        preview.add_column(Text(_("Montant"), justify="right"), width=12)
        self.query_one("#plan-current").display = False
        self.query_one("#plan-form").display = False
        self._show_mode()
        self._load()

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        family_id = self.family_id

        def read(backend: Backend) -> Statement:
            from registrar_tui.services.ledger.statement import statement

            return backend.read(statement, family_id)

        self.call_service(read, self._show, group="plan")

    def _show(self, found: Statement) -> None:
        self._loaded = True
        self.query_one("#plan-title", Static).update(
            Content.assemble(
                (_("Échéancier · "), "bold"),
                user_content(found.family_name, "bold"),
                " ",
                user_content(found.family_number),
            )
        )
        if found.plan is not None:
            self._show_plan(found.plan)
            return
        self.plan = None
        self.query_one("#plan-summary", Static).update(
            Content.assemble(
                (_("Solde à couvrir : "), "bold"), (format_money(found.net_balance), "bold")
            )
        )
        self.query_one("#plan-current").display = False
        self.query_one("#plan-form").display = True
        self.refresh_bindings()
        self._focus_form()
        self._preview()

    def _show_plan(self, plan: PlanView) -> None:
        self.plan = plan
        status = str(plan.status)
        self.query_one("#plan-summary", Static).update(
            Content.assemble(
                _("Convenu le {day} · ").format(day=format_date(plan.made_on)),
                (_(STATUS_LABELS.get(status, status)), "bold"),
                " · ",
                _("Payé : "),
                (format_money(plan.paid), "bold $text-success" if plan.paid else "bold"),
                " · ",
                _("Reste : "),
                (format_money(plan.outstanding), "bold $text-warning" if plan.outstanding else ""),
            )
        )
        table = self.query_one("#plan-instalments", DataTable)
        table.clear()
        for line in plan.instalments:
            if line.outstanding == 0:
                state, style = _("payée"), "green"
            elif line.is_overdue:
                state, style = _("en retard"), "bold red"
            elif line.paid:
                state, style = _("partielle"), ""
            else:
                state, style = _("à venir"), ""
            table.add_row(
                label_cell(str(line.sequence)),
                label_cell(format_date(line.due_on, "short")),
                money_cell(line.amount),
                money_cell(line.paid),
                money_cell(line.outstanding, "bold" if line.outstanding else ""),
                Text(state, style=style, no_wrap=True),
                key=str(line.instalment_id),
            )
        self.query_one("#plan-form").display = False
        self.query_one("#plan-current").display = True
        self.query_one("#plan-problems", Static).update(Content(""))
        self.refresh_bindings()
        table.focus()

    def show_refusal(self, error: DomainError) -> None:
        """Every refused field on the problems line, named as the form names it."""
        self._busy = False
        self._show_problems(error.field_errors())

    def _show_problems(self, errors: tuple[DomainError, ...]) -> None:
        lines = [
            _("{label} : {message}").format(
                label=field_label(error.field), message=error.translated()
            )
            if error.field
            else error.translated()
            for error in errors
        ]
        self.query_one("#plan-problems", Static).update(
            Content.styled("\n".join(lines), "$text-error") if lines else Content("")
        )

    # ------------------------------------------------------------------ the form

    def _show_mode(self) -> None:
        mode = _("Montants choisis") if self.chosen else _("Échéances égales")
        self.query_one("#plan-mode", Static).update(Content(mode))
        self.query_one("#plan-equal").display = not self.chosen
        self.query_one("#plan-chosen").display = self.chosen
        label = _(INTERVAL_LABELS[self.interval])
        self.query_one("#plan-interval", Static).update(
            Content.assemble((label, "bold"), " ", (_("(F4)"), "dim"))
        )

    def _focus_form(self) -> None:
        target = "#plan-due-1" if self.chosen else "#plan-first"
        self.query_one(target, Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        identity = self.backend.identity
        allowed = identity is not None and identity.can_manage_payment_plans
        if action in ("save", "switch_mode", "next_interval"):
            if not allowed or not self._loaded or self.plan is not None:
                return False
            return not (action == "next_interval" and self.chosen)
        if action == "cancel_plan":
            return allowed and self.plan is not None and str(self.plan.status) == "active"
        return True

    def action_switch_mode(self) -> None:
        if self.check_action("switch_mode", ()) is not True:
            return
        self.chosen = not self.chosen
        self._show_mode()
        self.refresh_bindings()
        self._focus_form()
        self._preview()

    def action_next_interval(self) -> None:
        if self.check_action("next_interval", ()) is not True:
            return
        self.interval = INTERVALS[(INTERVALS.index(self.interval) + 1) % len(INTERVALS)]
        self._show_mode()
        self._preview()

    def _form(self) -> PlanForm:
        from registrar_tui.services.ledger.plans import PlanForm, PlanInterval

        lines = tuple(
            (
                self.query_one(f"#plan-due-{number}", Input).value,
                self.query_one(f"#plan-amount-{number}", Input).value,
            )
            for number in range(1, CHOSEN_LINES + 1)
        )
        return PlanForm(
            chosen=self.chosen,
            count=self.query_one("#plan-count", Input).value,
            first_due_on=self.query_one("#plan-first", Input).value,
            interval=PlanInterval(self.interval),
            lines=lines,
        )

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if self._loaded and self.plan is None:
            self._preview()

    def _preview(self) -> None:
        """Ask the service what the form would make (superseded by the next keystroke)."""
        form, family_id, language = self._form(), self.family_id, current_language()
        if not (form.lines[0][0] if form.chosen else form.first_due_on).strip():
            # Nothing typed yet: no preview, and no refusal of a date not yet asked for.
            self.workers.cancel_group(self, "plan-preview")
            self._unread(None)
            self.query_one("#plan-problems", Static).update(
                Content.styled(
                    _("Entrez la première échéance : les versements s'afficheront ici."),
                    "$text-muted",
                )
            )
            return

        def check(backend: Backend) -> PlanPreview:
            from registrar_tui.services.ledger.plans import preview_plan, read_plan_form

            return backend.read(preview_plan, family_id, read_plan_form(form, language))

        self.call_service(check, self._show_preview, group="plan-preview", refused=self._unread)

    def _unread(self, error: DomainError | None) -> None:
        """The form cannot be read yet (a date half typed…): no instalments, the reasons."""
        self.query_one("#plan-preview", DataTable).clear()
        self.query_one("#plan-totals", Static).update(Content(""))
        self._show_problems(error.field_errors() if error is not None else ())

    def _show_preview(self, preview: PlanPreview) -> None:
        table = self.query_one("#plan-preview", DataTable)
        table.clear()
        for line in preview.instalments:
            table.add_row(
                label_cell(str(line.sequence)),
                label_cell(format_date(line.due_on, "short")),
                money_cell(line.amount),
            )
        self.query_one("#plan-totals", Static).update(
            Content.assemble(
                (_("Total : "), "bold"),
                (format_money(preview.total), "bold"),
                "  ",
                _("Écart : "),
                (
                    format_money(preview.difference),
                    "bold $text-error" if preview.difference else "$text-success",
                ),
            )
        )
        self._show_problems(preview.problems)

    def action_save(self) -> None:
        """Make the plan the form describes (the service checks everything again)."""
        if self._busy or self.check_action("save", ()) is not True:
            return
        self._busy = True
        form, family_id, language = self._form(), self.family_id, current_language()

        def save(backend: Backend) -> PlanView:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.ledger.plans import make_plan, read_plan_form

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(make_plan, family_id, read_plan_form(form, language), identity.id)

        self.call_service(save, self._saved, group="plan-save", exclusive=False)

    def _saved(self, plan: PlanView) -> None:
        self._busy = False
        count = len(plan.instalments)
        instalments = ngettext("{count} échéance", "{count} échéances", count).format(count=count)
        self.notify(
            _("Échéancier convenu : {instalments}, {total}.").format(
                instalments=instalments, total=format_money(plan.balance)
            ),
            markup=False,
        )
        self._show_plan(plan)

    # ------------------------------------------------------------------ cancelling

    def action_cancel_plan(self) -> None:
        from registrar_tui.screens.counter.plan_cancel import CancelPlanScreen

        plan = self.plan
        if plan is None or self.check_action("cancel_plan", ()) is not True:
            return

        def answered(reason: str | None) -> None:
            if reason:
                self._cancel(plan.plan_id, reason)

        self.app.push_screen(CancelPlanScreen(plan.outstanding), answered)

    def _cancel(self, plan_id: int, reason: str) -> None:
        def cancel(backend: Backend) -> PlanView:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.ledger.plans import cancel_plan

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(cancel_plan, plan_id, reason, identity.id)

        def cancelled(_plan: PlanView) -> None:
            self.notify(_("Échéancier annulé."), markup=False)
            self._load()

        def refused(error: DomainError) -> None:
            self.notify(error.translated(), severity="warning", markup=False)
            self._load()

        self.call_service(cancel, cancelled, group="plan-cancel", exclusive=False, refused=refused)

    def action_back(self) -> None:
        self.dismiss()
