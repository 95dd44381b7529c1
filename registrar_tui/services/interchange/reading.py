"""Reading an import file: its encoding, its delimiter, its header, its dates and amounts.

- Encoding: UTF-8 (with or without the byte-order mark) when the bytes are valid UTF-8,
  else Windows-1252 (what French Excel writes under « CSV (séparateur : point-virgule) »).
- Delimiter: `;` or `,`, whichever the header line holds more of (outside quotes).
- A header row is required; column names are matched case-, accent- and
  space-insensitively against each column's French name and its English aliases.
- Dates: `AAAA-MM-JJ` or `JJ/MM/AAAA`. Amounts: `1 234,50` (ordinary, non-breaking or
  narrow spaces between thousands) or `1234.50`, read as `Decimal`, never float.

Every problem found here is a `Problem` with its line and column (services/interchange/
report.py); nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.core.money import parse_money
from registrar_tui.services.interchange.csv_out import FORMULA_STARTS
from registrar_tui.services.interchange.report import Problem
from registrar_tui.services.search.index import normalise

BOM = "\ufeff"
MAX_FIELD = 10_000
"""Longer than any column of the model: a cell this long is a broken file, not data."""

MSG_NO_HEADER = N_("Le fichier est vide : une ligne d'en-tête est requise.")
MSG_MISSING_COLUMN = N_("Colonne obligatoire absente : « {column} ».")
MSG_UNKNOWN_COLUMN = N_("Colonne inconnue : « {column} ».")
MSG_REPEATED_COLUMN = N_("Colonne en double : « {column} ».")
MSG_REQUIRED = N_("Valeur obligatoire manquante.")
MSG_BAD_DATE = N_("Date illisible « {text} » : tapez AAAA-MM-JJ ou JJ/MM/AAAA.")
MSG_BAD_ROW = N_("Ligne illisible : {detail}.")
MSG_TOO_MANY_CELLS = N_("Trop de valeurs : {count} pour {columns} colonnes.")

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MINUS = "-−–‐"


@dataclass(frozen=True)
class Column:
    """A column of an import format: its French name, its English aliases."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    """The column must be in the header (its cells may still be blank unless `filled`)."""
    filled: bool = False
    """Every row must give a value."""


@dataclass(frozen=True)
class Row:
    """One data row: the line it starts on (the header is line 1) and its cells by name."""

    line: int
    cells: dict[str, str]

    def get(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass(frozen=True)
class Table:
    """A decoded file: what it was (encoding, delimiter), its header as written, its rows."""

    encoding: str
    delimiter: str
    header: dict[str, str]
    """Canonical column name → the name as written in the file (for the report)."""
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]
    complete: bool = True
    """False without a header or with a required column missing: the rows are not checked."""

    def shown(self, name: str) -> str:
        """The column's name as the file writes it."""
        return self.header.get(name, name)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding: UTF-8 (BOM removed) when valid, else Windows-1252."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined: they become U+FFFD, never a crash.
        return data.decode("cp1252", errors="replace"), "cp1252"
    return text.removeprefix(BOM), "utf-8"


def sniff_delimiter(header_line: str) -> str:
    """`;` or `,`: the one the header holds more of outside quoted names."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def _key(name: str) -> str:
    return re.sub(r"[\s_\-'.]+", "_", normalise(name).strip()).strip("_")


def read_table(data: bytes, columns: Sequence[Column]) -> Table:
    """Decode `data` and split it into rows keyed by the columns' French names.

    Problems (never raised): an empty file, a missing required column, an unknown or
    repeated column (line 1), a row with more cells than the header, a required cell left
    blank. Blank lines are skipped.
    """
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    known: dict[str, str] = {}
    for column in columns:
        for alias in (column.name, *column.aliases):
            known[_key(alias)] = column.name
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    try:
        raw_header = next(reader)
    except StopIteration:
        raw_header = []
    except csv.Error as error:
        problems.append(Problem(1, "", MSG_BAD_ROW, {"detail": str(error)}))
        raw_header = []
    if not any(cell.strip() for cell in raw_header):
        problems.append(Problem(1, "", MSG_NO_HEADER))
        return Table(encoding, delimiter, {}, (), tuple(problems), complete=False)
    header: dict[str, str] = {}
    positions: list[str | None] = []
    for cell in raw_header:
        written = cell.strip()
        name = known.get(_key(written))
        if name is None:
            if written:
                problems.append(Problem(1, written, MSG_UNKNOWN_COLUMN, {"column": written}))
            positions.append(None)
        elif name in header:
            problems.append(Problem(1, written, MSG_REPEATED_COLUMN, {"column": written}))
            positions.append(None)
        else:
            header[name] = written
            positions.append(name)
    missing = [column.name for column in columns if column.required and column.name not in header]
    for name in missing:
        problems.append(Problem(1, name, MSG_MISSING_COLUMN, {"column": name}))
    filled = [column.name for column in columns if column.filled and column.name in header]
    rows: list[Row] = []
    line = 1
    csv.field_size_limit(MAX_FIELD)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(reader.line_num, "", MSG_BAD_ROW, {"detail": str(error)}))
            continue
        line = start
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(positions) and any(c.strip() for c in cells[len(positions) :]):
            problems.append(
                Problem(
                    line, "", MSG_TOO_MANY_CELLS, {"count": len(cells), "columns": len(positions)}
                )
            )
            continue
        values = {
            name: _formula_kept(cell.strip())
            for name, cell in zip(positions, cells, strict=False)
            if name is not None
        }
        for name in filled:
            if not values.get(name):
                problems.append(Problem(line, header[name], MSG_REQUIRED))
        rows.append(Row(line, values))
    return Table(encoding, delimiter, header, tuple(rows), tuple(problems), complete=not missing)


def _formula_kept(cell: str) -> str:
    """A cell as written before our exports neutralised it: « '=… » back to « =… »
    (csv_out puts the apostrophe before what a spreadsheet would run as a formula)."""
    if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def parse_date(text: str) -> date:
    """`2026-06-30` or `30/06/2026`; `InvalidInput` (MSG_BAD_DATE) otherwise."""
    from registrar_tui.services.core.errors import InvalidInput

    value = text.strip()
    try:
        if match := _DMY.match(value):
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if match := _YMD.match(value):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        pass
    raise InvalidInput(MSG_BAD_DATE, text=value)


def parse_signed_amount(text: str) -> Decimal:
    """`1 234,50`, `1234.50`, `-40,00` → Decimal with two places (the counter's rules for
    the digits, `services/core/money.parse_money`; a leading minus kept)."""
    value = text.strip()
    negative = value[:1] in _MINUS
    amount = parse_money(value[1:] if negative else value, "fr_CA")
    return -amount if negative else amount


def problem_of(line: int, column: str, error: DomainError) -> Problem:
    """A refusal of the services, placed at a line and column of the file."""
    return Problem(line, column, error.source_message, dict(error.params))
