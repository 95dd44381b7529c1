"""Bank deposits (scenario 17): the registrar counts the cash by denomination and prepares
the establishment's deposit from its closed drawers; the slip is saved (F8 prints it),
and F4 records that the deposit was made, which locks it.

The screen shows what `services.ledger.deposits` says can be deposited and the totals it
computes; the count typed is read and compared by `check_count` on every key, never added
up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from registrar_tui.i18n import N_, _, format_date, format_money, ngettext
from registrar_tui.screens.payment.fields import PRINT_LETTER
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    label_cell,
    method_label,
    money_cell,
    user_cell,
    user_content,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.denominations import CountCheck
    from registrar_tui.services.ledger.deposits import (
        AdjustmentLine,
        Depositable,
        DepositLine,
        DepositView,
        OverShortLine,
    )
    from registrar_tui.services.ledger.posted_receipts import EstablishmentView

# The notes and coins, largest first, as the inputs' ids (cents) and labels; the
# services own the list (DENOMINATIONS), this only lays it out.
_NOTES_AND_COINS = (
    *("100.00", "50.00", "20.00", "10.00", "5.00"),
    *("2.00", "1.00", "0.25", "0.10", "0.05", "0.01"),
)


def _input_id(denomination: str) -> str:
    return "count-" + denomination.replace(".", "")


class DepositScreen(AppScreen):
    """Count the cash, prepare the deposit (F9), make it (F4), print the slip (F8)."""

    CSS_PATH = "deposits.tcss"
    AUTO_FOCUS = "#count-10000"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Beside each F-key a letter: the count boxes take digits only, so the letters are
        # read before them (priority) and nothing typed is lost.
        Binding(
            "f9,ctrl+g",
            "prepare",
            N_("Préparer"),
            id="deposits.prepare",
            tooltip=N_("Préparer le dépôt avec ce décompte et enregistrer son bordereau"),
            priority=True,
        ),
        Binding(
            "f4,d",
            "make",
            N_("Déposé"),
            id="deposits.make",
            tooltip=N_("Le dépôt a été fait à la banque : il est verrouillé"),
            priority=True,
        ),
        Binding(
            "f6,a",
            "abandon",
            N_("Abandonner"),
            id="deposits.abandon",
            tooltip=N_("Abandonner le dépôt préparé : ses paiements redeviennent à déposer"),
            priority=True,
        ),
        Binding(
            f"f8,{PRINT_LETTER}",
            "print_slip",
            N_("Imprimer"),
            id="deposits.print",
            tooltip=N_("Envoyer le bordereau enregistré à l'imprimante"),
            priority=True,
        ),
        Binding(
            "f3,e",
            "next_establishment",
            N_("Établissement"),
            id="deposits.establishment",
            tooltip=N_("Passer à l'établissement suivant"),
            priority=True,
        ),
        Binding("escape", "back", N_("Retour"), id="deposits.back", tooltip=N_("Fermer")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._establishments: tuple[EstablishmentView, ...] = ()
        self._index = 0
        self._found: Depositable | None = None
        self._deposit: DepositView | None = None
        """The deposit prepared on this screen (then made or abandoned)."""
        self._slip: Path | None = None
        self._busy = False
        self._keep_status = False
        """A refusal stays on the status line through the reload it caused."""

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Dépôt bancaire")), id="deposit-title")
        yield Static(Content(_("Chargement…")), id="deposit-totals")
        table: DataTable[object] = DataTable(id="deposit-lines", cursor_type="row")
        yield table
        yield Static(
            Content.assemble(
                (_("Décompte du comptant"), "bold"),
                " · ",
                (_("Tab ou Entrée : coupure suivante"), "dim"),
            ),
            id="deposit-count-title",
        )
        with Grid(id="deposit-counts"):
            for denomination in _NOTES_AND_COINS:
                yield Static(
                    Content(format_money(Decimal(denomination)) + " ×"), classes="count-label"
                )
                yield Input(
                    id=_input_id(denomination),
                    restrict=r"[0-9]*",
                    max_length=6,
                    placeholder="0",
                    classes="count-input",
                )
        yield Static(Content(""), id="deposit-counted")
        yield Static(Content(""), id="deposit-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#deposit-lines", DataTable)
        table.add_column(label_cell(_("Reçu")), width=16)
        table.add_column(label_cell(_("Famille")), width=19)
        table.add_column(label_cell(_("Mode")), width=15)
        table.add_column(label_cell(_("N° chèque")), width=10)
        table.add_column(Text(_("Montant"), justify="right"), width=11)
        identity = self.backend.identity
        if identity is None:
            return
        actor_id = identity.id

        def establishments(backend: Backend) -> tuple[EstablishmentView, ...]:
            from registrar_tui.services.ledger.deposits import deposit_establishments

            return backend.read(deposit_establishments, actor_id)

        self.call_service(establishments, self._show_establishments, group="deposits")

    def _show_establishments(self, found: tuple[EstablishmentView, ...]) -> None:
        self._establishments = found
        identity = self.backend.identity
        home = None if identity is None else identity.establishment_id
        self._index = next((n for n, site in enumerate(found) if site.establishment_id == home), 0)
        self._load()

    def _load(self) -> None:
        identity = self.backend.identity
        if identity is None or not self._establishments:
            self._set_status(_("Aucun établissement."), error=True)
            return
        actor_id = identity.id
        establishment_id = self._establishments[self._index].establishment_id

        def load(backend: Backend) -> _Loaded:
            from registrar_tui.services.ledger.deposits import (
                deposit_detail,
                depositable,
                list_deposits,
            )

            found = backend.read(depositable, actor_id, establishment_id)
            # A deposit prepared earlier and not made yet comes first: make or abandon it.
            waiting = next(
                (
                    row
                    for row in backend.read(list_deposits, actor_id, establishment_id)
                    if row.status == "prepared"
                ),
                None,
            )
            if waiting is None:
                return _Loaded(found, None)
            return _Loaded(found, backend.read(deposit_detail, actor_id, waiting.deposit_id))

        self.call_service(load, self._show_loaded, group="deposits")

    def _show_loaded(self, loaded: _Loaded) -> None:
        self._found = loaded.found
        if loaded.waiting is None:
            self._show_depositable(loaded.found)
            self._keep_status = False
            return
        waiting = loaded.waiting
        self._deposit = waiting
        counted = {line.denomination: line.quantity for line in waiting.cash_lines}
        for denomination in _NOTES_AND_COINS:
            box = self.query_one(f"#{_input_id(denomination)}", Input)
            box.value = str(counted.get(Decimal(denomination), ""))
            box.disabled = True
        self._show_lines(waiting.payments, waiting.adjustments, waiting.over_short)
        self._show_totals(
            len(waiting.payments), waiting.cash_total, waiting.cheque_total, waiting.total
        )
        self.query_one("#deposit-counted", Static).update(
            Content.assemble(
                _("Compté : "),
                (format_money(waiting.cash_total), "bold"),
                " · ",
                ", ".join(
                    f"{line.quantity} × {format_money(line.denomination)}"
                    for line in waiting.cash_lines
                ),
            )
        )
        self._show_title()
        if self._keep_status:
            self._keep_status = False
        else:
            self._set_status(
                _(
                    "Dépôt {number} préparé, pas encore fait "
                    "(F4 ou D : déposé, F6 ou A : abandonner)."
                ).format(number=waiting.number)
            )
        self.refresh_bindings()

    def _show_lines(
        self,
        payments: tuple[DepositLine, ...],
        adjustments: tuple[AdjustmentLine, ...],
        over_short: tuple[OverShortLine, ...],
    ) -> None:
        table = self.query_one("#deposit-lines", DataTable)
        table.clear()
        for line in payments:
            table.add_row(
                label_cell(line.receipt_number),
                user_cell(line.family_name),
                label_cell(method_label(line.method)),
                user_cell(line.cheque_number or ""),
                money_cell(line.amount),
            )
        for adjustment in adjustments:
            table.add_row(
                label_cell(adjustment.receipt_number),
                user_cell(adjustment.family_name),
                label_cell(_("Remboursement") if adjustment.is_refund else _("Annulé après dépôt")),
                user_cell(adjustment.cheque_number or ""),
                money_cell(adjustment.amount, "$text-error"),
            )
        for difference in over_short:
            table.add_row(
                label_cell(_("Fermeture de caisse")),
                user_cell(difference.clerk_name),
                label_cell(_("Manque") if difference.is_short else _("Surplus")),
                label_cell(""),
                money_cell(
                    difference.amount, "$text-error" if difference.is_short else "$text-success"
                ),
            )

    def _show_totals(self, count: int, cash: Decimal, cheques: Decimal, total: Decimal) -> None:
        self.query_one("#deposit-totals", Static).update(
            Content.assemble(
                ngettext("{count} paiement", "{count} paiements", count).format(count=count),
                " · ",
                _("Comptant : "),
                (format_money(cash), "bold $text-warning"),
                " · ",
                _("Chèques : "),
                (format_money(cheques), "bold"),
                " · ",
                _("Total : "),
                (format_money(total), "bold"),
            )
        )

    def _show_depositable(self, found: Depositable) -> None:
        self._show_title()
        self._show_lines(found.payments, found.adjustments, found.over_short)
        self._show_totals(len(found.payments), found.cash_total, found.cheque_total, found.total)
        self._update_counted()
        if found.starts_on is None:
            self._set_status(
                _(
                    "Les dépôts de cet établissement n'ont pas de date de début : fixez-la "
                    "d'abord (registrar-tui deposits start)."
                ),
                error=True,
            )

        self.refresh_bindings()

    def _show_title(self) -> None:
        site = self._establishments[self._index]
        parts: list[Content | str | tuple[str, str]] = [
            (_("Dépôt bancaire"), "bold"),
            " · ",
            user_content(site.code, "bold"),
            " ",
            user_content(site.name),
        ]
        if self._deposit is not None:
            parts += [" · ", (self._deposit.number, "bold")]
        elif self._found is not None and self._found.starts_on is not None:
            parts += [
                " · ",
                (
                    _("dépôts depuis le {date}").format(date=format_date(self._found.starts_on)),
                    "dim",
                ),
            ]
        self.query_one("#deposit-title", Static).update(Content.assemble(*parts))

    def _texts(self) -> dict[Decimal, str]:
        return {
            Decimal(denomination): self.query_one(f"#{_input_id(denomination)}", Input).value
            for denomination in _NOTES_AND_COINS
        }

    def _check(self) -> CountCheck:
        """The typed count against the cash to deposit; raises InvalidDenominationCount."""
        from registrar_tui.services.ledger.denominations import check_count

        assert self._found is not None
        return check_count(self._texts(), self._found.cash_total)

    @on(Input.Changed, ".count-input")
    def _count_changed(self) -> None:
        self._update_counted()

    @on(Input.Submitted, ".count-input")
    def _next_count(self) -> None:
        self.focus_next()

    def _update_counted(self) -> None:
        from registrar_tui.services.core.errors import DomainError

        if self._found is None or self._deposit is not None:
            return
        counted = self.query_one("#deposit-counted", Static)
        try:
            check = self._check()
        except DomainError as error:
            counted.update(Content.styled(error.translated(), "$text-error"))
            return
        if check.matches:
            verdict = (_("le compte est juste"), "bold $text-success")
        else:
            verdict = (
                _("écart de {amount}").format(amount=format_money(check.difference)),
                "bold $text-error",
            )
        counted.update(
            Content.assemble(
                _("Compté : "), (format_money(check.count.total), "bold"), " · ", verdict
            )
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F9 before the deposit is prepared, F4 and F6 while it is only prepared, F8
        once its slip is saved: the footer fits 80 columns."""
        # Statuses by value: screens never import the models.
        prepared = self._deposit is not None and self._deposit.status == "prepared"
        if action == "prepare":
            if self._deposit is not None:
                return False
            return (self._found is not None and not self._busy) or None
        if action in ("make", "abandon"):
            return prepared and not self._busy
        if action == "print_slip":
            return self._deposit is not None and self._deposit.status != "abandoned"
        if action == "next_establishment":
            return self._deposit is None and len(self._establishments) > 1
        return True

    def action_next_establishment(self) -> None:
        if self._deposit is not None or not self._establishments:
            return
        self._index = (self._index + 1) % len(self._establishments)
        self._found = None
        self._load()

    def action_prepare(self) -> None:
        from registrar_tui.services.core.errors import DomainError

        identity = self.backend.identity
        if self._found is None or self._deposit is not None or self._busy or identity is None:
            return
        try:
            check = self._check()
        except DomainError as error:
            self.show_refusal(error)
            return
        self._busy = True
        self.refresh_bindings()
        self._set_status(_("Préparation du dépôt…"))
        actor_id = identity.id
        establishment_id = self._found.establishment.establishment_id
        payment_ids = self._found.payment_ids
        counts = check.count.quantities()

        def prepare(backend: Backend) -> _Saved:
            from registrar_tui.services.ledger.deposits import prepare_deposit

            view = backend.write(prepare_deposit, actor_id, establishment_id, payment_ids, counts)
            return _save_slip(backend, actor_id, view)

        self.call_service(prepare, self._saved, group="deposits-write", exclusive=False)

    def action_make(self) -> None:
        self._act("make")

    def action_abandon(self) -> None:
        self._act("abandon")

    def _act(self, verb: str) -> None:
        identity = self.backend.identity
        if self._deposit is None or self._busy or identity is None:
            return
        self._busy = True
        self.refresh_bindings()
        actor_id = identity.id
        deposit_id = self._deposit.deposit_id

        def act(backend: Backend) -> _Saved:
            from registrar_tui.services.ledger.deposits import abandon_deposit, make_deposit

            if verb == "make":
                view = backend.write(make_deposit, actor_id, deposit_id)
                return _save_slip(backend, actor_id, view)
            return _Saved(backend.write(abandon_deposit, actor_id, deposit_id), None, None)

        self.call_service(act, self._saved, group="deposits-write", exclusive=False)

    def _saved(self, saved: _Saved) -> None:
        self._busy = False
        view = saved.deposit
        self._deposit = view
        if saved.path is not None:
            self._slip = saved.path
        for box in self.query(Input):
            box.disabled = True
        self._show_title()
        messages = {
            "prepared": _("Dépôt {number} préparé."),
            "made": _("Dépôt {number} fait : il est verrouillé."),
            "abandoned": _("Dépôt {number} abandonné."),
        }
        message = messages[str(view.status)].format(number=view.number)
        if saved.path is not None:
            message += " " + _("Bordereau enregistré : {path}").format(path=saved.path)
        elif saved.save_error is not None:
            message += " " + _("Le bordereau n'a pas pu être produit : {problem}").format(
                problem=saved.save_error.translated()
            )
        self._set_status(message, error=saved.save_error is not None)
        self.notify(message, markup=False)
        if view.status == "abandoned":
            # Its payments can be deposited again: count them anew.
            self._deposit = None
            self._slip = None
            for box in self.query(Input):
                box.disabled = False
            self._load()
        self.refresh_bindings()

    def show_refusal(self, error: DomainError) -> None:
        """A refusal: a count's next to the count, any other on the status line."""
        self._busy = False
        message = error.translated()
        if error.field == "counts":
            self.query_one("#deposit-counted", Static).update(
                Content.styled(message, "$text-error")
            )
        self._set_status(message, error=True)
        self.notify(message, severity="error", markup=False)
        from registrar_tui.services.ledger.deposits import PaymentNotDepositable

        if isinstance(error, PaymentNotDepositable) and self._deposit is None:
            # Another registrar took these payments meanwhile: show what is left, the
            # refusal staying on the status line.
            self._keep_status = True
            self._load()
        self.refresh_bindings()

    def action_print_slip(self) -> None:
        identity = self.backend.identity
        deposit = self._deposit
        if deposit is None or identity is None:
            return
        path = self._slip
        actor_id = identity.id

        def send(backend: Backend) -> Path:
            from registrar_tui.services.documents.output import output_settings, print_pdf

            slip = path
            if slip is None:
                # A deposit prepared earlier: its slip is saved now, then printed.
                saved = _save_slip(backend, actor_id, deposit)
                if saved.save_error is not None:
                    raise saved.save_error
                assert saved.path is not None
                slip = saved.path
            print_pdf(output_settings(), slip)
            return slip

        self.call_service(send, self._printed, group="deposits-print", exclusive=False)

    def _printed(self, slip: Path) -> None:
        self._slip = slip
        message = _("Bordereau envoyé à l'imprimante.")
        self._set_status(message)
        self.notify(message, markup=False)

    def _set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#deposit-status", Static)
        status.update(Content(message))
        status.set_class(error, "-error")

    def action_back(self) -> None:
        self.dismiss()


@dataclass(frozen=True)
class _Loaded:
    """What can be deposited, and the deposit prepared earlier and not made, if any."""

    found: Depositable
    waiting: DepositView | None


@dataclass(frozen=True)
class _Saved:
    """The deposit as recorded; its slip saved at `path` unless `save_error`."""

    deposit: DepositView
    path: Path | None
    save_error: DomainError | None


def _save_slip(backend: Backend, actor_id: int, view: DepositView) -> _Saved:
    """Save the slip of a recorded deposit: a failure costs the slip, never the deposit."""
    from registrar_tui.i18n import current_language
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.documents.deposit import deposit_slip_pdf
    from registrar_tui.services.documents.output import output_settings, save_pdf

    try:
        document = backend.read(
            deposit_slip_pdf, actor_id, view.deposit_id, language=current_language()
        )
        return _Saved(view, save_pdf(output_settings(), document), None)
    except DomainError as error:
        return _Saved(view, None, error)
