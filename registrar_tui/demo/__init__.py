"""Demo data: `registrar-tui demo [--families N] [--seed S]`.

A Quebec music and drama conservatoire with three establishments, three school years of
terms, families, students with their history, invoices, payments and receipts, pending
portal requests and activities. Deterministic per seed; the guaranteed scenario data
(see `registrar_tui.demo.scenarios`) is the same for every N and seed.
"""

from registrar_tui.demo.generate import DemoSummary, database_is_empty, generate_demo
from registrar_tui.demo.reference import DEMO_ACCOUNTS

__all__ = ["DEMO_ACCOUNTS", "DemoSummary", "database_is_empty", "generate_demo"]
