"""The tour: every screen of the app, reached with the keys a person presses.

A `Stop` is one screen (or one tab, or one modal over a given screen) and the keys that
lead to it from the home screen (the search box, empty). The long-session test walks all
of them in one app and compares each with the same screen drawn in a fresh app; the
every-screen test draws each at 80×24 in both languages and looks for text cut without
« … ». Both run on the demo database (registrar_tui.demo: the same rows for a seed) on
the fixed clock, so that every screen has something to show.
"""

from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from tests.conftest import fixed_clock
from tests.screens.helpers import settle

CLERK = ("clerk", "Comptoir-demo-2026")
REGISTRAR = ("registrar", "Validation-demo-2026")
DEMO_FAMILIES = 30
"""Random families beside the demo's scripted ones: enough to fill a page."""


@dataclass(frozen=True)
class Type:
    """Text typed key by key."""

    text: str


@dataclass(frozen=True)
class Idle:
    """Nobody at the terminal for this many minutes (the clock moves, the lock checks)."""

    minutes: int


@dataclass(frozen=True)
class Resize:
    """The terminal made this size (the too-small notice below 80×24)."""

    width: int
    height: int


Step = str | Type | Idle | Resize
"""A key name as Pilot presses it, text typed, time without a key, or a resized terminal."""


@dataclass(frozen=True)
class Stop:
    """A screen of the tour: how to reach it from the empty search box, what it is."""

    name: str
    keys: tuple[Step, ...]
    screen: str
    """The class name of the screen on top once there (checks the tour is not lost)."""
    leave: tuple[Step, ...] = ()
    """Keys pressed once the screen is seen, to put back what reaching it changed (a
    decision undone, the terminal's size): the next stop finds the demo as it was."""


def _stop(name: str, screen: str, *keys: Step, leave: tuple[Step, ...] = ()) -> Stop:
    return Stop(name, tuple(keys), screen, leave)


TREMBLAY = (Type("trem"), "enter")
"""The scripted Tremblay family (F0000001), first hit of « trem »."""
LEA = (*TREMBLAY, "2", "enter")
"""Its first student, from the family's students tab."""
PAID = (Type("F0000004"), "enter")
"""A family with receipts (F0000004), found by its number."""
MARC_ANDRE = ("f7", "end", "up")
"""The queue, on Marc-André Tremblay's new address (F0000002, second to last by age): his
household (Julie Gagnon, Jean-François) still lives at the old one."""
AUDIT = ("f12", "f2", "tab", "tab", Type("clerk2"), "enter")
"""The audit log filtered on a demo user who never signs in during the tour: the same
events whatever the tour did before (reading the log is logged too)."""

CLERK_STOPS: tuple[Stop, ...] = (
    _stop("search-empty", "SearchScreen"),
    _stop("search-results", "SearchScreen", Type("trem")),
    _stop("help-search", "HelpScreen", "f1"),
    _stop("palette", "RegistrarPalette", "ctrl+p"),
    _stop("goto", "GoToScreen", "ctrl+y"),
    _stop("day-close", "DayCloseScreen", "f10"),
    _stop("activities", "ActivitiesScreen", "f8"),
    _stop("activity", "ActivityScreen", "f8", "ctrl+t", "enter"),
    _stop("activity-register", "RegisterScreen", "f8", "ctrl+t", "enter", "n"),
    _stop("family-identity", "FamilyScreen", *TREMBLAY),
    _stop("family-students", "FamilyScreen", *TREMBLAY, "2"),
    _stop("family-billing", "FamilyScreen", *TREMBLAY, "3"),
    _stop("family-requests", "FamilyScreen", *TREMBLAY, "4"),
    _stop("family-receipts", "FamilyScreen", *PAID, "5"),
    _stop("help-family", "HelpScreen", *TREMBLAY, "f1"),
    _stop("guardian-edit", "GuardianEditScreen", *TREMBLAY, "1", "e"),
    _stop("guardian-add", "GuardianEditScreen", *TREMBLAY, "1", "a"),
    # F0000002 has two guardians: Julie Gagnon (second row) may be removed.
    _stop("guardian-remove", "ConfirmScreen", Type("F0000002"), "enter", "1", "down", "r"),
    _stop("new-family", "NewFamilyScreen", "f2"),
    # Hélène Tremblay typed again with her phone: the demo's F0000001 is a duplicate.
    _stop(
        "new-family-duplicates",
        "DuplicatesScreen",
        "f2",
        Type("Hélène"),
        "enter",
        Type("Tremblay"),
        "enter",
        "enter",
        Type("514 555-0134"),
        "ctrl+s",
    ),
    _stop("invoice", "InvoiceScreen", *TREMBLAY, "3", "enter"),
    _stop("payment", "PaymentScreen", *TREMBLAY, "3", "f9"),
    # 300,00 $ on a 275,00 $ balance: the form asks, on its last line, whether the 25,00 $
    # left go to the family's credit; « n » answers no (nothing posted).
    _stop(
        "payment-credit-question",
        "PaymentScreen",
        *TREMBLAY,
        "3",
        "f9",
        "tab",
        Type("300"),
        "enter",
        leave=("n",),
    ),
    _stop("help-payment", "HelpScreen", *TREMBLAY, "3", "f9", "f1"),
    # Below 80×24 a notice covers the payment form (it would lose its figures).
    _stop(
        "too-small",
        "TooSmallScreen",
        *TREMBLAY,
        "3",
        "f9",
        Resize(64, 20),
        leave=(Resize(80, 24),),
    ),
    _stop("student-identity", "StudentScreen", *LEA),
    _stop("student-courses", "StudentScreen", *LEA, "2"),
    _stop("certificate", "CertificateScreen", *LEA, "2", "t"),
    _stop("student-history", "StudentScreen", *LEA, "3"),
    _stop("student-repertoire", "StudentScreen", *LEA, "4"),
    _stop("student-reenrolment", "StudentScreen", *LEA, "5"),
    _stop("course", "CourseScreen", *LEA, "2", "enter"),
    _stop("reenrolment-request", "ReenrolmentRequestScreen", *LEA, "5", "n"),
    _stop("student-new", "StudentFormScreen", *TREMBLAY, "2", "n"),
    _stop("student-health-edit", "StudentFormScreen", *LEA, "s"),
    _stop("student-sin", "StudentSinScreen", *LEA, "i"),
    _stop("day-close-again", "DayCloseScreen", "f10"),
    _stop("activity-register-again", "RegisterScreen", "f8", "ctrl+t", "enter", "n"),
    _stop("lock", "LockScreen", Idle(20)),
)
"""The clerk's screens, in the order the long session visits them: the forms drawn first
are drawn again after every other screen has been opened; the lock last (the registrar
takes the terminal from there with F2)."""

REGISTRAR_STOPS: tuple[Stop, ...] = (
    _stop("registrar-search", "SearchScreen", Type("trem")),
    _stop("help-registrar", "HelpScreen", "f1"),
    _stop("pending", "PendingChangesScreen", "f7"),
    _stop("change-request", "ChangeRequestScreen", "f7", "enter"),
    _stop("reject-reason", "ReasonScreen", "f7", "r"),
    _stop("bulk-approval", "BulkApprovalScreen", "f7", "A"),
    _stop("reenrolment-decision", "ReenrolmentDecisionScreen", "f7", "down", "enter"),
    _stop("group-chooser", "GroupChooserScreen", "f7", "down", "enter", "g"),
    _stop("waiting-list", "WaitingListScreen", "f7", "down", "enter", "l"),
    _stop("term-fees", "TermFeesScreen", "f6"),
    # AUT-2026 (third row), the session whose deadline passed with students to bill.
    _stop("late-fee-preview", "LateFeePreviewScreen", "f6", "down", "down", "f"),
    # The school year (F5): ETE-2027 first, then HIV-2027 (rolled over from AUT-2026),
    # then AUT-2026 and its groups.
    _stop("school-year", "TermsScreen", "f5"),
    _stop("term-new", "TermFormScreen", "f5", "n"),
    _stop("term-edit", "TermFormScreen", "f5", "e"),
    _stop("rollover", "RolloverScreen", "f5", "down", "r"),
    _stop("groups", "GroupsScreen", "f5", "down", "down", "enter"),
    _stop("group-edit", "GroupFormScreen", "f5", "down", "down", "enter", "e"),
    _stop("teacher-new", "TeacherFormScreen", "f5", "down", "down", "enter", "e", "ctrl+t"),
    _stop("office-dashboard", "DashboardScreen", "f9"),
    _stop("office-reminders", "RemindersScreen", "f9", "l"),
    _stop("office-deposits", "DepositScreen", "f9", "d"),
    _stop("audit-log", "AuditLogScreen", *AUDIT),
    _stop("audit-event", "AuditEventScreen", *AUDIT, "enter"),
    _stop("registrar-courses", "StudentScreen", *LEA, "2"),
    _stop("student-identity-edit", "StudentFormScreen", *LEA, "m"),
    _stop("student-status", "StudentStatusScreen", *LEA, "u"),
    _stop("course-picker", "CoursePickerScreen", *LEA, "2", "a"),
    _stop("course-drop", "ConfirmScreen", *LEA, "2", "d"),
    _stop("registrar-course", "CourseScreen", *LEA, "2", "enter"),
    _stop("evaluation-form", "EvaluationFormScreen", *LEA, "2", "enter", "n"),
    _stop("evaluation-edit", "EvaluationFormScreen", *LEA, "2", "enter", "e"),
    _stop("absence-form", "AbsenceFormScreen", *LEA, "2", "enter", "a"),
    _stop("result-form", "ResultFormScreen", *LEA, "2", "enter", "c"),
    _stop("work-form", "WorkFormScreen", *LEA, "4", "w"),
    _stop("credit-note", "CreditNoteScreen", *TREMBLAY, "3", "enter", "x"),
    _stop("refund", "RefundScreen", *PAID, "3", "r"),
    _stop("payment-plan", "PaymentPlanScreen", *TREMBLAY, "3", "p"),
    _stop("registrar-receipts", "FamilyScreen", *PAID, "5"),
    _stop("void-payment", "VoidPaymentScreen", *PAID, "5", "v"),
    _stop("registrar-invoice", "InvoiceScreen", *TREMBLAY, "3", "enter"),
    _stop("fee-waiver", "WaiverScreen", *TREMBLAY, "3", "enter", "up", "w"),
    _stop("activity-new", "ActivityFormScreen", "f8", "ctrl+n"),
    _stop("activity-edit", "ActivityFormScreen", "f8", "ctrl+t", "f2"),
    _stop("activity-item", "ItemFormScreen", "f8", "ctrl+t", "f2", "f2"),
    _stop("activity-cancel", "CancelActivityScreen", "f8", "ctrl+t", "f4"),
    # The two stops that decide: last, and each undoes its decision once seen (n: nobody
    # else moves; u, o: the approval taken back, the request pending again).
    _stop("household-move", "HouseholdMoveScreen", *MARC_ANDRE, "a", leave=("n", "u", "o")),
    _stop("queue-undo", "ConfirmScreen", *MARC_ANDRE, "a", "n", "u", leave=("o",)),
)
"""The registrar's screens (signed in after the clerk, in the same app)."""

NOT_STOPS: dict[str, str] = {
    "LoginScreen": "drawn first, before any stop (« login » in the tests)",
    "ReceiptsScreen": "pushed by nothing: the family screen embeds its ReceiptsView "
    "(« family-receipts », « registrar-receipts »)",
    "StudentDeskActions": "the registrar's keys mixed into StudentScreen, not a screen",
    "RemovalReasonScreen": "needs a student in line: the demo's one is in its full group, "
    "reached from the school year's groups screen (tests/screens/desk/"
    "test_reenrolment_groups.py opens it)",
    "StudentRecordActions": "the repertoire and document keys mixed into StudentScreen, "
    "not a screen",
    "EntryFormScreen": "the base of the marks forms (« evaluation-form », « absence-form », "
    "« result-form », « work-form »), never shown itself",
    "ReminderSettingsScreen": "admin only (P on the reminders), and the tour signs in as a "
    "clerk and a registrar: tests/screens/office/test_reminders.py and its snapshots",
    "CancelPlanScreen": "needs an active payment plan, which the demo has none of "
    "(tests/screens/counter/test_payment_plan.py opens it)",
    "ReasonDialog": "the base of the reason dialogs (« reject-reason », « credit-note », "
    "« fee-waiver »), never shown itself",
}
"""Screen classes of registrar_tui/screens that are no stop, and why. The receipts a crash
left pending are named in a notice (screens/session/pending_receipts.py), not a screen."""


class MovingClock:
    """The fixed clock, moved forward by `Idle` steps."""

    def __init__(self) -> None:
        self.now = fixed_clock()

    def __call__(self) -> datetime:
        return self.now


def demo_database(template: Path, directory: Path) -> Path:
    """A SQLite file of the demo (same rows for the same seed), made once per directory."""
    from registrar_tui.demo import generate_demo

    path = directory / "demo.db"
    if not path.exists():
        shutil.copyfile(template, path)
        db = Database.open(str(path), clock=fixed_clock)
        try:
            generate_demo(db, families=DEMO_FAMILIES)
        finally:
            db.dispose()
    return path


def open_app(
    demo: Path, directory: Path, language: str = "fr_CA"
) -> tuple[RegistrarApp, MovingClock]:
    """An app on its own copy of the demo database, on a clock the tour can move."""
    path = directory / "tour.db"
    shutil.copyfile(demo, path)
    clock = MovingClock()
    app = create_app(database=Database.open(str(path), clock=clock), clock=clock, language=language)
    app.animation_level = "none"
    return app, clock


async def press(pilot: Pilot[None], clock: MovingClock, steps: Sequence[Step]) -> None:
    """Each step, letting the app catch up after each one (as a person waits to see)."""
    for step in steps:
        if isinstance(step, Type):
            await pilot.press(*step.text)
        elif isinstance(step, Idle):
            clock.now += timedelta(minutes=step.minutes)
            app = pilot.app
            assert isinstance(app, RegistrarApp)
            app.check_idle_lock()
        elif isinstance(step, Resize):
            await pilot.resize_terminal(step.width, step.height)
        else:
            await pilot.press(step)
        await settle(pilot)


async def sign_in(pilot: Pilot[None], account: tuple[str, str]) -> None:
    username, password = account
    await settle(pilot)
    await pilot.press(*username, "enter", *password, "enter")
    await settle(pilot)


async def switch_user(pilot: Pilot[None], clock: MovingClock, account: tuple[str, str]) -> None:
    """From the lock screen, F2: another user signs in (back to an empty search)."""
    username, password = account
    await press(pilot, clock, ["f2", Type(username), "enter", Type(password), "enter"])


async def home(pilot: Pilot[None]) -> None:
    """Back to the empty search box, as ctrl+f then Escape do; no toast left over."""
    await pilot.press("ctrl+f")
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)


async def visit(pilot: Pilot[None], clock: MovingClock, stop: Stop) -> None:
    """From the empty search box to the stop's screen (fails when it is not on top)."""
    await press(pilot, clock, stop.keys)
    shown = type(pilot.app.screen).__name__
    assert shown == stop.screen, f"{stop.name}: {shown} on top, not {stop.screen}"


async def leave(pilot: Pilot[None], clock: MovingClock, stop: Stop) -> None:
    """Put back what reaching `stop` changed (its `leave` keys), before the next stop."""
    await press(pilot, clock, stop.leave)


@dataclass(frozen=True)
class Picture:
    """What the terminal shows: its text, and the same lines with colours and styles."""

    text: list[str]
    styled: list[str]

    def differences(self, other: Picture) -> list[str]:
        """Readable differences: the text lines that differ, else the lines whose colours
        or styles do (numbered from 1)."""
        text = list(difflib.unified_diff(other.text, self.text, lineterm="", n=0))
        if text:
            return text
        return [
            f"line {number}: same text, other colours or styles: {line!r}"
            for number, (line, mine, theirs) in enumerate(
                zip(self.text, self.styled, other.styled, strict=True), start=1
            )
            if mine != theirs
        ]


def _export(app: RegistrarApp, *, styled: bool) -> list[str]:
    width, height = app.size
    with open(os.devnull, "w") as nowhere:
        console = Console(
            width=width,
            height=height,
            file=nowhere,
            force_terminal=True,
            color_system="truecolor",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        console.print(
            app.screen._compositor.render_update(
                full=True, screen_stack=app._background_screens, simplify=True
            )
        )
        return console.export_text(styles=styled).splitlines()


async def picture(pilot: Pilot[None]) -> Picture:
    """The screen once it is still: no cursor blinking, the same two times in a row."""
    app = pilot.app
    assert isinstance(app, RegistrarApp)
    previous: list[str] | None = None
    for _ in range(30):
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await settle(pilot)
        shown = _export(app, styled=True)
        if shown == previous:
            break
        previous = shown
    return Picture(_export(app, styled=False), _export(app, styled=True))
