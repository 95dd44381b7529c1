"""`registrar-tui user add|disable|enable|reset-password|list|unlock`: staff accounts."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app` (filled in by the work on its issue)."""
