"""The registrar's office (registrar, admin): the dashboard, the hub of the office screens
(reminders, payment plans, deposits, tax slips)."""
