"""The app checks its database at start and says on the login screen what is wrong
(issue #13, point 12): a server out of reach, a database of another kind, an address
that is not one. Signing in then says it again, never « Vérification… » for ever."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Static

from registrar_tui.app import create_app
from registrar_tui.screens.session.login import LoginScreen
from tests.conftest import fixed_clock
from tests.screens.helpers import settle, shown, sign_in

CASES = {
    "postgresql://registrar@127.0.0.1:1/registrar": (
        "Base de données injoignable (127.0.0.1, port 1)",
        "connexion refusée",
        "Vérifiez que le serveur PostgreSQL est démarré",
    ),
    "mysql://registrar@db.example/registrar": (
        "Base de données « mysql » non prise en charge",
        "PostgreSQL (postgresql://",
    ),
    "nonsense://x": ("Base de données « nonsense » non prise en charge",),
}


@pytest.mark.parametrize("url", list(CASES))
def test_a_wrong_database_is_said_on_the_login_screen(url: str) -> None:
    app = create_app(url, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            status = " ".join(shown(app.screen.query_one("#login-status", Static)).split())
            for part in CASES[url]:
                assert part in status, status

            await sign_in(pilot, password="Comptoir-test-2026")
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert app.backend.identity is None
            status = " ".join(shown(app.screen.query_one("#login-status", Static)).split())
            assert "Vérification" not in status
            assert CASES[url][0] in status, status

    asyncio.run(main())
