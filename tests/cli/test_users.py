"""`registrar-tui user …`: staff accounts from the command line, as an admin runs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, StaffUser
from registrar_tui.services.core.errors import InvalidCredentials
from registrar_tui.services.staff.auth import authenticate

ADMIN_PASSWORD = "Premier-admin-2026"
CLERK_PASSWORD = "Comptoir-neige-2026"


def run(db: Database, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), [*args, "--db", db.url], input=stdin)


def first_admin(db: Database) -> None:
    result = run(
        db,
        "user",
        "add",
        "slapointe",
        "--name",
        "Sylvie Lapointe",
        "--role",
        "admin",
        "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output


def actions(db: Database) -> list[str]:
    with db.read() as uow:
        return list(uow.session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))))


def can_sign_in(db: Database, username: str, password: str) -> bool:
    try:
        with db.write() as uow:
            authenticate(uow, username, password)
    except InvalidCredentials:
        return False
    return True


def test_first_admin_then_a_clerk_then_the_list(database: Database) -> None:
    first_admin(database)
    added = run(
        database,
        "user",
        "add",
        "jroy",
        "--name",
        "Jean Roy",
        "--role",
        "clerk",
        "--language",
        "en",
        "--as",
        "slapointe",
        "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{CLERK_PASSWORD}\n",
    )
    listed = run(
        database, "user", "list", "--as", "slapointe", "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n",
    )  # fmt: skip

    assert added.exit_code == 0, added.output
    assert "Compte créé : jroy (Jean Roy, Commis) : actif." in added.output
    lines = listed.output.splitlines()
    assert [" ".join(line.split()) for line in lines] == [
        "Utilisateur Nom Rôle Établissement Actif Verrouillé jusqu'à",
        "jroy Jean Roy Commis — oui —",
        "slapointe Sylvie Lapointe Administrateur — oui —",
    ]
    assert lines[0].index("Nom") == lines[1].index("Jean") == lines[2].index("Sylvie")
    assert can_sign_in(database, "jroy", CLERK_PASSWORD)
    assert actions(database)[:3] == ["user.add", "auth.login", "user.add"]


def test_the_list_needs_as_like_every_account_command(database: Database) -> None:
    """Who may read the accounts proves it first: without --as nothing is listed."""
    first_admin(database)
    before = actions(database)

    anonymous = run(database, "user", "list")
    wrong = run(
        database, "user", "list", "--as", "slapointe", "--password-stdin",
        stdin="not-the-password\n",
    )  # fmt: skip

    assert anonymous.exit_code == 2
    assert "--as" in anonymous.output
    assert "slapointe" not in anonymous.output and "Sylvie" not in anonymous.output
    assert wrong.exit_code == 1 and "Sylvie" not in wrong.output
    assert actions(database) == [*before, "auth.login_failed"]


def test_second_admin_needs_as(database: Database) -> None:
    first_admin(database)
    result = run(
        database,
        *("user", "add", "intrus", "--name", "Intrus", "--role", "admin", "--password-stdin"),
        stdin=f"{CLERK_PASSWORD}\n",
    )
    assert result.exit_code == 1
    assert "Un administrateur existe déjà : indiquez qui fait la modification avec --as." in (
        result.output
    )
    assert "Traceback" not in result.output


def test_passwords_typed_twice_must_match(database: Database) -> None:
    first_admin(database)
    args = ("user", "add", "jroy", "--name", "Jean Roy", "--role", "clerk", "--as", "slapointe")

    mismatch = run(database, *args, stdin=f"{ADMIN_PASSWORD}\n{CLERK_PASSWORD}\nautre-chose-2026\n")
    short = run(database, *args, stdin=f"{ADMIN_PASSWORD}\ncourt\ncourt\n")
    typed = run(database, *args, stdin=f"{ADMIN_PASSWORD}\n{CLERK_PASSWORD}\n{CLERK_PASSWORD}\n")

    assert mismatch.exit_code == 1
    assert "Les deux mots de passe ne sont pas identiques." in mismatch.output
    assert short.exit_code == 1
    assert "au moins 12 caractères" in short.output
    assert typed.exit_code == 0, typed.output
    assert "Mot de passe de slapointe" in typed.output
    assert "Retapez le mot de passe" in typed.output
    assert CLERK_PASSWORD not in typed.output  # hidden input
    assert can_sign_in(database, "jroy", CLERK_PASSWORD)


def test_wrong_admin_password_changes_nothing_but_is_audited(database: Database) -> None:
    first_admin(database)
    result = run(
        database,
        *("user", "add", "jroy", "--name", "Jean Roy", "--role", "clerk"),
        *("--as", "slapointe", "--password-stdin"),
        stdin=f"pas-le-bon-2026\n{CLERK_PASSWORD}\n",
    )
    assert result.exit_code == 1
    assert "Nom d'utilisateur ou mot de passe incorrect." in result.output
    assert actions(database) == ["user.add", "auth.login_failed"]


def test_disable_enable_reset_unlock(database: Database) -> None:
    first_admin(database)
    run(
        database,
        *("user", "add", "jroy", "--name", "Jean Roy", "--role", "clerk"),
        *("--as", "slapointe", "--password-stdin"),
        stdin=f"{ADMIN_PASSWORD}\n{CLERK_PASSWORD}\n",
    )
    as_admin = ("--as", "slapointe", "--password-stdin")

    disabled = run(database, "user", "disable", "jroy", *as_admin, stdin=f"{ADMIN_PASSWORD}\n")
    refused = can_sign_in(database, "jroy", CLERK_PASSWORD)
    enabled = run(database, "user", "enable", "jroy", *as_admin, stdin=f"{ADMIN_PASSWORD}\n")
    new_password = "Nouveau-guichet-2027"
    reset = run(
        database,
        *("user", "reset-password", "jroy", *as_admin),
        stdin=f"{ADMIN_PASSWORD}\n{new_password}\n",
    )
    with database.write() as uow:
        user = uow.session.exec(select(StaffUser).where(StaffUser.username == "jroy")).one()
        user.locked_until = datetime.now(tz=UTC) + timedelta(minutes=20)
    locked = run(
        database, "user", "list", *as_admin, stdin=f"{ADMIN_PASSWORD}\n"
    ).output.splitlines()[1]
    unlocked = run(database, "user", "unlock", "jroy", *as_admin, stdin=f"{ADMIN_PASSWORD}\n")
    unknown = run(database, "user", "unlock", "nobody", *as_admin, stdin=f"{ADMIN_PASSWORD}\n")

    assert "Compte désactivé : jroy (Jean Roy, Commis) : désactivé." in disabled.output
    assert not refused
    assert "Compte réactivé : jroy (Jean Roy, Commis) : actif." in enabled.output
    assert reset.exit_code == 0 and "Mot de passe changé : jroy" in reset.output
    assert locked.startswith("jroy") and not locked.endswith("—")  # locked until …
    assert unlocked.exit_code == 0 and "Compte déverrouillé : jroy" in unlocked.output
    assert unknown.exit_code == 1 and "Utilisateur « nobody » introuvable." in unknown.output
    assert can_sign_in(database, "jroy", new_password)
    assert not can_sign_in(database, "jroy", CLERK_PASSWORD)
    changes = [a for a in actions(database) if a.startswith("user.")]
    assert changes == [
        "user.add",
        "user.add",
        "user.disable",
        "user.enable",
        "user.reset_password",
        "user.unlock",
    ]


def test_a_clerk_cannot_act_as_admin(database: Database) -> None:
    first_admin(database)
    run(
        database,
        *("user", "add", "jroy", "--name", "Jean Roy", "--role", "clerk"),
        *("--as", "slapointe", "--password-stdin"),
        stdin=f"{ADMIN_PASSWORD}\n{CLERK_PASSWORD}\n",
    )
    result = run(
        database,
        *("user", "disable", "slapointe", "--as", "jroy", "--password-stdin"),
        stdin=f"{CLERK_PASSWORD}\n",
    )
    assert result.exit_code == 1
    assert "Vous n'avez pas le droit de faire cette opération." in result.output
    assert can_sign_in(database, "slapointe", ADMIN_PASSWORD)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--role", "boss", "rôle inconnu « boss »"), ("--language", "de", "langue inconnue")],
)
def test_bad_choices_are_usage_errors(
    database: Database, option: str, value: str, message: str
) -> None:
    args = ["user", "add", "jroy", "--name", "Jean Roy", "--role", "clerk", option, value]
    result = run(database, *args, "--password-stdin", stdin=f"{CLERK_PASSWORD}\n")
    assert result.exit_code == 2
    assert message in result.output
