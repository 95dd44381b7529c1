"""The office's screens (registrar and admin): reminders, and later the dashboard, payment
plans, deposits and tax slips."""
