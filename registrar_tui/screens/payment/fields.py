"""The payment form's pieces: methods and their keys, field rows, the outcome it closes with."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from registrar_tui.i18n import N_, _, babel_locale
from registrar_tui.screens.widgets.service_call import field_error_id


@dataclass(frozen=True)
class PaymentOutcome:
    """What the payment modal closes with once a payment is posted (None when cancelled)."""

    payment_id: int
    receipt_number: str
    change_due: Decimal | None
    pdf_path: Path | None
    """Where the receipt PDF was saved (None when saving failed: the payment stays posted)."""
    printed: bool
    emailed_to: str | None
    """The payer's address the receipt was queued to (None: no e-mail on file)."""


@dataclass(frozen=True)
class MethodChoice:
    """A payment method as the form offers it: its key, its label, the fields it shows."""

    value: str
    """A `PaymentMethod` value."""
    key: str
    alternative: str
    """A Ctrl key doing the same, for terminals that keep the F-key (F1 lists it); "" when
    none is free."""
    label: str
    """Short, for the footer (translated when shown)."""
    name: str
    """In full, for the method line of the form (translated when shown)."""
    css_class: str
    """Added to the form: its fields are styled visible by it."""


# F-keys, not letters: the focus is always in a text box and a letter would be typed there;
# F2–F6 reach the screen from any box and sit next to F1 (help). Each has a Ctrl key as well
# (a Mac sends F-keys only with fn): one a text box leaves free and that no modal uses
# otherwise (the desk keys are off over a modal). Ctrl+S is every form's "save", so the
# certified cheque, the rarest, takes Ctrl+T (which a browser keeps: F5 reaches the page
# there). The refund form's cash and cheque take the same.
# (Their bindings are the payment screen's: PaymentScreen.BINDINGS.)
METHODS = (
    MethodChoice("cash", "f2", "ctrl+o", N_("Comptant"), N_("Comptant"), "-cash"),
    MethodChoice("debit", "f3", "ctrl+b", N_("Débit"), N_("Débit"), "-debit"),
    MethodChoice("credit_card", "f4", "ctrl+r", N_("Crédit"), N_("Crédit"), "-credit"),
    MethodChoice(
        "certified_cheque", "f5", "ctrl+t", N_("Certifié"), N_("Chèque certifié"), "-certified"
    ),
    MethodChoice("cheque", "f6", "ctrl+g", N_("Chèque"), N_("Chèque"), "-cheque"),
)
METHOD_ALTERNATIVE_KEYS = {method.value: method.alternative for method in METHODS}

PAY_KEYS = "f9,ctrl+g"
"""« Payer » wherever it is offered (family, statement, certificate): F9, or Ctrl+G where
F9 is the terminal's (a Mac without fn), the same second key as F9 at home."""

PRINT_LETTER = "i"
"""« Imprimer » once a document is saved (receipt, day close report, deposit slip): beside
its F-key, I, as the text boxes are closed (or take digits only) by then."""


def method_keys(method: MethodChoice) -> str:
    """The keys of a method as its binding takes them ("f2,ctrl+o")."""
    return f"{method.key},{method.alternative}" if method.alternative else method.key


# Field ids are the service's `DomainError.field` names, so an error lands next to its box.
FIELDS = (
    "amount",
    "amount_tendered",
    "card_brand",
    "card_last4",
    "authorization_number",
    "cheque_number",
    "cheque_bank",
)


def field_row(
    field: str,
    label: str,
    *,
    classes: str = "",
    max_length: int = 0,
    restrict: str | None = None,
    placeholder: str = "",
    with_note: bool = False,
) -> Vertical:
    """A label, a compact box and its note on one line; the field's error on the next."""
    parts: list[Label | Input | Static] = [
        Label(Content(label), classes="field-label"),
        Input(
            id=field,
            compact=True,
            max_length=max_length,
            restrict=restrict,
            placeholder=placeholder,
            classes="field-input",
        ),
    ]
    if with_note:
        parts.append(Static(Content(""), id=f"{field}-note", classes="field-note"))
    return Vertical(
        Horizontal(*parts, classes="field-line"),
        Static(Content(""), id=field_error_id(field), classes="field-message"),
        classes=f"field {classes}".strip(),
    )


def amount_text(amount: Decimal) -> str:
    """An amount as it is typed in a box (`1 275,00` / `1,275.00`): no sign, two decimals."""
    from babel.numbers import format_decimal

    return format_decimal(amount, format="#,##0.00", locale=babel_locale())


def method_keys_line(selected: str) -> Content:
    """`F2 Comptant  F3 Débit …` with the chosen method highlighted."""
    pieces: list[Content | str] = [Content.styled(_("Mode :"), "bold"), " "]
    for method in METHODS:
        text = f" {method.key.upper()} {_(method.name)} "
        style = "bold reverse $accent" if method.value == selected else "$text-muted"
        pieces.append(Content.styled(text, style))
    return Content.assemble(*pieces)


# Where the cursor goes when a method is chosen. Cash first: the clerk types the bills
# handed over and sees the change (the amount is already the selected balance); a card or
# a cheque puts it in the first detail to copy from the slip or the cheque.
FIRST_DETAIL = {
    "cash": "#amount_tendered",
    "debit": "#card_last4",
    "credit_card": "#card_brand",
    "certified_cheque": "#cheque_number",
    "cheque": "#cheque_number",
}
