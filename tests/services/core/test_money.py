"""Amounts typed at the counter: what a clerk types is what gets posted, to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registrar_tui.i18n import current_language, format_money, set_language
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.core.money import MAX_AMOUNT, from_cents, parse_money, to_cents

LANGUAGES = ("fr_CA", "en")
amounts = st.integers(min_value=0, max_value=100_000_000).map(from_cents)


def refusal(text: str, language: str = "fr_CA") -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_money(text, language)
    assert caught.value.field == "amount"
    return caught.value.translated()


# --- round trips --------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
@given(amount=amounts)
def test_an_amount_shown_on_screen_reads_back_as_the_same_amount(
    language: str, amount: Decimal
) -> None:
    if current_language() != language:  # once per test: loading a catalog is not free
        set_language(language)
    assert parse_money(format_money(amount), language) == amount


@pytest.mark.parametrize("language", LANGUAGES)
@given(amount=amounts)
def test_plain_amounts_read_back_in_both_languages(language: str, amount: Decimal) -> None:
    assert parse_money(str(amount), language) == amount
    assert parse_money(str(amount).replace(".", ","), language) == amount


@given(cents=st.integers(min_value=-(10**12), max_value=10**12))
def test_cents_round_trip(cents: int) -> None:
    amount = from_cents(cents)
    assert amount.as_tuple().exponent == -2
    assert to_cents(amount) == cents


@given(amount=amounts, extra=st.integers(min_value=1, max_value=9))
def test_a_fraction_of_a_cent_never_becomes_cents(amount: Decimal, extra: int) -> None:
    with pytest.raises(InvalidInput):
        to_cents(amount + Decimal(extra) / 1000)


@given(st.text(alphabet="0123456789", min_size=1, max_size=6), st.sampled_from(LANGUAGES))
def test_the_result_is_never_a_float_and_always_has_two_decimals(
    digits: str, language: str
) -> None:
    amount = parse_money(digits, language)
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2


# --- what a clerk types -------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("1 234,50 $", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1\u202f234,50\u00a0$", "1234.50"),
        ("$1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("12", "12.00"),
        ("  12,5 ", "12.50"),
        (",75", "0.75"),
        ("0", "0.00"),
        ("CA$ 40", "40.00"),
        ("1 000 000", "1000000.00"),
    ],
)
def test_accepted_amounts(language: str, typed: str, expected: str) -> None:
    assert parse_money(typed, language) == Decimal(expected)


def test_a_lone_comma_with_three_digits_depends_on_the_language() -> None:
    # In English 1,234 is one thousand two hundred thirty-four; in French the comma is
    # the decimal mark, so three decimals are refused rather than silently guessed.
    assert parse_money("1,234", "en") == Decimal("1234.00")
    assert "deux chiffres après la virgule" in refusal("1,234", "fr_CA")
    assert "deux chiffres après la virgule" in refusal("1.234", "fr_CA")
    # With both marks, the last one is the decimal mark, whatever the language.
    assert parse_money("1,234.5", "fr_CA") == Decimal("1234.50")
    assert parse_money("1.234,5", "en") == Decimal("1234.50")


def test_messages_a_clerk_sees_in_french() -> None:
    assert refusal("") == "Entrez un montant."
    assert refusal("   ") == "Entrez un montant."
    assert refusal("-5") == "Le montant ne peut pas être négatif."
    assert refusal("(12,50)") == "Le montant ne peut pas être négatif."
    assert refusal("12,50 -") == "Le montant ne peut pas être négatif."
    assert refusal("douze") == "« douze » n'est pas un montant. Exemple : 1 234,50"
    assert refusal("12,3,4.5") == (
        "Séparateur de milliers mal placé dans « 12,3,4.5 » : les milliers se groupent "
        "par trois chiffres (1 234 567,50)."
    )
    assert refusal("12,555") == (
        "Au plus deux chiffres après la virgule. Pour les milliers, utilisez une espace : 1 234,50"
    )
    assert refusal("1 000 000,01") == "Montant trop élevé : le maximum permis est 1 000 000 $."


def test_messages_a_clerk_sees_in_english() -> None:
    set_language("en")
    assert refusal("", "en") == "Enter an amount."
    assert refusal("-5", "en") == "The amount cannot be negative."
    assert refusal("twelve", "en") == "“twelve” is not an amount. Example: 1,234.50"
    assert refusal("12.555", "en").startswith("At most two digits after the decimal point.")
    assert refusal("1 23.50", "en").startswith("Misplaced thousands separator")
    assert refusal("2,000,000", "en") == "Amount too large: the maximum allowed is $1,000,000."


@pytest.mark.parametrize(
    "typed", ["12..50", "12,", "1 2", "12 50", "$", "1e3", "0x10", "12,50,", "NaN", "∞", "١٢"]
)
def test_garbage_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        parse_money(typed, "fr_CA")


@given(amount=amounts)
def test_more_than_the_maximum_is_refused(amount: Decimal) -> None:
    with pytest.raises(InvalidInput, match="trop élevé"):
        parse_money(str(MAX_AMOUNT + Decimal("0.01") + amount), "fr_CA")


def test_sub_cent_message() -> None:
    with pytest.raises(InvalidInput) as caught:
        to_cents(Decimal("0.005"))
    assert caught.value.translated() == "Le montant doit être arrondi au cent près."
    assert to_cents(Decimal("-12.5")) == -1250
    assert from_cents(5) == Decimal("0.05")
