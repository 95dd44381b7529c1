"""Roles are enforced in the services (issue #6 point 2).

`test_role_matrix` calls every action of `role_matrix_actions.ACTIONS` as a clerk, a
registrar, an admin and a disabled account, and compares who was allowed with the
table. `test_every_acting_service_is_in_the_matrix` fails when a service function that
takes the acting user is missing from the table. To print the matrix:

    .venv/bin/python -m tests.services.test_role_matrix
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
import tempfile
from pathlib import Path

import pytest
from sqlmodel import col, select

import registrar_tui.services
from registrar_tui.db import Database
from registrar_tui.models import Payment, PaymentVoid
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.ledger import voids
from tests.services.role_matrix_actions import Action
from tests.services.role_matrix_data import ROLES, MatrixWorld, build_matrix_world, fresh_payment
from tests.services.role_matrix_supervisors import ACTIONS

Outcome = dict[tuple[str, str], str]
"""(action, role) → "allowed" or the refusal's class name."""


def run_matrix(mw: MatrixWorld) -> Outcome:
    outcome: Outcome = {}
    for action in ACTIONS:
        for role in ROLES:
            try:
                action.run(mw, mw.user(role))
            except action.refusals as refusal:
                outcome[action.name, role] = type(refusal).__name__
            else:
                outcome[action.name, role] = "allowed"
    return outcome


def render(outcome: Outcome) -> str:
    """The matrix as a text table: ✓ allowed, ✗ refused (* = no acting user in the service)."""
    width = max(len(action.name) for action in ACTIONS) + 2
    lines = [f"{'action':<{width}}" + "".join(f"{role:>11}" for role in ROLES)]
    lines.append("-" * len(lines[0]))
    for action in ACTIONS:
        name = action.name + (" *" if action.actorless else "")
        cells = ("✓" if outcome[action.name, role] == "allowed" else "✗" for role in ROLES)
        lines.append(f"{name:<{width}}" + "".join(f"{cell:>11}" for cell in cells))
    lines.append("* no acting user in the service: only signing in refuses a disabled account")
    return "\n".join(lines)


def test_role_matrix(database: Database, capsys: pytest.CaptureFixture[str]) -> None:
    mw = build_matrix_world(database)
    outcome = run_matrix(mw)
    wrong = [
        f"{action.name} as {role}: {outcome[action.name, role]}"
        for action in ACTIONS
        for role in ROLES
        if (outcome[action.name, role] == "allowed") != (role in action.allowed)
    ]
    with capsys.disabled():
        print("\n" + render(outcome))
    assert not wrong, "\n".join(wrong)
    # A disabled account is refused by every service that knows who acts.
    assert all(
        outcome[a.name, "inactive"] == "PermissionDenied" for a in ACTIONS if not a.actorless
    )


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_nobody_voids_a_payment_they_took_themselves(database: Database, role: str) -> None:
    mw = build_matrix_world(database)
    user = mw.user(role)
    payment_id = fresh_payment(mw, taken_by=user)
    with pytest.raises(PermissionDenied) as refused, mw.db.write() as uow:
        voids.void_payment(uow, payment_id, "Erreur", user)
    assert "vous-même" in refused.value.translated()
    with mw.db.read() as uow:
        assert uow.session.get_one(Payment, payment_id).clerk_id == user
        assert not uow.session.exec(
            select(PaymentVoid).where(col(PaymentVoid.payment_id) == payment_id)
        ).all()


# --- completeness --------------------------------------------------------------------
ACTING_PARAMETER = re.compile(r"^actor_id$")

NOT_ACTIONS = {
    # The role check itself.
    "core.access.active_staff",
    # Writes the trail for an actor its caller already checked; never called from a screen.
    "audit.record.record_event",
    # Computes an audit event's values (its hash) for a writer that inserts it with the
    # other chains' links (ledger.receipts.issue_payment_receipt); reads and writes nothing.
    "audit.record.event_row",
    # What an audit event's hash covers, for the writers above and for the payment chains
    # written by the server (ledger.receipts); reads and writes nothing.
    "audit.record.event_content",
    # Builds a PaymentRequest from the form; post_payment (in the matrix) checks the clerk.
    "ledger.payment_preview.build_payment_request",
    # Records that a terminal locked itself: refuses nothing by design (a user disabled
    # meanwhile still locked); no data is read or changed.
    "staff.screen_lock.record_idle_lock",
    # Withdraws a message for the undo of a decision, whose service checks the registrar.
    "outbox.withdraw.withdraw_message",
    # Writes the balances of a file for importing.apply_file (in the matrix), which checks
    # the admin before anything is read.
    "interchange.balances.write",
    # Stores a student's SIN for an actor its callers checked: set_student_sin (counter)
    # and tax_slips.portal.portal_set_student_sin (the portal), both in the matrix.
    "records.sin.store_student_sin",
}


def _room(module_name: str) -> str:
    """`registrar_tui.services.audit.log` → `audit.log`."""
    return module_name.removeprefix("registrar_tui.services.")


def acting_services() -> set[str]:
    """Every public service function with a parameter naming the acting user."""
    found: set[str] = set()
    for module_info in pkgutil.walk_packages(
        registrar_tui.services.__path__, prefix="registrar_tui.services."
    ):
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters
            if any(ACTING_PARAMETER.search(parameter) for parameter in parameters):
                found.add(f"{_room(module.__name__)}.{name}")
    return found


OTHER_USER_PARAMETER = re.compile(r"(^|_)(user|clerk|viewer)_id$")
OTHER_USERS = {
    # The user whose terminal is locked; the acting user is the one whose password is typed.
    "staff.screen_lock.unlock_screen": "locked_user_id",
}


def test_the_acting_user_has_one_name() -> None:
    """A public service names the acting user `actor_id`, never user_id, clerk_id, viewer_id."""
    found: dict[str, str] = {}
    for module_info in pkgutil.walk_packages(
        registrar_tui.services.__path__, prefix="registrar_tui.services."
    ):
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            for parameter in inspect.signature(function).parameters:
                if OTHER_USER_PARAMETER.search(parameter):
                    found[f"{_room(module.__name__)}.{name}"] = parameter
    assert found == OTHER_USERS


def qualified(action: Action) -> set[str]:
    return {f"{_room(service.__module__)}.{service.__name__}" for service in action.services}


def test_every_acting_service_is_in_the_matrix() -> None:
    covered = set().union(*(qualified(action) for action in ACTIONS))
    missing = sorted(acting_services() - covered - NOT_ACTIONS)
    assert not missing, f"service actions missing from the role matrix: {missing}"
    stale = sorted(NOT_ACTIONS - acting_services())
    assert not stale, f"allowlisted functions that no longer exist: {stale}"


if __name__ == "__main__":  # pragma: no cover - prints the matrix for the closing note
    from registrar_tui.migrate import upgrade
    from tests.conftest import fixed_clock

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "matrix.db")
        upgrade(path)
        database = Database.open(path, clock=fixed_clock)
        sys.stdout.write(render(run_matrix(build_matrix_world(database))) + "\n")
        database.dispose()
