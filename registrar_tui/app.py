"""The Textual application: screens, global keys and the one error handler.

Start-up is a feature: this module and the login screen import nothing from the database
layer. The database is opened (and its schema checked) in a thread worker once the login
screen has painted; the other screens are imported when first shown.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen, Screen

from registrar_tui.i18n import N_, _, set_language
from registrar_tui.screens.session.desk_screens import (
    DAY_CLOSE_KEYS,
    DESK_KEYS,
    DESK_SCREENS,
    GOTO_KEY,
    GOTO_LETTERS,
    OpenDesk,
    desk_keys,
)
from registrar_tui.screens.session.frame_diff import ChangedCellsApp
from registrar_tui.screens.session.lock import IdleLockApp
from registrar_tui.screens.session.login import LoginScreen
from registrar_tui.screens.session.too_small import TooSmallScreen, too_small
from registrar_tui.screens.session.typeahead import TypeAheadApp
from registrar_tui.screens.widgets.backend import Backend
from registrar_tui.screens.widgets.base import WorkFailed
from registrar_tui.screens.widgets.textual_fixes import apply as apply_textual_fixes

apply_textual_fixes()

if TYPE_CHECKING:
    from textual.command import Provider

    from registrar_tui.db import Clock, Database
    from registrar_tui.screens.counter.family import FamilyScreen

STARTUP_PROBE_ENV = "REGISTRAR_TUI_STARTUP_PROBE"
SPARE_FAMILY = "spare-family"
"""The name the kept family screen is installed under (`RegistrarApp.open_family`)."""
RECYCLE_DELAY = 0.05
"""Seconds after a family screen closes before it is emptied: home is drawn first."""
"""When set to a file path, the app writes the time its first screen painted there and
exits (used by `make bench` to measure start-up)."""


def _screen_binds(screen: Screen[Any], key: str) -> bool:
    """Whether the screen itself has a binding for `key`."""
    return any(
        isinstance(binding, Binding) and key in binding.key.split(",")
        for binding in screen.BINDINGS
    )


def _search_screen() -> Screen[None]:
    from registrar_tui.screens.counter.search import SearchScreen

    return SearchScreen()


def _records_provider() -> type[Provider]:
    from registrar_tui.screens.session.palette import RecordsProvider

    return RecordsProvider


def _screen_commands_provider() -> type[Provider]:
    from registrar_tui.screens.session.palette import ScreenCommandsProvider

    return ScreenCommandsProvider


class RegistrarApp(IdleLockApp, TypeAheadApp, ChangedCellsApp):
    """Counter and registrar application: sign in, search, open a family.

    Its bases lock the terminal after a while without a key (screens/session/lock.py) and
    hand typed keys over in order, none lost while a screen composes
    (screens/session/typeahead.py), and send the terminal only the cells that changed
    (screens/session/frame_diff.py).
    """

    TITLE = "Registrar TUI"
    # The login screen is the default screen, and its styles are parsed with the app's at
    # start-up: a mode as first screen would parse every stylesheet twice (slower start).
    CSS_PATH = "screens/session/login.tcss"
    ENABLE_COMMAND_PALETTE = True
    # Ours only: Textual's system commands (theme, screenshot…) are English, not counter work.
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        _records_provider,
        _screen_commands_provider,
    }
    # After signing in: the counter (search at the bottom, records pushed on top of it).
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {"counter": _search_screen}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+f",
            "search",
            N_("Rechercher"),
            id="app.search",
            tooltip=N_("Revenir à la recherche"),
            priority=True,
        ),
        Binding("slash", "search", N_("Rechercher"), show=False, id="app.search-slash"),
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commandes"),
            show=False,
            id="app.palette",
            tooltip=N_("Aller à une famille, un élève ou une commande"),
            priority=True,
        ),
        Binding(
            DAY_CLOSE_KEYS,
            "day_close",
            N_("Fermeture de caisse"),
            id="app.day-close",
            tooltip=N_("Totaux, comptant compté, rapport PDF"),
            show=False,
        ),
        Binding(
            desk_keys("pending"),
            "desk('pending')",
            N_("À valider"),
            id="app.pending",
            tooltip=N_("Modifications et réinscriptions soumises par les familles"),
            show=False,
        ),
        Binding(
            desk_keys("activities"),
            "desk('activities')",
            N_("Activités"),
            id="app.activities",
            tooltip=N_("Sorties et campagnes de financement, inscriptions"),
            show=False,
        ),
        Binding(
            desk_keys("school_year"),
            "desk('school_year')",
            N_("Année scolaire"),
            id="app.school-year",
            tooltip=N_("Sessions, groupes-cours, report des groupes"),
            show=False,
        ),
        Binding(
            desk_keys("fees"),
            "desk('fees')",
            N_("Frais de session"),
            id="app.term-fees",
            tooltip=N_("Frais de confirmation tardive d'une session"),
            show=False,
        ),
        Binding(
            desk_keys("office"),
            "desk('office')",
            N_("Bureau"),
            id="app.office",
            tooltip=N_("Tableau de bord : encaissements, comptes à recevoir, demandes, caisses"),
            show=False,
        ),
        Binding(
            desk_keys("audit"),
            "desk('audit')",
            N_("Audit"),
            id="app.audit",
            tooltip=N_("Journal d'audit : qui a fait quoi"),
            show=False,
        ),
        # Not priority: a TextArea (none of ours has one) would keep Ctrl+Y for redo.
        Binding(
            GOTO_KEY,
            "goto",
            N_("Aller à…"),
            id="app.goto",
            tooltip=N_("Les écrans du bureau, une lettre chacun"),
            show=False,
        ),
        # Ctrl+L as well: GNOME Terminal opens its own help on F1 (and Macs need fn).
        Binding(
            "f1,ctrl+l",
            "help",
            N_("Aide"),
            id="app.help",
            tooltip=N_("Touches de cet écran"),
            priority=True,
        ),
        Binding("question_mark", "help", N_("Aide"), show=False, id="app.help-question"),
        Binding(
            "ctrl+q",
            "quit",
            N_("Quitter"),
            id="app.quit",
            tooltip=N_("Fermer l'application"),
            priority=True,
            # Listed by F1 and on the sign-in screen; the footers keep room for the counter.
            show=False,
        ),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.startup_probe: Path | None = None
        """Set by `run_app` from $REGISTRAR_TUI_STARTUP_PROBE."""
        self._stop_delivering: Callable[[], None] | None = None
        """In a browser: stops sending the documents saved as downloads."""
        self.listed_screen: Screen[Any] | None = None
        """The screen whose keys F1 or the palette is reading (`listed_keys`): its keys are
        allowed as on that screen, not as on the help or palette modal above it."""
        self._key_displays: dict[tuple[str, str | None, str | None, str], str] = {}
        """`get_key_display`'s answers, by key, own display, id and language."""
        self._spare_family: FamilyScreen | None = None
        """The family screen kept once closed, to show the next family (`open_family`)."""

    def get_key_display(self, binding: Binding) -> str:
        """A key as the footer and F1 show it, in the UI language ("échap", "espace")."""
        from registrar_tui.i18n import current_language
        from registrar_tui.screens.widgets.library_words import key_display

        # Read a dozen times per key each time a footer is laid out: computed once.
        memo_key = (binding.key, binding.key_display, binding.id, current_language())
        shown = self._key_displays.get(memo_key)
        if shown is None:
            shown = key_display(binding, super().get_key_display(binding))
            self._key_displays[memo_key] = shown
        return shown

    def action_help_quit(self) -> None:
        """Ctrl+C where nothing copies (Textual's says "Press ^q to quit the app")."""
        self.notify(_("Ctrl+Q pour quitter l'application."), title=_("Quitter ?"), markup=False)

    def get_default_screen(self) -> Screen[None]:
        return LoginScreen()

    def on_mount(self) -> None:
        if self.is_web:  # registrar-tui serve-web: documents saved reach the browser too
            from registrar_tui.screens.widgets.pdf_output import send_saved_documents_to_browser

            self._stop_delivering = send_saved_documents_to_browser(
                self, lambda: self.backend.identity is not None
            )
        self.call_after_refresh(self._first_paint)

    def _first_paint(self) -> None:
        if self.startup_probe is not None:
            self.startup_probe.write_text(f"{time.time()}\n")
            self.exit()
            return
        self._check_size(self.size)
        self._open_database()

    def on_resize(self, event: events.Resize) -> None:
        # Called before Textual's own handler: `self.size` is still the old size here.
        self._check_size(event.size)

    def _check_size(self, size: Size) -> None:
        """Below 80×24 the screens are covered by a notice saying how big the terminal must
        be (screens/session/too_small.py); it goes when the terminal is large enough."""
        if too_small(size):
            if not isinstance(self.screen, TooSmallScreen):
                self.push_screen(TooSmallScreen())
            return
        while isinstance(self.screen, TooSmallScreen):
            self.pop_screen()

    @work(thread=True, exclusive=True, group="database", exit_on_error=False)
    def _open_database(self) -> None:
        """Open the database early, so the first sign-in does not wait for it."""
        from registrar_tui.services.core.errors import DomainError

        try:
            self.backend.database()
        except DomainError as error:
            self.post_message(WorkFailed(error))
        else:
            # Posted, not called from the thread: an app that already exited would leave
            # this thread waiting for ever (and the process unable to end).
            self.post_message(self.DatabaseOpened())

    class DatabaseOpened(Message):
        """The start-up worker opened the database."""

    @on(DatabaseOpened)
    def _database_opened(self) -> None:
        from registrar_tui.screens.widgets.textual_fixes import freeze_startup_heap

        # The database layer is the larger part of what start-up loads: from now on the
        # heap holds what lives as long as the process (screens/widgets/textual_fixes.py).
        freeze_startup_heap()
        from registrar_tui.screens.session.pending_receipts import resume_pending_receipts

        # Receipts a crash left half handed over (no PDF, no e-mail) are completed now.
        resume_pending_receipts(self, self.backend)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        screen = self.listed_screen or self.screen
        if isinstance(screen, TooSmallScreen):
            return action == "quit"  # nothing opens over the notice (nor closes it)
        identity = self.backend.identity
        if action == "search" and type(screen).__name__ == "SearchScreen":
            return False  # already there: not shown in the home screen's (full) footer
        if action == "day_close":
            return identity is not None and not isinstance(screen, ModalScreen)
        if action in ("search", "command_palette"):
            return identity is not None and not self.is_locked
        if action == "goto":
            modal = isinstance(screen, ModalScreen)
            return identity is not None and not self.is_locked and not modal
        if action == "desk":
            if identity is None or self.is_locked or isinstance(screen, ModalScreen):
                return False
            name = str(parameters[0])
            _module, _name, capability = DESK_SCREENS[name]
            # A screen's own key wins even while it is hidden (day close's F8 prints).
            return identity.allows(capability) and not _screen_binds(screen, DESK_KEYS[name])
        return True

    @on(LoginScreen.SignedIn)
    def _signed_in(self, event: LoginScreen.SignedIn) -> None:
        self.forget_spare_family()
        self.backend.identity = event.identity
        self.switch_mode("counter")
        self.start_idle_watch()

    async def action_search(self) -> None:
        """Back to the search box from anywhere (closing the screens above it)."""
        from registrar_tui.screens.counter.search import SearchScreen

        if self.backend.identity is None:
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, SearchScreen):
            await self.pop_screen()
        if isinstance(self.screen, SearchScreen):
            self.screen.focus_query()

    def on_search_screen_open_family(self, event: object) -> None:
        from registrar_tui.screens.counter.search import SearchScreen

        assert isinstance(event, SearchScreen.OpenFamily)
        if event.student_id is not None:
            self.open_student(event.student_id, family_id=event.family_id)
        else:
            self.open_family(
                event.family_id, tab="billing" if event.invoice_id is not None else "identity"
            )

    def _back_to_counter(self) -> None:
        """Close the records opened above the search screen (not a modal's owner)."""
        from registrar_tui.screens.counter.search import SearchScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, SearchScreen):
            self.pop_screen()

    def open_family(self, family_id: int, *, tab: str = "identity") -> None:
        """Show a family (from a search hit or the command palette) above the search."""
        from registrar_tui.screens.counter.family import FamilyScreen

        if self.backend.identity is None:
            return
        self._back_to_counter()
        spare = self._spare_family
        if tab == "identity" and spare is not None and spare.recycled:
            spare.open_family(family_id)
            self.push_screen(spare)
            return
        screen = FamilyScreen(family_id, initial_tab=tab)
        if spare is None and screen.recyclable:
            # Kept once closed (an installed screen is not removed when popped), emptied,
            # and shown again for the next family: `FamilyScreen.recycle`.
            self._spare_family = screen
            self.install_screen(screen, SPARE_FAMILY)
        self.push_screen(screen)

    def recycle_family(self, screen: Screen[Any]) -> None:
        """A family screen was closed: the spare one is emptied for the next family once
        home is drawn (never while it is still on the stack, e.g. under the payment)."""
        if screen is not self._spare_family or self._stacked(screen):
            return

        async def recycle() -> None:
            spare = self._spare_family
            if spare is not None and spare is screen and not self._stacked(spare):
                await spare.recycle()

        self.set_timer(RECYCLE_DELAY, recycle)

    def forget_spare_family(self) -> None:
        """Drop the spare family screen (someone signs in). One still open stays the spare:
        it is emptied when it closes, like any other time."""
        spare = self._spare_family
        if spare is None or self._stacked(spare):
            return
        self._spare_family = None
        self.uninstall_screen(spare)
        spare.remove()

    def _stacked(self, screen: Screen[Any]) -> bool:
        """Whether `screen` is on the stack of any mode (the lock's mode hides the counter's)."""
        return any(screen in stack for stack in self._screen_stacks.values())

    def open_student(self, student_id: int, *, family_id: int | None = None) -> None:
        """Show a student; with its family underneath when known (Escape goes back to it)."""
        from registrar_tui.screens.counter.family import FamilyScreen
        from registrar_tui.screens.student.screen import StudentScreen

        if self.backend.identity is None:
            return
        self._back_to_counter()
        if family_id is not None:
            self.push_screen(FamilyScreen(family_id, initial_tab="students"))
        self.push_screen(StudentScreen(student_id))

    def action_day_close(self) -> None:
        """The signed-in clerk's drawer, from any screen."""
        from registrar_tui.screens.counter.day_close import DayCloseScreen

        if self.backend.identity is not None and not isinstance(self.screen, DayCloseScreen):
            self.push_screen(DayCloseScreen())

    @on(OpenDesk)
    def _open_desk(self, event: OpenDesk) -> None:
        if event.name == "day_close":
            self.action_day_close()
        else:
            self.action_desk(event.name)

    def action_desk(self, name: str) -> None:
        """Open one of the desk screens (pending changes, activities, audit) from anywhere."""
        module_name, class_name, capability = DESK_SCREENS[name]
        identity = self.backend.identity
        if identity is None or not identity.allows(capability):
            return
        screen_type = getattr(import_module(module_name), class_name)
        if isinstance(self.screen, screen_type):
            return
        self._back_to_counter()
        self.push_screen(screen_type())

    def goto_destinations(self) -> list[str]:
        """What the « Aller à… » menu offers the signed-in person: the day close, and the
        desk screens their role opens (the capabilities the F-keys check)."""
        identity = self.backend.identity
        if identity is None:
            return []
        return [
            name
            for name in GOTO_LETTERS
            if name == "day_close" or identity.allows(DESK_SCREENS[name][2])
        ]

    def action_goto(self) -> None:
        """Ctrl+Y: the « Aller à… » menu; its letter opens the screen as the F-key does."""
        from registrar_tui.screens.session.goto import GoToScreen

        if self.backend.identity is None or isinstance(self.screen, ModalScreen):
            return
        self.push_screen(GoToScreen(self.goto_destinations()), self._go_to)

    def _go_to(self, name: str | None) -> None:
        if name == "day_close":
            self.action_day_close()
        elif name is not None:
            self.action_desk(name)

    def action_command_palette(self) -> None:
        from registrar_tui.screens.session.palette import open_command_palette

        open_command_palette(self)

    def action_help(self) -> None:
        from registrar_tui.screens.session.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(self.screen))

    @on(WorkFailed)
    def show_error(self, event: WorkFailed) -> None:
        """The one place unexpected and database errors reach the user."""
        from registrar_tui.services.core.errors import DomainError

        error = event.error
        if isinstance(error, DomainError):
            if isinstance(self.screen, LoginScreen):
                self.screen.show_database_error(error)
                return
            message = error.translated()
        else:
            self.log.error(repr(error))
            message = _("Erreur inattendue : {error}").format(error=type(error).__name__)
        self.notify(message, severity="error", markup=False, timeout=10)

    def on_unmount(self) -> None:
        if self._stop_delivering is not None:
            self._stop_delivering()
        self.backend.close()


def create_app(
    db_url: str | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    language: str = "fr_CA",
) -> RegistrarApp:
    """Build the app: a database URL (or an opened `database`), a clock and a UI language."""
    set_language(language)
    return RegistrarApp(Backend(db_url, database=database, clock=clock))


def run_app(db_url: str | None, language: str) -> None:
    """Run the app in the terminal until the user quits."""
    app = create_app(db_url, language=language)
    probe = os.environ.get(STARTUP_PROBE_ENV)
    if probe:
        app.startup_probe = Path(probe)
        app.run(headless=True)
        return
    from registrar_tui.screens.session.hangup import end_on_hangup

    end_on_hangup(app, sys.__stdin__.fileno() if sys.__stdin__ is not None else -1)
    app.run()
