"""Text safety: nothing typed or pasted can hide, reorder or smuggle a card number."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from registrar_tui.text import (
    FORBIDDEN_CODE_POINTS,
    clean_paste,
    clean_text,
    contains_card_number,
    luhn_valid,
    pdf_escape,
)

FORBIDDEN = sorted(FORBIDDEN_CODE_POINTS)
forbidden_chars = st.sampled_from([chr(cp) for cp in FORBIDDEN])
any_text = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), forbidden_chars), max_size=60)


def luhn_complete(body: str) -> str:
    """Append the check digit that makes `body` Luhn-valid."""
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("unreachable")


card_numbers = st.integers(min_value=12, max_value=18).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).map(luhn_complete)
)


def non_luhn(digits: str) -> str:
    last = int(digits[-1])
    for step in range(1, 10):
        candidate = digits[:-1] + str((last + step) % 10)
        if not luhn_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


# --- clean_text ------------------------------------------------------------------
@given(any_text)
def test_clean_text_never_keeps_a_forbidden_character(value: str) -> None:
    cleaned = clean_text(value)
    assert not any(ord(char) in FORBIDDEN_CODE_POINTS for char in cleaned)


@given(any_text)
def test_clean_text_is_idempotent_and_nfc(value: str) -> None:
    cleaned = clean_text(value)
    assert clean_text(cleaned) == cleaned
    assert unicodedata.is_normalized("NFC", cleaned)


def test_clean_text_keeps_accents_emoji_newlines_and_tabs() -> None:
    value = "Hélène Côté-Lévesque 🎻\nPiano\tÉTÉ-2026 — œuvre de Dvořák, 李"
    assert clean_text(value) == value


def test_clean_text_removes_a_right_to_left_override_that_would_reverse_a_name() -> None:
    # "Tremblay" + RLO + "gnp.exe": on screen the override would flip the tail.
    assert clean_text("Tremblay\u202egnp.exe") == "Tremblaygnp.exe"
    assert clean_text("\u2066Roy\u2069 \u200fA\u200e\u061c") == "Roy A"


def test_clean_text_removes_terminal_escape_sequences_and_c1_controls() -> None:
    assert clean_text("Côté\x1b[2J\x07\x00\x7f\x85\x9b") == "Côté[2J"
    assert clean_text("ligne 1\r\nligne 2") == "ligne 1\nligne 2"


def test_clean_text_composes_decomposed_accents() -> None:
    decomposed = "He\u0301le\u0300ne"
    assert clean_text(decomposed) == "Hélène"
    # A control hidden between the letter and its accent does not stop composition.
    assert clean_text("e\x00\u0301") == "é"


# --- contains_card_number -----------------------------------------------------------
@given(card_numbers, st.text(alphabet="abcdefgh éà:", max_size=10), st.sampled_from(["", " ", "-"]))
def test_a_card_number_is_found_inside_text(number: str, around: str, separator: str) -> None:
    grouped = separator.join(number[i : i + 4] for i in range(0, len(number), 4))
    assert contains_card_number(f"{around} {grouped} {around}")
    assert contains_card_number(f"Note: client a dicté {grouped}, exp. 12/29")


@given(card_numbers)
def test_a_card_number_followed_by_more_groups_is_still_found(number: str) -> None:
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    assert contains_card_number(f"{grouped} 123")


@given(card_numbers)
def test_random_digit_runs_that_fail_luhn_are_not_card_numbers(number: str) -> None:
    assert not contains_card_number(f"réf. {non_luhn(number)} ok")


@given(st.text(alphabet="0123456789", min_size=0, max_size=12))
def test_short_numbers_are_never_card_numbers(digits: str) -> None:
    assert not contains_card_number(f"dossier {digits}")


def test_everyday_numbers_at_the_counter_are_not_card_numbers() -> None:
    for text in (
        "Autorisation 123456, carte se terminant par 4242",
        "514-555-0123 514-555-0124",
        "Code permanent TREH12550399, élève 201337007",
        "Chèque n° 001234, transit 00011-815",
    ):
        assert not contains_card_number(text), text


def test_known_test_cards_are_found_however_they_are_typed() -> None:
    for text in (
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "Amex 3782 822463 10005",
        "visa：４１１１１１１１１１１１１１１１",  # full-width digits
    ):
        assert contains_card_number(text), text


# --- pdf_escape -------------------------------------------------------------------
def test_pdf_escape_neutralises_markup_and_controls() -> None:
    assert pdf_escape("<b>Côté & fils</b>\x00") == "&lt;b&gt;Côté &amp; fils&lt;/b&gt;"


@given(any_text)
def test_pdf_escape_leaves_no_markup(value: str) -> None:
    escaped = pdf_escape(value)
    assert "<" not in escaped and ">" not in escaped
    unescaped = escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped == clean_text(value)


def test_a_paste_keeps_its_characters_in_order_without_escape_sequences() -> None:
    assert clean_paste("But now...\x1b[20Cfor my greatest trick") == (
        "But now...for my greatest trick"
    )
    assert clean_paste("\x1b]0;titre\x07Rue \x1b[1;31mPrincipale\x1b[0m\x9b2J") == (
        "Rue Principale"
    )
    assert clean_paste("1 rue\r\nMontréal\tQC\n") == "1 rue Montréal QC"
    assert clean_paste(" (doublon) \n") == " (doublon)"  # spaces typed around stay


@given(st.text())
def test_a_cleaned_paste_is_one_clean_line(value: str) -> None:
    cleaned = clean_paste(value)
    assert clean_paste(cleaned) == cleaned
    assert "\x1b" not in cleaned and "\n" not in cleaned and "\t" not in cleaned
    assert clean_text(cleaned) == cleaned
