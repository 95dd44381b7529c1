"""The payment form's states: the one table of moves, and a move it does not allow refused."""

from __future__ import annotations

import pytest

from registrar_tui.screens.payment.state import TRANSITIONS, IllegalMove, PaymentState

S = PaymentState
ALLOWED = {
    (S.EDITING, S.WAITING),  # Enter before the first preview
    (S.EDITING, S.POSTING),  # Enter
    (S.EDITING, S.CONFIRMING),  # Enter on a payment that would leave family credit
    (S.CONFIRMING, S.POSTING),  # o: posted with that credit
    (S.CONFIRMING, S.EDITING),  # any other key: back to the form, nothing written
    (S.WAITING, S.EDITING),  # the preview arrived (then Enter runs)
    (S.WAITING, S.POSTING),  # Enter again once a preview is there
    (S.POSTING, S.EDITING),  # refused, stale balance, or a worker error
    (S.POSTING, S.POSTED),  # written
    (S.POSTED, S.PRINTED),  # F7 printed the receipt
}


def test_the_table_allows_exactly_these_moves() -> None:
    assert set(TRANSITIONS) == set(PaymentState)
    table = {(start, end) for start, ends in TRANSITIONS.items() for end in ends}
    assert table == ALLOWED


@pytest.mark.parametrize("start", list(PaymentState))
@pytest.mark.parametrize("end", list(PaymentState))
def test_a_move_is_made_or_refused_as_the_table_says(start: S, end: S) -> None:
    if start is end or (start, end) in ALLOWED:
        assert start.move(end) is end  # staying put is always allowed (F7 again, Enter twice)
    else:
        with pytest.raises(IllegalMove):
            start.move(end)


def test_only_a_written_payment_is_done_and_nothing_unwrites_it() -> None:
    assert {state for state in PaymentState if state.done} == {S.POSTED, S.PRINTED}
    for done in (S.POSTED, S.PRINTED):
        for back in (S.EDITING, S.WAITING, S.CONFIRMING, S.POSTING):
            with pytest.raises(IllegalMove):
                done.move(back)
