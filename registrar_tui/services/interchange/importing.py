"""Importing a file from the previous software: the dry run, then `apply`, all or nothing.

`check_file` reads the file and reports every problem with its line and column, and the
families/students/… it would create, leave unchanged or find changed; it writes nothing.
`apply_file` runs the same checks in the caller's write unit of work and refuses
(`ImportHasProblems`) when there is any problem; otherwise it writes every row, the
`import_batch` row, one `import_link` per record and one `import.apply` audit event —
in ONE transaction: an interruption (Ctrl+C, a crash) leaves nothing written.

Rows whose old id was imported before are never written again: unchanged, or reported
as changed (the fields that differ) and left for the counter to correct.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import insert

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import ImportBatch
from registrar_tui.models.base import Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DomainError, InvalidInput
from registrar_tui.services.interchange import balances, enrolments, families, students
from registrar_tui.services.interchange.links import write_links
from registrar_tui.services.interchange.reading import Column, Table, read_table
from registrar_tui.services.interchange.report import KINDS, ImportReport, Plan, Progress
from registrar_tui.services.search.index import index_new_students, reindex_families

IMPORTERS = (Role.ADMIN,)
AUDIT_ACTION = "import.apply"
BATCHES = ImportBatch.metadata.tables["import_batch"]

ANALYZED = {
    "families": ("family", "guardian", "import_link", "search_entry"),
    "students": ("student", "import_link", "search_entry"),
    "enrolments": ("enrolment", "import_link"),
    "balances": ("invoice", "invoice_line", "import_link"),
}
MSG_UNKNOWN_KIND = N_("Type d'import inconnu : familles, élèves, inscriptions ou soldes.")


class ImportHasProblems(DomainError):
    """`--apply` on a file the dry run finds problems in: nothing is written."""

    message = N_("Le fichier a des problèmes ({count}) : rien n'a été importé.")

    def __init__(self, report: ImportReport) -> None:
        super().__init__(count=len(report.problems))
        self.report = report


Checker = Callable[[UnitOfWork, Table, Progress | None], Plan]
COLUMNS: dict[str, tuple[Column, ...]] = {
    "families": families.COLUMNS,
    "students": students.COLUMNS,
    "enrolments": enrolments.COLUMNS,
    "balances": balances.COLUMNS,
}
CHECKERS: dict[str, Checker] = {
    "families": families.check,
    "students": students.check,
    "enrolments": enrolments.check,
    "balances": balances.check,
}


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while a file is checked or written: a 50,000-row file
    makes hundreds of thousands of small objects, none of them cyclic garbage, and the
    collector's repeated full passes over them nearly doubled the time (measured)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _checked(
    uow: UnitOfWork, kind: str, data: bytes, file_name: str, progress: Progress | None
) -> tuple[Table, Plan, ImportReport]:
    if kind not in KINDS:
        raise InvalidInput(MSG_UNKNOWN_KIND, field="kind")
    table = read_table(data, COLUMNS[kind])
    plan = Plan(problems=list(table.problems))
    if table.complete:
        found = CHECKERS[kind](uow, table, progress)
        plan.problems.extend(found.problems)
        plan.new, plan.unchanged, plan.changed = found.new, found.unchanged, found.changed
    problems = tuple(sorted(plan.problems, key=lambda p: (p.line, p.column)))
    report = ImportReport(
        kind=kind,
        file_name=file_name,
        encoding=table.encoding,
        delimiter=table.delimiter,
        rows=len(table.rows),
        created=len(plan.new),
        unchanged=plan.unchanged,
        changed=tuple(sorted(plan.changed, key=lambda c: c.line)),
        problems=problems,
    )
    return table, plan, report


def check_file(
    uow: UnitOfWork, kind: str, data: bytes, file_name: str, progress: Progress | None = None
) -> ImportReport:
    """The dry run: every problem of the file and what importing it would do. Writes
    nothing. Refuses only an unknown `kind` (`InvalidInput`)."""
    with _bulk():
        return _checked(uow, kind, data, file_name, progress)[2]


def apply_file(
    uow: UnitOfWork,
    actor_id: int,
    kind: str,
    data: bytes,
    file_name: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the file in the caller's (one) transaction.

    Refuses: `PermissionDenied` (not an active admin); `ImportHasProblems` (the dry run
    found any problem: nothing written). Writes the new records (family and student
    numbers from their sequences, balances as « Solde reporté » invoices), their search
    entries, one `import_link` per record, the `import_batch` and one `import.apply`
    audit event. `progress` is called as rows are written; an exception it raises (Ctrl+C)
    rolls everything back with the caller's unit of work.
    """
    active_staff(uow, actor_id, roles=IMPORTERS)
    with _bulk():
        return _apply(uow, actor_id, kind, data, file_name, progress)


def _apply(
    uow: UnitOfWork,
    actor_id: int,
    kind: str,
    data: bytes,
    file_name: str,
    progress: Progress | None,
) -> ImportReport:
    _table, plan, report = _checked(uow, kind, data, file_name, progress)
    if report.problems:
        raise ImportHasProblems(report)
    digest = hashlib.sha256(data).hexdigest()
    batch_id = uow.session.execute(
        insert(BATCHES).returning(BATCHES.c.id),
        {
            "kind": kind,
            "file_name": file_name[-255:],
            "sha256": digest,
            "rows": report.rows,
            "created": report.created,
            "unchanged": report.unchanged,
            "changed": len(report.changed),
            "imported_at": uow.now(),
            "imported_by_id": actor_id,
        },
    ).scalar_one()
    pairs, numbers, family_ids = _write(uow, actor_id, kind, plan, progress)
    write_links(uow, kind, pairs, batch_id)
    if kind == "students":
        index_new_students(uow, [record_id for _, record_id in pairs])
    elif kind == "families":
        reindex_families(uow, family_ids, new=True)
    after: dict[str, Any] = {
        "kind": kind,
        "file_name": file_name,
        "sha256": digest,
        "rows": report.rows,
        "created": report.created,
        "unchanged": report.unchanged,
        "changed": len(report.changed),
    }
    if numbers:
        after["first"], after["last"] = numbers[0], numbers[-1]
    record_event(uow, actor_id, AUDIT_ACTION, "import_batch", batch_id, {}, after)
    connection = uow.session.connection()
    if connection.dialect.name == "postgresql":
        # Plans for the tables just filled: without fresh statistics the next file's
        # set-based checks (IN lists on the links, numbers, birth dates) scan them whole.
        for table in ANALYZED[kind]:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return replace(report, applied=True, batch_id=batch_id, created_numbers=tuple(numbers))


def _write(
    uow: UnitOfWork, actor_id: int, kind: str, plan: Plan, progress: Progress | None
) -> tuple[list[tuple[str, int]], list[str], list[int]]:
    """(old id, record id) pairs, the numbers given, the families to index again."""
    if kind == "families":
        rows = [row for row in plan.new if isinstance(row, families.FamilyRow)]
        pairs, numbers = families.write(uow, rows, progress)
        return pairs, numbers, [record_id for _, record_id in pairs]
    if kind == "students":
        new_students = [row for row in plan.new if isinstance(row, students.StudentRow)]
        pairs, numbers = students.write(uow, new_students, progress)
        return pairs, numbers, []  # indexed as new students: their families' entries stay
    if kind == "enrolments":
        new_enrolments = [row for row in plan.new if isinstance(row, enrolments.EnrolmentRow)]
        return enrolments.write(uow, new_enrolments, progress), [], []
    new_balances = [row for row in plan.new if isinstance(row, balances.BalanceRow)]
    pairs, numbers = balances.write(uow, actor_id, new_balances, progress)
    return pairs, numbers, []  # issue_invoice indexes each family itself
