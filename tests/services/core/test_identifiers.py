"""Identifiers typed at the counter: valid ones are accepted and normalised, wrong ones
are refused with a message that says what is wrong."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from registrar_tui.i18n import set_language
from registrar_tui.models.base import Sex
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.core.identifiers import (
    code_permanent_warnings,
    expected_code_letters,
    make_code_permanent,
    parse_code_permanent,
    parse_email,
    parse_optional,
    parse_phone,
    parse_postal_code,
    parse_student_number,
)

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
POSTAL_FIRST = "ABCEGHJKLMNPRSTVXY"


def refusal(parse: object, *args: object) -> tuple[str, str | None]:
    assert callable(parse)
    with pytest.raises(InvalidInput) as caught:
        parse(*args)
    return caught.value.translated(), caught.value.field


# --- code permanent -----------------------------------------------------------------
birth_dates = st.dates(min_value=date(1930, 1, 1), max_value=date(2029, 12, 31))
sexes = st.sampled_from([Sex.FEMALE, Sex.MALE])
letters4 = st.text(alphabet=UPPER, min_size=4, max_size=4)
suffixes = st.integers(min_value=0, max_value=99)


def code_for(letters: str, born: date, sex: Sex, suffix: int) -> str:
    month = born.month + (50 if sex is Sex.FEMALE else 0)
    return f"{letters}{born.day:02d}{month:02d}{born.year % 100:02d}{suffix:02d}"


@given(letters4, birth_dates, sexes, suffixes)
def test_every_valid_code_permanent_parses(letters: str, born: date, sex: Sex, suffix: int) -> None:
    code = code_for(letters, born, sex, suffix)
    assert parse_code_permanent(code) == code
    spaced = f" {code[:4].lower()} {code[4:8]} {code[8:]} "
    assert parse_code_permanent(spaced) == code


@given(letters4, birth_dates, sexes, suffixes, st.integers(min_value=0, max_value=11))
def test_a_code_permanent_with_a_mutated_character_is_refused(
    letters: str, born: date, sex: Sex, suffix: int, position: int
) -> None:
    code = code_for(letters, born, sex, suffix)
    # A letter where a digit belongs, or a digit where a letter belongs.
    replacement = "7" if position < 4 else "K"
    mutated = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidInput):
        parse_code_permanent(mutated)


@given(letters4, st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=99))
def test_impossible_months_are_refused(letters: str, month: int, year: int) -> None:
    assume(not (1 <= month <= 12 or 51 <= month <= 62))
    with pytest.raises(InvalidInput, match="Mois de naissance impossible"):
        parse_code_permanent(f"{letters}01{month:02d}{year:02d}00")


@given(letters4, birth_dates, sexes, suffixes)
def test_a_matching_code_gives_no_warning(letters: str, born: date, sex: Sex, suffix: int) -> None:
    code = code_for(letters, born, sex, suffix)
    last, first = letters[:3], letters[3] + "ric"
    assert code_permanent_warnings(code, first, last, born, sex) == []
    assert code_permanent_warnings(code, first, last, born, None) == []


def test_code_permanent_examples_and_messages() -> None:
    assert parse_code_permanent("treh 1255 0399") == "TREH12550399"
    assert parse_code_permanent("TRÉH-1255-0399") == "TREH12550399"
    assert refusal(parse_code_permanent, "") == ("Entrez le code permanent.", "code_permanent")
    assert refusal(parse_code_permanent, "TRE12550399") == (
        "Le code permanent a 4 lettres suivies de 8 chiffres, par exemple TREH12550399.",
        "code_permanent",
    )
    assert refusal(parse_code_permanent, "TREH12130399")[0] == (
        "Mois de naissance impossible dans le code permanent (13) : "
        "01 à 12 pour un garçon, 51 à 62 pour une fille."
    )
    assert refusal(parse_code_permanent, "TREH31540399")[0] == (
        "La date de naissance du code permanent (31/04/03) n'existe pas."
    )
    assert refusal(parse_code_permanent, "TREH29520399")[0] == (
        "La date de naissance du code permanent (29/02/03) n'existe pas."
    )
    assert parse_code_permanent("TREH29520400") == "TREH29520400"  # 2004 is a leap year
    assert parse_code_permanent("TREH29520000") == "TREH29520000"  # so is 2000


def test_warnings_when_the_code_disagrees_with_the_record() -> None:
    warnings = code_permanent_warnings("TREH12550399", "Marc", "Côté", date(2003, 5, 13), "M")
    assert warnings == [
        "Les trois premières lettres du code permanent (TRE) ne correspondent pas au nom "
        "de famille (attendu : COT).",
        "La 4e lettre du code permanent (H) ne correspond pas à l'initiale du prénom "
        "(attendu : M).",
        "La date de naissance du code permanent (12/05/03) ne correspond pas à la date de "
        "naissance inscrite (13 mai 2003).",
        "Le code permanent est celui d'une fille (mois + 50), mais le sexe inscrit est M.",
    ]
    assert code_permanent_warnings("TREH12050399", "Hélène", "Tremblay", None, Sex.FEMALE) == [
        "Le code permanent est celui d'un garçon, mais le sexe inscrit est F."
    ]


def test_warnings_are_translated() -> None:
    set_language("en")
    assert code_permanent_warnings("TREH12550399", "Hélène", "Tremblay", None, "M") == [
        "The permanent code is a girl's (month + 50), but the recorded sex is M."
    ]


@pytest.mark.parametrize(
    ("first", "last", "letters"),
    [
        ("Hélène", "Tremblay", "TREH"),
        ("Élodie", "Côté-Lévesque", "COTE"),
        ("Ève", "D'Amour", "DAME"),
        ("Jean", "De La Fontaine", "DELJ"),
        ("Zoë", "Ng", "NGXZ"),  # short last name padded with X
        ("Li", "O", "OXXL"),
        ("Œdipe", "Lœwen", "LOEO"),
    ],
)
def test_expected_letters_ignore_accents_hyphens_apostrophes_and_spaces(
    first: str, last: str, letters: str
) -> None:
    assert expected_code_letters(first, last) == letters
    code = make_code_permanent(first, last, date(2012, 3, 4), Sex.FEMALE, 7)
    assert code == f"{letters}04531207"
    assert code_permanent_warnings(code, first, last, date(2012, 3, 4), Sex.FEMALE) == []


# --- student number -----------------------------------------------------------------
@given(
    st.sampled_from([7, 9]).flatmap(
        lambda n: st.tuples(st.just(n), st.text("0123456789", min_size=n, max_size=n))
    )
)
def test_every_student_number_of_the_right_length_parses(case: tuple[int, str]) -> None:
    digits, number = case
    assert parse_student_number(f" {number} ", digits) == number
    with pytest.raises(InvalidInput):
        parse_student_number(number + "0", digits)
    with pytest.raises(InvalidInput):
        parse_student_number(number[:-1], digits)


def test_student_number_messages() -> None:
    assert parse_student_number("201 337 007", 9) == "201337007"
    assert parse_student_number("0012345", 7) == "0012345"  # leading zeros kept
    assert refusal(parse_student_number, "20133700", 9) == (
        "Le numéro d'élève a 9 chiffres (vous en avez tapé 8).",
        "student_number",
    )
    assert refusal(parse_student_number, "2013370A7", 9)[0] == (
        "Le numéro d'élève ne contient que des chiffres."
    )
    assert refusal(parse_student_number, "", 7)[0] == "Entrez le numéro d'élève."
    with pytest.raises(ValueError):
        parse_student_number("12345678", 8)


# --- postal code --------------------------------------------------------------------
postal_codes = st.tuples(
    st.sampled_from(POSTAL_FIRST),
    *(
        st.sampled_from("0123456789") if i % 2 == 0 else st.sampled_from(POSTAL_LETTERS)
        for i in range(5)
    ),
).map("".join)


@given(postal_codes, st.sampled_from(["", " ", "-"]), st.booleans())
def test_every_valid_postal_code_parses(code: str, separator: str, lower: bool) -> None:
    typed = code[:3] + separator + code[3:]
    assert parse_postal_code(typed.lower() if lower else typed) == f"{code[:3]} {code[3:]}"


@given(postal_codes, st.integers(min_value=0, max_value=5), st.sampled_from("DFIOQU"))
def test_a_postal_code_with_an_unused_letter_is_refused(
    code: str, position: int, letter: str
) -> None:
    position -= position % 2  # a letter position
    with pytest.raises(InvalidInput, match=f"lettre {letter}"):
        parse_postal_code(code[:position] + letter + code[position + 1 :])


def test_postal_code_messages() -> None:
    assert parse_postal_code(" h2x1y4 ") == "H2X 1Y4"
    assert refusal(parse_postal_code, "H2X 1Y") == (
        "Le code postal a la forme A1A 1A1 (lettre, chiffre, lettre, chiffre…).",
        "postal_code",
    )
    assert refusal(parse_postal_code, "H2O 1Y4")[0] == (
        "La lettre O n'est jamais utilisée dans un code postal canadien."
    )
    assert refusal(parse_postal_code, "W2X 1Y4")[0] == (
        "Un code postal canadien ne commence jamais par W."
    )
    assert refusal(parse_postal_code, "Z2X 1Y4")[0] == (
        "Un code postal canadien ne commence jamais par Z."
    )


# --- telephone ----------------------------------------------------------------------
nxx = st.tuples(st.sampled_from("23456789"), st.text("0123456789", min_size=2, max_size=2)).map(
    "".join
)
phones = st.tuples(nxx, nxx, st.text("0123456789", min_size=4, max_size=4))
layouts = st.sampled_from(
    ["{a}{e}{l}", "({a}) {e}-{l}", "+1 {a} {e} {l}", "1-{a}-{e}-{l}", "{a}.{e}.{l}", "{a} {e}-{l}"]
)


@given(phones, layouts)
def test_every_valid_phone_parses_to_one_form(phone: tuple[str, str, str], layout: str) -> None:
    area, exchange, line = phone
    typed = layout.format(a=area, e=exchange, l=line)
    assert parse_phone(typed) == f"{area}-{exchange}-{line}"


@given(
    phones,
    st.sampled_from(["poste {x}", "p. {x}", "ext. {x}", "x{x}", ", poste {x}"]),
    st.text("0123456789", min_size=1, max_size=6),
)
def test_extensions_are_kept_and_fit_the_column(
    phone: tuple[str, str, str], extension: str, digits: str
) -> None:
    typed = "-".join(phone) + " " + extension.format(x=digits)
    parsed = parse_phone(typed)
    assert parsed == "-".join(phone) + f" x{digits}"
    assert len(parsed) <= 20


@given(phones, st.sampled_from("01"), st.sampled_from([0, 3]))
def test_area_codes_and_exchanges_starting_with_0_or_1_are_refused(
    phone: tuple[str, str, str], digit: str, position: int
) -> None:
    digits = "".join(phone)
    with pytest.raises(InvalidInput, match="ne peut pas commencer par 0 ou 1"):
        parse_phone(digits[:position] + digit + digits[position + 1 :])


def test_phone_messages() -> None:
    assert parse_phone("(514) 555-0123") == "514-555-0123"
    assert parse_phone("514-555-0123 poste 12") == "514-555-0123 x12"
    assert refusal(parse_phone, "555-0123") == (
        "Le numéro de téléphone a 10 chiffres, indicatif régional compris (vous en avez tapé 7).",
        "phone",
    )
    assert refusal(parse_phone, "+33 1 23 45 67 89")[0] == (
        "Seuls les numéros d'Amérique du Nord (+1) sont acceptés."
    )
    assert refusal(parse_phone, "014 555 0123")[0] == (
        "L'indicatif régional (014) ne peut pas commencer par 0 ou 1."
    )
    assert refusal(parse_phone, "514 155 0123")[0] == (
        "Le numéro après l'indicatif régional (155) ne peut pas commencer par 0 ou 1."
    )
    assert refusal(parse_phone, "514-555-CAFE")[0] == (
        "Le numéro de téléphone ne peut contenir que des chiffres, espaces, tirets et ()."
    )
    assert refusal(parse_phone, "514-555-0123 poste 1234567")[0] == (
        "Le poste a au plus 6 chiffres."
    )
    assert refusal(parse_phone, "")[0] == "Entrez un numéro de téléphone."


def test_phone_message_in_english() -> None:
    set_language("en")
    assert refusal(parse_phone, "014 555 0123")[0] == (
        "The area code (014) cannot start with 0 or 1."
    )


# --- e-mail -------------------------------------------------------------------------
local_parts = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzÉé0123456789._+-", min_size=1, max_size=20
)
domains = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10),
    min_size=1,
    max_size=3,
).map(lambda labels: ".".join([*labels, "ca"]))


@given(local_parts, domains)
def test_addresses_keep_the_local_part_and_lowercase_the_domain(local: str, domain: str) -> None:
    assert parse_email(f"  {local}@{domain.upper()} ", field="email") == f"{local}@{domain}"


@given(local_parts, domains, st.sampled_from([" ", "@", "<", ";", ","]))
def test_mutated_addresses_are_refused(local: str, domain: str, bad: str) -> None:
    with pytest.raises(InvalidInput):
        parse_email(f"{local}{bad}x@{domain}")


def test_email_messages() -> None:
    assert parse_email("Marie.Cote@Exemple.QC.CA") == "Marie.Cote@exemple.qc.ca"
    assert refusal(parse_email, "marie cote@exemple.ca") == (
        "Une adresse courriel ne contient pas d'espace.",
        "email",
    )
    assert refusal(parse_email, "marie.exemple.ca")[0] == (
        "Une adresse courriel contient un seul @, par exemple nom@exemple.ca."
    )
    assert refusal(parse_email, "marie@exemple")[0] == (
        "Le domaine de l'adresse courriel (après le @) est incomplet, par exemple exemple.ca."
    )
    assert refusal(parse_email, "marie@exemple..ca")[0].startswith("Le domaine")
    assert refusal(parse_email, "<marie>@exemple.ca")[0] == (
        "L'adresse courriel contient un caractère non permis : <"
    )
    assert refusal(parse_email, "m" * 200 + "@exemple.ca")[0] == (
        "Adresse courriel trop longue (au plus 200 caractères)."
    )


def test_blank_optional_fields_become_none() -> None:
    assert parse_optional(parse_phone, "   ") is None
    assert parse_optional(parse_email, None) is None
    assert parse_optional(parse_student_number, "1234567", 7) == "1234567"
    with pytest.raises(InvalidInput):
        parse_optional(parse_postal_code, "H2X")


def test_every_message_has_an_english_translation() -> None:
    from registrar_tui.i18n import _
    from registrar_tui.services.core import identifiers, money

    messages = [
        value
        for module in (identifiers, money)
        for name, value in vars(module).items()
        if name.startswith(("MSG_", "WARN_"))
    ]
    set_language("en")
    untranslated = [message for message in messages if _(message) == message]
    assert untranslated == []
