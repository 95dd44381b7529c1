"""`registrar-tui outbox send|list`: the confirmation e-mails."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app` (filled in by the work on its issue)."""
