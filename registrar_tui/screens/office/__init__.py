"""The office's screens (registrars and admins): deposits, and soon the dashboard,
reminders, payment plans and tax slips."""
