"""Reading what an old system exports: encodings, delimiters, dates and amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.interchange.reading import (
    Column,
    parse_date,
    parse_signed_amount,
    read_table,
)

COLUMNS = (
    Column("ancien_id", ("old_id",), required=True, filled=True),
    Column("nom", ("last_name",), required=True),
)


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        ("ancien_id;nom\r\n7;Côté\r\n".encode("cp1252"), "cp1252", ";"),
        ("\ufeffold_id,Last Name\n7,Côté\n".encode(), "utf-8", ","),
        ("ANCIEN ID;Nom\n7;Côté\n".encode(), "utf-8", ";"),
    ],
)
def test_excel_and_utf8_files_read_the_same(data: bytes, encoding: str, delimiter: str) -> None:
    table = read_table(data, COLUMNS)
    assert (table.encoding, table.delimiter, table.problems) == (encoding, delimiter, ())
    assert [(row.line, row.cells) for row in table.rows] == [(2, {"ancien_id": "7", "nom": "Côté"})]


def test_a_missing_column_an_unknown_one_and_a_blank_required_cell_are_placed() -> None:
    table = read_table(b"old_id;couleur\n;bleu\n", COLUMNS)
    found = sorted((p.line, p.column, p.translated()) for p in table.problems)
    assert found == [
        (1, "couleur", "Colonne inconnue : « couleur »."),
        (1, "nom", "Colonne obligatoire absente : « nom »."),
        (2, "old_id", "Valeur obligatoire manquante."),
    ]
    assert not table.complete


def test_dates_and_amounts_as_french_excel_writes_them() -> None:
    assert parse_date("30/06/2026") == parse_date("2026-06-30") == date(2026, 6, 30)
    with pytest.raises(InvalidInput):
        parse_date("31/02/2026")
    assert parse_signed_amount("1 234,50") == Decimal("1234.50")
    assert parse_signed_amount("1\u202f234,50") == Decimal("1234.50")
    assert parse_signed_amount("1\u00a0234,5") == Decimal("1234.50")
    assert parse_signed_amount("1234.50") == Decimal("1234.50")
    assert parse_signed_amount("-40,00") == Decimal("-40.00")
    with pytest.raises(InvalidInput):
        parse_signed_amount("12,345,67")
