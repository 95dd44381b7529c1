"""The idle lock: a terminal left without a key locks behind a screen that shows no record.

`IdleLockApp` is the app's base: it notes the time of every key, click and scroll on
the backend's clock, checks it every few seconds (`check_idle_lock`, which tests call after
advancing a fake clock) and, once the wait is over, switches to a mode of its own
holding only the `LockScreen`: every screen of the counter, modals included, is out of
sight, and the notifications that would name a family are held back.

The same user's password resumes the counter exactly where it was. Another user
(F2) signs in instead: the counter restarts from the search with the new identity.
Wrong passwords count toward the account's lock-out (services/staff/screen_lock.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from registrar_tui.i18n import N_, _, elide, elided_template
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppScreen, WorkFailed, user_content

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.staff.auth import StaffIdentity
    from registrar_tui.services.staff.screen_lock import Unlocked as ScreenUnlocked

IDLE_CHECK_SECONDS = 10.0
"""How often the wait is checked: the lock comes at most this late."""
DEFAULT_IDLE_MINUTES = 15
"""Until the shared setting is read (services/staff/screen_lock.py has the rule)."""
LOCK_MODE = "lock"
_ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
"""What counts as someone at the terminal (a mouse merely passing over does not)."""


class LockScreen(AppScreen):
    """Covers the whole terminal: who is locked out, and a password box."""

    CSS_PATH = "lock.tcss"
    AUTO_FOCUS = "#lock-password"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        # Priority, as on the sign-in screen: Enter moves from the name to the password.
        Binding(
            "enter",
            "submit",
            N_("Déverrouiller"),
            id="lock.submit",
            tooltip=N_("Vérifier le mot de passe"),
            priority=True,
        ),
        # Ctrl+O (« un autre ») as well: the password box would take a letter.
        Binding(
            "f2,ctrl+o",
            "switch_user",
            N_("Changer d'utilisateur"),
            id="lock.switch-user",
            tooltip=N_("Un autre membre du personnel se connecte (retour à la recherche)"),
        ),
        Binding(
            "escape",
            "same_user",
            N_("Retour"),
            id="lock.same-user",
            tooltip=N_("Déverrouiller avec le mot de passe de l'utilisateur verrouillé"),
        ),
    ]

    @dataclass
    class Unlocked(Message):
        """A password was right: the app resumes (same user) or restarts (another one)."""

        identity: StaffIdentity
        resumed: bool

    def __init__(self, locked: StaffIdentity, minutes: int) -> None:
        super().__init__()
        self.locked = locked
        self.minutes = minutes
        self.switching = False
        """True while another user types their name and password."""

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Static(Content(_("Registrar TUI · Écran verrouillé")), id="lock-title")
            reason = _("Verrouillé après {minutes} min sans activité.")
            yield Static(Content(reason.format(minutes=self.minutes)), id="lock-reason")
            yield Static(self._who(), id="lock-user")
            yield Label(Content(_("Nom d'utilisateur")), id="lock-username-label")
            yield Input(id="lock-username", max_length=64)
            yield Label(Content(_("Mot de passe")), classes="field-label")
            yield Input(id="lock-password", password=True, max_length=256)
            yield Static(Content(""), id="lock-message")
            yield Static(Content(""), id="lock-status")
        yield Footer(show_command_palette=False)

    def _who(self) -> Content:
        # Staff names are user data too: between the halves of the translated sentence.
        sentence = elided_template(_("Session de {name}"), name=self.locked.full_name)
        before, _name, after = sentence.partition("{name}")
        return Content.assemble(
            before,
            user_content(self.locked.full_name, "bold"),
            " (",
            user_content(self.locked.username),
            ")",
            after,
        )

    def on_mount(self) -> None:
        self._show_mode()

    def _show_mode(self) -> None:
        self.set_class(self.switching, "-switching")
        self._show_message("")
        if self.switching:
            status = _("Nom et mot de passe de l'autre utilisateur · Échap : retour")
            self.query_one("#lock-username", Input).focus()
        else:
            status = elide(
                _("Mot de passe de {name} · F2 ou Ctrl+O : changer d'utilisateur"),
                name=self.locked.username,
            )
            self.query_one("#lock-password", Input).focus()
        self.query_one("#lock-status", Static).update(Content(status))
        self.refresh_bindings()

    def _show_message(self, text: str) -> None:
        message = self.query_one("#lock-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_user":
            return not self.switching
        if action == "same_user":
            return self.switching
        return True

    def action_switch_user(self) -> None:
        self.switching = True
        self._clear_password()
        self._show_mode()

    def action_same_user(self) -> None:
        self.switching = False
        self._clear_password()
        with self.query_one("#lock-username", Input).prevent(Input.Changed):
            self.query_one("#lock-username", Input).value = ""
        self._show_mode()

    def _clear_password(self) -> None:
        password = self.query_one("#lock-password", Input)
        with password.prevent(Input.Changed):
            password.value = ""

    @on(Input.Changed)
    def _typing(self) -> None:
        self._show_message("")

    class SubmitRequested(Message):
        """Enter, queued behind the keys the focused box has not handled yet."""

    def action_submit(self) -> None:
        username = self.query_one("#lock-username", Input)
        password = self.query_one("#lock-password", Input)
        if self.switching and self.focused is username and not password.value:
            self.set_focus(password)
        else:
            (self.focused or self).post_message(self.SubmitRequested())

    @on(SubmitRequested)
    def _submit(self, event: SubmitRequested) -> None:
        event.stop()
        username = (
            self.query_one("#lock-username", Input).value.strip()
            if self.switching
            else self.locked.username
        )
        password = self.query_one("#lock-password", Input).value
        if self.switching and not username:
            self._show_message(_("Entrez votre nom d'utilisateur."))
            self.query_one("#lock-username", Input).focus()
            return
        if not password:
            self._show_message(_("Entrez votre mot de passe."))
            self.query_one("#lock-password", Input).focus()
            return
        self.query_one("#lock-status", Static).update(Content(_("Vérification…")))
        self._unlock(username, password)

    def _unlock(self, username: str, password: str) -> None:
        locked_id = self.locked.id

        def unlock(backend: Backend) -> ScreenUnlocked | str:
            """The unlocked session, or the name of an unexpected error (shown here:
            notifications are held while locked); a refusal is raised."""
            from registrar_tui.services.core.errors import DomainError
            from registrar_tui.services.staff.screen_lock import unlock_screen

            try:
                return backend.write(unlock_screen, locked_id, username, password)
            except Exception as error:
                if isinstance(error, DomainError):
                    raise
                return type(error).__name__

        self.call_service(unlock, self._unlocked, group="lock")

    def _unlocked(self, outcome: ScreenUnlocked | str) -> None:
        if isinstance(outcome, str):
            self._refused(_("Erreur inattendue : {error}").format(error=outcome))
        else:
            self.post_message(self.Unlocked(outcome.identity, outcome.resumed))

    def show_refusal(self, error: DomainError) -> None:
        """Wrong password, locked account, or the database could not be reached."""
        self._refused(error.translated())

    def _refused(self, text: str) -> None:
        self._clear_password()
        self._show_mode()
        self._show_message(text)


class IdleLockApp(App[None]):
    """Base of the app: locks the terminal after `idle_minutes` without a key."""

    HOME_MODE: ClassVar[str] = "counter"
    """The mode a new user starts in (a fresh one, the previous user's screens closed)."""
    backend: Backend

    @dataclass
    class IdleMinutesRead(Message):
        """The wait configured for this terminal, read from the database."""

        minutes: int

    def __init__(self) -> None:
        super().__init__()
        self.idle_minutes = DEFAULT_IDLE_MINUTES
        self.locked_identity: StaffIdentity | None = None
        """Who was signed in when the terminal locked; None while unlocked."""
        self._last_activity: datetime | None = None
        self._held: list[tuple[str, str, SeverityLevel, float | None, bool]] = []

    @property
    def is_locked(self) -> bool:
        return self.locked_identity is not None

    def on_mount(self) -> None:
        self.set_interval(IDLE_CHECK_SECONDS, self.check_idle_lock, name="idle-lock")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY) and not event.is_forwarded:
            self._last_activity = self.backend.now()
        await super().on_event(event)

    def start_idle_watch(self) -> None:
        """At sign-in: the wait starts now, with this terminal's configured length."""
        self._last_activity = self.backend.now()
        self._read_idle_minutes()

    @work(thread=True, exclusive=True, group="idle-lock", exit_on_error=False)
    def _read_idle_minutes(self) -> None:
        from registrar_tui.services.core.errors import DomainError
        from registrar_tui.services.staff.screen_lock import idle_minutes

        try:
            self.post_message(self.IdleMinutesRead(self.backend.read(idle_minutes)))
        except DomainError as error:
            self.post_message(WorkFailed(error))

    @on(IdleMinutesRead)
    def _idle_minutes_read(self, event: IdleMinutesRead) -> None:
        self.idle_minutes = event.minutes

    def push_screen(
        self,
        screen: Screen[Any] | str,
        callback: Any = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> Any:
        """While locked, a screen asked for (a worker finishing, a late key) goes on the
        counter underneath: only the same user sees it, after unlocking; another user's
        sign-in closes it with the rest of the counter. The help stays available."""
        if mode is None and self.is_locked and not getattr(screen, "SHOWN_WHILE_LOCKED", False):
            mode = self.HOME_MODE
        push: Any = super().push_screen  # one call for both of Textual's overloads
        return push(screen, callback, wait_for_dismiss, mode=mode)

    def check_idle_lock(self) -> bool:
        """Lock now if the signed-in user left the terminal long enough ago (True if so)."""
        identity = self.backend.identity
        if identity is None or self.is_locked or self._last_activity is None:
            return False
        if self.backend.now() - self._last_activity < timedelta(minutes=self.idle_minutes):
            return False
        self._lock(identity)
        return True

    def _lock(self, identity: StaffIdentity) -> None:
        self.locked_identity = identity
        minutes = self.idle_minutes
        # A toast still on screen may name a family: gone before the lock shows.
        self.clear_notifications()
        self.add_mode(LOCK_MODE, lambda: LockScreen(identity, minutes))
        self.switch_mode(LOCK_MODE)
        self._audit_lock(identity.id, minutes)

    @work(thread=True, group="idle-lock-audit", exit_on_error=False)
    def _audit_lock(self, user_id: int, minutes: int) -> None:
        from registrar_tui.services.staff.screen_lock import record_idle_lock

        try:
            self.backend.write(record_idle_lock, user_id, minutes)
        except Exception as error:  # the one app handler shows it
            self.post_message(WorkFailed(error))

    @on(LockScreen.Unlocked)
    async def _unlocked(self, event: LockScreen.Unlocked) -> None:
        held, self._held = self._held, []
        self.backend.identity = event.identity
        self.locked_identity = None
        if not event.resumed:
            # Nothing of the previous user's work stays open for the next one.
            held = []
            await self.remove_mode(self.HOME_MODE)
            self.add_mode(self.HOME_MODE, self.MODES[self.HOME_MODE])
        await self.switch_mode(self.HOME_MODE)
        await self.remove_mode(LOCK_MODE)
        self.start_idle_watch()
        for message, title, severity, timeout, markup in held:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """While locked, notifications wait for the same user (a saved record names it)."""
        if self.is_locked:
            self._held.append((message, title, severity, timeout, markup))
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
