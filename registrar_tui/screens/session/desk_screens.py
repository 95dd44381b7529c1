"""The desk screens every signed-in screen can open by key, and who may open them.

The app's global keys (F5, F6, F7, F8, F9, F12 and their Ctrl alternatives), the home
screen's footer and the « Aller à… » menu (Ctrl+Y, screens/session/goto.py) read this one
table.
"""

from __future__ import annotations

from textual.message import Message

from registrar_tui.i18n import N_

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

School year (F5), term fees (F6) and activities (F8) have no Ctrl key of their own: every
Ctrl key a text box leaves free is taken (Ctrl+B, F, G, L, O, P, Q, R; Ctrl+S saves in every
form) and a letter would be typed in the search box. Their second key is the « Aller à… »
menu's: Ctrl+Y, then a letter (`GOTO_LETTERS`)."""

DAY_CLOSE_KEYS = "f10,ctrl+o"
"""The day close, from any screen (F10 is GNOME Terminal's menu key: Ctrl+O as well)."""


GOTO_KEY = "ctrl+y"
"""The « Aller à… » menu, from any screen but a modal one. Textual's Input binds no Ctrl+Y,
so it reaches the app from every box; a TextArea would keep it for « rétablir » (redo)
while it has the focus, but no screen of ours has one (tests/screens/test_alternative_keys.py
checks both)."""

GOTO_LETTERS: dict[str, str] = {
    "school_year": "a",
    "fees": "f",
    "activities": "t",
    "pending": "v",
    "office": "b",
    "day_close": "c",
    "audit": "u",
}
"""Each destination of the « Aller à… » menu and its letter, in the menu's order: Année
scolaire, Frais, acTivités, à Valider, Bureau, Caisse, aUdit."""

GOTO_LABELS: dict[str, str] = {
    "school_year": N_("Année scolaire"),
    "fees": N_("Frais de session"),
    "activities": N_("Activités"),
    "pending": N_("À valider"),
    "office": N_("Bureau"),
    "day_close": N_("Fermeture de caisse"),
    "audit": N_("Audit"),
}


def goto_destination(action: str) -> str | None:
    """The menu destination a key's action opens ("desk('fees')" → "fees"), or None."""
    if action in ("day_close", "app.day_close"):
        return "day_close"
    for prefix in ("desk(", "app.desk("):
        if action.startswith(prefix) and action.endswith(")"):
            name = action[len(prefix) : -1].strip("'\"")
            return name if name in GOTO_LETTERS else None
    return None


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
