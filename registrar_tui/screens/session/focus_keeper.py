"""Typing never vanishes for want of a focused field.

In a browser (textual-serve) the click that starts the app, or the page losing and
regaining focus, can leave the login screen with nothing focused: `clerk` typed next went
to the screen, which has no use for letters, and was lost. Two rules, for every screen:

- a character typed (or a paste) while nothing is focused, on a screen with text boxes,
  goes to the screen's first empty box (else its first box), which takes the focus; a
  key the screen or the app binds (`/`, a letter shortcut) keeps its meaning, and so does
  every key while the screen's `answers_typed_keys` is true (the payment form's « o/N »
  question, answered with the focus taken away from its boxes);
- a click on a form's background, or outside any widget, never takes the focus away: the
  field focused before keeps it (a click on another field still moves it there). The
  background is what under the pointer cannot take the focus, or only as the scrolling
  container holding the form: Textual would move the focus to that container, where
  typed letters vanish as well.

`TypeAheadApp` applies both (screens/session/typeahead.py): the first when it hands a key
over, the second around Textual's handling of a mouse press.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import errors, events
from textual.containers import HorizontalScroll, ScrollableContainer, VerticalScroll
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import Widget


def box_for_typing(screen: Screen[object], event: events.Key | events.Paste) -> Input | None:
    """The text box that should receive `event` on `screen`, where nothing is focused (or
    only a scrolling container, which has no use for text either): the first empty one in
    focus order, else the first one; None when the event is not text (Enter, Escape, an
    F-key), is a key the screen binds, or there is no box."""
    if screen.focused is not None and type(screen.focused) not in _SCROLLING_CONTAINERS:
        return None
    if getattr(screen, "answers_typed_keys", False):
        return None
    if isinstance(event, events.Key) and (
        not event.is_printable or event.key in screen.active_bindings
    ):
        return None
    boxes = [widget for widget in screen.focus_chain if isinstance(widget, Input)]
    if not boxes:
        return None
    return next((box for box in boxes if not box.value), boxes[0])


def on_background(screen: Screen[object], x: int, y: int) -> bool:
    """Whether the cell (x, y) of `screen` is a form's background: no widget there, or one
    that cannot take the focus, inside nothing focusable but a scrolling container."""
    try:
        widget, _region = screen.get_widget_at(x, y)
    except errors.NoWidget:
        return True
    if widget.focusable:
        return False
    target = screen.get_focusable_widget_at(x, y)
    return target is None or type(target) in _SCROLLING_CONTAINERS


_SCROLLING_CONTAINERS = (ScrollableContainer, VerticalScroll, HorizontalScroll)
"""Textual's plain scrolling containers (VerticalScroll…), focusable only to scroll."""


def keeps_focus(screen: Screen[object], before: Widget | None) -> bool:
    """Whether `before` (focused before a press on the background) should get the focus
    back: the press moved it, and `before` is still there to take it."""
    return (
        before is not None
        and screen.focused is not before
        and before.is_attached
        and before.screen is screen
        and before.focusable
    )
