"""`registrar-tui api-key add|list|revoke`: the key printed once, listed without it."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models.base import Role
from registrar_tui.services.staff.api_clients import authenticate_api_key
from registrar_tui.services.staff.passwords import hash_password
from tests import builders as b

PASSWORD = "Gestion-neige-2026"


def run(db: Database, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), [*args, "--db", db.url], input=stdin)


def test_add_prints_the_key_once_list_never_shows_it_revoke(database: Database) -> None:
    with database.write() as uow:
        b.staff(
            uow, None, username="admin", full_name="Ada", role=Role.ADMIN,
            password_hash=hash_password(PASSWORD),
        )  # fmt: skip
    added = run(database, "api-key", "add", "portail", "--as", "admin", "--password-stdin",
                stdin=f"{PASSWORD}\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    key = added.stdout.strip()
    assert "ne sera plus jamais affichée" in added.stderr
    with database.read() as uow:
        assert authenticate_api_key(uow, key).name == "portail"
    listed = run(database, "api-key", "list")
    assert listed.exit_code == 0
    assert "portail\t" in listed.stdout and "api-portail" in listed.stdout
    assert key not in listed.stdout and key.split("_")[2] not in listed.stdout
    wrong = run(database, "api-key", "revoke", "portail", "--as", "admin", "--password-stdin",
                stdin="mauvais\n")  # fmt: skip
    assert wrong.exit_code == 1
    revoked = run(database, "api-key", "revoke", "portail", "--as", "admin", "--password-stdin",
                  stdin=f"{PASSWORD}\n")  # fmt: skip
    assert revoked.exit_code == 0, revoked.output
    assert "révoquée" in revoked.stdout
    assert "révoquée le" in run(database, "api-key", "list").stdout
