"""The payment form proper: one line per field (only the chosen method's), notes, the split."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from registrar_tui.i18n import _, format_money
from registrar_tui.screens.payment.fields import FIELDS, field_row
from registrar_tui.screens.payment.panels import AllocationPreview
from registrar_tui.screens.widgets.service_call import field_error_id

if TYPE_CHECKING:
    from registrar_tui.services.ledger.payment_preview import PaymentPreview


class PaymentForm(Vertical):
    """Amount, tendered cash, card or cheque details; errors under their box."""

    def compose(self) -> ComposeResult:
        yield field_row("amount", _("Montant"), max_length=20, with_note=True)
        yield field_row(
            "amount_tendered",
            _("Montant remis"),
            classes="cash-only",
            max_length=20,
            placeholder=_("= montant"),
            with_note=True,
        )
        yield field_row("card_brand", _("Marque"), classes="credit-only", max_length=20)
        yield field_row(
            "card_last4",
            _("4 derniers chiffres"),
            classes="card-only",
            max_length=4,
            restrict=r"[0-9]*",
        )
        yield field_row(
            "authorization_number", _("N° d'autorisation"), classes="card-only", max_length=24
        )
        yield field_row("cheque_number", _("N° du chèque"), classes="cheque-only", max_length=24)
        yield field_row("cheque_bank", _("Banque"), classes="cheque-only", max_length=100)
        yield AllocationPreview(id="split")

    @property
    def amount_box(self) -> Input:
        return self.query_one("#amount", Input)

    def value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def values(self) -> dict[str, str]:
        """What is typed in every box, by field name."""
        return {field: self.value(field) for field in FIELDS}

    def set_message(self, field: str, text: str, *, keep_paste_refusal: bool = False) -> None:
        """The line under `field` (empty: hidden). `keep_paste_refusal`: an empty text
        leaves a refused paste's message, which goes when the box itself changes."""
        message = self.query_one(f"#{field_error_id(field)}", Static)
        if keep_paste_refusal and not text and message.has_class("-paste-refusal"):
            return
        message.update(Content(text))
        message.set_class(bool(text), "-visible")
        message.remove_class("-paste-refusal")
        message.display = bool(text)  # a paste refusal may have set it (widgets/paste.py)

    def clear_messages(self) -> None:
        for field in FIELDS:
            self.set_message(field, "")

    def shown_box(self, field: str | None) -> Input | None:
        """The box of `field` when the chosen method shows it (None otherwise)."""
        if field not in FIELDS:
            return None
        box = self.query_one(f"#{field}", Input)
        row = box.parent.parent if box.parent is not None else None
        return box if row is not None and row.display else None

    def show(self, preview: PaymentPreview) -> None:
        """The figures of a preview: seen balance, change due (or what is missing), split.

        A figure the preview could not work out (a field that cannot be read) is blank.
        """
        self.query_one("#amount-note", Static).update(
            Content.assemble(_("Solde choisi : "), (format_money(preview.seen_balance), "bold"))
        )
        note = self.query_one("#amount_tendered-note", Static)
        if preview.change_due is not None:
            note.update(
                Content.assemble(
                    _("Monnaie à rendre : "),
                    (format_money(preview.change_due), "bold $text-warning"),
                )
            )
        elif preview.tendered_short_by is not None:
            short = _("Il manque {amount}").format(amount=format_money(preview.tendered_short_by))
            note.update(Content.styled(short, "bold $text-error"))
        else:
            note.update(Content(""))
        self.query_one(AllocationPreview).show(preview)
