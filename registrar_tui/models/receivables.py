"""What the invoices owe, summed by issue and due date, kept by the database itself.

The office dashboard shows the receivables by age on every refresh; summing every invoice
line, allocation and credit note for that costs seconds on a large school. Triggers on
the tables that change a balance (invoice_line, allocation, credit_note,
contribution_choice: migration collect_0001) add each row's effect here in the same
transaction, so the totals are exact at every commit and whatever program wrote the row.
`services/interchange/ageing.running_ageing_totals` reads it; a test checks it against
the sums computed from the ledger (`ageing_totals`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Field, SQLModel

from registrar_tui.models.money import cents_column


class ReceivableByDueDate(SQLModel, table=True):
    """What the invoices issued on `issued_on` and due on `due_on` still owe: their lines,
    less declined voluntary lines, allocations (a void's reversal adds back) and credit
    notes. Written by database triggers only."""

    __tablename__ = "receivable_by_due_date"

    issued_on: date = Field(primary_key=True)
    due_on: date = Field(primary_key=True)
    owed: Decimal = Field(sa_column=cents_column("owed_cents"))
