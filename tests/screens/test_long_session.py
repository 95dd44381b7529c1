"""One screen never changes another (issue #13, point 1).

Textual loads every screen's stylesheet into the app's one stylesheet the first time the
screen shows: a rule of one screen that is not under its own type styles every screen
after it (the day close lost its labels once the guardian form had been opened). One app
signs in as the clerk, visits every screen of the tour (tests/screens/tour.py) with keys,
lets the registrar take the terminal, visits the registrar's; each screen must look
exactly as the same screen drawn in a fresh app reached by the same keys (same text, same
colours and styles).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.screens import tour

pytestmark = pytest.mark.xdist_group("long-session")
"""The long session is walked once (module fixture): its tests stay on one worker."""
# Minutes of key presses and sign-ins (one app per screen): with the soak tests, in
# `make test-slow` (run by .ci/run after `make test`); the issue's recipe below stays fast.

SIZE = (80, 24)
ALL_STOPS = (*tour.CLERK_STOPS, *tour.REGISTRAR_STOPS)


@pytest.fixture(scope="module")
def demo(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tour.demo_database(sqlite_template, tmp_path_factory.mktemp("demo"))


async def _walk(
    demo: Path, directory: Path, stops: tuple[tour.Stop, ...]
) -> dict[str, tour.Picture]:
    """One app: the sign-in screen, every clerk stop, the lock, every registrar stop.

    `stops` are drawn (the others are only passed through, as a person would)."""
    wanted = {stop.name for stop in stops}
    app, clock = tour.open_app(demo, directory)
    seen: dict[str, tour.Picture] = {}
    async with app.run_test(size=SIZE) as pilot:
        seen["login"] = await tour.picture(pilot)
        await tour.sign_in(pilot, tour.CLERK)
        for stop in tour.CLERK_STOPS:
            await tour.home(pilot)
            await tour.visit(pilot, clock, stop)
            if stop.name in wanted:
                seen[stop.name] = await tour.picture(pilot)
            await tour.leave(pilot, clock, stop)
        await tour.switch_user(pilot, clock, tour.REGISTRAR)
        for stop in tour.REGISTRAR_STOPS:
            await tour.home(pilot)
            await tour.visit(pilot, clock, stop)
            if stop.name in wanted:
                seen[stop.name] = await tour.picture(pilot)
            await tour.leave(pilot, clock, stop)
    return seen


async def _fresh(demo: Path, directory: Path, stop: tour.Stop) -> tour.Picture:
    """A new app reaching `stop` by the shortest way (a registrar stop after the lock)."""
    app, clock = tour.open_app(demo, directory)
    async with app.run_test(size=SIZE) as pilot:
        if stop.name == "login":
            return await tour.picture(pilot)
        await tour.sign_in(pilot, tour.CLERK)
        if stop in tour.REGISTRAR_STOPS:
            # The registrar's screens are reached as in the long session: the clerk's
            # terminal locked, the registrar signs in with F2 (same clock, same audit).
            await tour.home(pilot)
            await tour.press(pilot, clock, [tour.Idle(20)])
            await tour.switch_user(pilot, clock, tour.REGISTRAR)
        await tour.home(pilot)
        await tour.visit(pilot, clock, stop)
        return await tour.picture(pilot)


@pytest.fixture(scope="module")
def long_session(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tour.Picture]:
    return asyncio.run(_walk(demo, tmp_path_factory.mktemp("long"), ALL_STOPS))


LOGIN = tour.Stop("login", (), "LoginScreen")


@pytest.mark.slow
@pytest.mark.parametrize("stop", [LOGIN, *ALL_STOPS], ids=lambda stop: stop.name)
def test_screen_after_a_long_session_is_drawn_as_in_a_fresh_app(
    stop: tour.Stop, demo: Path, long_session: dict[str, tour.Picture], tmp_path: Path
) -> None:
    fresh = asyncio.run(_fresh(demo, tmp_path, stop))
    after = long_session[stop.name]
    title = f"{stop.name}: drawn differently after the other screens (- fresh, + long session)"
    assert after == fresh, "\n".join([title, *after.differences(fresh)])


def test_the_issue_recipe_keeps_the_day_close_labels(demo: Path, tmp_path: Path) -> None:
    """trem, Enter, 1, e, Escape, F10: « Comptant compté », « Note » and the boxes stay."""

    async def main() -> list[str]:
        app, clock = tour.open_app(demo, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await tour.sign_in(pilot, tour.CLERK)
            steps: list[tour.Step] = [tour.Type("trem"), "enter", "1", "e", "escape", "f10"]
            await tour.press(pilot, clock, steps)
            assert type(app.screen).__name__ == "DayCloseScreen"
            return (await tour.picture(pilot)).text

    shown = asyncio.run(main())
    counted = next(line for line in shown if "Comptant compté" in line)
    assert "Note" in "\n".join(shown)
    # The counted-cash box keeps its border: the row is three lines, the box drawn round.
    row = shown.index(counted)
    assert "▔" in shown[row - 1] and "▁" in shown[row + 1], "\n".join(shown)


def _screen_classes() -> set[str]:
    """Every screen class the app defines (registrar_tui/screens, one module per screen)."""
    import importlib
    import inspect
    import pkgutil

    from textual.screen import Screen

    import registrar_tui.screens as screens
    from registrar_tui.screens.widgets.base import AppModalScreen, AppScreen

    found: set[str] = set()
    for module_info in pkgutil.walk_packages(screens.__path__, f"{screens.__name__}."):
        module = importlib.import_module(module_info.name)
        for name, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__ and issubclass(value, Screen):
                found.add(name)
    return found - {AppScreen.__name__, AppModalScreen.__name__}


def test_the_tour_stops_at_every_screen_of_the_app() -> None:
    """A screen added to the app and not to the tour is a screen nobody checks for leaks
    and cut text: each is a stop, or named in `tour.NOT_STOPS` with the reason."""
    toured = {stop.screen for stop in ALL_STOPS} | set(tour.NOT_STOPS)
    missing = sorted(_screen_classes() - toured)
    assert missing == [], f"screens the tour never reaches: {missing}"
    gone = sorted(set(tour.NOT_STOPS) - _screen_classes())
    assert gone == [], f"tour.NOT_STOPS names screens the app no longer has: {gone}"


def _requests_and_guardians(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    from sqlmodel import select

    from registrar_tui.db import Database
    from registrar_tui.models import ChangeRequest, Guardian
    from tests.conftest import fixed_clock

    db = Database.open(str(path), clock=fixed_clock)
    try:
        with db.read() as uow:
            requests = uow.session.exec(select(ChangeRequest).order_by(ChangeRequest.id)).all()
            guardians = uow.session.exec(select(Guardian).order_by(Guardian.id)).all()
            return (
                [(request.id or 0, str(request.status)) for request in requests],
                [(guardian.id or 0, guardian.address_line) for guardian in guardians],
            )
    finally:
        db.dispose()


def test_the_deciding_stops_leave_the_queue_as_they_found_it(demo: Path, tmp_path: Path) -> None:
    """The household-move and undo stops approve Marc-André's move: once seen, their
    `leave` keys take it back (the stops after them, and the fresh apps, find the demo)."""
    deciding = [
        stop for stop in tour.REGISTRAR_STOPS if stop.name in ("household-move", "queue-undo")
    ]

    async def main() -> list[str]:
        app, clock = tour.open_app(demo, tmp_path)
        shown: list[str] = []
        async with app.run_test(size=SIZE) as pilot:
            await tour.sign_in(pilot, tour.REGISTRAR)
            for stop in deciding:
                await tour.home(pilot)
                await tour.visit(pilot, clock, stop)
                shown.extend((await tour.picture(pilot)).text)
                await tour.leave(pilot, clock, stop)
        return shown

    shown = "\n".join(asyncio.run(main()))
    assert "Julie Gagnon" in shown and "Annuler la décision" in shown
    assert _requests_and_guardians(tmp_path / "tour.db") == _requests_and_guardians(demo)
