"""Statement of account world, and a harness screen that embeds `StatementView`.

On top of the shared counter (`tests.screens.fixtures.seed`: establishment, clerk):

- Gagnon: three invoices, oldest due first
  * FAC00000101 (due 2026-09-30) 100,00 $ with a 10,00 $ voluntary line, fully paid;
  * FAC00000102 (due 2026-10-31) 120,00 $, unpaid: overdue on the fixed clock (2026-11-23);
  * FAC00000103 (due 2026-12-15) 350,00 $ = piano 300 + registration 25 + a 25,00 $
    voluntary 'Fondation' line, kept: open.
  Balance due 470,00 $ (120,00 $ overdue), no credit.
- Boisvert: 200 invoices of 10,00 $ (FAC00100001…FAC00100200), one a week.
- A family whose student and invoice description look like markup or carry escapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.i18n import format_money
from registrar_tui.models import (
    Allocation,
    Family,
    Payment,
    PaymentMethod,
)
from registrar_tui.screens.counter.statement import StatementView
from registrar_tui.screens.widgets.base import AppScreen
from tests import builders
from tests.screens.fixtures import seed

D = Decimal

CREATED = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)
MARKUP_DESCRIPTION = "[b]x[/b]"
MARKUP_FIRST_NAME = "[@click=app.quit]"
ESCAPE_LAST_NAME = "Roy\x1b[31m"
BIG_FAMILY_INVOICES = 200


@dataclass(frozen=True)
class StatementWorld:
    clerk_id: int
    gagnon_id: int
    paid_invoice_id: int
    overdue_invoice_id: int
    open_invoice_id: int
    fondation_line_id: int
    paid_voluntary_line_id: int
    big_family_id: int
    markup_family_id: int


def _invoice(
    uow: UnitOfWork,
    family_id: int,
    site_id: int,
    student_id: int | None,
    term_id: int | None,
    number: str,
    description: str,
    due_on: date,
    lines: list[tuple[str, str, Decimal, bool]],
) -> tuple[int, list[int]]:
    """An invoice and its lines (fee code, text, amount, voluntary): (id, line ids)."""
    invoice_id = builders.invoice(
        uow,
        family_id,
        site_id,
        number=number,
        description=description,
        lines=[builders.Line(*line) for line in lines],
        student_id=student_id,
        term_id=term_id,
        due_on=due_on,
    )
    return invoice_id, builders.line_ids(uow, invoice_id)


def _pay(uow: UnitOfWork, family_id: int, site_id: int, clerk_id: int, invoice_id: int) -> None:
    payment = Payment(
        establishment_id=site_id,
        family_id=family_id,
        clerk_id=clerk_id,
        received_at=CREATED,
        amount=Decimal("100.00"),
        method=PaymentMethod.CASH,
        tendered=Decimal("100.00"),
        change=Decimal("0.00"),
        idempotency_key="statement-seed",
        request_fingerprint="statement-seed",
    )
    uow.session.add(payment)
    uow.session.flush()
    assert payment.id is not None
    uow.session.add(
        Allocation(
            payment_id=payment.id,
            invoice_id=invoice_id,
            amount=Decimal("100.00"),
            created_at=CREATED,
        )
    )


def seed_statement(db: Database) -> StatementWorld:
    """The shared counter plus the families above."""
    counter = seed(db)
    with db.write() as uow:
        family = uow.session.get(Family, counter.tremblay_id)
        assert family is not None
        site_id = family.establishment_id
        term_id = builders.term(uow)
        gagnon = builders.family(uow, site_id, number="F0000201", name="Gagnon")
        lea = builders.student(
            uow, gagnon, site_id, number=f"2099{gagnon:05d}", first_name="Léa", last_name="Gagnon"
        )
        paid, paid_lines = _invoice(
            uow, gagnon, site_id, lea, term_id, "FAC00000101", "Solfège", date(2026, 9, 30),
            [("SOLF", "Solfège", D("90.00"), False),
             ("ASSO", "Association (volontaire)", D("10.00"), True)],
        )  # fmt: skip
        _pay(uow, gagnon, site_id, counter.clerk_id, paid)
        overdue, _lines = _invoice(
            uow, gagnon, site_id, lea, term_id, "FAC00000102", "Location d'instrument",
            date(2026, 10, 31), [("LOC", "Location de violon", D("120.00"), False)],
        )  # fmt: skip
        open_, open_lines = _invoice(
            uow, gagnon, site_id, lea, term_id, "FAC00000103", "Session AUT-2026",
            date(2026, 12, 15),
            [
                ("PIANO", "Piano, 30 cours", Decimal("300.00"), False),
                ("INSC", "Frais d'inscription", Decimal("25.00"), False),
                ("FOND", "Fondation (volontaire)", Decimal("25.00"), True),
            ],
        )  # fmt: skip

        big = builders.family(uow, site_id, number="F0000202", name="Boisvert")
        for index in range(1, BIG_FAMILY_INVOICES + 1):
            _invoice(
                uow, big, site_id, None, term_id, f"FAC00100{index:03d}", f"Atelier {index}",
                date(2026, 9, 1) + timedelta(weeks=index), [("ATEL", "Atelier", D("10.00"), False)],
            )  # fmt: skip

        markup = builders.family(uow, site_id, number="F0000203", name="Ouellet")
        child = builders.student(
            uow, markup, site_id, number=f"2099{markup:05d}",
            first_name=MARKUP_FIRST_NAME, last_name=ESCAPE_LAST_NAME,
        )  # fmt: skip
        _invoice(
            uow, markup, site_id, child, term_id, "FAC00000301", MARKUP_DESCRIPTION,
            date(2026, 12, 15), [("PIANO", "[red]Piano[/red]", D("200.00"), False)],
        )  # fmt: skip
    return StatementWorld(
        clerk_id=counter.clerk_id,
        gagnon_id=gagnon,
        paid_invoice_id=paid,
        overdue_invoice_id=overdue,
        open_invoice_id=open_,
        fondation_line_id=open_lines[2],
        paid_voluntary_line_id=paid_lines[1],
        big_family_id=big,
        markup_family_id=markup,
    )


class StatementHarness(AppScreen):
    """The statement as the family screen's billing tab holds it: under a header and tabs."""

    DEFAULT_CSS: ClassVar[str] = """
    StatementHarness #harness-header {
        height: auto;
        border: round $primary;
        padding: 0 1;
    }
    StatementHarness .harness-line { height: 1; }
    StatementHarness #harness-tabs { height: 2; color: $text-muted; }
    """

    def __init__(self, family_id: int) -> None:
        super().__init__()
        self.family_id = family_id
        self.changes = 0
        """How many times the view reported a (re)loaded statement."""

    def compose(self) -> ComposeResult:
        with Vertical(id="harness-header"):
            for text in ("Famille", "Payeur", "Solde"):
                yield Static(Content(text), classes="harness-line")
        yield Static(Content("1 Identité  2 Élèves  3 Facturation"), id="harness-tabs")
        yield StatementView(self.family_id, id="statement")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(StatementView).focus_table()

    def on_statement_view_changed(self, event: StatementView.Changed) -> None:
        self.changes += 1
        self.query_one("#harness-header Static:last-child", Static).update(
            Content(f"Solde : {format_money(event.statement.total_due)}")
        )
