"""Any JSON body, signed, to any POST route: never a 500, and a 4xx writes nothing.

The bodies mix free JSON with the routes' own field names holding any JSON value, so the
fuzzing reaches the services, not only the schema. A few examples per route in `make
test`; `make test-slow` runs many more.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from registrar_tui.db import Database
from registrar_tui.models import ChangeRequest, Payment, ReenrolmentRequest
from tests.api.conftest import NOW, SigningClient, World, make_client

FIELDS = {
    "/v1/online-payments": [
        "family_portal_id", "processor_transaction_id", "authorization_number", "card_brand",
        "card_last4", "amount", "paid_at", "invoices",
    ],
    "/v1/change-requests": [
        "client_reference", "family_portal_id", "target_kind", "target_id", "fields",
    ],
    "/v1/reenrolment-requests": [
        "client_reference", "family_portal_id", "student_id", "term_code", "discipline_codes",
        "administrative", "note",
    ],
}  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["P-TREM", "FAC00000001", "guardian", "student", "phone", "275.00",
                       "2026-11-23T14:00:00Z", "AUT-2026", "0", "-1", "1e400"])
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def bodies(route: str) -> st.SearchStrategy[Any]:
    shaped = st.dictionaries(st.sampled_from(FIELDS[route]), JSON, max_size=len(FIELDS[route]))
    return shaped | JSON


@pytest.fixture
def fuzz_api(database: Database, world: World) -> Iterator[SigningClient]:
    yield from make_client(database, world, rate_per_minute=1_000_000)


def _written(database: Database) -> tuple[int, int, int]:
    with database.read() as uow:
        return tuple(  # type: ignore[return-value]
            int(uow.session.exec(select(func.count()).select_from(table)).one())
            for table in (Payment, ChangeRequest, ReenrolmentRequest)
        )


def _check(api: SigningClient, database: Database, route: str, body: Any, tick: int) -> None:
    before = _written(database)
    content = json.dumps(body).encode()
    answer = api.request("POST", route, content=content, timestamp=NOW - tick % 290)
    assert answer.status_code < 500, (answer.status_code, answer.text, body)
    if answer.status_code >= 400:
        assert set(answer.json()) == {"errors"} and answer.json()["errors"]
        assert _written(database) == before, body


def _fuzz(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.mark.parametrize("route", sorted(FIELDS))
def test_any_body_is_answered_without_a_server_error(
    fuzz_api: SigningClient, database: Database, route: str
) -> None:
    ticks = itertools.count()

    @_fuzz(12)
    @given(body=bodies(route))
    def run(body: Any) -> None:
        _check(fuzz_api, database, route, body, next(ticks))

    run()


@pytest.mark.slow
@pytest.mark.parametrize("route", sorted(FIELDS))
def test_many_bodies_are_answered_without_a_server_error(
    fuzz_api: SigningClient, database: Database, route: str
) -> None:
    ticks = itertools.count()

    @_fuzz(400)
    @given(body=bodies(route))
    def run(body: Any) -> None:
        _check(fuzz_api, database, route, body, next(ticks))

    run()
