"""The audit viewer's services: filters, keyset pages, before/after, and reading is audited."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

import registrar_tui.services.audit.log as audit_log_module
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent
from registrar_tui.services.audit.labels import ACTION_LABELS
from registrar_tui.services.audit.log import (
    AuditFilter,
    AuditRow,
    InvalidDate,
    UnknownUser,
    audit_event_detail,
    audit_page,
    next_cursor,
    open_audit_log,
    page_query,
    parse_filter,
)
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.errors import InvalidInput, NotFound, PermissionDenied
from registrar_tui.services.core.paging import Page
from tests.services.ledger_data import School, build_school, check_invariants

# 23 November 2026, 04:30 UTC is still 22 November at the school (23:30, UTC−5).
LATE_EVENING = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
MORNING = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def _event(
    db: Database,
    at: datetime,
    actor: int | None,
    action: str,
    entity: tuple[str, int | None],
    before: dict[str, object],
    after: dict[str, object],
) -> int:
    fixed = db.clock
    db.clock = lambda: at
    try:
        with db.write() as uow:
            record_event(uow, actor, action, entity[0], entity[1], before, after)
            found = uow.session.exec(select(func.max(col(AuditEvent.id)))).one()
    finally:
        db.clock = fixed
    assert found is not None
    return int(found)


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


@pytest.fixture
def trail(database: Database, school: School) -> dict[str, int]:
    """A small trail: a guardian's phone change, payments, a void, a failed sign-in."""
    return {
        "phone": _event(
            database,
            LATE_EVENING,
            school.clerk_id,
            "guardian.contact_update",
            ("guardian", 7),
            {"phone": "514-555-0101"},
            {"phone": "514-555-0199"},
        ),
        "post": _event(
            database,
            MORNING,
            school.clerk_id,
            "payment.post",
            ("payment", 42),
            {},
            {"amount_cents": 27500, "receipt_number": "MTL-2026-000001"},
        ),
        "void": _event(
            database,
            MORNING + timedelta(minutes=5),
            school.registrar_id,
            "payment.void",
            ("payment", 42),
            {"voided": False},
            {"voided": True, "reason": "[b]Erreur[/b]"},
        ),
        "other": _event(
            database,
            MORNING + timedelta(minutes=6),
            school.clerk2_id,
            "payment.post",
            ("payment", 43),
            {},
            {"amount_cents": 1000},
        ),
        "login": _event(
            database,
            MORNING + timedelta(minutes=7),
            None,
            "auth.login_failed",
            ("staff_user", None),
            {},
            {"username": "inconnu"},
        ),
    }


def _page(db: Database, user: int, filters: AuditFilter, **kwargs: object) -> Page[AuditRow]:
    with db.read() as uow:
        return audit_page(uow, user, filters, **kwargs)  # type: ignore[arg-type]


def _ids(page: Page[AuditRow]) -> list[int]:
    return [row.event_id for row in page.rows]


def _count(db: Database, action: str) -> int:
    with db.read() as uow:
        return int(
            uow.session.exec(select(func.count()).where(col(AuditEvent.action) == action)).one()
        )


def test_newest_first_with_the_actors_name_and_changed_fields(
    database: Database, school: School, trail: dict[str, int]
) -> None:
    page = _page(database, school.registrar_id, AuditFilter())
    assert _ids(page) == [trail[k] for k in ("login", "other", "void", "post", "phone")]
    assert not page.has_more
    void = page.rows[2]
    assert (void.actor_username, void.actor_name) == ("registrar", "Registrar Test")
    assert (void.action, void.entity_type, void.entity_id) == ("payment.void", "payment", 42)
    assert void.changed_fields == ("reason", "voided")
    assert void.occurred_at == MORNING + timedelta(minutes=5)
    assert (page.rows[0].actor_username, page.rows[0].actor_name) == ("", "")


def test_each_filter_narrows_the_list(
    database: Database, school: School, trail: dict[str, int]
) -> None:
    registrar = school.registrar_id
    by_record = _page(database, registrar, AuditFilter(entity_type="payment", entity_id=42))
    assert _ids(by_record) == [trail["void"], trail["post"]]
    by_kind = _page(database, registrar, AuditFilter(entity_type="payment"))
    assert _ids(by_kind) == [trail["other"], trail["void"], trail["post"]]
    by_user = _page(database, registrar, AuditFilter(username="CLERK"))  # any case
    assert _ids(by_user) == [trail["post"], trail["phone"]]
    by_action = _page(database, registrar, AuditFilter(action="payment."))
    assert _ids(by_action) == [trail["other"], trail["void"], trail["post"]]
    # The prefix is literal: "_" and "%" are not wildcards.
    assert _ids(_page(database, registrar, AuditFilter(action="auth.login_"))) == [trail["login"]]
    assert _ids(_page(database, registrar, AuditFilter(action="auth%"))) == []
    combined = AuditFilter(username="clerk", action="payment", entity_type="payment")
    assert _ids(_page(database, registrar, combined)) == [trail["post"]]


def test_dates_are_the_schools_local_days(
    database: Database, school: School, trail: dict[str, int]
) -> None:
    registrar = school.registrar_id
    # 04:30 UTC on the 23rd happened on the 22nd in Montréal.
    the_22nd = AuditFilter(date_from=date(2026, 11, 22), date_to=date(2026, 11, 22))
    assert _ids(_page(database, registrar, the_22nd)) == [trail["phone"]]
    from_23rd = _page(database, registrar, AuditFilter(date_from=date(2026, 11, 23)))
    assert trail["phone"] not in _ids(from_23rd) and len(from_23rd.rows) == 4
    until_22nd = AuditFilter(date_to=date(2026, 11, 22))
    assert _ids(_page(database, registrar, until_22nd)) == [trail["phone"]]


def test_pages_follow_each_other_without_gap_or_repeat_even_at_one_instant(
    database: Database, school: School
) -> None:
    # Seven events at the very same instant: the id breaks the tie.
    made = [
        _event(database, MORNING, school.clerk_id, "x.y", ("family", n), {}, {"n": n})
        for n in range(7)
    ]
    seen: list[int] = []
    page = _page(database, school.admin_id, AuditFilter(), limit=3)
    pages = 1
    while True:
        seen += _ids(page)
        after = next_cursor(page)
        if after is None:
            assert not page.has_more
            break
        assert page.has_more and page.total_count is None
        offset = page.offset + len(page.rows)
        page = _page(database, school.admin_id, AuditFilter(), limit=3, after=after, offset=offset)
        assert page.offset == offset
        pages += 1
    assert seen == sorted(made, reverse=True)
    assert pages == 3


def test_an_unknown_user_or_a_bad_page_size_is_refused(
    database: Database, school: School, trail: dict[str, int]
) -> None:
    with pytest.raises(UnknownUser) as raised:
        _page(database, school.registrar_id, AuditFilter(username="personne"))
    assert raised.value.field == "username"
    assert "personne" in raised.value.translated()
    with pytest.raises(InvalidInput):
        _page(database, school.registrar_id, AuditFilter(), limit=0)


def test_clerks_and_inactive_staff_cannot_read_or_open_the_trail(
    database: Database, school: School, trail: dict[str, int]
) -> None:
    for user in (school.clerk_id, school.inactive_id):
        with pytest.raises(PermissionDenied):
            _page(database, user, AuditFilter())
        with database.write() as uow, pytest.raises(PermissionDenied):
            open_audit_log(uow, user)
        with database.write() as uow, pytest.raises(PermissionDenied):
            audit_event_detail(uow, user, trail["void"])
    assert _count(database, "audit.view") == _count(database, "audit.view_event") == 0


def test_opening_the_viewer_is_itself_on_the_trail(
    database: Database, school: School, trail: dict[str, int]
) -> None:
    with database.write() as uow:
        opened = open_audit_log(uow, school.registrar_id)
    assert opened.user_id == school.registrar_id
    newest = _page(database, school.admin_id, AuditFilter()).rows[0]
    assert (newest.action, newest.actor_username, newest.entity_type) == (
        "audit.view",
        "registrar",
        "audit_event",
    )
    check_invariants(database)  # the hash chain still verifies


def test_the_detail_pairs_before_and_after_and_records_who_looked(
    database: Database, school: School, trail: dict[str, int]
) -> None:
    used = parse_filter(entity_type="payment", entity_id="42", date_from="2026-11-23")
    with database.write() as uow:
        detail = audit_event_detail(uow, school.admin_id, trail["void"], used)
    assert detail.row.event_id == trail["void"]
    assert [(f.name, f.before, f.after, f.changed) for f in detail.fields] == [
        ("reason", None, "[b]Erreur[/b]", True),
        ("voided", "false", "true", True),
    ]
    assert len(detail.hash) == 64
    with database.write() as uow:
        phone = audit_event_detail(uow, school.admin_id, trail["phone"])
    assert [(f.name, f.before, f.after) for f in phone.fields] == [
        ("phone", "514-555-0101", "514-555-0199")
    ]
    record = AuditFilter(entity_type="audit_event", entity_id=trail["void"])
    [viewed] = _page(database, school.registrar_id, record).rows
    assert (viewed.action, viewed.actor_username) == ("audit.view_event", "admin")
    with database.write() as uow:
        about_it = audit_event_detail(uow, school.registrar_id, viewed.event_id)
    assert [(f.name, f.after) for f in about_it.fields] == [
        (
            "filter",
            '{"date_from": "2026-11-23", "entity_id": 42, "entity_type": "payment"}',
        )
    ]
    with database.write() as uow, pytest.raises(NotFound):
        audit_event_detail(uow, school.admin_id, 999_999)
    check_invariants(database)


def test_typed_filters_are_checked_next_to_their_field() -> None:
    assert parse_filter(
        entity_type="payment",
        entity_id=" 42 ",
        username=" clerk ",
        action=" payment. ",
        date_from="2026-11-01",
        date_to="2026-11-30",
    ) == AuditFilter("payment", 42, "clerk", "payment.", date(2026, 11, 1), date(2026, 11, 30))
    assert parse_filter() == AuditFilter()
    cases = [
        ({"date_from": "23/11/2026"}, InvalidDate, "date_from"),
        ({"date_to": "2026-02-30"}, InvalidDate, "date_to"),
        ({"date_from": "2026-11-30", "date_to": "2026-11-01"}, InvalidInput, "date_to"),
        ({"entity_type": "payment", "entity_id": "4x"}, InvalidInput, "entity_id"),
        ({"entity_id": "42"}, InvalidInput, "entity_type"),
    ]
    for typed, error, field in cases:
        with pytest.raises(error) as raised:
            parse_filter(**typed)
        assert raised.value.field == field, typed


@pytest.mark.parametrize(
    ("filters", "actor", "index"),
    [
        (AuditFilter(), None, "ix_audit_event_occurred_at"),
        (AuditFilter(username="clerk"), 1, "ix_audit_event_actor_time"),
        (AuditFilter(entity_type="payment", entity_id=42), None, "ix_audit_event_entity"),
        (AuditFilter(date_from=date(2026, 11, 1)), None, "ix_audit_event_occurred_at"),
    ],
    ids=["all", "user", "record", "dates"],
)
def test_a_page_is_an_index_search_never_a_table_scan(
    database: Database, filters: AuditFilter, actor: int | None, index: str
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the plan's wording is SQLite's; PostgreSQL chooses by its statistics")
    with database.read() as uow:
        connection = uow.session.connection()
        compiled = page_query(filters, actor, None).limit(16).compile(dialect=connection.dialect)
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        plan = [
            row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)
        ]
    assert f"USING INDEX {index}" in plan[0], plan
    assert not any(step.startswith("SCAN audit_event") and "INDEX" not in step for step in plan)
    if filters.entity_type == "":
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan  # the index gives the order


def test_a_field_kept_in_cents_carries_its_amount(
    database: Database, school: School, trail: dict[str, int]
) -> None:
    with database.write() as uow:
        detail = audit_event_detail(uow, school.admin_id, trail["post"])
    assert [(f.name, f.after, f.before_amount, f.after_amount) for f in detail.fields] == [
        ("amount_cents", "27500", None, Decimal("275.00")),
        ("receipt_number", "MTL-2026-000001", None, None),
    ]


Sources = dict[str, list[ast.expr]]


def _codes(
    expr: ast.expr, names: Sources, constants: Sources, where: str, depth: int = 0
) -> set[str]:
    """The action codes an expression can hold (see `_actions_written_by_services`)."""
    from registrar_tui.models.base import ChangeTarget

    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _codes(expr.body, names, constants, where, depth) | _codes(
            expr.orelse, names, constants, where, depth
        )
    if isinstance(expr, ast.Name) and depth < 3:
        values = names.get(expr.id) or constants.get(expr.id, [])
        assert values, f"{where}: {expr.id} not found"
        return {c for v in values for c in _codes(v, names, constants, where, depth + 1)}
    if isinstance(expr, ast.JoinedStr):
        tail = expr.values[-1]
        assert isinstance(tail, ast.Constant), ast.unparse(expr)
        return {f"{target.value}{tail.value}" for target in ChangeTarget}
    raise AssertionError(f"{where}: action not followed: {ast.unparse(expr)}")


def _assigned(nodes: list[ast.stmt] | ast.AST) -> Sources:
    found: Sources = {}
    for node in nodes if isinstance(nodes, list) else ast.walk(nodes):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
    return found


def _actions_written_by_services() -> set[str]:
    """Every action code a service passes to `record_event`, read from the source.

    Literal codes, constants (of any service module: they are imported), local variables
    and conditional expressions are followed; a helper passing its own `action` parameter
    on (reference_admin._audit) is followed to its callers; `f"{target.value}.portal_change"`
    stands for each kind of change request.
    """
    services = Path(audit_log_module.__file__).parent.parent
    trees = {
        str(path.relative_to(services)): ast.parse(path.read_text(encoding="utf-8"))
        for path in services.rglob("*.py")
    }
    constants: Sources = {}
    for tree in trees.values():
        for name, values in _assigned(tree.body).items():
            constants.setdefault(name, []).extend(values)
    found: set[str] = set()
    for where, tree in sorted(trees.items()):
        names = _assigned(tree)
        # An `AuditDraft` (services/ledger/receipts.py) is an event its receipt's issue writes.
        position = {"record_event": 2, "AuditDraft": 1}
        passing: set[int] = set()
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            params = [a.arg for a in function.args.args]
            for call in ast.walk(function):
                if (
                    isinstance(call, ast.Call)
                    and getattr(call.func, "id", "") == "record_event"
                    and len(call.args) > 2
                    and isinstance(call.args[2], ast.Name)
                    and call.args[2].id in params
                ):
                    position[function.name] = params.index(call.args[2].id)
                    passing.add(id(call))
        for node in ast.walk(tree):
            called = getattr(getattr(node, "func", None), "id", "")
            if not isinstance(node, ast.Call) or called not in position or id(node) in passing:
                continue
            index = position[called]
            action = (
                node.args[index]
                if len(node.args) > index
                else next(k.value for k in node.keywords if k.arg == "action")
            )
            found |= _codes(action, names, constants, where)
        # `record_events(uow, events)`: each event a tuple (actor, action, …) built in the
        # same function (services/staff/api_clients.record_api_calls).
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or not any(
                isinstance(call, ast.Call) and getattr(call.func, "id", "") == "record_events"
                for call in ast.walk(function)
            ):
                continue
            for event in ast.walk(function):
                if (
                    isinstance(event, ast.Tuple)
                    and len(event.elts) == 6
                    and isinstance(event.elts[1], ast.Constant)  # not the type annotation
                ):
                    found |= _codes(event.elts[1], names, constants, where)
    return found


def test_every_action_a_service_writes_has_a_label_in_the_viewer() -> None:
    written = _actions_written_by_services()
    assert {"payment.post", "auth.login", "student.portal_change", "outbox.failed"} <= written
    assert sorted(written - set(ACTION_LABELS)) == []
    assert sorted(set(ACTION_LABELS) - written) == []  # no label for a code never written
