"""Interchange with other systems.

Imports from the school's previous software, exports for the accountant, and the payment
processor's settlement file checked against the online payments.
"""
