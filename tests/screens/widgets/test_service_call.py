"""The one way a screen calls a service (screens/widgets/service_call.py), on the real
backend: the answer reaches `done`, a refusal lands under its field or in a notice, a
superseded call delivers nothing, an unexpected error reaches the app's one handler."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

from textual.app import ComposeResult
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import AppSetting
from registrar_tui.screens.widgets.backend import Backend
from registrar_tui.screens.widgets.base import AppScreen
from registrar_tui.screens.widgets.service_call import ServiceCaller
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.staff.screen_lock import IDLE_MINUTES, idle_minutes
from tests.conftest import fixed_clock
from tests.screens.helpers import settle, shown

Scenario = Callable[[Pilot[None], "ProbeScreen"], Awaitable[None]]


class ProbeView(ServiceCaller, Widget):
    """A widget that calls services itself (as the family screen's tabs do)."""


class ProbeScreen(AppScreen):
    """An amount box with its error line; a note box without one."""

    def compose(self) -> ComposeResult:
        yield Input(id="amount")
        yield Static(Content(""), id="amount-error")
        yield Input(id="note")
        yield ProbeView(id="view")


def run(database: Database, scenario: Scenario) -> RegistrarApp:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = ProbeScreen()
            await app.push_screen(screen)
            await settle(pilot)
            await scenario(pilot, screen)

    asyncio.run(main())
    return app


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the app run until `condition` holds (a few seconds at most)."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the condition never held")


def notices(app: RegistrarApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def refuse(field: str | None) -> Callable[[Backend], object]:
    def call(backend: Backend) -> object:
        def service(uow: UnitOfWork) -> object:
            raise InvalidInput("Montant refusé : {reason}", field=field, reason="trop élevé")

        return backend.read(service)

    return call


def test_the_answer_reaches_done_on_the_ui_thread(database: Database) -> None:
    with database.write() as uow:
        uow.session.add(AppSetting(key=IDLE_MINUTES, value="7"))
    answers: list[tuple[int, bool]] = []

    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        def done(minutes: int) -> None:
            answers.append((minutes, threading.current_thread() is threading.main_thread()))

        screen.call_service(
            lambda backend: backend.read(idle_minutes, environ={}), done, group="probe"
        )
        await settle(pilot)

    run(database, scenario)
    assert answers == [(7, True)]  # the terminal's setting, not the default 15


def test_a_refusal_about_a_field_shows_under_it(database: Database) -> None:
    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        screen.call_service(refuse("amount"), group="probe")
        await settle(pilot)
        assert shown(screen.query_one("#amount-error", Static)) == "Montant refusé : trop élevé"
        screen.clear_refusal("amount")
        assert shown(screen.query_one("#amount-error", Static)) == ""

    app = run(database, scenario)
    assert notices(app) == []


def test_a_widgets_refusal_shows_under_the_screens_field(database: Database) -> None:
    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        screen.query_one(ProbeView).call_service(refuse("amount"), group="probe")
        await settle(pilot)
        assert shown(screen.query_one("#amount-error", Static)) == "Montant refusé : trop élevé"

    app = run(database, scenario)
    assert notices(app) == []


def test_a_refusal_without_its_error_line_becomes_a_notice(database: Database) -> None:
    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        screen.call_service(refuse("note"), group="probe")
        screen.call_service(refuse(None), group="other")
        await settle(pilot)
        assert shown(screen.query_one("#amount-error", Static)) == ""

    app = run(database, scenario)
    assert notices(app) == ["Montant refusé : trop élevé"] * 2
    assert all(n.severity == "error" for n in app._notifications)


def test_a_refusal_goes_to_refused_when_given(database: Database) -> None:
    refusals: list[str | None] = []

    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        screen.call_service(
            refuse("amount"), group="probe", refused=lambda error: refusals.append(error.field)
        )
        await settle(pilot)
        assert shown(screen.query_one("#amount-error", Static)) == ""

    app = run(database, scenario)
    assert refusals == ["amount"]
    assert notices(app) == []


def test_a_call_superseded_in_its_group_delivers_nothing(database: Database) -> None:
    release = threading.Event()
    started = threading.Event()
    finished = threading.Event()
    answers: list[str] = []

    def held(backend: Backend) -> str:
        started.set()
        try:
            assert release.wait(timeout=30)
            return backend.read(lambda uow: "first")
        finally:
            finished.set()

    def quick(backend: Backend) -> str:
        return backend.read(lambda uow: "second")

    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        screen.call_service(held, answers.append, group="probe")
        await asyncio.to_thread(started.wait, 30)
        screen.call_service(quick, answers.append, group="probe")
        await until(pilot, lambda: bool(answers))
        assert answers == ["second"]
        release.set()  # the first answer arrives after the newer one: it is dropped
        await asyncio.to_thread(finished.wait, 30)
        for _ in range(3):
            await pilot.pause(0.1)
        await settle(pilot)

    run(database, scenario)
    assert answers == ["second"]


def test_calls_that_are_not_exclusive_all_deliver(database: Database) -> None:
    answers: list[int] = []

    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        for number in range(3):
            screen.call_service(
                lambda backend, n=number: backend.read(lambda uow: n),
                answers.append,
                group="probe",
                exclusive=False,
            )
        await settle(pilot)

    run(database, scenario)
    assert sorted(answers) == [0, 1, 2]


def test_an_unexpected_error_reaches_the_apps_one_handler(database: Database) -> None:
    answers: list[object] = []

    def broken(backend: Backend) -> object:
        return backend.read(lambda uow: 1 // 0)

    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        screen.call_service(broken, answers.append, group="probe")
        await until(pilot, lambda: bool(notices(pilot.app)))  # type: ignore[arg-type]

    app = run(database, scenario)
    assert answers == []
    assert notices(app) == ["Erreur inattendue : ZeroDivisionError"]


def test_a_widgets_unexpected_error_reaches_the_apps_one_handler(database: Database) -> None:
    """Textual's worker messages do not bubble: the widget forwards the error itself."""

    def broken(backend: Backend) -> object:
        raise LookupError("no such thing")

    async def scenario(pilot: Pilot[None], screen: ProbeScreen) -> None:
        screen.query_one(ProbeView).call_service(broken, group="probe")
        await until(pilot, lambda: bool(notices(pilot.app)))  # type: ignore[arg-type]

    app = run(database, scenario)
    assert notices(app) == ["Erreur inattendue : LookupError"]
