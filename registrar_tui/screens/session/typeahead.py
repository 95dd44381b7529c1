"""Keys in order: each typed key lands, after the one before it, where focus is then.

Textual hands a key read from the terminal to the widget focused *when the app reads it*,
by posting it to that widget's queue. Two things then go wrong when keys come faster than
they are handled (a loaded machine, the first second after launch, a paste, a scanner):

- before the first screen has composed, nothing has focus: the keys go to the screen,
  which has no use for letters, and are lost;
- a key that moves focus (Tab, a binding on a form) takes effect only when it comes back
  up to the app, after the keys typed behind it were already posted to the old field
  (the issue saw `clerk` Tab password become `clerkC`, the rest lost).

Keys typed before the app took the terminal went through the terminal's line editing,
which turns Enter into a line feed (ctrl+j): until the first screen is ready, and on the
login screen (where they land, however late the app reads them), a line feed is Enter.

So the app keeps the keys (and pastes) it reads in a queue of its own and hands over one
at a time: a key goes out only once the screen has composed and the key before it has
been handled, bindings included. "Handled" is known by a small message posted right
behind the key to the same widget: it bubbles up the same chain of queues as the key, so
it reaches the app after the key (and whatever the key set off on its way up).

Nor is a key lost for want of focus: text typed while nothing is focused goes to the
form's first empty box, and a click on a form's background keeps the focus where it was
(screens/session/focus_keeper.py).
"""

from __future__ import annotations

from collections import deque

from textual import events, on
from textual.app import App, ScreenStackError, UnknownModeError
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer

from registrar_tui.screens.session.focus_keeper import (
    box_for_typing,
    keeps_focus,
    on_background,
)

HOLD_POLL_SECONDS = 0.02
"""While the screen is still composing, how often to look again."""
WATCH_SECONDS = 0.5
"""How often to check that a key's widget still exists (a key handed to a widget that
was removed before handling it never reports back)."""

Typed = events.Key | events.Paste


class TypeAheadApp(App[None]):
    """An app whose typed keys reach their widgets one after the other, never lost.

    A screen with a true `holds_typed_keys` attribute keeps the keys waiting (in order)
    until it is false again or another screen is shown.
    """

    class KeyHandled(Message):
        """Posted behind a key to the widget it went to; back at the app, the key is done."""

    def __init__(self) -> None:
        super().__init__()
        self._typed: deque[Typed] = deque()
        self._in_flight: tuple[TypeAheadApp.KeyHandled, MessagePump] | None = None
        self._hold_timer: Timer | None = None
        self._watch_timer: Timer | None = None
        self._first_screen_ready = False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            line_feed = isinstance(event, events.Key) and event.key == "ctrl+j"
            if line_feed and self._line_feed_is_enter():
                event = events.Key("enter", "\r")
            self._typed.append(event)
            await self._hand_over()
            return
        if isinstance(event, events.MouseDown) and not event.is_forwarded:
            await self._press_keeping_focus(event)
            return
        await super().on_event(event)

    async def _press_keeping_focus(self, event: events.MouseDown) -> None:
        """A press on a form's background (or outside any widget) leaves the focus where it
        was (screens/session/focus_keeper.py); a press on a field still moves it there."""
        try:
            screen = self.screen
        except (ScreenStackError, UnknownModeError):
            await super().on_event(event)
            return
        # In a browser the page losing focus blurred the field; Textual remembers which.
        before = screen.focused or getattr(self, "_last_focused_on_app_blur", None)
        background = on_background(screen, event.x, event.y)
        await super().on_event(event)
        if background and self.screen is screen and keeps_focus(screen, before):
            screen.set_focus(before, scroll_visible=False)

    def _line_feed_is_enter(self) -> bool:
        """Whether a line feed read now is an Enter typed before the app took the terminal:
        until the first screen is ready, and on a screen that says so (the login screen,
        `line_feed_is_enter`). The first screen may be ready before the app reads what was
        typed before it started: the whole sign-in typed ahead then reaches the login
        screen with its Enter as a line feed."""
        if not self._first_screen_ready:
            return True
        try:
            screen = self.screen
        except (ScreenStackError, UnknownModeError):
            return True
        return bool(getattr(screen, "line_feed_is_enter", False))

    def _screen_ready(self) -> bool:
        """Whether the current screen has composed (its first focus is set by then) and
        does not hold the keys (the login screen while it checks a password: what is
        typed then is for the screen that comes next)."""
        try:
            screen = self.screen
        except (ScreenStackError, UnknownModeError):
            return False  # the first screen is not even pushed yet
        if not screen.is_mounted:
            return False
        self._first_screen_ready = True
        return not getattr(screen, "holds_typed_keys", False)

    async def _hand_over(self) -> None:
        """Hand over the queued keys, each once the previous one has been handled."""
        while self._typed and self._in_flight is None:
            if not self._screen_ready():
                self._hold()
                return
            event = self._typed.popleft()
            box = box_for_typing(self.screen, event)
            if box is not None:  # nothing focused: the text goes to the form's first empty box
                self.screen.set_focus(box)
            target: MessagePump = self.focused or self.screen
            await super().on_event(event)
            handled = self.KeyHandled()
            if target.post_message(handled):
                self._in_flight = (handled, target)
        # Watched while a key is out, even the last one typed: a screen closed before it
        # read its KeyHandled must not stay referenced here until the next key.
        if self._typed or self._in_flight is not None:
            self._watch()

    def _hold(self) -> None:
        if self._hold_timer is None:
            self._hold_timer = self.set_timer(HOLD_POLL_SECONDS, self._held_long_enough)

    async def _held_long_enough(self) -> None:
        self._hold_timer = None
        await self._hand_over()

    def _watch(self) -> None:
        if self._watch_timer is None:
            self._watch_timer = self.set_timer(WATCH_SECONDS, self._check_in_flight)

    async def _check_in_flight(self) -> None:
        self._watch_timer = None
        if self._in_flight is not None:
            _handled, target = self._in_flight
            if target.is_attached and target.is_running:
                self._watch()  # still busy with it: wait
                return
            self._in_flight = None  # removed before handling it: the key went with it
        await self._hand_over()

    @on(KeyHandled)
    async def _key_handled(self, message: KeyHandled) -> None:
        message.stop()
        if self._in_flight is not None and self._in_flight[0] is message:
            self._in_flight = None
        await self._hand_over()
