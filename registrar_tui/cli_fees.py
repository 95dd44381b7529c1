"""`registrar-tui fees late-confirmation --term CODE`: fee jobs."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app` (filled in by the work on its issue)."""
