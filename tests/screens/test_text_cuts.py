"""Text is never cut without a sign (issue #13, point 8).

Every screen of the tour (tests/screens/tour.py) drawn at 80×24 in both languages hides
none of its words silently (tests/screens/cuts.py: a cell or a line cut without « … »);
then the particular cases of the issue, each pressed as a person would: the family's
guardian table, the help that wraps, the locked account naming until when, F6 for the
registrar, and a terminal below 80×24.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from registrar_tui.app import RegistrarApp
from registrar_tui.db import Database
from registrar_tui.i18n import format_datetime
from registrar_tui.models import Payment, StaffUser
from registrar_tui.services.core.clock import as_utc
from tests.conftest import fixed_clock
from tests.screens import tour
from tests.screens.cuts import cut_text

SIZE = (80, 24)


@pytest.fixture(scope="module")
def demo(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tour.demo_database(sqlite_template, tmp_path_factory.mktemp("demo"))


async def _every_screen(demo: Path, directory: Path, language: str) -> dict[str, list[str]]:
    app, clock = tour.open_app(demo, directory, language)
    found: dict[str, list[str]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await tour.picture(pilot)
        found["login"] = cut_text(app.screen)
        await tour.sign_in(pilot, tour.CLERK)
        for stops, then in ((tour.CLERK_STOPS, True), (tour.REGISTRAR_STOPS, False)):
            for stop in stops:
                await tour.home(pilot)
                await tour.visit(pilot, clock, stop)
                await tour.picture(pilot)
                found[stop.name] = cut_text(app.screen)
                await tour.leave(pilot, clock, stop)
            if then:
                await tour.switch_user(pilot, clock, tour.REGISTRAR)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr_CA", "en"])
def test_no_screen_cuts_text_without_an_ellipsis(language: str, demo: Path, tmp_path: Path) -> None:
    found = asyncio.run(_every_screen(demo, tmp_path, language))
    cut = [f"{name}: {what}" for name, cuts in found.items() for what in cuts]
    assert cut == []


def _run(
    demo: Path,
    directory: Path,
    scenario: object,
    size: tuple[int, int] = SIZE,
    language: str = "fr_CA",
) -> None:
    async def main() -> None:
        app, clock = tour.open_app(demo, directory, language)
        async with app.run_test(size=size) as pilot:
            await scenario(pilot, clock)  # type: ignore[operator]

    asyncio.run(main())


def _db(directory: Path) -> Database:
    return Database.open(str(directory / "tour.db"), clock=fixed_clock)


def test_guardians_table_ends_its_cut_cells_with_an_ellipsis(demo: Path, tmp_path: Path) -> None:
    """« Adre » was the address column clipped by the table's edge at 80 columns."""

    async def scenario(pilot: Pilot[None], clock: tour.MovingClock) -> None:
        await tour.sign_in(pilot, tour.CLERK)
        await tour.press(pilot, clock, [*tour.TREMBLAY, "1"])
        shown = (await tour.picture(pilot)).text
        header = next(line for line in shown if "Téléphone" in line)
        assert "Courriel" in header and "Adres…" in header
        row = next(line for line in shown if "Hélène Tremblay  " in line)
        # The last columns give up room first: the address, then the e-mail.
        assert "helene.tremblay@example…" in row and "4521,…" in row
        assert cut_text(pilot.app.screen) == []

    _run(demo, tmp_path, scenario)


def test_family_header_cuts_the_establishment_with_an_ellipsis(demo: Path, tmp_path: Path) -> None:
    async def scenario(pilot: Pilot[None], clock: tour.MovingClock) -> None:
        await tour.sign_in(pilot, tour.CLERK)
        await tour.press(pilot, clock, tour.TREMBLAY)
        shown = (await tour.picture(pilot)).text
        assert shown[1].rstrip(" │").endswith("…"), shown[1]
        assert "F0000001 · MTL Conservatoire Laurentien" in shown[1]

    _run(demo, tmp_path, scenario)


def test_help_wraps_its_descriptions(demo: Path, tmp_path: Path) -> None:
    """F1 over the statement: every description is read whole (wrapped onto more lines)."""

    async def scenario(pilot: Pilot[None], clock: tour.MovingClock) -> None:
        await tour.sign_in(pilot, tour.CLERK)
        await tour.press(pilot, clock, [*tour.TREMBLAY, "3", "f1"])
        app = pilot.app
        assert type(app.screen).__name__ == "HelpScreen"
        assert cut_text(app.screen) == []
        table = app.screen.query_one("#help-keys", DataTable)
        room = table.ordered_columns[1].width
        lines = app.screen.key_lines()  # type: ignore[attr-defined]
        row, longest = max(enumerate(text for _key, text in lines), key=lambda row: len(row[1]))
        assert len(longest) > room  # wider than the description column: it wraps
        await tour.press(pilot, clock, ["down"] * row)  # scrolled to it, as a reader does
        shown = " ".join(part.strip(" │") for part in (await tour.picture(pilot)).text)
        assert " ".join(longest.split()) in " ".join(shown.split())

    _run(demo, tmp_path, scenario)


def test_locked_account_says_until_when(demo: Path, tmp_path: Path) -> None:
    """Ten wrong passwords: the whole message shows, naming when the lock ends."""
    from registrar_tui.services.staff.auth import LOCK_DURATION, MAX_FAILED_ATTEMPTS

    async def scenario(pilot: Pilot[None], clock: tour.MovingClock) -> None:
        await tour.press(pilot, clock, [tour.Type("clerk"), "enter"])
        for _attempt in range(MAX_FAILED_ATTEMPTS):
            await tour.press(pilot, clock, [tour.Type("pas-le-bon"), "enter"])
        # The message wraps inside the box: read it without the box's sides.
        shown = " ".join("\n".join((await tour.picture(pilot)).text).replace("│", " ").split())
        until = format_datetime(fixed_clock() + LOCK_DURATION, "short")
        assert f"Ce compte est verrouillé jusqu'à {until}. Réessayez" in shown, shown
        assert "ou demandez à un administrateur." in shown
        assert cut_text(pilot.app.screen) == []

    _run(demo, tmp_path, scenario)
    db = _db(tmp_path)
    with db.read() as uow:
        clerk = uow.session.exec(select(StaffUser).where(StaffUser.username == "clerk")).one()
        assert clerk.locked_until is not None
        assert as_utc(clerk.locked_until) == fixed_clock() + LOCK_DURATION
    db.dispose()


def test_f6_term_fees_in_the_registrars_footer_and_help(demo: Path, tmp_path: Path) -> None:
    async def scenario(pilot: Pilot[None], clock: tour.MovingClock) -> None:
        await tour.sign_in(pilot, tour.REGISTRAR)
        footer = (await tour.picture(pilot)).text[-1]
        assert "f6 Frais" in footer and "f1 Aide" in footer
        await tour.press(pilot, clock, ["f1"])
        help_text = "\n".join((await tour.picture(pilot)).text)
        assert "f6" in help_text and "Frais de confirmation tardive" in help_text
        await tour.press(pilot, clock, ["escape", "f6"])
        assert type(pilot.app.screen).__name__ == "TermFeesScreen"

    _run(demo, tmp_path, scenario)


def test_the_clerk_has_no_f6(demo: Path, tmp_path: Path) -> None:
    async def scenario(pilot: Pilot[None], clock: tour.MovingClock) -> None:
        await tour.sign_in(pilot, tour.CLERK)
        assert "f6" not in (await tour.picture(pilot)).text[-1]

    _run(demo, tmp_path, scenario)


def test_below_80x24_the_app_says_how_big_the_terminal_must_be(demo: Path, tmp_path: Path) -> None:
    """At 64×20 the payment form lost its figures: now a notice covers it until the
    terminal is 80×24 again, then the form shows every amount; nothing was paid."""

    async def scenario(pilot: Pilot[None], clock: tour.MovingClock) -> None:
        app = pilot.app
        assert isinstance(app, RegistrarApp)
        await tour.sign_in(pilot, tour.CLERK)
        await tour.press(pilot, clock, [*tour.TREMBLAY, "3", "f9"])
        await pilot.resize_terminal(64, 20)
        shown = "\n".join((await tour.picture(pilot)).text)
        assert "Terminal trop petit : 64×20" in shown
        assert "80×24" in shown
        assert "Solde choisi" not in shown
        await tour.press(pilot, clock, ["enter", "f1", "ctrl+f"])  # nothing happens
        await pilot.resize_terminal(80, 24)
        shown = "\n".join((await tour.picture(pilot)).text)
        assert type(app.screen).__name__ == "PaymentScreen"
        assert "Solde choisi : 275,00" in shown
        assert "trop petit" not in shown

    _run(demo, tmp_path, scenario, size=(80, 24))
    assert _payments(tmp_path / "tour.db") == _payments(demo)


def _payments(path: Path) -> int:
    db = Database.open(str(path), clock=fixed_clock)
    try:
        with db.read() as uow:
            return len(uow.session.exec(select(Payment.id)).all())
    finally:
        db.dispose()


LONG_FAMILY = "Bouchard-Villeneuve et Larivière-Desjardins-Beauregard"
LONG_FIRST = "Marie-Florence-Éloïse-Geneviève"
LONG_LAST = "Tremblay-Villeneuve de la Chesnaye-Beauregard"


def _long_names(demo: Path, directory: Path) -> Path:
    """The demo with long names where the dialogs put them on one line: the Tremblay
    family with credit (F0000004) and Florence Tremblay (F0000001)."""
    from registrar_tui.models import Family, Student

    path = directory / "long-names.db"
    shutil.copyfile(demo, path)
    db = Database.open(str(path), clock=fixed_clock)
    try:
        with db.write() as uow:
            session = uow.session
            family = session.exec(select(Family).where(Family.family_number == "F0000004")).one()
            family.name = LONG_FAMILY
            student = session.exec(
                select(Student).where(Student.student_number == "261000001")
            ).one()
            student.first_name, student.last_name = LONG_FIRST, LONG_LAST
            session.add_all([family, student])
    finally:
        db.dispose()
    return path


@pytest.mark.parametrize("language", ["fr_CA", "en"])
def test_dialog_titles_cut_long_names_with_an_ellipsis(
    language: str, demo: Path, tmp_path: Path
) -> None:
    """The refund's title and the certificate's subject hold one line: a long family or
    student name ends with « … » instead of losing its end (and the title) silently."""
    seen: dict[str, tuple[list[str], list[str]]] = {}

    async def scenario(pilot: Pilot[None], clock: tour.MovingClock) -> None:
        await tour.sign_in(pilot, tour.REGISTRAR)
        for name, stop in (
            ("refund", [*tour.PAID, "3", "r"]),
            ("certificate", [*tour.LEA, "2", "t"]),
        ):
            await tour.home(pilot)
            await tour.press(pilot, clock, stop)
            shown = (await tour.picture(pilot)).text
            seen[name] = (cut_text(pilot.app.screen), shown)

    _run(_long_names(demo, tmp_path), tmp_path, scenario, language=language)
    (refund_cuts, refund), (certificate_cuts, certificate) = seen["refund"], seen["certificate"]
    assert refund_cuts == [] and certificate_cuts == []
    title = next(line for line in refund if "Bouchard-Villeneuve" in line)
    assert title.rstrip(" │").endswith("…"), "\n".join(refund)
    subject = next(line for line in certificate if "Marie-Florence-Éloïse-Geneviève" in line)
    assert subject.rstrip(" │").endswith("…"), "\n".join(certificate)
