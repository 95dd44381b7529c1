"""The desk screens every signed-in screen can open by key, and who may open them.

The app's global keys (F5, F6, F7, F8, F9, F12 and their Ctrl alternatives) and the home
screen's footer read this one table.
"""

from __future__ import annotations

from textual.message import Message

DESK_SCREENS: dict[str, tuple[str, str, str]] = {
    "pending": (
        "registrar_tui.screens.desk.pending_changes",
        "PendingChangesScreen",
        "can_decide_requests",
    ),
    "activities": (
        "registrar_tui.screens.activities.catalogue",
        "ActivitiesScreen",
        "can_browse_activities",
    ),
    "audit": ("registrar_tui.screens.desk.audit_log", "AuditLogScreen", "can_read_audit"),
    "fees": ("registrar_tui.screens.desk.term_fees", "TermFeesScreen", "can_apply_term_fees"),
    "school_year": (
        "registrar_tui.screens.school_year.terms",
        "TermsScreen",
        "can_manage_school_year",
    ),
    "office": (
        "registrar_tui.screens.office.dashboard",
        "DashboardScreen",
        "can_open_office",
    ),
}
"""Desk screens opened by key from anywhere: (module, class, the capability of
`StaffIdentity` that opens it); the services check the role again."""
DESK_KEYS = {
    "pending": "f7",
    "activities": "f8",
    "audit": "f12",
    "fees": "f6",
    "school_year": "f5",
    "office": "f9",
}
DESK_ALTERNATIVE_KEYS = {
    "pending": "ctrl+r",
    "audit": "ctrl+b",
    "office": "ctrl+g",
}
"""A second key for a desk screen, for terminals that keep some F-keys for themselves
(GNOME Terminal's F10 opens its menu; on a Mac F9–F12 are system keys unless fn is held);
F1 and the command palette list it beside the F-key. Like the F-key, a screen that binds
the F-key itself keeps both (its own key wins).

School year (F5), term fees (F6) and activities (F8) have none: every Ctrl key a text box
leaves free is taken (Ctrl+B, F, G, L, O, P, Q, R; Ctrl+S saves in every form), Ctrl+N and
Ctrl+T never reach a page in a browser, and a letter would be typed in the search box. The
palette (Ctrl+P) opens them by name from any screen."""

DAY_CLOSE_KEYS = "f10,ctrl+o"
"""The day close, from any screen (F10 is GNOME Terminal's menu key: Ctrl+O as well)."""


def desk_keys(name: str) -> str:
    """The keys of a desk screen, as a binding takes them ("f9,ctrl+g")."""
    alternative = DESK_ALTERNATIVE_KEYS.get(name)
    return f"{DESK_KEYS[name]},{alternative}" if alternative else DESK_KEYS[name]


class OpenDesk(Message):
    """Asks the app to open a desk screen (or the day close: `day_close`) as its key would.

    A screen that shows a desk key itself posts this; the app, which owns the desk keys,
    opens the screen (the app's own binding is off while the screen has that key).
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
