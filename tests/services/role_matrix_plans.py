"""The role matrix, continued: payment plans (registrar and admin only)."""

from __future__ import annotations

from datetime import date

from registrar_tui.services.ledger import plans
from tests.services import role_matrix_data as data
from tests.services.ledger_data import add_invoice
from tests.services.role_matrix_actions import SUPERVISORS, Action, _write
from tests.services.role_matrix_data import MatrixWorld

TERMS = plans.EqualSplit(count=3, first_due_on=date(2026, 12, 15))


def _owing_family(mw: MatrixWorld) -> int:
    """A new family owing one 275,00 $ invoice."""
    family_id, _student = data.fresh_family(mw)
    add_invoice(mw.db, mw.world.school, family_id)
    return family_id


def fresh_plan(mw: MatrixWorld) -> int:
    """An active plan of a new family, made by the admin (who may)."""
    family_id = _owing_family(mw)
    with mw.db.write() as uow:
        return plans.make_plan(uow, family_id, TERMS, mw.world.school.admin_id).plan_id


PAYMENT_PLANS: tuple[Action, ...] = (
    Action(
        "make a payment plan",
        SUPERVISORS,
        lambda mw, user: _write(mw, plans.make_plan, _owing_family(mw), TERMS, user),
        (plans.make_plan,),
    ),
    Action(
        "cancel a payment plan",
        SUPERVISORS,
        lambda mw, user: _write(mw, plans.cancel_plan, fresh_plan(mw), "Entente rompue", user),
        (plans.cancel_plan,),
    ),
)
