"""API clients: an admin creates one (key shown once, hashed), revokes it; the key finds
its client; a signed request is accepted once, within the client's rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import ApiClient, ApiRequestSeen, AuditEvent, StaffUser
from registrar_tui.models.base import Role
from registrar_tui.services.core.errors import InvalidCredentials, InvalidInput, PermissionDenied
from registrar_tui.services.staff.api_clients import (
    KeyRevoked,
    KeyUnknown,
    RateLimited,
    RateUse,
    RequestReplayed,
    SignatureInvalid,
    TimestampExpired,
    TimestampInFuture,
    accept_signed_request,
    add_api_client,
    authenticate_api_key,
    check_timestamp,
    forget_old_signatures,
    identify_and_accept,
    key_digest,
    list_api_clients,
    revoke_api_client,
)
from registrar_tui.services.staff.auth import authenticate
from tests import builders as b
from tests.conftest import FIXED_NOW


@pytest.fixture
def admin(database: Database) -> int:
    with database.write() as uow:
        return b.staff(uow, None, username="admin", full_name="Ada Admin", role=Role.ADMIN)


def test_a_new_client_gets_a_key_once_and_a_portal_account(database: Database, admin: int) -> None:
    with database.write() as uow:
        created = add_api_client(uow, admin, "portail-familles")
    assert created.key.startswith(f"rtk_{created.client.key_prefix}_")
    assert len(created.key) > 50
    with database.read() as uow:
        row = uow.session.exec(select(ApiClient)).one()
        account = uow.session.get_one(StaffUser, row.staff_user_id)
        events = uow.session.exec(select(AuditEvent.action, AuditEvent.after_json)).all()
        assert row.key_hash == key_digest(created.key)
        assert (account.username, account.role) == ("api-portail-familles", Role.PORTAL)
        staff_user_id = row.staff_user_id
    assert events[-1][0] == "api_client.add"
    assert created.key not in events[-1][1] and key_digest(created.key) not in events[-1][1]
    with database.read() as uow:
        caller = authenticate_api_key(uow, created.key)
        listed = list_api_clients(uow)
    assert (caller.name, caller.staff_user_id) == ("portail-familles", staff_user_id)
    assert [(c.name, c.username, c.created_by, c.is_revoked) for c in listed] == [
        ("portail-familles", "api-portail-familles", "admin", False)
    ]


def test_the_portal_account_never_signs_in_to_the_terminal(database: Database, admin: int) -> None:
    with database.write() as uow:
        add_api_client(uow, admin, "portail")
    with pytest.raises(InvalidCredentials), database.write() as uow:
        authenticate(uow, "api-portail", "!api-client: never signs in")


def test_only_an_admin_adds_or_revokes_and_names_follow_the_rule(
    database: Database, admin: int
) -> None:
    with database.write() as uow:
        clerk = b.staff(uow, None, username="clerk", full_name="Chloé", role=Role.CLERK)
    with pytest.raises(PermissionDenied), database.write() as uow:
        add_api_client(uow, clerk, "portail")
    for bad in ("P", "Portail Familles", "x" * 41, "-portail"):
        with pytest.raises(InvalidInput) as refused, database.write() as uow:
            add_api_client(uow, admin, bad)
        assert refused.value.field == "name"
    with database.write() as uow:
        add_api_client(uow, admin, "portail")
    with pytest.raises(InvalidInput, match="existe déjà"), database.write() as uow:
        add_api_client(uow, admin, "portail")
    with pytest.raises(PermissionDenied), database.write() as uow:
        revoke_api_client(uow, clerk, "portail")


def test_a_revoked_key_is_refused_and_its_account_disabled(database: Database, admin: int) -> None:
    with database.write() as uow:
        created = add_api_client(uow, admin, "portail")
    with database.write() as uow:
        revoked = revoke_api_client(uow, admin, "portail")
    assert revoked.revoked_by == "admin" and revoked.revoked_at == FIXED_NOW
    with pytest.raises(KeyRevoked), database.read() as uow:
        authenticate_api_key(uow, created.key)
    with database.read() as uow:
        account = uow.session.exec(
            select(StaffUser).where(col(StaffUser.username) == "api-portail")
        ).one()
        assert not account.is_active
    with pytest.raises(InvalidInput, match="déjà révoquée"), database.write() as uow:
        revoke_api_client(uow, admin, "portail")


def test_a_key_that_is_almost_right_is_unknown(database: Database, admin: int) -> None:
    with database.write() as uow:
        created = add_api_client(uow, admin, "portail")
    for wrong in (created.key[:-1] + "x", "rtk_00000000_" + created.key[13:], "Bearer", ""):
        with pytest.raises(KeyUnknown if wrong else Exception), database.read() as uow:
            authenticate_api_key(uow, wrong)


def test_the_timestamp_window_is_five_minutes_either_way() -> None:
    now = FIXED_NOW
    check_timestamp(now, int((now - timedelta(seconds=300)).timestamp()))
    check_timestamp(now, int((now + timedelta(seconds=300)).timestamp()))
    with pytest.raises(TimestampExpired):
        check_timestamp(now, int((now - timedelta(seconds=301)).timestamp()))
    with pytest.raises(TimestampInFuture):
        check_timestamp(now, int((now + timedelta(seconds=301)).timestamp()))


def test_each_call_is_identified_and_accepted_in_one_unit_of_work(
    database: Database, admin: int
) -> None:
    """The API's check of every call (`identify_and_accept`, one statement on
    PostgreSQL): the client known first, then the request's own refusal, the rate, a
    replay; only an accepted call leaves its signature, and on PostgreSQL the disk wait
    it skipped stays that call's alone."""
    with database.write() as uow:
        created = add_api_client(uow, admin, "portail")
    known: list[str] = []

    def accept(signature: str, refused: SignatureInvalid | None = None) -> str:
        with database.standalone() as uow:
            caller = identify_and_accept(
                uow, created.key, signature, rate_per_minute=2, refused=refused,
                identified=lambda caller: known.append(caller.name),
            )  # fmt: skip
        return caller.name

    assert accept("a" * 64) == "portail"
    with pytest.raises(SignatureInvalid):
        accept("b" * 64, SignatureInvalid(field="x-registrar-signature"))
    assert known == ["portail", "portail"]  # refused, but audited with its name
    with pytest.raises(RequestReplayed):
        accept("a" * 64)
    accept("c" * 64)
    with pytest.raises(RateLimited) as limited:
        accept("d" * 64)
    assert limited.value.retry_after == 60
    with pytest.raises(KeyUnknown), database.standalone() as uow:
        identify_and_accept(uow, created.key[:-1] + "x", "e" * 64, rate_per_minute=2)
    with database.read() as uow:
        kept = set(uow.session.exec(select(ApiRequestSeen.signature)).all())
        if database.backend == "postgresql":
            assert uow.session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
    assert kept == {"a" * 64, "c" * 64}


def test_a_signature_is_accepted_once_within_the_rate(database: Database, admin: int) -> None:
    with database.write() as uow:
        created = add_api_client(uow, admin, "portail")
        caller = authenticate_api_key(uow, created.key)
        uow.session.add(
            ApiRequestSeen(
                signature="old",
                client_id=caller.client_id,
                seen_at=FIXED_NOW - timedelta(minutes=6),
            )
        )
    with database.write() as uow:
        accept_signed_request(uow, caller, "a" * 64, rate_per_minute=2)
    with pytest.raises(RequestReplayed), database.write() as uow:
        accept_signed_request(uow, caller, "a" * 64, rate_per_minute=2)
    with database.write() as uow:
        accept_signed_request(uow, caller, "b" * 64, rate_per_minute=2)
    with pytest.raises(RateLimited) as limited, database.write() as uow:
        accept_signed_request(uow, caller, "c" * 64, rate_per_minute=2)
    assert limited.value.retry_after == 60
    with database.write() as uow:
        forget_old_signatures(uow)
    with database.read() as uow:
        kept = set(uow.session.exec(select(ApiRequestSeen.signature)).all())
    assert kept == {"a" * 64, "b" * 64}  # the old one pruned


def test_the_rate_counts_the_last_60_seconds_as_a_sliding_window() -> None:
    """This minute's calls plus the previous minute's share still inside the last 60
    seconds; the wait said is when one more call is under the rate, to the second."""
    minute = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    at_20s = RateUse.at(minute + timedelta(seconds=20)).counted(0, 30)
    # Two thirds of the previous minute's 30 calls are still inside the window: 20.
    assert at_20s.over(20) and not at_20s.over(21)
    assert at_20s.retry_after(20) == 1  # at 21 s, 19.5 calls
    assert not RateUse.at(minute + timedelta(seconds=21)).counted(0, 30).over(20)
    full = RateUse.at(minute + timedelta(seconds=10)).counted(25, 0)
    # 25 calls this minute against 20: 50 s to the next minute, then 12 s until 25 × 48/60
    # is 20, and past it.
    assert full.over(20) and full.retry_after(20) == 62
    assert not RateUse.at(minute + timedelta(seconds=72, milliseconds=1)).counted(0, 25).over(20)
    assert RateUse.at(minute + timedelta(seconds=72)).counted(0, 25).over(20)
    assert not RateUse.at(minute).counted(19, 0).over(20)
    # Big counts and rates: no overflow, no rounding.
    busy = RateUse.at(minute + timedelta(seconds=30)).counted(999_999, 2_000_000)
    assert busy.over(1_000_000) and not busy.over(2_000_000)
