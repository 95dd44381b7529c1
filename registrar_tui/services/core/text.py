"""Free text a person typed, as the services accept it: cleaned, bounded, card-free.

The character rules themselves (what is removed, what a card number looks like) are in
`registrar_tui/text.py`, shared with the screens and the reports.
"""

from __future__ import annotations

from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import CardNumberRefused, InvalidInput, ReasonRequired
from registrar_tui.text import clean_text, contains_card_number


def safe_text(value: str | None, *, field: str, max_length: int | None = None) -> str:
    """Typed text cleaned of control characters; refuses a card number (CardNumberRefused).

    A full card number is never stored anywhere, not even in a reason or a note.
    """
    cleaned = clean_text(value or "").strip()
    if contains_card_number(cleaned):
        raise CardNumberRefused(field=field)
    if max_length is not None and len(cleaned) > max_length:
        raise InvalidInput(
            N_("Texte trop long ({limit} caractères au plus)."), field=field, limit=max_length
        )
    return cleaned


def required_reason(value: str | None, *, field: str = "reason") -> str:
    """A reason typed by a person: cleaned, card-free and not empty (ReasonRequired)."""
    reason = safe_text(value, field=field, max_length=500)
    if not reason:
        raise ReasonRequired(field=field)
    return reason
