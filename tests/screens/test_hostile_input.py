"""Hostile text on every display path and in the input fields (issue #6 § 5).

Each test starts ONE app and runs a Hypothesis property inside it (see
`hostile_support.drive`): an example writes the hostile value into the database, the
app shows it, and the property checks that nothing crashed, that the text shown is the
sanitised value (`services.text.clean_text`) and that no escape, bell or bidi control
reaches what the compositor sends to the terminal. Example counts are `settings`
below (printed at the end of each test).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    ChangeRequest,
    ChangeRequestField,
    ChangeTarget,
    Family,
    Guardian,
    StaffUser,
    Student,
)
from registrar_tui.screens.counter.statement import StatementView
from registrar_tui.text import strip_controls
from tests.builders import invoice, piano
from tests.conftest import fixed_clock
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME, seed
from tests.screens.helpers import rows, settle, shown, sign_in_registrar
from tests.screens.hostile_support import (
    KNOWN_BAD,
    AppDriver,
    drive,
    expected,
    hazards_in,
    hostile_text,
    screen_output,
)

GENERATED_EXAMPLES = 12
"""Generated values per path, on top of the known-bad strings (explicit examples)."""
SMALL_PATH_EXAMPLES = 4
"""Generated values for the registrar's queue and audit event (slower screens)."""
PROPERTY = settings(
    deadline=None,
    derandomize=True,
    database=None,
    # One app runs every example: shrinking a failure through Pilot would take minutes,
    # and the failing value is printed as generated.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


KNOWN_BAD_PER_FORM = 5
"""Known-bad strings per form in `make test` for the per-form tests (see `known_bad_shared`)."""
_rotation: itertools.count[int] | None = None
"""None: every known-bad string on every path; else the forms take turns (below)."""


def known_bad_examples(test: Callable[..., None]) -> Callable[..., None]:
    """Every known-bad string of the issue, tried before the generated ones.

    Under `known_bad_shared` (`make test`), each property made takes the next
    KNOWN_BAD_PER_FORM strings in turn instead: a test of three forms or more still
    tries every string on one of its forms; `make test-slow` tries all on every form.
    """
    values = KNOWN_BAD
    if _rotation is not None:
        start = next(_rotation) * KNOWN_BAD_PER_FORM
        values = tuple(KNOWN_BAD[(start + i) % len(KNOWN_BAD)] for i in range(KNOWN_BAD_PER_FORM))
    for value in values:
        test = example(value=value)(test)
    return test


def known_bad_count() -> int:
    """The known-bad strings each property made now tries."""
    return len(KNOWN_BAD) if _rotation is None else KNOWN_BAD_PER_FORM


@pytest.fixture(
    params=[
        pytest.param(True, id="forms-share-known-bad"),
        pytest.param(False, id="every-known-bad-everywhere", marks=pytest.mark.slow),
    ]
)
def known_bad_shared(request: pytest.FixtureRequest) -> Iterator[bool]:
    """The per-form tests twice: forms sharing the known-bad strings (`make test`, a few
    minutes less on 2 cores), and every string on every form (`make test-slow`)."""
    global _rotation
    _rotation = itertools.count() if request.param else None
    try:
        yield request.param
    finally:
        _rotation = None


_HOSTILE_INVOICES = itertools.count(1)


def _set_names(db: Database, family_id: int, value: str) -> int:
    """Family, payer first name, first student's first name, and a new invoice described
    with the value (an issued invoice is never edited: append-only), due before every
    other one so that the statement's first page shows it."""
    from registrar_tui.services.search.index import reindex_family

    with db.write() as uow:
        session = uow.session
        family = session.get_one(Family, family_id)
        family.name = value
        payer = session.exec(
            select(Guardian).where(col(Guardian.family_id) == family_id, col(Guardian.is_payer))
        ).one()
        payer.first_name = value
        student = session.exec(
            select(Student).where(col(Student.family_id) == family_id).order_by(col(Student.id))
        ).first()
        assert student is not None and student.id is not None
        student.first_name = value
        serial = next(_HOSTILE_INVOICES)
        invoice(
            uow,
            family_id,
            family.establishment_id,
            number=f"FACH{serial:07d}",
            description=value,
            lines=[piano(Decimal("10.00"))],
            issued_on=date(2025, 1, 1),
            due_on=date(2026, 8, 1) - timedelta(days=serial),
        )
        session.add_all([family, payer, student])
        session.flush()
        reindex_family(uow, family_id)
        return student.id


def _lines(app: RegistrarApp, selector: str) -> str:
    return "\n".join(rows(app.screen.query_one(selector, DataTable)))


def _check(value: str, where: str, text: str) -> None:
    """The cleaned value is shown, every other character as it is (screens may trim or
    join names with spaces, so runs of whitespace compare as one space)."""
    wanted = " ".join(expected(value).split())
    assert wanted in " ".join(text.split()), f"{where}: {wanted[:80]!r} not in {text[:200]!r}"


def _pending_request(db: Database, family_id: int) -> None:
    """A portal request for the family's payer: the queue shows family and guardian."""
    with db.write() as uow:
        payer = uow.session.exec(
            select(Guardian).where(col(Guardian.family_id) == family_id, col(Guardian.is_payer))
        ).one()
        assert payer.id is not None
        request = ChangeRequest(
            family_id=family_id,
            target_kind=ChangeTarget.GUARDIAN,
            target_id=payer.id,
            submitted_at=fixed_clock(),
        )
        uow.session.add(request)
        uow.session.flush()
        assert request.id is not None
        uow.session.add(
            ChangeRequestField(
                request_id=request.id,
                field_name="city",
                value_at_submission=payer.city,
                requested_value="Laval",
            )
        )


def _audited(db: Database, user_id: int, value: str) -> int:
    """A new audit event whose after-value is `value`; its id."""
    from sqlalchemy import func

    from registrar_tui.models import AuditEvent
    from registrar_tui.services.audit.record import record_event

    with db.write() as uow:
        record_event(uow, user_id, "guardian.contact_update", "guardian", 1, {}, {"city": value})
        event_id = uow.session.exec(select(func.max(AuditEvent.id))).one()
    assert event_id is not None
    return int(event_id)


def test_hostile_names_on_every_display_path(database: Database) -> None:
    """Search hits, family header, guardians, students, statement, student record."""
    from registrar_tui.screens.counter.family import FamilyScreen
    from registrar_tui.screens.desk.audit_event import AuditEventScreen
    from registrar_tui.screens.desk.pending_changes import PendingChangesScreen
    from registrar_tui.screens.student.screen import StudentScreen

    seeded = seed(database)
    app = create_app(database=database, clock=fixed_clock)
    counts: dict[str, int] = {}

    async def search_path(pilot: Pilot[None], value: str) -> None:
        query = app.screen.query_one("#query", Input)
        query.value = ""
        query.value = "F0000001"
        await settle(pilot)
        _check(value, "search hit", _lines(app, "#hits"))
        assert not hazards_in(screen_output(app))

    async def family_path(pilot: Pilot[None], value: str) -> None:
        family = app.screen
        assert isinstance(family, FamilyScreen)
        family.reload()
        family.query_one(StatementView).reload()
        await settle(pilot)
        _check(value, "family title", shown(family.query_one("#family-title", Static)))
        _check(value, "guardians", _lines(app, "#guardians"))
        _check(value, "students", _lines(app, "#students-table"))
        _check(value, "statement", _lines(app, "#statement DataTable"))
        assert not hazards_in(screen_output(app))

    async def student_path(pilot: Pilot[None], value: str) -> None:
        student = app.screen
        assert isinstance(student, StudentScreen)
        student._load()
        await settle(pilot)
        _check(value, "student title", shown(student.query_one("#student-title", Static)))
        fields = student.query_one("#identity-fields").query(Static)
        _check(value, "student identity", "\n".join(shown(field) for field in fields))
        assert not hazards_in(screen_output(app))

    async def queue_path(pilot: Pilot[None], value: str) -> None:
        queue = app.screen
        assert isinstance(queue, PendingChangesScreen)
        queue._load(0)
        await settle(pilot)
        _check(value, "change queue", _lines(app, "#queue-table"))
        assert not hazards_in(screen_output(app))

    async def audit_path(pilot: Pilot[None], value: str) -> None:
        event = app.screen
        assert isinstance(event, AuditEventScreen)
        event.event_id = _audited(database, seeded.registrar_id, value)
        event._load()
        await settle(pilot)
        fields = event.query_one("#audit-event-fields").query(Static)
        _check(value, "audit event", "\n".join(shown(field) for field in fields))
        assert not hazards_in(screen_output(app))

    def make_property(  # type: ignore[no-untyped-def]
        path: Callable[[Pilot[None], str], Awaitable[None]], name: str, generated: int = 0
    ):
        @settings(PROPERTY, max_examples=generated or GENERATED_EXAMPLES)
        @given(value=hostile_text)
        @known_bad_examples
        def property_test(on_app: AppDriver, value: str) -> None:
            _set_names(database, seeded.tremblay_id, value)
            on_app(lambda: path(pilot, value))
            counts[name] = counts.get(name, 0) + 1

        return property_test

    async def main() -> None:
        nonlocal pilot
        async with app.run_test(size=(120, 36)) as running:
            pilot = running
            await settle(pilot)
            await sign_in_registrar(pilot)  # the queue and the audit trail are theirs
            await drive(make_property(search_path, "search results"))
            await app.push_screen(FamilyScreen(seeded.tremblay_id, initial_tab="billing"))
            await settle(pilot)
            await drive(make_property(family_path, "family header, guardians, students, statement"))
            student_id = _set_names(database, seeded.tremblay_id, "Léa")
            await app.push_screen(StudentScreen(student_id))
            await settle(pilot)
            await drive(make_property(student_path, "student record"))
            app.pop_screen()
            _pending_request(database, seeded.tremblay_id)
            await app.push_screen(PendingChangesScreen())
            await settle(pilot)
            await drive(make_property(queue_path, "change queue", SMALL_PATH_EXAMPLES))
            app.pop_screen()
            await app.push_screen(AuditEventScreen(_audited(database, seeded.registrar_id, "")))
            await settle(pilot)
            await drive(make_property(audit_path, "audit event", SMALL_PATH_EXAMPLES))

    pilot: Pilot[None] = None  # type: ignore[assignment]
    asyncio.run(main())
    for name, count in counts.items():
        print(f"\nhostile display, {name}: {count} Hypothesis examples")
        assert count >= len(KNOWN_BAD) + SMALL_PATH_EXAMPLES
    assert len(counts) == 5


def _type_into(field: Input, value: str) -> str:
    """Replace the field's text with `value` as a paste would; what the field must keep:
    every character but the controls (screens/widgets/base.py); a paste longer than the field
    is refused whole by Textual (nothing inserted)."""
    field.value = ""
    field.insert_text_at_cursor(value)
    if field.max_length and len(value) > field.max_length:
        return ""
    return strip_controls(value)


@pytest.mark.usefixtures("known_bad_shared")
def test_hostile_text_typed_into_the_input_fields(database: Database) -> None:
    """Login username, search box, guardian contact fields: kept literally or refused."""
    from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen
    from registrar_tui.screens.session.login import LoginScreen

    seeded = seed(database)
    with database.read() as uow:
        guardian_id = uow.session.exec(
            select(Guardian.id).where(col(Guardian.family_id) == seeded.tremblay_id)
        ).first()
    assert guardian_id is not None
    app = create_app(database=database, clock=fixed_clock)
    counts: dict[str, int] = {}
    outcomes: dict[str, int] = {"saved": 0, "refused": 0}

    async def login_path(pilot: Pilot[None], value: str) -> None:
        assert isinstance(app.screen, LoginScreen)
        username = app.screen.query_one("#username", Input)
        kept = _type_into(username, value)
        await pilot.pause()
        assert username.value == kept
        assert not hazards_in(screen_output(app))
        _type_into(app.screen.query_one("#password", Input), "pas-le-bon-mot")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen), "signed in with a hostile username"
        said = shown(app.screen.query_one("#username-message", Static)) + shown(
            app.screen.query_one("#login-status", Static)
        )
        assert said.strip(), "no refusal message"
        assert not hazards_in(screen_output(app))

    async def search_path(pilot: Pilot[None], value: str) -> None:
        query = app.screen.query_one("#query", Input)
        kept = _type_into(query, value)
        await settle(pilot)
        assert query.value == kept
        assert not hazards_in(screen_output(app))

    async def guardian_path(pilot: Pilot[None], value: str) -> None:
        from registrar_tui.services.core.text import safe_text

        with database.write() as uow:  # so that every value typed is a change
            uow.session.get_one(Guardian, guardian_id).city = "Ville d'avant"
        await app.push_screen(GuardianEditScreen(guardian_id))
        await settle(pilot)
        form = app.screen
        city = form.query_one("#contact-city", Input)
        kept = _type_into(city, value)
        await pilot.pause()
        assert city.value == kept
        assert not hazards_in(screen_output(app))
        await pilot.press("ctrl+s")
        await settle(pilot)
        if app.screen is form:  # refused: the reason is said under a field
            messages = " ".join(shown(m) for m in form.query(".field-message").results(Static))
            assert messages.strip(), f"{value!r}: neither saved nor refused"
            if "4111" in value:
                assert "numéro complet d'une carte" in messages
            assert not hazards_in(screen_output(app))
            outcomes["refused"] += 1
            await pilot.press("escape")
            await settle(pilot)
            return
        outcomes["saved"] += 1
        with database.read() as uow:
            stored = uow.session.get_one(Guardian, guardian_id).city
        assert (stored or "") == safe_text(kept, field="city")

    student_outcomes: dict[str, int] = {"saved": 0, "refused": 0}
    admitted = itertools.count(1)
    student_texts = (
        "last_name", "school_name", "school_level", "group_name",
        "allergies", "medical_conditions", "emergency_contact_name",
    )  # fmt: skip

    async def student_path(pilot: Pilot[None], value: str) -> None:
        """The value typed into every free-text field of the new-student form."""
        from registrar_tui.screens.student.identity_form import StudentFormScreen
        from registrar_tui.services.core.text import safe_text

        number, first_name = next(admitted), "Hostile"
        while number:  # a first name of its own (letters) per example
            number, digit = divmod(number, 26)
            first_name += chr(ord("a") + digit)
        await app.push_screen(StudentFormScreen(family_id=seeded.tremblay_id, family_name="T"))
        await settle(pilot)
        form = app.screen
        kept = {name: _type_into(form.query_one(f"#student-{name}", Input), value)
                for name in student_texts}  # fmt: skip
        _type_into(form.query_one("#student-first_name", Input), first_name)
        _type_into(form.query_one("#student-birth_date", Input), "2015-06-01")
        await pilot.pause()
        for name in student_texts:
            assert form.query_one(f"#student-{name}", Input).value == kept[name]
        assert not hazards_in(screen_output(app))
        await pilot.press("ctrl+s")
        await settle(pilot)
        if app.screen is form:  # refused: said under a field, or on the status line
            said = " ".join(shown(m) for m in form.query(".field-message").results(Static))
            said += shown(form.query_one("#student-form-status", Static))
            assert said.strip(), f"{value!r}: neither saved nor refused"
            if "4111" in value:
                assert "numéro complet d'une carte" in said
            assert not hazards_in(screen_output(app))
            student_outcomes["refused"] += 1
            await pilot.press("escape")
            await settle(pilot)
            return
        student_outcomes["saved"] += 1
        with database.read() as uow:
            stored = uow.session.exec(
                select(Student).where(col(Student.first_name) == first_name)
            ).one()
            for name in student_texts:
                assert getattr(stored, name) == safe_text(kept[name], field=name), name

    def make_property(path: Callable[[Pilot[None], str], Awaitable[None]], name: str, count: int):  # type: ignore[no-untyped-def]
        @settings(PROPERTY, max_examples=count)
        @given(value=hostile_text)
        @known_bad_examples
        @example(value="Voir 4111 1111 1111 1111")  # a card number: refused, never stored
        def property_test(on_app: AppDriver, value: str) -> None:
            on_app(lambda: path(pilot, value))
            counts[name] = counts.get(name, 0) + 1

        return property_test

    async def main() -> None:
        nonlocal pilot
        async with app.run_test(size=(100, 30)) as running:
            pilot = running
            await settle(pilot)
            await drive(make_property(login_path, "login username", GENERATED_EXAMPLES))
            _type_into(app.screen.query_one("#username", Input), CLERK_USERNAME)
            _type_into(app.screen.query_one("#password", Input), CLERK_PASSWORD)
            await pilot.press("enter")
            await settle(pilot)
            await drive(make_property(search_path, "search box", GENERATED_EXAMPLES))
            await drive(make_property(guardian_path, "guardian city", 6))
            await drive(make_property(student_path, "student form", 6))

    pilot: Pilot[None] = None  # type: ignore[assignment]
    asyncio.run(main())
    for name, count in counts.items():
        print(f"\nhostile input, {name}: {count} Hypothesis examples")
    print(f"guardian city: {outcomes}")
    per_path = GENERATED_EXAMPLES + known_bad_count()
    assert counts["login username"] >= per_path and counts["search box"] >= per_path
    assert outcomes["saved"] and outcomes["refused"]
    print(f"student form: {student_outcomes}")
    assert student_outcomes["saved"] and student_outcomes["refused"]
    with database.read() as uow:
        assert "4111" not in (uow.session.get_one(Guardian, guardian_id).city or "")
        for student in uow.session.exec(select(Student)).all():
            assert "4111" not in " ".join(str(getattr(student, n)) for n in student_texts)


def test_hostile_reason_typed_to_remove_from_a_waiting_list(database: Database) -> None:
    """The reason for taking a student out of a group's line: kept cleaned, or refused
    (a card number, nothing but controls) with the student still in line."""
    from registrar_tui.models import WaitingListEntry
    from registrar_tui.models.base import WaitingStatus
    from registrar_tui.screens.school_year.waiting_list import (
        RemovalReasonScreen,
        WaitingListScreen,
    )
    from registrar_tui.services.core.text import safe_text
    from registrar_tui.services.school_year.waiting_lists import join_waiting_list
    from tests.screens.desk.reenrolment_fixtures import seed_reenrolment

    world = seed_reenrolment(database)
    group = world.other_piano["02"]
    app = create_app(database=database, clock=fixed_clock)
    counts = {"removed": 0, "refused": 0}

    async def removal_path(pilot: Pilot[None], value: str) -> None:
        with database.write() as uow:
            entry_id = join_waiting_list(
                uow,
                actor_id=world.students.registrar_id,
                course_id=group,
                student_id=world.students.lea_id,
            ).entry_id
        await app.push_screen(WaitingListScreen(group))
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RemovalReasonScreen)
        kept = _type_into(dialog.query_one("#reason", Input), value)
        await pilot.pause()
        assert not hazards_in(screen_output(app))
        await pilot.press("enter")
        await settle(pilot)
        if app.screen is dialog:  # nothing left once stripped: asked again
            await pilot.press("escape")
            await settle(pilot)
        assert not hazards_in(screen_output(app))
        with database.read() as uow:
            entry = uow.session.get_one(WaitingListEntry, entry_id)
            status, reason = entry.status, entry.reason
        if status == WaitingStatus.REMOVED:
            counts["removed"] += 1
            assert reason == safe_text(kept, field="reason")
        else:
            counts["refused"] += 1
            assert status == WaitingStatus.WAITING and "4111" not in reason
            with database.write() as uow:  # out of line, for the next example
                left = uow.session.get_one(WaitingListEntry, entry_id)
                left.status = WaitingStatus.REMOVED
        await pilot.press("escape")
        await settle(pilot)

    @settings(PROPERTY, max_examples=SMALL_PATH_EXAMPLES)
    @given(value=hostile_text)
    @known_bad_examples
    @example(value="Voir 4111 1111 1111 1111")
    def property_test(on_app: AppDriver, value: str) -> None:
        on_app(lambda: removal_path(pilot, value))

    async def main() -> None:
        nonlocal pilot
        async with app.run_test(size=(100, 30)) as running:
            pilot = running
            await settle(pilot)
            await sign_in_registrar(pilot)
            await settle(pilot)
            await drive(property_test)

    pilot: Pilot[None] = None  # type: ignore[assignment]
    asyncio.run(main())
    print(f"\nhostile input, waiting-list removal reason: {counts}")
    assert counts["removed"] and counts["refused"]


@pytest.mark.usefixtures("known_bad_shared")
def test_hostile_text_typed_into_the_activity_set_up_forms(database: Database) -> None:
    """The registrar's activity form (title, description, schools, levels) and item form
    (code, label): each value kept literally in its box, then saved cleaned or refused
    with a message under a field; a card number is refused and stored nowhere."""
    from registrar_tui.models import Activity, ActivityItem
    from registrar_tui.screens.activities.activity_form import ActivityFormScreen
    from registrar_tui.screens.activities.item_form import ItemFormScreen
    from registrar_tui.services.activities.setup import activity_setup
    from registrar_tui.services.core.text import safe_text
    from tests.screens.activities.activities_fixtures import seed_activities

    world = seed_activities(database)
    activity_id = world.lunches_id
    with database.read() as uow:
        registrar = uow.session.exec(
            select(StaffUser.id).where(col(StaffUser.role) == "registrar")
        ).first()
        assert registrar is not None
        setup = activity_setup(uow, activity_id, registrar)
    app = create_app(database=database, clock=fixed_clock)
    counts: dict[str, int] = {}
    outcomes: dict[str, int] = {"saved": 0, "refused": 0}

    async def form_path(pilot: Pilot[None], field: str, value: str) -> None:
        item = field in ("code", "label")
        if item:
            await app.push_screen(ItemFormScreen(activity_id, setup.title, setup.items[0]))
            box_id = f"#item-{field}"
        else:
            await app.push_screen(ActivityFormScreen(activity_id))
            box_id = f"#field-{field}"
        await settle(pilot)
        form = app.screen
        box = form.query_one(box_id, Input)
        kept = _type_into(box, value)
        await pilot.pause()
        assert box.value == kept
        assert not hazards_in(screen_output(app))
        await pilot.press("ctrl+s")
        await settle(pilot)
        messages = " ".join(shown(m) for m in form.query(".field-message").results(Static))
        assert not hazards_in(screen_output(app))
        if messages.strip():
            if "4111" in kept:  # (a box too short for it kept nothing)
                assert "numéro complet d'une carte" in messages
            outcomes["refused"] += 1
        else:
            outcomes["saved"] += 1
            with database.read() as uow:
                if field == "title":
                    stored = uow.session.get_one(Activity, activity_id).title
                    assert stored == safe_text(kept, field="title")
                if field == "label":
                    stored = uow.session.get_one(ActivityItem, setup.items[0].item_id).label
                    assert stored == safe_text(kept, field="label")
        if app.screen is form:
            await pilot.press("escape")
            await settle(pilot)

    def make_property(field: str):  # type: ignore[no-untyped-def]
        @settings(PROPERTY, max_examples=2)
        @given(value=hostile_text)
        @known_bad_examples
        @example(value="Voir 4111 1111 1111 1111")  # a card number: refused, never stored
        def property_test(on_app: AppDriver, value: str) -> None:
            on_app(lambda: form_path(pilot, field, value))
            counts[field] = counts.get(field, 0) + 1

        return property_test

    async def main() -> None:
        nonlocal pilot
        async with app.run_test(size=(100, 30)) as running:
            pilot = running
            await settle(pilot)
            await sign_in_registrar(pilot)
            for field in ("title", "description", "schools", "levels", "code", "label"):
                await drive(make_property(field))

    pilot: Pilot[None] = None  # type: ignore[assignment]
    asyncio.run(main())
    for name, count in counts.items():
        print(f"\nhostile activity set-up, {name}: {count} Hypothesis examples")
    print(f"activity forms: {outcomes}")
    assert len(counts) == 6 and all(count >= known_bad_count() for count in counts.values())
    assert outcomes["saved"] and outcomes["refused"]
    with database.read() as uow:
        texts = [
            *uow.session.exec(select(Activity.title, Activity.description)).all(),
            *uow.session.exec(select(ActivityItem.code, ActivityItem.label)).all(),
        ]
    assert not any("4111" in value for row in texts for value in row)


@pytest.mark.usefixtures("known_bad_shared")
def test_hostile_text_typed_into_the_marks_forms(database: Database) -> None:
    """Evaluation comment, absence reason, end-of-term comment, repertoire work title:
    kept literally (cleaned) or refused under the field, never a card number stored."""
    from registrar_tui.models import Absence, Enrolment, Evaluation, RepertoireWork
    from registrar_tui.screens.student.absence_form import AbsenceFormScreen
    from registrar_tui.screens.student.entry_form import EntryFormScreen
    from registrar_tui.screens.student.evaluation_form import EvaluationFormScreen
    from registrar_tui.screens.student.result_form import ResultFormScreen
    from registrar_tui.screens.student.work_form import NEW_EVENT, WorkFormScreen
    from registrar_tui.services.core.text import safe_text
    from tests.screens.student.student_fixtures import seed_students

    world = seed_students(database)
    enrolment_id = world.piano_enrolment_id
    app = create_app(database=database, clock=fixed_clock)
    counts: dict[str, int] = {}
    outcomes: dict[str, int] = {"saved": 0, "refused": 0}

    def stored_texts() -> str:
        with database.read() as uow:
            texts = [e.comment for e in uow.session.exec(select(Evaluation))]
            texts += [a.reason for a in uow.session.exec(select(Absence))]
            texts += [e.teacher_comment for e in uow.session.exec(select(Enrolment))]
            texts += [w.title for w in uow.session.exec(select(RepertoireWork))]
        return "\n".join(texts)

    def form_path(make: Callable[[], EntryFormScreen], field: str, others: dict[str, str]):  # type: ignore[no-untyped-def]
        async def path(pilot: Pilot[None], value: str) -> None:
            form = make()
            await app.push_screen(form)
            await settle(pilot)
            if isinstance(form, WorkFormScreen):
                from textual.widgets import Select

                form.query_one("#field-event", Select).value = NEW_EVENT
                await pilot.pause()
            for name, text in others.items():
                _type_into(form.query_one(f"#field-{name}", Input), text)
            box = form.query_one(f"#field-{field}", Input)
            kept = _type_into(box, value)
            await pilot.pause()
            assert box.value == kept
            assert not hazards_in(screen_output(app))
            await pilot.press("ctrl+s")
            await settle(pilot)
            if app.screen is form:  # refused (or nothing changed): said on the form
                said = " ".join(shown(m) for m in form.query(".field-message").results(Static))
                said += shown(form.query_one("#entry-status", Static))
                assert said.strip(), f"{value!r}: neither saved nor refused"
                if "4111" in value:
                    assert "numéro complet d'une carte" in said
                assert not hazards_in(screen_output(app))
                outcomes["refused"] += 1
                await pilot.press("escape")
                await settle(pilot)
                return
            outcomes["saved"] += 1
            assert safe_text(kept, field=field) in stored_texts()

        return path

    paths = {
        "evaluation comment": form_path(
            lambda: EvaluationFormScreen("Éval.", "Léa", enrolment_id),
            "comment",
            {"held_on": "2026-11-20", "title": "Jury"},
        ),
        "absence reason": form_path(
            lambda: AbsenceFormScreen("Absence", "Léa", enrolment_id),
            "reason",
            {"absent_on": "2026-11-20"},
        ),
        "end-of-term comment": form_path(
            lambda: ResultFormScreen("Résultat", "Léa", enrolment_id, None, ""),
            "teacher_comment",
            {"final_mark": ""},
        ),
        "repertoire work title": form_path(
            lambda: WorkFormScreen("Œuvre", "Léa", world.lea_id, ()),
            "title",
            {"event_title": "Récital", "venue": "Studio 3", "held_on": "2026-12-12",
             "composer": "Satie"},
        ),
    }  # fmt: skip

    def make_property(path: Callable[[Pilot[None], str], Awaitable[None]], name: str):  # type: ignore[no-untyped-def]
        @settings(PROPERTY, max_examples=4)
        @given(value=hostile_text)
        @known_bad_examples
        @example(value="Voir 4111 1111 1111 1111")  # a card number: refused, never stored
        def property_test(on_app: AppDriver, value: str) -> None:
            on_app(lambda: path(pilot, value))
            counts[name] = counts.get(name, 0) + 1

        return property_test

    async def main() -> None:
        nonlocal pilot
        async with app.run_test(size=(100, 30)) as running:
            pilot = running
            await settle(pilot)
            await sign_in_registrar(pilot)
            for name, path in paths.items():
                await drive(make_property(path, name))

    pilot: Pilot[None] = None  # type: ignore[assignment]
    asyncio.run(main())
    for name, count in counts.items():
        print(f"\nhostile input, {name}: {count} Hypothesis examples")
    print(f"marks forms: {outcomes}")
    assert set(counts) == set(paths)
    assert outcomes["saved"] and outcomes["refused"]
    assert "4111" not in stored_texts()


ADMISSION_FIELDS = ("first_name", "last_name", "relationship_label", "address_line", "city")
"""The free-text boxes of the new-family form (each guardian) and of the guardian form."""


def test_hostile_text_typed_into_the_admission_and_guardian_forms(database: Database) -> None:
    """Every free-text box of the new-family form (payer and second guardian) and the
    guardian form's names: kept literally or refused under the box, a card number never
    stored, nothing hazardous drawn."""
    from hypothesis import strategies as st

    from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen
    from registrar_tui.screens.counter.new_family import NewFamilyScreen
    from registrar_tui.services.core.text import safe_text

    seeded = seed(database)
    with database.read() as uow:
        guardian_id = uow.session.exec(
            select(Guardian.id).where(col(Guardian.family_id) == seeded.tremblay_id)
        ).first()
    assert guardian_id is not None
    app = create_app(database=database, clock=fixed_clock)
    outcomes: dict[str, int] = {"saved": 0, "refused": 0}
    serial = itertools.count(1)

    async def home(pilot: Pilot[None]) -> None:
        while len(app.screen_stack) > 1:
            app.pop_screen()
            await settle(pilot)

    async def refused_or_saved(pilot: Pilot[None], form: object, value: str, box: str) -> bool:
        await pilot.press("ctrl+s")
        await settle(pilot)
        if app.screen is not form:
            outcomes["saved"] += 1
            return True
        messages = " ".join(shown(m) for m in app.screen.query(".field-message").results(Static))
        assert messages.strip(), f"{box} {value!r}: neither saved nor refused"
        if "4111" in value:
            assert "numéro complet d'une carte" in messages
        assert not hazards_in(screen_output(app))
        outcomes["refused"] += 1
        return False

    async def new_family_path(pilot: Pilot[None], side: str, name: str, value: str) -> None:
        await app.push_screen(NewFamilyScreen())
        await settle(pilot)
        form = app.screen
        n = next(serial)
        form.query_one("#payer-first_name", Input).value = "Admise"
        form.query_one("#payer-last_name", Input).value = f"Hostile{n}"
        if side == "second":
            form.query_one("#second-last_name", Input).value = "Roy"
            form.query_one("#second-first_name", Input).value = "Deux"
        box = form.query_one(f"#{side}-{name}", Input)
        kept = _type_into(box, value)
        await pilot.pause()
        assert box.value == kept
        assert not hazards_in(screen_output(app))
        if await refused_or_saved(pilot, form, value, f"{side}-{name}"):
            column = {"payer": 0, "second": 1}[side]
            with database.read() as uow:
                family_id = uow.session.exec(
                    select(Family.id).order_by(col(Family.id).desc())
                ).first()
                stored = [
                    getattr(g, name)
                    for g in uow.session.exec(
                        select(Guardian)
                        .where(col(Guardian.family_id) == family_id)
                        .order_by(col(Guardian.id))
                    )
                ]
            assert stored[column] == safe_text(kept, field=name)
        await home(pilot)

    async def guardian_path(pilot: Pilot[None], name: str, value: str) -> None:
        with database.write() as uow:  # so that every value typed is a change
            row = uow.session.get_one(Guardian, guardian_id)
            row.first_name, row.last_name, row.relationship_label = "Hélène", "Tremblay", "mère"
        await app.push_screen(GuardianEditScreen(guardian_id))
        await settle(pilot)
        form = app.screen
        box = form.query_one(f"#contact-{name}", Input)
        kept = _type_into(box, value)
        await pilot.pause()
        assert box.value == kept
        if await refused_or_saved(pilot, form, value, name):
            with database.read() as uow:
                stored = getattr(uow.session.get_one(Guardian, guardian_id), name)
            assert stored == safe_text(kept, field=name)
        await home(pilot)

    @settings(PROPERTY, max_examples=6)
    @given(
        side=st.sampled_from(("payer", "second")),
        name=st.sampled_from(ADMISSION_FIELDS),
        value=hostile_text,
    )
    @example(side="payer", name="last_name", value="Voir 4111 1111 1111 1111")
    @example(side="second", name="city", value="Voir 4111-1111-1111-1111")
    @example(side="payer", name="first_name", value=KNOWN_BAD[3])
    @example(side="second", name="relationship_label", value=KNOWN_BAD[8])
    @example(side="payer", name="address_line", value=KNOWN_BAD[10])
    def admission_property(on_app: AppDriver, side: str, name: str, value: str) -> None:
        on_app(lambda: new_family_path(pilot, side, name, value))

    @settings(PROPERTY, max_examples=4)
    @given(name=st.sampled_from(ADMISSION_FIELDS[:3]), value=hostile_text)
    @example(name="first_name", value="Voir 4111 1111 1111 1111")
    @example(name="last_name", value=KNOWN_BAD[6])
    @example(name="relationship_label", value=KNOWN_BAD[2])
    def guardian_property(on_app: AppDriver, name: str, value: str) -> None:
        on_app(lambda: guardian_path(pilot, name, value))

    async def main() -> None:
        nonlocal pilot
        async with app.run_test(size=(100, 30)) as running:
            pilot = running
            await settle(pilot)
            _type_into(app.screen.query_one("#username", Input), CLERK_USERNAME)
            _type_into(app.screen.query_one("#password", Input), CLERK_PASSWORD)
            await pilot.press("enter")
            await settle(pilot)
            await drive(admission_property)
            await drive(guardian_property)

    pilot: Pilot[None] = None  # type: ignore[assignment]
    asyncio.run(main())
    print(f"\nadmission and guardian forms: {outcomes}")
    assert outcomes["saved"] and outcomes["refused"]
    assert "4111" not in "".join(
        f"{g.first_name}{g.last_name}{g.city}{g.address_line}{g.relationship_label}"
        for g in _all_guardians(database)
    )


def _all_guardians(database: Database) -> list[Guardian]:
    with database.read() as uow:
        guardians = list(uow.session.exec(select(Guardian)))
        uow.session.expunge_all()
        return guardians
