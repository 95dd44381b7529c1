"""Command palette: records by name or number, the screen's keys by namespaced name."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.session.palette import match_words
from tests.screens.fixtures import MARKUP_FAMILY, seed
from tests.screens.helpers import settle, sign_in, type_text
from tests.screens.session.palette_app import PaletteTestApp, PayScreen, palette_app

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def seeded_db(database: Database) -> Database:
    seed(database)
    return database


def run(app: PaletteTestApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def options(app: PaletteTestApp) -> list[str]:
    """Each line of the palette's list as shown (first line of each option)."""
    commands = app.screen.query_one(CommandList)
    return [
        str(commands.get_option_at_index(index).prompt).split("\n")[0]
        for index in range(commands.option_count)
    ]


async def open_palette(pilot: Pilot[None], text: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert CommandPalette.is_open(pilot.app)
    await type_text(pilot, text)
    await settle(pilot)


def test_typing_a_name_lists_the_families_and_enter_opens_one(seeded_db: Database) -> None:
    app = palette_app(seeded_db)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await open_palette(pilot, "trem")
        shown = options(app)
        assert any(line.startswith("Famille") and "Tremblay" in line for line in shown)
        # A name that looks like markup is shown as typed, never interpreted.
        assert any(MARKUP_FAMILY in line for line in shown)
        assert all("famille :" not in line for line in shown)  # no command matches "trem"
        first = shown[0]
        await pilot.press("enter")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert len(app.opened) == 1
        kind, _ref, _extra = app.opened[0]
        assert ("Élève ·" in first) == (kind == "student")

    run(app, scenario)


def test_choosing_a_family_opens_that_family(seeded_db: Database) -> None:
    app = palette_app(seeded_db)
    ids = seed_ids(seeded_db)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await open_palette(pilot, "F0000001")  # the Tremblay family's number
        assert options(app)[0].startswith("Famille Tremblay")
        assert "Tremblay" in options(app)[0]
        await pilot.press("enter")
        await settle(pilot)
        assert app.opened == [("family", ids, {"tab": "identity"})]

    run(app, scenario)


def seed_ids(db: Database) -> int:
    from sqlmodel import select

    from registrar_tui.models import Family

    with db.read() as uow:
        family = uow.session.exec(select(Family).where(Family.family_number == "F0000001")).one()
        assert family.id is not None
        return family.id


def test_a_student_number_opens_the_student(seeded_db: Database) -> None:
    app = palette_app(seeded_db)
    family_id = seed_ids(seeded_db)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await open_palette(pilot, "201337007")  # Léa Tremblay
        first = options(app)[0]
        assert first.startswith("Tremblay, Léa") and "Élève · 201337007" in first
        await pilot.press("enter")
        await settle(pilot)
        ((kind, _student_id, extra),) = app.opened
        assert (kind, extra) == ("student", {"family_id": family_id})

    run(app, scenario)


def test_payer_lists_the_screen_pay_command_and_runs_it(seeded_db: Database) -> None:
    app = palette_app(seeded_db)
    screen = PayScreen()

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await app.push_screen(screen)
        await settle(pilot)
        await open_palette(pilot, "payer")
        shown = options(app)
        assert shown[0] == "famille : payer"
        await pilot.press("enter")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert screen.paid == 1
        assert app.screen is screen

    run(app, scenario)


def test_empty_palette_lists_every_command_of_the_screen(seeded_db: Database) -> None:
    app = palette_app(seeded_db)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await app.push_screen(PayScreen())
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        box = app.screen.query_one(CommandInput)
        assert box.placeholder == "Famille, élève, numéro ou commande…"
        shown = options(app)
        assert "famille : payer" in shown
        assert "famille : retour" in shown
        assert "application : quitter" in shown
        assert "application : rechercher" in shown
        assert len(shown) == len(set(shown))  # ctrl+f and / are one command
        await pilot.press("escape")
        await settle(pilot)
        assert not CommandPalette.is_open(app)

    run(app, scenario)


def test_the_palette_is_closed_to_strangers(seeded_db: Database) -> None:
    app = palette_app(seeded_db)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        await sign_in(pilot)
        assert isinstance(app.screen, SearchScreen)

    run(app, scenario)


def test_providers_offer_nothing_before_sign_in(seeded_db: Database) -> None:
    from registrar_tui.screens.session.palette import RecordsProvider, ScreenCommandsProvider

    app = palette_app(seeded_db)

    async def scenario(pilot: Pilot[None]) -> None:
        for provider_class in (RecordsProvider, ScreenCommandsProvider):
            provider = provider_class(app.screen)
            assert [hit async for hit in provider.search("trem")] == []
            # (The base class's discover yields NotImplemented: "nothing to discover".)
            assert [hit async for hit in provider.discover() if hit is not NotImplemented] == []

    run(app, scenario)


@pytest.mark.parametrize(
    ("query", "candidate", "matched"),
    [
        ("payer", "famille : payer", ["payer"]),
        ("PAY", "famille : payer", ["pay"]),
        ("hist", "élève : historique", ["hist"]),
        ("eleve hist", "élève : historique", ["élève", "hist"]),
        ("trem", "famille : payer", None),
        ("yer", "famille : payer", None),  # words match from their start only
    ],
)
def test_command_words_match_from_their_start(
    query: str, candidate: str, matched: list[str] | None
) -> None:
    spans = match_words(query, candidate)
    if matched is None:
        assert spans is None
    else:
        assert spans is not None
        assert [candidate[start:end] for start, end in spans] == matched


def test_a_search_that_finds_nothing_says_so_in_french(seeded_db: Database) -> None:
    """Textual's palette said « No matches found »."""
    app = palette_app(seeded_db)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        await open_palette(pilot, "zzqqxx")
        await pilot.pause(0.8)  # Textual waits half a second before saying it
        await settle(pilot)
        commands = app.screen.query_one(CommandList)
        assert commands.option_count == 1
        prompt = commands.get_option_at_index(0).prompt
        assert str(getattr(prompt, "renderable", prompt)) == "Aucun résultat"

    run(app, scenario)
