"""registrar-tui: the counter and registrar side of a Quebec school's family portal."""

__version__ = "0.1.0"
