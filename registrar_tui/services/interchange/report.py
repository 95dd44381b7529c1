"""What an import found and did: problems by line and column, and the counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Progress = Callable[[int, int], None]
"""Called as rows are checked or written: (rows done, rows in all)."""

KINDS = ("families", "students", "enrolments", "balances")


@dataclass(frozen=True)
class Problem:
    """One thing that stops the file from being imported, where it is in the file."""

    line: int
    """The file's line (the header is line 1)."""
    column: str
    """The column as the file names it; "" for the whole row or file."""
    message: str
    """The French source message (translated when shown)."""
    params: Mapping[str, object] = field(default_factory=dict)

    def translated(self) -> str:
        from registrar_tui.i18n import _, elide

        text = _(self.message)
        return elide(text, **self.params) if self.params else text


@dataclass(frozen=True)
class ChangedRow:
    """A row whose old id was imported before and whose record now differs from it."""

    line: int
    old_id: str
    fields: tuple[str, ...]
    """The file's columns that differ."""


@dataclass(frozen=True)
class ImportReport:
    """The dry run's findings, or what `--apply` wrote."""

    kind: str
    file_name: str
    encoding: str
    delimiter: str
    rows: int
    created: int
    unchanged: int
    changed: tuple[ChangedRow, ...]
    problems: tuple[Problem, ...]
    applied: bool = False
    batch_id: int | None = None
    created_numbers: tuple[str, ...] = ()
    """Family numbers, student numbers or invoice numbers written (apply only)."""


@dataclass
class Plan:
    """What a kind's checker found: the problems, and the rows it would write."""

    problems: list[Problem] = field(default_factory=list)
    new: list[object] = field(default_factory=list)
    """The kind's own prepared rows (families.NewFamilyRow, …)."""
    unchanged: int = 0
    changed: list[ChangedRow] = field(default_factory=list)
