"""Sign-in: username and password, checked off the UI thread; errors next to the fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.base import AppScreen, KeysFooter

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.staff.auth import StaffIdentity


class LoginScreen(AppScreen):
    """The first screen: who is at the counter."""

    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#username"
    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding runs while the key is read, so focus moves to the password box
        # before the next typed key arrives (typing ahead, pasting "name⏎password⏎").
        Binding(
            "enter",
            "submit",
            N_("Se connecter"),
            id="login.submit",
            tooltip=N_("Vérifier le mot de passe"),
            priority=True,
        ),
        Binding("tab", "app.focus_next", N_("Champ suivant"), show=False, id="login.next-field"),
        Binding(
            "shift+tab",
            "app.focus_previous",
            N_("Champ précédent"),
            show=False,
            id="login.previous-field",
        ),
    ]

    holds_typed_keys = False
    line_feed_is_enter = True
    """A sign-in typed before the program started reaches this screen with its Enter as a
    line feed (the terminal's line editing): screens/session/typeahead.py."""
    """True while a password is being checked: keys typed meanwhile wait for the screen
    that comes next (the search box after a sign-in), see screens/session/typeahead.py."""

    @dataclass
    class SignedIn(Message):
        """The password was right: the app moves on to the search screen."""

        identity: StaffIdentity

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static(Content(_("Registrar TUI · Connexion")), id="login-title")
            yield Label(Content(_("Nom d'utilisateur")), classes="field-label")
            yield Input(id="username", placeholder=_("ex. : mtremblay"), max_length=64)
            yield Static(Content(""), id="username-message", classes="field-message")
            yield Label(Content(_("Mot de passe")), classes="field-label")
            yield Input(id="password", password=True, max_length=256)
            yield Static(Content(""), id="password-message", classes="field-message")
            yield Static(
                Content(_("Entrée pour vous connecter.")), id="login-status", classes="status"
            )
        yield KeysFooter()

    def _show_message(self, field: str, text: str) -> None:
        message = self.query_one(f"#{field}-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#login-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def show_database_error(self, error: DomainError) -> None:
        """The database cannot be used (e.g. its schema is out of date): say what to do."""
        self._show_status(error.translated(), error=True)

    class SubmitRequested(Message):
        """Enter, queued behind the keys the focused box has not handled yet."""

    def action_submit(self) -> None:
        """Enter: from the username to the password, then sign in."""
        password = self.query_one("#password", Input)
        if self.focused is self.query_one("#username", Input) and not password.value:
            self.set_focus(password)
        else:
            # Read the boxes only once they have handled every key typed before Enter.
            (self.focused or self).post_message(self.SubmitRequested())

    @on(SubmitRequested)
    def _submit_requested(self, event: SubmitRequested) -> None:
        event.stop()
        self._submit()

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id:
            self._show_message(event.input.id, "")

    def _submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        self._show_message("username", "")
        self._show_message("password", "")
        if not username:
            self._show_message("username", _("Entrez votre nom d'utilisateur."))
            self.set_focus(self.query_one("#username", Input))
            return
        if not password:
            self._show_message("password", _("Entrez votre mot de passe."))
            self.set_focus(self.query_one("#password", Input))
            return
        self._show_status(_("Vérification…"))
        self.holds_typed_keys = True
        self._check_password(username, password)

    def _check_password(self, username: str, password: str) -> None:
        def sign_in(backend: Backend) -> StaffIdentity:
            # Opened first: a sign-in typed ahead comes while the start-up worker still
            # opens the database, and two threads importing the database layer at once
            # fail ("partially initialized module 'sqlalchemy.engine'"); this one waits
            # for the other (the backend's lock) and then finds it imported.
            backend.database()
            from registrar_tui.services.staff.auth import authenticate

            return backend.write(authenticate, username, password)

        self.call_service(sign_in, self._signed_in, group="login")

    def _signed_in(self, identity: StaffIdentity) -> None:
        # The app switches to the counter; the password must not linger in this screen.
        with self.query_one("#password", Input).prevent(Input.Changed):
            self.query_one("#password", Input).value = ""
        self._show_status(_("Entrée pour vous connecter."))
        self.post_message(self.SignedIn(identity))

    def on_screen_resume(self) -> None:
        self.holds_typed_keys = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group == "login" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self.holds_typed_keys = False
            if event.state is WorkerState.ERROR:
                # The app's one handler says what happened; this line no longer waits.
                self._show_status(
                    _("La vérification n'a pas abouti : réessayez dans un moment."), error=True
                )

    def show_refusal(self, error: DomainError) -> None:
        """The sign-in was refused (wrong password, locked account, database not ready):
        under the field it is about, else on the status line."""
        self.holds_typed_keys = False
        field = error.field if error.field in ("username", "password") else None
        if field is None:
            self._show_status(error.translated(), error=True)
            return
        self._show_status(_("Entrée pour vous connecter."))
        self._show_message(field, error.translated())
        password = self.query_one("#password", Input)
        # Clearing the field must not count as typing (which hides the message).
        with password.prevent(Input.Changed):
            password.value = ""
        self.set_focus(self.query_one(f"#{field}", Input))
