"""Writing a CSV file an accountant's spreadsheet opens right: encoding, delimiter, numbers.

Every export (`registrar-tui export journal | receivables | families | …`) goes through
`csv_bytes(header, rows, CsvFormat(...))`:

- **Encoding**: UTF-8 with a BOM by default (`utf-8-sig`: Excel reads the accents right
  only with it), plain `utf-8`, or Windows-1252 (`cp1252`, an older French Excel). A
  character cp1252 cannot hold is REFUSED (`UnencodableCharacter`, naming the file's line,
  the column and the character), never replaced by « ? »: a name that lost a letter is a
  false name in the accountant's books.
- **Delimiter**: `,` (default), `;` (a French Excel) or a tab.
- **Money**: `Decimal` cells are written with two decimals, no thousands separator,
  and the decimal mark that goes with the delimiter: `,` with `;` (what a French Excel
  expects), `.` otherwise (with `,` a decimal comma would need quotes everywhere).
- **Dates**: `date` cells are ISO `AAAA-MM-JJ`, which every spreadsheet reads as a date.
- **Text** that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
  tab or a carriage return) is prefixed with `'` when `neutralise_formulas` is on (the
  default): a family name never becomes a formula in the accountant's sheet.
- Line ends are CRLF (RFC 4180, what Excel writes); fields are quoted only when needed.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import InvalidInput

CENT = Decimal("0.01")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CsvCell = str | int | Decimal | date | None
"""What a row holds: text, a count, money (`Decimal`), a day, or nothing (empty cell)."""


class Encoding(enum.StrEnum):
    """The encodings an export may be written in (`--encoding`)."""

    UTF8_BOM = "utf-8-sig"
    UTF8 = "utf-8"
    CP1252 = "cp1252"


class Delimiter(enum.StrEnum):
    """The field separators an export may use (`--delimiter`: `,`, `;` or `tab`)."""

    COMMA = ","
    SEMICOLON = ";"
    TAB = "\t"


class UnencodableCharacter(InvalidInput):
    message = N_(
        "Ligne {line}, colonne « {column} » : le caractère « {character} » n'existe pas "
        "en {encoding}. Choisissez --encoding utf-8-sig (le défaut)."
    )


def parse_encoding(text: str) -> Encoding:
    """The `--encoding` value (`utf-8-sig`, `utf-8`, `cp1252`, case and `_` ignored).

    Refuses anything else with InvalidInput (field `encoding`).
    """
    wanted = text.strip().lower().replace("_", "-")
    aliases = {"utf8": "utf-8", "utf8-sig": "utf-8-sig", "windows-1252": "cp1252"}
    wanted = aliases.get(wanted, wanted)
    for encoding in Encoding:
        if encoding.value == wanted:
            return encoding
    raise InvalidInput(
        N_("Encodage inconnu « {value} » (choix : {choices})."),
        field="encoding",
        value=text,
        choices=", ".join(e.value for e in Encoding),
    )


def parse_delimiter(text: str) -> Delimiter:
    """The `--delimiter` value: `,`, `;`, `tab` (or a real tab character).

    Refuses anything else with InvalidInput (field `delimiter`).
    """
    wanted = "\t" if text.strip().lower() in ("tab", "\\t") or text == "\t" else text.strip()
    for delimiter in Delimiter:
        if delimiter.value == wanted:
            return delimiter
    raise InvalidInput(
        N_("Séparateur inconnu « {value} » (choix : , ; tab)."), field="delimiter", value=text
    )


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV export is written (see the module's docstring)."""

    encoding: Encoding = Encoding.UTF8_BOM
    delimiter: Delimiter = Delimiter.COMMA
    neutralise_formulas: bool = True

    @property
    def decimal_mark(self) -> str:
        """`,` with `;` (French Excel), `.` otherwise."""
        return "," if self.delimiter is Delimiter.SEMICOLON else "."

    def money(self, amount: Decimal) -> str:
        """`1234.50` (or `1234,50` with `;`): two decimals, no thousands separator."""
        text = f"{amount.quantize(CENT):f}"
        return text.replace(".", self.decimal_mark)

    def cell(self, value: CsvCell) -> str:
        """One cell as text, by its type."""
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return self.money(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, int):
            return str(value)
        if self.neutralise_formulas and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[CsvCell]], fmt: CsvFormat) -> str:
    """The whole file as text (header first), not yet encoded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=fmt.delimiter.value, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([fmt.cell(value) for value in row])
    return buffer.getvalue()


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[CsvCell]], fmt: CsvFormat = CsvFormat()
) -> bytes:
    """The file's bytes in `fmt.encoding` (with the BOM for `utf-8-sig`).

    Refuses, with UnencodableCharacter (field `encoding`), a character the encoding cannot
    hold, naming the line of the file (the header is line 1), the column and the character.
    """
    materialised = [list(row) for row in rows]
    text = csv_text(header, materialised, fmt)
    try:
        return text.encode(fmt.encoding.value)
    except UnicodeEncodeError:
        pass
    # Find the first cell at fault, to name it (the file's line: the header is line 1).
    every: list[list[CsvCell]] = [list(header), *materialised]
    for line, row in enumerate(every, start=1):
        for index, value in enumerate(row):
            shown = str(value) if line == 1 else fmt.cell(value)
            for character in shown:
                try:
                    character.encode(fmt.encoding.value)
                except UnicodeEncodeError:
                    raise UnencodableCharacter(
                        field="encoding",
                        line=line,
                        column=header[index] if index < len(header) else str(index + 1),
                        character=character,
                        encoding=fmt.encoding.value,
                    ) from None
    raise AssertionError("an unencodable text with no unencodable character")  # pragma: no cover
