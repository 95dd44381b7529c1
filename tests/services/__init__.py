"""Service tests, one package per room of `registrar_tui/services/` (core, ledger, records,
requests, activities, search, documents, staff, audit, outbox).

At this top level: what crosses the rooms (the role matrix, races, a crash mid-payment,
tampering, append-only tables, card numbers in free text, hostile text as properties)
and the worlds several rooms share (`ledger_data`, `reenrolment_data`, `counter_data`).
"""
