"""A terminal that hangs up ends the program.

When the terminal goes away (an SSH connection dropped, a terminal window closed, tmux
killed), the kernel sends SIGHUP to the terminal's session, which ends the program. When
that signal does not reach it (the session's leader is another program that does not pass
it on, as `make run` in a tmux pane; or the program was started with SIGHUP ignored),
Textual 8.2.8's input thread reads end-of-file from the dead terminal in a loop, a whole
processor's worth of CPU for as long as the server runs (Textualize/textual#6690, open
upstream), and the program stays, unusable, on a server other clerks share.

A watcher thread waits for the terminal's hang-up (`poll` asking for no event: it reads
none of the keys and costs nothing until then) and ends the app then, as Ctrl+Q would: a
payment being posted is one transaction, committed or rolled back whole.
"""

from __future__ import annotations

import os
import select
import threading
from typing import Any

from textual.app import App

_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def end_on_hangup(app: App[Any], fileno: int) -> threading.Thread | None:
    """Watch the terminal `fileno` and end `app` when it hangs up (None: not a terminal,
    nothing to watch)."""
    if not os.isatty(fileno):
        return None
    watcher = threading.Thread(
        target=_watch, args=(app, fileno), name="terminal-hangup", daemon=True
    )
    watcher.start()
    return watcher


def _watch(app: App[Any], fileno: int) -> None:
    poller = select.poll()
    poller.register(fileno, 0)  # no event asked for: hang-up and errors are always told
    while not any(mask & _GONE for _fd, mask in poller.poll()):
        continue
    try:
        app.call_from_thread(app.exit)
    except RuntimeError:  # the app ended meanwhile
        return
