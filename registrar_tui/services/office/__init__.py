"""The registrar's office: figures read across the rooms (the dashboard).

A room of its own, above the others: the dashboard reads the ledger (receipts, drawers),
the requests waiting for a decision and the receivables ageing (interchange), and a
ledger room may not import those rooms (the `service-rooms` contract).
"""
