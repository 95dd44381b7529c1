"""`registrar-tui setting list | set`: an administrator changes what every terminal shares."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AppSetting, AuditEvent
from tests.cli.test_reference import PASSWORD, db_path, run

__all__ = ["db_path"]  # the fixture, shared with the reference-data CLI tests


def _stored(path: Path) -> tuple[dict[str, str], list[str]]:
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            settings = {s.key: s.value for s in uow.session.exec(select(AppSetting))}
            actions = [
                e.action for e in uow.session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))
            ]
            return settings, actions
    finally:
        db.dispose()


def test_admin_narrows_medical_roles_and_idle_wait(db_path: Path) -> None:
    db = str(db_path)
    roles = run(
        "setting", "set", "medical-roles", "registrar, admin", "--as", "admin",
        "--password-stdin", "--db", db, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert roles.exit_code == 0, roles.output
    assert "medical-roles\tadmin,registrar" in roles.output
    idle = run(
        "setting",
        "set",
        "idle-minutes",
        "10",
        "--as",
        "admin",
        "--password-stdin",
        "--db",
        db,
        stdin=PASSWORD + "\n",
    )
    assert idle.exit_code == 0, idle.output
    listed = run("setting", "list", "--db", db)
    assert "medical-roles\tadmin,registrar" in listed.output
    assert "idle-minutes\t10" in listed.output
    settings, actions = _stored(db_path)
    assert settings["medical_roles"] == "registrar,admin"
    assert settings["idle_minutes"] == "10"
    assert actions.count("auth.login") == 2


def test_refusals_change_nothing(db_path: Path) -> None:
    db = str(db_path)
    as_registrar = run(
        "setting", "set", "idle-minutes", "5", "--as", "registrar", "--password-stdin",
        "--db", db, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert as_registrar.exit_code == 1
    assert "droit" in as_registrar.output
    bad_role = run(
        "setting", "set", "medical-roles", "nurse", "--as", "admin", "--password-stdin",
        "--db", db, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert bad_role.exit_code == 1
    assert "clerk, registrar, admin" in bad_role.output
    unknown = run("setting", "set", "colour", "red", "--as", "admin", "--db", db)
    assert unknown.exit_code == 1
    assert "Réglage inconnu" in unknown.output
    settings, _actions = _stored(db_path)
    assert "idle_minutes" not in settings and "medical_roles" not in settings
