"""The school year (F5, registrar and admin): terms, their course groups, the rollover."""
