"""The attendance certificate at the counter: request it, have it paid, hand it over.

What a family does (request, pay, then receive): `f` bills the term's certificate fee to
the family, F9 takes its payment on the payment screen, Enter hands the certificate over
(saved under `certificates/` and printed when the terminal has a printer). Handing it over
before it is paid is the clerk's choice, asked for once (`o`/`n`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from registrar_tui.i18n import N_, _, format_money
from registrar_tui.screens.payment.fields import PAY_KEYS
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_content

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.screens.widgets.pdf_output import SavedPdf
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.certificate import (
        CertificateRequest,
        CertificateRequested,
        CertificateStatus,
    )


class CertificateScreen(AppModalScreen[bool]):
    """One student's certificate for the current term; dismisses True when it billed or
    handed something over (the record is read again)."""

    CSS_PATH = "certificate.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding("f", "request", N_("Facturer"), id="certificate.request",
                tooltip=N_("Facturer l'attestation à la famille (à payer avant de la remettre)")),
        Binding(PAY_KEYS, "pay", N_("Payer"), id="certificate.pay",
                tooltip=N_("Payer la facture de l'attestation")),
        Binding("enter", "issue", N_("Remettre"), id="certificate.issue",
                tooltip=N_("Remettre l'attestation : l'enregistrer en PDF et l'imprimer")),
        Binding("escape", "close", N_("Fermer"), id="certificate.close", tooltip=N_("Fermer")),
    ]  # fmt: skip

    def __init__(self, student_id: int, student_name: str) -> None:
        super().__init__()
        self.student_id = student_id
        self._student_name = student_name
        self.status: CertificateStatus | None = None
        """The certificate as last read (None while loading)."""
        self._changed = False
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="certificate-box"):
            yield Static(Content(_("Attestation de fréquentation")), id="certificate-title")
            yield Static(user_content(self._student_name, "bold"), id="certificate-subject")
            yield Static(Content(_("Chargement…")), id="certificate-state")
            yield Static(Content(""), id="certificate-message")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        student_id = self.student_id

        def read(backend: Backend) -> CertificateStatus:
            from registrar_tui.services.records.certificate import certificate_status

            return backend.read(certificate_status, student_id)

        self.call_service(read, self._show, group="certificate")

    def _show(self, status: CertificateStatus) -> None:
        self.status = status
        self._busy = False
        term = status.term_code or "—"
        self.query_one("#certificate-title", Static).update(
            Content.assemble(
                (_("Attestation de fréquentation"), "bold"), " · ", user_content(term, "bold")
            )
        )
        self.query_one("#certificate-state", Static).update(Content(_state_text(status)))
        self.refresh_bindings()

    def show_refusal(self, error: DomainError) -> None:
        """Refusals show on the dialog's message line."""
        self._busy = False
        self._say(error.translated(), error=True)
        self.refresh_bindings()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.query_one("#certificate-message", Static).update(
            Content.styled(text, "bold $text-error" if error else "bold $text-success")
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self.status
        if action not in ("request", "pay", "issue"):
            return True
        if status is None or self._busy:
            return None if action == "issue" else False
        request = status.request
        if action == "request":
            return request is None and status.enrolled and status.fee is not None
        if action == "pay":
            return request is not None and not request.is_paid
        return request is not None

    # ------------------------------------------------------------------ request

    def action_request(self) -> None:
        if self.check_action("request", ()) is not True:
            return
        self._busy = True
        self.refresh_bindings()
        student_id = self.student_id

        def request(backend: Backend) -> CertificateRequested:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.certificate import request_certificate

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(request_certificate, actor_id=identity.id, student_id=student_id)

        self.call_service(request, self._requested, group="certificate-write", exclusive=False)

    def _requested(self, requested: CertificateRequested) -> None:
        self._changed = True
        self._say(
            _("Attestation facturée : {number} ({fee}).").format(
                number=requested.invoice_number, fee=format_money(requested.fee)
            )
        )
        self._load()

    # ------------------------------------------------------------------ pay

    def action_pay(self) -> None:
        from registrar_tui.screens.payment.screen import PaymentScreen

        status = self.status
        if status is None or status.request is None or status.request.is_paid:
            return

        def paid(_outcome: object) -> None:
            self._changed = True
            self._say("")
            self._load()

        self.app.push_screen(PaymentScreen(status.family_id, (status.request.invoice_id,)), paid)

    # ------------------------------------------------------------------ hand over

    def action_issue(self) -> None:
        status = self.status
        if status is None or status.request is None or self._busy:
            return
        request = status.request
        if request.is_paid:
            self._issue(request.invoice_id, before_payment=False)
            return
        from registrar_tui.screens.desk.modals import ConfirmScreen

        question = _(
            "La facture {number} n'est pas payée ({balance} à payer). "
            "Remettre l'attestation sans attendre le paiement ?"
        ).format(number=request.invoice_number, balance=format_money(request.balance))

        def answered(yes: bool | None) -> None:
            if yes:
                self._issue(request.invoice_id, before_payment=True)

        self.app.push_screen(ConfirmScreen(_("Attestation non payée"), question), answered)

    def _issue(self, invoice_id: int, *, before_payment: bool) -> None:
        self._busy = True
        self.refresh_bindings()

        def issue(backend: Backend) -> tuple[CertificateRequest, SavedPdf]:
            from registrar_tui.screens.widgets.pdf_output import save_and_print
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.certificate import (
                certificate_pdf,
                issue_certificate,
            )

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            handed = backend.write(
                issue_certificate,
                actor_id=identity.id,
                invoice_id=invoice_id,
                before_payment=before_payment,
            )
            return handed, save_and_print(backend, certificate_pdf, invoice_id)

        self.call_service(issue, self._issued, group="certificate-write", exclusive=False)

    def _issued(self, answer: tuple[CertificateRequest, SavedPdf]) -> None:
        handed, saved = answer
        self._changed = True
        text = _("Attestation remise ({number}). PDF enregistré : {path}").format(
            number=handed.invoice_number, path=saved.path
        )
        self._say(text)
        self.notify(text, markup=False, timeout=8)
        if saved.print_error is not None:
            self.notify(saved.print_error.translated(), severity="error", markup=False)
        self._load()

    def action_close(self) -> None:
        self.dismiss(self._changed)


def _state_text(status: CertificateStatus) -> str:
    """Where the certificate stands, and what the next key does."""
    request = status.request
    if status.term_code is None or not status.enrolled:
        return _("L'élève ne suit aucun cours cette session : pas d'attestation possible.")
    if status.fee is None and request is None:
        return _("Le barème de la session n'a pas de frais d'attestation.")
    if request is None:
        assert status.fee is not None
        return _(
            "Frais : {fee}, facturés à la famille. f : facturer (remise une fois payée)."
        ).format(fee=format_money(status.fee))
    if not request.is_paid:
        return _(
            "Facture {number} : {balance} à payer. F9 : payer · Entrée : remettre sans attendre."
        ).format(number=request.invoice_number, balance=format_money(request.balance))
    if request.issued:
        return _(
            "Facture {number} payée; attestation déjà remise. Entrée : remettre une copie."
        ).format(number=request.invoice_number)
    return _("Facture {number} payée. Entrée : remettre l'attestation.").format(
        number=request.invoice_number
    )
