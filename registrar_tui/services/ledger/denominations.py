"""The cash of a deposit counted by denomination: the notes and coins in the bag.

Pure: the count as typed (one box per Canadian note or coin) read and summed, and set
against the cash expected, so that a screen shows the total and the difference live
without computing money itself. Prepared deposits store it (services/ledger/deposits.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.core.money import ZERO

COUNTS_FIELD = "counts"


DENOMINATIONS: tuple[Decimal, ...] = tuple(
    Decimal(value)
    for value in (
        *("100.00", "50.00", "20.00", "10.00", "5.00"),
        *("2.00", "1.00", "0.25", "0.10", "0.05", "0.01"),
    )
)
"""Canadian notes and coins, largest first (banks still take the cent in rolls)."""


class DenominationCountMismatch(InvalidInput):
    message = N_(
        "Le décompte des billets et pièces ({counted}) ne correspond pas au comptant à "
        "déposer ({expected})."
    )


class InvalidDenominationCount(InvalidInput):
    message = N_("Indiquez un nombre entier de billets ou de pièces (0 ou plus).")


@dataclass(frozen=True)
class DenominationLine:
    denomination: Decimal
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class CashCountTotal:
    """A count of the cash by denomination (only the denominations counted) and its sum."""

    lines: tuple[DenominationLine, ...]
    total: Decimal

    def quantities(self) -> dict[Decimal, int]:
        return {line.denomination: line.quantity for line in self.lines}


def count_denominations(quantities: Mapping[Decimal, int]) -> CashCountTotal:
    """The cash counted, denomination by denomination (zero counts left out).

    Refuses InvalidDenominationCount (field `counts`) for a negative count or a value
    that is not a Canadian note or coin.
    """
    lines = []
    for denomination in DENOMINATIONS:
        quantity = quantities.get(denomination, 0)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidDenominationCount(field=COUNTS_FIELD)
        if quantity:
            lines.append(DenominationLine(denomination, quantity, denomination * quantity))
    if any(denomination not in DENOMINATIONS for denomination in quantities):
        raise InvalidDenominationCount(field=COUNTS_FIELD)
    return CashCountTotal(tuple(lines), sum((line.amount for line in lines), ZERO))


def read_denomination_counts(texts: Mapping[Decimal, str]) -> CashCountTotal:
    """The counts as typed in the screen (`""` is none): the screen shows the total live.

    Refuses InvalidDenominationCount (field `counts`) for anything but a whole number.
    """
    quantities: dict[Decimal, int] = {}
    for denomination, text in texts.items():
        cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
        if not cleaned:
            continue
        if not cleaned.isdigit() or not cleaned.isascii() or len(cleaned) > 7:
            raise InvalidDenominationCount(field=COUNTS_FIELD)
        quantities[denomination] = int(cleaned)
    return count_denominations(quantities)


def parse_denomination(text: str) -> Decimal:
    """A denomination as typed on a command line (`20`, `0,25`, `0.05`).

    Refuses InvalidDenominationCount (field `counts`) for anything but a note or coin.
    """
    try:
        value = Decimal(text.strip().replace(",", ".")).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise InvalidDenominationCount(field=COUNTS_FIELD) from None
    if value not in DENOMINATIONS:
        raise InvalidDenominationCount(field=COUNTS_FIELD)
    return value


@dataclass(frozen=True)
class CountCheck:
    """The cash counted (as typed) against the cash to deposit."""

    count: CashCountTotal
    expected: Decimal
    difference: Decimal
    """counted − expected: 0 when the count may be prepared."""

    @property
    def matches(self) -> bool:
        return self.difference == 0


def check_count(texts: Mapping[Decimal, str], expected: Decimal) -> CountCheck:
    """The typed counts read and set against the cash to deposit (the screen shows it on
    every key, never subtracting itself). Refuses InvalidDenominationCount."""
    count = read_denomination_counts(texts)
    return CountCheck(count=count, expected=expected, difference=count.total - expected)
