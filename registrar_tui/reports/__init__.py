"""PDF documents: receipt, invoice, statement of account, day close.

Services build the plain dataclasses of `reports.documents` and call one renderer:
`receipt.render_receipt`, `invoice.render_invoice`, `statement.render_statement`,
`day_close.render_day_close`; each returns PDF bytes and never touches the database.
Nothing here imports reportlab at package import time: import the renderer module
where it is used (reportlab costs start-up time).
"""
