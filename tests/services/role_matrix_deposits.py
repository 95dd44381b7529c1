"""The role matrix, continued: bank deposits (registrars and admins only).

The role is checked before anything else: an allowed role on the matrix's world (nothing
or only a cash refund to deposit, no deposit) gets NothingToDeposit, NegativeDeposit or
NotFound, which is not a refusal.
"""

from __future__ import annotations

from collections.abc import Callable

from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.documents import deposit as deposit_documents
from registrar_tui.services.ledger import deposit_start, deposits
from registrar_tui.services.ledger.deposits import NegativeDeposit, NothingToDeposit
from tests.services.ledger_data import DEPOSITS_START
from tests.services.role_matrix_actions import SUPERVISORS, Action, _read, _write
from tests.services.role_matrix_data import MatrixWorld

_NO_DEPOSIT = 999_999


def _past_the_role(run: Callable[[], object]) -> object:
    try:
        return run()
    except (NothingToDeposit, NegativeDeposit, NotFound):
        return None


def _prepare(mw: MatrixWorld, user: int) -> object:
    montreal = mw.world.school.montreal_id
    return _past_the_role(lambda: _write(mw, deposits.prepare_deposit, user, montreal, (), {}))


def _on_deposit(call: Callable[..., object]) -> Callable[[MatrixWorld, int], object]:
    def run(mw: MatrixWorld, user: int) -> object:
        return _past_the_role(lambda: _write(mw, call, user, _NO_DEPOSIT))

    return run


def _detail(mw: MatrixWorld, user: int) -> object:
    return _past_the_role(lambda: _read(mw, deposits.deposit_detail, user, _NO_DEPOSIT))


def _slip(mw: MatrixWorld, user: int) -> object:
    return _past_the_role(lambda: _read(mw, deposit_documents.deposit_slip_pdf, user, _NO_DEPOSIT))


DEPOSITS: tuple[Action, ...] = (
    Action(
        "see what can be deposited",
        SUPERVISORS,
        lambda mw, user: _read(mw, deposits.depositable, user, mw.world.school.montreal_id),
        (deposits.depositable,),
    ),
    Action(
        "list the establishments for deposits",
        SUPERVISORS,
        lambda mw, user: _read(mw, deposits.deposit_establishments, user),
        (deposits.deposit_establishments,),
    ),
    Action(
        "choose the first day of deposits",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, deposit_start.start_deposits, user, mw.world.school.montreal_id, DEPOSITS_START
        ),
        (deposit_start.start_deposits,),
    ),
    Action("prepare a deposit", SUPERVISORS, _prepare, (deposits.prepare_deposit,)),
    Action(
        "make a deposit", SUPERVISORS, _on_deposit(deposits.make_deposit), (deposits.make_deposit,)
    ),
    Action(
        "abandon a deposit",
        SUPERVISORS,
        _on_deposit(deposits.abandon_deposit),
        (deposits.abandon_deposit,),
    ),
    Action("read a deposit", SUPERVISORS, _detail, (deposits.deposit_detail,)),
    Action("print a deposit slip", SUPERVISORS, _slip, (deposit_documents.deposit_slip_pdf,)),
    Action(
        "list the deposits",
        SUPERVISORS,
        lambda mw, user: _read(mw, deposits.list_deposits, user, mw.world.school.montreal_id),
        (deposits.list_deposits,),
    ),
)
