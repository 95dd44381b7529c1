"""Money columns: integer cents in the database, `Decimal` dollars in Python.

The column stays an INTEGER of cents (the schema and the migrations do not know about
this type); only the values crossing the driver are converted. Writing refuses anything
that is not a `Decimal` of whole cents: an `int` could be dollars or cents, a float is
never exact, and a fraction of a cent cannot be stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


class Cents(TypeDecorator[Decimal]):
    """An INTEGER column of cents read and written as `Decimal` dollars (two decimals)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"a money column takes a Decimal, not {type(value).__name__}")
        cents = value * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"{value} is not a whole number of cents")
        return int(cents)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # An aggregate may come back as int, Decimal (PostgreSQL numeric) or float (SQLite
        # avg); only whole cents are money.
        return (Decimal(int(value)) / 100).quantize(CENT)


def cents_column(name: str, *, nullable: bool = False) -> Any:
    """The column `name` (an INTEGER of cents) mapped to a `Decimal` attribute."""
    return Column(name, Cents(), nullable=nullable)
