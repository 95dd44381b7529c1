"""`POST /v1/change-requests` and `POST /v1/reenrolment-requests`: what a family asks on
the portal, pending the registrar's decision (services/requests/portal.py).

Idempotent by the portal's `client_reference`: the first submission answers 201, the same
one again 200 with the same body, `replayed: true` and the header `Idempotent-Replayed:
true`; the same reference with other content is 409. A change carries, per field, the
value the family saw and the one it asks for: the registrar's queue flags a conflict when
the record changed meanwhile. Every mistake of every field is listed at once, each under
its place in the body (`fields.2.requested_value`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from registrar_tui.api.auth import database_of, signed_caller
from registrar_tui.api.errors import ErrorBody
from registrar_tui.db import Database
from registrar_tui.models.base import ChangeTarget
from registrar_tui.services.requests.changes.fields import EDITABLE_FIELDS
from registrar_tui.services.requests.portal import (
    SEEN_SUFFIX,
    PortalChange,
    PortalFieldChange,
    PortalReenrolment,
    SubmittedPortalRequest,
    submit_portal_change,
    submit_portal_reenrolment,
)
from registrar_tui.services.requests.portal_family import portal_family
from registrar_tui.services.staff.api_clients import ApiCaller

router = APIRouter(
    tags=["requests"],
    responses={status: {"model": ErrorBody} for status in (401, 404, 409, 413, 422, 429)},
)

REPLAYED_HEADER = "Idempotent-Replayed"
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Reference = Annotated[str, Field(min_length=1, max_length=64, examples=["portal-req-2026-0001"])]
PortalId = Annotated[str, Field(min_length=1, max_length=64)]


class FieldChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field_name: str = Field(min_length=1, max_length=64, examples=["phone"])
    seen_value: str = Field(max_length=200, examples=["514-555-0123"])
    """The value the portal showed the family when it asked."""
    requested_value: str = Field(max_length=200, examples=["514-555-0199"])


class ChangeRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_reference: Reference
    family_portal_id: PortalId
    target_kind: ChangeTarget
    target_id: RowId
    """The guardian's or the student's id (as the portal's family read gives them)."""
    fields: list[FieldChangeIn] = Field(min_length=1, max_length=20)


class ReenrolmentRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_reference: Reference
    family_portal_id: PortalId
    student_id: RowId
    term_code: str = Field(min_length=1, max_length=16, examples=["HIV-2027"])
    discipline_codes: list[Annotated[str, Field(min_length=1, max_length=16)]] = Field(
        default_factory=list, max_length=20
    )
    administrative: bool = False
    note: str = Field(default="", max_length=1000)


class SubmittedOut(BaseModel):
    request_id: int
    kind: str
    """change | reenrolment"""
    status: str
    """pending, or the request's status now on a replay."""
    replayed: bool


class PersonOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    values: dict[str, str]
    """Each field the portal may ask to change, its value now (send it back as seen_value)."""


class GuardianOut(PersonOut):
    is_payer: bool


class StudentOut(PersonOut):
    student_number: str
    status: str
    pending_terms: list[str]


class DisciplineOut(BaseModel):
    code: str
    name_fr: str
    name_en: str


class TermOut(BaseModel):
    code: str
    starts_on: date
    reenrolment_opens_on: date
    reenrolment_closes_on: date | None
    disciplines: list[DisciplineOut]


class FamilyOut(BaseModel):
    family_portal_id: str
    family_number: str
    name: str
    language: str
    guardians: list[GuardianOut]
    students: list[StudentOut]
    reenrolment_terms: list[TermOut]
    """Terms whose re-enrolment window is open today, with their disciplines."""


@router.get("/v1/families/{portal_id}", response_model=FamilyOut, summary="A family's people")
def get_family(
    portal_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")],
    request: Request,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> FamilyOut:
    """The guardians and students with their ids and the current value of each field a
    change request may name, and the terms open for re-enrolment."""
    request.state.field_path = lambda field: "portal_id" if field == "family_portal_id" else field
    with database.read() as uow:
        found = portal_family(uow, portal_id, actor_id=caller.staff_user_id)
    return FamilyOut(
        family_portal_id=found.family_portal_id,
        family_number=found.family_number,
        name=found.name,
        language=found.language,
        guardians=[
            GuardianOut(
                id=g.guardian_id, first_name=g.first_name, last_name=g.last_name,
                values=dict(g.values), is_payer=g.is_payer,
            )
            for g in found.guardians
        ],
        students=[
            StudentOut(
                id=s.student_id, first_name=s.first_name, last_name=s.last_name,
                values=dict(s.values), student_number=s.student_number, status=s.status,
                pending_terms=list(s.pending_terms),
            )
            for s in found.students
        ],
        reenrolment_terms=[
            TermOut(
                code=t.code, starts_on=t.starts_on, reenrolment_opens_on=t.reenrolment_opens_on,
                reenrolment_closes_on=t.reenrolment_closes_on,
                disciplines=[
                    DisciplineOut(code=d.code, name_fr=d.name_fr, name_en=d.name_en)
                    for d in t.disciplines
                ],
            )
            for t in found.reenrolment_terms
        ],
    )  # fmt: skip


def _answer(submitted: SubmittedPortalRequest, response: Response) -> SubmittedOut:
    if submitted.replayed:
        response.status_code = 200
        response.headers[REPLAYED_HEADER] = "true"
    return SubmittedOut(
        request_id=submitted.request_id,
        kind=submitted.kind,
        status=submitted.status,
        replayed=submitted.replayed,
    )


def change_field_path(body: ChangeRequestIn) -> Callable[[str | None], str | None]:
    """The body's path of a field the service names (`phone` → `fields.0.requested_value`,
    `phone.seen_value` → `fields.0.seen_value`, a name the portal may not change →
    `fields.0.field_name`)."""
    names = [item.field_name for item in body.fields]
    editable = EDITABLE_FIELDS[body.target_kind]

    def path(field: str | None) -> str | None:
        if field is None:
            return None
        name, seen, _rest = field.partition(SEEN_SUFFIX)
        if name in names:
            index = names.index(name)
            if name not in editable:
                return f"fields.{index}.field_name"
            return f"fields.{index}.seen_value" if seen else f"fields.{index}.requested_value"
        if field in ChangeRequestIn.model_fields:
            return field
        # A long unknown name comes back cut (« … »): it is still a field_name.
        cut = [index for index, name in enumerate(names) if name.startswith(field.rstrip("…"))]
        return f"fields.{cut[0]}.field_name" if cut else field

    return path


@router.post(
    "/v1/change-requests",
    response_model=SubmittedOut,
    status_code=201,
    summary="Submit a change request",
    responses={200: {"model": SubmittedOut, "description": "A replay: submitted before."}},
)
def submit_change(
    body: ChangeRequestIn,
    request: Request,
    response: Response,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> SubmittedOut:
    """A family asks to change a guardian's or a student's fields; pending until the
    registrar decides."""
    request.state.field_path = change_field_path(body)
    with database.write() as uow:
        submitted = submit_portal_change(
            uow,
            PortalChange(
                portal_user_id=caller.staff_user_id,
                client_reference=body.client_reference,
                family_portal_id=body.family_portal_id,
                target_kind=body.target_kind,
                target_id=body.target_id,
                fields=tuple(
                    PortalFieldChange(
                        field_name=item.field_name,
                        seen_value=item.seen_value,
                        requested_value=item.requested_value,
                    )
                    for item in body.fields
                ),
            ),
        )
    return _answer(submitted, response)


def _reenrolment_field(field: str | None) -> str | None:
    return {"disciplines": "discipline_codes", "term": "term_code", "student": "student_id"}.get(
        field or "", field
    )


@router.post(
    "/v1/reenrolment-requests",
    response_model=SubmittedOut,
    status_code=201,
    summary="Submit a re-enrolment request",
    responses={200: {"model": SubmittedOut, "description": "A replay: submitted before."}},
)
def submit_reenrolment(
    body: ReenrolmentRequestIn,
    request: Request,
    response: Response,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> SubmittedOut:
    """A family asks to re-enrol a student next term (disciplines, or administrative);
    the counter's rules apply (window open, disciplines offered, one pending per term)."""
    request.state.field_path = _reenrolment_field
    with database.write() as uow:
        submitted = submit_portal_reenrolment(
            uow,
            PortalReenrolment(
                portal_user_id=caller.staff_user_id,
                client_reference=body.client_reference,
                family_portal_id=body.family_portal_id,
                student_id=body.student_id,
                term_code=body.term_code,
                discipline_codes=tuple(body.discipline_codes),
                administrative=body.administrative,
                note=body.note,
            ),
        )
    return _answer(submitted, response)
