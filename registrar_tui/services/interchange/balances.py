"""Importing opening balances: what each family still owed in the old system.

A positive balance becomes ONE invoice « Solde reporté au AAAA-MM-JJ » (fee code
`SOLDE`, issued today, due today), numbered and chained like every invoice
(`ledger.invoicing.issue_invoice`) — never a payment. The link is kept per family
(`import_link` kind `balances`, old id = the family's old id): a family's opening balance
is invoiced once, whatever the file says later (a different amount is reported as
changed, to correct at the counter by a credit note or an invoice).

A negative balance (the family had credit) is refused: family credit only ever comes
from money received (a payment), and an import never invents a payment. Record it at the
counter. A zero balance has nothing to carry over: the row is counted unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import InvoiceLine
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.interchange.families import KIND as FAMILY_KIND
from registrar_tui.services.interchange.links import chunked, linked
from registrar_tui.services.interchange.reading import (
    Column,
    Table,
    parse_date,
    parse_signed_amount,
    problem_of,
)
from registrar_tui.services.interchange.report import ChangedRow, Plan, Problem, Progress
from registrar_tui.services.ledger.invoicing import NewLine, issue_invoice

KIND = "balances"
FEE_CODE = "SOLDE"
COLUMNS: tuple[Column, ...] = (
    Column("famille_ancien_id", ("family_old_id",), required=True, filled=True),
    Column("montant", ("amount",), required=True, filled=True),
    Column("date", ("as_of", "as_of_date"), required=True, filled=True),
    Column("description", ("description",)),
)

MSG_UNKNOWN_FAMILY = N_(
    "Famille inconnue : « {old_id} » n'a pas été importée (importez les familles d'abord)."
)
MSG_CREDIT = N_(
    "Solde négatif (crédit de la famille) : non importé, un crédit ne vient que d'un "
    "paiement reçu ; inscrivez-le au comptoir."
)
MSG_TWICE = N_("Solde de cette famille en double dans le fichier (déjà à la ligne {line}).")
MSG_FUTURE = N_("La date du solde ne peut pas être dans le futur.")
DESCRIPTION = N_("Solde reporté au {date}")


@dataclass(frozen=True)
class BalanceRow:
    line: int
    family_old_id: str
    family_id: int
    amount: Decimal
    as_of: date
    description: str


def check(uow: UnitOfWork, table: Table, progress: Progress | None = None) -> Plan:
    """Every problem of a balances file, and the invoices it would issue."""
    plan = Plan()
    today = local_date(uow.now())
    families = linked(uow, FAMILY_KIND, [row.get("famille_ancien_id") for row in table.rows])
    seen: dict[str, int] = {}
    candidates: list[BalanceRow] = []
    for row in table.rows:
        before = len(plan.problems)
        old_id = row.get("famille_ancien_id")
        family_id = families.get(old_id)
        if old_id and family_id is None:
            plan.problems.append(
                Problem(
                    row.line,
                    table.shown("famille_ancien_id"),
                    MSG_UNKNOWN_FAMILY,
                    {"old_id": old_id},
                )
            )
        if old_id in seen:
            plan.problems.append(
                Problem(
                    row.line, table.shown("famille_ancien_id"), MSG_TWICE, {"line": seen[old_id]}
                )
            )
        seen.setdefault(old_id, row.line)
        amount: Decimal | None = None
        if row.get("montant"):
            try:
                amount = parse_signed_amount(row.get("montant"))
            except DomainError as error:
                plan.problems.append(problem_of(row.line, table.shown("montant"), error))
            if amount is not None and amount < 0:
                plan.problems.append(Problem(row.line, table.shown("montant"), MSG_CREDIT))
        as_of: date | None = None
        if row.get("date"):
            try:
                as_of = parse_date(row.get("date"))
            except DomainError as error:
                plan.problems.append(problem_of(row.line, table.shown("date"), error))
            if as_of is not None and as_of > today:
                plan.problems.append(Problem(row.line, table.shown("date"), MSG_FUTURE))
        try:
            description = safe_text(row.get("description"), field="description", max_length=200)
        except DomainError as error:
            plan.problems.append(problem_of(row.line, table.shown("description"), error))
        if len(plan.problems) > before or family_id is None or amount is None or as_of is None:
            continue
        candidates.append(BalanceRow(row.line, old_id, family_id, amount, as_of, description))
    links = linked(uow, KIND, [c.family_old_id for c in candidates])
    _compare_linked(uow, [c for c in candidates if c.family_old_id in links], links, plan)
    for balance in candidates:
        if balance.family_old_id in links:
            continue
        if balance.amount == ZERO:
            plan.unchanged += 1
        else:
            plan.new.append(balance)
    return plan


def _compare_linked(
    uow: UnitOfWork, rows: list[BalanceRow], links: dict[str, int], plan: Plan
) -> None:
    for chunk in chunked(rows):
        totals: dict[int, Decimal] = {}
        for invoice_id, amount in uow.session.execute(
            select(col(InvoiceLine.invoice_id), col(InvoiceLine.amount)).where(
                col(InvoiceLine.invoice_id).in_([links[r.family_old_id] for r in chunk])
            )
        ):
            totals[invoice_id] = totals.get(invoice_id, ZERO) + amount
        for row in chunk:
            if totals.get(links[row.family_old_id], ZERO) == row.amount:
                plan.unchanged += 1
            else:
                plan.changed.append(ChangedRow(row.line, row.family_old_id, ("montant",)))


def write(
    uow: UnitOfWork, actor_id: int, rows: list[BalanceRow], progress: Progress | None = None
) -> tuple[list[tuple[str, int]], list[str]]:
    """One « Solde reporté » invoice per row; (family old id, invoice id) and numbers."""
    today = local_date(uow.now())
    pairs: list[tuple[str, int]] = []
    numbers: list[str] = []
    for done, row in enumerate(rows, start=1):
        # The invoice speaks the school's language (French), as the fee schedule's lines do.
        text = row.description or DESCRIPTION.format(date=row.as_of.isoformat())
        issued = issue_invoice(
            uow,
            actor_id=actor_id,
            family_id=row.family_id,
            description=text,
            lines=[NewLine(FEE_CODE, text, row.amount)],
            due_on=today,
            audit_context={"import": KIND, "as_of": row.as_of.isoformat()},
        )
        pairs.append((row.family_old_id, issued.invoice_id))
        numbers.append(issued.number)
        if progress is not None:
            progress(done, len(rows))
    return pairs, numbers
