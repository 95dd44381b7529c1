"""The one way a screen or a widget calls a service: off the UI thread, answer posted back.

    def _load(self) -> None:
        def fetch(backend: Backend) -> InvoiceDetail:
            from registrar_tui.services.ledger.invoice_detail import invoice_detail

            return backend.read(invoice_detail, self.invoice_id)

        self.call_service(fetch, self._show, group="invoice")

`fetch` runs in a thread worker (the service module is imported there, off the UI
thread, as start-up speed wants). Its result comes back to `done` on the UI thread; a
`DomainError` goes to `refused` when given, else to the caller's `show_refusal`, which
puts the message under the field it names (a `#<field>-error` widget of the screen) or,
failing that, in a notice. Any other exception reaches the app's one handler
(`WorkFailed`). An exclusive call superseded by a newer one in its group delivers
nothing, so a slow answer never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError

T = TypeVar("T")


class _HasBackend(Protocol):
    backend: Backend


class ServiceReply(Message):
    """A service's answer (or refusal), delivered on the UI thread to whoever asked."""

    def __init__(self, deliver: Callable[[], object]) -> None:
        super().__init__()
        self.deliver = deliver


def field_error_id(field: str) -> str:
    """The id of the widget that shows a refusal about `field` (`amount-error`)."""
    return f"{field.replace('.', '-').replace('_', '-')}-error"


class ServiceCaller:
    """Mixed into the app's screens and into widgets that call services themselves."""

    @property
    def backend(self) -> Backend:
        """The app's backend (open database, signed-in user)."""
        return cast(_HasBackend, cast(Widget, self).app).backend

    def call_service(
        self,
        call: Callable[[Backend], T],
        done: Callable[[T], object] | None = None,
        *,
        group: str,
        exclusive: bool = True,
        refused: Callable[[DomainError], object] | None = None,
    ) -> Worker[None]:
        """Run `call(backend)` in a thread worker; hand its result to `done` (UI thread).

        A `DomainError` goes to `refused`, or to `show_refusal` when none is given.
        """
        node = cast(Widget, self)
        backend = self.backend
        on_refusal = refused if refused is not None else self.show_refusal

        def work() -> None:
            from registrar_tui.services.core.errors import DomainError

            worker = get_current_worker()
            try:
                result = call(backend)
            except DomainError as error:
                refusal = error  # `error` itself is unbound when the except block ends
                if not worker.is_cancelled:
                    node.post_message(ServiceReply(lambda: on_refusal(refusal)))
                return
            if done is not None and not worker.is_cancelled:
                node.post_message(ServiceReply(lambda: done(result)))

        return node.run_worker(
            work, thread=True, exclusive=exclusive, group=group, exit_on_error=False
        )

    def on_service_reply(self, event: ServiceReply) -> None:
        event.stop()
        event.deliver()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected worker error goes to the app's one handler (`WorkFailed`).

        Textual's message does not bubble: a widget that calls services forwards it as a
        screen does, or the error would be lost.
        """
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            from registrar_tui.screens.widgets.base import WorkFailed  # base imports this module

            cast(Widget, self).post_message(WorkFailed(event.worker.error))

    def show_refusal(self, error: DomainError) -> None:
        """Say why the service refused: under its field when there is one, else a notice."""
        message = error.translated()
        node = cast(Widget, self)
        if error.field:
            try:
                target = node.screen.query_one(f"#{field_error_id(error.field)}", Static)
            except NoMatches:
                pass
            else:
                target.update(Content.styled(message, "bold $text-error"))
                target.display = True
                return
        node.notify(message, severity="error", markup=False)

    def clear_refusal(self, field: str) -> None:
        """Empty the line under `field` (the person corrected it)."""
        node = cast(Widget, self)
        for target in node.screen.query(f"#{field_error_id(field)}").results(Static):
            target.update(Content(""))
