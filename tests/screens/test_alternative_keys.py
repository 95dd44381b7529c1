"""Every F-key has a Ctrl or letter key beside it (issue #17): GNOME Terminal keeps F10 (and
F1) for itself, a Mac sends F9–F12 only with fn. The keys are read from the classes'
BINDINGS; a desk screen's may be the « Aller à… » menu's letter (Ctrl+Y, then the letter),
which the menu is seen to open. A clerk then takes a payment at the counter without
pressing a single F-key.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select
from textual.binding import Binding
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.widgets import Input, Static

import registrar_tui.screens
from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import Payment
from registrar_tui.models.base import PaymentMethod
from registrar_tui.screens.counter.day_close import DayCloseScreen
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.payment.screen import PaymentScreen
from registrar_tui.screens.session.desk_screens import (
    DESK_SCREENS,
    GOTO_KEY,
    GOTO_LETTERS,
    goto_destination,
)
from registrar_tui.screens.session.goto import GoToScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import (
    CountedPresses,
    settle,
    shown,
    sign_in,
    sign_in_registrar,
    type_text,
)
from tests.screens.payment.payment_fixtures import TREMBLAY, Counter, seed_counter

F_KEY = re.compile(r"^f\d{1,2}$")

TEXT_BOX_CTRL_KEYS = {
    key
    for widget in ("Input", "TextArea")
    for cls in getattr(importlib.import_module("textual.widgets"), widget).__mro__
    for binding in cls.__dict__.get("BINDINGS", [])
    for key in (binding.key if isinstance(binding, Binding) else binding[0]).split(",")
    if key.startswith("ctrl+")
} | {"ctrl+y", "ctrl+z"}
"""Ctrl keys a text box takes for itself (a ctrl+a there moves to the start of the line)."""
BROWSER_KEYS = {"ctrl+w"}
"""Keys a browser keeps for itself (registrar-tui serve-web) and with them the tab: Ctrl+N
and Ctrl+T never reach the page either, but leave the tab open, and the F-key beside them
does reach it (home's admission and « retirés », the certified cheque: the lead's choice
for GNOME Terminal and the Mac)."""
TERMINAL_KEYS = {"ctrl+h", "ctrl+i", "ctrl+j", "ctrl+m"}
"""Backspace, Tab, line feed and Enter to most terminals."""
LETTERS_BEFORE_DIGIT_BOXES = {"DepositScreen", "PaymentPlanScreen"}
"""Screens whose boxes take digits, amounts or dates only: their letters are read before the
boxes (priority). Anywhere else a letter key must leave the letter to the box that has the
focus."""


def _classes() -> Iterator[type[DOMNode]]:
    """The app and every screen or widget class of ours that declares keys."""
    yield RegistrarApp
    package = registrar_tui.screens
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            ours = cls.__module__ == module.__name__ and issubclass(cls, DOMNode)
            if ours and "BINDINGS" in cls.__dict__:
                yield cls


def _bindings(cls: type[DOMNode]) -> list[Binding]:
    return [
        binding if isinstance(binding, Binding) else Binding(*binding)
        for binding in cls.__dict__["BINDINGS"]
    ]


def _keys_by_action(cls: type[DOMNode]) -> dict[str, list[tuple[str, Binding]]]:
    keys: dict[str, list[tuple[str, Binding]]] = defaultdict(list)
    for binding in _bindings(cls):
        for key in binding.key.split(","):
            keys[binding.action].append((key.strip(), binding))
    return keys


def _f_key_actions() -> dict[tuple[str, str], list[tuple[str, Binding]]]:
    """(class, action) → its keys, for every action bound to an F-key."""
    found = {}
    for cls in _classes():
        for action, keys in _keys_by_action(cls).items():
            if any(F_KEY.match(key) for key, _binding in keys):
                found[(cls.__name__, action)] = keys
    return found


def test_every_f_key_action_has_a_ctrl_or_letter_key() -> None:
    actions = _f_key_actions()
    assert ("RegistrarApp", "help") in actions and ("FamilyScreen", "pay") in actions
    missing = {
        name
        for name, keys in actions.items()
        if all(F_KEY.match(key) for key, _b in keys) and goto_destination(name[1]) is None
    }
    assert missing == set()
    by_menu = {action for (_cls, action), keys in actions.items() if len(keys) == 1}
    assert by_menu == {"desk('school_year')", "desk('fees')", "desk('activities')"}


def test_the_menu_key_reaches_the_app_from_every_text_box() -> None:
    """Ctrl+Y is no Input key; TextArea's redo would keep it: our boxes of several lines
    (MultilineText) give it back."""
    assert GOTO_KEY in TEXT_BOX_CTRL_KEYS  # the TextArea's
    from textual.widgets import Input as InputBox

    input_keys = {
        key
        for cls in InputBox.__mro__
        for binding in cls.__dict__.get("BINDINGS", [])
        for key in (binding.key if isinstance(binding, Binding) else binding[0]).split(",")
    }
    assert GOTO_KEY not in input_keys
    # A box of several lines is MultilineText, which gives Ctrl+Y back to the app.
    from registrar_tui.screens.widgets.multiline import MultilineText

    area_keys = set(MultilineText._merge_bindings().key_to_bindings)  # as Textual reads them
    assert GOTO_KEY not in area_keys and "super+y" in area_keys and "ctrl+z" in area_keys
    sources = Path(registrar_tui.screens.__file__).parent.rglob("*.py")
    text_areas = re.compile(r"TextArea\(|import[^\n]*\bTextArea\b")
    assert [path.name for path in sources if text_areas.search(path.read_text())] == [
        "multiline.py"
    ]


def test_an_action_has_the_same_alternative_on_every_screen() -> None:
    """« Payer » is F9 or Ctrl+G on the family, its statement and the certificate; the refund
    form's cash and cheque take the payment form's Ctrl keys; home's desk keys the app's."""
    alternatives: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for (cls, action), keys in _f_key_actions().items():
        others = {key for key, _b in keys if not F_KEY.match(key)}
        alternatives[action][cls] = others
    spread = {action: by_class for action, by_class in alternatives.items() if len(by_class) > 1}
    assert set(spread["pay"]) == {"FamilyScreen", "StatementView", "CertificateScreen"}
    assert {"RefundScreen", "PaymentScreen"} <= set(spread["method('cheque')"])
    for action, by_class in spread.items():
        assert len({frozenset(keys) for keys in by_class.values()}) == 1, (action, by_class)


def test_the_alternatives_are_keys_a_terminal_and_a_text_box_let_through() -> None:
    assert {"ctrl+a", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+w"} <= TEXT_BOX_CTRL_KEYS
    refused = TEXT_BOX_CTRL_KEYS | BROWSER_KEYS | TERMINAL_KEYS
    for (cls, action), keys in _f_key_actions().items():
        for key, binding in keys:
            if F_KEY.match(key) or key in ("question_mark", "q"):
                continue
            assert key not in refused, (cls, action, key)
            if len(key) == 1 and binding.priority:
                assert cls in LETTERS_BEFORE_DIGIT_BOXES, (cls, action, key)


# --- the counter, without an F-key ---------------------------------------------------------


def _counter(database: Database) -> Counter:
    """The payment tests' counter, found by the search box (its index built)."""
    from registrar_tui.services.search.index import rebuild_index

    counter = seed_counter(database)
    with database.write() as uow:
        rebuild_index(uow)
    return counter


async def handed_over(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    """Wait (boundedly) for a key the app's typeahead queue still holds to be handled: on
    a loaded machine it goes out after the one before it is done (screens/session/
    typeahead.py), which may be after `settle` returned."""
    for _ in range(100):
        if done():
            return
        await pilot.pause(0.02)
    assert done()


def test_a_cash_payment_at_the_counter_with_no_f_key(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Search, open the family, its billing tab, Ctrl+G (« Payer »), Ctrl+O (cash), the
    bills handed over, Enter: the payment is posted, the change shown."""
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    counter = _counter(database)
    app = create_app(database=database, clock=fixed_clock)
    press = CountedPresses()

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await type_text(pilot, TREMBLAY.lower())
            await settle(pilot)
            await press(pilot, "enter")
            assert isinstance(app.screen, FamilyScreen), (
                shown(app.screen.query_one("#search-status", Static)),
                app.screen.query_one("#query", Input).value,
            )
            await press(pilot, "3")  # the billing tab
            await press(pilot, "ctrl+g")
            screen = app.screen
            assert isinstance(screen, PaymentScreen)
            await press(pilot, "ctrl+l")  # F1's twin: the form's keys, each with its twin
            methods = dict(app.screen.key_lines())  # type: ignore[attr-defined]
            assert methods["f2, ^o"].startswith("Comptant")
            assert methods["f6, ^g"].startswith("Chèque")
            await press(pilot, "ctrl+l")  # closes the help
            assert app.screen is screen
            await press(pilot, "ctrl+b")  # debit first, then back to cash
            await handed_over(pilot, lambda: screen.method == "debit")
            await press(pilot, "ctrl+o")
            await handed_over(pilot, lambda: screen.method == "cash")
            assert app.focused is screen.query_one("#amount_tendered", Input)
            await type_text(pilot, "300")
            await press(pilot, "enter")
            assert "25,00" in shown(screen.query_one("#payment-status", Static)) or any(
                "25,00" in shown(widget) for widget in screen.query(Static)
            )

    asyncio.run(main())
    assert not [key for key in press.pressed if F_KEY.match(key)]
    with database.read() as uow:
        posted = uow.session.exec(select(Payment)).all()
        assert [(p.family_id, p.method, p.amount) for p in posted] == [
            (counter.tremblay_id, PaymentMethod.CASH, Decimal("275.00"))
        ]


# --- F1 and the palette show them ----------------------------------------------------------


async def _at_the_family(pilot: Pilot[None]) -> None:
    """Signed in, the Tremblay family found and opened."""
    await settle(pilot)
    await sign_in(pilot)
    await type_text(pilot, TREMBLAY.lower())
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_f1_lists_each_key_beside_its_f_key(database: Database) -> None:
    _counter(database)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> dict[str, str]:
        async with app.run_test(size=(80, 24)) as pilot:
            await _at_the_family(pilot)
            await pilot.press("3")
            await settle(pilot)
            await pilot.press("ctrl+l")  # F1's own alternative
            await settle(pilot)
            lines = app.screen.key_lines()  # type: ignore[attr-defined]
            return {text.split(" — ")[0]: keys for keys, text in lines}

    lines = asyncio.run(main())
    assert lines["Payer"] == "f9, ^g"
    assert lines["Aide"] == "f1, ^l, ?"
    assert lines["Fermeture de caisse"] == "f10, ^o", lines


def test_the_palette_shows_each_key_beside_its_f_key(database: Database) -> None:
    """Ctrl+P, « payer »: the command says F9 and Ctrl+G; « caisse »: F10 and Ctrl+O (the day
    close is offered there too, though the palette is a modal screen)."""
    from textual.command import CommandList

    _counter(database)
    app = create_app(database=database, clock=fixed_clock)

    async def find(pilot: Pilot[None], words: str) -> str:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, words)
        await settle(pilot)
        await pilot.pause(0.5)
        commands = app.screen.query_one(CommandList)
        assert commands.option_count, type(app.screen)
        first = str(commands.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await settle(pilot)
        return first

    async def main() -> tuple[str, str]:
        async with app.run_test(size=(80, 24)) as pilot:
            await _at_the_family(pilot)
            found = await find(pilot, "payer"), await find(pilot, "fermeture caisse")
            activities = await find(pilot, "activités")
            assert "f8, ^y t · Sorties" in activities, activities
            # And the day close command opens the day close.
            await pilot.press("ctrl+p")
            await type_text(pilot, "fermeture caisse")
            await settle(pilot)
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DayCloseScreen), app.screen
            return found

    pay, day_close = asyncio.run(main())
    assert pay.startswith("famille : payer") and "f9, ^g · Payer les factures" in pay, pay
    assert day_close.startswith("application : fermeture de caisse"), day_close
    assert "f10, ^o · Totaux" in day_close, day_close


# --- the « Aller à… » menu (Ctrl+Y) ---------------------------------------------------------

_OPENED = {name: DESK_SCREENS[name][1] for name in DESK_SCREENS} | {"day_close": "DayCloseScreen"}


async def _open_menu(pilot: Pilot[None]) -> list[str]:
    """Ctrl+Y: the « Aller à… » menu on top; the destinations it offers."""
    await pilot.press(GOTO_KEY)
    await settle(pilot)
    menu = pilot.app.screen
    assert isinstance(menu, GoToScreen)
    return menu.destinations


async def _go(pilot: Pilot[None], letter: str) -> str:
    """Ctrl+Y, then the letter: the screen on top afterwards."""
    await _open_menu(pilot)
    await pilot.press(letter)
    await settle(pilot)
    return type(pilot.app.screen).__name__


def test_a_registrar_opens_every_desk_screen_from_the_menu(database: Database) -> None:
    """From the search box (its text box has the focus): Ctrl+Y A is the school year, as F5;
    every letter opens its screen; F1 at home says « f5, ^y a »."""
    seed(database)  # a clerk and a registrar
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> tuple[list[str], dict[str, str], dict[str, str]]:
        opened: dict[str, str] = {}
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in_registrar(pilot)
            offered = await _open_menu(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert type(app.screen).__name__ == "SearchScreen"
            for name, letter in GOTO_LETTERS.items():
                opened[name] = await _go(pilot, letter)
                await pilot.press("ctrl+f")  # back home
                await settle(pilot)
            await pilot.press("ctrl+l")
            await settle(pilot)
            lines = app.screen.key_lines()  # type: ignore[attr-defined]
            help_keys = {text.split(" — ")[0]: keys for keys, text in lines}
        return offered, opened, help_keys

    offered, opened, help_keys = asyncio.run(main())
    assert offered == list(GOTO_LETTERS)
    assert opened == _OPENED
    assert opened["school_year"] == "TermsScreen"
    assert help_keys["Année scolaire"] == "f5, ^y a"
    assert help_keys["Frais"] == "f6, ^y f"
    assert help_keys["Activités"] == "f8, ^y t"
    assert help_keys["Admission"] == "f2, ^n"


def test_a_clerk_opens_the_activities_from_the_menu_and_sees_only_theirs(
    database: Database,
) -> None:
    """Ctrl+Y T opens the activities; the clerk's menu has no school year, and its letter
    does nothing there (the menu stays until Escape)."""
    seed(database)  # a clerk and a registrar
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> tuple[list[str], str, str, str]:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            offered = await _open_menu(pilot)
            await pilot.press("a")
            await settle(pilot)
            after_a = type(app.screen).__name__
            await pilot.press("escape")
            await settle(pilot)
            after_escape = type(app.screen).__name__
            return offered, after_a, after_escape, await _go(pilot, "t")

    offered, after_a, after_escape, activities = asyncio.run(main())
    assert "activities" in offered and "day_close" in offered
    assert "school_year" not in offered and "fees" not in offered
    assert after_a == "GoToScreen"
    assert after_escape == "SearchScreen"
    assert activities == "ActivitiesScreen"
