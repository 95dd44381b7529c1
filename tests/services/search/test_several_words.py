"""Several words (`trem hél`): the same families and students in the same order whether
the further words are read in the entries' own `record_tokens` or probed in the index
(entries written before they were kept, or a record too large to keep them), and as the
search has always ranked them: by the first token of each record that starts with the
longest word, then kind and id; codes permanent not matched by letters."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import SearchEntry, Student, StudentStatus
from registrar_tui.services.search.query import HitKind, search
from tests.services.search.search_data import ranking


@pytest.fixture
def demo(database: Database) -> Database:
    from registrar_tui.demo import generate_demo

    generate_demo(database, families=40, seed=11)
    return database


def _queries(db: Database) -> list[str]:
    """Seeded: a last-name prefix and a first-name prefix of every fifth student, of
    varied lengths (either word the longer), some with their accents, some of three
    words, and a few that find nobody or only by a family's guardian, or hold `%`, `_`
    or a backslash."""
    with db.read() as uow:
        students = uow.session.exec(
            select(Student.last_name, Student.first_name).order_by(col(Student.id))
        ).all()
    queries = []
    for index, (last, first) in enumerate(students[::5]):
        queries.append(f"{last[: 2 + index % 4]} {first[: 1 + index % 3]}")
        queries.append(f"{first[: 2 + index % 3]} {last[:2]}")
    last, first = students[0]
    queries += [
        f"{last[:3]} {first[:2]} {last[:1]}",
        f"{first} {last}",
        f"{last[:2]} zz",
        "tre hé",
        "ga ma",
        "a e",
        # LIKE's wildcards and escape in a further word: compared literally (`m_` finds
        # no `ma…`).
        f"{last} {first[:1]}_",
        f"{last} {first[:1]}%",
        f"{last} {first[:1]}\\",
    ]
    return queries


def _forget_record_tokens(db: Database, which: str) -> None:
    """As entries indexed before `record_tokens` existed: all of them, or every other."""
    blank = update(SearchEntry).values(record_tokens="")
    if which == "half":
        blank = blank.where(col(SearchEntry.ref_id) % 2 == 0)
    with db.write() as uow:
        uow.session.execute(blank)


@pytest.mark.parametrize("forgotten", ["none", "half", "all"])
def test_the_same_records_in_the_same_order(demo: Database, forgotten: str) -> None:
    if forgotten != "none":
        _forget_record_tokens(demo, forgotten)
    checked = 0
    for text in _queries(demo):
        for limit in (12, 60):
            with demo.read() as uow:
                page = search(uow, text, limit=limit)
            found = [(hit.kind.value, hit.ref_id) for hit in page.rows]
            expected = ranking(demo, text, limit + 1)
            assert found == expected[:limit], text
            assert page.has_more == (len(expected) > limit), text
            checked += bool(found)
    assert checked >= 20  # most queries find someone: the order is really compared


def test_a_withdrawn_student_is_found_only_with_the_filter(demo: Database) -> None:
    with demo.write() as uow:
        student = uow.session.exec(select(Student).order_by(col(Student.id))).first()
        assert student is not None
        student.status = StudentStatus.WITHDRAWN
        uow.session.add(student)
        text = f"{student.last_name} {student.first_name}"
        target = (HitKind.STUDENT, student.id)
    for forgotten in ("none", "all"):
        if forgotten == "all":
            _forget_record_tokens(demo, forgotten)
        with demo.read() as uow:
            hidden = search(uow, text, limit=60)
            shown = search(uow, text, limit=60, include_withdrawn=True)
        assert target not in [(hit.kind, hit.ref_id) for hit in hidden.rows]
        assert target in [(hit.kind, hit.ref_id) for hit in shown.rows]


def test_every_entry_of_a_record_carries_its_tokens(demo: Database) -> None:
    with demo.read() as uow:
        entries = uow.session.exec(
            select(
                SearchEntry.kind, SearchEntry.ref_id, SearchEntry.token, SearchEntry.record_tokens
            )
        ).all()
    tokens: dict[tuple[str, int], set[str]] = defaultdict(set)
    kept: dict[tuple[str, int], set[str]] = defaultdict(set)
    for kind, ref_id, token, record_tokens in entries:
        tokens[(kind, ref_id)].add(token)
        kept[(kind, ref_id)].add(record_tokens)
    for record, own in tokens.items():
        assert len(kept[record]) == 1, record
        (text,) = kept[record]
        assert set(text.split("\x1f")[1:]) == own, record
