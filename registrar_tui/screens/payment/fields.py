"""The payment form's pieces: methods and their keys, field rows, the outcome it closes with."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from registrar_tui.i18n import N_, _, babel_locale

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.ledger.receipts import PostedPayment


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
    label: str
    """Short, for the footer (translated when shown)."""
    name: str
    """In full, for the method line of the form (translated when shown)."""
    css_class: str
    """Added to the form: its fields are styled visible by it."""


# F-keys, not letters: the focus is always in a text box and a letter would be typed there;
# F2–F6 reach the screen from any box, sit next to F1 (help) and every terminal sends them.
METHODS = (
    MethodChoice("cash", "f2", N_("Comptant"), N_("Comptant"), "-cash"),
    MethodChoice("debit", "f3", N_("Débit"), N_("Débit"), "-debit"),
    MethodChoice("credit_card", "f4", N_("Crédit"), N_("Crédit"), "-credit"),
    MethodChoice("certified_cheque", "f5", N_("Certifié"), N_("Chèque certifié"), "-certified"),
    MethodChoice("cheque", "f6", N_("Chèque"), N_("Chèque"), "-cheque"),
)

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
        Static(Content(""), id=f"{field}-message", classes="field-message"),
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


METHOD_GROUP = Binding.Group(N_("Mode"))

PAYMENT_BINDINGS: list[BindingType] = [
    # Enter is read before the focused box takes it (priority), so it shows in the
    # footer; the first of these two bindings whose action is allowed runs.
    Binding(
        "enter",
        "confirm",
        N_("Confirmer"),
        id="payment.confirm",
        tooltip=N_("Enregistrer le paiement et son reçu"),
        priority=True,
    ),
    Binding(
        "enter", "close", N_("Fermer"), id="payment.close", tooltip=N_("Fermer"), priority=True
    ),
    Binding(
        "escape",
        "cancel",
        N_("Annuler"),
        id="payment.cancel",
        tooltip=N_("Fermer sans rien enregistrer"),
    ),
    Binding("escape", "close", N_("Fermer"), id="payment.escape", tooltip=N_("Fermer")),
    *(
        Binding(
            method.key,
            f"method('{method.value}')",
            method.label,
            id=f"payment.method-{method.value}",
            tooltip=N_("Changer le mode de paiement"),
            # The form names each key ("Mode : F2 Comptant …"): the footer groups them
            # ("f2 f3 f4 f5 f6 Mode"), so that f1 Aide fits at 80 columns.
            group=METHOD_GROUP,
        )
        for method in METHODS
    ),
    Binding(
        "f7",
        "print_receipt",
        N_("Imprimer"),
        id="payment.print",
        tooltip=N_("Envoyer le reçu à l'imprimante"),
    ),
]


def hand_over_receipt(
    backend: Backend, posted: PostedPayment
) -> tuple[Path | None, str | None, tuple[str, ...]]:
    """After posting (in the worker): the receipt PDF saved, then queued by e-mail.

    Returns (saved path, e-mail recipient, translated problems). A failure here never
    undoes the payment: it is reported, and the receipt can be reprinted from the family.
    """
    from registrar_tui.reports.documents import CopyKind
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.documents.build import receipt_pdf
    from registrar_tui.services.documents.output import output_settings, save_pdf
    from registrar_tui.services.outbox.queue import queue_receipt_email

    problems: list[str] = []
    path: Path | None = None
    emailed: str | None = None
    try:
        # The receipt handed over at the counter is in the family's language (None).
        document = backend.read(
            receipt_pdf, posted.payment_id, copy=CopyKind.ORIGINAL, language=None
        )
    except DomainError as error:
        return None, None, (error.translated(),)
    try:
        path = save_pdf(output_settings(), document)
    except DomainError as error:
        problems.append(error.translated())
    try:
        emailed = backend.write(queue_receipt_email, posted.payment_id, document)
    except DomainError as error:
        problems.append(error.translated())
    return path, emailed, tuple(problems)


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
