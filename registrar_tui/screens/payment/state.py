"""Where a payment form stands, and the moves between states it allows (one table).

The payment modal and the void modal read their keys from it: what Enter, Escape, the
method keys and F7 do, and what the footer shows, depend on the state alone. A move the
table does not allow is a bug of the screen, refused with `IllegalMove`.
"""

from __future__ import annotations

from enum import Enum


class IllegalMove(RuntimeError):
    """A screen tried a move its state table does not allow (a programming error)."""


class PaymentState(Enum):
    EDITING = "editing"
    """The form takes keys (a preview of the typed amounts may be on its way)."""
    WAITING = "waiting"
    """Enter came before the preview of what is typed: it goes on when that preview arrives."""
    CONFIRMING = "confirming"
    """The payment would leave family credit: one line asks first (o posts, else back)."""
    POSTING = "posting"
    """The payment (or the void) is being written: keys wait, Escape abandons nothing."""
    POSTED = "posted"
    """Written: Enter and Escape close, F7 prints the receipt."""
    PRINTED = "printed"
    """Written and its receipt sent to the printer (F7 prints it again)."""

    @property
    def done(self) -> bool:
        """The payment is written: nothing in the form can change any more."""
        return self in (PaymentState.POSTED, PaymentState.PRINTED)

    def move(self, to: PaymentState) -> PaymentState:
        """`to` when the table allows it (staying put always is); else IllegalMove."""
        if to is not self and to not in TRANSITIONS[self]:
            raise IllegalMove(f"{self.name} -> {to.name}")
        return to


TRANSITIONS: dict[PaymentState, frozenset[PaymentState]] = {
    # Enter posts, asks first about family credit, or waits for the preview of what is typed.
    PaymentState.EDITING: frozenset(
        {PaymentState.WAITING, PaymentState.CONFIRMING, PaymentState.POSTING}
    ),
    # The preview arrived (then Enter runs again), or Enter again once a preview is there.
    PaymentState.WAITING: frozenset({PaymentState.EDITING, PaymentState.POSTING}),
    # o: posted with that credit; any other key: back to the form, nothing written.
    PaymentState.CONFIRMING: frozenset({PaymentState.EDITING, PaymentState.POSTING}),
    # Refused (or failed): back to the form; else written.
    PaymentState.POSTING: frozenset({PaymentState.EDITING, PaymentState.POSTED}),
    PaymentState.POSTED: frozenset({PaymentState.PRINTED}),
    PaymentState.PRINTED: frozenset(),
}
"""Every move allowed, from each state (a failed print leaves the state as it was)."""
