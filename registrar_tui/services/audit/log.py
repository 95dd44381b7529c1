"""Reading the audit trail (registrar and admin): filtered, one page at a time, newest first.

The trail is append-only and can hold millions of rows, so nothing here loads it whole:
a page is a keyset query ordered by (occurred_at, id) descending, which each filter's
index serves directly (the actor's `ix_audit_event_actor_time`, the record's
`ix_audit_event_entity`, the date range's `ix_audit_event_occurred_at`), and the next
page starts strictly after the last row shown. No total is counted.

Reading the trail is itself audited: opening the viewer writes "audit.view", opening an
event's detail writes "audit.view_event" with the filter that led to it.

Need-to-know: a student's allergies and medical notes are on the trail as typed; a reader
whose role is not one of the `medical_roles` gets them masked (`FieldChange.hidden`, no
value), on the list as in the detail (`services/audit/need_to_know.py`). The rows stay
as written.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _
from registrar_tui.models import AuditEvent, StaffUser
from registrar_tui.services.audit.labels import ACTION_LABELS
from registrar_tui.services.audit.need_to_know import HEALTH_FIELDS, reader_sees_health
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.audit.records import (
    MAX_NAMED_FAMILIES,
    RecordName,
    events_of_families,
    families_named,
    record_names,
)
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import LOCAL_TIMEZONE, as_utc
from registrar_tui.services.core.errors import InvalidInput, NotFound
from registrar_tui.services.core.money import from_cents
from registrar_tui.services.core.paging import Page

PAGE_SIZE = 15
"""Rows the viewer shows at once (fits its table at 80×24)."""
MAX_PAGE_SIZE = 100
VIEW_ACTION = "audit.view"
VIEW_EVENT_ACTION = "audit.view_event"


class UnknownUser(InvalidInput):
    message = N_("Aucun utilisateur « {username} ».")


class InvalidDate(InvalidInput):
    message = N_("Date invalide : AAAA-MM-JJ.")


class NameTooVague(InvalidInput):
    message = N_("Trop de familles répondent à « {name} » : précisez le nom.")


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer asks for; empty fields filter nothing."""

    entity_type: str = ""
    entity_id: int | None = None
    username: str = ""
    action: str = ""
    """What the viewer shows of an action ("encaissé" matches « Paiement encaissé »), in
    the UI language or in French, or a code prefix ("payment" matches "payment.post")."""
    date_from: date | None = None
    """First local day shown (America/Toronto), inclusive."""
    date_to: date | None = None
    """Last local day shown, inclusive."""
    name: str = ""
    """A family's or a person's name: the events about that family, its people, its money."""

    def as_record(self) -> dict[str, Any]:
        """The filter as plain JSON values (dates in ISO form, empty fields left out)."""
        values = asdict(self)
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in values.items()
            if value not in ("", None)
        }


@dataclass(frozen=True)
class AuditCursor:
    """Where a page ends: the next page starts strictly after this event."""

    occurred_at: datetime
    event_id: int


@dataclass(frozen=True)
class AuditRow:
    """One event as a line of the viewer."""

    event_id: int
    occurred_at: datetime
    """Aware UTC."""
    actor_username: str
    """Empty for events without an actor (a failed sign-in with an unknown name)."""
    actor_name: str
    action: str
    entity_type: str
    entity_id: int | None
    changed_fields: tuple[str, ...]
    """Names of the fields whose value differs between before and after. A health field
    masked from the reader is named whenever the event recorded it (changed or not), so
    that the list does not tell whether it held anything."""
    record_reference: str = ""
    """The record's number as people know it (F0000002, FAC00000002, a receipt number,
    a username); "" when the record is gone or has none."""
    record_name: str = ""
    """The family's or person's name that goes with it (user data)."""


def next_cursor(page: Page[AuditRow]) -> AuditCursor | None:
    """Where the page after `page` starts (None on the last page)."""
    if not page.has_more or not page.rows:
        return None
    last = page.rows[-1]
    return AuditCursor(occurred_at=last.occurred_at, event_id=last.event_id)


@dataclass(frozen=True)
class FieldChange:
    """One field of an event: its value before and after (None: absent or null).

    A field kept in cents (`amount_cents`…) also carries its amounts, for the screen to
    show as money: `before_amount` / `after_amount` (None when absent or not a number).
    A health field the reader may not see is `hidden`: no value on either side (not even
    whether it had one), and counted as changed.
    """

    name: str
    before: str | None
    after: str | None
    before_amount: Decimal | None = None
    after_amount: Decimal | None = None
    hidden: bool = False

    @property
    def changed(self) -> bool:
        return self.hidden or self.before != self.after


@dataclass(frozen=True)
class AuditEventDetail:
    row: AuditRow
    fields: tuple[FieldChange, ...]
    """Every field named before or after, in name order."""
    hash: str
    """The event's link in the chain; "" when a field is hidden from the reader (the hash
    of a payload with a short value in it would let that value be guessed)."""


@dataclass(frozen=True)
class AuditLogOpened:
    """The viewer was opened (and that was recorded)."""

    user_id: int
    opened_at: datetime


def parse_filter(
    *,
    entity_type: str = "",
    entity_id: str = "",
    username: str = "",
    action: str = "",
    date_from: str = "",
    date_to: str = "",
    name: str = "",
) -> AuditFilter:
    """The viewer's typed filter, checked (InvalidInput / InvalidDate with its field).

    Dates are typed AAAA-MM-JJ; a record number needs a kind of record; the last day may
    not come before the first.
    """
    kind = entity_type.strip()
    number = entity_id.strip()
    parsed_id: int | None = None
    if number:
        if not number.isdigit() or len(number) > 18:
            raise InvalidInput(N_("Numéro de dossier invalide."), field="entity_id")
        if not kind:
            raise InvalidInput(N_("Choisissez le type de dossier."), field="entity_type")
        parsed_id = int(number)
    first = _parse_date(date_from, "date_from")
    last = _parse_date(date_to, "date_to")
    if first is not None and last is not None and last < first:
        raise InvalidInput(N_("La date de fin précède la date de début."), field="date_to")
    return AuditFilter(
        entity_type=kind,
        entity_id=parsed_id,
        username=username.strip()[:64],
        action=action.strip()[:64],
        name=name.strip()[:100],
        date_from=first,
        date_to=last,
    )


def _parse_date(text: str, field: str) -> date | None:
    value = text.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidDate(field=field) from None


def local_midnight(day: date) -> datetime:
    """The UTC instant at which a local day (America/Toronto) begins."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


def open_audit_log(uow: UnitOfWork, actor_id: int) -> AuditLogOpened:
    """Record that `actor_id` opened the audit viewer ("audit.view").

    Refuses PermissionDenied (not an active registrar or admin), writing nothing.
    """
    active_staff(uow, actor_id, SUPERVISORS)
    record_event(uow, actor_id, VIEW_ACTION, "audit_event", None, {}, {})
    return AuditLogOpened(user_id=actor_id, opened_at=as_utc(uow.now()))


def audit_page(
    uow: UnitOfWork,
    actor_id: int,
    filters: AuditFilter,
    *,
    after: AuditCursor | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> Page[AuditRow]:
    """One page of events matching `filters`, newest first, starting after `after`.

    The page is not counted (`total_count` None); `offset` only says how many rows the
    pages before it showed (for their numbering); `next_cursor(page)` starts the next.
    Refuses PermissionDenied (not an active registrar or admin), UnknownUser (no staff
    user by that name, field "username"), NameTooVague (a name matching more than
    MAX_NAMED_FAMILIES families, field "name") and InvalidInput (a page size outside
    1..100). Health fields are masked for a reader outside `medical_roles`.
    """
    reader = active_staff(uow, actor_id, SUPERVISORS)
    hide = not reader_sees_health(uow, reader)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(N_("Page invalide."), field="limit")
    event_actor_id: int | None = None
    if filters.username:
        event_actor_id = uow.session.exec(
            select(StaffUser.id).where(
                func.lower(col(StaffUser.username)) == filters.username.lower()
            )
        ).first()
        if event_actor_id is None:
            raise UnknownUser(field="username", username=filters.username)
    family_ids: list[int] | None = None
    if filters.name:
        family_ids = families_named(uow, filters.name)
        if len(family_ids) > MAX_NAMED_FAMILIES:
            raise NameTooVague(field="name", name=filters.name)
    query = page_query(filters, event_actor_id, after, family_ids)
    found = list(uow.session.exec(query.limit(limit + 1)).all())
    shown = found[:limit]
    names = record_names(
        uow,
        [
            (event.entity_type, event.entity_id)
            for event, _username, _name in shown
            if event.entity_id is not None
        ],
    )
    rows = tuple(_row(event, username, name, names, hide=hide) for event, username, name in shown)
    return Page.probed(rows, max(0, offset), limit, len(found) > limit and bool(rows))


def _folded(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in folded if not unicodedata.combining(char))


def actions_matching(text: str) -> list[str]:
    """The action codes a typed action means: its words found in the label shown (in the
    UI language or the French source, accents and case ignored), or a code prefix."""
    wanted = _folded(text).split()
    codes: list[str] = []
    for code, label in ACTION_LABELS.items():
        shown = f"{_folded(_(label))} {_folded(label)} {code}"
        if code.startswith(text.strip()) or all(word in shown for word in wanted):
            codes.append(code)
    return codes


def page_query(
    filters: AuditFilter,
    event_actor_id: int | None,
    after: AuditCursor | None,
    family_ids: list[int] | None = None,
) -> Any:
    """The page's SELECT (events with their actor), newest first, without its LIMIT.

    `event_actor_id` is the filter's user, already looked up; `family_ids` the families
    the filter's name found. Every filter is a range or an equality on an indexed column
    (the name: equalities on the record index), and the order is the indexes' own.
    """
    query = select(AuditEvent, StaffUser.username, StaffUser.full_name).outerjoin(
        StaffUser, col(StaffUser.id) == col(AuditEvent.actor_id)
    )
    if event_actor_id is not None:
        query = query.where(col(AuditEvent.actor_id) == event_actor_id)
    if filters.entity_type:
        query = query.where(col(AuditEvent.entity_type) == filters.entity_type)
        if filters.entity_id is not None:
            query = query.where(col(AuditEvent.entity_id) == filters.entity_id)
    if filters.action:
        codes = actions_matching(filters.action)
        query = query.where(
            or_(
                col(AuditEvent.action).in_(codes),
                col(AuditEvent.action).startswith(filters.action, autoescape=True),
            )
        )
    if family_ids is not None:
        query = query.where(events_of_families(family_ids))
    if filters.date_from is not None:
        query = query.where(col(AuditEvent.occurred_at) >= local_midnight(filters.date_from))
    if filters.date_to is not None:
        end = local_midnight(filters.date_to + timedelta(days=1))
        query = query.where(col(AuditEvent.occurred_at) < end)
    if after is not None:
        # The first conjunct bounds the index range scan; the second breaks ties.
        query = query.where(
            col(AuditEvent.occurred_at) <= after.occurred_at,
            or_(
                col(AuditEvent.occurred_at) < after.occurred_at,
                and_(
                    col(AuditEvent.occurred_at) == after.occurred_at,
                    col(AuditEvent.id) < after.event_id,
                ),
            ),
        )
    query = query.order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
    return query


def audit_event_detail(
    uow: UnitOfWork, actor_id: int, event_id: int, filters: AuditFilter | None = None
) -> AuditEventDetail:
    """One event with its before and after, field by field; records "audit.view_event".

    The record of the viewing names the event and the filter that found it, so that who
    looked at which change (and what they were searching for) is itself on the trail.
    A reader outside `medical_roles` gets the health fields `hidden` (and no hash).
    Refuses PermissionDenied (not an active registrar or admin) and NotFound.
    """
    reader = active_staff(uow, actor_id, SUPERVISORS)
    hide = not reader_sees_health(uow, reader)
    found = uow.session.exec(
        select(AuditEvent, StaffUser.username, StaffUser.full_name)
        .outerjoin(StaffUser, col(StaffUser.id) == col(AuditEvent.actor_id))
        .where(col(AuditEvent.id) == event_id)
    ).first()
    if found is None:
        raise NotFound(N_("Événement introuvable."))
    event, username, name = found
    before, after = _values(event.before_json), _values(event.after_json)
    fields = tuple(
        FieldChange(name=key, before=None, after=None, hidden=True)
        if hide and key in HEALTH_FIELDS
        else FieldChange(
            name=key,
            before=_shown(before, key),
            after=_shown(after, key),
            before_amount=_amount(before, key),
            after_amount=_amount(after, key),
        )
        for key in sorted(set(before) | set(after))
    )
    masked = any(field.hidden for field in fields)
    record_event(
        uow,
        actor_id,
        VIEW_EVENT_ACTION,
        "audit_event",
        event_id,
        {},
        {"filter": (filters or AuditFilter()).as_record()},
    )
    names = (
        record_names(uow, [(event.entity_type, event.entity_id)])
        if event.entity_id is not None
        else {}
    )
    return AuditEventDetail(
        row=_row(event, username, name, names, hide=hide),
        fields=fields,
        hash="" if masked else event.hash,
    )


def _values(payload: str) -> dict[str, Any]:
    try:
        loaded = json.loads(payload or "{}")
    except ValueError:
        return {"": payload}  # not JSON (never written so): shown as one raw value
    return loaded if isinstance(loaded, dict) else {"": loaded}


def _shown(values: dict[str, Any], key: str) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _amount(values: dict[str, Any], key: str) -> Decimal | None:
    """The amount of a field kept in cents (by its name), None for any other field."""
    value = values.get(key)
    if not key.endswith("_cents") or isinstance(value, bool) or not isinstance(value, int):
        return None
    return from_cents(value)


def _row(
    event: AuditEvent,
    username: str | None,
    name: str | None,
    names: dict[tuple[str, int], RecordName] | None = None,
    *,
    hide: bool = False,
) -> AuditRow:
    """The event as a line; `hide`: the reader may not see health values (their fields
    are named whenever recorded, changed or not)."""
    before, after = _values(event.before_json), _values(event.after_json)
    changed = tuple(
        key
        for key in sorted(set(before) | set(after))
        if (hide and key in HEALTH_FIELDS) or before.get(key) != after.get(key)
    )
    assert event.id is not None
    record = (names or {}).get((event.entity_type, event.entity_id or 0))
    return AuditRow(
        event_id=event.id,
        occurred_at=as_utc(event.occurred_at),
        actor_username=username or "",
        actor_name=name or "",
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        changed_fields=changed,
        record_reference=record.reference if record else "",
        record_name=record.name if record else "",
    )
