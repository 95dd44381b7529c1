"""Setting activities up (issue #14 §4): create with items, codes unique, maxima and the
school/level lists enforced at registration, close, cancel by credit notes (paid money
back to family credit, ledger chain intact), the audit trail, and every refusal writing
nothing."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, func, select

from registrar_tui.db import Database
from registrar_tui.models import (
    Activity,
    ActivityItem,
    AuditEvent,
    CreditNote,
)
from registrar_tui.services.activities.catalogue import (
    ActivityFilters,
    activity_detail,
    list_activities,
)
from registrar_tui.services.activities.registration import (
    ActivityNotOpen,
    ActivityState,
    StudentNotEligible,
    register_student,
)
from registrar_tui.services.activities.setup import (
    ActivityCancelledAlready,
    ActivityClosedAlready,
    ActivityInput,
    ActivityOpenAlready,
    DuplicateItemCode,
    ItemInput,
    ItemPriceLocked,
    activity_setup,
    cancel_activity,
    cancel_preview,
    close_activity,
    reopen_activity,
    save_activity,
    save_item,
)
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    InvalidInput,
    PermissionDenied,
    ReasonRequired,
)
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.statement import family_credit, invoice_figures
from tests.services.activities.activities_data import ActivityWorld
from tests.services.activities.activities_data import build_activities as _build
from tests.services.ledger_data import cash

D = Decimal
CARD = "4111 1111 1111 1111"


@pytest.fixture
def world(database: Database) -> ActivityWorld:
    return _build(database)


def bake_sale(**changes: object) -> ActivityInput:
    values: dict[str, object] = {
        "kind": "fundraising",
        "title": "Vente de biscuits",
        "description": "Au profit de la chorale.",
        "held_on": "2026-12-18",
        "registration_deadline": "2026-12-10",
        "schools": "École Saint-Louis; école saint-louis ; École Sainte-Anne",
        "levels": "Primaire",
    }
    values.update(changes)
    return ActivityInput(**values)  # type: ignore[arg-type]


def item(code: str, label: str, price: str, **changes: str) -> ItemInput:
    return ItemInput(code=code, label=label, unit_price=price, **changes)


def create(database: Database, world: ActivityWorld, typed: ActivityInput | None = None) -> int:
    with database.write() as uow:
        return save_activity(uow, None, typed or bake_sale(), world.school.registrar_id)


def add_item(database: Database, world: ActivityWorld, activity_id: int, typed: ItemInput) -> int:
    with database.write() as uow:
        return save_item(uow, activity_id, None, typed, world.school.registrar_id)


def refused(database: Database, call: object, *args: object) -> DomainError:
    """Run a write that must be refused; the audit trail shows nothing was written."""
    with database.read() as uow:
        events = uow.session.exec(select(func.count()).select_from(AuditEvent)).one()
    with pytest.raises(DomainError) as caught, database.write() as uow:
        call(uow, *args)  # type: ignore[operator]
    with database.read() as uow:
        assert uow.session.exec(select(func.count()).select_from(AuditEvent)).one() == events
    return caught.value


def audit(database: Database, action: str) -> list[tuple[dict[str, object], dict[str, object]]]:
    with database.read() as uow:
        return [
            (json.loads(e.before_json), json.loads(e.after_json))
            for e in uow.session.exec(
                select(AuditEvent).where(col(AuditEvent.action) == action).order_by(AuditEvent.id)
            )
        ]


def with_two_items(database: Database, world: ActivityWorld) -> tuple[int, int, int]:
    activity_id = create(database, world)
    biscuits = add_item(
        database, world, activity_id, item("101", "Biscuits", "4,25", max_quantity="3")
    )
    cocoa = add_item(database, world, activity_id, item("102", "Chocolat chaud", "2.00 $"))
    return activity_id, biscuits, cocoa


def test_an_activity_created_with_two_items_shows_in_the_list_and_its_detail(
    database: Database, world: ActivityWorld
) -> None:
    activity_id, _biscuits, _cocoa = with_two_items(database, world)
    with database.read() as uow:
        detail = activity_detail(uow, activity_id)
        row = list_activities(uow, ActivityFilters(keyword="biscuits")).rows[0]
        setup = activity_setup(uow, activity_id, world.school.registrar_id)
    assert detail.title == "Vente de biscuits" and detail.state is ActivityState.OPEN
    # The same school typed twice (other case, spaces) is kept once.
    assert detail.schools == ("École Saint-Louis", "École Sainte-Anne")
    assert detail.levels == ("Primaire",)
    assert [(i.code, i.label, i.unit_price, i.max_quantity) for i in detail.items] == [
        ("101", "Biscuits", D("4.25"), 3),
        ("102", "Chocolat chaud", D("2.00"), None),
    ]
    assert row.activity_id == activity_id and row.schools == detail.schools
    assert setup.establishment_id is None and len(setup.establishments) == 2
    [(before, after)] = audit(database, "activity.create")
    assert before == {} and after["schools"] == ["École Saint-Louis", "École Sainte-Anne"]
    added = audit(database, "activity.item_add")
    assert [a["code"] for _b, a in added] == ["101", "102"]
    assert added[0][1]["unit_price_cents"] == 425


def test_an_edit_replaces_the_lists_and_is_audited_before_and_after(
    database: Database, world: ActivityWorld
) -> None:
    activity_id = create(database, world)
    with database.write() as uow:
        typed = bake_sale(title="Biscuits de Noël", levels="Secondaire 1; Secondaire 2", schools="")
        save_activity(uow, activity_id, typed, world.school.registrar_id)
    with database.read() as uow:
        detail = activity_detail(uow, activity_id)
    assert detail.title == "Biscuits de Noël"
    assert detail.schools == () and detail.levels == ("Secondaire 1", "Secondaire 2")
    [(before, after)] = audit(database, "activity.update")
    assert before["title"] == "Vente de biscuits" and before["levels"] == ["Primaire"]
    assert after["levels"] == ["Secondaire 1", "Secondaire 2"] and after["schools"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "party"}, "kind"),
        ({"held_on": "18/12/2026"}, "held_on"),
        ({"registration_deadline": ""}, "registration_deadline"),
        ({"registration_deadline": "2026-12-19"}, "registration_deadline"),
        ({"levels": "x" * 41}, "levels"),
        ({"title": f"Carte {CARD}"}, "title"),
        ({"description": f"Payé avec {CARD}"}, "description"),
        ({"schools": f"École {CARD}"}, "schools"),
        ({"levels": CARD}, "levels"),
    ],
)
def test_a_wrong_field_is_refused_with_its_name_and_nothing_written(
    database: Database, world: ActivityWorld, changes: dict[str, str], field: str
) -> None:
    error = refused(database, save_activity, None, bake_sale(**changes), world.school.registrar_id)
    assert isinstance(error, InvalidInput) and error.field == field
    with database.read() as uow:
        assert uow.session.exec(select(func.count()).select_from(Activity)).one() == 4
    if CARD in str(changes):
        assert isinstance(error, CardNumberRefused)


def test_the_deadline_may_be_the_day_itself(database: Database, world: ActivityWorld) -> None:
    activity_id = create(database, world, bake_sale(registration_deadline="2026-12-18"))
    with database.read() as uow:
        assert activity_detail(uow, activity_id).registration_deadline == date(2026, 12, 18)


def test_item_codes_are_unique_within_their_activity_only(
    database: Database, world: ActivityWorld
) -> None:
    activity_id, biscuits, _cocoa = with_two_items(database, world)
    error = refused(
        database, save_item, activity_id, None, item("101", "Sablés", "3,00"),
        world.school.registrar_id,
    )  # fmt: skip
    assert isinstance(error, DuplicateItemCode) and error.field == "code"
    assert "101" in error.translated()
    # Renaming an item to its own code is no clash; another activity may use 101.
    with database.write() as uow:
        save_item(uow, activity_id, biscuits, item("101", "Biscuits maison", "4,25"),
                  world.school.registrar_id)  # fmt: skip
    other = create(database, world, bake_sale(title="Autre vente"))
    add_item(database, world, other, item("101", "Biscuits", "4,25"))
    with database.read() as uow:
        assert (
            uow.session.exec(select(func.count()).where(col(ActivityItem.code) == "101")).one() == 2
        )


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        (item("", "Biscuits", "1"), "code"),
        (item("1 01", "Biscuits", "1"), "code"),
        (item("101", "", "1"), "label"),
        (item("101", f"Biscuits {CARD}", "1"), "label"),
        (item("101", "Biscuits", "-1,00"), "unit_price"),
        (item("101", "Biscuits", "beaucoup"), "unit_price"),
        (item("101", "Biscuits", "1", held_on="demain"), "item_held_on"),
        (item("101", "Biscuits", "1", max_quantity="0"), "max_quantity"),
        (item("101", "Biscuits", "1", max_quantity="100"), "max_quantity"),
    ],
)
def test_a_wrong_item_is_refused_with_its_field(
    database: Database, world: ActivityWorld, typed: ItemInput, field: str
) -> None:
    activity_id = create(database, world)
    error = refused(database, save_item, activity_id, None, typed, world.school.registrar_id)
    assert isinstance(error, InvalidInput) and error.field == field


def test_a_label_typed_with_its_code_gives_both(database: Database, world: ActivityWorld) -> None:
    activity_id = create(database, world)
    add_item(database, world, activity_id, item("", "101 - Biscuits", "4,25"))
    with database.read() as uow:
        [biscuits] = activity_detail(uow, activity_id).items
    assert (biscuits.code, biscuits.label) == ("101", "Biscuits")
    error = refused(
        database, save_item, activity_id, None, item("", "Biscuits - au beurre", "4,25"),
        world.school.registrar_id,
    )  # fmt: skip
    assert isinstance(error, InvalidInput) and error.field == "code"


def test_a_free_item_is_allowed(database: Database, world: ActivityWorld) -> None:
    activity_id = create(database, world)
    add_item(database, world, activity_id, item("9", "Programme", "0"))
    with database.read() as uow:
        assert activity_detail(uow, activity_id).items[0].unit_price == D("0.00")


def test_the_maximum_per_registration_is_enforced_with_a_message_for_the_quantity(
    database: Database, world: ActivityWorld
) -> None:
    activity_id, biscuits, cocoa = with_two_items(database, world)
    error = refused(
        database, register_student, activity_id, world.lea_id, {biscuits: 4, cocoa: 1},
        world.school.clerk_id,
    )  # fmt: skip
    assert isinstance(error, InvalidInput) and error.field == "quantities"
    assert error.translated() == "101 - Biscuits : au plus 3 par inscription."
    with database.write() as uow:
        done = register_student(uow, activity_id, world.lea_id, {biscuits: 3, cocoa: 1},
                                world.school.clerk_id)  # fmt: skip
    assert done.total == D("14.75")


def test_registration_takes_only_the_schools_and_levels_listed(
    database: Database, world: ActivityWorld
) -> None:
    # Léa: Primaire 5 at École Saint-Louis; Emma: Secondaire 2 at the same school.
    activity_id, biscuits, _cocoa = with_two_items(database, world)
    error = refused(
        database, register_student, activity_id, world.emma_id, {biscuits: 1},
        world.school.clerk_id,
    )  # fmt: skip
    assert isinstance(error, StudentNotEligible) and error.field == "student"
    assert error.translated() == "Emma Smith n'est pas d'un niveau visé par cette activité."
    with database.write() as uow:
        save_activity(uow, activity_id, bake_sale(schools="École Sainte-Anne", levels=""),
                      world.school.registrar_id)  # fmt: skip
    error = refused(
        database, register_student, activity_id, world.lea_id, {biscuits: 1},
        world.school.clerk_id,
    )  # fmt: skip
    assert "ne fréquente pas une école visée" in error.translated()
    with database.write() as uow:  # accents and case do not matter
        save_activity(uow, activity_id, bake_sale(schools="ECOLE SAINT-LOUIS", levels="primaire"),
                      world.school.registrar_id)  # fmt: skip
        assert register_student(uow, activity_id, world.lea_id, {biscuits: 1},
                                world.school.clerk_id).total == D("4.25")  # fmt: skip


def test_the_migrated_single_filters_still_apply(database: Database, world: ActivityWorld) -> None:
    """The camp of the test data is for École Saint-Louis, Primaire (one of each)."""
    with database.read() as uow:
        camp = activity_detail(uow, world.camp_id)
    assert camp.schools == ("École Saint-Louis",) and camp.levels == ("Primaire",)
    error = refused(
        database, register_student, world.camp_id, world.emma_id, {camp.items[0].item_id: 1},
        world.school.clerk_id,
    )  # fmt: skip
    assert isinstance(error, StudentNotEligible)


def test_a_closed_activity_keeps_its_registrations_and_takes_no_new_one(
    database: Database, world: ActivityWorld
) -> None:
    activity_id, biscuits, _cocoa = with_two_items(database, world)
    with database.write() as uow:
        register_student(uow, activity_id, world.lea_id, {biscuits: 1}, world.school.clerk_id)
    error = refused(database, close_activity, activity_id, world.school.clerk_id)
    assert isinstance(error, PermissionDenied)
    with database.write() as uow:
        close_activity(uow, activity_id, world.school.registrar_id)
    with database.read() as uow:
        detail = activity_detail(uow, activity_id)
        listed = list_activities(uow, ActivityFilters(keyword="biscuits")).rows[0]
    assert detail.state is ActivityState.CLOSED and listed.state is ActivityState.CLOSED
    assert detail.registrations.total_count == 1
    # A registrar cannot register in it either, even with a reason.
    error = refused(
        database, register_student, activity_id, world.quebec_student_id, {biscuits: 1},
        world.school.registrar_id, "oubli",
    )  # fmt: skip
    assert isinstance(error, ActivityNotOpen)
    assert isinstance(
        refused(database, close_activity, activity_id, world.school.registrar_id),
        ActivityClosedAlready,
    )
    assert audit(database, "activity.close") == [({"state": "open"}, {"state": "closed"})]

    # Opened again: it takes registrations again (and cannot be opened twice).
    with database.write() as uow:
        reopen_activity(uow, activity_id, world.school.registrar_id)
    assert isinstance(
        refused(database, reopen_activity, activity_id, world.school.registrar_id),
        ActivityOpenAlready,
    )
    assert audit(database, "activity.reopen") == [({"state": "closed"}, {"state": "open"})]
    with database.write() as uow:
        register_student(uow, activity_id, world.quebec_student_id, {biscuits: 1},
                         world.school.clerk_id)  # fmt: skip


def test_a_registered_item_keeps_its_price(database: Database, world: ActivityWorld) -> None:
    activity_id, biscuits, _cocoa = with_two_items(database, world)
    with database.write() as uow:
        register_student(uow, activity_id, world.lea_id, {biscuits: 2}, world.school.clerk_id)
    error = refused(
        database, save_item, activity_id, biscuits, item("101", "Biscuits", "5,00"),
        world.school.registrar_id,
    )  # fmt: skip
    assert isinstance(error, ItemPriceLocked) and error.field == "unit_price"
    assert "4,25" in error.translated()
    with database.write() as uow:  # the same price, a new label: allowed
        save_item(uow, activity_id, biscuits, item("101", "Biscuits au beurre", "4.25"),
                  world.school.registrar_id)  # fmt: skip
    [(before, after)] = audit(database, "activity.item_update")
    assert before["label"] == "Biscuits" and after["label"] == "Biscuits au beurre"


def test_cancelling_credits_every_invoice_and_gives_paid_money_back_as_credit(
    database: Database, world: ActivityWorld
) -> None:
    activity_id, biscuits, cocoa = with_two_items(database, world)
    with database.write() as uow:
        save_activity(uow, activity_id, bake_sale(levels=""), world.school.registrar_id)
    with database.write() as uow:
        lea = register_student(uow, activity_id, world.lea_id, {biscuits: 2, cocoa: 1},
                               world.school.clerk_id)  # fmt: skip
        emma = register_student(uow, activity_id, world.emma_id, {cocoa: 2},
                                world.school.clerk_id)  # fmt: skip
    with database.write() as uow:
        post_payment(uow, cash(world.school, world.tremblay_id, "10.50", "10.50",
                               invoices=(lea.invoice_id,)))  # fmt: skip
    with database.read() as uow:
        preview = cancel_preview(uow, activity_id, world.school.registrar_id)
        credit_before = family_credit(uow, world.tremblay_id)
    assert [(line.invoice_number, line.credited, line.returned_to_credit)
            for line in preview.lines] == [
        (lea.invoice_number, D("10.50"), D("10.50")),
        (emma.invoice_number, D("4.00"), D("0.00")),
    ]  # fmt: skip
    assert (preview.total_credited, preview.total_returned) == (D("14.50"), D("10.50"))
    assert credit_before == D("0.00")

    assert isinstance(
        refused(database, cancel_activity, activity_id, "  ", world.school.registrar_id),
        ReasonRequired,
    )
    assert isinstance(
        refused(database, cancel_activity, activity_id, CARD, world.school.registrar_id),
        CardNumberRefused,
    )
    assert isinstance(
        refused(database, cancel_activity, activity_id, "Pluie", world.school.clerk_id),
        PermissionDenied,
    )
    with database.write() as uow:
        done = cancel_activity(uow, activity_id, "Chorale dissoute", world.school.registrar_id)
    assert len(done.credit_notes) == 2
    assert (done.total_credited, done.total_returned) == (D("14.50"), D("10.50"))
    with database.read() as uow:
        notes = [
            (n.number, n.amount, n.reason)
            for n in uow.session.exec(select(CreditNote).order_by(col(CreditNote.id)))
        ]
        figures = {
            f.invoice_id: f
            for f in invoice_figures(uow, invoice_ids=(lea.invoice_id, emma.invoice_id))
        }
        detail = activity_detail(uow, activity_id)
        assert family_credit(uow, world.tremblay_id) == D("10.50")
        assert family_credit(uow, world.smith_id) == D("0.00")
        assert verify_chains(uow).ok
    assert notes == [
        (done.credit_notes[0], D("10.50"), "Chorale dissoute"),
        (done.credit_notes[1], D("4.00"), "Chorale dissoute"),
    ]
    assert all(f.is_cancelled and f.balance == 0 for f in figures.values())
    assert detail.state is ActivityState.CANCELLED
    assert [r.balance for r in detail.registrations.rows] == [D("0.00"), D("0.00")]
    [(before, after)] = audit(database, "activity.cancel")
    assert before == {"state": "open"}
    assert after["reason"] == "Chorale dissoute" and after["credit_notes"] == list(
        done.credit_notes
    )
    assert after["credited_cents"] == 1450 and after["returned_to_credit_cents"] == 1050
    assert len(audit(database, "invoice.cancel")) == 2

    # Cancelled: no edit, no new item, no second cancellation.
    for call, args in (
        (save_activity, (activity_id, bake_sale())),
        (save_item, (activity_id, None, item("103", "Jus", "1"))),
        (cancel_activity, (activity_id, "encore")),
        (close_activity, (activity_id,)),
        (reopen_activity, (activity_id,)),
    ):
        error = refused(database, call, *args, world.school.registrar_id)
        assert isinstance(error, ActivityCancelledAlready)


def test_clerks_set_nothing_up(database: Database, world: ActivityWorld) -> None:
    activity_id = create(database, world)
    clerk = world.school.clerk_id
    for call, args in (
        (save_activity, (None, bake_sale())),
        (save_item, (activity_id, None, item("1", "Biscuits", "1"))),
        (close_activity, (activity_id,)),
        (reopen_activity, (activity_id,)),
        (cancel_activity, (activity_id, "motif")),
    ):
        assert isinstance(refused(database, call, *args, clerk), PermissionDenied)
    with pytest.raises(PermissionDenied), database.read() as uow:
        cancel_preview(uow, activity_id, clerk)


def test_a_registration_made_during_a_cancellation_waits_and_is_refused(
    database: Database, world: ActivityWorld
) -> None:
    """The cancellation holds the activity's lock: a registration arriving meanwhile waits
    for it, then finds the activity cancelled (no invoice escapes the credit notes)."""
    activity_id, biscuits, _cocoa = with_two_items(database, world)
    outcome: list[str] = []

    def register() -> None:
        try:
            with database.write() as uow:
                register_student(uow, activity_id, world.lea_id, {biscuits: 1},
                                 world.school.clerk_id)  # fmt: skip
            outcome.append("registered")
        except DomainError as error:
            outcome.append(type(error).__name__)

    other = threading.Thread(target=register)
    with database.write() as uow:
        cancel_activity(uow, activity_id, "Pluie", world.school.registrar_id)
        other.start()
        time.sleep(0.5)
        assert other.is_alive() and outcome == []  # waiting for the cancellation
    other.join(timeout=20)
    assert outcome == ["ActivityNotOpen"]
    with database.read() as uow:
        assert activity_detail(uow, activity_id).registrations.total_count == 0
